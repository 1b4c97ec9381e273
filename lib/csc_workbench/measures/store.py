"""The measures table in the warehouse, and its cache.

Table ``measures``: the tidy columns plus ``note`` (why a row is not available, or what was
left out of it as a data-quality error), one row per authority x measure x breakdown x
breakdown value x period type x month end, stored in order of authority and month so that
DuckDB's zone maps make reading one authority-month a few milliseconds.

Table ``measures_cache``: one row per authority: the cache key the stored measures were
computed from (a hash of the authority's canonical tables, row counts and content, plus the
measures code and the options), when, and how many rows. ``ensure_measures`` recomputes an
authority only when its key has changed: new data, a code change or other options.

Only one process may write the warehouse at a time (DuckDB), so a batch calls
``ensure_measures`` for every authority before starting parallel readers.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..errors import ConfigError
from ..model.schemas import TABLES
from ..model.warehouse import connect, list_tables, load_dataset, writing
from .catalogue import WAREHOUSE_COLUMNS
from .engine import DEFAULT_OPTIONS, compute_measures

MEASURES_TABLE = "measures"
CACHE_TABLE = "measures_cache"

_CREATE = f"""
CREATE TABLE IF NOT EXISTS {MEASURES_TABLE} (
    authority VARCHAR, measure VARCHAR, breakdown VARCHAR, breakdown_value VARCHAR, period_type VARCHAR,
    period_end DATE, numerator DOUBLE, denominator DOUBLE, value DOUBLE, status VARCHAR, note VARCHAR)
"""
_CREATE_CACHE = f"""
CREATE TABLE IF NOT EXISTS {CACHE_TABLE} (
    authority VARCHAR, cache_key VARCHAR, code_version VARCHAR, computed_at TIMESTAMP, n_rows BIGINT)
"""


@lru_cache(maxsize=1)
def code_version() -> str:
    """Hash of the code that determines the numbers: the measures package, the calendar
    (working days), the code lists and the bank-holiday package version."""
    import holidays

    here = Path(__file__).resolve().parent
    files = sorted(here.glob("*.py")) + [here.parent / "calendar.py", here.parent / "codes.py"]
    h = hashlib.sha256(f"holidays {holidays.__version__}".encode())
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def data_key(con, authority: str) -> str:
    """Hash of one authority's canonical tables: each table's row count and an
    order-independent sum of row hashes (so re-loading the same data gives the same key)."""
    existing = set(list_tables(con))
    parts = []
    for name in TABLES:
        if name not in existing:
            parts.append(f"{name}:absent")
            continue
        n, s = con.execute(f'SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM "{name}" t '
                           "WHERE authority = ?", [authority]).fetchone()
        parts.append(f"{name}:{n}:{s}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def cache_key(con, authority: str, options: dict | None = None) -> str:
    opts = {**DEFAULT_OPTIONS, **(options or {})}
    opts.pop("strict", None)
    payload = json.dumps({"data": data_key(con, authority), "code": code_version(), "options": opts},
                         sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def _prepare(tidy: pd.DataFrame) -> pd.DataFrame:
    frame = tidy.reindex(columns=WAREHOUSE_COLUMNS).copy()
    frame["period_end"] = pd.to_datetime(frame["period_end"]).dt.normalize()
    return frame.sort_values(["authority", "period_end", "measure", "period_type"], kind="stable")


def store_measures(tidy: pd.DataFrame, warehouse: str | Path | None = None, *, con=None,
                   cache_keys: dict[str, str] | None = None) -> None:
    """Replace the stored measures of every authority in ``tidy`` with these rows (one
    transaction). ``cache_keys`` (authority -> key) records what they were computed from."""
    frame = _prepare(tidy)
    codes = sorted(frame["authority"].dropna().unique().tolist())

    with writing(warehouse, con) as c:
        c.execute(_CREATE)
        c.execute(_CREATE_CACHE)
        if codes:
            c.execute(f"DELETE FROM {MEASURES_TABLE} WHERE authority IN (SELECT unnest(?))", [codes])
        if len(frame):
            c.register("_measures_frame", frame)
            cols = ", ".join(WAREHOUSE_COLUMNS)
            select = ", ".join("CAST(period_end AS DATE)" if col == "period_end" else col for col in WAREHOUSE_COLUMNS)
            c.execute(f"INSERT INTO {MEASURES_TABLE} ({cols}) SELECT {select} FROM _measures_frame")
            c.unregister("_measures_frame")
        for code, key in (cache_keys or {}).items():
            c.execute(f"DELETE FROM {CACHE_TABLE} WHERE authority = ?", [code])
            n = int((frame["authority"] == code).sum())
            c.execute(f"INSERT INTO {CACHE_TABLE} VALUES (?, ?, ?, now()::TIMESTAMP, ?)",
                      [code, key, code_version(), n])


def read_measures(authority: str, warehouse: str | Path | None = None, month: str | None = None,
                  period_type: str | None = None) -> pd.DataFrame:
    """The stored measures of one authority (optionally one month 'YYYY-MM' and one period
    type), with the tidy columns plus ``note``; ``period_end`` as datetime64."""
    where, params = ["authority = ?"], [authority]
    if month is not None:
        from ..calendar import parse_month

        where.append("period_end = ?")
        params.append(parse_month(month).date())
    if period_type is not None:
        where.append("period_type = ?")
        params.append(period_type)
    with connect(warehouse, read_only=True) as con:
        if MEASURES_TABLE not in list_tables(con):
            return _empty()
        sql = (f"SELECT {', '.join(WAREHOUSE_COLUMNS)} FROM {MEASURES_TABLE} WHERE {' AND '.join(where)} "
               "ORDER BY measure, breakdown, breakdown_value, period_type, period_end")
        out = con.execute(sql, params).df()
    return _typed(out)


def _typed(out: pd.DataFrame) -> pd.DataFrame:
    out["period_end"] = pd.to_datetime(out["period_end"]).astype("datetime64[us]")
    for c in ("numerator", "denominator", "value"):
        out[c] = out[c].astype("float64")
    return out


def _empty() -> pd.DataFrame:
    from .engine import empty_tidy

    return empty_tidy()


def warehouse_authorities(warehouse: str | Path | None = None) -> list[str]:
    with connect(warehouse, read_only=True) as con:
        found: set[str] = set()
        existing = set(list_tables(con))
        for name in TABLES:
            if name in existing:
                found.update(r[0] for r in con.execute(f'SELECT DISTINCT authority FROM "{name}"').fetchall())
    return sorted(found)


def ensure_measures(authority: str, warehouse: str | Path | None = None, options: dict | None = None,
                    force: bool = False) -> bool:
    """Make the stored measures of ``authority`` current; returns True if they were
    recomputed, False if the cache was still valid. Raises ConfigError for an authority the
    warehouse does not hold."""
    path = Path(warehouse) if warehouse is not None else None
    with connect(path, read_only=True) as con:
        key = cache_key(con, authority, options)
        stored = None
        if CACHE_TABLE in list_tables(con):
            row = con.execute(f"SELECT cache_key FROM {CACHE_TABLE} WHERE authority = ?", [authority]).fetchone()
            stored = row[0] if row else None
    if stored == key and not force:
        return False
    known = warehouse_authorities(path)
    if authority not in known:
        shown = ", ".join(known[:12]) + (" ..." if len(known) > 12 else "")
        raise ConfigError(f"unknown authority {authority!r}: the warehouse holds {shown or 'no authorities'}")
    ds = load_dataset(path, authorities=[authority])
    tidy = compute_measures(ds, options=options)
    store_measures(tidy, path, cache_keys={authority: key})
    return True


__all__ = ["store_measures", "read_measures", "ensure_measures", "cache_key", "code_version", "data_key",
           "MEASURES_TABLE", "CACHE_TABLE"]
