"""The JupyterLab explorer driven as a person would: setting widget values and writing a
chart's selection the way its front end does (``JupyterChart._vl_selections``)."""

from __future__ import annotations

import base64
import re

import pytest

from csc_workbench.explore import INTERNAL_NOTICE, Explorer
from csc_workbench.explore.explorer import GROUP_PARAM, MONTH_PARAM
from csc_workbench.explore.widgets import ExplorerWidgets
from explore_support import month_end, synthetic, warehouse


def _click(chart, param: str, field: str, value: str) -> None:
    """What the browser sends when a point or bar is clicked."""
    chart._vl_selections = {param: {"value": {"vlPoint": {"or": [{field: value}]}}, "store": []}}


def _tidy(measure, month, breakdown="all", value="all", period_type="month"):
    t = synthetic()[1]
    return t[(t["authority"] == "Z001") & (t["measure"] == measure) & (t["period_type"] == period_type)
             & (t["breakdown"] == breakdown) & (t["breakdown_value"] == value)
             & (t["period_end"] == month_end(month))].iloc[0]


@pytest.fixture(scope="module")
def explorer():
    return Explorer(warehouse())


@pytest.fixture
def ui(explorer):
    return ExplorerWidgets(explorer, "Z001", "assessment_45wd_pct")


def test_opens_on_the_latest_month_marked_internal(ui):
    assert INTERNAL_NOTICE.split(".")[0] in ui.notice.value
    assert ui.month.value == "2025-03" and "March 2025" in ui.records_title.value
    assert ui.trend_chart.spec["params"][0]["name"] == MONTH_PARAM
    assert hasattr(ui.trend_chart.selections, MONTH_PARAM)
    assert ui.breakdown.value == "team" and ui.group.value == "all"


def test_clicking_a_month_shows_that_months_records(ui):
    _click(ui.trend_chart, MONTH_PARAM, "month", "2024-06")
    assert ui.selection.month == "2024-06" and ui.month.value == "2024-06"
    row = _tidy("assessment_45wd_pct", "2024-06")
    assert "June 2024" in ui.records_title.value
    assert f"{row['numerator']:,.0f} of {row['denominator']:,.0f}" in ui.records_title.value
    # The chart was redrawn, and the new chart's clicks are watched too.
    _click(ui.trend_chart, MONTH_PARAM, "month", "2024-02")
    assert ui.month.value == "2024-02" and "February 2024" in ui.records_title.value


def test_clicking_a_bar_chooses_that_group(ui):
    _click(ui.breakdown_chart, GROUP_PARAM, "group", "T03")
    assert (ui.selection.breakdown, ui.selection.value) == ("team", "T03") and ui.group.value == "T03"
    assert "(team T03)" in ui.records_title.value
    assert "team T03" in ui.trend_chart.spec["title"]["subtitle"]
    assert ui.by.value == "worker"  # a team's change split by its workers
    assert ui.compare_group.disabled is False and "T03" not in [v for _, v in ui.compare_group.options]


def test_controls_change_measure_month_and_comparison(ui):
    ui.measure.value = "cpp"
    assert ui.selection.period_type == "snapshot"
    assert ui.trend_chart.spec["title"]["text"].startswith("Children on a child protection plan")
    ui.month.value = "2024-05"
    row = _tidy("cpp", "2024-05", period_type="snapshot")
    assert "May 2024" in ui.records_title.value and f"{row['numerator']:,.0f} records" in ui.records_title.value
    assert ui.compare_chart.spec is None
    ui.compare_authority.value = "Z002"
    assert ui.compare_chart.spec is not None
    name = dict(ui.compare_authority.options)
    assert [k for k, v in name.items() if v == "Z002"][0].split(" (")[0] in ui.compare_table.value


def test_download_link_holds_the_records(ui):
    ui.month.value = "2024-09"
    link = ui.download.value
    assert 'download="Z001_assessment_45wd_pct_month_2024-09_records_INTERNAL.csv"' in link
    csv = base64.b64decode(re.search(r"base64,([^\"]+)", link).group(1)).decode()
    row = _tidy("assessment_45wd_pct", "2024-09")
    assert len(csv.strip().splitlines()) - 1 == row["denominator"]


def test_the_notebook_is_thin_and_runs(monkeypatch):
    import ipywidgets
    import nbformat

    from explore_support import warehouse as wh

    path = __import__("pathlib").Path(__file__).resolve().parents[1] / "notebooks" / "explore_widgets.ipynb"
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") for c in code), "commit the notebook without outputs (child-level rows)"
    assert sum(len(c.source.splitlines()) for c in code) <= 8  # UI wiring lives in the library
    assert "Internal use only" in nb.cells[0].source
    monkeypatch.setenv("CSCW_WAREHOUSE", str(wh()))
    # Warming (every measure frame up front) is for a person clicking; the benchmark times it.
    from csc_workbench.explore.explorer import _Authority
    monkeypatch.setattr(_Authority, "warm", lambda self: None)
    namespace: dict = {}
    for c in code:
        exec(compile(c.source, str(path), "exec"), namespace)  # noqa: S102 (our own notebook)
    assert isinstance(namespace["ui"].layout, ipywidgets.VBox)
    assert namespace["ui"].selection.authority == "Z001"
