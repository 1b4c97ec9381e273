"""The board scorecard as HTML and XLSX (presentation.scorecard_table) from hand-made rows."""

import re

import numpy as np
import openpyxl
import pandas as pd

from csc_workbench.presentation.scorecard_table import (columns, missing_rows, scorecard_html, shown_rows,
                                                        write_scorecard_xlsx)

MONTH = pd.Timestamp("2025-09-30")


def card_row(**over):
    base = {
        "month": MONTH, "area": "assessment", "measure": "assessment_45wd_pct",
        "title": "Assessments completed within 45 working days", "unit": "pct", "polarity": "high",
        "kind": "flow", "headline_period": "month", "value": 78.3, "status": "ok", "note": None,
        "value_month": 78.3, "value_rolling_12m": 76.1, "value_rolling_6m": 80.6, "value_ytd": 80.6,
        "display_month": "78.3%", "display_rolling_12m": "76.1%", "display_rolling_6m": "80.6%",
        "display_ytd": "80.6%", "dot_month_label": "\u2192 similar", "target_text": "\u2265 86.0% (amber \u2265 83.0%)",
        "rag": "red", "rag_label": "Off target", "benchmark_year": 2025.0, "la_value": 73.7, "la_status": "ok",
        "sn_average": 77.4, "region": 75.9, "england": 75.9, "mid50_position": "within",
        "definition": "Assessments completed in time / completed.", "tells_us": "Timeliness.",
    }
    base.update(over)
    return base


def row_cells(html, title):
    """The text of each cell of the table row whose first cell is ``title``."""
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)
    for r in rows:
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", r)
        if cells and cells[0] == title:
            return cells
    raise AssertionError(f"no row {title!r}")


def card():
    return pd.DataFrame([
        card_row(area="front_door", measure="rereferral_pct", title="Re-referrals within 12 months", polarity="low",
                 headline_period="rolling_12m", value=24.2, value_rolling_12m=24.2, display_rolling_12m="24.2%",
                 rag="amber", rag_label="Within tolerance", target_text="\u2264 23.0%", mid50_position="above"),
        card_row(),
        card_row(measure="assessment_bands", title="Assessment duration bands", value=100.0),  # a distribution
        card_row(area="adoption", measure="adoptions", title="Children adopted", unit="count", polarity="none",
                 value=np.nan, value_month=np.nan, status="suppressed", display_month="c", rag=None,
                 rag_label=None, target_text=None, la_value=19.0, sn_average=6.0, england=61.0, region=61.0,
                 mid50_position="above", value_rolling_12m=23.0, display_rolling_12m="23",
                 value_rolling_6m=14.0, display_rolling_6m="14", value_ytd=14.0, display_ytd="14"),
        card_row(area="looked_after", measure="cla_rate", title="Children looked after per 10,000 children",
                 unit="rate", polarity="none", kind="stock", headline_period="snapshot", value=92.2,
                 value_month=np.nan, rag=None, rag_label=None, target_text=None),
        card_row(area="workforce", measure="caseload_avg", title="Average caseload", status="not_available",
                 value=np.nan, note="not computed for this authority (it needs allocations.start_date)"),
    ])


def test_html_table_has_the_seed_columns_grouped_by_area():
    html = scorecard_html(card())
    headers = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', html)
    # Region equals England everywhere here (one pool): the column is left out.
    assert headers == ["Measure", "Good is", "Sep 2025", "Rolling 12 months", "Rolling 6 months", "Year to date",
                       "Direction of travel", "Target", "RAG", "Published 2024-25", "Stat. neighbours", "England",
                       "Compared to mid-50%"]
    areas = re.findall(r'<tr class="csc-area"><th[^>]*>([^<]*)</th>', html)
    assert areas == ["Front door", "Assessment", "Children looked after", "Adoption"]
    assert "Assessment duration bands" not in html  # shares of a total are not scorecard lines


def test_rag_is_coloured_and_written_and_the_judged_figure_is_bold():
    html = scorecard_html(card())
    assert '<td class="csc-text csc-rag" style="background:#f4cdc6;color:#942514">Off target</td>' in html
    assert '>Within tolerance</td>' in html
    # Re-referrals are judged on the rolling 12 months: that cell is bold, the month is not.
    rr = re.search(r"<tr><td[^>]*>Re-referrals within 12 months</td>(.*?)</tr>", html).group(1)
    assert '<td class="csc-bold">24.2%</td>' in rr
    assert '<td>78.3%</td>' in rr  # the month, not judged, not bold


def test_suppressed_counts_are_c_and_counts_have_no_comparative_benchmarks():
    html = scorecard_html(card())
    cells = row_cells(html, "Children adopted")
    # measure, good is, month (c), 12m, 6m, ytd, dot, target, rag, published, SN, England, mid-50
    assert cells[2] == "c"
    assert cells[9] == "19" and cells[10] == "\u2013" and cells[11] == "\u2013" and cells[12] == "\u2013"
    assert "c: fewer than 6 children" in html


def test_stock_measures_show_the_month_end_and_no_rolling_periods():
    html = scorecard_html(card())
    cells = row_cells(html, "Children looked after per 10,000 children")
    assert cells[2:6] == ["92.2", "\u2013", "\u2013", "\u2013"]


def test_measures_not_available_are_listed_with_the_reason_not_shown_as_rows():
    html = scorecard_html(card())
    assert "Average caseload" not in re.sub(r'<div class="csc-scorecard-notes">.*', "", html, flags=re.S)
    assert "Not available this month: Average caseload (not computed (it needs allocations.start_date))." in html
    assert list(missing_rows(card())["measure"]) == ["caseload_avg"]
    assert "caseload_avg" not in set(shown_rows(card())["measure"])


def test_text_from_the_data_is_escaped():
    c = card()
    c.loc[1, "title"] = "<script>alert(1)</script>"
    html = scorecard_html(c)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_region_column_appears_when_region_differs_from_england():
    c = card()
    c.loc[1, "region"] = 79.0
    assert "Region" in [col.header for col in columns(c)]


def test_xlsx_has_the_same_columns_numbers_as_numbers_and_coloured_rag(tmp_path):
    path = write_scorecard_xlsx(card(), tmp_path / "card.xlsx", title="Scorecard: Test, September 2025",
                                audience="shared", benchmark_source="test pool")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Scorecard", "Definitions", "Notes"]
    ws = wb["Scorecard"]
    headers = [c.value for c in ws[4]]
    assert headers == [c.header for c in columns(card())]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=5) if r[0].value}
    a = rows["Assessments completed within 45 working days"]
    assert a[2].value == 0.783 and a[2].number_format == "0.0%"  # a percentage stored as a fraction
    assert a[8].value == "Off target" and a[8].fill.fgColor.rgb.endswith("F4CDC6")
    assert rows["Children adopted"][2].value == "c"
    assert rows["Children adopted"][9].value == 19 and rows["Children adopted"][9].number_format == "#,##0"
    assert "Assessment duration bands" not in rows and "Average caseload" not in rows
    assert ws["A2"].value.startswith("OFFICIAL. Shared")
    assert "OFFICIAL-SENSITIVE" not in ws["A2"].value
