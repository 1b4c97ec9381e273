"""Benchmark the measures engine (a script, not a test: run it by hand and quote the figures).

    PYTHONPATH=lib python benchmarks/bench_measures.py              # one authority + naive ratio
    PYTHONPATH=lib python benchmarks/bench_measures.py --national   # also 153 authorities

Prints, measured in one run on the same data:
1. one authority, every measure, every period, the full monthly history (target < 3 s);
2. a straightforward implementation ("recompute each month from the raw tables with pandas
   filters") of a representative subset of measures over the same months, against the engine
   computing the same subset; prints the ratio (target: the engine >= 10x faster) and checks
   that both give the same numbers;
3. with --national: 153 authorities (target < 2 minutes and < 8 GB on 2 cores), computed in
   a pool of worker processes and written to a DuckDB warehouse as they finish.

Data: ``csc_workbench.synth.generate`` if it is importable, else the quick random canonical
builder below (realistic volumes for a mid-sized authority, not realistic patterns).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))

from csc_workbench.calendar import period_window, within_working_days  # noqa: E402
from csc_workbench.model.dataset import Dataset  # noqa: E402
from csc_workbench.measures.engine import compute_measures, split_by_authority  # noqa: E402

START, END = "2019-04-01", "2025-03-31"


# ---- quick random canonical data -------------------------------------------------------------

def _dates(rng, d0, span, n):
    return d0 + rng.integers(0, span, n).astype("timedelta64[D]")


def random_authority(rng: np.random.Generator, code: str, scale: float = 1.0, start: str = START,
                     end: str = END) -> dict[str, pd.DataFrame]:
    """Canonical tables for one fictional authority (~12,000 children known at scale 1)."""
    d0, d1 = np.datetime64(start, "D"), np.datetime64(end, "D")
    span = int((d1 - d0).astype(int))
    years = span / 365.25
    nat = np.datetime64("NaT", "D")

    def cap(d):  # a date after the extract is not known yet
        return np.where(d > d1, nat, d)

    n_children = int(12_000 * scale)
    child_ids = np.array([f"{code}C{i:06d}" for i in range(n_children)], dtype=object)
    teams = np.array([f"{code}T{i}" for i in range(8)], dtype=object)
    workers = np.array([f"{code}W{i:03d}" for i in range(int(60 * scale) + 5)], dtype=object)
    worker_team = teams[np.arange(len(workers)) % len(teams)]
    dob = d0 - rng.integers(-3 * 365, 17 * 365, n_children).astype("timedelta64[D]")
    persons = pd.DataFrame({"child_id": child_ids, "dob": dob, "sex": rng.choice(["M", "F"], n_children),
                            "uasc": rng.random(n_children) < 0.03})

    def pick(n):
        return rng.integers(0, n_children, n)

    n_contacts = int(8000 * years * scale)
    cdate = _dates(rng, d0, span, n_contacts)
    contacts = pd.DataFrame({
        "contact_id": np.arange(n_contacts).astype(str), "child_id": child_ids[pick(n_contacts)], "contact_date": cdate,
        "outcome": rng.choice(["referral", "early_help", "advice", "nfa", None], n_contacts, p=[.25, .2, .25, .2, .1]),
        "decision_date": cap(cdate + rng.integers(0, 4, n_contacts).astype("timedelta64[D]")),
        "team_id": teams[rng.integers(0, 2, n_contacts)],
    })

    n_ref = int(2000 * years * scale)
    rchild = pick(n_ref)
    rdate = _dates(rng, d0, span, n_ref)
    rw = rng.integers(0, len(workers), n_ref)
    nfa = rng.random(n_ref) < 0.1
    closure = cap(rdate + rng.exponential(200, n_ref).astype(int).astype("timedelta64[D]"))
    closure = np.where(nfa, rdate, closure)
    referrals = pd.DataFrame({
        "referral_id": np.array([f"{code}R{i}" for i in range(n_ref)], dtype=object), "child_id": child_ids[rchild],
        "referral_date": rdate, "nfa": nfa, "closure_date": closure, "team_id": worker_team[rw], "worker_id": workers[rw],
    })
    allocations = pd.DataFrame({"child_id": child_ids[rchild], "worker_id": workers[rw], "team_id": worker_team[rw],
                                "start_date": rdate, "end_date": closure})

    has_a = ~nfa & (rng.random(n_ref) < 0.9)
    na = int(has_a.sum())
    astart = rdate[has_a] + rng.integers(0, 5, na).astype("timedelta64[D]")
    assessments = pd.DataFrame({
        "assessment_id": np.arange(na).astype(str), "child_id": child_ids[rchild[has_a]],
        "referral_id": referrals["referral_id"].to_numpy()[has_a], "start_date": astart,
        "authorised_date": cap(astart + rng.integers(0, 80, na).astype("timedelta64[D]")),
        "outcome": rng.choice(["nfa", "cin", "cp", "cla", "early_help"], na, p=[.35, .35, .1, .05, .15]),
        "team_id": worker_team[rw[has_a]], "worker_id": workers[rw[has_a]],
    })

    has_s = has_a & (rng.random(n_ref) < 0.3)
    ns = int(has_s.sum())
    sstart = rdate[has_s] + rng.integers(0, 10, ns).astype("timedelta64[D]")
    s47 = pd.DataFrame({"s47_id": np.array([f"{code}S{i}" for i in range(ns)], dtype=object),
                        "child_id": child_ids[rchild[has_s]], "start_date": sstart,
                        "icpc_not_required": rng.random(ns) < 0.55, "team_id": worker_team[rw[has_s]]})
    has_i = ~s47["icpc_not_required"].to_numpy()
    ni = int(has_i.sum())
    idate = sstart[has_i] + rng.integers(0, 25, ni).astype("timedelta64[D]")
    cp = rng.random(ni) < 0.85
    icpcs = pd.DataFrame({"icpc_id": np.arange(ni).astype(str), "child_id": s47["child_id"].to_numpy()[has_i],
                          "s47_id": s47["s47_id"].to_numpy()[has_i], "icpc_date": idate, "cp_plan": cp})
    npl = int(cp.sum())
    pstart = idate[cp]
    pend = cap(pstart + rng.exponential(330, npl).astype(int).astype("timedelta64[D]"))
    cp_plans = pd.DataFrame({
        "cpp_id": np.array([f"{code}P{i}" for i in range(npl)], dtype=object),
        "child_id": icpcs["child_id"].to_numpy()[cp], "start_date": pstart, "end_date": pend,
        "initial_category": rng.choice(["NEG", "PHY", "SAB", "EMO", "MUL"], npl),
        "previous_plans": rng.choice([0, 0, 0, 1, 2], npl), "team_id": teams[rng.integers(2, 5, npl)],
    })
    # Reviews at 3 months then every 6 (some late), while the plan is open.
    k = np.tile(np.arange(6), npl)
    plan_of = np.repeat(np.arange(npl), 6)
    offset = np.where(k == 0, 90, 90 + 182 * k) + rng.integers(-10, 20, len(k))
    rdates = pstart[plan_of] + offset.astype("timedelta64[D]")
    pe = np.where(np.isnat(pend), d1, pend)[plan_of]
    keep = rdates <= pe
    cp_reviews = pd.DataFrame({"cpp_id": cp_plans["cpp_id"].to_numpy()[plan_of[keep]],
                               "child_id": cp_plans["child_id"].to_numpy()[plan_of[keep]],
                               "review_date": rdates[keep]})

    # Periods of care of 1-4 episodes.
    n_poc = int(150 * years * scale)
    pchild = pick(n_poc)
    poc_start = _dates(rng, d0 - np.timedelta64(3 * 365, "D"), span + 3 * 365, n_poc)
    n_ep = rng.integers(1, 5, n_poc)
    ep_poc = np.repeat(np.arange(n_poc), n_ep)
    ep_k = np.arange(len(ep_poc)) - np.repeat(np.cumsum(n_ep) - n_ep, n_ep)
    dur = rng.exponential(220, len(ep_poc)).astype(int) + 1
    cum = pd.Series(dur).groupby(ep_poc).cumsum().to_numpy()
    ep_end = poc_start[ep_poc] + cum.astype("timedelta64[D]")
    ep_start = ep_end - dur.astype("timedelta64[D]")
    last = ep_k == np.repeat(n_ep - 1, n_ep)
    dec = cap(ep_end)
    dec = np.where(~last & np.isnat(dec), nat, dec)
    valid = ep_start <= d1
    cla_episodes = pd.DataFrame({
        "child_id": child_ids[pchild[ep_poc]], "decom": ep_start, "dec": dec,
        "rne": np.where(ep_k == 0, "S", rng.choice(["P", "L", "T", "B"], len(ep_poc))),
        "ls": rng.choice(["C1", "C2", "V2", "E1", "V3"], len(ep_poc), p=[.25, .4, .25, .07, .03]),
        "place": rng.choice(["U1", "U3", "U4", "U6", "K2", "P1", "H5", "A5", "R1"], len(ep_poc)),
        "place_provider": rng.choice(["PR1", "PR4", "PR5", "PR0"], len(ep_poc)),
        "rec": np.where(last, rng.choice(["E11", "E41", "E45", "E4A", "E8", "E13"], len(ep_poc)), "X1"),
        "team_id": teams[rng.integers(5, 8, len(ep_poc))],
    })[valid]
    cla_episodes.loc[cla_episodes["dec"].isna(), "rec"] = None

    # Statutory visits: CP every ~10 days on a plan, CLA every ~35 days in care.
    def visits_for(child, s, e, every, kind):
        e = np.where(np.isnat(e), d1, e)
        n = np.maximum(((e - s).astype(int) // every), 0) + 1
        idx = np.repeat(np.arange(len(s)), n)
        j = np.arange(len(idx)) - np.repeat(np.cumsum(n) - n, n)
        vd = s[idx] + (j * every + rng.integers(0, 6, len(idx))).astype("timedelta64[D]")
        ok = vd <= d1
        return pd.DataFrame({"child_id": child[idx][ok], "visit_date": vd[ok], "kind": kind,
                             "seen": rng.random(int(ok.sum())) < 0.95})

    ce = cla_episodes
    visits = pd.concat([
        visits_for(cp_plans["child_id"].to_numpy(), pstart, pend, 10, "CP"),
        visits_for(ce["child_id"].to_numpy(), ce["decom"].to_numpy().astype("datetime64[D]"),
                   ce["dec"].to_numpy().astype("datetime64[D]"), 35, "CLA"),
        visits_for(assessments["child_id"].to_numpy(), astart, astart + np.timedelta64(1, "D"), 5, "assessment"),
    ], ignore_index=True).drop_duplicates(["child_id", "visit_date", "kind"])
    visits["visit_id"] = np.arange(len(visits)).astype(str)

    in_care = ce["child_id"].drop_duplicates().to_numpy()
    nm = int(len(in_care) * 0.8)
    missing = pd.DataFrame({"child_id": rng.choice(in_care, nm), "kind": rng.choice(["M", "A"], nm),
                            "start_date": _dates(rng, d0, span, nm)}).drop_duplicates(["child_id", "start_date", "kind"])
    nh = len(in_care) * 5
    health_checks = pd.DataFrame({"child_id": np.repeat(in_care, 5), "kind": rng.choice(["health", "dental"], nh),
                                  "check_date": _dates(rng, d0, span, nh)}).drop_duplicates(["child_id", "check_date", "kind"])
    ncl = int(len(in_care) * 0.4)
    care_leavers = pd.DataFrame({
        "child_id": rng.choice(in_care, ncl), "status_date": _dates(rng, d0, span, ncl),
        "age": rng.choice([17, 18, 19, 20, 21], ncl), "eligibility": "former_relevant",
        "in_touch": rng.choice(["YES", "NO", "REFU", "DIED"], ncl, p=[.85, .08, .06, .01]),
        "activity": rng.choice(["F1", "F2", "F4", "G5", "G6"], ncl), "suitable": rng.random(ncl) < 0.88,
        "pathway_plan_date": _dates(rng, d0, span, ncl),
    }).drop_duplicates(["child_id", "status_date"])
    nad = int(20 * years * scale)
    ent = _dates(rng, d0 - np.timedelta64(700, "D"), span, nad)
    po = ent + rng.integers(150, 400, nad).astype("timedelta64[D]")
    match = po + rng.integers(-30, 300, nad).astype("timedelta64[D]")
    placed = match + rng.integers(10, 60, nad).astype("timedelta64[D]")
    adoptions = pd.DataFrame({"child_id": child_ids[pick(nad)], "entered_care_date": ent, "decision_date": ent,
                              "placement_order_date": po, "match_date": cap(match), "placed_date": cap(placed),
                              "adoption_order_date": cap(placed + rng.integers(100, 300, nad).astype("timedelta64[D]"))})
    population = pd.DataFrame({"year": np.arange(2012, 2025), "population_0_17": int(50_000 * scale)})
    tables = dict(persons=persons, contacts=contacts, referrals=referrals, assessments=assessments, s47=s47,
                  icpcs=icpcs, cp_plans=cp_plans, cp_reviews=cp_reviews, cla_episodes=cla_episodes, visits=visits,
                  missing=missing, health_checks=health_checks, care_leavers=care_leavers, adoptions=adoptions,
                  allocations=allocations, population=population)
    from csc_workbench.model.schemas import TABLES

    # Respect each table's natural key, as loaders do (random dates can collide).
    return {name: frame.assign(authority=code).drop_duplicates(list(TABLES[name].key))
            for name, frame in tables.items()}


def random_dataset(n_authorities: int, seed: int = 2024, national: bool = False) -> Dataset:
    rng = np.random.default_rng(seed)
    # National: sizes like England's 153 authorities (a few very large, many small).
    scales = rng.lognormal(0.0, 0.6, n_authorities) if national else np.ones(n_authorities)
    parts = [random_authority(rng, f"R{i:03d}", float(s)) for i, s in enumerate(scales)]
    return Dataset({name: pd.concat([p[name] for p in parts], ignore_index=True) for name in parts[0]})


def load_data(n_authorities: int, national: bool) -> tuple[Dataset, str]:
    try:
        from csc_workbench.synth import generate  # type: ignore[attr-defined]
    except ImportError:
        return random_dataset(n_authorities, national=national), "random canonical builder (benchmarks/bench_measures.py)"
    profile = "national" if national else "region"
    ds, _ = generate(n_authorities=n_authorities, start="2019-04", end=None, seed=2024, profile=profile)
    return ds, f"csc_workbench.synth.generate(profile={profile!r})"


# ---- the straightforward implementation -------------------------------------------------------

def naive_measures(ds: Dataset, months: pd.DatetimeIndex) -> pd.DataFrame:
    """The straightforward way: for every month end and every period type, filter the raw
    tables with pandas and recompute. Measures: referrals, re-referral %, assessments within
    45 working days (flows, every flow period type), children on a plan and children looked
    after (stocks, at the month end)."""
    r = ds["referrals"].drop_duplicates(["child_id", "referral_date"])
    a = ds["assessments"]
    p = ds["cp_plans"]
    e = ds["cla_episodes"]
    e = e[~e["ls"].isin(["V3", "V4"])]
    rows = []
    for t in months:
        for ptype in FLOW_TYPES:
            start, end = period_window(ptype, t)
            refs = r[(r["referral_date"] >= start) & (r["referral_date"] <= end)]
            rows.append(("referrals", ptype, t, len(refs)))
            earlier = r.merge(refs[["child_id", "referral_date"]], on="child_id", suffixes=("", "_now"))
            earlier = earlier[(earlier["referral_date"] < earlier["referral_date_now"])
                              & (earlier["referral_date"] >= earlier["referral_date_now"] - pd.DateOffset(years=1))]
            re = earlier.drop_duplicates(["child_id", "referral_date_now"])
            rows.append(("rereferral_pct", ptype, t, 100 * len(re) / len(refs) if len(refs) else np.nan))
            done = a[(a["authorised_date"] >= start) & (a["authorised_date"] <= end)
                     & (a["authorised_date"] >= a["start_date"])]
            ok = within_working_days(done["start_date"], done["authorised_date"], 45)
            rows.append(("assessment_45wd_pct", ptype, t, 100 * ok.sum() / len(done) if len(done) else np.nan))
        open_p = p[(p["start_date"] <= t) & (p["end_date"].isna() | (p["end_date"] > t))]
        rows.append(("cpp", "snapshot", t, open_p["child_id"].nunique()))
        open_e = e[(e["decom"] <= t) & (e["dec"].isna() | (e["dec"] > t))]
        rows.append(("cla", "snapshot", t, open_e["child_id"].nunique()))
    return pd.DataFrame(rows, columns=["measure", "period_type", "period_end", "value"])


FLOW_TYPES = ("month", "rolling_6m", "rolling_12m", "quarter", "ytd", "year")
NAIVE_SUBSET = ["referrals", "rereferral_pct", "assessment_45wd_pct", "cpp", "cla"]


def bench_one(ds: Dataset) -> None:
    code = ds.authorities()[0]
    one = split_by_authority(ds)[code]
    compute_measures(one, measures=["referrals"])  # import and warm up
    t0, c0 = time.perf_counter(), time.process_time()
    full = compute_measures(one)
    t_full, c_full = time.perf_counter() - t0, time.process_time() - c0
    print(f"one authority ({code}: {len(one['referrals']):,} referrals, {len(one['visits']):,} visits, "
          f"{len(one['cla_episodes']):,} episodes): all {full['measure'].nunique()} measures x 7 period types x "
          f"{full['period_end'].nunique()} months = {len(full):,} rows in {t_full:.2f} s wall, {c_full:.2f} s CPU "
          "(target < 3 s)")

    t0, c0 = time.perf_counter(), time.process_time()
    ours = compute_measures(one, measures=NAIVE_SUBSET, options={"breakdowns": []})
    t_ours, c_ours = time.perf_counter() - t0, time.process_time() - c0
    # Compare the months where every window lies inside the data (the engine reports no
    # part-windows), over the same month ends.
    months = pd.DatetimeIndex(sorted(ours[ours["period_type"] == "rolling_12m"]["period_end"].unique()))
    t0, c0 = time.perf_counter(), time.process_time()
    naive = naive_measures(one, months)
    t_naive, c_naive = time.perf_counter() - t0, time.process_time() - c0
    both = naive.merge(ours[["measure", "period_type", "period_end", "value"]],
                       on=["measure", "period_type", "period_end"], suffixes=("_naive", ""))
    agree = np.allclose(both["value_naive"].astype(float), both["value"].astype(float), equal_nan=True)
    print(f"subset {NAIVE_SUBSET}, every period type, {len(months)} month ends: engine {t_ours:.3f} s "
          f"({c_ours:.3f} s CPU), straightforward pandas {t_naive:.2f} s ({c_naive:.2f} s CPU): ratio "
          f"{t_naive / t_ours:.0f}x wall, {c_naive / c_ours:.0f}x CPU (target >= 10x); same numbers: {agree} "
          f"({len(both):,} values compared)")


def _one_authority(args):
    """Worker: build (random data) or read from the warehouse one authority, compute every
    measure, write a parquet file; returns its size and the seconds spent (wall and CPU)."""
    code, payload, out = args
    t0 = time.perf_counter()
    if isinstance(payload, float):  # random builder: each worker makes its own data
        rng = np.random.default_rng(int(code[1:]) + 1)
        ds = Dataset(random_authority(rng, code, payload))
    else:  # the synthetic warehouse, read as the batch reads it (read-only, one authority)
        from csc_workbench.model.warehouse import load_dataset

        ds = load_dataset(payload, authorities=[code])
    t_build = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    t = compute_measures(ds)
    t_compute, c_compute = time.perf_counter() - t0, time.process_time() - c0
    path = Path(out) / f"{code}.parquet"
    t.to_parquet(path, index=False)
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # kB -> GB (Linux)
    return code, str(path), len(t), t_build, t_compute, c_compute, len(ds["referrals"]), peak


def bench_national(workers: int = 2) -> None:
    import duckdb

    from csc_workbench.measures.store import _CREATE, MEASURES_TABLE

    tmp = Path(tempfile.mkdtemp(prefix="cscw_bench_"))
    try:
        from csc_workbench.synth import generate  # type: ignore[attr-defined]
    except ImportError:
        generate = None
    if generate is None:
        rng = np.random.default_rng(2024)
        scales = rng.lognormal(0.0, 0.6, 153)
        jobs = [(f"N{i:03d}", float(s), str(tmp)) for i, s in enumerate(scales)]
        source = "random canonical builder, sizes lognormal around a mid-sized authority"
    else:
        # The national synthetic warehouse is built first, outside the timing (bench_synth
        # times it); the workers then read their authority from it, as the batch does.
        from csc_workbench.synth.cli import run_synth

        warehouse = tmp / "national.duckdb"
        g0 = time.perf_counter()
        run_synth(authorities=153, start="2019-04", seed=2024, profile="national", warehouse=warehouse,
                  workers=workers, quiet=True)
        print(f"national synthetic warehouse built in {time.perf_counter() - g0:.0f} s (not timed below)")
        with duckdb.connect(str(warehouse), read_only=True) as c:
            codes = [r[0] for r in c.execute("SELECT authority FROM authorities ORDER BY authority").fetchall()]
        jobs = [(code, str(warehouse), str(tmp)) for code in codes]
        source = "csc_workbench.synth national warehouse, one authority read per worker"
    con = duckdb.connect(str(tmp / "w.duckdb"))
    con.execute(_CREATE)
    # The parent's peak so far (generating the warehouse) is not the measures' peak: reset it.
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    t0, c0 = time.perf_counter(), time.process_time()
    rows = referrals = 0
    build = compute = compute_cpu = peak_child = 0.0
    # The parent stores each authority as it arrives (one writer, rows already in order).
    # Spawned workers: a forked worker would inherit (and be charged for) the parent's memory.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        for code, path, n, tb, tc, cc, nr, peak in pool.map(_one_authority, jobs, chunksize=1):
            peak_child = max(peak_child, peak)
            con.execute(f"INSERT INTO {MEASURES_TABLE} SELECT authority, measure, breakdown, breakdown_value, "
                        "period_type, CAST(period_end AS DATE), numerator, denominator, value, status, note "
                        f"FROM read_parquet('{path}')")
            rows += n
            build += tb
            compute += tc
            compute_cpu += cc
            referrals += nr
    wall = time.perf_counter() - t0
    parent_cpu = time.process_time() - c0
    t1 = time.perf_counter()
    one = con.execute(f"SELECT * FROM {MEASURES_TABLE} WHERE authority = ? AND period_end = DATE '2025-03-31'",
                      [jobs[0][0]]).df()
    t_read = time.perf_counter() - t1
    with open("/proc/self/status") as f:  # VmHWM: the peak since the reset above
        peak_self = next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1e6
    print(f"national: 153 authorities ({source}; {referrals:,} referrals), {rows:,} tidy rows")
    print(f"  wall {wall:.1f} s on {workers} processes including storing in DuckDB (target < 120 s); "
          f"building or reading the data took {build:.1f} s of worker time inside that")
    print(f"  measures: {compute:.1f} s wall / {compute_cpu:.1f} s CPU summed over authorities "
          f"(= {compute_cpu / workers:.1f} s on {workers} free cores); parent CPU for storing {parent_cpu:.1f} s")
    print(f"  peak memory: largest worker {peak_child:.2f} GB, parent {peak_self:.2f} GB; at most "
          f"{workers * peak_child + peak_self:.1f} GB together (target < 8 GB)")
    print(f"  one authority-month read back from DuckDB ({len(one):,} rows) in {t_read * 1000:.0f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--national", action="store_true", help="also run 153 authorities")
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = ap.parse_args()
    ds, source = load_data(1, national=False)
    print(f"data: {source}")
    bench_one(ds)
    if args.national:
        bench_national(args.workers)


if __name__ == "__main__":
    main()
