"""Benchmark: the monthly batch versus the way most teams run notebooks today.

Runs N notebooks (default 8 authorities x 3 notebooks) on 2 workers, twice in one run:

* ours: ``csc_workbench.packs.batch.run_batch``: papermill in-process in a pool of worker
  processes, kernels forked from a pre-loaded server over IPC, offline HTML export in
  the same process;
* the usual way: for each notebook the ``papermill`` command line, then
  ``jupyter nbconvert --to html --no-input``, one subprocess each, two notebooks at a time.

Prints the median time per notebook (including its HTML export) and the wall time of the
whole batch for both, and the ratios. Not a test: run it by hand and quote the figures.

    PYTHONPATH=lib python benchmarks/bench_packs.py      # the real notebooks on data/warehouse.duckdb
    PYTHONPATH=lib python benchmarks/bench_packs.py [--authorities 8] [--workers 2]
        [--notebooks a.ipynb,b.ipynb,c.ipynb] [--warehouse data/warehouse.duckdb] [--month 2025-06]
    PYTHONPATH=lib python benchmarks/bench_packs.py --fixture    # a tiny test notebook, no data needed

By default the notebooks are the monthly pack and the two deep dives, on the warehouse
``make run`` builds (its authorities' measures are computed first, outside the timing);
``--fixture`` runs three copies of the test fixture (two charts and a table) on a tiny
warehouse instead.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lib"))
FIXTURE = REPO / "tests" / "fixtures" / "notebooks" / "fixture_pack.ipynb"
REAL = ("monthly_pack.ipynb", "deep_dive_repeat_cp.ipynb", "deep_dive_assessment_timeliness.ipynb")


def make_warehouse(path: Path, n: int) -> tuple[Path, list[str]]:
    import pandas as pd

    from csc_workbench.model.dataset import Dataset
    from csc_workbench.model.warehouse import save_dataset

    codes = [f"B{i:02d}" for i in range(1, n + 1)]
    auth = pd.DataFrame({"authority": codes, "la_name": [f"Bench {c}" for c in codes], "region_code": "R",
                         "region_name": "Bench", "is_synthetic": True})
    refs = pd.DataFrame({"authority": [c for c in codes for _ in range(2)],
                         "referral_id": [f"R{c}{k}" for c in codes for k in range(2)],
                         "child_id": [f"{c}C{k}" for c in codes for k in range(2)],
                         "referral_date": pd.to_datetime(["2024-01-15", "2025-06-10"] * n)})
    save_dataset(Dataset({"authorities": auth, "referrals": refs}), path)
    return path, codes


def run_ours(notebooks: list[Path], codes: list[str], month: str, warehouse: Path, workers: int, out: Path):
    from csc_workbench.packs.batch import run_batch

    t0 = time.perf_counter()
    result = run_batch(month, codes, [str(p) for p in notebooks], "shared", workers, outputs=out,
                       warehouse=warehouse, progress=False)
    wall = time.perf_counter() - t0
    failed = [r.key for r in result.failed]
    if failed:
        raise SystemExit(f"ours: {len(failed)} notebooks failed: {failed[:3]}")
    sizes = [r.bytes for r in result.results]
    return wall, [r.duration_s for r in result.results], max(sizes)


def _one_the_usual_way(template: Path, code: str, month: str, warehouse: Path, out: Path, env: dict) -> float:
    bin_dir = Path(sys.executable).parent
    executed = out / f"{code}_{template.stem}.ipynb"
    t0 = time.perf_counter()
    subprocess.run([str(bin_dir / "papermill"), str(template), str(executed), "-p", "authority", code,
                    "-p", "month", month, "-p", "audience", "shared", "-p", "warehouse", str(warehouse),
                    "--no-progress-bar", "-k", "python3"],
                   check=True, env=env, cwd=template.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([str(bin_dir / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
                   check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def run_usual(notebooks: list[Path], codes: list[str], month: str, warehouse: Path, workers: int, out: Path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "lib"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with cf.ThreadPoolExecutor(workers) as pool:  # threads only wait on the subprocesses
        futures = [pool.submit(_one_the_usual_way, nb, code, month, warehouse, out, env)
                   for nb in notebooks for code in codes]
        durations = [f.result() for f in futures]
    wall = time.perf_counter() - t0
    sizes = [p.stat().st_size for p in out.glob("*.html")]
    return wall, durations, max(sizes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--authorities", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--notebooks", default=None,
                    help="templates separated by commas (default: the monthly pack and the two deep dives)")
    ap.add_argument("--warehouse", type=Path, default=REPO / "data" / "warehouse.duckdb",
                    help="warehouse to report from (default data/warehouse.duckdb, made by `make run`)")
    ap.add_argument("--fixture", action="store_true", help="3 copies of the test fixture on a tiny warehouse")
    ap.add_argument("--month", default=None, help="YYYY-MM (default: the last complete month)")
    args = ap.parse_args()
    from csc_workbench.calendar import last_complete_month
    from csc_workbench.measures.store import ensure_measures
    from csc_workbench.packs.batch import check_authorities_and_month

    tmp = Path(tempfile.mkdtemp(prefix="bench-packs-"))
    try:
        month = args.month or ("2025-06" if args.fixture else last_complete_month().strftime("%Y-%m"))
        if args.fixture:
            notebooks = []
            for name in ("fixture_monthly", "fixture_deep_dive_a", "fixture_deep_dive_b"):
                shutil.copy(FIXTURE, tmp / f"{name}.ipynb")
                notebooks.append(tmp / f"{name}.ipynb")
            warehouse, codes = make_warehouse(tmp / "bench.duckdb", args.authorities)
        else:
            names = args.notebooks.split(",") if args.notebooks else [str(REPO / "notebooks" / n) for n in REAL]
            notebooks = [Path(p).resolve() for p in names]
            warehouse = args.warehouse.resolve()
            if not warehouse.exists():
                raise SystemExit(f"{warehouse} does not exist: run `make run` first (or use --fixture)")
            codes = check_authorities_and_month(warehouse, "all", month)[: args.authorities]
            for code in codes:  # measures are cached in the warehouse: not part of the timing
                ensure_measures(code, warehouse)
        n = len(notebooks) * len(codes)
        # The repository's params (targets, manual measure definitions) without batch.yaml:
        # the notebooks come from the arguments.
        shutil.copytree(REPO / "params", tmp / "params", ignore=shutil.ignore_patterns("batch.yaml"))
        os.environ["CSCW_PARAMS"] = str(tmp / "params")
        print(f"{n} notebooks ({len(codes)} authorities x {len(notebooks)}), {args.workers} workers, "
              f"{os.cpu_count()} cores, load average at start {os.getloadavg()[0]:.1f}")

        ours_wall, ours_each, ours_size = run_ours(notebooks, codes, month, warehouse, args.workers, tmp / "ours")
        usual_wall, usual_each, usual_size = run_usual(notebooks, codes, month, warehouse, args.workers,
                                                       tmp / "usual")
        ours_med, usual_med = statistics.median(ours_each), statistics.median(usual_each)
        print(f"{'':34}{'median per notebook':>22}{'whole batch':>14}{'largest page':>15}")
        print(f"{'ours (in-process, forked kernels)':34}{ours_med:>20.2f} s{ours_wall:>12.1f} s"
              f"{ours_size / 1e6:>12.2f} MB")
        print(f"{'papermill CLI + nbconvert CLI':34}{usual_med:>20.2f} s{usual_wall:>12.1f} s"
              f"{usual_size / 1e6:>12.2f} MB")
        print(f"ratio (usual / ours): median per notebook {usual_med / ours_med:.1f}x, "
              f"whole batch {usual_wall / ours_wall:.1f}x")
        print(f"load average at end {os.getloadavg()[0]:.1f} (other work on the machine slows both)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
