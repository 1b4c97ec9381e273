"""Reading an .xlsx workbook into grids of cell values, formulas resolved.

Sheets are read with calamine (a compiled reader, 10-20 times faster than openpyxl), except
sheets whose XML holds formulas or Excel error cells (#N/A): calamine shows both as blanks,
so those sheets are read with openpyxl, which gives the formula, the value Excel saved with
it (its cached value) and the error text.
Workbooks written by scripts rather than saved by Excel carry formulas with no saved value;
for those the simple cell-reference arithmetic real exports contain (``=H2+5``, ``=$H$2``)
is evaluated here. Anything else is reported as unresolved so the reader can reject or
blank the cell with a clear reason.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from ...errors import InputError
from .cells import EXCEL_EPOCH

PERIOD_END_PROPERTY = "CSCW period end"

_FORMULA = re.compile(r"^=\s*\$?([A-Za-z]{1,3})\$?(\d+)\s*(?:([+-])\s*(\d+(?:\.\d+)?))?\s*$")


@dataclass
class Sheet:
    title: str
    grid: pd.DataFrame  # object values; row i is Excel row i + 1, column j is Excel column j + 1
    unresolved: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["r", "c", "formula"]))


@dataclass
class Workbook:
    path: Path
    sheets: list[Sheet]
    properties: dict  # document properties worth keeping (period end, modified)


def is_xlsx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return "xl/workbook.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def sheet_names(path: Path) -> list[str]:
    """Sheet titles from the workbook part, without parsing any sheet (cheap, for sniffing)."""
    import html

    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/workbook.xml").decode("utf-8", errors="replace")
    return [html.unescape(m) for m in re.findall(r"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"", xml)]


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> its XML part in the zip (via the workbook's relationships)."""
    import html

    wb = z.read("xl/workbook.xml").decode("utf-8", errors="replace")
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", errors="replace")
    targets = {}
    for rel in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", rels):
        rid = re.search(r'\bId="([^"]*)"', rel)
        target = re.search(r'\bTarget="([^"]*)"', rel)
        if rid and target:
            t = target.group(1)
            targets[rid.group(1)] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    parts = {}
    for sheet in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", wb):
        name = re.search(r'\bname="([^"]*)"', sheet)
        rid = re.search(r'\br:id="([^"]*)"|\bid="([^"]*)"', sheet)
        if name and rid:
            parts[html.unescape(name.group(1))] = targets.get(rid.group(1) or rid.group(2), "")
    return parts


_SLOW_MARKS = (b"<f>", b"<f ", b"<f/>", b":f>", b":f ", b't="e"')


def _needs_openpyxl(z: zipfile.ZipFile, part: str) -> bool:
    """Whether a sheet holds formulas or error cells (scanned in chunks, never fully parsed)."""
    if part not in z.namelist():
        return True
    tail = b""
    with z.open(part) as fh:
        while chunk := fh.read(1 << 20):
            buf = tail + chunk
            if any(mark in buf for mark in _SLOW_MARKS):
                return True
            tail = buf[-8:]
    return False


def _custom_properties(z: zipfile.ZipFile) -> dict[str, str]:
    import html

    if "docProps/custom.xml" not in z.namelist():
        return {}
    xml = z.read("docProps/custom.xml").decode("utf-8", errors="replace")
    found = re.findall(r'<(?:\w+:)?property\b[^>]*\bname="([^"]*)"[^>]*>\s*<vt:\w+>([^<]*)</vt:\w+>', xml)
    return {html.unescape(k): html.unescape(v) for k, v in found}


def _calamine_grid(sheet) -> pd.DataFrame:
    """A calamine sheet as a grid anchored at A1 (calamine trims leading empty rows and
    columns; the reader needs the Excel row numbers a user sees)."""
    rows = sheet.to_python()
    if not rows or sheet.start is None:
        return pd.DataFrame()
    grid = pd.DataFrame.from_records(rows).astype(object)
    r0, c0 = sheet.start
    grid.index = grid.index + r0
    grid.columns = grid.columns + c0
    return grid.reindex(index=range(r0 + len(grid)), columns=range(c0 + grid.shape[1]))


def _grid(ws) -> pd.DataFrame:
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        return pd.DataFrame()
    return pd.DataFrame.from_records(rows).astype(object)


def _column_index(letters: pd.Series) -> pd.Series:
    out = pd.Series(0, index=letters.index)
    for pos in range(3):  # at most three letters (XFD); loop over letter positions, not cells
        ch = letters.str.upper().str[pos]
        have = ch.notna()
        out = out.where(~have, out * 26 + ch.fillna("A").map(lambda c: ord(c) - 64))
    return out - 1


def _to_serial(values: np.ndarray) -> pd.Series:
    """Cell values as Excel serial numbers (dates) or plain numbers; NaN where not numeric."""
    s = pd.Series(values, dtype=object)
    is_dt = s.map(lambda v: hasattr(v, "year") and hasattr(v, "month"))
    out = pd.to_numeric(s.where(~is_dt & ~s.map(lambda v: isinstance(v, (bool, str))), None), errors="coerce")
    if is_dt.any():
        days = (pd.to_datetime(s[is_dt].map(pd.Timestamp)) - EXCEL_EPOCH) / pd.Timedelta(days=1)
        out[is_dt] = days.to_numpy()
    return out.astype(float)


def _resolve_formulas(values: pd.DataFrame, formulas: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep cached values; evaluate ``=REF`` and ``=REF +/- number`` where none was saved."""
    formulas = formulas.reindex(index=values.index, columns=values.columns)
    is_formula = formulas.apply(lambda col: col.map(lambda v: isinstance(v, str) and v.startswith("=")))
    missing = is_formula & values.isna()
    if not missing.to_numpy().any():
        return values, pd.DataFrame(columns=["r", "c", "formula"])
    arr = values.to_numpy(dtype=object, copy=True)
    r, c = np.nonzero(missing.to_numpy())
    text = pd.Series(formulas.to_numpy(dtype=object)[r, c], dtype=object).astype(str)
    parts = text.str.extract(_FORMULA)
    parsed = parts[0].notna().to_numpy()
    ref_r = pd.to_numeric(parts[1], errors="coerce").fillna(0).astype(int).to_numpy() - 1
    ref_c = _column_index(parts[0].fillna("A")).to_numpy()
    delta = pd.to_numeric(parts[3], errors="coerce").fillna(0).to_numpy()
    delta = np.where(parts[2].to_numpy() == "-", -delta, delta)
    in_grid = parsed & (ref_r >= 0) & (ref_r < arr.shape[0]) & (ref_c >= 0) & (ref_c < arr.shape[1])
    pending = in_grid.copy()
    # A formula may refer to another formula cell (=H2+5, =I2+5, ...): evaluate in passes,
    # each resolving the cells whose reference now has a value.
    for _ in range(64):
        if not pending.any():
            break
        ref_vals = _to_serial(arr[ref_r[pending], ref_c[pending]]).to_numpy()
        ok = ~np.isnan(ref_vals)
        if not ok.any():
            break
        idx = np.flatnonzero(pending)[ok]
        arr[r[idx], c[idx]] = ref_vals[ok] + delta[idx]
        pending[idx] = False
    unresolved = ~in_grid | pending
    report = pd.DataFrame({"r": r[unresolved], "c": c[unresolved], "formula": text.to_numpy()[unresolved]})
    return pd.DataFrame(arr, index=values.index, columns=values.columns), report


def read_workbook(path: Path) -> Workbook:
    """Every sheet of an .xlsx file as a grid of values (formulas resolved where possible)."""
    import python_calamine

    path = Path(path)
    if not is_xlsx(path):
        raise InputError("not an Excel workbook (.xlsx)", file=path)
    try:
        with zipfile.ZipFile(path) as z:
            parts = _sheet_parts(z)
            slow = {title for title, part in parts.items() if _needs_openpyxl(z, part)}
            custom = _custom_properties(z)
        cal = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # damaged zip or XML: the user needs to know the file is broken
        raise InputError(f"cannot open the workbook: {exc}", file=path) from None
    props = {"period_end": custom.get(PERIOD_END_PROPERTY)}
    sheets = []
    values_wb = formulas_wb = None
    try:
        for title in cal.sheet_names:  # loop over sheets
            if title not in slow:
                sheets.append(Sheet(title, _calamine_grid(cal.get_sheet_by_name(title))))
                continue
            if values_wb is None:
                values_wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
                formulas_wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
            grid = _grid(values_wb[title])
            unresolved = pd.DataFrame(columns=["r", "c", "formula"])
            if len(grid):
                grid, unresolved = _resolve_formulas(grid, _grid(formulas_wb[title]))
            sheets.append(Sheet(title, grid, unresolved))
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"cannot read the workbook: {exc}", file=path) from None
    finally:
        for wb in (values_wb, formulas_wb):
            if wb is not None:
                wb.close()
    return Workbook(path, sheets, props)
