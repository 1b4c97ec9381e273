"""Scan output files for children's and workers' identifiers.

A shared pack holds aggregates only. This module is the check: collect every personal
identifier the warehouse holds for the authorities (``identifiers_from_warehouse``:
child IDs, dates of birth, worker names and every other column a table lists as
``identifying``), then look for them in every output file (``scan_outputs``): HTML pages,
XLSX workbooks (cell values read with openpyxl, plus the text of every other part of the
file: sheet names, comments, properties), executed notebooks (every string, outputs
included) and any other file as text.

How matching avoids false alarms, and what it therefore cannot see:

* Text is split into tokens (runs of letters and digits). An identifier matches only
  whole tokens, in sequence, with the same separators (whitespace counts as one space;
  letters' case is ignored). So child ``123`` is not found inside ``41234`` or ``A123``;
  ``Sam Lee`` is found in "worker: sam  lee" but not in "Samuel Leeds".
* A numeric identifier is not matched when it is part of a larger number written with a
  decimal point or thousands separator (``12.5``, ``.5``, ``3,123``): such tokens are figures.
  Very short numeric IDs (1-3 digits) still match any count equal to them: where an
  authority uses such IDs, expect hits on ordinary figures and read them.
* Dates are recognised in the forms a pack could show them (``2015-03-01`` also inside a
  timestamp, ``01/03/2015``, ``1/3/2015``, ``1 March 2015``, ``1st Mar 2015``) and
  compared as dates. Dates on the first or last day of a month are NOT reported: packs
  show those as period boundaries ("31 March 2025"), so a date of birth falling on one
  cannot be told from a period label. Excel date serial numbers are not searched in text
  (any five-digit figure would match); XLSX cells holding dates are read as dates.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)  # letters and digits (any script)
_MONTHS = {m.lower(): i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"], start=1)}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_DMY = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")
_LONG = re.compile(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})(?!\d)", re.IGNORECASE)
_DATE_SHAPES = (_ISO, _DMY, _LONG)
TEXT_SUFFIXES = {".html", ".htm", ".csv", ".txt", ".md", ".json", ".xml", ".js"}


@dataclass(frozen=True)
class Hit:
    path: Path
    kind: str  # "identifier" or "date"
    value: str  # the identifier as found in the warehouse (a date as YYYY-MM-DD)
    where: str  # "cell 7", "sheet 'Scorecard' B5", "xl/comments1.xml", "text"
    context: str  # the surrounding text, for a person to judge

    def __str__(self) -> str:
        return f"{self.path}: {self.kind} {self.value!r} at {self.where}: …{self.context}…"


# --------------------------------------------------------------------------------------
# What to look for
# --------------------------------------------------------------------------------------
def date_forms(day: dt.date) -> set[str]:
    """The ways a pack could print a date."""
    d = pd.Timestamp(day)
    return {d.strftime("%Y-%m-%d"), d.strftime("%d/%m/%Y"), f"{d.day}/{d.month}/{d.year}",
            f"{d.day} {d:%B %Y}", f"{d:%d %B %Y}", f"{d.day} {d:%b %Y}"}


def identifiers_from_warehouse(warehouse: Path | str, authorities: Iterable[str] | str | None = None) -> set[str]:
    """Every personal identifier the warehouse holds for ``authorities`` (None: all):
    the values of each column listed in a table's ``identifying`` (child IDs, dates of
    birth, worker names, postcodes), dates in every form a pack could print them."""
    from ..model.schemas import DATE, TABLES
    from ..model.warehouse import connect, list_tables

    if isinstance(authorities, str):
        authorities = [authorities]
    found: set[str] = set()
    with connect(warehouse, read_only=True) as con:
        present = set(list_tables(con))
        for name, table in TABLES.items():
            if not table.identifying or name not in present:
                continue
            for col in table.identifying:
                sql = f'SELECT DISTINCT "{col}" FROM "{name}" WHERE "{col}" IS NOT NULL'
                args: list = []
                if authorities is not None:
                    sql += " AND authority IN (SELECT unnest(?))"
                    args = [list(authorities)]
                values = [r[0] for r in con.execute(sql, args).fetchall()]
                if table.columns[col].dtype == DATE:
                    for v in values:
                        found |= date_forms(v)
                else:
                    found |= {str(v).strip() for v in values if str(v).strip()}
    return found


class _Needles:
    """Identifiers prepared for matching: dates as dates, the rest as token sequences,
    indexed by their first token so that a file is searched only for the identifiers
    whose first token it contains."""

    def __init__(self, identifiers: Iterable[str]):
        self.dates: dict[dt.date, str] = {}
        self.keys: dict[str, str] = {}
        self.numeric: set[str] = set()
        self.by_first: dict[str, list[str]] = {}
        for raw in identifiers:
            raw = str(raw).strip()
            if not raw:
                continue
            day = _parse_date_text(raw)
            if day is not None:
                self.dates[day] = day.isoformat()
                continue
            key, first = _key(raw)
            if not key:
                continue
            self.keys[key] = raw
            self.by_first.setdefault(first, []).append(key)
            if raw.isdigit():
                self.numeric.add(key)

    def pattern(self, tokens: set[str]) -> re.Pattern | None:
        """One regex for the identifiers that could occur in a text with these tokens."""
        keys = [k for t in tokens & self.by_first.keys() for k in self.by_first[t]]
        if not keys:
            return None
        parts = sorted({_key_regex(k) for k in keys}, key=len, reverse=True)
        return re.compile(r"(?<![^\W_])(?:" + "|".join(parts) + r")(?![^\W_])", re.IGNORECASE)


def _key(text: str) -> tuple[str, str]:
    """('a01-000123', 'a01') for 'A01-000123'; ('sam lee', 'sam') for 'Sam  LEE': tokens
    case-folded, joined by their separators (whitespace collapsed to one space)."""
    tokens = list(_TOKEN.finditer(text))
    if not tokens:
        return "", ""
    parts = [tokens[0].group().casefold()]
    for prev, tok in zip(tokens, tokens[1:]):
        sep = text[prev.end(): tok.start()]
        parts.append(" " if sep.isspace() else re.sub(r"\s+", " ", sep))
        parts.append(tok.group().casefold())
    return "".join(parts), parts[0]


def _key_regex(key: str) -> str:
    return r"\s+".join(re.escape(part) for part in key.split(" "))


def _parse_date_text(text: str) -> dt.date | None:
    for shape in _DATE_SHAPES:
        m = shape.fullmatch(text)
        if m:
            return _to_date(shape, m)
    return None


def _to_date(shape, m) -> dt.date | None:
    try:
        if shape is _ISO:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if shape is _DMY:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        month = _MONTHS.get(m[2].lower())
        return dt.date(int(m[3]), month, int(m[1])) if month else None
    except ValueError:
        return None


def _is_period_boundary(day: dt.date) -> bool:
    return day.day == 1 or (day + dt.timedelta(days=1)).day == 1


def _context(text: str, start: int, end: int, width: int = 40) -> str:
    return re.sub(r"\s+", " ", text[max(0, start - width): end + width])


# --------------------------------------------------------------------------------------
# Matching text
# --------------------------------------------------------------------------------------
def scan_text(text: str, needles: _Needles, path: Path, where: str) -> Iterator[Hit]:
    if needles.dates:
        for shape in _DATE_SHAPES:
            for m in shape.finditer(text):
                day = _to_date(shape, m)
                if day in needles.dates and not _is_period_boundary(day):
                    yield Hit(path, "date", needles.dates[day], where, _context(text, m.start(), m.end()))
    if not needles.keys:
        return
    pattern = needles.pattern(set(_TOKEN.findall(text.casefold())))
    if pattern is None:
        return
    for m in pattern.finditer(text):
        key, _ = _key(m.group())
        if key not in needles.keys:
            continue
        if key in needles.numeric and _inside_number(text, m.start(), m.end()):
            continue
        yield Hit(path, "identifier", needles.keys[key], where, _context(text, m.start(), m.end()))


def _inside_number(text: str, start: int, end: int) -> bool:
    """``123`` in ``12.123``, ``.123``, ``3,123`` or ``123.5`` is part of a figure, not an ID."""
    before, after = text[max(0, start - 2): start], text[end: end + 2]
    return (before.endswith(".")) or (len(before) == 2 and before[1] == "," and before[0].isdigit()) or \
           (len(after) == 2 and after[0] in ".," and after[1].isdigit())


# --------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------
def _strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif value is not None:
        yield str(value)


def _scan_ipynb(path: Path, needles: _Needles) -> Iterator[Hit]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb.get("cells", [])):
        # Outputs hold HTML (tables, charts): entities decoded as in a page.
        text = html_lib.unescape("\n".join(_strings({k: v for k, v in cell.items() if k != "id"})))
        yield from scan_text(text, needles, path, f"cell {i}")
    yield from scan_text("\n".join(_strings(nb.get("metadata", {}))), needles, path, "metadata")


def _scan_xlsx(path: Path, needles: _Needles) -> Iterator[Hit]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            yield from scan_text(ws.title, needles, path, f"sheet name {ws.title!r}")
            for row in ws.iter_rows():
                for cell in row:
                    v = cell.value
                    if v is None:
                        continue
                    where = f"sheet {ws.title!r} {getattr(cell, 'coordinate', '')}"
                    if isinstance(v, dt.datetime | dt.date):
                        day = v.date() if isinstance(v, dt.datetime) else v
                        if day in needles.dates and not _is_period_boundary(day):
                            yield Hit(path, "date", needles.dates[day], where, str(v))
                        continue
                    if isinstance(v, float) and v.is_integer():
                        v = int(v)
                    yield from scan_text(str(v), needles, path, where)
    finally:
        wb.close()
    # Everything else in the package: comments, names, properties, pivot caches...
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/sheet") or not name.endswith((".xml", ".rels", ".vml")):
                continue
            text = html_lib.unescape(re.sub(r"<[^>]+>", " ", zf.read(name).decode("utf-8", "replace")))
            yield from scan_text(text, needles, path, name)


def scan_file(path: Path, needles: _Needles) -> list[Hit]:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".ipynb":
        return list(_scan_ipynb(path, needles))
    if suffix in (".xlsx", ".xlsm"):
        return list(_scan_xlsx(path, needles))
    text = path.read_bytes().decode("utf-8", "replace")
    if suffix in (".html", ".htm", ".xml"):
        # Entities decoded so "O&#x27;Brien" reads as "O'Brien"; tags kept out of the way.
        text = html_lib.unescape(text)
    return list(scan_text(text, needles, path, "text"))


def _files(paths: Iterable[Path | str]) -> Iterator[Path]:
    for p in paths:
        p = Path(p)
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file())
        elif p.is_file():
            yield p
        else:
            raise FileNotFoundError(f"nothing to scan at {p}")


def scan_outputs(paths: Iterable[Path | str], identifiers: Iterable[str]) -> list[Hit]:
    """Every occurrence of an identifier in the files (folders are scanned recursively;
    every file is read: HTML, XLSX and notebooks by their structure, others as text)."""
    needles = identifiers if isinstance(identifiers, _Needles) else _Needles(identifiers)
    hits: list[Hit] = []
    for f in _files(paths):
        hits.extend(scan_file(f, needles))
    return hits
