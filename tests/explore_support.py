"""Shared synthetic data for the explain and explore tests: two fictional authorities from
April 2023 to a fixed month, generated once per test session (module-level cache, so every
test module that uses it shares one copy), and a warehouse holding them with their measures."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import pandas as pd

START, END = "2023-04", "2025-03"
SEED = 11


@functools.lru_cache(maxsize=1)
def synthetic() -> tuple:
    """(Dataset, tidy measures table) for two synthetic authorities."""
    from csc_workbench.measures import compute_measures
    from csc_workbench.synth import generate

    ds, _ = generate(n_authorities=2, start=START, end=END, seed=SEED)
    return ds, compute_measures(ds)


@functools.lru_cache(maxsize=1)
def warehouse() -> Path:
    """A DuckDB warehouse with the two authorities, their measures and the synthetic
    benchmarks' inputs (a temporary folder removed at exit)."""
    from csc_workbench.measures.store import cache_key, store_measures
    from csc_workbench.model.warehouse import connect, save_dataset

    ds, tidy = synthetic()
    folder = Path(tempfile.mkdtemp(prefix="cscw-explore-"))
    path = folder / "warehouse.duckdb"
    save_dataset(ds, path)
    with connect(path, read_only=True) as con:
        keys = {code: cache_key(con, code) for code in ds.authorities()}
    store_measures(tidy, path, cache_keys=keys)
    import atexit
    import shutil

    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return path


def month_end(month: str) -> pd.Timestamp:
    return pd.Period(month, "M").to_timestamp(how="end").normalize()
