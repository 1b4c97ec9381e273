"""Benchmark: the published-statistics pack for all 153 authorities through the batch.

Runs ``cscw run --published --authorities all`` (``packs.batch.run_batch(published=True)``)
on N worker processes (default 2): DfE's files are loaded into a fresh warehouse once, up
front, then every authority's notebook runs and renders to offline HTML. Prints the time
to load the reference data, the time per pack (median, 95th percentile, slowest) and the
wall time of the whole batch, with the machine's load average (it is shared), and the
target (all 153 in under 15 minutes on 2 cores). Not a test: run it by hand and quote it.

    PYTHONPATH=lib python benchmarks/bench_published.py [--workers 2] [--authorities all]
        [--year 2025] [--browser-check] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lib"))
TARGET_S = 15 * 60


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min) on {os.cpu_count()} cores"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--authorities", default="all")
    ap.add_argument("--year", type=int, default=None)
    ap.add_argument("--browser-check", action="store_true", help="also open every page offline in Chromium")
    ap.add_argument("--keep", type=Path, default=None, help="write outputs here and keep them")
    args = ap.parse_args()

    from csc_workbench.packs.batch import run_batch
    from csc_workbench.reference import load_reference

    work = Path(tempfile.mkdtemp(prefix="cscw-bench-published-"))
    outputs = args.keep or work / "outputs"
    warehouse = work / "reference.duckdb"
    print(f"load average before: {_load()}")
    try:
        t0 = time.perf_counter()
        load_reference(None, warehouse)
        t_ref = time.perf_counter() - t0

        t0 = time.perf_counter()
        result = run_batch(None, args.authorities, None, "shared", args.workers, outputs=outputs, warehouse=warehouse,
                           progress=sys.stderr.isatty(), published=True, year=args.year,
                           browser_check=args.browser_check)
        wall = time.perf_counter() - t0
        load_after = _load()
        times = sorted(r.duration_s for r in result.results)
        n = len(times)
        p95 = times[min(n - 1, int(round(0.95 * (n - 1))))] if n else float("nan")
        print(f"\npublished-statistics packs: {n} authorities, {args.workers} workers, year {result.month}")
        print(f"  reference data loaded once:  {t_ref:6.1f} s")
        print(f"  time per pack (run + HTML):  median {statistics.median(times):.1f} s, p95 {p95:.1f} s, "
              f"slowest {times[-1]:.1f} s, fastest {times[0]:.1f} s")
        print(f"  whole batch (wall):          {wall:6.1f} s = {wall / 60:.1f} min "
              f"({wall / max(n, 1):.2f} s per pack with {args.workers} workers)")
        print(f"  packs ok / failed:           {len(result.ok)} / {len(result.failed)}"
              + (f"; browser check failed: {len(result.browser_failed)}" if args.browser_check else ""))
        sizes = [r.bytes for r in result.results if r.bytes]
        if sizes:
            print(f"  page size:                   median {statistics.median(sizes) / 1e6:.2f} MB, "
                  f"largest {max(sizes) / 1e6:.2f} MB")
        verdict = "within" if wall + t_ref <= TARGET_S else "OVER"
        print(f"  target: all packs in under {TARGET_S / 60:.0f} min on 2 cores: {verdict} "
              f"({(wall + t_ref) / 60:.1f} min including the reference load)")
        print(f"load average after: {load_after}")
        for r in result.failed:
            print(f"  failed: {r.key}: {r.error}")
        return 0 if not result.failed else 1
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
