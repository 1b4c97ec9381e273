"""The main job on a fresh machine: synthetic region -> warehouse -> measures -> monthly batch.

``make run`` calls ``cscw demo``. Each step reuses what is already there, so a second run
only re-renders the packs: the synthetic region is generated only if the warehouse holds
no authorities, and measures are recomputed only where the data changed (their cache key).
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
from rich.console import Console

from .calendar import last_complete_month
from .errors import WorkbenchError
from .model import warehouse as wh


def _authorities(path: Path) -> list[str]:
    if not path.exists():
        return []
    with wh.connect(path, read_only=True) as con:
        if "authorities" not in wh.list_tables(con):
            return []
        return [r[0] for r in con.execute("SELECT authority FROM authorities ORDER BY authority").fetchall()]


def run_demo(month: str | None = None, authorities: int = 8, seed: int = 2024, workers: int | None = None,
             warehouse: Path | None = None, outputs: Path = Path("outputs"), audience: str | None = None) -> Path:
    """Run the whole monthly job on synthetic data and return the path of the index page."""
    from .measures.store import ensure_measures
    from .packs.batch import run_batch
    from .synth.cli import run_synth

    console = Console(stderr=True)
    path = Path(warehouse) if warehouse is not None else wh.default_path()
    month = month or last_complete_month().strftime("%Y-%m")
    t0 = time.perf_counter()

    codes = _authorities(path)
    if codes:
        console.print(f"[1/3] Warehouse {path} already holds {len(codes)} authorities: reusing them")
    else:
        console.print(f"[1/3] Generating a synthetic region of {authorities} fictional authorities into {path}")
        run_synth(authorities=authorities, start="2019-04", end=month, seed=seed, profile="region", out=None,
                  warehouse=path)
        codes = _authorities(path)

    console.print(f"[2/3] Measures for {len(codes)} authorities (recomputed only where the data changed)")
    for code in codes:
        ensure_measures(code, path)

    console.print(f"[3/3] Monthly packs for {pd.Period(month, 'M').strftime('%B %Y')}")
    result = run_batch(month, "all", None, audience, workers, outputs=outputs, warehouse=path, progress=True)
    console.print(f"{len(result.ok)} pack(s) published, {len(result.failed)} failed, "
                  f"in {time.perf_counter() - t0:.0f} s")
    if result.failed:
        for r in result.failed:
            console.print(f"  failed: {r.key}: {r.error}")
        raise WorkbenchError(f"{len(result.failed)} pack(s) failed; see {result.index_path}")
    return result.index_path
