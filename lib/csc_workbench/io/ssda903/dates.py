"""Date helpers the SSDA903 loader and writer share (vectorised)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def year_ending(dates: pd.Series) -> pd.Series:
    """The year ending 31 March that holds each date (the collection year)."""
    return (dates.dt.year + (dates.dt.month >= 4)).astype("Int64")


def add_years(dates: pd.Series, n) -> pd.Series:
    """``dates`` + ``n`` years (``n`` a number or a Series), month and day kept; 29 February
    becomes 28 February in a year that is not a leap year (DfE's birthday convention)."""
    n = pd.Series(n, index=dates.index) if np.isscalar(n) else pd.Series(np.asarray(n), index=dates.index)
    ok = dates.notna() & n.notna()
    out = pd.Series(pd.NaT, index=dates.index, dtype="datetime64[us]")
    if ok.any():
        d = dates[ok]
        y = (d.dt.year + n[ok].astype("int64")).astype("int64")
        m, day = d.dt.month.astype("int64"), d.dt.day.astype("int64")
        leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
        day = day.where(~((m == 2) & (day == 29) & ~leap), 28)
        out[ok] = pd.to_datetime(pd.DataFrame({"year": y, "month": m, "day": day})).astype("datetime64[us]")
    return out


def birthday_in_year(dob: pd.Series, year) -> pd.Series:
    """The birthday falling in the year ending 31 March ``year`` (a number or a Series)."""
    year = pd.Series(year, index=dob.index) if np.isscalar(year) else pd.Series(np.asarray(year), index=dob.index)
    calendar_year = year.astype("Float64") - (dob.dt.month >= 4).astype("Float64")
    return add_years(dob, calendar_year - dob.dt.year)


def fmt(dates: pd.Series) -> pd.Series:
    """dd/mm/yyyy as DfE writes dates; blank for a missing date."""
    return pd.to_datetime(dates).dt.strftime("%d/%m/%Y").fillna("").astype(object)
