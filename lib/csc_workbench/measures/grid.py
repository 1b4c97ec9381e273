"""The month grid every measure is evaluated on, and the interval join onto its windows.

The engine never loops over months or children. Flow events are binned to months once and
every window (month, rolling 6 / 12 months, quarter, year to date) is a difference of
cumulative sums. Stock measures and "distinct children in the period" measures join their
intervals onto the windows of every period type at once (``Grid.expand``): because window
starts and ends both move forward with the month, the windows an interval overlaps are one
contiguous run of months, found with two binary searches.

Dates inside the engine are numpy ``datetime64[D]``; a missing end date means "still open"
and is replaced by ``OPEN_END``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..calendar import month_ends as _month_ends

OPEN_END = np.datetime64("2200-01-01", "D")
NAT = np.datetime64("NaT", "D")
ONE_DAY = np.timedelta64(1, "D")


def days(values) -> np.ndarray:
    """Any date-like Series/array/scalar -> datetime64[D] array (NaT kept)."""
    if isinstance(values, (pd.Series, pd.Index)):
        arr = values.to_numpy()
        if arr.dtype.kind != "M":
            arr = pd.to_datetime(values).to_numpy()
        return arr.astype("datetime64[D]")
    arr = np.asarray(values)
    if arr.dtype.kind != "M":
        arr = pd.to_datetime(pd.Series(np.atleast_1d(arr))).to_numpy()
    return arr.astype("datetime64[D]")


def open_ended(end: np.ndarray) -> np.ndarray:
    """End dates with NaT (still open) replaced by a date far in the future."""
    end = np.asarray(end, dtype="datetime64[D]")
    return np.where(np.isnat(end), OPEN_END, end)


def days_between(start, end) -> np.ndarray:
    """Calendar days from ``start`` to ``end`` as floats (NaN where either date is missing;
    numpy would turn a missing interval into a huge negative number)."""
    s = np.asarray(start, dtype="datetime64[D]")
    e = np.asarray(end, dtype="datetime64[D]")
    delta = (e - s).astype("timedelta64[D]")
    out = delta.astype(np.int64).astype(float)
    out[np.isnat(delta)] = np.nan
    return out


def add_months(d: np.ndarray, months: int) -> np.ndarray:
    """Same calendar day ``months`` later (end of month clipped: 31 Jan + 1 month = 28/29 Feb)."""
    s = pd.Series(pd.to_datetime(np.asarray(d, dtype="datetime64[D]")))
    return (s + pd.DateOffset(months=months)).to_numpy().astype("datetime64[D]")


def add_years(d: np.ndarray, years: int) -> np.ndarray:
    return add_months(d, 12 * years)


# Months from the window's first month to its last, for a window ending in calendar month m
# (1..12). Financial quarters start in April, July, October and January; the financial
# year in April.
def _months_back(period_type: str, month: np.ndarray) -> np.ndarray:
    if period_type in ("month", "snapshot"):
        return np.zeros_like(month)
    if period_type == "rolling_6m":
        return np.full_like(month, 5)
    if period_type == "rolling_12m":
        return np.full_like(month, 11)
    if period_type in ("ytd", "year"):
        return (month - 4) % 12
    if period_type == "quarter":
        return (month - 1) % 3
    raise ValueError(f"unknown period type {period_type!r}")


_PERIOD_CATEGORIES = ("month", "rolling_6m", "rolling_12m", "snapshot", "ytd", "quarter", "year",
                      "lookback_12m")


def period_column(period_type: str, n: int) -> pd.Categorical:
    """A column of one period type (categorical: cheap to build for many rows)."""
    cats = list(_PERIOD_CATEGORIES) + ([period_type] if period_type not in _PERIOD_CATEGORIES else [])
    return pd.Categorical.from_codes(np.full(n, cats.index(period_type), dtype=np.int8), categories=cats)


@dataclass
class Windows:
    """The windows of one period type that lie wholly inside the grid."""

    period_type: str
    k: np.ndarray  # grid month index of each window's last month
    start: np.ndarray  # first day (datetime64[D]); equals end for snapshots
    end: np.ndarray  # last day (the month end)
    start_k: np.ndarray  # grid month index of the first month
    months: np.ndarray  # months covered (for annualising rates)


@dataclass
class Grid:
    """Month ends from the first to the last month of an authority's data."""

    ends: np.ndarray  # datetime64[D], month ends, ascending
    _windows: dict = field(default_factory=dict, repr=False)

    @classmethod
    def between(cls, first, last) -> "Grid":
        ends = _month_ends(pd.Timestamp(first), pd.Timestamp(last))
        return cls(ends.to_numpy().astype("datetime64[D]"))

    @property
    def n(self) -> int:
        return len(self.ends)

    @property
    def starts(self) -> np.ndarray:
        return self.ends.astype("datetime64[M]").astype("datetime64[D]")

    @property
    def first_day(self) -> np.datetime64:
        return self.starts[0]

    @property
    def last_day(self) -> np.datetime64:
        return self.ends[-1]

    @property
    def calendar_months(self) -> np.ndarray:
        return self.ends.astype("datetime64[M]").astype(int) % 12 + 1

    def month_index(self, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(grid month index, inside-the-grid mask) for each date."""
        d = np.asarray(d, dtype="datetime64[D]")
        inside = ~np.isnat(d) & (d >= self.first_day) & (d <= self.last_day)
        idx = np.searchsorted(self.ends, np.where(inside, d, self.first_day), side="left")
        return idx, inside

    def windows(self, period_type: str) -> Windows:
        if period_type not in self._windows:
            k = np.arange(self.n)
            start_k = k - _months_back(period_type, self.calendar_months)
            ok = start_k >= 0  # a window reaching back before the data is not reported
            k, start_k = k[ok], start_k[ok]
            end = self.ends[k]
            start = end if period_type == "snapshot" else self.starts[start_k]
            self._windows[period_type] = Windows(period_type, k, start, end, start_k, k - start_k + 1)
        return self._windows[period_type]

    def lookback(self, months: int) -> Windows:
        """For every month end, the window of the ``months`` calendar months ending there,
        even where it reaches back before the grid (for stock measures such as "placements
        in the 12 months before the month end")."""
        k = np.arange(self.n)
        m = self.ends.astype("datetime64[M]")
        start = (m - (months - 1)).astype("datetime64[D]")
        return Windows(f"lookback_{months}m", k, start, self.ends, k, np.full(self.n, months))

    def expand(self, start, end, period_types=("snapshot",)) -> pd.DataFrame:
        """Interval join: one row per (interval, window) pair where they overlap.

        An interval is [start, end): ``end`` is the first day it no longer holds (NaT =
        still open). A window is [first day, last day]. For a snapshot the window is the
        month end itself, so the interval holds at the month end when start <= end of month
        < end. Returns columns ``row`` (position in the input), ``period_type``, ``k``
        (grid month), ``period_end`` and ``window_start`` (datetime64[D]).
        """
        s = np.asarray(start, dtype="datetime64[D]")
        e = open_ended(end)
        valid = ~np.isnat(s)
        parts = []
        for p in period_types:
            w = p if isinstance(p, Windows) else self.windows(p)
            p = w.period_type
            if not len(w.k):
                continue
            lo = np.searchsorted(w.end, np.where(valid, s, OPEN_END), side="left")
            # Windows whose first day is before the interval's end (first day <= end - 1).
            hi = np.searchsorted(w.start, e - ONE_DAY, side="right")
            counts = np.where(valid, np.maximum(hi - lo, 0), 0)
            total = int(counts.sum())
            if not total:
                continue
            rows = np.repeat(np.arange(len(s)), counts)
            offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
            pos = np.repeat(lo, counts) + offsets
            parts.append(pd.DataFrame({
                "row": rows, "period_type": period_column(p, total), "k": w.k[pos],
                "period_end": w.end[pos], "window_start": w.start[pos],
            }))
        if not parts:
            return pd.DataFrame({"row": np.array([], dtype=int), "period_type": period_column("snapshot", 0),
                                 "k": np.array([], dtype=int),
                                 "period_end": np.array([], dtype="datetime64[D]"),
                                 "window_start": np.array([], dtype="datetime64[D]")})
        return pd.concat(parts, ignore_index=True)
