"""Generated sentences (presentation.narrative) on hand-made scorecard rows: polarity words,
targets, SPC signals, teams, and never a 'nan'."""

import math
import re

import numpy as np
import pandas as pd
import pytest

from csc_workbench.presentation import narrative

SEPT = pd.Timestamp("2025-09-30")


def row(**over):
    """A scorecard row as build_scorecard gives it, with nothing optional filled in."""
    base = {
        "authority": "Z001", "month": SEPT, "measure": "assessment_45wd_pct",
        "title": "Assessments completed within 45 working days", "unit": "pct", "polarity": "high",
        "kind": "flow", "headline_period": "month", "value": 71.0, "display": "71.0%", "status": "ok",
        "note": None, "value_month": 71.0, "value_rolling_6m": np.nan, "value_rolling_12m": np.nan,
        "dot_month": None, "dot_month_arrow": None, "dot_month_label": None, "pct_change_month": np.nan,
        "rag": None, "rag_label": None, "rag_scheme": None, "target": np.nan, "target_low": np.nan,
        "target_high": np.nan, "target_text": None, "benchmark_year": np.nan, "la_value": np.nan,
        "sn_average": np.nan, "region": np.nan, "england": np.nan, "england_p25": np.nan,
        "england_p75": np.nan, "mid50_position": None, "mid50_judgement": None, "spc_flag": None,
        "spc_rules": "", "spc_mean": np.nan, "spc_lcl": np.nan, "spc_ucl": np.nan, "avg_12m": np.nan,
    }
    base.update(over)
    return base


def history(measure="assessment_45wd_pct", previous=None, year_ago=None, spc_value=None, month=SEPT,
            rag=None, prev_rag=None, prev_flag=None, ago_rules=""):
    """The assessment table's rows for one measure: this month, last month and a year ago."""
    ends = [month, (pd.Period(month, "M") - 1).to_timestamp(how="end").normalize(),
            (pd.Period(month, "M") - 12).to_timestamp(how="end").normalize()]
    return pd.DataFrame({
        "measure": measure, "breakdown": "all", "period_end": ends,
        "previous_value": [previous, np.nan, np.nan], "year_ago_value": [year_ago, np.nan, np.nan],
        "spc_value": [spc_value, np.nan, np.nan], "spc_rules": ["", "", ago_rules],
        "spc_flag": [None, prev_flag, None], "rag": [rag, prev_rag, None],
    })


def no_nan(text: str) -> None:
    assert not re.search(r"\bnan\b|\bNaN\b|\bNone\b|\binf\b", text), text


# --------------------------------------------------------------------------------------
# Direction words follow polarity
# --------------------------------------------------------------------------------------
def test_a_rise_where_high_is_good_is_better_and_a_rise_where_low_is_good_is_worse():
    up_good = narrative.analysis(row(value=80.0, dot_month="improving"), history(previous=71.0))
    assert "the figure was 80.0%, better than August (71.0%, up 9.0 percentage points)" in up_good
    up_bad = narrative.analysis(
        row(measure="rereferral_pct", title="Re-referrals within 12 months", polarity="low", value=26.0,
            dot_month="worsening"), history("rereferral_pct", previous=22.0))
    assert "the figure was 26.0%, worse than August (22.0%, up 4.0 percentage points)" in up_bad
    # A context measure rises or falls; it is neither better nor worse.
    context = narrative.analysis(
        row(measure="referrals", title="Referrals received", unit="count", polarity="none", value=1100.0,
            dot_month="up"), history("referrals", previous=1000.0))
    assert "the figure was 1,100, up from August (1,000, up 10%)" in context
    assert "better" not in context and "worse" not in context


def test_compare_words_by_polarity_and_in_line_band():
    assert narrative.compare_word(80, 70, "high") == "better than"
    assert narrative.compare_word(80, 70, "low") == "worse than"
    assert narrative.compare_word(60, 70, "low") == "better than"
    assert narrative.compare_word(80, 70, "none") == "higher than"
    # 70.5 against 70: a 0.7% difference is "in line with" (band 2.5%).
    assert narrative.compare_word(70.5, 70, "high") == "in line with"
    assert narrative.compare_word(None, 70, "high") is None
    assert narrative.compare_word(float("nan"), 70, "high") is None


def test_change_text_uses_percentage_points_for_percentages_and_relative_change_otherwise():
    assert narrative.change_text(78.3, 71.2, "pct") == "up 7.1 percentage points"
    assert narrative.change_text(71.2, 72.2, "pct") == "down 1.0 percentage point"
    assert narrative.change_text(900, 1000, "count") == "down 10%"
    assert narrative.change_text(5, 0, "count") is None  # a rise from nothing has no percentage
    assert narrative.change_text(5, None, "count") is None


def test_rolling_six_against_twelve_months_judged_and_counts_as_monthly_averages():
    worse = narrative.analysis(row(polarity="low", value=24.2, headline_period="rolling_12m",
                                   value_rolling_6m=24.9, value_rolling_12m=24.2, measure="rereferral_pct",
                                   title="Re-referrals"), history("rereferral_pct"))
    assert ("The last 6 months (24.9%) are worse than the rolling 12 months (24.2%), so recent months have "
            "been worse than the year as a whole.") in worse
    # Counts: 5,400 in 6 months is 900 a month; 12,000 in 12 months is 1,000 a month.
    counts = narrative.analysis(row(measure="referrals", unit="count", polarity="none", value=950.0,
                                    value_rolling_6m=5400.0, value_rolling_12m=12000.0), history("referrals"))
    assert "The last 6 months averaged 900 a month, lower than the last 12 months (1,000)." in counts


# --------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------
def test_a_missed_target_is_named_in_the_analysis_the_title_and_the_summary():
    r = row(value=71.0, rag="red", rag_label="Off target", rag_scheme="tolerance", target=86.0,
            target_text="\u2265 86.0% (amber \u2265 83.0%)", dot_month="worsening", dot_month_arrow="\u2193",
            pct_change_month=-10.0)
    assert "It misses its target of at least 86.0%." in narrative.analysis(r, history(previous=79.0))
    assert narrative.chart_title(r) == ("Assessments completed within 45 working days fell to 71.0% in September, "
                                        "below the 86.0% target")
    summary = narrative.headline_summary(pd.DataFrame([r]), history(previous=79.0, rag="red", prev_rag="green"))
    assert ("Off target: assessments completed within 45 working days (71.0% against a target of at least "
            "86.0%).") in summary
    assert "Of the 1 measure with a target or rating, 1 is off target (red or inadequate); 1 was on target " \
           "in August." in summary
    assert "Since August, slipped: assessments completed within 45 working days (now off target)." in summary


def test_low_is_good_target_and_range_target_wording():
    low = row(polarity="low", value=24.0, rag="amber", rag_label="Within tolerance", rag_scheme="tolerance",
              target=23.0, title="Re-referrals")
    assert narrative.target_phrase(low) == "misses its target of at most 23.0% but is within tolerance"
    assert narrative.target_short(low) == "just above the 23.0% target"
    rng = row(unit="number", polarity="range", value=20.6, rag="green", rag_label="On target",
              rag_scheme="tolerance", target_low=16.0, target_high=22.0, title="Average caseload")
    assert narrative.target_phrase(rng) == "is within its target range of 16.0\u201322.0"
    assert narrative.target_short(rng) == "within the 16.0\u201322.0 target range"
    bands = row(value=70.4, rag="inadequate", rag_label="Inadequate", rag_scheme="bands",
                target_text="RI \u2265 75.0%, good \u2265 85.0%")
    assert narrative.target_phrase(bands).startswith("is rated inadequate against the improvement bands")


# --------------------------------------------------------------------------------------
# SPC, benchmarks, teams
# --------------------------------------------------------------------------------------
def test_an_spc_signal_is_mentioned_with_its_reason():
    r = row(value=62.0, spc_flag="special_cause_concerning", spc_rules="beyond_limits", spc_mean=80.0,
            spc_lcl=70.1, spc_ucl=89.9, dot_month="worsening")
    text = narrative.analysis(r, history(previous=79.0, spc_value=62.0))
    assert ("SPC flags September's figure as special cause variation, a concern: it is outside the usual range "
            "(70.1% to 89.9%).") in text
    # A judged measure whose move is within the usual variation says so.
    calm = narrative.analysis(row(value=75.0, spc_flag="common_cause", dot_month="worsening"),
                              history(previous=79.0))
    assert "within the usual month-to-month variation" in calm
    # New this month: in the summary, as a new signal.
    summary = narrative.headline_summary(pd.DataFrame([r]), history(previous=79.0, prev_flag="common_cause"))
    assert any(s.startswith("New SPC signals this month") and "assessments completed within 45 working days "
               "(concerning)" in s for s in summary)


def test_benchmarks_are_compared_with_the_rolling_year_and_grouped():
    r = row(value=78.3, value_rolling_12m=76.1, benchmark_year=2025, sn_average=80.0, england=76.0,
            region=76.0, la_value=73.7, mid50_position="within", england_p25=73.6, england_p75=80.4)
    text = narrative.benchmark_phrase(r)
    # 76.1 vs 80.0: worse; vs 76.0: in line (0.1%); the region equal to England is said once.
    assert text.startswith("The rolling 12-month figure (76.1%) is worse than statistical neighbours (80.0%) "
                           "but in line with England (76.0%) for 2024-25.")
    assert "the region" not in text
    assert "At 73.7%, its own published figure for 2024-25 was within the middle 50% of authorities " \
           "(73.6% to 80.4%)." in text
    # Counts are never compared with yearly totals.
    assert narrative.benchmark_phrase(row(unit="count", england=60000.0, value=900.0)) is None


def test_the_team_that_moved_most_ignores_small_teams():
    teams = pd.DataFrame({
        "measure": "assessment_45wd_pct", "period_type": "month",
        "period_end": [SEPT, SEPT, SEPT, pd.Timestamp("2025-08-31"), pd.Timestamp("2025-08-31"),
                       pd.Timestamp("2025-08-31")],
        "breakdown_value": ["T1", "T2", "T3", "T1", "T2", "T3"],
        "team_name": ["North", "South", "Tiny", "North", "South", "Tiny"],
        "value": [60.0, 85.0, 20.0, 80.0, 84.0, 100.0],
        "denominator": [40.0, 50.0, 3.0, 45.0, 50.0, 4.0],
    })
    text = narrative.team_phrase(row(), teams)
    assert text == "By team, the largest change since August was in North: 80.0% to 60.0%."


def test_suppressed_and_missing_figures_give_no_numbers_and_no_nan():
    sup = narrative.analysis(row(status="suppressed", value=np.nan, display="c"), history())
    assert "suppressed" in sup and not re.search(r"\d+\.\d", sup)
    missing = narrative.analysis(row(status="not_available", value=np.nan, note="needs visits.visit_date"))
    assert missing == "No figure is available in September 2025 (needs visits.visit_date)."
    assert narrative.chart_title(row(status="suppressed", value=np.nan)) == \
        "Assessments completed within 45 working days: figure suppressed in September (fewer than 6 children)"


@pytest.mark.parametrize("unit,polarity,period", [("pct", "high", "month"), ("count", "none", "snapshot"),
                                                  ("rate", "none", "rolling_12m"), ("days", "low", "rolling_12m"),
                                                  ("number", "range", "snapshot")])
def test_no_nan_whatever_is_missing(unit, polarity, period):
    r = row(unit=unit, polarity=polarity, headline_period=period, value=12.5, dot_month="similar",
            dot_month_arrow="\u2192", rag="green", rag_scheme="tolerance", rag_label="On target",
            spc_flag="special_cause_neither", spc_rules="shift,trend")
    for text in (narrative.analysis(r, history(previous=np.nan, year_ago=np.nan)), narrative.chart_title(r),
                 *narrative.headline_summary(pd.DataFrame([r]), history())):
        no_nan(text)


def test_headline_summary_counts_targets_and_reports_demand():
    rows = pd.DataFrame([
        row(rag="green", rag_label="On target", rag_scheme="tolerance", target=80.0, value=85.0),
        row(measure="cpp_repeat_pct", title="Plans for a second or subsequent time", polarity="low",
            rag="amber", rag_label="Within tolerance", rag_scheme="tolerance", target=14.0, value=15.0),
        row(measure="referrals", title="Referrals received", unit="count", polarity="none", value=1020.0,
            value_month=1020.0, avg_12m=930.4),
        row(measure="cla", title="Children looked after", unit="count", polarity="none", value=1348.0,
            headline_period="snapshot"),
    ])
    out = narrative.headline_summary(rows, None)
    assert out[0] == ("Of the 2 measures with a target or rating, 1 is on target (green or good) and 1 is amber "
                      "(within tolerance, or requires improvement).")
    assert out[-1] == ("Demand: 1,020 referrals in September, higher than the 12-month average (930) and 1,348 "
                       "children looked after.")


def test_period_phrases():
    assert narrative.period_phrase("month", SEPT) == "in September 2025"
    assert narrative.period_phrase("snapshot", SEPT) == "at the end of September 2025"
    assert narrative.period_phrase("rolling_12m", SEPT, short=True) == "in the 12 months to September"
    assert narrative.period_phrase("ytd", SEPT) == "in the year to date (April to September 2025)"
    assert narrative.period_phrase("year", pd.Timestamp("2025-03-31")) == "in 2024-25"
    assert narrative.lower_first("ICPCs within 15 working days") == "ICPCs within 15 working days"
    assert narrative.lower_first("Referrals received") == "referrals received"
    assert not math.isnan(0.0)


def test_largest_movements_are_ranked_against_each_measures_usual_change():
    """1.5% -> 1.3% is a 13% fall, but that series moves 0.2 points most months; 80% -> 88%
    is a 10% rise where the usual change is 1 point: that is the larger movement."""
    months = pd.period_range(end="2025-09", periods=6, freq="M").to_timestamp(how="end").normalize()

    def series(measure, values):
        return pd.DataFrame({"measure": measure, "breakdown": "all", "period_end": months,
                             "value": values, "previous_value": [np.nan] + values[:-1]})

    hist = pd.concat([series("cpp_open_2y_pct", [1.5, 1.3, 1.5, 1.3, 1.5, 1.3]),
                      series("assessment_45wd_pct", [79.0, 80.0, 79.0, 80.0, 80.0, 88.0])], ignore_index=True)
    rows = pd.DataFrame([
        row(measure="cpp_open_2y_pct", title="Open plans lasting 2 years or more", polarity="low", value=1.3,
            dot_month="improving", pct_change_month=-13.3),
        row(measure="assessment_45wd_pct", value=88.0, dot_month="improving", pct_change_month=10.0),
    ])
    line = next(s for s in narrative.headline_summary(rows, hist) if s.startswith("Largest improvements"))
    assert line == ("Largest improvements since August: assessments completed within 45 working days (80.0% to "
                    "88.0%); open plans lasting 2 years or more (1.5% to 1.3%).")
    assert narrative.usual_change(hist, SEPT)["assessment_45wd_pct"] == 1.0


def test_a_figure_that_rounds_onto_its_target_is_shown_more_precisely():
    r = row(unit="number", polarity="range", value=22.03, rag="amber", rag_label="Within tolerance",
            rag_scheme="tolerance", target_low=16.0, target_high=22.0, title="Average caseload",
            headline_period="snapshot")
    assert narrative.chart_title(r) == ("Average caseload stood at 22.03 at the end of September, just outside "
                                        "the 16.0\u201322.0 target range")
    assert narrative.value_text(row(value=71.0, rag="red", target=86.0)) == "71.0%"  # no ambiguity: as usual
