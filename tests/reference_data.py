"""Shared by the test_reference_* modules: DfE's reference tables, built once per session."""

from functools import lru_cache
from pathlib import Path

from csc_workbench.reference import build_reference


@lru_cache(maxsize=2)
def built(dfe_dir: Path):
    return build_reference(dfe_dir)


def value(bench, measure, code, year, release=None):
    """The rows of ref_benchmarks for one measure, area and year (optionally one release)."""
    rows = bench[(bench["measure"] == measure) & (bench["code"] == code) & (bench["year"] == year)]
    if release is not None:
        rows = rows[rows["release"] == release]
    return rows
