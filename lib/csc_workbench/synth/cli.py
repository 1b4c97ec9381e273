"""``cscw synth``: generate fictional authorities and store them in the warehouse.

Storing is ``synth.store.store_authorities``: with one process each authority is generated
and stored in its own transaction; with ``--workers`` > 1 the workers write Parquet and the
warehouse loads everything at the end in one transaction (all or nothing). Either way a run
holds at most one authority per process in memory. With ``out`` each authority's statutory
files (CIN census XML, SSDA903 CSV, Annex A) are written too (``synth.statutory``). The
planted anomalies go to the warehouse table ``synth_plants`` (one row per anomaly and
measure, see ``synth.plants``).
"""

from __future__ import annotations

import time
from pathlib import Path

from ..errors import ConfigError
from ..model.warehouse import default_path
from . import parse_range
from .profiles import profiles_for
from .store import PLANTS_TABLE, manifest_frame, store_authorities, summary_row  # noqa: F401
from .statutory import write_statutory_files  # noqa: F401 (the CLI's writer, importable from here)

# the manifest table and helpers live in synth.store (kept importable from here)
_summary_row = summary_row


TABLE_COLUMNS = ("authority", "name", "children", "referrals", "CP plans", "on plan", "looked after")


def run_synth(authorities: int = 8, start: str = "2019-04", end: str | None = None, seed: int = 2024,
              profile: str = "region", out: Path | None = None, warehouse: Path | None = None,
              workers: int = 1, quiet: bool = False) -> list[dict]:
    """Generate, store (replacing those authorities) and summarise. Returns the summary rows."""
    first, last = parse_range(start, end)
    profiles_for(profile, authorities, seed)  # validates the profile and the count up front
    if workers < 1:
        raise ConfigError(f"workers must be at least 1, got {workers}")
    path = Path(warehouse) if warehouse is not None else default_path()
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=False, quiet=quiet)
    console.print(f"Generating {authorities} fictional authorities ({profile}), {first} to {last}, seed {seed} "
                  f"-> {path}")
    started = time.perf_counter()

    def report(r: dict) -> None:
        if not quiet:
            console.print(f"  {r['authority']} {r['name']}: {r['children']:,} children, "
                          f"{r['referrals']:,} referrals, {r['CP plans']:,} CP plans, "
                          f"{r['looked after']:,} looked after at {last} ({r['seconds']} s)")

    result = store_authorities(authorities, first, last, seed, profile, path, workers=workers,
                               out=Path(out) if out is not None else None, on_authority=report)
    rows, files = result["summaries"], result["files"]
    table = Table(title=f"Stored in {path} ({time.perf_counter() - started:.0f} s); "
                        f"'on plan' and 'looked after' at the end of {last}")
    for col in TABLE_COLUMNS:
        table.add_column(col, justify="left" if col in ("authority", "name") else "right")
    for r in rows:
        table.add_row(*[f"{r[c]:,}" if isinstance(r[c], int) else str(r[c]) for c in TABLE_COLUMNS])
    console.print(table)
    if out is not None:
        console.print(f"Statutory files in {out}: {files.get('cin_census', 0)} CIN census XML, "
                      f"{files.get('ssda903', 0)} SSDA903 CSV tables, {files.get('annex_a', 0)} Annex A workbooks "
                      "(see data/README.md for the layout)")
    return rows
