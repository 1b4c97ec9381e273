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


def _reject(account, raw, frame, mask, rule, message, column=None) -> pd.DataFrame:
    account.record_mask(raw.file, raw.table, frame, mask, rule, "rejected", message, column)
    return frame[~np.asarray(mask, dtype=bool)]


def clean_table(raw: RawTable, account: LoadAccount) -> pd.DataFrame:
    """Typed copy of ``raw``: DfE columns (dates as datetime64, codes upper-case, None for
    blank) plus ``_file``, ``_row``, ``_year`` (collection year if known) and ``_la``."""
    table, file = raw.table, raw.file
    frame = raw.frame.copy()
    account.read(file, table, len(frame))
    _warn_file(account, raw)
    for col in COLUMNS[table]:
        if col not in frame.columns:
            frame[col] = ""
    if table in NOT_CARRIED:
        _reject(account, raw, frame, np.ones(len(frame), bool), "not_in_canonical_model",
                f"the SSDA903 {table} table is not held in the canonical model; row not loaded")
        return frame.iloc[0:0]

    for col in COLUMNS[table]:
        frame[col] = frame[col].astype(str).str.strip()
    frame = _reject(account, raw, frame, frame["CHILD"] == "", "missing_child_id",
                    "no child identifier (CHILD)", "CHILD")
    frame = _reject(account, raw, frame, frame.duplicated(COLUMNS[table] + [c for c in ("YEAR",) if c in frame]),
                    "duplicate_row", "the same row appears earlier in the file")

    out = pd.DataFrame({"CHILD": frame["CHILD"]}, index=frame.index)
    for col in DATE_COLUMNS[table]:
        frame, out = _dates(account, raw, frame, out, col)
    codes = frame[[c for c in COLUMNS[table] if c not in DATE_COLUMNS[table] and c != "CHILD"]]
    for col in codes.columns:
        values = codes[col].str.upper().where(codes[col] != "")
        if col in FLAG_COLUMNS.get(table, []) or col in NUMBER_COLUMNS.get(table, []):
            values = _numbers(account, raw, frame, values, col)
        if (table, col) in CODE_LISTS:
            values = _codes(account, raw, frame, values, col)
        out[col] = values
    frame = frame.loc[out.index]
    if table == "missing":
        bad = out["MISSING"].isna()
        frame_bad = frame.assign(_row=frame["_row"])
        account.record_mask(file, table, frame_bad, bad, "unknown_code", "rejected",
                            "MISSING must be M (missing) or A (away without authorisation)", "MISSING")
        out, frame = out[~bad], frame[~bad]

    out["_file"] = file
    out["_row"] = frame["_row"]
    year = pd.to_numeric(frame["YEAR"], errors="coerce") if "YEAR" in frame.columns else None
    out["_year"] = (year if year is not None else pd.Series(np.nan, index=frame.index)).fillna(
        raw.path_year if raw.path_year is not None else np.nan).astype("Float64").astype("Int64")
    out["_la"] = frame["LA"].replace("", pd.NA) if "LA" in frame.columns else pd.NA
    return out.reset_index(drop=True)


def _dates(account, raw, frame, out, col):
    dates, fmt = parse_dates(frame[col])
    n_values = int(fmt.notna().sum())
    if n_values >= 2 and not fmt.isin(["dmy", "iso"]).any():
        first = frame.loc[fmt.notna()].iloc[0]
        raise InputError(f"column holds no dates (first value {first[col]!r}; expected dd/mm/yyyy)",
                         file=raw.file, sheet=raw.table, row=first["_row"], column=col)
    n_dmy, n_iso = int((fmt == "dmy").sum()), int((fmt == "iso").sum())
    if n_dmy and n_iso:
        minority = "iso" if n_iso <= n_dmy else "dmy"
        label = {"iso": "yyyy-mm-dd", "dmy": "dd/mm/yyyy"}
        majority = "dmy" if minority == "iso" else "iso"
        account.record_mask(raw.file, raw.table, frame, fmt == minority, "mixed_date_formats", "fixed",
                            f"date written {label[minority]} among {label[majority]} dates; read as "
                            f"{label[minority]}", col)
    elif n_iso:
        account.record(raw.file, raw.table, "-", "iso_dates", "warning",
                       f"dates in {col} are written yyyy-mm-dd (DfE uses dd/mm/yyyy); read as such", col)
    bad = (fmt == "bad").to_numpy()
    if KEY_DATE.get(raw.table) == col:
        account.record_mask(raw.file, raw.table, frame, bad | fmt.isna().to_numpy(), "invalid_date", "rejected",
                            f"{col} is blank or not a date: the row cannot be placed in time", col)
        keep = ~(bad | fmt.isna().to_numpy())
        frame, out, dates = frame[keep], out[keep], dates[keep]
    else:
        account.record_mask(raw.file, raw.table, frame, bad, "invalid_date", "warning",
                            f"{col} is not a date; set to blank", col)
    out = out.copy()
    out[col] = dates
    return frame, out


def _numbers(account, raw, frame, values, col):
    frame = frame.loc[values.index]
    number = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & (number.isna() | (number != number.round()))
    account.record_mask(raw.file, raw.table, frame, bad.to_numpy(), "invalid_number", "warning",
                        f"{col} should be a whole number; set to blank", col)
    as_int = number.where(~bad).astype("Float64").astype("Int64")
    text = as_int.astype(str).where(as_int.notna())
    reformatted = values.notna() & ~bad & (text != values)
    account.record_mask(raw.file, raw.table, frame, reformatted.to_numpy(), "number_format", "fixed",
                        f"{col} written as a decimal (e.g. '1.0'); read as a whole number", col)
    if col in FLAG_COLUMNS.get(raw.table, []):
        not_flag = as_int.notna() & ~as_int.isin([0, 1])
        account.record_mask(raw.file, raw.table, frame, not_flag.to_numpy(), "unknown_code", "warning",
                            f"{col} should be 0 or 1; set to blank", col)
        text = text.where(~not_flag)
    return text.astype(object).where(text.notna(), None)


def _codes(account, raw, frame, values, col):
    frame = frame.loc[values.index]
    allowed = CODE_LISTS[(raw.table, col)]
    unknown = values.notna() & ~values.isin(list(allowed))
    if col == "SEX":
        account.record_mask(raw.file, raw.table, frame, unknown.to_numpy(), "unknown_code", "warning",
                            "SEX should be 1 (male) or 2 (female); set to blank", col)
        return values.where(~unknown)
    if col == "MISSING":
        return values.where(~unknown)  # rejected by the caller: the kind is the record's identity
    account.record_mask(raw.file, raw.table, frame, unknown.to_numpy(), "unknown_code", "warning",
                        f"{col} code not in DfE's list; kept as written", col)
    return values
