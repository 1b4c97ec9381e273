"""The board-paper scorecard: one row per measure grouped by area, as a styled HTML table
for a pack and as an XLSX workbook, with the same columns in both.

Columns (the union of the seeds' scorecards): measure; good is (polarity); the month (or
the month end for a stock measure); rolling 12 and 6 months and year to date (SF24, RO15);
direction of travel month on month, judged by polarity, as arrow and word (RO15, SO19);
target; RAG as a coloured label that also says it in words; the latest published figures:
the authority's own, statistical neighbours' average, region (left out when it is the
same pool as England, as for fictional authorities), England; and the position against
the middle 50% of authorities (SF24: higher / in range / lower).

The figure the RAG rating and direction of travel judge (the target's period, e.g. the
rolling 12 months for re-referrals) is in bold. Suppressed figures are already "c" in the
scorecard (``assessment.build_scorecard`` applied the audience); nothing here re-derives a
number. Measures that share out a total (duration bands, outcomes, categories, placement
types) are distributions, not scorecard lines: they are left out. Measures not available
are listed under the table with the reason, not shown as rows of blanks.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from csc_workbench.measures.catalogue import AREA_TITLES, AREAS
from csc_workbench.measures.export import SHARE_ONLY
from csc_workbench.privacy import format_value

POLARITY_TEXT = {"high": "Higher", "low": "Lower", "range": "In range", "none": "\u2013"}
MID50_TEXT = {"above": "Higher", "within": "In range", "below": "Lower"}
# GOV.UK tag colours: dark text on a light tint (contrast above 7:1), readable in print.
RAG_STYLE = {
    "green": ("#cce2d8", "#005a30"), "good": ("#cce2d8", "#005a30"), "outstanding": ("#bfe3e0", "#10403c"),
    "amber": ("#fff7bf", "#594d00"), "ri": ("#fff7bf", "#594d00"),
    "red": ("#f4cdc6", "#942514"), "inadequate": ("#f4cdc6", "#942514"),
}
NOT_APPLICABLE = "\u2013"
# A headline period -> the column that shows it.
HEADLINE_COLUMN = {"month": "month", "snapshot": "month", "quarter": "month", "year": "month",
                   "rolling_12m": "rolling_12m", "rolling_6m": "rolling_6m", "ytd": "ytd"}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    numeric: bool = True


def columns(scorecard: pd.DataFrame) -> list[Column]:
    """The scorecard's columns for this table (headers name the month and the year the
    benchmarks are from; Region only when it differs from England somewhere)."""
    month = pd.Timestamp(scorecard["month"].iloc[0]) if len(scorecard) else None
    year = _benchmark_year(scorecard)
    published = f"Published {year}" if year else "Published"
    cols = [Column("measure", "Measure", False), Column("good", "Good is", False),
            Column("month", f"{month:%b %Y}" if month is not None else "Month"),
            Column("rolling_12m", "Rolling 12 months"), Column("rolling_6m", "Rolling 6 months"),
            Column("ytd", "Year to date"), Column("dot", "Direction of travel", False),
            Column("target", "Target", False), Column("rag", "RAG", False),
            Column("la_value", published), Column("sn_average", "Stat. neighbours")]
    if _region_differs(scorecard):
        cols.append(Column("region", "Region"))
    cols += [Column("england", "England"), Column("mid50", "Compared to mid-50%", False)]
    return cols


def _benchmark_year(scorecard: pd.DataFrame) -> str | None:
    if "benchmark_year" not in scorecard.columns:
        return None
    years = pd.to_numeric(scorecard["benchmark_year"], errors="coerce").dropna()
    if years.empty:
        return None
    y = int(years.max())
    return f"{y - 1}-{str(y)[2:]}"


def _region_differs(scorecard: pd.DataFrame) -> bool:
    if "region" not in scorecard.columns:
        return False
    r = pd.to_numeric(scorecard["region"], errors="coerce")
    e = pd.to_numeric(scorecard["england"], errors="coerce")
    both = r.notna() & e.notna()
    return bool(r.notna().any()) and bool(((r - e).abs()[both] > 1e-9).any() or (r.notna() & e.isna()).any())


def shown_rows(scorecard: pd.DataFrame) -> pd.DataFrame:
    """The rows a scorecard lists: not a distribution (SHARE_ONLY), and a figure or a
    suppressed figure for the month."""
    keep = ~scorecard["measure"].isin(list(SHARE_ONLY)) & (scorecard["status"] != "not_available")
    rows = scorecard[keep]
    rank = rows["area"].map({a: i for i, a in enumerate(AREAS)}).fillna(len(AREAS))
    return rows.iloc[np.argsort(rank.to_numpy(), kind="stable")]  # areas in catalogue order


def missing_rows(scorecard: pd.DataFrame) -> pd.DataFrame:
    """Measures with no figure for the month, with the reason (``note``)."""
    keep = ~scorecard["measure"].isin(list(SHARE_ONLY)) & (scorecard["status"] == "not_available")
    return scorecard[keep]


def _is_missing(x) -> bool:
    return x is None or (isinstance(x, float) and np.isnan(x))


def cells(row: dict, cols: list[Column]) -> dict[str, dict]:
    """One scorecard row as cells: {key: {"text", "value" (float or None), "unit",
    "bold", "rag"}}. ``value`` is the number behind the text (None for text cells and for
    'c' / 'n/a'), for a workbook to store numbers as numbers."""
    unit = row.get("unit")
    stock = row.get("kind") == "stock" or row.get("headline_period") == "snapshot"
    headline = HEADLINE_COLUMN.get(row.get("headline_period"), "month")
    out: dict[str, dict] = {}

    def num(key, value, status, u=unit, bold=False):
        text = format_value(value, u, status)
        v = None if status in ("suppressed", "not_available") or _is_missing(value) else float(value)
        out[key] = {"text": text, "value": v, "unit": u, "bold": bold}

    out["measure"] = {"text": str(row.get("title") or row.get("measure")), "value": None}
    out["good"] = {"text": POLARITY_TEXT.get(row.get("polarity"), NOT_APPLICABLE), "value": None}
    if row.get("headline_period") in ("snapshot", "quarter", "year"):
        num("month", row.get("value"), row.get("status"), bold=True)
    else:
        num("month", row.get("value_month"), _status_of(row, "month"), bold=headline == "month")
    for p in ("rolling_12m", "rolling_6m", "ytd"):
        if stock or row.get("kind") == "manual":
            out[p] = {"text": NOT_APPLICABLE, "value": None}
        else:
            num(p, row.get(f"value_{p}"), _status_of(row, p), bold=headline == p)
    out["dot"] = {"text": row.get("dot_month_label") or NOT_APPLICABLE, "value": None}
    out["target"] = {"text": row.get("target_text") or "", "value": None}
    out["rag"] = {"text": row.get("rag_label") or "", "value": None, "rag": row.get("rag")}
    # Published figures: yearly totals for a count are not comparable with a month, so a
    # count shows only its own published total.
    for key in ("la_value", "sn_average", "region", "england"):
        if unit == "count" and key != "la_value":
            out[key] = {"text": NOT_APPLICABLE, "value": None}
            continue
        value = row.get(key)
        status = "ok"
        if key == "la_value" and row.get("la_status") not in (None, "ok"):
            status = "suppressed" if row.get("la_status") == "suppressed" else "not_available"
        if _is_missing(value) and status == "ok":
            out[key] = {"text": NOT_APPLICABLE, "value": None}
        else:
            num(key, value, status)
    pos = row.get("mid50_position")
    out["mid50"] = {"text": MID50_TEXT.get(pos, NOT_APPLICABLE) if unit != "count" else NOT_APPLICABLE,
                    "value": None}
    return {c.key: out[c.key] for c in cols}


def _status_of(row: dict, period: str) -> str:
    text = row.get(f"display_{period}")
    if text == "c":
        return "suppressed"
    if _is_missing(row.get(f"value_{period}")):
        return "not_available"
    return "ok"


# --------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------
CSS = """
<style>
.csc-header, .csc-main, .csc-footer { max-width: 1180px; }
.csc-scorecard { border-collapse: collapse; font-size: 0.78rem; margin: 8px 0 6px; width: 100%; }
.csc-scorecard th, .csc-scorecard td { padding: 4px 6px; border-bottom: 1px solid #b1b4b6; vertical-align: top; }
.csc-scorecard thead th { border-bottom: 2px solid #0b0c0c; text-align: right; font-weight: bold;
  vertical-align: bottom; }
.csc-scorecard thead th.csc-text { text-align: left; }
.csc-scorecard td { text-align: right; white-space: nowrap; }
.csc-scorecard td.csc-text { text-align: left; white-space: normal; }
.csc-scorecard td.csc-measure { min-width: 15em; max-width: 22em; }
.csc-scorecard td.csc-target { white-space: normal; min-width: 7em; }
.csc-scorecard tr.csc-area th { text-align: left; background: #f3f2f1; font-size: 0.85rem; padding-top: 8px;
  border-bottom: 1px solid #0b0c0c; }
.csc-scorecard td.csc-bold { font-weight: bold; }
.csc-scorecard td.csc-rag { white-space: normal; font-weight: bold; min-width: 6em; }
.csc-scorecard td.csc-bench { color: #383f43; }
.csc-scorecard th.csc-bench { color: #383f43; }
.csc-scorecard-notes { font-size: 0.8rem; color: #505a5f; max-width: none; }
@media print { .csc-scorecard { font-size: 7.5pt; } .csc-scorecard tr { break-inside: avoid; } }
</style>
"""
BENCH_KEYS = ("la_value", "sn_average", "region", "england", "mid50")
TEXT_KEYS = ("measure", "good", "dot", "target", "rag", "mid50")


def _td(key: str, cell: dict) -> str:
    classes = []
    if key in TEXT_KEYS:
        classes.append("csc-text")
    if key == "measure":
        classes.append("csc-measure")
    if key == "target":
        classes.append("csc-target")
    if cell.get("bold"):
        classes.append("csc-bold")
    if key in BENCH_KEYS:
        classes.append("csc-bench")
    style = ""
    if key == "rag":
        classes.append("csc-rag")
        colours = RAG_STYLE.get(cell.get("rag"))
        if colours:
            style = f' style="background:{colours[0]};color:{colours[1]}"'
    cls = f' class="{" ".join(classes)}"' if classes else ""
    return f"<td{cls}{style}>{html.escape(str(cell['text']))}</td>"


def scorecard_html(scorecard: pd.DataFrame, *, caption: str | None = None, notes: list[str] | None = None) -> str:
    """The scorecard as one HTML table (with its style and notes), grouped by area."""
    rows = shown_rows(scorecard)
    cols = columns(scorecard)
    head = "".join(
        f'<th scope="col" class="{"csc-text" if not c.numeric else ""}'
        f'{" csc-bench" if c.key in BENCH_KEYS else ""}">{html.escape(c.header)}</th>' for c in cols)
    body = []
    for area, group in rows.groupby("area", sort=False):
        body.append(f'<tr class="csc-area"><th colspan="{len(cols)}" scope="colgroup">'
                    f'{html.escape(AREA_TITLES.get(area, str(area)))}</th></tr>')
        for r in group.to_dict(orient="records"):
            cs = cells(r, cols)
            body.append("<tr>" + "".join(_td(k, cs[k]) for k in cs) + "</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    out = [CSS, f'<table class="csc-scorecard">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>']
    all_notes = list(notes or []) + default_notes(scorecard)
    if all_notes:
        out.append('<div class="csc-scorecard-notes">' + "".join(f"<p>{html.escape(n)}</p>" for n in all_notes)
                   + "</div>")
    return "\n".join(out)


def default_notes(scorecard: pd.DataFrame) -> list[str]:
    notes = ["Bold: the figure the RAG rating and direction of travel judge (the period the target is set "
             "for). Direction of travel compares it with the month before: the arrow shows which way the "
             "number moved, the word whether that is better or worse; a change under 10% is 'similar'. "
             "Rates are per 10,000 children aged 0-17, annualised. \u2013: not applicable."]
    if (scorecard["status"] == "suppressed").any():
        notes.append("c: fewer than 6 children, so the figure is not shown (DfE's convention for shared "
                     "statistics).")
    missing = missing_rows(scorecard)
    if len(missing):
        items = [f"{r['title']} ({_reason(r.get('note'))})" for r in missing.to_dict(orient="records")]
        notes.append("Not available this month: " + "; ".join(items) + ".")
    return notes


def _reason(note) -> str:
    if not note:
        return "no figure"
    return str(note).replace("not available: ", "").replace("not computed for this authority", "not computed")


# --------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------
NUMBER_FORMATS = {"pct": "0.0%", "rate": "#,##0.0", "count": "#,##0", "days": "#,##0.0", "number": "#,##0.0"}


def write_scorecard_xlsx(scorecard: pd.DataFrame, path: str | Path, *, title: str, audience: str,
                         benchmark_source: str | None = None) -> Path:
    """The scorecard workbook: sheet 'Scorecard' (the page's table: numbers as numbers,
    percentages formatted as such, 'c' where suppressed, RAG cells coloured and labelled),
    'Definitions' (each measure's definition and what it tells us) and 'Notes'. Written
    atomically (a reader never opens half a workbook)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    path = Path(path)
    rows = shown_rows(scorecard)
    cols = columns(scorecard)
    wb = Workbook()
    ws = wb.active
    ws.title = "Scorecard"
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=14)
    marking = "OFFICIAL" if audience == "shared" else "OFFICIAL-SENSITIVE (internal)"
    ws["A2"] = (f"{marking}. " + ("Shared: aggregate figures only; counts of 1 to 5 children, and figures "
                                  "resting on them, shown as c." if audience == "shared"
                                  else "Internal: small numbers are not suppressed; do not share."))
    ws["A2"].font = Font(italic=True, size=9)
    header_row = 4
    thin = Side(style="thin", color="B1B4B6")
    for j, c in enumerate(cols, start=1):
        cell = ws.cell(row=header_row, column=j, value=c.header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="12436D")
        cell.alignment = Alignment(wrap_text=True, vertical="bottom",
                                   horizontal="left" if not c.numeric else "right")
    r = header_row + 1
    area_fill = PatternFill("solid", fgColor="F3F2F1")
    for area, group in rows.groupby("area", sort=False):
        ws.cell(row=r, column=1, value=AREA_TITLES.get(area, str(area))).font = Font(bold=True)
        for j in range(1, len(cols) + 1):
            ws.cell(row=r, column=j).fill = area_fill
        r += 1
        for rec in group.to_dict(orient="records"):
            cs = cells(rec, cols)
            for j, c in enumerate(cols, start=1):
                cell_spec = cs[c.key]
                value = cell_spec.get("value")
                if value is not None:
                    unit = cell_spec.get("unit")
                    # round() so 78.3% is stored as 0.783, not 0.7829999999999999
                    cell = ws.cell(row=r, column=j, value=round(value / 100, 12) if unit == "pct" else value)
                    cell.number_format = NUMBER_FORMATS.get(unit, "General")
                else:
                    cell = ws.cell(row=r, column=j, value=cell_spec["text"])
                    cell.alignment = Alignment(horizontal="left" if not c.numeric else "right",
                                               wrap_text=c.key in ("measure", "target", "rag"), vertical="top")
                if cell_spec.get("bold"):
                    cell.font = Font(bold=True)
                colours = RAG_STYLE.get(cell_spec.get("rag")) if c.key == "rag" else None
                if colours:
                    cell.fill = PatternFill("solid", fgColor=colours[0].lstrip("#").upper())
                    cell.font = Font(bold=True, color=colours[1].lstrip("#").upper())
                cell.border = Border(bottom=thin)
            r += 1
    widths = {"measure": 46, "good": 9, "dot": 14, "target": 24, "rag": 20, "mid50": 12}
    for j, c in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(j)].width = widths.get(c.key, 11)
    ws.row_dimensions[header_row].height = 32
    ws.freeze_panes = ws.cell(row=header_row + 1, column=2)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    r += 1
    for note in default_notes(scorecard) + ([f"Benchmarks: {benchmark_source}."] if benchmark_source else []):
        ws.cell(row=r, column=1, value=note).font = Font(italic=True, size=9)
        r += 1

    d = wb.create_sheet("Definitions")
    d.append(["Area", "Measure", "Good is", "Judged on", "Definition", "What it tells us"])
    for c in d[1]:
        c.font = Font(bold=True)
    for rec in rows.to_dict(orient="records"):
        d.append([AREA_TITLES.get(rec["area"], rec["area"]), rec["title"],
                  POLARITY_TEXT.get(rec["polarity"], NOT_APPLICABLE),
                  str(rec.get("headline_period") or "").replace("_", " "), rec.get("definition") or "",
                  rec.get("tells_us") or ""])
    for col, w in zip("ABCDEF", (22, 44, 9, 12, 80, 60)):
        d.column_dimensions[col].width = w
    for row in d.iter_rows(min_row=2):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    d.freeze_panes = "A2"

    n = wb.create_sheet("Notes")
    n.append(["Notes"])
    n["A1"].font = Font(bold=True)
    for note in default_notes(scorecard):
        n.append([note])
    if benchmark_source:
        n.append([f"Benchmarks: {benchmark_source}."])
    n.column_dimensions["A"].width = 120
    for row in n.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")

    return _save_atomically(wb, path)


def _save_atomically(wb, path: Path) -> Path:
    """Save beside the target and rename into place: a reader (or a crash) sees the old
    workbook or the new one, never half of one."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
