"""Cleaning spreadsheet cells: headers, identifiers, dates, numbers and codes.

Annex A workbooks are exported from three case-management systems and then edited by hand,
so one column can hold real Excel dates, serial numbers and ``dd/mm/yyyy`` text side by
side, codes can be lettered ("q) 6: Police"), bare ("6") or labels ("Police"), and text
carries non-breaking spaces and curly quotes. Each parser returns the clean values and a
mask of cells it could not read, so the reader can account for every one.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import numpy as np
import pandas as pd

from .spec import CodeSet

EXCEL_ERRORS = frozenset({"#N/A", "#N/A N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?",
                          "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"})

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                         "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
                         "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2013": "-", "\u2014": "-",
                         "\ufeff": ""})


def clean_text(text: str) -> str:
    """Unicode-normalise one string: straight quotes, ordinary spaces, no padding."""
    text = unicodedata.normalize("NFKC", str(text)).translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip()


def norm_header(text) -> str:
    """A header reduced to lower-case words: brackets, quotes and punctuation removed, so
    "Date of Referral " and "date of referral" and "Date of referral (dd/mm/yyyy)" agree."""
    if text is None:
        return ""
    text = clean_text(text).lower()
    text = re.sub(r"\(?dd/mm/yy(yy)?\)?", " ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def text_values(values: pd.Series) -> pd.Series:
    """Cells as clean strings (``str`` dtype); empty strings become missing."""
    s = values.astype(object).where(values.notna(), None)
    out = s.map(lambda v: None if v is None else clean_text(v), na_action="ignore")
    out = out.where(out.astype(object) != "", None)
    return out.astype("str")


_blank_cell = np.frompyfunc(lambda v: v is None or (isinstance(v, str) and not v.strip())
                            or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT, 1, 1)
_error_cell = np.frompyfunc(lambda v: isinstance(v, str) and v.strip().upper() in EXCEL_ERRORS, 1, 1)


def blank_cells(values: np.ndarray) -> np.ndarray:
    """Boolean array: which cells (any shape) are empty, whitespace or missing."""
    values = np.asarray(values, dtype=object)
    return _blank_cell(values).astype(bool) if values.size else np.zeros(values.shape, dtype=bool)


def is_blank(values: pd.Series) -> pd.Series:
    return pd.Series(blank_cells(values.to_numpy(dtype=object)), index=values.index)


def excel_errors(values: pd.Series) -> pd.Series:
    arr = values.to_numpy(dtype=object)
    out = _error_cell(arr).astype(bool) if arr.size else np.zeros(0, dtype=bool)
    return pd.Series(out, index=values.index)


# -- identifiers and names -------------------------------------------------------------------
def ids(values: pd.Series) -> pd.Series:
    """Child identifiers as text: 9212044 and 9212044.0 both become "9212044" (Excel stores
    numbers as floats); text keeps leading zeros."""
    s = values.astype(object)
    integral = s.map(lambda v: isinstance(v, (int, float, np.integer, np.floating))
                     and not isinstance(v, bool) and float(v).is_integer())
    s = s.where(~integral, s[integral].map(lambda v: str(int(v))))
    return text_values(s)


_NO_ONE = re.compile(r"^(unallocated|not allocated|none|n/?a|no worker|no team|-+|\.+|0)$", re.I)


def names(values: pd.Series) -> pd.Series:
    """Team and worker names; "Unallocated", "N/A" and similar mean nobody."""
    s = text_values(values)
    return s.where(~s.fillna("").str.match(_NO_ONE), None).astype("str")


# -- numbers -----------------------------------------------------------------------------------
def ints(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Whole numbers >= 0 (counts); returns (values as Int64, mask of unreadable cells)."""
    blank = is_blank(values)
    raw = values.astype(object).where(~blank, None)
    text = raw.map(lambda v: clean_text(v) if isinstance(v, str) else v, na_action="ignore")
    num = pd.to_numeric(text.where(~text.map(lambda v: isinstance(v, bool)), None), errors="coerce")
    ok = num.notna() & (num >= 0) & (num == np.floor(num.fillna(0)))
    bad = ~blank & ~ok
    return num.where(ok).astype("Int64"), bad


# -- dates -------------------------------------------------------------------------------------
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_FIRST, _LAST = pd.Timestamp("1900-01-01"), pd.Timestamp("2100-12-31")
_TEXT_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d-%m-%y", "%d.%m.%y",
                 "%Y/%m/%d", "%d %b %Y", "%d %B %Y", "%d-%b-%Y", "%d-%b-%y", "%d %b %y", "%Y%m%d")
_TIME_SUFFIX = re.compile(r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$")


def serial_to_date(serials: pd.Series) -> pd.Series:
    """Excel serial day numbers (1900 date system) to dates; fractions (times) dropped."""
    days = np.floor(pd.to_numeric(serials, errors="coerce"))
    return (EXCEL_EPOCH + pd.to_timedelta(days, unit="D")).astype("datetime64[us]")


def dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates from real Excel dates, serial numbers or UK-style text (``dd/mm/yyyy`` and the
    other layouts exports use). American month-first text is not guessed at.

    Returns (datetime64[us] at midnight, mask of non-blank cells that are not a date between
    1900 and 2100).
    """
    s = values.astype(object)
    blank = is_blank(s)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")

    is_dt = s.map(lambda v: isinstance(v, (dt.date, pd.Timestamp)))
    if is_dt.any():
        out[is_dt] = pd.to_datetime(s[is_dt].map(lambda v: pd.Timestamp(v)), errors="coerce")

    is_num = s.map(lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool))
    if is_num.any():
        out[is_num] = serial_to_date(s[is_num].astype(float))

    is_str = ~blank & s.map(lambda v: isinstance(v, str))
    if is_str.any():
        text = s[is_str].map(clean_text).str.replace(_TIME_SUFFIX, "", regex=True)
        parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
        for fmt in _TEXT_FORMATS:
            todo = parsed.isna()
            if not todo.any():
                break
            parsed[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        serial_text = parsed.isna() & text.str.fullmatch(r"\d{3,5}(\.\d+)?")
        if serial_text.any():
            parsed[serial_text] = serial_to_date(text[serial_text].astype(float))
        out[is_str] = parsed

    out = out.dt.normalize()
    out = out.where((out >= _FIRST) & (out <= _LAST))
    bad = ~blank & out.isna()
    return out.astype("datetime64[us]"), bad


# -- codes -------------------------------------------------------------------------------------
_LETTER = re.compile(r"^\(?([a-z]{1,2}\d?)\)\s*", re.I)
_SEPARATOR = re.compile(r"\s*:\s*|\s+-\s+")


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", clean_text(text).lower())


def _strip_letter(text: str) -> str:
    return _LETTER.sub("", clean_text(text), count=1)


def _lookup(codeset: CodeSet) -> tuple[dict, dict, dict]:
    """(code keys, label keys, letter -> code) for one code set."""
    code_keys = {_key(code): code for code in codeset.text}
    labels: dict[str, str] = {}
    letters: dict[str, str] = {}
    for code, text in codeset.text.items():
        m = _LETTER.match(text)
        if m:
            letters[m.group(1).lower()] = code
        body = _strip_letter(text)
        labels[_key(body)] = code
        parts = _SEPARATOR.split(body, maxsplit=1)
        if len(parts) == 2:
            labels[_key(parts[1])] = code
    for code, label in codeset.labels.items():
        if code in codeset.text:
            labels.setdefault(_key(label), code)
    for alias, code in codeset.aliases.items():
        key = _key(_strip_letter(alias)) or _key(alias)
        labels[key] = code
        labels[_key(alias)] = code
    return code_keys, labels, letters


def code_of(text: str, codeset: CodeSet) -> str | None:
    """The canonical code one cell's text stands for, or None if it is not recognisable."""
    code_keys, labels, letters = _lookup_cached(codeset.name, codeset)
    raw = clean_text(text)
    body = _strip_letter(raw)
    if not body:
        m = _LETTER.match(raw)
        return letters.get(m.group(1).lower()) if m else None
    key = _key(body)
    if key in code_keys:
        return code_keys[key]
    parts = _SEPARATOR.split(body, maxsplit=1)
    head = _key(parts[0])
    if len(parts) == 2 and head in code_keys:
        return code_keys[head]
    if key in labels:
        return labels[key]
    if len(parts) == 2 and _key(parts[1]) in labels:
        return labels[_key(parts[1])]
    # A value that is only a known letter prefix with text we do not recognise is not
    # trusted: letters differ between versions of the workbook.
    return None


_CACHE: dict[str, tuple] = {}


def _lookup_cached(name: str, codeset: CodeSet):
    if name not in _CACHE:
        _CACHE[name] = _lookup(codeset)
    return _CACHE[name]


def code_values(values: pd.Series, codeset: CodeSet) -> tuple[pd.Series, pd.Series]:
    """Codes for a column; returns (codes as ``str``, mask of unrecognised non-blank cells).

    Work is per distinct value (a column has a handful), then mapped back vectorised."""
    s = values.astype(object)
    blank = is_blank(s)
    as_text = s.where(blank, s.map(lambda v: v if isinstance(v, str) else (
        str(int(v)) if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
        and float(v).is_integer() else str(v)), na_action="ignore"))
    distinct = pd.unique(as_text[~blank])
    mapping = {v: code_of(v, codeset) for v in distinct}
    out = as_text.where(blank, as_text.map(mapping))
    out = out.where(~blank, None)
    bad = ~blank & out.isna()
    return out.astype("str"), bad


def bools(values: pd.Series, codeset: CodeSet) -> tuple[pd.Series, pd.Series]:
    """Yes / No / Unknown cells as nullable booleans (Unknown is missing, not an error)."""
    s = values.astype(object)
    real_bool = s.map(lambda v: isinstance(v, (bool, np.bool_)))
    s = s.where(~real_bool, s.map(lambda v: "Y" if v is True or v is np.True_ else "N"))
    code, bad = code_values(s, codeset)
    out = code.map({"Y": True, "N": False}).astype("boolean")
    return out, bad
