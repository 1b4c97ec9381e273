"""Clean one raw SSDA903 table: dates, codes and duplicate rows, each finding in the account.

Policy (the data-quality account records every case):
- a row without a child ID is rejected (``missing_child_id``);
- dates may be dd/mm/yyyy (DfE's format) or yyyy-mm-dd, even mixed in one column: the
  minority format's rows are counted as ``mixed_date_formats`` fixes; a date that is not a
  date rejects the row when it is the date that places the row in time (DECOM, REVIEW,
  MIS_START, ...: ``invalid_date``), otherwise it is set to null with a warning;
  a date column holding no date at all is an input error (wrong column or wrong file);
- unknown codes are KEPT as written, with an ``unknown_code`` warning, so an analyst sees
  them in the data-quality appendix; the exceptions are SEX (the canonical model only holds
  M/F/U: an unknown SEX becomes null) and MISSING (M/A is the record's kind: the row is
  rejected), and 0/1 flags or numbers that are neither (null with a warning);
- a row repeated exactly in the same file is rejected after its first occurrence
  (``duplicate_row``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import InputError
from ...quality import LoadAccount
from .read_raw import RawTable
from .spec import (
    CODE_LISTS, COLUMNS, DATE_COLUMNS, FLAG_COLUMNS, KEY_DATE, NOT_CARRIED, NUMBER_COLUMNS,
)

_DMY = r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
_ISO = r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised date parsing. Returns (dates, format) where format is 'dmy', 'iso', 'bad'
    or <NA> for a blank cell. A day that does not exist (31/02/2020) is 'bad'."""
    s = values.fillna("").astype(str).str.strip()
    dmy = s.str.extract(_DMY)
    iso = s.str.extract(_ISO)
    is_dmy = dmy[0].notna()
    is_iso = iso[0].notna() & ~is_dmy
    parts = pd.DataFrame({
        "year": pd.to_numeric(dmy[2].where(is_dmy, iso[0]), errors="coerce"),
        "month": pd.to_numeric(dmy[1].where(is_dmy, iso[1]), errors="coerce"),
        "day": pd.to_numeric(dmy[0].where(is_dmy, iso[2]), errors="coerce"),
    })
    ok = parts.notna().all(axis=1)
    dates = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    if ok.any():
        dates[ok] = pd.to_datetime(parts[ok].astype("int64"), errors="coerce").astype("datetime64[us]")
    fmt = pd.Series(pd.NA, index=s.index, dtype="object")
    fmt[is_dmy] = "dmy"
    fmt[is_iso] = "iso"
    fmt[(s != "") & dates.isna()] = "bad"
    return dates, fmt


def _warn_file(account: LoadAccount, raw: RawTable) -> None:
    for rule, message in raw.notes:
        account.record(raw.file, raw.table, "-", rule, "warning", message)
    for col in raw.extra_columns:
        account.record(raw.file, raw.table, 1, "extra_column", "warning",
                       f"column {col!r} is not an SSDA903 {raw.table} column; ignored", column=col)
    liia = [c for c in ("YEAR", "LA") if c in raw.frame.columns]
    if liia:
        account.record(raw.file, raw.table, 1, "liia_tools_columns", "warning",
                       "liia-tools columns " + ", ".join(liia) + " read: YEAR as the collection year, "
                       "LA to find each authority's latest return", column=",".join(liia))


def _record(account, table, frame, mask, rule, action, message, column=None) -> None:
    """Record ``rule`` for masked rows of a frame holding several files (``_file``)."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    hit = frame[mask]
    for file, rows in hit.groupby("_file", sort=False):
        account.record(file, table, rows["_row"].to_numpy(), rule, action, message, column)


def _reject(account, table, frame, mask, rule, message, column=None) -> pd.DataFrame:
    mask = np.asarray(mask, dtype=bool)
    _record(account, table, frame, mask, rule, "rejected", message, column)
    return frame[~mask]


def clean_table(raws: list[RawTable], account: LoadAccount) -> pd.DataFrame:
    """Typed rows of one SSDA903 table from every file that holds it: DfE columns (dates as
    datetime64, codes upper-case, None for blank) plus ``_file``, ``_row``, ``_year``
    (collection year if known), ``_la`` and ``_order`` (the file's position in the load).
    All files are cleaned together (one pass per table, not per file); findings are still
    recorded per file."""
    table = raws[0].table
    parts = []
    for raw in raws:
        account.read(raw.file, table, len(raw.frame))
        _warn_file(account, raw)
        f = raw.frame.assign(_file=raw.file, _path_year=raw.path_year, _order=raw.order)
        parts.append(f)
    frame = pd.concat(parts, ignore_index=True)
    for col in COLUMNS[table] + ["YEAR", "LA"]:
        if col not in frame.columns:
            frame[col] = ""
        frame[col] = frame[col].fillna("").astype(str).str.strip()
    if table in NOT_CARRIED:
        _reject(account, table, frame, np.ones(len(frame), bool), "not_in_canonical_model",
                f"the SSDA903 {table} table is not held in the canonical model; row not loaded")
        return frame.iloc[0:0]

    frame = _reject(account, table, frame, frame["CHILD"] == "", "missing_child_id",
                    "no child identifier (CHILD)", "CHILD")
    frame = _reject(account, table, frame, frame.duplicated(COLUMNS[table] + ["YEAR", "_file"]),
                    "duplicate_row", "the same row appears earlier in the file")

    out = pd.DataFrame({"CHILD": frame["CHILD"]}, index=frame.index)
    for col in DATE_COLUMNS[table]:
        frame, out = _dates(account, table, frame, out, col)
    for col in [c for c in COLUMNS[table] if c not in DATE_COLUMNS[table] and c != "CHILD"]:
        values = frame[col].str.upper().where(frame[col] != "")
        if col in FLAG_COLUMNS.get(table, []) or col in NUMBER_COLUMNS.get(table, []):
            values = _numbers(account, table, frame, values, col)
        if (table, col) in CODE_LISTS:
            values = _codes(account, table, frame, values, col)
        out[col] = values
    if table == "missing":
        bad = out["MISSING"].isna().to_numpy()
        _record(account, table, frame, bad, "unknown_code", "rejected",
                "MISSING must be M (missing) or A (away without authorisation)", "MISSING")
        out, frame = out[~bad], frame[~bad]

    out["_file"] = frame["_file"]
    out["_row"] = frame["_row"]
    year = pd.to_numeric(frame["YEAR"], errors="coerce").astype("Float64")
    out["_year"] = year.fillna(frame["_path_year"].astype("Float64")).astype("Int64")
    out["_la"] = frame["LA"].replace("", pd.NA)
    out["_order"] = frame["_order"].astype("int64")
    return out.reset_index(drop=True)


def _dates(account, table, frame, out, col):
    dates, fmt = parse_dates(frame[col])
    per_file = pd.DataFrame({"_file": frame["_file"], "dmy": fmt == "dmy", "iso": fmt == "iso",
                             "value": fmt.notna()}).groupby("_file", sort=False).sum()
    empty = per_file[(per_file["value"] >= 2) & (per_file["dmy"] + per_file["iso"] == 0)]
    if len(empty):
        first = frame[(frame["_file"] == empty.index[0]) & fmt.notna()].iloc[0]
        raise InputError(f"column holds no dates (first value {first[col]!r}; expected dd/mm/yyyy)",
                         file=first["_file"], sheet=table, row=first["_row"], column=col)
    counts = per_file.reindex(frame["_file"])
    n_dmy, n_iso = counts["dmy"].to_numpy(), counts["iso"].to_numpy()
    mixed = (n_dmy > 0) & (n_iso > 0)
    iso_minority = mixed & (n_iso <= n_dmy) & (fmt == "iso").to_numpy()
    dmy_minority = mixed & (n_iso > n_dmy) & (fmt == "dmy").to_numpy()
    _record(account, table, frame, iso_minority, "mixed_date_formats", "fixed",
            "date written yyyy-mm-dd among dd/mm/yyyy dates; read as yyyy-mm-dd", col)
    _record(account, table, frame, dmy_minority, "mixed_date_formats", "fixed",
            "date written dd/mm/yyyy among yyyy-mm-dd dates; read as dd/mm/yyyy", col)
    for file in per_file.index[(per_file["iso"] > 0) & (per_file["dmy"] == 0)]:
        account.record(file, table, "-", "iso_dates", "warning",
                       f"dates in {col} are written yyyy-mm-dd (DfE uses dd/mm/yyyy); read as such", col)
    bad = (fmt == "bad").to_numpy()
    if KEY_DATE.get(table) == col:
        missing = bad | fmt.isna().to_numpy()
        _record(account, table, frame, missing, "invalid_date", "rejected",
                f"{col} is blank or not a date: the row cannot be placed in time", col)
        frame, out, dates = frame[~missing], out[~missing], dates[~missing]
    else:
        _record(account, table, frame, bad, "invalid_date", "warning", f"{col} is not a date; set to blank", col)
    out = out.copy()
    out[col] = dates
    return frame, out


def _numbers(account, table, frame, values, col):
    number = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & (number.isna() | (number != number.round()))
    _record(account, table, frame, bad.to_numpy(), "invalid_number", "warning",
            f"{col} should be a whole number; set to blank", col)
    as_int = number.where(~bad).astype("Float64").astype("Int64")
    text = as_int.astype(str).where(as_int.notna())
    reformatted = values.notna() & ~bad & (text != values)
    _record(account, table, frame, reformatted.to_numpy(), "number_format", "fixed",
            f"{col} written as a decimal (e.g. '1.0'); read as a whole number", col)
    if col in FLAG_COLUMNS.get(table, []):
        not_flag = as_int.notna() & ~as_int.isin([0, 1])
        _record(account, table, frame, not_flag.to_numpy(), "unknown_code", "warning",
                f"{col} should be 0 or 1; set to blank", col)
        text = text.where(~not_flag)
    return text.astype(object).where(text.notna(), None)


def _codes(account, table, frame, values, col):
    allowed = CODE_LISTS[(table, col)]
    if col == "SEX":
        decimal = values.str.fullmatch(r"[12]\.0+").fillna(False)
        _record(account, table, frame, decimal.to_numpy(), "number_format", "fixed",
                "SEX written as a decimal (e.g. '1.0'); read as 1 or 2", col)
        values = values.where(~decimal, values.str[0])
        unknown = values.notna() & ~values.isin(list(allowed))
        _record(account, table, frame, unknown.to_numpy(), "unknown_code", "warning",
                "SEX should be 1 (male) or 2 (female), or M/F/U from 2024-25; set to blank", col)
        return values.where(~unknown)
    unknown = values.notna() & ~values.isin(list(allowed))
    if col == "MISSING":
        return values.where(~unknown)  # rejected by the caller: the kind is the record's identity
    _record(account, table, frame, unknown.to_numpy(), "unknown_code", "warning",
            f"{col} code not in DfE's list; kept as written", col)
    return values
