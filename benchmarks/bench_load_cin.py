#!/usr/bin/env python3
"""Benchmark: load a large authority's CIN census history (not a test).

Builds a random canonical dataset for one large authority (about 20,000 referrals a year,
April 2019 to March 2026, so 7 collection years), writes it as 7 CIN census XML files with
``write_cin_census``, then loads them with ``cin_census.read`` in a fresh process and prints
the time, the peak resident memory and how much of it the loaded tables themselves take.
It repeats with an authority 4 times the size (files 4x bigger): the streaming parse keeps
no XML tree, so the memory beyond the loaded tables stays flat as the files grow. For
comparison it prints what parsing the largest 4x file as a whole tree costs.

    PYTHONPATH=lib python benchmarks/bench_load_cin.py [--referrals-per-year 20000]

Target (issue 3): a large authority's CIN history in well under 30 s on 2 cores (the 30 s
is shared with loading its SSDA903 history).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

from csc_workbench.io.cin_census import write_cin_census  # noqa: E402
from csc_workbench.model.dataset import Dataset  # noqa: E402

AUTHORITY = "901"
FIRST, LAST = pd.Timestamp("2019-04-01"), pd.Timestamp("2026-03-31")
DAY = np.timedelta64(1, "D")


def build(referrals_per_year: int, seed: int = 1) -> Dataset:
    """A random but well-formed canonical CIN history, built with vectorised numpy."""
    rng = np.random.default_rng(seed)
    span = (LAST - FIRST).days
    n_ref_target = referrals_per_year * 7
    n_children = int(n_ref_target / 1.35)
    # Each child: 1+ referrals, one after another.
    per_child = 1 + rng.poisson(0.35, n_children)
    child = np.repeat(np.arange(n_children), per_child)
    k = np.arange(len(child)) - np.repeat(np.cumsum(per_child) - per_child, per_child)
    nfa = rng.random(len(child)) < 0.1
    length = np.where(nfa, 0, np.clip(rng.lognormal(4.6, 0.9, len(child)), 5, 900)).astype(int)
    gap = rng.integers(20, 400, len(child))
    step = length + gap
    # Start of each child's first referral, then cumulative steps.
    first = rng.integers(-200, span, n_children)
    # Days from the child's first referral: the steps of its earlier referrals, summed.
    csum = np.cumsum(step)
    start_of_child = np.r_[0, np.cumsum(per_child)[:-1]]
    run = csum - step - np.repeat(csum[start_of_child] - step[start_of_child], per_child)
    ref_day = np.repeat(first, per_child) + run
    keep = (ref_day >= 0) & (ref_day <= span)
    base = np.datetime64(FIRST.date())
    ref_date = base + ref_day * DAY
    end_day = ref_day + length
    is_last = k == np.repeat(per_child - 1, per_child)
    open_ = (end_day > span) & is_last & ~nfa
    end_day = np.minimum(end_day, span)
    closure = np.where(open_, np.datetime64("NaT"), base + end_day * DAY)
    cid = np.char.add("C", np.char.zfill(child.astype(str), 7))

    refs = pd.DataFrame({
        "referral_id": np.char.add(np.char.add(cid, "-"), k.astype(str)), "child_id": cid,
        "referral_date": ref_date, "referral_source": rng.choice(["1A", "2A", "3A", "5D", "6", "8"], len(child)),
        "nfa": nfa, "primary_need": np.where(nfa, None, rng.choice(["N1", "N2", "N4", "N5", "N6"], len(child))),
        "closure_date": closure, "closure_reason": np.where(open_, None, "RC7"),
    })[keep].reset_index(drop=True)
    ep = refs[~refs["nfa"]].reset_index(drop=True)
    n = len(ep)
    ep_end = ep["closure_date"].fillna(pd.Timestamp(LAST))

    def within(lo, hi_days, lo_days=0):
        d = lo + pd.to_timedelta(rng.integers(lo_days, hi_days + 1, len(lo)), unit="D")
        return d

    a_start = within(ep["referral_date"], 5)
    a_auth = within(a_start, 60, 5)
    a_auth = a_auth.where(a_auth <= ep_end)
    assessments = pd.DataFrame({"assessment_id": ep["referral_id"] + "-A", "child_id": ep["child_id"],
                                "referral_id": ep["referral_id"], "start_date": a_start, "authorised_date": a_auth,
                                "factors": np.where(a_auth.notna(), rng.choice(["3A,4B", "2B", "16A", "1B,3B,4B"], n),
                                                    None)})
    has_s47 = rng.random(n) < 0.3
    s_start = within(ep["referral_date"], 10)
    s47 = pd.DataFrame({"s47_id": ep["referral_id"] + "-S", "child_id": ep["child_id"],
                        "referral_id": ep["referral_id"], "start_date": s_start,
                        "icpc_target_date": s_start + pd.Timedelta(days=21),
                        "icpc_not_required": rng.random(n) < 0.5})
    icpc_date = within(s_start, 20, 5)
    has_icpc = has_s47 & ~s47["icpc_not_required"].to_numpy() & (icpc_date <= ep_end).to_numpy()
    has_plan = has_icpc & (rng.random(n) < 0.85)
    icpcs = pd.DataFrame({"icpc_id": ep["referral_id"] + "-I", "child_id": ep["child_id"],
                          "referral_id": ep["referral_id"], "s47_id": s47["s47_id"], "icpc_date": icpc_date,
                          "cp_plan": has_plan})[has_icpc]
    p_end = within(icpc_date, 700, 60)
    p_end = p_end.where(p_end <= ep_end, ep["closure_date"])
    plans = pd.DataFrame({"cpp_id": ep["referral_id"] + "-P", "child_id": ep["child_id"],
                          "referral_id": ep["referral_id"], "start_date": icpc_date, "end_date": p_end,
                          "initial_category": rng.choice(["NEG", "EMO", "PHY", "SAB", "MUL"], n),
                          "latest_category": rng.choice(["NEG", "EMO"], n),
                          "previous_plans": rng.integers(0, 3, n)})[has_plan]
    reviews = []
    last_day = plans["end_date"].fillna(pd.Timestamp(LAST))
    for months in (90, 270, 450, 630):  # loop over review rounds, not over children
        r = plans[["cpp_id", "child_id"]].assign(review_date=plans["start_date"] + pd.Timedelta(days=months))
        reviews.append(r[(r["review_date"] < last_day).to_numpy()])
    cin_plan = ~has_plan & a_auth.notna().to_numpy() & (rng.random(n) < 0.5)
    cin_plans = pd.DataFrame({"cin_plan_id": ep["referral_id"] + "-C", "child_id": ep["child_id"],
                              "referral_id": ep["referral_id"], "start_date": a_auth + pd.Timedelta(days=1),
                              "end_date": ep["closure_date"]})[cin_plan]
    cin_plans = cin_plans[(cin_plans["end_date"].isna() | (cin_plans["end_date"] >= cin_plans["start_date"]))]
    kids = refs.drop_duplicates("child_id")
    persons = pd.DataFrame({"child_id": kids["child_id"],
                            "sex": rng.choice(["M", "F"], len(kids)),
                            "ethnicity": rng.choice(["WBRI", "AIND", "BAFR", "MWBC", "WOTH"], len(kids)),
                            "dob": kids["referral_date"] - pd.to_timedelta(rng.integers(0, 6200, len(kids)), "D"),
                            "disabled": rng.random(len(kids)) < 0.1})
    tables = {"persons": persons, "referrals": refs, "assessments": assessments, "s47": s47[has_s47],
              "icpcs": icpcs, "cp_plans": plans, "cp_reviews": pd.concat(reviews, ignore_index=True),
              "cin_plans": cin_plans}
    return Dataset({name: df.assign(authority=AUTHORITY).reset_index(drop=True) for name, df in tables.items()})


# Peak memory is the kernel's high-water mark of this process's resident set (VmHWM),
# read in a fresh process per measurement (ru_maxrss would carry the parent's peak).
HWM = r"""
def hwm_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
"""

LOAD = HWM + r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from csc_workbench.io import cin_census
from csc_workbench.quality import LoadAccount
paths = sorted(Path(sys.argv[2]).glob("*.xml"))
base = hwm_kb()
t, cpu = time.perf_counter(), time.process_time()
acc = LoadAccount("901")
ds = cin_census.read(paths, "901", acc)
elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
peak = hwm_kb()
tables = sum(int(df.memory_usage(deep=True).sum()) for _, df in ds.items())
print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu, "peak_kb": peak, "base_kb": base, "tables_bytes": tables,
                  "referrals": len(ds.referrals), "rows": sum(len(df) for _, df in ds.items()),
                  "balanced": acc.unbalanced().empty}))
"""

TREE = HWM + r"""
import json, sys
from lxml import etree
base = hwm_kb()
doc = etree.parse(sys.argv[1])
print(json.dumps({"peak_kb": hwm_kb(), "base_kb": base}))
"""


def run(script: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--referrals-per-year", type=int, default=20_000)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_cin_"))
    try:
        results = {}
        for scale in (1, 4):
            t = time.perf_counter()
            ds = build(args.referrals_per_year * scale, seed=scale)
            folder = work / f"x{scale}"
            paths = write_cin_census(ds, folder, years=list(range(2020, 2027)))
            wrote = time.perf_counter() - t
            size = sum(p.stat().st_size for p in paths)
            del ds
            r = run(LOAD, str(ROOT / "lib"), str(folder))
            r.update(files=len(paths), mb=size / 1e6, build_write_s=wrote,
                     largest=str(max(paths, key=lambda p: p.stat().st_size)))
            results[scale] = r
            print(f"{scale}x: {r['files']} files, {r['mb']:.0f} MB of XML, {r['referrals']:,} referrals "
                  f"({r['rows']:,} rows in all tables); built+written in {wrote:.1f} s")
            print(f"    load {r['seconds']:.1f} s wall, {r['cpu_seconds']:.1f} s CPU ({r['mb'] / r['seconds']:.0f} MB/s, "
                  f"{r['rows'] / r['seconds']:,.0f} rows/s); account balanced: {r['balanced']}")
            over = (r["peak_kb"] - r["base_kb"]) / 1024 - r["tables_bytes"] / 2**20
            print(f"    peak RSS {r['peak_kb'] / 1024:.0f} MB (after imports {r['base_kb'] / 1024:.0f} MB); "
                  f"loaded tables {r['tables_bytes'] / 2**20:.0f} MB; working memory beyond them {over:.0f} MB")
        one, four = results[1], results[4]
        tree = run(TREE, four["largest"])
        print(f"\nratios 4x / 1x: XML size {four['mb'] / one['mb']:.1f}, load time {four['seconds'] / one['seconds']:.1f}, "
              f"peak RSS {four['peak_kb'] / one['peak_kb']:.1f}, loaded tables "
              f"{four['tables_bytes'] / one['tables_bytes']:.1f}")
        print(f"for comparison, parsing only the largest 4x file ({Path(four['largest']).stat().st_size / 1e6:.0f} MB) "
              f"as a whole lxml tree peaks at {tree['peak_kb'] / 1024:.0f} MB RSS")
        verdict = "PASS" if one["seconds"] < 30 else "OVER"
        print(f"\ntarget: 7 years of a large authority's CIN census in well under 30 s: "
              f"{one['seconds']:.1f} s wall, {one['cpu_seconds']:.1f} s CPU ({verdict}); "
              f"machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
