"""Working days, financial years, month ends and reporting windows.

One module owns the calendar so that every timeliness measure agrees on what a working day
is. A working day is Monday to Friday and not an England and Wales bank holiday, including
one-off days (2022-06-03 Platinum Jubilee, 2022-09-19 State Funeral, 2023-05-08 Coronation)
and substitute days when Christmas or New Year fall at a weekend.

DfE's convention (INDICATORS.md): the start day is not counted, so a same-day assessment
took 0 working days and "within 45 working days" means ``working_days_between(start, end)
<= 45``. ``within_working_days`` is the one function that applies that convention.
"""

from __future__ import annotations

from functools import lru_cache

import holidays
import numpy as np
import pandas as pd

# Wide enough for CIN census history (DfE tables start 2013) and for forward-looking checks
# such as "assessments due by" dates; the holidays package must be given explicit years or
# it returns an empty calendar and every bank holiday silently counts as a working day.
FIRST_YEAR = 2000
LAST_YEAR = 2040

ONE_DAY = np.timedelta64(1, "D")


@lru_cache(maxsize=1)
def bank_holidays() -> np.ndarray:
    """England and Wales bank holidays FIRST_YEAR..LAST_YEAR as sorted datetime64[D]."""
    # England and Wales share one list of bank holidays; subdivision ENG gives it.
    cal = holidays.country_holidays("GB", subdiv="ENG", years=range(FIRST_YEAR, LAST_YEAR + 1))
    days = np.array(sorted(cal.keys()), dtype="datetime64[D]")
    # Weekend dates in the list (e.g. Christmas on a Saturday) are not working days anyway;
    # numpy's busdaycalendar ignores them, keeping them documents the source faithfully.
    return days


@lru_cache(maxsize=1)
def busday_calendar() -> np.busdaycalendar:
    return np.busdaycalendar(weekmask="1111100", holidays=bank_holidays())


def _as_day_array(values) -> tuple[np.ndarray, np.ndarray]:
    """Return (datetime64[D] array, mask of missing) for scalars, lists, Series or arrays."""
    arr = pd.to_datetime(pd.Series(np.atleast_1d(values)) if np.ndim(values) == 0 else values)
    if isinstance(arr, pd.DatetimeIndex):
        arr = pd.Series(arr)
    if not isinstance(arr, pd.Series):
        arr = pd.Series(arr)
    missing = arr.isna().to_numpy()
    days = arr.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    days = np.where(missing, np.datetime64("1970-01-01"), days)
    return days, missing


def is_working_day(dates) -> np.ndarray:
    """True where the date is a working day (missing dates give False)."""
    days, missing = _as_day_array(dates)
    result = np.is_busday(days, busdaycal=busday_calendar())
    return result & ~missing


def working_days_between(start, end) -> np.ndarray:
    """Working days from ``start`` to ``end``, the start day not counted (DfE convention).

    Same day -> 0; start Friday, end next Monday -> 1. Counts the working days in the
    half-open interval (start, end]. If ``end`` is before ``start`` the result is negative
    (callers treat that as a data-quality error). Missing dates give NaN.
    Vectorised: accepts Series, arrays or scalars; returns a float array (NaN for missing).
    """
    s, ms = _as_day_array(start)
    e, me = _as_day_array(end)
    # numpy counts [begin, end); shifting both by a day gives (start, end]. For an end
    # before the start, count (end, start] and negate, so the magnitude is symmetric.
    lo, hi = np.minimum(s, e), np.maximum(s, e)
    counts = np.busday_count(lo + ONE_DAY, hi + ONE_DAY, busdaycal=busday_calendar()).astype(float)
    counts = np.where(e < s, -counts, counts)
    counts[ms | me] = np.nan
    return counts


def within_working_days(start, end, limit: int) -> np.ndarray:
    """The one owner of "within N working days": working_days_between(start, end) <= limit.

    Returns a boolean array; a missing date, or an end before the start, is never "within"
    (callers that need to exclude those from a denominator test ``end >= start`` first).
    """
    wd = working_days_between(start, end)
    with np.errstate(invalid="ignore"):
        ok = (wd <= limit) & (wd >= 0)
    return np.where(np.isnan(wd), False, ok)


def add_working_days(start, n: int) -> np.ndarray:
    """The date ``n`` working days after ``start`` (start not counted), as datetime64[D].

    ``working_days_between(start, add_working_days(start, n)) == n`` and the result is the
    earliest such date, i.e. the deadline for "within n working days".
    """
    s, missing = _as_day_array(start)
    # Roll the start forward to a working day first so the offset counts from the next one.
    out = np.busday_offset(s, n, roll="backward", busdaycal=busday_calendar())
    out = out.astype("datetime64[ns]")
    out[missing] = np.datetime64("NaT")
    return out


# ---- Reporting periods ---------------------------------------------------------------

def financial_year(dates) -> np.ndarray:
    """Financial year ending 31 March, named by its end year (2024 = 2023-04-01..2024-03-31).

    DfE names its years by the year ending 31 March, so 2023-24 is 2024 here.
    """
    d = pd.to_datetime(pd.Series(dates) if not isinstance(dates, pd.Series) else dates)
    years = d.dt.year + (d.dt.month >= 4).astype("Int64")
    return years.to_numpy(dtype="float", na_value=np.nan)


def financial_year_start(fy_end_year: int) -> pd.Timestamp:
    return pd.Timestamp(fy_end_year - 1, 4, 1)


def financial_year_label(fy_end_year: int) -> str:
    """2024 -> '2023-24', the label DfE publishes."""
    return f"{fy_end_year - 1}-{str(fy_end_year)[-2:]}"


def month_end(dates) -> pd.Series:
    """The last day of each date's month (normalised to midnight)."""
    d = pd.to_datetime(pd.Series(dates) if not isinstance(dates, pd.Series) else dates)
    return (d.dt.to_period("M").dt.to_timestamp(how="end")).dt.normalize()


def month_ends(first: str | pd.Timestamp, last: str | pd.Timestamp) -> pd.DatetimeIndex:
    """Every month end from the month of ``first`` to the month of ``last`` inclusive."""
    start = pd.Period(pd.Timestamp(first), "M")
    end = pd.Period(pd.Timestamp(last), "M")
    return pd.period_range(start, end, freq="M").to_timestamp(how="end").normalize()


def parse_month(month: str) -> pd.Timestamp:
    """'2024-11' -> Timestamp('2024-11-30'), the month end a pack reports on."""
    try:
        period = pd.Period(month, "M")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"month must look like YYYY-MM, got {month!r}") from exc
    return period.to_timestamp(how="end").normalize()


def last_complete_month(today: pd.Timestamp | None = None) -> pd.Timestamp:
    """The end of the last calendar month that has fully passed."""
    today = pd.Timestamp.today().normalize() if today is None else pd.Timestamp(today)
    return (pd.Period(today, "M") - 1).to_timestamp(how="end").normalize()


PERIOD_TYPES = ("month", "rolling_6m", "rolling_12m", "snapshot", "ytd", "quarter", "year")


def period_window(period_type: str, period_end: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(first day, last day) inclusive of the window a period type covers, ending at period_end.

    ``quarter`` and ``year`` are the financial quarter / year *containing* the month end, to
    date; a full quarter or year is reported at its last month (June, September, December,
    March for quarters; March for years). ``snapshot`` is the single day ``period_end``.
    """
    end = pd.Timestamp(period_end).normalize()
    month = pd.Period(end, "M")
    if period_type == "month":
        start = month.to_timestamp(how="start")
    elif period_type == "rolling_6m":
        start = (month - 5).to_timestamp(how="start")
    elif period_type == "rolling_12m":
        start = (month - 11).to_timestamp(how="start")
    elif period_type == "snapshot":
        start = end
    elif period_type in ("ytd", "year"):
        fy = end.year + (1 if end.month >= 4 else 0)
        start = financial_year_start(fy)
    elif period_type == "quarter":
        # Financial quarters start in April, July, October and January.
        q_start_month = {4: 4, 5: 4, 6: 4, 7: 7, 8: 7, 9: 7, 10: 10, 11: 10, 12: 10,
                         1: 1, 2: 1, 3: 1}[end.month]
        start = pd.Timestamp(end.year, q_start_month, 1)
    else:
        raise ValueError(f"unknown period type {period_type!r}; expected one of {PERIOD_TYPES}")
    return start, end


def months_in_window(period_type: str, period_end: pd.Timestamp) -> int:
    """Number of calendar months a flow window covers (for annualising rates)."""
    start, end = period_window(period_type, period_end)
    return (pd.Period(end, "M") - pd.Period(start, "M")).n + 1


def add_years(dates, years: int) -> pd.Series:
    """Same calendar date ``years`` later/earlier (29 Feb -> 28 Feb in a non-leap year)."""
    d = pd.to_datetime(pd.Series(dates) if not isinstance(dates, pd.Series) else dates)
    return d + pd.DateOffset(years=years)


def age_in_years(dob, at) -> np.ndarray:
    """Completed years of age at ``at`` (birthday counted on the day; 29 Feb -> 28 Feb/1 Mar
    follows the calendar: a leap-day child turns a year older on 1 March in other years)."""
    b = pd.to_datetime(pd.Series(dob) if not isinstance(dob, pd.Series) else dob).reset_index(drop=True)
    a = pd.to_datetime(pd.Series(at) if not isinstance(at, pd.Series) else at).reset_index(drop=True)
    if len(a) == 1 and len(b) > 1:
        a = pd.Series([a.iloc[0]] * len(b))
    years = a.dt.year - b.dt.year
    not_yet = (a.dt.month < b.dt.month) | ((a.dt.month == b.dt.month) & (a.dt.day < b.dt.day))
    return (years - not_yet.astype(int)).to_numpy(dtype="float", na_value=np.nan)
