"""``cscw synth``: generate fictional authorities and store them in the warehouse.

Authorities are generated and stored one at a time (each in its own transaction), so a
national run never holds more than one authority (per worker) in memory and an interrupted
run leaves every stored authority complete. With ``out`` each authority's statutory files
(CIN census XML, SSDA903 CSV, Annex A) are written too (``synth.statutory``). The planted anomalies go to the warehouse table
``synth_plants`` (one row per anomaly and measure, see ``synth.plants``).
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from ..errors import ConfigError
from ..model.dataset import Dataset
from ..model.warehouse import connect, default_path, save_dataset, write_table
from . import iter_authorities, parse_range
from .plants import MANIFEST_KEYS
from .profiles import profiles_for
from .statutory import write_statutory_files  # noqa: F401 (the CLI's writer, importable from here)

PLANTS_TABLE = "synth_plants"


def manifest_frame(rows: list[dict]) -> pd.DataFrame:
    """The manifest as a table with fixed column types (so an empty manifest still stores)."""
    frame = pd.DataFrame(rows, columns=list(MANIFEST_KEYS))
    for col in MANIFEST_KEYS:
        frame[col] = frame[col].astype("float64" if col == "magnitude" else "str")
    return frame


def _summary_row(ds: Dataset, end: pd.Period, seconds: float) -> dict:
    month_end = end.end_time.normalize()
    e = ds.cla_episodes
    e = e[~e["ls"].isin(["V3", "V4"])]
    looked_after = e[(e["decom"] <= month_end) & (e["dec"].isna() | (e["dec"] > month_end))]
    p = ds.cp_plans
    on_plan = p[(p["start_date"] <= month_end) & (p["end_date"].isna() | (p["end_date"] > month_end))]
    a = ds["authorities"].iloc[0]
    pop = ds.population.sort_values("year")["population_0_17"].iloc[-1]
    return {"authority": a["authority"], "name": a["la_name"], "children 0-17": int(pop),
            "children": len(ds.persons), "referrals": len(ds.referrals), "CP plans": len(p),
            "on plan": on_plan["child_id"].nunique(), "looked after": looked_after["child_id"].nunique(),
            "seconds": round(seconds, 1)}


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
    rows = []
    files: dict[str, int] = {}
    started = time.perf_counter()
    with connect(path) as con:
        if workers > 1:  # the workers keep the other cores busy
            import os

            con.execute(f"SET threads = {max(1, (os.cpu_count() or 2) - workers)}")
        t = time.perf_counter()
        for ds, plants in iter_authorities(authorities, first, last, seed, profile, workers=workers):
            if out is not None:
                for kind, paths in write_statutory_files(ds, Path(out)).items():
                    files[kind] = files.get(kind, 0) + len(paths)
            code = ds.authorities()[0] if ds.authorities() else None
            con.execute("BEGIN TRANSACTION")
            try:
                save_dataset(ds, con=con)
                write_table(PLANTS_TABLE, manifest_frame(plants), replace_where={"authority": [code]}, con=con)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            now = time.perf_counter()
            rows.append(_summary_row(ds, last, now - t))
            t = now
            if not quiet:
                r = rows[-1]
                console.print(f"  {r['authority']} {r['name']}: {r['children']:,} children, "
                              f"{r['referrals']:,} referrals, {r['CP plans']:,} CP plans, "
                              f"{r['looked after']:,} looked after at {last} ({r['seconds']} s)")
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
