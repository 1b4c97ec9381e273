"""The embedded warehouse: one DuckDB file under ``data/`` holding every authority.

Canonical tables keep their names (``referrals``, ``cp_plans``, ...). Other layers add
their own tables through ``write_table`` (reference data ``ref_*``, the data-quality
account ``dq_*``, the measures table ``measures``). Writing an authority's data is one
transaction: either all of it lands or none (a failed load leaves the warehouse as it was).

Readers (notebooks run in parallel by the batch) open the file read-only; DuckDB allows
many read-only processes at once but only one writer, so the batch computes and stores
everything it needs before starting notebooks.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
import pandas as pd

from .dataset import Dataset
from .schemas import TABLES

DEFAULT_PATH = Path("data") / "warehouse.duckdb"


def default_path() -> Path:
    """Warehouse path: $CSCW_WAREHOUSE if set, else data/warehouse.duckdb in the working directory."""
    return Path(os.environ.get("CSCW_WAREHOUSE", DEFAULT_PATH))


_DUCK_TYPES = {
    "str": "VARCHAR", "datetime64[us]": "DATE", "boolean": "BOOLEAN", "Int64": "BIGINT",
    "float64": "DOUBLE",
}


def _create_sql(name: str) -> str:
    cols = ", ".join(f'"{c}" {_DUCK_TYPES[spec.dtype]}' for c, spec in TABLES[name].columns.items())
    return f'CREATE TABLE IF NOT EXISTS "{name}" ({cols})'


def _ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing canonical tables and add columns a newer schema introduced, so a
    warehouse built by an earlier version keeps working (new columns start null)."""
    existing = {}
    for table, column in con.execute(
            "SELECT table_name, column_name FROM information_schema.columns").fetchall():
        existing.setdefault(table, set()).add(column)
    for name, table in TABLES.items():
        if name not in existing:
            con.execute(_create_sql(name))
            continue
        for col, spec in table.columns.items():
            if col not in existing[name]:
                con.execute(f'ALTER TABLE "{name}" ADD COLUMN "{col}" {_DUCK_TYPES[spec.dtype]}')


@contextlib.contextmanager
def connect(path: str | Path | None = None, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    path = Path(path) if path is not None else default_path()
    if read_only and not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `cscw synth` or `cscw load` first")
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        if not read_only:
            _ensure_tables(con)
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction on ``con``: committed when the block finishes, rolled back on any
    error, so a failed load or store leaves the warehouse as it was."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


@contextlib.contextmanager
def writing(path: str | Path | None = None,
            con: duckdb.DuckDBPyConnection | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to write with: the caller's ``con`` as it is (the caller owns that
    transaction), or a new connection to ``path`` inside a transaction of its own."""
    if con is not None:
        yield con
        return
    with connect(path) as c, transaction(c):
        yield c


def save_dataset(dataset: Dataset, path: str | Path | None = None, *, replace: bool = True,
                 con: duckdb.DuckDBPyConnection | None = None) -> None:
    """Store the dataset's authorities, replacing what the warehouse held for them.

    With ``replace=False`` rows are appended (the caller has merged history itself).
    Pass ``con`` to join a transaction the caller already opened.
    """
    codes = dataset.authorities()

    with writing(path, con) as c:
        for name, frame in dataset.items():
            if replace and codes:
                c.execute(f'DELETE FROM "{name}" WHERE authority IN (SELECT unnest(?))', [codes])
            if len(frame):
                c.register("_frame", frame)
                cols = ", ".join(f'"{col}"' for col in TABLES[name].columns)
                c.execute(f'INSERT INTO "{name}" ({cols}) SELECT {cols} FROM _frame')
                c.unregister("_frame")


def load_dataset(path: str | Path | None = None, authorities: Iterable[str] | str | None = None,
                 tables: Iterable[str] | None = None) -> Dataset:
    """Read canonical tables back (optionally for some authorities / tables only)."""
    if isinstance(authorities, str):
        authorities = [authorities]
    names = list(tables) if tables is not None else list(TABLES)
    out = {}
    with connect(path, read_only=True) as con:
        existing = set(list_tables(con))
        columns: dict[str, set] = {}
        for table, column in con.execute(
                "SELECT table_name, column_name FROM information_schema.columns").fetchall():
            columns.setdefault(table, set()).add(column)
        for name in names:
            if name not in existing:
                continue
            # A warehouse from an older version may lack newer columns: Dataset adds them as null.
            cols = ", ".join(f'"{c}"' for c in TABLES[name].columns if c in columns[name])
            if authorities is None:
                frame = con.execute(f'SELECT {cols} FROM "{name}"').df()
            else:
                frame = con.execute(f'SELECT {cols} FROM "{name}" WHERE authority IN (SELECT unnest(?))',
                                    [list(authorities)]).df()
            out[name] = frame
    return Dataset(out)


def list_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]


def write_table(name: str, frame: pd.DataFrame, path: str | Path | None = None, *,
                replace_where: dict | None = None, con: duckdb.DuckDBPyConnection | None = None) -> None:
    """Write a non-canonical table (reference data, measures, quality account).

    ``replace_where`` (e.g. ``{"authority": ["A01"]}``) deletes matching rows first;
    without it the table is replaced entirely. The table is created from the frame's
    columns if it does not exist.
    """
    with writing(path, con) as c:
        c.register("_frame", frame)
        exists = name in list_tables(c)
        if not exists:
            c.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _frame')
        else:
            if replace_where:
                for col, values in replace_where.items():
                    c.execute(f'DELETE FROM "{name}" WHERE "{col}" IN (SELECT unnest(?))', [list(values)])
            else:
                c.execute(f'DELETE FROM "{name}"')
            c.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM _frame')
        c.unregister("_frame")


def read_table(name: str, path: str | Path | None = None, where: str | None = None,
               params: list | None = None) -> pd.DataFrame:
    """Read any warehouse table (optionally filtered with a SQL ``where`` clause)."""
    with connect(path, read_only=True) as con:
        if name not in list_tables(con):
            raise KeyError(f"warehouse has no table {name!r}")
        sql = f'SELECT * FROM "{name}"' + (f" WHERE {where}" if where else "")
        return con.execute(sql, params or []).df()
