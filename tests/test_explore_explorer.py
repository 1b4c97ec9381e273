"""The explorer's methods on a small synthetic warehouse: each view's table says what the
measures table says, the SPC limits are XmR limits, records add up to the figure, the
decomposition adds up to the change, charts carry the click selections, and the selection
a front end reports is read back right."""

from __future__ import annotations

import io

import altair as alt
import numpy as np
import pandas as pd
import pytest

from csc_workbench.errors import ConfigError
from csc_workbench.explore import INTERNAL_NOTICE, Explorer, Selection, picked_values
from csc_workbench.explore.explorer import GROUP_PARAM, MONTH_PARAM
from explore_support import month_end, synthetic, warehouse

MEASURE = "assessment_45wd_pct"


@pytest.fixture(scope="module")
def ex():
    return Explorer(warehouse())


@pytest.fixture(scope="module")
def tidy():
    return synthetic()[1]


def _tidy_rows(tidy, measure=MEASURE, authority="Z001", period_type="month", breakdown="all", value="all"):
    return tidy[(tidy["authority"] == authority) & (tidy["measure"] == measure)
                & (tidy["period_type"] == period_type) & (tidy["breakdown"] == breakdown)
                & (tidy["breakdown_value"] == value)].sort_values("period_end")


def test_choices_come_from_the_warehouse(ex):
    a = ex.authorities()
    assert a["code"].tolist() == ["Z001", "Z002"] and a["name"].str.len().gt(0).all()
    sel = ex.selection("Z001")
    assert sel == Selection("Z001", MEASURE, breakdown="all", value="all", month="2025-03", period_type="month")
    m = ex.measures("Z001")
    assert MEASURE in set(m["id"]) and "cpp" in set(m["id"])
    assert ex.breakdowns("Z001", MEASURE) == ["all", "team", "worker"]
    assert ex.period_type(Selection("Z001", "cpp")) == "snapshot"
    # A month or group the measure does not have falls back to the latest month / the total.
    odd = ex.resolve(Selection("Z001", MEASURE, breakdown="team", value="no such team", month="1999-01"))
    assert (odd.month, odd.value) == ("2025-03", "all")
    with pytest.raises(ConfigError, match="unknown measure"):
        ex.trend(Selection("Z001", "no_such_measure"))


def test_trend_is_the_stored_series_with_xmr_limits_target_and_benchmarks(ex, tidy):
    view = ex.trend(ex.selection("Z001", MEASURE, month="2024-09"))
    t = view.table
    rows = _tidy_rows(tidy)
    assert t["month"].tolist() == rows["period_end"].dt.strftime("%Y-%m").tolist()
    assert np.allclose(t["value"], rows["value"])
    # XmR limits by hand: mean +/- 2.66 x the average moving range of all the points.
    x = rows["value"].to_numpy()
    mean, mr = x.mean(), np.abs(np.diff(x)).mean()
    assert np.allclose(t["mean"], mean) and np.allclose(t["ucl"], mean + 2.66 * mr)
    assert np.allclose(t["lcl"], mean - 2.66 * mr)
    beyond = (t["value"] > t["ucl"]) | (t["value"] < t["lcl"])
    assert t.loc[beyond, "flag"].all()  # a point beyond the limits is always flagged
    assert (t["target"] == 86).all()  # params/targets/default.yaml
    assert any(c.startswith("England") for c in t.columns)
    spec = view.spec()
    alt.TopLevelLayerSpec.validate(spec)
    pick = [p for p in spec["params"] if p["name"] == MONTH_PARAM]
    assert pick and pick[0]["select"]["fields"] == ["month"]
    assert any(layer.get("name") == pick[0]["views"][0] for layer in spec["layer"])
    assert [r["month"] for r in spec["datasets"]["series"]] == t["month"].tolist()
    assert "September 2024" in view.title


def test_breakdown_bars_are_the_stored_team_figures(ex, tidy):
    sel = ex.selection("Z001", MEASURE, month="2024-09", breakdown="team", value="T02")
    view = ex.breakdown(sel)
    rows = tidy[(tidy["authority"] == "Z001") & (tidy["measure"] == MEASURE) & (tidy["period_type"] == "month")
                & (tidy["breakdown"] == "team") & (tidy["period_end"] == month_end("2024-09"))]
    assert sorted(view.table["group"]) == sorted(rows["breakdown_value"])
    got = view.table.set_index("group")["value"]
    assert np.allclose(got[rows["breakdown_value"]].to_numpy(), rows["value"].to_numpy())
    assert view.meta["breakdown"] == "team"
    spec = view.spec()
    alt.TopLevelLayerSpec.validate(spec)
    bars = spec["layer"][0]
    assert [d["group"] for d in spec["data"]["values"] if d["chosen"]] == ["T02"]
    assert spec["params"][0]["name"] == GROUP_PARAM and spec["params"][0]["views"] == [bars["name"]]


def test_records_add_up_to_the_figure_and_say_so(ex, tidy):
    sel = ex.selection("Z001", MEASURE, month="2024-09")
    view = ex.records(sel)
    row = _tidy_rows(tidy).set_index("period_end").loc[month_end("2024-09")]
    assert len(view.table) == row["denominator"]
    assert view.table["in_numerator"].sum() == row["numerator"]
    assert "the figure in the measures table" in view.note
    assert {"child_id", "event_date", "team", "worker", "working_days", "late_by_wd"} <= set(view.table.columns)
    late = view.table[view.table["late_by_wd"].notna()]
    assert (late["working_days"] - late["late_by_wd"] == 45).all() and not late["in_numerator"].any()
    # A team's records: the team's figure.
    team = ex.records(sel.replace(breakdown="team", value="T02"))
    t02 = _tidy_rows(tidy, breakdown="team", value="T02").set_index("period_end").loc[month_end("2024-09")]
    assert team.table["in_numerator"].sum() == t02["numerator"] and (team.table["team"] == "T02").all()


def test_records_warn_when_the_stored_measures_are_stale(ex, monkeypatch):
    sel = ex.selection("Z001", MEASURE, month="2024-08")
    monkeypatch.setattr(ex, "_stored_figure", lambda s: {"numerator": 1.0, "denominator": 2.0, "value": 50.0})
    assert "WARNING" in ex.records(sel).note and "out of date" in ex.records(sel).note


def test_decomposition_adds_up_to_the_change(ex, tidy):
    sel = ex.selection("Z001", MEASURE, month="2024-09", by="team")
    view = ex.decompose(sel)
    rows = _tidy_rows(tidy).set_index("period_end")["value"]
    change = rows[month_end("2024-09")] - rows[month_end("2024-08")]
    assert np.isclose(view.table["contribution"].sum(), change)
    assert view.table.columns[0] == "team"
    alt.TopLevelLayerSpec.validate(view.spec())
    # Split by team when a team is chosen says nothing: the split moves to workers.
    assert ex.decompose(sel.replace(breakdown="team", value="T02")).table.columns[0] == "worker"


def test_compare_two_authorities_and_two_teams(ex, tidy):
    sel = ex.selection("Z001", MEASURE, compare_authority="Z002")
    view = ex.compare(sel)
    names = dict(zip(ex.authorities()["code"], ex.authorities()["name"]))
    z2 = _tidy_rows(tidy, authority="Z002")
    assert np.allclose(view.table[names["Z002"]].to_numpy(), z2["value"].to_numpy())
    alt.TopLevelLayerSpec.validate(view.spec())
    teams = ex.compare(sel.replace(compare_authority=None, breakdown="team", value="T02", compare_value="T03"))
    t3 = _tidy_rows(tidy, breakdown="team", value="T03")
    got = teams.table.set_index("month")["team T03"].dropna()
    assert np.allclose(got.to_numpy(), t3["value"].to_numpy())
    assert ex.compare(ex.selection("Z001", MEASURE)).vega is None  # nothing chosen to compare with


def test_csv_download_has_every_record(ex):
    sel = ex.selection("Z001", MEASURE, month="2024-09")
    text = ex.to_csv(sel)
    frame = pd.read_csv(io.StringIO(text))
    assert len(frame) == len(ex.explanation(sel).records)
    assert {"child_id", "source_table", "source_row", "numerator", "denominator"} <= set(frame.columns)
    assert ex.csv_filename(sel) == "Z001_assessment_45wd_pct_month_2024-09_records_INTERNAL.csv"
    assert len(pd.read_csv(io.StringIO(ex.to_csv(sel, "trend")))) == len(ex.trend(sel).table)
    with pytest.raises(ConfigError):
        ex.to_csv(sel, "everything")


def test_selections_read_back_from_either_front_end(ex):
    # marimo's mo.ui.altair_chart(...).selections, in both shapes it uses, and altair's JupyterChart.
    assert picked_values({MONTH_PARAM: {"month": ["2024-06"]}}, MONTH_PARAM, "month") == ["2024-06"]
    assert picked_values({MONTH_PARAM: {"vlPoint": {"or": [{"month": "2024-05"}]}}}, MONTH_PARAM,
                         "month") == ["2024-05"]
    assert picked_values({}, MONTH_PARAM, "month") == [] and picked_values(None, MONTH_PARAM, "month") == []
    chart = alt.JupyterChart(ex.trend(ex.selection("Z001")).chart)
    assert picked_values(chart.selections, MONTH_PARAM, "month") == []
    chart._vl_selections = {MONTH_PARAM: {"value": {"vlPoint": {"or": [{"month": "2024-04"}]}}, "store": []}}
    assert picked_values(chart.selections, MONTH_PARAM, "month") == ["2024-04"]


def test_charts_are_altair_charts_for_the_front_ends(ex):
    import marimo as mo

    view = ex.trend(ex.selection("Z001"))
    assert isinstance(view.chart, alt.TopLevelMixin)
    assert view.chart.to_dict() == view.spec() and view.chart.to_dict() is not view.spec()
    assert [p.name for p in view.chart.params] == [MONTH_PARAM]
    ui = mo.ui.altair_chart(view.chart, chart_selection=False, legend_selection=False)
    assert ui.selections == {}


def test_the_page_is_marked_internal():
    assert "Internal use only" in INTERNAL_NOTICE and "child-level" in INTERNAL_NOTICE
