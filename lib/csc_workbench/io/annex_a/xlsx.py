"""A small, fast .xlsx writer: one sheet per DataFrame, real dates, a bold frozen header.

Cells are built column by column with vectorised string operations and joined once, so
writing a large authority's Annex A costs seconds, not the minutes a cell-by-cell writer
takes. It writes only what Annex A needs: inline strings, numbers, booleans and dates
(serial numbers styled dd/mm/yyyy, which Excel, openpyxl and calamine all read as dates),
plus document properties (title, creator and custom properties).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pandas as pd

DATE_FORMAT = "dd/mm/yyyy"
_EPOCH = pd.Timestamp("1899-12-30")
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_INVALID_XML = r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
_DATE_STYLE, _HEADER_STYLE = 1, 2

_STYLES = (_HEAD + f'<styleSheet {_NS}>'
           f'<numFmts count="1"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/></numFmts>'
           '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
           '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill>'
           '<fill><patternFill patternType="gray125"/></fill></fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
           '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
           '</styleSheet>')


def column_letter(i: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        out = chr(65 + rem) + out
    return out


def _text(values: pd.Series) -> pd.Series:
    s = values.astype("str")
    s = s.str.replace("&", "&amp;", regex=False).str.replace("<", "&lt;", regex=False)
    return s.str.replace(">", "&gt;", regex=False).str.replace(_INVALID_XML, "", regex=True)


def _kind(col: pd.Series) -> str:
    if col.dtype.kind == "M":
        return "date"
    if col.dtype.kind == "b" or str(col.dtype) == "boolean":
        return "bool"
    if col.dtype.kind in "iuf" or str(col.dtype) in ("Int64", "Float64"):
        return "number"
    inferred = pd.api.types.infer_dtype(col, skipna=True)
    return {"integer": "number", "floating": "number", "mixed-integer-float": "number", "decimal": "number",
            "datetime64": "date", "datetime": "date", "date": "date", "boolean": "bool"}.get(inferred, "text")


def _cells(col: pd.Series, ref: pd.Series) -> pd.Series:
    """Each value of one column as a <c> element (empty string for a missing value)."""
    kind = _kind(col)
    present = col.notna().to_numpy()
    if kind == "date":
        days = ((pd.to_datetime(col) - _EPOCH) / pd.Timedelta(days=1)).astype("Float64")
        v = days.astype("str").str.replace(r"\.0$", "", regex=True)
        cells = '<c r="' + ref + f'" s="{_DATE_STYLE}"><v>' + v + "</v></c>"
    elif kind == "number":
        v = pd.to_numeric(col.astype(object).where(present, None), errors="coerce").astype("Float64")
        v = v.astype("str").str.replace(r"\.0$", "", regex=True)
        cells = '<c r="' + ref + '"><v>' + v + "</v></c>"
    elif kind == "bool":
        v = col.astype(object).where(present, False).astype(bool).map({True: "1", False: "0"}).astype("str")
        cells = '<c r="' + ref + '" t="b"><v>' + v + "</v></c>"
    else:
        cells = '<c r="' + ref + '" t="inlineStr"><is><t xml:space="preserve">' + _text(col) + "</t></is></c>"
    return cells.astype("str").where(present, "").fillna("")


def sheet_xml(frame: pd.DataFrame) -> str:
    n, ncol = len(frame), frame.shape[1]
    letters = [column_letter(j) for j in range(ncol)]
    header = "".join(
        f'<c r="{letters[j]}1" s="{_HEADER_STYLE}" t="inlineStr"><is><t xml:space="preserve">'
        f"{escape(str(h))}</t></is></c>" for j, h in enumerate(frame.columns))
    rows = [f'<row r="1">{header}</row>']
    if n:
        numbers = pd.Series(range(2, n + 2)).astype("str")
        body = pd.Series("", index=range(n), dtype="str")
        for j, name in enumerate(frame.columns):  # loop over columns, vectorised over rows
            col = frame.iloc[:, j].reset_index(drop=True)
            if col.notna().any():  # an empty column writes no cells
                body = body + _cells(col, letters[j] + numbers)
        rows.append("".join(('<row r="' + numbers + '">' + body + "</row>").tolist()))
    cols = f'<cols><col min="1" max="{max(ncol, 1)}" width="22" customWidth="1"/></cols>' if ncol else ""
    return (_HEAD + f"<worksheet {_NS} {_NS_R}><sheetViews><sheetView workbookViewId=\"0\">"
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/>{cols}<sheetData>{"".join(rows)}</sheetData></worksheet>')


def write_xlsx(path: Path, sheets: dict[str, pd.DataFrame], *, title: str | None = None,
               creator: str | None = None, custom: dict[str, str] | None = None) -> Path:
    path = Path(path)
    names = list(sheets)
    custom = custom or {}
    ct = ['<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
          '<Default Extension="xml" ContentType="application/xml"/>',
          '<Override PartName="/xl/workbook.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>',
          '<Override PartName="/xl/styles.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>',
          '<Override PartName="/docProps/core.xml" '
          'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>',
          '<Override PartName="/docProps/app.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>',
          '<Override PartName="/docProps/custom.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>']
    ct += [f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
           'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
           for i in range(1, len(names) + 1)]
    content_types = (_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                     + "".join(ct) + "</Types>")
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    root_rels = (_HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
                 '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
                 'metadata/core-properties" Target="docProps/core.xml"/>'
                 f'<Relationship Id="rId3" Type="{rel}/extended-properties" Target="docProps/app.xml"/>'
                 f'<Relationship Id="rId4" Type="{rel}/custom-properties" Target="docProps/custom.xml"/>'
                 "</Relationships>")
    workbook = (_HEAD + f"<workbook {_NS} {_NS_R}><bookViews><workbookView/></bookViews><sheets>"
                + "".join(f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
                          for i, name in enumerate(names, start=1))
                + "</sheets></workbook>")
    wb_rels = (_HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               + "".join(f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                         for i in range(1, len(names) + 1))
               + f'<Relationship Id="rId{len(names) + 1}" Type="{rel}/styles" Target="styles.xml"/>'
               "</Relationships>")
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    core = (_HEAD + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            + (f"<dc:title>{escape(title)}</dc:title>" if title else "")
            + (f"<dc:creator>{escape(creator)}</dc:creator>" if creator else "")
            + f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>')
    app = (_HEAD + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
           "<Application>csc-workbench</Application></Properties>")
    props = "".join(f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{i}" name={quoteattr(k)}>'
                    f"<vt:lpwstr>{escape(str(v))}</vt:lpwstr></property>"
                    for i, (k, v) in enumerate(custom.items(), start=2))
    custom_xml = (_HEAD + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
                  'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
                  + props + "</Properties>")
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", root_rels)
        z.writestr("docProps/core.xml", core)
        z.writestr("docProps/app.xml", app)
        z.writestr("docProps/custom.xml", custom_xml)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", wb_rels)
        z.writestr("xl/styles.xml", _STYLES)
        for i, name in enumerate(names, start=1):  # loop over sheets
            z.writestr(f"xl/worksheets/sheet{i}.xml", sheet_xml(sheets[name]))
    return path
