"""Reading DfE's and ONS's published CSV files as they are downloaded.

DfE's explore-education-statistics files share one layout (``time_period``,
``geographic_level``, ``old_la_code``, ``new_la_code``, ...) and a set of symbols in place
of numbers: ``c`` (suppressed: a count of 1 to 5, or derived from one), ``x`` (not
available), ``z`` (not applicable), ``u`` (low reliability, withheld), ``k`` (below 0.5 but
not zero), and LAIT's ``-``. A user's download may also carry a byte-order mark, codes in
quotes or as Excel ``="343"`` text, and thousands separators. This module turns a cell
into (value, status, symbol) without losing which symbol DfE used, so that a suppressed
value is never shown as zero.

Each file is found by a name pattern (a user may download next year's edition, whose name
ends ``_2013_to_2026``); a missing or renamed file raises ``InputError`` naming it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

OK, SUPPRESSED, NOT_AVAILABLE = "ok", "suppressed", "not_available"
STATUSES = (OK, SUPPRESSED, NOT_AVAILABLE)

# DfE's symbols (https://www.gov.uk/government/statistics/... "symbols used") and LAIT's.
SUPPRESSED_SYMBOLS = frozenset({"c"})
NOT_AVAILABLE_SYMBOLS = frozenset({"x", "z", "u", "-", "..", ".", ":", "", "na", "n/a", "low", "k"})
# ``k`` (less than 0.5, not zero) has no usable number: treated as not available unless the
# caller can recompute the figure from published counts.

GEOGRAPHY = {"national": "england", "regional": "region", "local authority": "la"}
ENGLAND_CODE = "E92000001"


@dataclass(frozen=True)
class SourceFile:
    """One published file the loaders know: how to find it and where users get it."""

    key: str
    patterns: tuple[str, ...]  # glob patterns, matched case-insensitively; latest name wins
    title: str
    publication: str  # where a user downloads it (see docs/reference-data.md)
    columns: tuple[str, ...]  # required columns (lower case)
    many: bool = False  # several files (one per release) may match


def _fold(name: str) -> str:
    return name.lower()


def find_files(folder: Path, source: SourceFile) -> list[Path]:
    """Files in ``folder`` matching the source's patterns (case-insensitive)."""
    if not folder.is_dir():
        raise InputError(f"reference folder not found (expected DfE's published files for "
                         f"{source.title} here)", file=folder)
    names = {p.name: p for p in folder.iterdir() if p.is_file()}
    hits: list[Path] = []
    for pattern in source.patterns:
        rx = re.compile(_glob_to_regex(pattern), re.IGNORECASE)
        hits += [p for n, p in names.items() if rx.fullmatch(n) and p not in hits]
    return sorted(hits, key=lambda p: p.name)


def find_file(folder: Path, source: SourceFile) -> Path:
    """The single file for ``source`` (the latest-named if several), or a clear InputError."""
    hits = find_files(folder, source)
    if not hits:
        raise missing_file_error(folder, source)
    return hits[-1]


def missing_file_error(folder: Path, source: SourceFile) -> InputError:
    expected = source.patterns[0]
    csvs = sorted(p.name for p in folder.iterdir() if p.suffix.lower() == ".csv") if folder.is_dir() else []
    close = difflib.get_close_matches(source.patterns[0].replace("*", ""), csvs, n=2, cutoff=0.5)
    hint = f"; found {', '.join(repr(c) for c in close)}: if that is it, rename it to match" if close else ""
    return InputError(
        f"missing file {expected!r} ({source.title}; download it from {source.publication}){hint}",
        file=folder / expected.replace("*", ""))


def _glob_to_regex(pattern: str) -> str:
    return "".join(".*" if ch == "*" else re.escape(ch) for ch in pattern)


def read_published_csv(path: Path, source: SourceFile | None = None) -> pd.DataFrame:
    """Read a published CSV as text: every cell a ``str``, BOM removed, column names folded
    to lower case and stripped. Blank lines are kept (as empty rows, for the loader to
    account for) so that ``_row`` is the line a user sees (header is row 1). Checks the
    source's required columns."""
    frame = None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding,
                                skip_blank_lines=False)
            break
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError:
            raise InputError("file is empty", file=path) from None
        except pd.errors.ParserError as exc:
            raise InputError(f"not a readable CSV ({exc})", file=path) from None
    if frame is None:
        raise InputError("file is neither UTF-8 nor Windows-1252 text", file=path)
    frame.columns = [_clean_header(c) for c in frame.columns]
    frame = frame.loc[:, [c for c in frame.columns if not c.startswith("unnamed:")]]
    frame = frame.fillna("")
    frame.insert(0, "_row", np.arange(2, len(frame) + 2))
    if source is not None:
        missing = [c for c in source.columns if c not in frame.columns]
        if missing:
            raise InputError(
                f"required column missing ({source.title}); the file has "
                f"{', '.join(frame.columns[1:12])}{'…' if len(frame.columns) > 12 else ''}",
                file=path, sheet=source.key, row=1, column=missing[0])
    return frame


def _clean_header(name: str) -> str:
    return str(name).replace("\ufeff", "").strip().strip('"').strip().lower()


def _by_unique(fn):
    """Apply a text parser to each distinct cell once (published files repeat the same
    years, codes and symbols thousands of times), then spread the result back."""
    def wrapper(s: pd.Series):
        codes, uniques = pd.factorize(s.astype("str"), use_na_sentinel=False)
        result = fn(pd.Series(np.asarray(uniques, dtype=object), dtype="str"))
        if isinstance(result, pd.DataFrame):
            out = result.iloc[codes].reset_index(drop=True)
            out.index = s.index
            return out
        return pd.Series(result.to_numpy()[codes], index=s.index, dtype=result.dtype)
    wrapper.__doc__ = fn.__doc__
    wrapper.__name__ = fn.__name__
    return wrapper


@_by_unique
def clean_text(s: pd.Series) -> pd.Series:
    """Strip whitespace, surrounding quotes and Excel's ``="..."`` text wrapper."""
    t = s.astype("str").str.strip()
    t = t.str.replace(r'^="?(.*?)"?$', r"\1", regex=True)
    return t.str.strip().str.strip('"').str.strip()


@_by_unique
def clean_code(s: pd.Series) -> pd.Series:
    """An LA or region code: cleaned text, ``343.0`` (a spreadsheet's number) back to ``343``."""
    t = clean_text(s)
    return t.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)


@_by_unique
def parse_published(s: pd.Series) -> pd.DataFrame:
    """Turn published cells into ``value`` (float, NaN unless a number), ``status``
    (ok / suppressed / not_available) and ``symbol`` (the symbol DfE printed, or '').
    Text that is neither a number nor a known symbol gets status ``not_available`` and
    symbol ``?``: the caller records it in the load account."""
    t = clean_text(s)
    numeric = t.str.replace(",", "", regex=False).str.replace("%", "", regex=False).str.strip()
    value = pd.to_numeric(numeric, errors="coerce").astype("float64")
    low = t.str.lower()
    is_num = value.notna().to_numpy()
    is_sup = low.isin(SUPPRESSED_SYMBOLS).to_numpy()
    is_na = low.isin(NOT_AVAILABLE_SYMBOLS).to_numpy()
    status = np.select([is_num, is_sup, is_na], [OK, SUPPRESSED, NOT_AVAILABLE], NOT_AVAILABLE)
    symbol = np.where(is_num, "", np.where(is_sup | is_na, low.to_numpy(dtype=object), "?"))
    return pd.DataFrame({"value": value.to_numpy(), "status": status, "symbol": symbol},
                        index=s.index)


def combine_status(*statuses: pd.Series | np.ndarray) -> np.ndarray:
    """Status of a figure derived from several published cells: suppressed if any input
    was suppressed, else not available if any was, else ok."""
    arrays = [np.asarray(s, dtype=object) for s in statuses]
    any_sup = np.logical_or.reduce([a == SUPPRESSED for a in arrays])
    any_na = np.logical_or.reduce([a == NOT_AVAILABLE for a in arrays])
    return np.where(any_sup, SUPPRESSED, np.where(any_na, NOT_AVAILABLE, OK))


def round_half_up(x, dp: int):
    """Round as DfE's publications do (half away from zero), not numpy's half-to-even.
    The tiny nudge keeps 51.45 (stored as 51.4499999…) rounding up as it does on paper."""
    x = np.asarray(x, dtype="float64")
    f = 10.0 ** dp
    return np.sign(x) * np.floor(np.abs(x) * f + 0.5 + 1e-9) / f


@_by_unique
def parse_year(s: pd.Series) -> pd.Series:
    """``time_period`` as the calendar year in which the statistical year ends: 2025 stays
    2025; a financial-year form ``202425`` or ``2024-25`` becomes 2025."""
    t = clean_text(s)
    four = t.str.fullmatch(r"\d{4}")
    fy = t.str.extract(r"^(\d{4})[-/]?(\d{2})$")
    start = pd.to_numeric(fy[0], errors="coerce")
    year = pd.to_numeric(t.where(four), errors="coerce").fillna(start + 1)
    return year.astype("Int64")
