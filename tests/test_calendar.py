"""Golden tests for the working-day calendar on real England and Wales dates.

Every expected value here was counted by hand from a printed calendar; none is computed by
the code under test.
"""

import numpy as np
import pandas as pd
import pytest

from csc_workbench import calendar as cal


def wd(start, end):
    return cal.working_days_between(pd.Series([start]), pd.Series([end]))[0]


@pytest.mark.parametrize("start,end,expected,why", [
    ("2023-03-01", "2023-03-01", 0, "same day counts 0 (DfE)"),
    ("2023-03-03", "2023-03-06", 1, "Friday to Monday"),
    ("2023-01-07", "2023-01-09", 1, "Saturday start: Monday is the first working day"),
    ("2022-12-23", "2022-12-28", 1, "Christmas 2022: Boxing Day Mon 26, substitute Tue 27"),
    ("2021-12-24", "2021-12-29", 1, "Christmas 2021 on Saturday: substitutes Mon 27 and Tue 28"),
    ("2021-12-31", "2022-01-04", 1, "New Year 2022 on Saturday: substitute Mon 3 Jan"),
    ("2022-12-30", "2023-01-03", 1, "New Year 2023 on Sunday: substitute Mon 2 Jan"),
    ("2023-04-06", "2023-04-11", 1, "Easter 2023: Good Friday 7, Easter Monday 10 April"),
    ("2022-06-01", "2022-06-06", 1, "Spring bank holiday moved to Thu 2 June and Jubilee Fri 3 June 2022"),
    ("2022-09-16", "2022-09-20", 1, "State Funeral Mon 19 September 2022"),
    ("2023-04-28", "2023-05-09", 5, "May Day Mon 1 and Coronation Mon 8 May 2023"),
    ("2024-02-28", "2024-03-01", 2, "leap day Thu 29 Feb 2024 is a working day"),
    ("2022-12-01", "2023-02-07", 45, "45 working days across Christmas and New Year"),
    ("2023-03-10", "2023-03-09", -1, "end before start is negative (a data-quality error)"),
])
def test_working_days_between_golden(start, end, expected, why):
    assert wd(start, end) == expected, why


def test_bank_holidays_include_one_off_days():
    days = set(cal.bank_holidays().astype(str))
    for d in ["2022-06-02", "2022-06-03", "2022-09-19", "2023-05-08", "2020-05-08", "2022-12-27", "2022-01-03"]:
        assert d in days, d
    # 2020's early May bank holiday moved from Monday 4th to Friday 8th (VE day)
    assert "2020-05-04" not in days


@pytest.mark.parametrize("date,expected", [
    ("2024-02-29", True), ("2022-09-19", False), ("2023-05-08", False), ("2022-12-27", False),
    ("2023-12-23", False), ("2023-12-27", True), ("2019-04-19", False), ("2019-04-23", True),
])
def test_is_working_day(date, expected):
    assert bool(cal.is_working_day(pd.Series([date]))[0]) is expected


def test_within_45_working_days_boundary_across_christmas():
    start = pd.Series(["2022-12-01", "2022-12-01", "2022-12-01"])
    end = pd.Series(["2023-02-07", "2023-02-08", "2022-12-01"])
    assert cal.within_working_days(start, end, 45).tolist() == [True, False, True]


def test_within_is_false_for_missing_and_inverted_dates():
    start = pd.Series(["2023-01-10", None, "2023-01-10"])
    end = pd.Series([None, "2023-01-10", "2023-01-09"])
    assert cal.within_working_days(start, end, 45).tolist() == [False, False, False]
    assert np.isnan(cal.working_days_between(start, end)[:2]).all()


def test_add_working_days_is_the_deadline():
    # 15 working days from Wed 1 June 2022: bank holidays Thu 2 and Fri 3 June excluded -> Fri 24 June
    assert str(cal.add_working_days("2022-06-01", 15)[0])[:10] == "2022-06-24"
    assert str(cal.add_working_days("2022-12-01", 45)[0])[:10] == "2023-02-07"


def test_vectorised_over_many_rows():
    start = pd.Series(pd.date_range("2019-01-01", periods=5000, freq="D"))
    end = start + pd.Timedelta(days=70)
    out = cal.working_days_between(start, end)
    assert out.shape == (5000,)
    # 70 calendar days = 10 weeks = 50 weekdays, minus bank holidays in the window
    assert out.max() == 50 and out.min() >= 45


@pytest.mark.parametrize("date,fy", [("2024-03-31", 2024), ("2024-04-01", 2025), ("2023-12-31", 2024)])
def test_financial_year(date, fy):
    assert cal.financial_year(pd.Series([date]))[0] == fy
    assert cal.financial_year_label(2024) == "2023-24"


@pytest.mark.parametrize("ptype,end,start", [
    ("month", "2024-02-29", "2024-02-01"),
    ("rolling_6m", "2024-11-30", "2024-06-01"),
    ("rolling_12m", "2024-11-30", "2023-12-01"),
    ("ytd", "2024-11-30", "2024-04-01"),
    ("ytd", "2025-03-31", "2024-04-01"),
    ("year", "2025-03-31", "2024-04-01"),
    ("quarter", "2024-11-30", "2024-10-01"),
    ("quarter", "2025-02-28", "2025-01-01"),
    ("snapshot", "2024-11-30", "2024-11-30"),
])
def test_period_window(ptype, end, start):
    s, e = cal.period_window(ptype, pd.Timestamp(end))
    assert (str(s.date()), str(e.date())) == (start, end)


def test_months_in_window_and_month_ends():
    assert cal.months_in_window("rolling_6m", pd.Timestamp("2024-11-30")) == 6
    assert cal.months_in_window("ytd", pd.Timestamp("2024-04-30")) == 1
    ends = cal.month_ends("2023-11-15", "2024-02-01")
    assert [str(d.date()) for d in ends] == ["2023-11-30", "2023-12-31", "2024-01-31", "2024-02-29"]
    assert str(cal.parse_month("2024-02").date()) == "2024-02-29"
    with pytest.raises(ValueError):
        cal.parse_month("Feb 2024x")


def test_age_in_years_leap_day_birthday():
    dob = pd.Series(["2008-02-29", "2008-02-29", "2008-03-01"])
    at = pd.Series(["2026-02-28", "2026-03-01", "2026-02-28"])
    assert cal.age_in_years(dob, at).tolist() == [17, 18, 17]
