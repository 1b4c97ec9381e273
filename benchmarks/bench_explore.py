"""Benchmark the explorer (a script, not a test: run it by hand and quote the figures).

    PYTHONPATH=lib python benchmarks/bench_explore.py                 # the region's largest authority
    PYTHONPATH=lib python benchmarks/bench_explore.py --profile national --selections 100

One large synthetic authority (the largest of the chosen profile's authorities, by
children, generated 2019-04 to 2025-03) is stored in a temporary warehouse with its
measures. Then 100 random selection changes, each changing one thing (the measure, the
breakdown and group, or the month), each timed from the selection to every table and
chart specification the app redraws (``Explorer.page``: trend with SPC, breakdown bars,
the records behind the number, the decomposition of the change; each chart's Vega-Lite
JSON serialised). Printed: the time to open the authority, then median and 95th percentile
per selection change (wall clock and this process's CPU time: the machine may be shared),
for the explorer as the app runs it (``warm``: measure frames computed when the authority
opens) and, on the same selections, cold (each measure's frame computed on first use).
Target: median under 300 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))

from csc_workbench.measures.catalogue import TOTAL  # noqa: E402
from csc_workbench.measures.store import ensure_measures  # noqa: E402
from csc_workbench.model.warehouse import save_dataset  # noqa: E402
from csc_workbench.synth import authority_profiles, parse_range  # noqa: E402
from csc_workbench.synth.generator import generate_authority  # noqa: E402

START, END, SEED = "2019-04", "2025-03", 2024


def build_warehouse(folder: Path, profile: str, n: int) -> tuple[Path, str, dict]:
    profs = authority_profiles(n, seed=SEED, profile=profile)
    largest = int(np.argmax([p.population for p in profs]))  # children aged 0-17
    first, last = parse_range(START, END)
    seeds = np.random.SeedSequence(SEED).spawn(len(profs))
    ds, _ = generate_authority(profs[largest], first, last, seeds[largest])
    path = folder / "bench.duckdb"
    save_dataset(ds, path)
    code = ds.authorities()[0]
    ensure_measures(code, path)
    return path, code, {name: len(frame) for name, frame in ds.items()}


def selections(ex, code: str, n: int, seed: int = 1) -> list:
    rng = random.Random(seed)
    measures = ex.measures(code)["id"].tolist()
    sel = ex.selection(code)
    out = []
    for _ in range(n):
        kind = rng.choice(("measure", "breakdown", "month"))
        if kind == "measure":
            sel = ex.resolve(sel.replace(measure=rng.choice(measures), period_type=None, breakdown=TOTAL,
                                         value=TOTAL, month=None))
        elif kind == "breakdown":
            b = rng.choice(ex.breakdowns(code, sel.measure))
            sel = ex.resolve(sel.replace(breakdown=b, value=rng.choice(ex.values(code, sel.measure, b))))
        else:
            sel = ex.resolve(sel.replace(month=rng.choice(ex.months(code, sel.measure, sel.period_type))))
        by = rng.choice(("team", "worker", "age_band", "category"))
        out.append(sel.replace(by=by))
    return out


def run(ex, sels) -> tuple[np.ndarray, np.ndarray]:
    wall, cpu = [], []
    for sel in sels:
        t, c = time.perf_counter(), time.process_time()
        page = ex.page(sel)
        for view in page.values():
            spec = view.spec()
            if spec is not None:
                json.dumps(spec)
            len(view.table)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return np.array(wall) * 1000, np.array(cpu) * 1000


def main() -> None:
    from csc_workbench.explore import Explorer

    ap = argparse.ArgumentParser()
    ap.add_argument("--profile", default="region")
    ap.add_argument("--authorities", type=int, default=8, help="profile size the largest is taken from")
    ap.add_argument("--selections", type=int, default=100)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        path, code, rows = build_warehouse(Path(tmp), args.profile, args.authorities)
        print(f"authority {code} ({args.profile} profile, largest of {args.authorities}), {START} to {END}: "
              f"{rows['persons']:,} children, {rows['referrals']:,} referrals, {rows['assessments']:,} assessments, "
              f"{rows['visits']:,} visits; warehouse and measures built in {time.perf_counter() - t:.0f} s")

        warm = Explorer(path, warm=True)
        t = time.perf_counter()
        warm.open(code)
        print(f"open the authority (measures table, targets, benchmarks, every measure's frames): "
              f"{time.perf_counter() - t:.2f} s")
        sels = selections(warm, code, args.selections)
        wall, cpu = run(warm, sels)
        cold = Explorer(path, warm=False)
        cold.open(code)
        wall_c, cpu_c = run(cold, sels)
        print(f"\n{len(sels)} random selection changes (measure, breakdown or month), tables + chart specs:")
        print(f"{'':28}{'median':>10}{'p95':>10}{'max':>10}   (ms)")
        for label, w, c in (("warm (as the app runs)", wall, cpu), ("cold (frames on first use)", wall_c, cpu_c)):
            print(f"{label + ' wall':28}{np.median(w):10.0f}{np.percentile(w, 95):10.0f}{w.max():10.0f}")
            print(f"{label + ' CPU':28}{np.median(c):10.0f}{np.percentile(c, 95):10.0f}{c.max():10.0f}")
        print(f"\ncold / warm median: {np.median(wall_c) / np.median(wall):.1f}x; "
              f"target median < 300 ms: {'met' if np.median(wall) < 300 else 'NOT met'}")


if __name__ == "__main__":
    main()
