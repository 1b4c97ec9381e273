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
    ok = (dates.notna() & n.notna()).to_numpy()
    out = np.full(len(dates), np.datetime64("NaT"), dtype="datetime64[us]")
    if ok.any():
        d = dates.to_numpy(dtype="datetime64[D]")[ok]
        y = d.astype("datetime64[Y]").astype("int64") + 1970
        m = d.astype("datetime64[M]").astype("int64") % 12 + 1
        day = (d - d.astype("datetime64[M]")).astype("int64") + 1
        y = y + n.to_numpy(dtype="float64")[ok].astype("int64")
        leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
        day = np.where((m == 2) & (day == 29) & ~leap, 28, day)
        months = (y - 1970) * 12 + (m - 1)
        out[ok] = (months.astype("datetime64[M]").astype("datetime64[D]") + (day - 1)).astype("datetime64[us]")
    return pd.Series(out, index=dates.index)


def birthday_in_year(dob: pd.Series, year) -> pd.Series:
    """The birthday falling in the year ending 31 March ``year`` (a number or a Series)."""
    year = pd.Series(year, index=dob.index) if np.isscalar(year) else pd.Series(np.asarray(year), index=dob.index)
    calendar_year = year.astype("Float64") - (dob.dt.month >= 4).astype("Float64")
    return add_years(dob, calendar_year - dob.dt.year)


def fmt(dates: pd.Series) -> pd.Series:
    """dd/mm/yyyy as DfE writes dates; blank for a missing date."""
    days = pd.to_datetime(dates).to_numpy(dtype="datetime64[D]")
    iso = np.datetime_as_string(days, unit="D").astype("U10")
    chars = iso.view("U1").reshape(len(iso), 10) if len(iso) else np.empty((0, 10), dtype="U1")
    dmy = chars[:, [8, 9, 7, 5, 6, 4, 0, 1, 2, 3]].copy()
    dmy[:, 2] = "/"
    dmy[:, 5] = "/"
    out = dmy.view("U10").ravel() if len(iso) else np.array([], dtype="U10")
    out = np.where(np.isnat(days), "", out)
    return pd.Series(out, index=dates.index, dtype=object)
