"""Assessment timeliness deep dive: hand-built assessments around the May 2024 bank
holidays (Monday 6 May, Monday 27 May) and Easter (Friday 29 March, Monday 1 April).

Working days, start day not counted (worked out by hand):
  a1  Fri 3 May -> Tue 7 May: 6 May is a holiday, so 1
  a2  1 May -> 1 May: 0
  a3  Fri 1 Mar -> Fri 3 May: March 19 (4-8, 11-15, 18-22, 25-28), April 21 (2-30),
      May 3 (1-3) = 43
  a4  1 Mar -> Wed 8 May: 43 + 7, 8 May = 45 (within 45: the boundary counts)
  a5  1 Mar -> Thu 9 May: 46
  a6  authorised 9 May, before its 10 May start: left out (data-quality error)
  a7  Tue 2 Apr -> Fri 26 Apr: 3 + 5 + 5 + 5 = 18 (April, outside May)
  o5  Mon 1 Apr (a holiday, not counted anyway) -> Fri 31 May: April 21 + May 21 = 42
  o4  Fri 31 May -> 31 May: 0
May 2024 completions: a1, a2, a3, a4, a5, o4, o5 = 7, within 45: 6.
"""

import numpy as np
import pandas as pd
import pytest

from csc_workbench.analysis import assessment_timeliness as at
from csc_workbench.analysis import window
from csc_workbench.measures import compute_measures
from deep_dive_cases import assessments_dataset


@pytest.fixture(scope="module")
def ds():
    return assessments_dataset()


@pytest.fixture(scope="module")
def h(ds):
    return at.assessment_history(ds, "2024-05")


MAY = window("2024-05", "month")


def test_working_days_per_assessment(h):
    wd = h.assessments.set_index("assessment_id")["working_days"]
    assert wd[["a1", "a2", "a3", "a4", "a5", "a7", "o5"]].tolist() == [1, 0, 43, 45, 46, 18, 42]
    a = h.assessments.set_index("assessment_id")
    assert not a.loc["a6", "valid"]
    assert a.loc["a4", "within_45"] and not a.loc["a5", "within_45"]
    assert a.loc["a3", "duration_band"] == "36-45" and a.loc["a5", "duration_band"] == "over 45"
    assert a.loc["a1", "child_id"] == "K1" and a.loc["a1", "team_id"] == "TA"


def test_may_summary(h):
    s = at.timeliness_summary(h, MAY)
    assert (s["completed"], s["left_out"]) == (7, 1)
    assert (s["within_15"], s["within_35"], s["within_45"], s["over_45"]) == (3, 3, 6, 1)
    assert s["pct_45"] == pytest.approx(600 / 7)
    assert s["median_wd"] == 42  # 0, 0, 1, 42, 43, 45, 46


def test_summary_matches_the_measure(ds):
    m = compute_measures(ds, measures=["assessment_45wd_pct", "assessments_open_over_45wd"], first_month="2024-05",
                         last_month="2024-05", periods=["month", "snapshot"], options={"breakdowns": ["all"]})
    got = m.set_index("measure")
    assert tuple(got.loc["assessment_45wd_pct", ["numerator", "denominator"]]) == (6, 7)
    assert got.loc["assessments_open_over_45wd", "value"] == 1  # o1, as open_assessments finds


def test_bands(h):
    b = at.duration_bands(h, MAY).set_index("band")["assessments"]
    assert b.to_dict() == {"0-10": 3, "11-25": 0, "26-35": 0, "36-45": 3, "over 45": 1}


def test_distribution_in_five_day_bins(h):
    d = at.duration_distribution(h, MAY, bin_width=5, cap=65)
    assert d["label"].tolist()[:3] == ["0", "1-5", "6-10"] and d["label"].iloc[-1] == "over 65"
    counts = dict(zip(d["label"], d["assessments"]))
    assert (counts["0"], counts["1-5"], counts["41-45"], counts["46-50"]) == (2, 1, 3, 1)
    assert d["assessments"].sum() == 7
    assert dict(zip(d["label"], d["band"]))["41-45"] == "36-45"
    assert dict(zip(d["label"], d["band"]))["46-50"] == "over 45"
    with pytest.raises(ValueError):
        at.duration_distribution(h, MAY, bin_width=5, cap=62)


def test_over_cap_bin(h):
    d = at.duration_distribution(h, MAY, bin_width=1, cap=45)
    assert d["label"].iloc[-1] == "over 45" and d["assessments"].iloc[-1] == 1
    assert d.loc[d["label"] == "45", "assessments"].iloc[0] == 1


def test_by_team(h):
    t = at.timeliness_by(h, MAY, "team").set_index("team")
    # Assessment A: a1, a2, a3, o4 (1, 0, 43, 0); Assessment B: a4, a5, o5 (45, 46, 42).
    assert t.loc["Assessment A", ["completed", "within_45"]].tolist() == [4, 4]
    assert t.loc["Assessment B", ["completed", "within_45", "over 45", "36-45"]].tolist() == [3, 2, 1, 2]
    assert t.loc["Assessment A", "median_wd"] == 0.5
    assert t.loc["Assessment B", "pct_45"] == pytest.approx(200 / 3)


def test_open_assessments_at_the_month_end(h):
    """At Fri 31 May 2024 (a holiday on 27 May):
    o1 from Wed 20 Mar: March 6 (21-22, 25-28), April 21, May 21 = 48 -> overdue; due
       Tue 28 May (27 by 30 Apr, 18 more in May), 3 working days ago.
    o3 from Fri 5 Apr: April 17, May 21 = 38 -> at risk; due Tue 11 Jun, 7 left.
    o2 from Fri 12 Apr: April 12, May 21 = 33 -> on track; due Tue 18 Jun, 12 left.
    o6 from Wed 1 May (authorised 3 Jun): 20 -> on track.
    Not open: o4 (authorised on the month end), o5 (authorised 31 May)."""
    o = at.open_assessments(h, "2024-05").set_index("assessment_id")
    assert sorted(o.index) == ["o1", "o2", "o3", "o6"]
    assert o["working_days_so_far"].to_dict() == {"o1": 48, "o3": 38, "o2": 33, "o6": 20}
    assert o.loc["o1", "due_date"] == pd.Timestamp("2024-05-28") and o.loc["o1", "working_days_left"] == -3
    assert o.loc["o3", "due_date"] == pd.Timestamp("2024-06-11") and o.loc["o3", "working_days_left"] == 7
    assert o.loc["o2", "due_date"] == pd.Timestamp("2024-06-18") and o.loc["o2", "working_days_left"] == 12
    assert o["status"].astype(str).to_dict() == {"o1": "overdue", "o3": "at risk", "o2": "on track", "o6": "on track"}
    assert list(o.index)[:2] == ["o1", "o3"]  # most urgent first
    s = at.open_summary(o.reset_index()).set_index("status")["assessments"].to_dict()
    assert s == {"overdue": 1, "at risk": 1, "on track": 2}
    t = at.open_by_team(o.reset_index()).set_index("team")
    assert t.loc["Assessment B", ["open", "at_risk", "overdue"]].tolist() == [2, 1, 0]
    assert t.loc["Assessment A", ["open", "at_risk", "overdue"]].tolist() == [2, 0, 1]
    # A lower threshold moves o2 (33 days) into "at risk".
    assert (at.open_assessments(h, "2024-05", risk_from=30)["status"] == "at risk").sum() == 2


def test_referral_to_start(h):
    """Started in May: a1 (referral Thu 2 May -> Fri 3 May: 1), a2 (same day: 0), o6
    (Tue 30 Apr -> Wed 1 May: 1), a6 (no referral found), o4 (its referral dated 3 June,
    after the 31 May start: a data-quality error). a3 has no referral id: linked to the
    child's referral of Wed 28 Feb -> Fri 1 Mar = 2 (Thu 29 Feb, Fri 1 Mar)."""
    s, bands = at.referral_to_start(h, MAY)
    assert (s["started"], s["linked"], s["no_referral"], s["before_referral"]) == (5, 3, 1, 1)
    assert s["median_wd"] == 1 and s["within_10"] == 3
    assert dict(zip(bands["band"], bands["assessments"])) == {"same day": 1, "1": 2, "2-5": 0, "6-10": 0,
                                                              "11-20": 0, "over 20": 0}
    a3 = h.assessments.set_index("assessment_id").loc["a3"]
    assert a3["referral_date"] == pd.Timestamp("2024-02-28") and a3["referral_to_start"] == 2
    t = at.referral_to_start_by_team(h, MAY).set_index("team")
    assert t.loc["Assessment A", ["started", "within_10"]].tolist() == [3, 3]


def test_seasonality(h):
    s = at.seasonality(h, "2024-05", years=1)
    # Financial year 2024-25 from April 2024 (data from March 2024): April a7, May seven.
    assert s["year"].tolist() == ["2024-25", "2024-25"]
    assert s["month_name"].tolist() == ["Apr", "May"] and s["month_pos"].tolist() == [1, 2]
    assert s["completed"].tolist() == [1, 7] and s["within_45"].tolist() == [1, 6]
    p = at.seasonal_profile(s)
    assert p["pct_45"].tolist() == pytest.approx([100.0, 600 / 7])
    # All months pooled: 7 of 8 -> the April diff is 100 - 87.5
    assert p["diff"].iloc[0] == pytest.approx(12.5)
    assert np.all(p["years"] == 1)
