"""What every deep dive shares: one authority's data, the measures engine's context over it,
the reporting window, and turning the engine's integer codes back into ids and names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..calendar import parse_month, period_window
from ..errors import ConfigError
from ..measures.engine import DEFAULT_OPTIONS, Context
from ..measures.engine import authority_context as engine_authority_context
from ..measures.grid import Grid
from ..model.dataset import Dataset


@dataclass(frozen=True)
class Window:
    """A reporting window: first and last day (inclusive) and how a reader names it."""

    start: pd.Timestamp
    end: pd.Timestamp
    period_type: str
    label: str  # "the 12 months to June 2025", "June 2025"

    def contains(self, dates) -> np.ndarray:
        d = np.asarray(dates, dtype="datetime64[D]")
        return ~np.isnat(d) & (d >= np.datetime64(self.start.date())) & (d <= np.datetime64(self.end.date()))

    def previous(self) -> "Window":
        """The window of the same length just before this one (for "up from ..." sentences)."""
        months = (pd.Period(self.end, "M") - pd.Period(self.start, "M")).n + 1
        end = (pd.Period(self.end, "M") - months).to_timestamp(how="end").normalize()
        return window(end.strftime("%Y-%m"), self.period_type)


_LABELS = {"month": "{m}", "rolling_12m": "the 12 months to {m}", "rolling_6m": "the 6 months to {m}",
           "quarter": "the quarter to {m}", "ytd": "the year to {m}", "year": "the year to {m}"}


def window(month: str, period_type: str = "rolling_12m") -> Window:
    """The window of ``period_type`` ending at the end of ``month`` ('YYYY-MM')."""
    if period_type not in _LABELS:
        raise ConfigError(f"window period must be one of {', '.join(_LABELS)}; got {period_type!r}")
    end = parse_month(month)
    start, end = period_window(period_type, end)
    return Window(start, end, period_type, _LABELS[period_type].format(m=end.strftime("%B %Y")))


def load_authority(warehouse: str | Path | None, authority: str, tables: tuple[str, ...]) -> Dataset:
    """One authority's tables from the warehouse (only those a deep dive needs: reading
    every table of a large authority takes most of a second). ConfigError if the warehouse
    holds nothing for it."""
    from ..model.warehouse import load_dataset

    wanted = tuple(dict.fromkeys(("authorities", *tables)))
    ds = load_dataset(warehouse, authorities=[authority], tables=wanted)
    if not any(len(ds[t]) for t in wanted):
        raise ConfigError(f"the warehouse holds no data for authority {authority!r}")
    return ds


def authority_context(ds: Dataset, month: str | None = None, options: dict | None = None) -> Context:
    """The measures engine's context for one authority's Dataset, so that a deep dive calls
    the same per-record helpers (and options, such as the assessment clock) as the
    measures. The month grid runs from the start of the data to ``month`` (or the data's
    last month); with no dated events, a one-month grid at ``month``."""
    codes = ds.authorities()
    if len(codes) > 1:
        raise ConfigError(f"a deep dive takes one authority's data; got {', '.join(codes)}")
    code = codes[0] if codes else ""
    ctx = engine_authority_context(code, ds, last_month=month, options=options)
    if ctx is None:
        at = parse_month(month) if month else pd.Timestamp.today().normalize()
        ctx = Context(code, ds, Grid.between(at, at), {**DEFAULT_OPTIONS, **(options or {})})
    return ctx


def decode(ctx: Context, namespace: str, codes) -> np.ndarray:
    """The engine's integer codes (``child_id``, ``team_id``, ``worker_id``) back to the
    ids they stand for; -1 (not recorded) -> None."""
    labels = ctx.id_labels(namespace)
    c = np.asarray(codes, dtype=np.int64)
    out = np.full(len(c), None, dtype=object)
    ok = (c >= 0) & (c < len(labels))
    out[ok] = labels[c[ok]]
    return out


def team_names(ds: Dataset) -> dict:
    t = ds["teams"]
    return dict(zip(t["team_id"], t["team_name"])) if len(t) else {}


def worker_names(ds: Dataset) -> dict:
    w = ds["workers"]
    return dict(zip(w["worker_id"], w["worker_name"])) if len(w) else {}


def month_ends_to(last: pd.Timestamp, n: int) -> pd.DatetimeIndex:
    """The ``n`` month ends up to the month of ``last``, oldest first."""
    end = pd.Period(last, "M")
    return pd.period_range(end - (n - 1), end, freq="M").to_timestamp(how="end").normalize()


def month_end_of(dates) -> np.ndarray:
    """Each date's month end as datetime64[D] (NaT kept)."""
    d = np.asarray(dates, dtype="datetime64[D]")
    m = d.astype("datetime64[M]")
    return ((m + 1).astype("datetime64[D]") - np.timedelta64(1, "D")).astype("datetime64[D]")


def share(num, den) -> np.ndarray:
    """100 x num / den, NaN where den is 0."""
    n = np.asarray(num, dtype=float)
    d = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d > 0, 100.0 * n / d, np.nan)
