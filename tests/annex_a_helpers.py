"""Helpers for Annex A tests: hand-made workbooks and table comparison."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd

from csc_workbench.io.annex_a.spec import LISTS
from csc_workbench.model.dataset import Dataset
from csc_workbench.model.schemas import TABLES


def headers(n: int) -> list[str]:
    return [f.header for f in LISTS[n].fields]


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write sheets of raw rows (first row usually the headers) with openpyxl."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(list(row))
    wb.save(path)
    return path


def annex_a(path: Path, lists: dict[int, list[list]] | None = None, header_rows: dict[int, list] | None = None,
            skip: tuple[int, ...] = ()) -> Path:
    """A complete Annex A workbook: every list with Ofsted's headers; ``lists`` gives rows
    (dicts header -> value, or full lists), ``header_rows`` replaces a list's header row."""
    lists = lists or {}
    header_rows = header_rows or {}
    sheets = {}
    for n in LISTS:
        if n in skip:
            continue
        hdr = header_rows.get(n, headers(n))
        rows = []
        for r in lists.get(n, []):
            rows.append([r.get(h) for h in hdr] if isinstance(r, dict) else r)
        sheets[f"List {n}"] = [hdr] + rows
    return workbook(path, sheets)


def sorted_table(ds: Dataset, name: str) -> pd.DataFrame:
    key = list(TABLES[name].key)
    return ds[name].sort_values(key, kind="stable").reset_index(drop=True)


def assert_same_tables(actual: Dataset, expected: Dataset, names) -> None:
    for name in names:
        pd.testing.assert_frame_equal(sorted_table(actual, name), sorted_table(expected, name),
                                      check_dtype=True, obj=name)
