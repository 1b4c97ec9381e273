"""Array helpers shared by the generator: day numbers, working days, ragged expansion.

Inside the generator every date is an int64 *day number* (days since 1970-01-01), so that
whole columns of dates are shifted, compared and sorted as plain integers. ``NEVER`` marks
"not happened (yet)": an open plan, a child never adopted. Dates are turned into
``datetime64[us]`` only when the canonical tables are assembled (``to_dates``).

Working-day arithmetic follows ``csc_workbench.calendar`` exactly (same busday calendar,
same conventions: ``wd_add(d, n)`` equals ``calendar.add_working_days(d, n)``); the
helpers here work on day numbers to avoid converting millions of dates through pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import calendar

NEVER = 10_000_000  # a day number far beyond any real date (year ~29000)


def day(ts) -> int:
    """Day number of a date-like value."""
    return int(np.datetime64(pd.Timestamp(ts).date(), "D").astype(np.int64))


def days_of(values) -> np.ndarray:
    """Day numbers of an array of datetime64 values (NaT -> NEVER)."""
    arr = np.asarray(values, dtype="datetime64[D]")
    out = arr.astype(np.int64)
    out[np.isnat(arr)] = NEVER
    return out


def to_dates(days: np.ndarray) -> np.ndarray:
    """Day numbers -> datetime64[us] (NEVER and negative sentinels -> NaT)."""
    days = np.asarray(days, dtype=np.int64)
    out = days.astype("datetime64[D]").astype("datetime64[us]")
    out[days >= NEVER] = np.datetime64("NaT")
    return out


# Working days as lookup tables over day numbers, built once from the calendar's busday
# calendar (so the definition stays calendar.py's): CUM[d - FIRST] = working days up to and
# including day d; WD_DAYS[k] = the k-th working day. Indexing beats np.busday_offset by far.
_FIRST, _LAST = day("1970-01-01"), day("2070-12-31")
_TABLES: dict = {}


def _tables():
    if not _TABLES:
        days = np.arange(_FIRST, _LAST + 1).astype("datetime64[D]")
        is_work = np.is_busday(days, busdaycal=calendar.busday_calendar())
        _TABLES["cum"] = np.cumsum(is_work).astype(np.int64)
        _TABLES["is"] = is_work
        _TABLES["days"] = (np.flatnonzero(is_work) + _FIRST).astype(np.int64)
    return _TABLES["cum"], _TABLES["is"], _TABLES["days"]


def _index(days):
    days = np.asarray(days, dtype=np.int64)
    never = days >= NEVER
    i = np.clip(days, _FIRST, _LAST) - _FIRST
    return i, never


def wd_add(days, n) -> np.ndarray:
    """``n`` working days after ``days`` (start not counted), as calendar.add_working_days:
    a non-working start rolls back to the working day before, then counts on."""
    cum, _, wdays = _tables()
    i, never = _index(days)
    k = np.clip(cum[i] - 1 + np.asarray(n, dtype=np.int64), 0, len(wdays) - 1)
    return np.where(never, NEVER, wdays[k])


def next_wd(days) -> np.ndarray:
    """The day itself if a working day, else the next working day."""
    cum, is_work, wdays = _tables()
    i, never = _index(days)
    k = np.clip(cum[i] - is_work[i], 0, len(wdays) - 1)
    return np.where(never, NEVER, wdays[k])


def wd_between(start, end) -> np.ndarray:
    """Working days from start to end, start not counted (as calendar.working_days_between)."""
    cum, _, _ = _tables()
    a, _ = _index(start)
    b, _ = _index(end)
    return cum[b] - cum[a]


def is_wd(days) -> np.ndarray:
    _, is_work, _ = _tables()
    i, never = _index(days)
    return is_work[i] & ~never


def add_years(days: np.ndarray, years: int) -> np.ndarray:
    """Same calendar date ``years`` later (29 February -> 28 February), on day numbers."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12
    dom = (d - d.astype("datetime64[M]")).astype(np.int64)
    target_month = ((y + years - 1970) * 12 + m).astype("datetime64[M]")
    month_len = ((target_month + 1).astype("datetime64[D]") - target_month.astype("datetime64[D]")).astype(np.int64)
    out = target_month.astype("datetime64[D]").astype(np.int64) + np.minimum(dom, month_len - 1)
    return out


def month_index(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of each day number."""
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def month_start_day(month_idx) -> np.ndarray:
    return np.asarray(month_idx, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def expand(counts) -> tuple[np.ndarray, np.ndarray]:
    """Ragged expansion: for parents with ``counts`` rows each, (parent index, position)."""
    counts = np.asarray(counts, dtype=np.int64)
    parent = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    pos = np.arange(len(parent)) - np.repeat(starts, counts)
    return parent, pos


def grouped_cumsum(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting at each group (rows laid out group by group)."""
    counts = np.asarray(counts, dtype=np.int64)
    cs = np.cumsum(values)
    before = np.concatenate(([0], cs))[np.cumsum(counts) - counts]
    return cs - np.repeat(before, counts)


def group_max(values: np.ndarray, groups: np.ndarray, n_groups: int, initial) -> np.ndarray:
    out = np.full(n_groups, initial, dtype=np.asarray(values).dtype)
    np.maximum.at(out, groups, values)
    return out


def group_min(values: np.ndarray, groups: np.ndarray, n_groups: int, initial) -> np.ndarray:
    out = np.full(n_groups, initial, dtype=np.asarray(values).dtype)
    np.minimum.at(out, groups, values)
    return out


def pick(rng: np.random.Generator, codes, p, n: int) -> np.ndarray:
    """n codes drawn with probabilities p (normalised)."""
    p = np.asarray(p, dtype=float)
    return np.asarray(codes)[rng.choice(len(p), size=n, p=p / p.sum())]


def pick_rows(rng: np.random.Generator, probs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Per-row categorical draw: ``probs`` is (n_kinds, n_cats), ``rows`` the kind of each row.

    Returns the category index for each row (inverse-CDF on one uniform per row).
    """
    cdf = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(rows))
    return (u[:, None] > cdf[rows]).sum(axis=1).clip(0, probs.shape[1] - 1)


def inverse_cdf(probs: np.ndarray, rows: np.ndarray, u: np.ndarray) -> np.ndarray:
    """As pick_rows with given uniforms (so siblings can share a draw)."""
    cdf = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    return (u[:, None] > cdf[rows]).sum(axis=1).clip(0, probs.shape[1] - 1)


def lognormal_days(rng: np.random.Generator, median, sigma, n: int, lo=1, hi=None) -> np.ndarray:
    out = np.exp(np.log(median) + sigma * rng.standard_normal(n))
    out = np.maximum(out, lo)
    if hi is not None:
        out = np.minimum(out, hi)
    return np.round(out).astype(np.int64)


def ids(prefix: str, numbers: np.ndarray, width: int) -> pd.Series:
    """'C0000123'-style identifiers as a pandas str Series (vectorised in Arrow)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    digits = pc.utf8_lpad(pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), width, "0")
    return pd.Series(pd.array(pc.binary_join_element_wise(prefix, digits, ""), dtype="str"))


def str_array(values) -> pd.Series:
    """A str Series from codes (numpy str/object arrays, None = missing), built through a
    dictionary of the distinct codes: far faster than converting each Python string."""
    import pyarrow as pa

    if isinstance(values, pd.Series):
        return values.astype("str").reset_index(drop=True)
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    dictionary = pa.array([str(u) for u in uniques], type=pa.string())
    indices = pa.array(codes, mask=codes < 0, type=pa.int32())
    decoded = pa.DictionaryArray.from_arrays(indices, dictionary).dictionary_decode()
    return pd.Series(pd.array(decoded, dtype="str"))


def take(cols: dict, idx) -> dict:
    return {k: v[idx] for k, v in cols.items()}


def concat(parts: list[dict]) -> dict:
    parts = [p for p in parts if p]
    if not parts:
        return {}
    keys = parts[0].keys()
    return {k: np.concatenate([p[k] for p in parts]) for k in keys}
