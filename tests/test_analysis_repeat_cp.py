"""Repeat child protection plans deep dive: hand-built plans, answers worked out by hand.

See tests/deep_dive_cases.repeat_plans_dataset for the children. June 2024 window: plans
starting A2, B2, C2, H2 (3 Jun), D (10 Jun), E (12 Jun), G2 (20 Jun) = 7.
Repeats ever: A2, B2, C2, H2, G2 (earlier plan in the data), D (recorded count) = 6.
Within 2 years: A2, B2 (ended 15 Feb 2023), H2 (ended 3 Jun 2022: exactly 2 years,
inclusive), G2 (earlier plan still open) = 4; not C2 (ended 31 May 2022, 2 years and 3
days) nor D (no dates).
"""

import numpy as np
import pandas as pd
import pytest

from csc_workbench.analysis import repeat_cp as rc
from csc_workbench.analysis import window
from csc_workbench.errors import ConfigError
from csc_workbench.measures import compute_measures
from deep_dive_cases import repeat_plans_dataset


@pytest.fixture(scope="module")
def ds():
    return repeat_plans_dataset()


@pytest.fixture(scope="module")
def h(ds):
    return rc.plan_history(ds, "2024-06")


def _plan(h, cpp_id):
    p = h.plans
    return p[p["cpp_id"] == cpp_id].iloc[0]


def test_june_summary(h):
    s = rc.repeat_summary(h, window("2024-06", "month"))
    assert (s["starts"], s["repeat_ever"], s["repeat_2y"]) == (7, 6, 4)
    assert s["pct_ever"] == pytest.approx(600 / 7)
    assert s["pct_2y"] == pytest.approx(400 / 7)
    assert s["children"] == 6
    # A and B (family F1) start together; C's family has no one else starting.
    assert (s["sibling_groups"], s["children_in_sibling_groups"]) == (1, 2)
    # Category known for A2 (EMO -> PHY), B2 (NEG -> PHY), C2 (EMO -> EMO), H2 (SAB -> NEG),
    # G2 (NEG -> NEG): 5 known, 3 changed. D has no previous plan in the data.
    assert (s["category_known"], s["category_changed"]) == (5, 3)
    assert s["count_only"] == 1


def test_rolling_year_adds_may_and_earlier_starts(h):
    # Jul 2023 - Jun 2024: the 7 June starts + G1 (Jan), J1 (Feb), J2 (May) = 10;
    # repeats 6 + J2 = 7; within 2 years 4 + J2 (J1 ended 15 Apr 2024) = 5.
    s = rc.repeat_summary(h, window("2024-06", "rolling_12m"))
    assert (s["starts"], s["repeat_ever"], s["repeat_2y"]) == (10, 7, 5)
    assert s["pct_ever"] == pytest.approx(70.0)


def test_flags_match_the_measures_engine(ds):
    """The cohort is the scorecard's numerator: same figures as cpp_repeat_pct and
    cpp_repeat_2y_pct for June 2024 (hand values above)."""
    m = compute_measures(ds, measures=["cpp_repeat_pct", "cpp_repeat_2y_pct"], first_month="2024-06",
                         last_month="2024-06", periods=["month", "rolling_12m"], options={"breakdowns": ["all"]})
    got = m.set_index(["measure", "period_type"])[["numerator", "denominator"]]
    assert tuple(got.loc[("cpp_repeat_pct", "month")]) == (6, 7)
    assert tuple(got.loc[("cpp_repeat_2y_pct", "month")]) == (4, 7)
    assert tuple(got.loc[("cpp_repeat_pct", "rolling_12m")]) == (7, 10)
    assert tuple(got.loc[("cpp_repeat_2y_pct", "rolling_12m")]) == (5, 10)


def test_previous_plan_fields(h):
    a2 = _plan(h, "P2")
    assert a2["child_id"] == "A"  # ids decoded back from the engine's integer codes
    assert a2["prev_end"] == pd.Timestamp("2023-02-15")
    assert a2["prev_start"] == pd.Timestamp("2022-01-10")
    assert a2["prev_category"] == "EMO"  # the previous plan's latest category
    # 15 Feb 2023 -> 15 Feb 2024 is 365 days; then 29 (leap February) + 31 + 30 to 15 May, + 19 to 3 June.
    assert a2["days_since_previous"] == 365 + 29 + 31 + 30 + 19
    assert a2["gap_band"] == "1 to 2 years"
    assert bool(a2["category_changed"]) is True
    assert a2["family_id"] == "F1"
    c2 = _plan(h, "P6")
    assert c2["gap_band"] == rc.OVER_2_YEARS and not c2["repeat_2y"]
    assert bool(c2["category_changed"]) is False
    h2 = _plan(h, "P8")
    assert h2["gap_band"] == "1 to 2 years" and h2["repeat_2y"]  # exactly two years: within
    g2 = _plan(h, "P12")
    assert g2["prev_open"] and g2["gap_band"] == rc.STILL_OPEN and pd.isna(g2["prev_end"])
    assert np.isnan(g2["days_since_previous"])
    d = _plan(h, "P9")
    assert d["repeat_ever"] and not d["repeat_2y"] and not d["earlier_in_data"]
    assert d["gap_band"] == rc.NOT_IN_DATA and pd.isna(d["category_changed"])
    e = _plan(h, "P10")
    assert not e["repeat_ever"] and pd.isna(e["gap_band"])
    j2 = _plan(h, "P14")
    # 15 Apr 2024 is on or after 20 Feb 2024 (3 months before 20 May): under 3 months.
    assert j2["gap_band"] == "under 3 months"


def test_gap_profile_every_band_in_order(h):
    g = rc.gap_profile(h, window("2024-06", "month"))
    assert list(g["band"]) == list(rc.GAP_ORDER)
    counts = dict(zip(g["band"], g["plans"]))
    assert counts == {rc.STILL_OPEN: 1, "under 3 months": 0, "3 to 6 months": 0, "6 to 12 months": 0,
                      "1 to 2 years": 3, rc.OVER_2_YEARS: 1, rc.NOT_IN_DATA: 1}
    assert g["pct"].iloc[4] == pytest.approx(50.0)  # 3 of 6 repeats


def test_category_changes(h):
    c = rc.category_changes(h, window("2024-06", "month"))
    got = {(r.previous, r.new): r.plans for r in c.itertuples()}
    assert got == {("EMO", "PHY"): 1, ("NEG", "PHY"): 1, ("EMO", "EMO"): 1, ("SAB", "NEG"): 1, ("NEG", "NEG"): 1}
    assert c["changed"].sum() == 3


def test_cohort_and_sibling_groups(h):
    c = rc.repeat_cohort(h, window("2024-06", "month"))
    assert sorted(c["child_id"]) == ["A", "B", "C", "D", "G", "H"]
    groups = dict(zip(c["child_id"], c["sibling_group"]))
    assert groups["A"] == groups["B"] == 1 and groups["C"] == groups["D"] == groups["G"] == groups["H"] == 0
    g = rc.sibling_groups(h, window("2024-06", "month"))
    assert len(g) == 1
    row = g.iloc[0]
    assert (row["children"], row["within_2y"], row["category_changed"], row["gap_band"]) == (2, 2, 2, "1 to 2 years")
    assert row["start"] == pd.Timestamp("2024-06-03")


def test_no_sibling_groups_gives_empty_frame(h):
    g = rc.sibling_groups(h, window("2024-05", "month"))  # J2 alone
    assert len(g) == 0 and list(g.columns)[:3] == ["group", "start", "children"]


def test_by_team_and_worker(h):
    t = rc.repeat_by(h, window("2024-06", "month"), "team").set_index("team")
    # T_A: A2, B2, D, G2 (all repeats; 2y: A2, B2, G2). T_B: C2, H2 (2y: H2). E: no team.
    assert t.loc["Safeguarding A", ["starts", "repeat_ever", "repeat_2y"]].tolist() == [4, 4, 3]
    assert t.loc["Safeguarding B", ["starts", "repeat_ever", "repeat_2y"]].tolist() == [2, 2, 1]
    assert t.loc["not recorded", ["starts", "repeat_ever"]].tolist() == [1, 0]
    assert t.loc["Safeguarding B", "pct_2y"] == pytest.approx(50.0)
    assert list(t.index)[0] == "Safeguarding A"  # most repeats first
    w = rc.repeat_by(h, window("2024-06", "month"), "worker").set_index("worker")
    # W1: A2, G2; W2: B2, D; W3: C2, H2.
    assert w.loc["Alex Tester", "repeat_ever"] == 2 and w.loc["Alex Tester", "repeat_2y"] == 2
    assert w.loc["Sam Sample", "repeat_2y"] == 1
    with pytest.raises(ValueError):
        rc.repeat_by(h, window("2024-06", "month"), "child")


def test_trend_months_and_rolling_year(h):
    t = rc.repeat_trend(h, "2024-06", months=3).set_index("period_end")
    assert list(t.index) == list(pd.to_datetime(["2024-04-30", "2024-05-31", "2024-06-30"]))
    assert t["starts"].tolist() == [0, 1, 7]
    assert t["repeat_ever"].tolist() == [0, 1, 6]
    assert t["repeat_2y"].tolist() == [0, 1, 4]
    assert np.isnan(t["pct_ever"].iloc[0])  # no plans started: no percentage
    assert t["rolling_pct_ever"].iloc[-1] == pytest.approx(70.0)
    assert t["rolling_pct_2y"].iloc[-1] == pytest.approx(50.0)
    # Data from April 2023: the first full rolling year ends in March 2024.
    full = rc.repeat_trend(h, "2024-06", months=24)
    assert full["period_end"].iloc[0] == pd.Timestamp("2023-04-30")
    has_roll = full.dropna(subset=["rolling_pct_ever"])["period_end"]
    assert has_roll.iloc[0] == pd.Timestamp("2024-03-31")


def test_window_rejects_unknown_period():
    with pytest.raises(ConfigError):
        window("2024-06", "fortnight")
    assert window("2024-06").label == "the 12 months to June 2024"
    assert window("2024-06").previous().end == pd.Timestamp("2023-06-30")
