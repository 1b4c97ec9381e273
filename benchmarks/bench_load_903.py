"""Benchmark: load a large authority's seven years of SSDA903 CSV returns.

Builds a random canonical looked-after population (vectorised numpy, no per-child loops)
with about 1,000 children looked after at any time (1x) or 4,000 (4x), writes it as seven
years of SSDA903 CSV returns with ``write_ssda903``, then loads the returns with the SSDA903
loader in a fresh process per size and prints the load time, rows per second and peak
memory (maximum resident set size of that process, and its increase over the process after
imports). Not a test: run it by hand.

    PYTHONPATH=lib python benchmarks/bench_load_903.py [--sizes 1 4] [--keep DIR]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))

YEARS = list(range(2019, 2026))  # seven returns: years ending 31 March 2019..2025
WINDOW_START, WINDOW_END = pd.Timestamp("2018-04-01"), pd.Timestamp("2025-03-31")


def population(scale: float, seed: int = 903):
    """A random canonical dataset: ~1,000 x scale children looked after at any time."""
    from csc_workbench.model.dataset import Dataset

    rng = np.random.default_rng(seed)
    # Periods of care: mean length ~2.3 years, so ~430 starts a year keep ~1,000 in care.
    mean_days = 2.3 * 365
    starts_per_year = 1000 * scale / 2.3
    span_start = WINDOW_START - pd.Timedelta(days=int(6 * mean_days))
    n = int(starts_per_year * (WINDOW_END - span_start).days / 365)
    start = span_start + pd.to_timedelta(rng.integers(0, (WINDOW_END - span_start).days, n), "D")
    length = np.maximum(rng.exponential(mean_days, n).astype(int), 3)
    end = start + pd.to_timedelta(length, "D")
    keep = end >= WINDOW_START
    start, end, length = start[keep], end[keep], length[keep]
    n = len(start)
    child = np.array([f"C{i:07d}" for i in range(n)])
    age_at_start = rng.integers(0, 17 * 365, n)
    dob = start - pd.to_timedelta(age_at_start, "D")
    open_now = end > WINDOW_END

    # Episodes: 1 + Poisson(2) per period, boundaries at sorted random points of the period.
    k = 1 + rng.poisson(2.0, n)
    ep_child = np.repeat(np.arange(n), k)
    first = np.r_[0, np.cumsum(k)[:-1]]
    pos = np.arange(k.sum()) - np.repeat(first, k)
    frac = rng.random(k.sum())
    frac[pos == 0] = 0.0
    order = np.lexsort((frac, ep_child))
    frac = frac[order]
    decom = start[ep_child] + pd.to_timedelta((frac * length[ep_child]).astype(int), "D")
    last = pos == np.repeat(k - 1, k)
    next_decom = np.r_[decom[1:], decom[-1:]]
    dec = np.where(last, end[ep_child], next_decom)
    dec = pd.DatetimeIndex(dec).where(~(last & open_now[ep_child]))
    rne = np.where(pos == 0, "S", rng.choice(["P", "P", "L", "T", "B"], len(pos)))
    rec = np.where(last, rng.choice(["E4A", "E8", "E13", "E41", "E45", "E17", "E11"], len(pos)), "X1")
    rec = pd.Series(rec).where(~(last & open_now[ep_child])).to_numpy()
    place = rng.choice(["U1", "U3", "U4", "U6", "K2", "R1", "P1", "S1", "A5", "H5"], len(pos),
                       p=[.08, .08, .2, .3, .12, .03, .06, .03, .05, .05])
    episodes = pd.DataFrame({
        "child_id": child[ep_child], "decom": decom, "rne": rne,
        "ls": rng.choice(["C1", "C2", "V2", "E1", "V4"], len(pos), p=[.2, .5, .2, .07, .03]),
        "cin": rng.choice([f"N{i}" for i in range(1, 9)], len(pos)), "place": place,
        "place_provider": np.where(place == "P1", "PR0", rng.choice(["PR1", "PR4", "PR5"], len(pos))),
        "dec": dec, "rec": rec, "reason_place_change": np.where(rec == "X1", "CARPL", None),
        "home_post": "ZZ1 1AA", "pl_post": "ZZ2 2BB", "urn": "SC900001",
    })
    persons = pd.DataFrame({"child_id": child, "sex": rng.choice(["M", "F"], n), "dob": dob,
                            "ethnicity": rng.choice(["WBRI", "AIND", "BCRB", "MWBA", "OOTH"], n),
                            "uasc": rng.random(n) < 0.06})
    # Reviews every ~6 months in care; missing episodes for ~10% of children.
    n_rev = np.maximum((length / 182).astype(int), 1)
    r_child = np.repeat(np.arange(n), n_rev)
    r_pos = np.arange(n_rev.sum()) - np.repeat(np.r_[0, np.cumsum(n_rev)[:-1]], n_rev)
    reviews = pd.DataFrame({"child_id": child[r_child],
                            "review_date": start[r_child] + pd.to_timedelta(20 + 182 * r_pos, "D"),
                            "participation": rng.choice(["PN1", "PN3", "PN6"], len(r_child))})
    reviews = reviews[reviews["review_date"] <= WINDOW_END]
    m = rng.random(n) < 0.1
    miss_start = start[m] + pd.to_timedelta((rng.random(m.sum()) * length[m]).astype(int), "D")
    missing = pd.DataFrame({"child_id": child[m], "kind": rng.choice(["M", "A"], m.sum()), "start_date": miss_start,
                            "end_date": miss_start + pd.to_timedelta(rng.integers(0, 10, m.sum()), "D")})
    # OC2 for every child and year (the writer keeps those looked after 12 months).
    oc = pd.DataFrame({"child_id": np.repeat(child, len(YEARS)), "year": np.tile(YEARS, n)})
    oc = oc.assign(health_check=True, teeth_check=True, immunisations=True, sdq_score=14, convicted=False,
                   substance_misuse=False)
    # Care leavers: yearly birthdays 17-21 for those who left care at 16 or over.
    left_16 = ~open_now & ((end - dob).days >= 16 * 365)
    cl_child = np.repeat(np.flatnonzero(left_16), 5)
    ages = np.tile(np.arange(17, 22), left_16.sum())
    cl = pd.DataFrame({"child_id": child[cl_child], "age": ages,
                       "status_date": dob[cl_child] + pd.to_timedelta(np.round(ages * 365.25).astype(int), "D"),
                       "in_touch": "YES", "activity": rng.choice(["F1", "P2", "G5"], len(ages)),
                       "accommodation": rng.choice(["B", "D", "U"], len(ages)), "suitable": True})
    cl = cl[(cl["status_date"] >= WINDOW_START) & (cl["status_date"] <= WINDOW_END)]
    tables = {"persons": persons, "cla_episodes": episodes, "cla_reviews": reviews, "missing": missing,
              "cla_outcomes": oc, "care_leavers": cl.drop_duplicates(["child_id", "status_date"])}
    return Dataset({k: v.assign(authority="BIG") for k, v in tables.items()})


def _memory_kb(field: str) -> int:
    """VmHWM (peak) or VmRSS (now) of this process, from /proc (ru_maxrss would include the
    parent's memory before the spawned process exec'd)."""
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _load(folder: str, queue) -> None:
    from csc_workbench.io.ssda903 import read
    from csc_workbench.quality import LoadAccount

    base = _memory_kb("VmRSS")
    account = LoadAccount("BIG")
    t, cpu = time.perf_counter(), time.process_time()
    ds = read([Path(folder)], "BIG", account)
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    peak = _memory_kb("VmHWM")
    s = account.summary()
    queue.put({"seconds": seconds, "cpu": cpu, "rows": int(s["rows_read"].sum()), "peak_mb": peak / 1024,
               "increase_mb": (peak - base) / 1024, "episodes": len(ds.cla_episodes),
               "children": ds.persons["child_id"].nunique(), "balanced": account.unbalanced().empty})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=float, nargs="+", default=[1, 4])
    ap.add_argument("--keep", type=Path, help="write the returns here instead of a temporary folder")
    args = ap.parse_args()
    from csc_workbench.io.ssda903 import write_ssda903

    ctx = mp.get_context("spawn")
    results = []
    for scale in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            out = args.keep / f"x{scale:g}" if args.keep else Path(tmp)
            ds = population(scale)
            in_care = ds.cla_episodes
            at_end = ((in_care["decom"] <= WINDOW_END) & (in_care["dec"].isna() | (in_care["dec"] > WINDOW_END)))
            t = time.perf_counter()
            paths = write_ssda903(ds, out, years=YEARS)
            written = time.perf_counter() - t
            size_mb = sum(p.stat().st_size for p in paths) / 1e6
            queue = ctx.Queue()
            proc = ctx.Process(target=_load, args=(str(out / "BIG"), queue))
            proc.start()
            r = queue.get()
            proc.join()
            results.append(r)
            print(f"{scale:g}x: {in_care.loc[at_end, 'child_id'].nunique():,} looked after at 31/03/2025, "
                  f"{len(paths)} files, {size_mb:.1f} MB written in {written:.1f} s")
            print(f"    load {r['seconds']:.2f} s ({r['cpu']:.2f} s CPU), {r['rows']:,} rows read ({r['rows'] / r['seconds']:,.0f} rows/s), "
                  f"{r['children']:,} children, {r['episodes']:,} episodes, peak RSS {r['peak_mb']:.0f} MB "
                  f"(+{r['increase_mb']:.0f} MB over the process after imports), balanced: {r['balanced']}")
    if len(results) >= 2:
        a, b = results[0], results[-1]
        print(f"ratio {args.sizes[-1] / args.sizes[0]:g}x data: time x{b['seconds'] / a['seconds']:.2f} "
              f"(CPU x{b['cpu'] / a['cpu']:.2f}), "
              f"peak RSS x{b['peak_mb'] / a['peak_mb']:.2f}, increase x{b['increase_mb'] / max(a['increase_mb'], 1):.2f}")


if __name__ == "__main__":
    main()
