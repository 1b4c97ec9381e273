"""Generate fictional authorities and store them in the warehouse, fast at national scale.

With one process, each authority is generated, written and stored in its own transaction.
With ``workers`` > 1, the workers generate the authorities AND write each one's canonical
tables as Parquet files in a spool folder beside the warehouse (and its statutory files when
asked); once all are done the parent loads every table with one ``INSERT ... SELECT FROM
read_parquet([...])`` using all cores, in one transaction that first deletes what the
warehouse held for those authorities (``save_dataset``'s semantics: replace them, all or
nothing). Storing row by row from pandas in the parent was the bottleneck (DuckDB's insert
costs about 1.3 us a row on one thread while the workers waited); the bulk load runs in
parallel, on idle cores.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from ..model.dataset import Dataset
from ..model.schemas import TABLES
from ..model.warehouse import connect, save_dataset, transaction, write_table
from .profiles import profiles_for

PLANTS_TABLE = "synth_plants"


def manifest_frame(rows: list[dict]) -> pd.DataFrame:
    """The manifest as a table with fixed column types (so an empty manifest still stores)."""
    from .plants import MANIFEST_KEYS

    frame = pd.DataFrame(rows, columns=list(MANIFEST_KEYS))
    for col in MANIFEST_KEYS:
        frame[col] = frame[col].astype("float64" if col == "magnitude" else "str")
    return frame


def summary_row(ds: Dataset, end: pd.Period, seconds: float) -> dict:
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


def _jobs(n: int, first: pd.Period, last: pd.Period, seed: int, profile: str) -> list[tuple]:
    profs = profiles_for(profile, n, seed)
    seeds = np.random.SeedSequence(seed).spawn(len(profs))
    return [(p, first, last, s, False) for p, s in zip(profs, seeds)]


def _files(ds: Dataset, out: Path | None) -> Counter:
    if out is None:
        return Counter()
    from .statutory import write_statutory_files

    return Counter({kind: len(paths) for kind, paths in write_statutory_files(ds, Path(out)).items()})


def _spool_one(job: tuple, spool: Path, out: Path | None) -> dict:
    """In a worker: generate one authority, write its tables to the spool as Parquet (and its
    statutory files), return what the parent reports."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from . import _one

    t = time.perf_counter()
    ds, plants = _one(job)
    code = ds.authorities()[0]
    rows = Counter()
    for name, frame in ds.items():  # loop over tables
        if len(frame):
            folder = spool / name
            folder.mkdir(exist_ok=True)
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / f"{code}.parquet",
                           compression="snappy")
            rows[name] = len(frame)
    files = _files(ds, out)
    return {"code": code, "plants": plants, "rows": rows, "files": files,
            "summary": summary_row(ds, job[2], time.perf_counter() - t)}


def store_authorities(n: int, first: pd.Period, last: pd.Period, seed: int, profile: str, path: Path, *,
                      workers: int = 1, out: Path | None = None,
                      on_authority: Callable[[dict], None] | None = None) -> dict:
    """Generate ``n`` authorities and store them in the warehouse at ``path`` (replacing those
    authorities), writing their statutory files under ``out`` if given. Calls
    ``on_authority(summary_row)`` as each is generated. Returns {'summaries', 'rows' (per
    table), 'files' (per kind), 'generate_s', 'load_s'}."""
    jobs = _jobs(n, first, last, seed, profile)
    rows, files, summaries = Counter(), Counter(), []
    started = time.perf_counter()
    if workers <= 1 or len(jobs) == 1:
        from . import _one

        with connect(path) as con:
            for job in jobs:  # loop over authorities
                t = time.perf_counter()
                ds, plants = _one(job)
                files.update(_files(ds, out))
                code = ds.authorities()[0]
                with transaction(con):
                    save_dataset(ds, con=con)
                    write_table(PLANTS_TABLE, manifest_frame(plants), replace_where={"authority": [code]}, con=con)
                rows.update({name: len(frame) for name, frame in ds.items()})
                summaries.append(summary_row(ds, last, time.perf_counter() - t))
                if on_authority:
                    on_authority(summaries[-1])
        return {"summaries": summaries, "rows": rows, "files": files,
                "generate_s": time.perf_counter() - started, "load_s": 0.0}

    from concurrent.futures import ProcessPoolExecutor

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    spool = Path(tempfile.mkdtemp(prefix=".synth-spool-", dir=path.parent))
    try:
        plants = []
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_spool_one, job, spool, out) for job in jobs]
            for fut in futures:  # in authority order
                r = fut.result()
                rows.update(r["rows"])
                files.update(r["files"])
                plants += r["plants"]
                summaries.append(r["summary"])
                if on_authority:
                    on_authority(r["summary"])
        generated = time.perf_counter()
        _bulk_load(path, spool, [s["authority"] for s in summaries], plants)
        return {"summaries": summaries, "rows": rows, "files": files, "generate_s": generated - started,
                "load_s": time.perf_counter() - generated}
    finally:
        shutil.rmtree(spool, ignore_errors=True)


def _bulk_load(path: Path, spool: Path, codes: list[str], plants: list[dict]) -> None:
    """One transaction: delete the authorities, insert every table from its Parquet files."""
    with connect(path) as con:
        con.execute(f"SET threads = {os.cpu_count() or 2}")
        with transaction(con):
            for name, table in TABLES.items():  # loop over tables
                con.execute(f'DELETE FROM "{name}" WHERE authority IN (SELECT unnest(?))', [codes])
                parts = sorted(str(p) for p in (spool / name).glob("*.parquet")) if (spool / name).is_dir() else []
                if parts:
                    cols = ", ".join(f'"{c}"' for c in table.columns)
                    con.execute(f'INSERT INTO "{name}" ({cols}) SELECT {cols} FROM read_parquet(?)', [parts])
            write_table(PLANTS_TABLE, manifest_frame(plants), replace_where={"authority": codes}, con=con)
