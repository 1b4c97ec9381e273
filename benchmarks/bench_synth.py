"""Benchmark: synthetic authorities generated AND stored in a fresh warehouse.

Targets (issue 2, Performance):
- region: the default 8 authorities, April 2019 to the last complete month, under 60 s on
  2 cores;
- national: 153 authorities (about 12 million children, 650,000 referrals a year) streamed
  authority by authority into the warehouse, under 10 minutes and 8 GB.

Storing is ``synth.store.store_authorities`` (with workers: Parquet spooled by the workers,
one bulk load at the end). Prints wall time against the target, rows and rows per second
per table, and peak memory
(resident set of this process plus its worker processes, sampled every 0.2 s; and the
getrusage peaks). Not a test: run it by hand.

    PYTHONPATH=lib python benchmarks/bench_synth.py              # region, then national
    PYTHONPATH=lib python benchmarks/bench_synth.py --region-only
    PYTHONPATH=lib python benchmarks/bench_synth.py --national --workers 2
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))

import psutil  # noqa: E402

from csc_workbench.model.warehouse import connect  # noqa: E402
from csc_workbench.synth import parse_range  # noqa: E402
from csc_workbench.synth.store import store_authorities  # noqa: E402

GB = 1024 ** 3


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class PeakMemory:
    """Peak resident memory of this process plus its children, sampled in a thread."""

    def __init__(self, every: float = 0.2):
        self.every = every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        me = psutil.Process(os.getpid())
        while not self._stop.is_set():
            try:
                total = me.memory_info().rss
                for child in me.children(recursive=True):
                    try:
                        total += child.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            time.sleep(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def run(label: str, n: int, profile: str, start: str, end: str | None, seed: int, workers: int,
        target_s: float, target_gb: float | None, keep: bool) -> dict:
    first, last = parse_range(start, end)
    folder = Path(tempfile.mkdtemp(prefix=f"bench_synth_{profile}_"))
    path = folder / "warehouse.duckdb"
    print(f"\n== {label}: {n} authorities ({profile}), {first} to {last}, seed {seed}, {workers} worker(s) -> {path}")
    t0 = time.perf_counter()
    cpu0 = _cpu()
    with PeakMemory() as mem:
        done = [0]

        def progress(summary: dict) -> None:
            done[0] += 1
            if done[0] % 10 == 0 or done[0] == n:
                print(f"  {done[0]:>3}/{n} authorities generated, {time.perf_counter() - t0:6.1f} s, "
                      f"peak memory so far {mem.peak / GB:.2f} GB", flush=True)

        result = store_authorities(n, first, last, seed, profile, path, workers=workers, on_authority=progress)
    rows = result["rows"]
    gen_wait, store = result["generate_s"], result["load_s"]
    with connect(path, read_only=True) as con:
        referrals_per_year = con.execute(
            "SELECT count(*) FROM referrals WHERE referral_date > ?",
            [(last.end_time - __import__("pandas").DateOffset(years=1)).date()]).fetchone()[0]
    total = time.perf_counter() - t0
    cpu = _cpu() - cpu0
    size = path.stat().st_size
    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(f"\n  {'table':<16}{'rows':>14}{'rows/s':>14}")
    for name, count in sorted(rows.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<16}{count:>14,}{count / total:>14,.0f}")
    all_rows = sum(rows.values())
    print(f"  {'ALL':<16}{all_rows:>14,}{all_rows / total:>14,.0f}")
    print(f"\n  referrals in the last 12 months: {referrals_per_year:,.0f}")
    print(f"  wall time {total:.1f} s (generating{' and spooling' if workers > 1 else ' and storing'} "
          f"{gen_wait:.1f} s, bulk load {store:.1f} s); "
          f"target {target_s:.0f} s -> {total / target_s:.2f} of target "
          f"({'PASS' if total <= target_s else 'OVER'})")
    cores = os.cpu_count() or 1
    print(f"  CPU time {cpu:.1f} s (this process and its workers); on {cores} idle cores that is at least "
          f"{cpu / cores:.1f} s of wall time -> {cpu / cores / target_s:.2f} of target; load average now "
          f"{os.getloadavg()[0]:.1f} (other work on the machine stretches wall time)")
    peak_gb = mem.peak / GB
    line = (f"  peak memory (this process + workers, sampled) {peak_gb:.2f} GB; getrusage peaks: "
            f"main {self_peak / GB:.2f} GB, largest worker {child_peak / GB:.2f} GB")
    if target_gb:
        line += f"; target {target_gb:.0f} GB -> {peak_gb / target_gb:.2f} of target " \
                f"({'PASS' if peak_gb <= target_gb else 'OVER'})"
    print(line)
    print(f"  warehouse file {size / GB:.2f} GB")
    if keep:
        print(f"  kept {path}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return dict(label=label, seconds=total, cpu=cpu, peak_gb=peak_gb, rows=all_rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--region-only", action="store_true", help="only the default region (8 authorities)")
    ap.add_argument("--national", action="store_true", help="only national scale (153 authorities)")
    ap.add_argument("--workers", type=int, default=2, help="generation processes (default 2: the target box)")
    ap.add_argument("--start", default="2019-04")
    ap.add_argument("--end", default=None, help="default: the last complete month")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--keep", action="store_true", help="keep the benchmark warehouses")
    args = ap.parse_args(argv)
    results = []
    if not args.national:
        results.append(run("region", 8, "region", args.start, args.end, args.seed, args.workers, 60, None, args.keep))
    if not args.region_only:
        results.append(run("national", 153, "national", args.start, args.end, args.seed, args.workers, 600, 8,
                           args.keep))
    print("\nsummary: " + "; ".join(f"{r['label']} {r['seconds']:.0f} s wall, {r['cpu']:.0f} CPU-s, {r['rows']:,} rows, "
                                    f"peak {r['peak_gb']:.2f} GB" for r in results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
