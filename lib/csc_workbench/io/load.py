"""Loading files into the warehouse: detect, read, merge into history, check, store.

``load_files(paths, authority, warehouse)``:

1. detects each file's kind (``formats.detect``); a file no loader recognises stops the
   load with an ``InputError`` naming it;
2. reads each kind's files with its loader, every row accounted for in one
   ``LoadAccount``; any ``InputError`` stops the load;
3. in ONE warehouse transaction: reads the authority's history, merges the new data into
   it (``history.merge_history``, oldest extract first), runs the canonical checks
   (``model.checks``) on the result, and replaces the authority's rows, its record
   versions (``history_versions``) and appends the account (``dq_account``, ``dq_issues``).
   Any error rolls the transaction back: the warehouse is left exactly as it was.

Warehouse tables this module adds:
- ``history_versions`` (authority, table_name, record_key, extract_date): per record, the
  extract date of the latest version merged.
- ``dq_account``: ``quality.ACCOUNT_COLUMNS`` + load_id, loaded_at (one row per file and
  table / sheet of each load).
- ``dq_issues``: ``quality.ISSUE_COLUMNS`` + load_id, loaded_at (every rejected, fixed or
  warned row with its reason).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

from ..errors import ConfigError, InputError, WorkbenchError
from ..model import warehouse as wh
from ..model.checks import run_checks
from ..model.dataset import Dataset
from ..model.schemas import TABLES, validate
from ..quality import ACCOUNT_COLUMNS, ISSUE_COLUMNS, LoadAccount
from . import formats
from .history import VERSION_COLUMNS, empty_versions, merge_history

LOAD_COLUMNS = ["load_id", "loaded_at"]

_DDL = {
    "history_versions": 'CREATE TABLE IF NOT EXISTS history_versions (authority VARCHAR, table_name VARCHAR, '
                        'record_key VARCHAR, extract_date TIMESTAMP)',
    "dq_account": 'CREATE TABLE IF NOT EXISTS dq_account (load_id VARCHAR, loaded_at TIMESTAMP, authority VARCHAR, '
                  '"file" VARCHAR, "table" VARCHAR, rows_read BIGINT, loaded BIGINT, rejected BIGINT, '
                  'fixed BIGINT, warnings BIGINT)',
    "dq_issues": 'CREATE TABLE IF NOT EXISTS dq_issues (load_id VARCHAR, loaded_at TIMESTAMP, authority VARCHAR, '
                 '"file" VARCHAR, "table" VARCHAR, "row" VARCHAR, "column" VARCHAR, "rule" VARCHAR, '
                 '"action" VARCHAR, message VARCHAR)',
}


def _read_authority(con: duckdb.DuckDBPyConnection, authority: str) -> Dataset:
    existing = set(wh.list_tables(con))
    out = {}
    for name, table in TABLES.items():  # loop over tables
        if name not in existing:
            continue
        cols = ", ".join(f'"{c}"' for c in table.columns)
        out[name] = con.execute(f'SELECT {cols} FROM "{name}" WHERE authority = ?', [authority]).df()
    return Dataset(out)


def _read_versions(con: duckdb.DuckDBPyConnection, authority: str) -> pd.DataFrame:
    df = con.execute("SELECT * FROM history_versions WHERE authority = ?", [authority]).df()
    return df if len(df) else empty_versions()


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if not len(frame):
        return
    con.register("_frame", frame)
    try:
        con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM _frame')
    finally:
        con.unregister("_frame")


def _read_all(paths: list[Path], authority: str, account: LoadAccount) -> list[tuple[Dataset, pd.Timestamp | None]]:
    groups: dict[str, tuple[formats.Format, list[Path]]] = {}
    for path in paths:  # loop over files
        fmt = formats.detect(path)
        groups.setdefault(fmt.kind, (fmt, []))[1].append(path)
    out = []
    for kind, (fmt, kind_paths) in groups.items():  # loop over kinds
        dataset = fmt.module.read(kind_paths, authority, account)
        others = sorted(set(dataset.authorities()) - {authority})
        if others:
            raise InputError(f"holds data for authority {', '.join(others)}, not {authority}",
                             file=kind_paths[0])
        when = getattr(dataset, "extract_date", None)
        if when is None and hasattr(fmt.module, "extract_date"):
            when = fmt.module.extract_date(kind_paths)
        out.append((dataset, when))
    return out


def load_files(paths: Sequence[Path], authority: str, warehouse: Path | None = None) -> LoadAccount:
    """Load files for one authority into the warehouse; returns the data-quality account.

    All of it or none: on any error nothing in the warehouse changes.
    """
    authority = (authority or "").strip()
    if not authority:
        raise ConfigError("give the authority code (--authority)")
    paths = [Path(p) for p in paths]
    if not paths:
        raise ConfigError("give at least one file to load")
    account = LoadAccount(authority)
    # Everything is read and checked before the warehouse is opened for writing.
    extracts = _read_all(paths, authority, account)

    load_id = uuid.uuid4().hex[:12]
    loaded_at = pd.Timestamp.now().floor("s")
    path = Path(warehouse) if warehouse is not None else wh.default_path()
    with wh.writing(path) as con:
        for ddl in _DDL.values():
            con.execute(ddl)
        history = _read_authority(con, authority)
        versions = _read_versions(con, authority)
        # Oldest extract first; extracts that do not state a date follow, in load order.
        order = sorted(range(len(extracts)), key=lambda i: (extracts[i][1] is None, extracts[i][1] or 0, i))
        now = pd.Timestamp.now()
        for i in order:  # loop over extracts
            dataset, when = extracts[i]
            history, versions = merge_history(history, dataset, account=account, history_versions=versions,
                                              incoming_version=when if when is not None else now)
        run_checks(history, account)
        account.check_balanced()
        try:
            for name, frame in history.items():  # loop over tables; empty ones cannot be invalid
                if len(frame):
                    validate(name, frame)
        except Exception as exc:  # pandera SchemaErrors: a loader produced invalid canonical data
            raise WorkbenchError(f"the loaded data does not fit the canonical model (a loader fault, "
                                 f"nothing was stored): {str(exc).splitlines()[0]}") from exc
        wh.save_dataset(history, con=con)
        con.execute("DELETE FROM history_versions WHERE authority = ?", [authority])
        _insert(con, "history_versions", versions[VERSION_COLUMNS])
        summary = account.summary().assign(load_id=load_id, loaded_at=loaded_at)
        _insert(con, "dq_account", summary[LOAD_COLUMNS + ACCOUNT_COLUMNS])
        issues = account.issues().astype("str").assign(load_id=load_id, loaded_at=loaded_at)
        _insert(con, "dq_issues", issues[LOAD_COLUMNS + ISSUE_COLUMNS])
    account.load_id = load_id
    return account


def quality_report(authority: str, warehouse: Path | None = None, load_id: str | None = None
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(account, rule counts) of an authority's latest load (or of ``load_id``)."""
    path = Path(warehouse) if warehouse is not None else wh.default_path()
    if not path.exists():
        raise ConfigError(f"no warehouse at {path}: load files first (cscw load)")
    with wh.connect(path, read_only=True) as con:
        if "dq_account" not in wh.list_tables(con):
            raise ConfigError(f"no loads recorded in {path}: load files first (cscw load)")
        if load_id is None:
            row = con.execute("SELECT load_id FROM dq_account WHERE authority = ? ORDER BY loaded_at DESC LIMIT 1",
                              [authority]).fetchone()
            if row is None:
                raise ConfigError(f"no loads recorded for authority {authority} in {path}")
            load_id = row[0]
        account = con.execute('SELECT * FROM dq_account WHERE authority = ? AND load_id = ? ORDER BY rowid',
                              [authority, load_id]).df()
        if account.empty:
            raise ConfigError(f"no load {load_id} for authority {authority} in {path}")
        counts = con.execute('SELECT "table", "rule", "action", count(*) AS n FROM dq_issues '
                             'WHERE authority = ? AND load_id = ? GROUP BY ALL ORDER BY "action", n DESC',
                             [authority, load_id]).df()
    return account, counts
