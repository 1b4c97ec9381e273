"""The scorecard frame and the per-month assessment table, on a hand-built tidy table whose
answers are worked out in the comments (monthly figures from Southampton's SO19)."""

import numpy as np
import pandas as pd
import pytest

from assessment_helpers import mdef, monthly, tidy_frame
from csc_workbench.assessment.benchmarks import BENCHMARK_COLUMNS, attach_benchmarks
from csc_workbench.assessment.manual import read_manual_csv, register_manual_measures
from csc_workbench.assessment.scorecard import (SCORECARD_COLUMNS, TABLE_COLUMNS,
                                                build_assessment_table, build_scorecard)
from csc_workbench.assessment.targets import load_targets
from csc_workbench.config import REPO_ROOT
from csc_workbench.errors import ConfigError

# SO19 EH4-QL, % of assessments within 45 working days, Aug-18 .. Sep-19.
A45 = [63, 66, 75, 66, 61, 57, 65, 90, 82, 74, 58, 48, 58, 46]
# Referrals: alternating 10 / 12 then a spike (beyond the upper limit, see test_spc).
REFS = [10, 12] * 7 + [20]

CAT = {
    "refs": mdef("refs", "count", "none", area="front_door"),
    "reref": mdef("reref", "pct", "low", area="front_door"),
    "a45": mdef("a45", "pct", "high", area="assessment"),
    "cpp": mdef("cpp", "count", "none", area="child_protection", periods=("snapshot",),
                kind="stock"),
    "missing_measure": mdef("missing_measure", "pct", "high", area="looked_after"),
}
register_manual_measures(CAT, REPO_ROOT / "params" / "manual_measures.yaml")

TARGETS_YAML = """
defaults:
  similar_band: 0.10
measures:
  a45: {scheme: tolerance, target: 86, amber: 83, owner: Sharon Hawkins, reporter: Karin Courtman}
  reref: {scheme: tolerance, period: rolling_12m, target: 23, amber: 26}
  agency_sw_pct: {scheme: tolerance, target: 20}
"""

BENCH = pd.DataFrame([
    ("a45", 2018, 2019, 79.9, "ok", 82.7, 97.8, 82.9, 82.7, 92.0, 78.0, 88.0, "within",
     "in range", 80, 152, 3),
    ("reref", 2018, 2019, 23.9, "ok", 21.9, 15.4, 26.2, 21.9, 16.5, 18.0, 25.0, "within",
     "in range", 70, 152, 2),
], columns=["measure", "year", "release", "la_value", "la_status", "sn_average", "sn_best",
            "region", "england", "england_top_quartile", "england_p25", "england_p75",
            "mid50_position", "mid50_judgement", "rank", "n_ranked", "quartile"])


def make_tidy():
    rows = []
    rows += monthly("a45", "2018-08", A45)
    rows += monthly("a45", "2018-08", [70.0] * 13 + [68.5], period_type="rolling_12m")
    rows += [("a45", "ytd", "2019-09", 61.2), ("a45", "year", "2018-03", 71.0),
             ("a45", "year", "2019-03", 72.5), ("a45", "year", "2017-03", 69.0),
             ("a45", "year", "2016-03", 50.0)]
    rows += monthly("refs", "2018-07", REFS)
    rows += monthly("reref", "2018-08", [20.0] * 12 + [22.0, 24.2], period_type="rolling_12m")
    rows += monthly("reref", "2018-08", [20.0] * 14)
    rows += monthly("cpp", "2018-08", [300] * 7 + [310] + [300] * 5 + [330], period_type="snapshot")
    rows += [("a45", "month", "2019-09", 50.0, np.nan, np.nan, "ok", "team", "North")]
    return tidy_frame(rows, authority="E1")


@pytest.fixture(scope="module")
def targets(tmp_path_factory):
    folder = tmp_path_factory.mktemp("targets")
    (folder / "default.yaml").write_text(TARGETS_YAML)
    return load_targets("E1", CAT, folder)


@pytest.fixture(scope="module")
def manual(tmp_path_factory):
    path = tmp_path_factory.mktemp("manual") / "E1.csv"
    path.write_text("authority,measure,period,value,numerator,denominator,commentary\n"
                    "E1,agency_sw_pct,2019-Q1,30,,,\n"
                    "E1,agency_sw_pct,2019-Q2,28,,,Down from 30% in June\n")
    return read_manual_csv(path, CAT, "E1")


def card(targets, manual=None, month="2019-09", **kw):
    return build_scorecard(make_tidy(), CAT, "E1", month, targets, BENCH, manual=manual, **kw)


@pytest.fixture(scope="module")
def sc(targets, manual):
    """The September 2019 internal scorecard, built once for the tests that only read it."""
    return card(targets, manual)


def row(sc, measure):
    return sc.set_index("measure").loc[measure]


def test_columns_rows_and_order(sc):
    assert list(sc.columns) == SCORECARD_COLUMNS
    # One row per measure, by area (front door, assessment, child protection, looked after,
    # workforce) then catalogue order; the catalogue measure with no data is listed;
    # manual measures appear only if entered.
    assert sc["measure"].tolist() == ["refs", "reref", "a45", "cpp", "missing_measure",
                                      "agency_sw_pct"]
    assert sc["area_title"].tolist()[:3] == ["Front door", "Front door", "Assessment"]
    assert (sc["month"] == pd.Timestamp("2019-09-30")).all()
    assert (sc["audience"] == "internal").all()


def test_a45_row_hand_checked(sc):
    r = row(sc, "a45")
    assert (r["headline_period"], r["value"], r["display"], r["status"]) == ("month", 46.0, "46.0%", "ok")
    assert (r["value_month"], r["value_rolling_12m"], r["value_ytd"]) == (46.0, 68.5, 61.2)
    assert np.isnan(r["value_snapshot"]) and r["display_snapshot"] == "n/a"
    assert r["display_rolling_12m"] == "68.5%"
    assert r["series_14"] == [float(x) for x in A45]
    assert r["series_months"][0] == "2018-08" and r["series_months"][-1] == "2019-09"
    assert r["series_14_display"][-1] == "46.0%"
    assert r["last_3_months"] == [48.0, 58.0, 46.0]
    # Complete financial years to September 2019: 2016-17, 2017-18, 2018-19.
    assert r["annual"] == {"2016-17": 69.0, "2017-18": 71.0, "2018-19": 72.5}
    assert r["annual_display"]["2018-19"] == "72.5%"
    # 46 after 58: -20.7%, worsening; after 66 a year ago: -30.3%, worsening.
    assert (r["dot_month"], r["dot_month_arrow"], r["dot_month_label"]) == \
        ("worsening", "\u2193", "\u2193 worsening")
    assert r["pct_change_month"] == pytest.approx(-12 / 58 * 100)
    assert r["diff_month"] == -12
    assert r["dot_year"] == "worsening" and r["pct_change_year"] == pytest.approx(-20 / 66 * 100)
    # Oct-18 .. Sep-19: 780 / 12 = 65.0; maximum 90.
    assert (r["avg_12m"], r["max_12m"]) == (65.0, 90.0)
    # Target 86% with amber to 83%: 46% is red.
    assert (r["target"], r["rag"], r["rag_label"], r["rag_scheme"]) == (86.0, "red", "Off target",
                                                                        "tolerance")
    assert r["target_text"] == "\u2265 86.0% (amber \u2265 83.0%)"
    assert (r["owner"], r["reporter"]) == ("Sharon Hawkins", "Karin Courtman")
    # Benchmarks as supplied, with the year they describe.
    assert (r["la_value"], r["sn_average"], r["england"], r["england_top_quartile"]) == \
        (79.9, 82.7, 82.7, 92.0)
    assert r["benchmark_label"] == "2017-18 (2019 release)"
    assert r["mid50_position"] == "within"


def test_rolling_headline_from_target_period(sc):
    r = row(sc, "reref")
    # Target period rolling_12m: 24.2 after 22.0 is +10%: not under 10%, so up; low is good.
    assert (r["headline_period"], r["value"]) == ("rolling_12m", 24.2)
    assert (r["dot_month"], r["dot_month_arrow"]) == ("worsening", "\u2191")
    assert r["pct_change_month"] == pytest.approx(10.0)
    # 24.2 is above 23 but within the amber tolerance to 26.
    assert (r["rag"], r["rag_label"]) == ("amber", "Within tolerance")
    # The monthly value is 20 again; SPC runs on the monthly series, which is flat.
    assert r["value_month"] == 20.0
    assert r["spc_flag"] == "common_cause"


def test_spc_flag_and_context_direction(sc):
    r = row(sc, "refs")
    # REFS ends with 20 after 12: beyond the upper limit (18.06, test_spc); polarity none.
    assert r["spc_flag"] == "special_cause_neither"
    assert r["spc_rules"] == "beyond_limits"
    assert r["spc_ucl"] == pytest.approx(11.6 + 2.66 * 34 / 14)
    assert r["spc_label"] == "Special cause: neither improving nor concerning"
    assert (r["dot_month"], r["dot_month_label"]) == ("up", "\u2191 up")
    assert r["rag"] is None and r["target_text"] is None


def test_stock_measure_uses_snapshot(sc):
    r = row(sc, "cpp")
    assert (r["headline_period"], r["value"], r["value_snapshot"]) == ("snapshot", 330.0, 330.0)
    assert r["display"] == "330"
    # 330 after 300: +10%, up. The 31 March 2019 snapshot (310) is the 2018-19 figure.
    assert r["dot_month"] == "up"
    assert r["annual"] == {"2018-19": 310.0}
    assert np.isnan(r["value_month"])


def test_missing_measure_says_why(sc):
    r = row(sc, "missing_measure")
    assert (r["status"], r["display"]) == ("not_available", "n/a")
    assert r["note"] == "not computed for this authority (it needs t.f)"
    assert r["series_14"] == [None] * 14


def test_manual_measure_beside_computed(sc, targets, manual):
    r = row(sc, "agency_sw_pct")
    assert (r["kind"], r["headline_period"], r["value"], r["value_quarter"]) == \
        ("manual", "quarter", 28.0, 28.0)
    # Quarter on quarter: 28 after 30 is -6.7%, similar (under 10%).
    assert r["dot_month"] == "similar" and r["pct_change_month"] == pytest.approx(-2 / 30 * 100)
    # Target 20% (low is good, no tolerance): red.
    assert r["rag"] == "red"
    assert r["commentary"] == "Down from 30% in June"
    assert r["series_months"][-2:] == ["2019-06", "2019-09"]
    assert r["series_14"][-2:] == [30.0, 28.0]
    assert r["note"] is None
    # In August, the June quarter's figure is shown and labelled.
    r = row(card(targets, manual, month="2019-08"), "agency_sw_pct")
    assert r["value"] == 30.0
    assert r["note"] == "latest figure: quarter to June 2019"
    assert r["commentary"] is None


def test_commentary_frame(targets):
    com = pd.DataFrame({"authority": ["E1", "E1", "E1", "E2"],
                        "measure": ["a45", "a45", "refs", "cpp"],
                        "month": ["2019-09", "2019-08", "2019-09", "2019-09"],
                        "commentary": ["Timeliness fell: staffing.", "Older note.", "Schools back.",
                                       "Another authority's note."]})
    sc = card(targets, commentary=com)
    assert row(sc, "a45")["commentary"] == "Timeliness fell: staffing."
    assert row(sc, "refs")["commentary"] == "Schools back."
    assert row(sc, "cpp")["commentary"] is None


def test_shared_audience_hides_small_numbers(targets):
    tidy = make_tidy()
    # Referrals of 3 in January 2019 and 4 in the report month.
    tidy.loc[(tidy["measure"] == "refs") & (tidy["period_end"] == "2019-01-31"), "value"] = 3
    tidy.loc[(tidy["measure"] == "refs") & (tidy["period_end"] == "2019-09-30"), "value"] = 4
    sc = build_scorecard(tidy, CAT, "E1", "2019-09", targets, audience="shared")
    r = row(sc, "refs")
    assert (r["status"], r["display"], r["display_month"]) == ("suppressed", "c", "c")
    assert np.isnan(r["value"]) and np.isnan(r["value_month"])
    assert r["series_14"][-1] is None and r["series_14_display"][-1] == "c"
    assert r["series_14_display"][-9] == "c"  # January 2019
    assert r["series_14_display"][-2] == "12"
    # Any 12-month figure containing a hidden month is withheld; no change is shown.
    assert np.isnan(r["avg_12m"]) and np.isnan(r["max_12m"])
    assert r["dot_month"] is None and np.isnan(r["pct_change_month"])
    assert r["spc_flag"] is None
    assert r["note"].startswith("c:")
    # Percentages from larger numbers are shown.
    assert row(sc, "a45")["display"] == "46.0%"
    assert (sc["audience"] == "shared").all()


def test_target_period_the_data_lacks_is_reported_not_replaced(tmp_path):
    (tmp_path / "default.yaml").write_text(
        "measures:\n  a45: {scheme: tolerance, period: quarter, target: 86}\n")
    sc = build_scorecard(make_tidy(), CAT, "E1", "2019-09", load_targets("E1", CAT, tmp_path))
    r = row(sc, "a45")
    assert (r["headline_period"], r["status"], r["display"]) == ("quarter", "not_available", "n/a")
    assert r["note"] == "no figure for September 2019"
    assert r["rag"] is None
    assert r["value_month"] == 46.0  # the other periods are still shown


def test_unknown_audience(targets):
    with pytest.raises(ConfigError):
        card(targets, audience="everyone")


def test_without_targets_or_benchmarks():
    sc = build_scorecard(make_tidy(), CAT, "E1", "2019-09", None)
    assert sc["rag"].isna().all() and sc["target"].isna().all()
    assert set(BENCHMARK_COLUMNS) <= set(sc.columns) and sc["la_value"].isna().all()


def test_assessment_table(targets):
    t = build_assessment_table(make_tidy(), CAT, "E1", targets, BENCH)
    assert list(t.columns) == TABLE_COLUMNS
    a45 = t[t["measure"] == "a45"].reset_index(drop=True)
    assert len(a45) == 14 and (a45["period_type"] == "month").all()
    assert a45["value"].tolist() == [float(x) for x in A45]
    # Each month judged against the month before: Sep-18 66 after 63 is +4.8%, similar.
    assert a45["dot_month"].tolist()[:2] == [None, "similar"]
    assert a45["previous_value"].iloc[1] == 63
    # March 2019: 90% is green; April 82% red (below 83).
    assert a45.loc[a45["period_end"] == "2019-03-31", "rag"].item() == "green"
    assert a45.loc[a45["period_end"] == "2019-04-30", "rag"].item() == "red"
    assert a45["target"].eq(86).all()
    assert a45["spc_mean"].iloc[0] == pytest.approx(sum(A45) / 14)
    reref = t[t["measure"] == "reref"]
    assert (reref["period_type"] == "rolling_12m").all()
    assert (reref["spc_period_type"] == "month").all()
    # Breakdowns: all of them when asked.
    t_all = build_assessment_table(make_tidy(), CAT, "E1", targets, breakdowns=None)
    team = t_all[t_all["breakdown"] == "team"]
    assert team["breakdown_value"].tolist() == ["North"] and team["rag"].tolist() == ["red"]


def test_duplicate_tidy_rows_are_refused(targets):
    tidy = make_tidy()
    tidy = pd.concat([tidy, tidy.iloc[[0]]], ignore_index=True)
    with pytest.raises(ValueError, match="more than one row"):
        build_scorecard(tidy, CAT, "E1", "2019-09", targets)


def test_attach_benchmarks_picks_latest_year_and_keeps_columns():
    older = BENCH.iloc[[0]].assign(year=2017, la_value=70.0)
    frame = pd.DataFrame({"measure": ["a45", "cpp"]})
    out = attach_benchmarks(frame, pd.concat([older, BENCH]))
    assert out["la_value"].tolist()[0] == 79.9 and np.isnan(out["la_value"].iloc[1])
    assert out["benchmark_year"].tolist() == [2018, None]
    with pytest.raises(ValueError, match="lacks columns: sn_best"):
        attach_benchmarks(frame, BENCH.drop(columns="sn_best"))



def test_scorecard_and_table_from_one_assessment_equal_the_two_calls(targets, manual):
    """build_scorecard_and_table gives exactly build_scorecard and build_assessment_table."""
    from csc_workbench.assessment import build_scorecard_and_table

    both = build_scorecard_and_table(make_tidy(), CAT, "E1", "2019-09", targets, BENCH, manual=manual,
                                     audience="shared")
    pd.testing.assert_frame_equal(both[0], card(targets, manual, audience="shared"))
    pd.testing.assert_frame_equal(both[1], build_assessment_table(make_tidy(), CAT, "E1", targets, BENCH,
                                                                  manual=manual, audience="shared"))
