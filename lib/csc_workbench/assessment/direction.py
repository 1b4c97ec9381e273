"""Direction of travel, % change, 12-month average and maximum, recent values.

Direction of travel compares a value with last month's (or last period's) and with the same
month last year, as the seeds do:

- the **direction** is the way the number moved: ``up``, ``down`` or ``similar`` when the
  relative change is under the "similar" band (Southampton SO19: under 10%; configurable
  per authority and measure in the targets YAML);
- the **arrow** shows the direction: up \u2191, down \u2193, similar \u2192 (SO19's key);
- the **word** judges it with the measure's polarity: ``improving`` / ``worsening`` /
  ``similar`` for high-or-low-is-good measures, ``up`` / ``down`` / ``similar`` for
  context measures (polarity none or range). A pack shows arrow and word together, never
  a colour alone.

The % change is relative, (this - last) / |last| x 100, also for percentages (SO19: a
re-referral rate of 4% after 2% is "+100%"); ``diff`` gives the change in the measure's own
unit (percentage points for a percentage), for narrative text.

Everything here works on numpy arrays, vectorised over measures (and months).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DEFAULT_SIMILAR_BAND = 0.10
ARROWS = {"up": "\u2191", "down": "\u2193", "similar": "\u2192"}
DOT_WORDS = ("improving", "similar", "worsening", "up", "down")


def _f(x) -> np.ndarray:
    return pd.to_numeric(pd.Series(np.asarray(x, dtype=object).ravel()), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan)


def relative_change(current, previous) -> np.ndarray:
    """(current - previous) / |previous|: NaN when either is missing; from 0 to 0 is 0; from
    0 to anything else is +/-inf (a rise from nothing has no percentage)."""
    cur, prev = _f(current), _f(previous)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = (cur - prev) / np.abs(prev)  # x/0 is +/-inf, 0/0 is NaN
    return np.where((prev == 0) & (cur == 0), 0.0, rel)


def direction_of_travel(current, previous, polarity, similar_band=DEFAULT_SIMILAR_BAND) -> pd.DataFrame:
    """Direction of travel for each (current, previous) pair.

    ``polarity`` and ``similar_band`` may be scalars or arrays aligned with the values.
    Returns columns: direction (up/down/similar or None), arrow, word (improving/worsening/
    similar/up/down or None), label ("\u2191 improving"), pct_change (relative change x 100;
    NaN when there is nothing to compare or the previous value was 0), diff (current -
    previous, in the measure's unit).
    """
    cur, prev = _f(current), _f(previous)
    n = len(cur)
    pol = np.broadcast_to(np.asarray(polarity, dtype=object), (n,))
    band = np.broadcast_to(np.asarray(similar_band, dtype="float64"), (n,))
    rel = relative_change(cur, prev)
    known = ~np.isnan(rel)
    # 24.2 after 22.0 is +10% on paper but 9.9999999% in floating point: allow for that.
    similar = known & (np.abs(rel) < band - 1e-9)
    up = known & ~similar & (rel > 0)
    down = known & ~similar & (rel < 0)
    direction = np.select([similar, up, down], ["similar", "up", "down"], default="")
    good_up = pol == "high"
    good_down = pol == "low"
    word = np.select(
        [similar, up & good_up, up & good_down, down & good_down, down & good_up, up, down],
        ["similar", "improving", "worsening", "improving", "worsening", "up", "down"], default="")
    arrow = np.select([similar, up, down], [ARROWS["similar"], ARROWS["up"], ARROWS["down"]],
                      default="")
    label = np.where(known, np.char.add(np.char.add(arrow.astype(str), " "), word.astype(str)), "")
    none_if_empty = lambda a: pd.Series(np.where(a == "", None, a), dtype=object)  # noqa: E731
    return pd.DataFrame({
        "direction": none_if_empty(direction), "arrow": none_if_empty(arrow),
        "word": none_if_empty(word), "label": none_if_empty(label),
        "pct_change": np.where(np.isfinite(rel), rel * 100, np.nan),
        "diff": cur - prev,
    })


def trailing_window_stats(values: np.ndarray, window: int = 12,
                          blocked: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, maximum and count of the non-missing values in the ``window`` columns ending at
    each column of a (series x months) matrix (SO19's 12-month average and maximum).

    ``blocked`` (same shape, bool) marks values that exist but are hidden (suppressed): a
    window containing one gives NaN, so a published average never lets a hidden number be
    worked back. A window with no values gives NaN.
    """
    v = np.asarray(values, dtype="float64")
    if v.ndim != 2:
        raise ValueError("values must be a 2-D (series x months) matrix")
    n, m = v.shape
    pad = np.full((n, window - 1), np.nan)
    padded = np.concatenate([pad, v], axis=1)
    windows = np.lib.stride_tricks.sliding_window_view(padded, window, axis=1)  # (n, m, window)
    count = (~np.isnan(windows)).sum(axis=2)
    total = np.nansum(windows, axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / count, np.nan)
    filled = np.where(np.isnan(windows), -np.inf, windows)
    mx = np.where(count > 0, filled.max(axis=2), np.nan)
    if blocked is not None:
        b = np.concatenate([np.zeros((n, window - 1), dtype=bool), np.asarray(blocked, dtype=bool)], axis=1)
        hit = np.lib.stride_tricks.sliding_window_view(b, window, axis=1).any(axis=2)
        mean = np.where(hit, np.nan, mean)
        mx = np.where(hit, np.nan, mx)
    return mean, mx, count


def shift_columns(values: np.ndarray, by: np.ndarray | int) -> np.ndarray:
    """Each row of a (series x months) matrix shifted right by ``by`` columns (per row), so
    column j holds the value from column j - by; NaN where that falls before the start."""
    v = np.asarray(values, dtype="float64")
    n, m = v.shape
    by = np.broadcast_to(np.asarray(by, dtype="int64"), (n,))
    cols = np.arange(m)[None, :] - by[:, None]
    ok = cols >= 0
    out = np.full_like(v, np.nan)
    rows = np.broadcast_to(np.arange(n)[:, None], (n, m))
    out[ok] = v[rows[ok], cols[ok]]
    return out


def recent_values(values: np.ndarray, end_col: int, n: int) -> list[list[float | None]]:
    """The ``n`` values ending at column ``end_col`` for each row, oldest first, None where
    missing (RO15's last three months: n=3; SO19's 14 months: n=14)."""
    v = np.asarray(values, dtype="float64")
    start = end_col - n + 1
    block = np.full((v.shape[0], n), np.nan)
    lo = max(start, 0)
    block[:, lo - start:] = v[:, lo:end_col + 1]
    return [[None if np.isnan(x) else float(x) for x in row] for row in block]
