"""Read SSDA903 files as they arrive (CSV tables or the XML form) into raw string tables.

Nothing here interprets values: every cell stays text so that the cleaning step can say
exactly which row and column held what. Each raw table carries ``_row``, the reference a
user can find in the file (CSV line number, or the XML path ``CHILD[12]/EPISODE[2]``).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from lxml import etree

from ...errors import InputError
from .spec import COLUMNS, LIIA_COLUMNS, REQUIRED, XML_ELEMENT, XML_RECORDS

SHARED_COLUMNS = {"CHILD", "DOB", "SEX"}  # in several tables: they do not identify one


@dataclass
class RawTable:
    """One table read from one file: every value a string ('' when blank)."""

    file: str
    table: str
    frame: pd.DataFrame  # DfE columns present + "_row" (+ "YEAR"/"LA" when liia-tools added them)
    path_year: int | None = None  # the year ending 31 March named in the file or folder name
    notes: list[tuple[str, str]] = field(default_factory=list)  # (rule, message) file-level warnings
    extra_columns: list[str] = field(default_factory=list)
    order: int = 0  # position of the file in the load (later files win ties between returns)


# -- file kinds -----------------------------------------------------------------------------
def sniff(path: Path) -> bool:
    """True when ``path`` looks like an SSDA903 file: a CSV whose header row names an SSDA903
    table's columns, or XML whose root element is EXPSSDA903. Reads only the first few KB."""
    path = Path(path)
    try:
        head = path.open("rb").read(4096)
    except OSError:
        return False
    if not head:
        return False
    if path.suffix.lower() == ".xml" or head.lstrip().startswith(b"<"):
        return b"<EXPSSDA903" in head
    try:
        text = _decode(head, partial=True)[0]
    except InputError:
        return False
    first = text.splitlines()[0] if text.splitlines() else ""
    sep = "," if "," in first else (";" if ";" in first else "\t")
    columns = {_normalise_column(c) for c in next(csv.reader([first], delimiter=sep), [])}
    if "CHILD" not in columns:
        return False
    try:
        _identify(columns, path)
    except InputError:
        return False
    return True


def year_from_path(path: Path) -> int | None:
    """The year ending 31 March named in a file or folder name: ``SSDA903_2020_episodes.csv``
    or ``.../2020/episodes.csv`` -> 2020; ``2019-20`` or ``2019_20`` -> 2020. The file name is
    looked at first, then its folder, then the folder above."""
    for part in (path.stem, path.parent.name, path.parent.parent.name):
        m = re.search(r"(?<!\d)(20\d\d)[-_ ]?(\d\d)(?!\d)", part)
        if m and (int(m.group(1)) + 1) % 100 == int(m.group(2)):
            return int(m.group(1)) + 1
        m = re.search(r"(?<!\d)(20\d\d)(?!\d)", part)
        if m:
            return int(m.group(1))
    return None


# -- CSV ------------------------------------------------------------------------------------
def _decode(data: bytes, partial: bool = False) -> tuple[str, list[tuple[str, str]]]:
    """Bytes to text, tolerating a byte-order mark, UTF-16 and Windows-1252; returns the text
    and notes (rule, message) saying what was assumed."""
    notes: list[tuple[str, str]] = []
    errors = "ignore" if partial else "strict"
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
        notes.append(("byte_order_mark", "file starts with a UTF-8 byte-order mark; ignored"))
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        notes.append(("encoding_utf16", "file is UTF-16 (DfE expects UTF-8 or ASCII); read as UTF-16"))
        return data.decode("utf-16", errors=errors), notes
    elif b"\x00" in data[:200]:
        # UTF-16 without a byte-order mark: every other byte of ASCII text is zero.
        enc = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        notes.append(("encoding_utf16", f"file is {enc.upper()} without a byte-order mark; read as such"))
        return data.decode(enc, errors=errors), notes
    try:
        return data.decode("utf-8", errors=errors), notes
    except UnicodeDecodeError:
        notes.append(("encoding_cp1252", "file is not UTF-8; read as Windows-1252"))
        return data.decode("cp1252", errors="replace"), notes


def _normalise_column(name: str) -> str:
    name = name.replace("\ufeff", "").replace("\u00a0", " ").strip().upper()
    return re.sub(r"\s+", "_", name)


def _identify(columns: set[str], path: Path | str) -> str:
    """Which SSDA903 table a set of (normalised) column names is: the table with the most of
    its own columns present. A table lacking a required column is an error naming it."""
    scores = {t: len((set(cols) - SHARED_COLUMNS) & columns) for t, cols in COLUMNS.items()}
    best = max(scores.values())
    if "CHILD" not in columns or best == 0:
        raise InputError(
            f"not an SSDA903 table: columns {sorted(columns)[:8]} match none of "
            f"{', '.join(COLUMNS)}", file=path, row=1)
    tops = [t for t, s in scores.items() if s == best]
    if len(tops) > 1:
        complete = [t for t in tops if set(REQUIRED[t]) <= columns]
        if len(complete) != 1:
            raise InputError(f"columns fit several SSDA903 tables ({', '.join(tops)})", file=path, row=1)
        tops = complete
    table = tops[0]
    missing = [c for c in REQUIRED[table] if c not in columns]
    if missing:
        raise InputError(f"required column missing (the file looks like the SSDA903 {table} table)",
                         file=path, sheet=table, row=1, column=missing[0])
    return table


def read_csv(path: Path) -> RawTable | None:
    """Read one SSDA903 CSV table. Returns None for a 0-byte file (the caller accounts for it)."""
    data = Path(path).read_bytes()
    if not data.strip(b"\x00\r\n\t \xef\xbb\xbf\xff\xfe"):
        return None
    text, notes = _decode(data)
    first_line = text.split("\n", 1)[0]
    sep = ","
    if "," not in first_line:
        # Spreadsheets set to another locale save "CSV" with semicolons (or tabs).
        sep = ";" if ";" in first_line else ("\t" if "\t" in first_line else ",")
        if sep != ",":
            notes.append(("delimiter", f"columns separated by {'semicolons' if sep == ';' else 'tabs'}, "
                                       "not commas; read as such"))
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                            skip_blank_lines=False, skipinitialspace=False)
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise InputError(f"cannot read as CSV: {exc}", file=path, row=int(m.group(1)) if m else None) from None
    except pd.errors.EmptyDataError:
        return None
    original = list(frame.columns)
    frame.columns = [_normalise_column(c) for c in original]
    table = _identify(set(frame.columns), path)
    # Line numbers as a spreadsheet shows them: the header is line 1.
    # Blank lines (",,,," or empty): candidates on the first column, then checked in full.
    blank = (frame.iloc[:, 0] == "").to_numpy() if len(frame.columns) else np.zeros(len(frame), bool)
    if blank.any():
        blank[blank] = (frame[blank] == "").all(axis=1).to_numpy()
    frame["_row"] = (frame.index + 2).astype(str)
    frame = frame[~blank]
    known = set(COLUMNS[table]) | set(LIIA_COLUMNS) | {"_row"}
    extra = [c for c in frame.columns if c not in known]
    return RawTable(file=str(path), table=table, frame=frame.reset_index(drop=True),
                    path_year=year_from_path(Path(path)), notes=notes, extra_columns=extra)


# -- XML ------------------------------------------------------------------------------------
def _xslt(table: str) -> etree.XSLT:
    """A stylesheet turning one table's records into tab-separated text, so that the XML is
    flattened by libxslt (C) rather than by a Python loop over children."""
    record = XML_RECORDS[table]
    parts = []
    for col in COLUMNS[table]:
        expr = "$child/HEADER/CHILDID" if col == "CHILD" else XML_ELEMENT.get((table, col), col)
        parts.append(f'<xsl:value-of select="normalize-space({expr})"/>')
    sep = '<xsl:text>&#9;</xsl:text>'
    row = (f'<xsl:text>CHILD[</xsl:text><xsl:value-of select="$i"/><xsl:text>]/{record.split("[")[0]}'
           f'[</xsl:text><xsl:value-of select="position()"/><xsl:text>]</xsl:text>')
    body = sep.join([row, *parts])
    return etree.XSLT(etree.XML(f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="utf-8"/>
<xsl:template match="/">
<xsl:for-each select="/*/CHILD"><xsl:variable name="i" select="position()"/><xsl:variable name="child" select="."/>
<xsl:for-each select="{record}">{body}<xsl:text>&#10;</xsl:text></xsl:for-each>
</xsl:for-each>
</xsl:template>
</xsl:stylesheet>"""))


_XSLTS: dict[str, etree.XSLT] = {}


def read_xml(path: Path) -> list[RawTable]:
    """Read the XML form of the return (root EXPSSDA903) into one raw table per SSDA903 table."""
    data = Path(path).read_bytes()
    if not data.strip():
        return []
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else exc.lineno
        raise InputError(f"XML is not well formed (truncated or damaged): {exc.msg}", file=path,
                         sheet="EXPSSDA903", row=line) from None
    if root.tag != "EXPSSDA903":
        raise InputError(f"not an SSDA903 XML file: root element is <{root.tag}>, expected <EXPSSDA903>",
                         file=path, row=getattr(root, "sourceline", None))
    tree = etree.ElementTree(root)
    out = []
    for table in XML_RECORDS:
        xslt = _XSLTS.setdefault(table, _xslt(table))
        text = str(xslt(tree))
        names = ["_row", *COLUMNS[table]]
        if text.strip():
            frame = pd.read_csv(io.StringIO(text), sep="\t", header=None, names=names, dtype=str,
                                keep_default_na=False, na_filter=False, quoting=csv.QUOTE_NONE)
        else:
            frame = pd.DataFrame({c: pd.Series(dtype=str) for c in names})
        frame = frame[[*COLUMNS[table], "_row"]]
        out.append(RawTable(file=str(path), table=table, frame=frame, path_year=year_from_path(Path(path))))
    return out
