"""Statistical process control: XmR charts and special-cause flags, as NHS England's
"Making Data Count" (MDC) does them.

For each monthly series (a measure for one authority, breakdown and breakdown value):

- the **mean** of the baseline points (default: all points), the **moving ranges**
  |x(i) - x(i-1)|, and the **process limits** mean +/- 2.66 x the average moving range
  (2.66 = 3 / 1.128, i.e. three sigma estimated from the moving range);
- optionally a **baseline** (limits from the first N points only, the rest judged against
  them) and **recalculation** points (the series is split into phases at given months,
  each with its own limits, as MDC does after a known change in the process);
- four **special-cause rules**, each evaluated within a phase:
  ``beyond_limits``  a point above the upper or below the lower limit;
  ``shift``          7 or more consecutive points on the same side of the mean (a point on
                     the mean breaks the run), every point of the run flagged;
  ``trend``          6 consecutive points each higher (or each lower) than the one before
                     (a repeated value breaks the run), every point of the run flagged;
  ``two_of_three``   2 of 3 consecutive points beyond two-thirds of the way from the mean
                     to a limit, on the same side; the points beyond are flagged;
- the point's **variation** class: ``common_cause``, or ``special_cause_improving`` /
  ``special_cause_concerning`` when it is flagged and lies on the good / bad side of the
  mean for the measure's polarity, ``special_cause_neither`` for context measures
  (polarity none or range); ``too_few_points`` when the phase has fewer than
  ``min_points`` values (MDC advises at least 15; 12 is allowed here), and None for a
  missing or suppressed value.

Rule lengths are parameters (NHS-R's NHSRplotthedots uses 7 for both shift and trend).
SPC runs on the monthly values (period type ``month``, or ``snapshot`` for stock measures),
never on rolling 12-month figures, whose overlapping windows make every run a false shift.

Everything is vectorised: every series (and phase) is a row of one left-justified matrix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from csc_workbench.measures.catalogue import MeasureDef

SIGMA_FACTOR = 2.66
SHIFT_LENGTH = 7
TREND_LENGTH = 6
MIN_POINTS = 12
RULES = ("beyond_limits", "shift", "trend", "two_of_three")
VARIATIONS = ("common_cause", "special_cause_improving", "special_cause_concerning",
              "special_cause_neither", "too_few_points")
VARIATION_LABELS = {
    "common_cause": "Common cause variation",
    "special_cause_improving": "Special cause: improving",
    "special_cause_concerning": "Special cause: concerning",
    "special_cause_neither": "Special cause: neither improving nor concerning",
    "too_few_points": "Too few points for SPC",
}
SERIES_KEYS = ["authority", "measure", "breakdown", "breakdown_value"]
SPC_PERIOD_TYPES = ("month", "snapshot")
POINT_COLUMNS = ["mean", "lcl", "ucl", "lower_two_thirds", "upper_two_thirds", "moving_range",
                 *RULES, "special_cause", "rules", "side", "variation"]


def _runs(sign: np.ndarray, length: int) -> np.ndarray:
    """Mask of the cells of an int (rows x cols) matrix that lie in a run of at least
    ``length`` equal non-zero values along a row (0 breaks a run; rows never join)."""
    n, m = sign.shape
    flat = np.concatenate([sign, np.zeros((n, 1), dtype=sign.dtype)], axis=1).ravel()
    starts = np.r_[True, flat[1:] != flat[:-1]]
    run_id = np.cumsum(starts) - 1
    run_len = np.bincount(run_id)
    mask = (flat != 0) & (run_len[run_id] >= length)
    return mask.reshape(n, m + 1)[:, :m]


def _two_of_three(close: np.ndarray) -> np.ndarray:
    """Cells of a bool matrix that are set and lie in a window of 3 consecutive cells with
    at least 2 set."""
    n, m = close.shape
    if m < 3:
        return np.zeros_like(close)
    c = close.astype(np.int8)
    qualifies = (c[:, :-2] + c[:, 1:-1] + c[:, 2:]) >= 2  # window starting at each column
    in_window = np.zeros_like(close)
    for offset in range(3):
        in_window[:, offset:offset + m - 2] |= qualifies
    return close & in_window


def xmr_matrix(x: np.ndarray, lengths: np.ndarray, polarity: Sequence[str] | np.ndarray,
               baseline: int | None = None, shift_length: int = SHIFT_LENGTH,
               trend_length: int = TREND_LENGTH, min_points: int = MIN_POINTS) -> dict:
    """XmR limits and rules for each row of a left-justified (series x points) matrix.

    ``x[i, :lengths[i]]`` are row i's values in time order with no gaps (anything after is
    ignored); ``polarity`` per row. Returns a dict of (rows x points) arrays named as
    ``POINT_COLUMNS`` (rules as bools; rules, side and variation as object arrays).
    """
    x = np.asarray(x, dtype="float64")
    n, m = x.shape
    lengths = np.asarray(lengths, dtype="int64")
    pol = np.broadcast_to(np.asarray(polarity, dtype=object), (n,))
    cols = np.arange(m)
    valid = cols[None, :] < lengths[:, None]
    base_len = lengths if baseline is None else np.minimum(lengths, baseline)
    in_base = cols[None, :] < base_len[:, None]
    enough = lengths >= max(min_points, 2)

    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(in_base, x, 0.0).sum(axis=1) / in_base.sum(axis=1)
        mr = np.full((n, m), np.nan)
        mr[:, 1:] = np.abs(np.diff(x, axis=1))
        mr = np.where(valid, mr, np.nan)
        mr_in_base = in_base & (cols[None, :] >= 1)
        mr_bar = np.where(mr_in_base, np.nan_to_num(mr), 0.0).sum(axis=1) / mr_in_base.sum(axis=1)
    mean = np.where(enough, mean, np.nan)
    width = SIGMA_FACTOR * np.where(enough, mr_bar, np.nan)
    ucl, lcl = mean + width, mean - width
    up23, lo23 = mean + width * 2 / 3, mean - width * 2 / 3

    ok = valid & enough[:, None]
    xm = np.where(ok, x, np.nan)
    M = lambda a: np.broadcast_to(a[:, None], (n, m))  # noqa: E731
    with np.errstate(invalid="ignore"):
        beyond_hi = ok & (xm > M(ucl))
        beyond_lo = ok & (xm < M(lcl))
        side = np.where(ok, np.sign(xm - M(mean)), 0).astype(np.int8)
        shift = _runs(side, shift_length) & ok
        step = np.zeros((n, max(m - 1, 0)), dtype=np.int8)
        if m > 1:
            both = ok[:, 1:] & ok[:, :-1]
            step = np.where(both, np.sign(np.diff(xm, axis=1)), 0).astype(np.int8)
        run_steps = _runs(step, trend_length - 1) if m > 1 else step.astype(bool)
        trend = np.zeros((n, m), dtype=bool)
        trend_dir = np.zeros((n, m), dtype=np.int8)
        if m > 1:
            trend[:, :-1] |= run_steps
            trend[:, 1:] |= run_steps
            marked = np.where(run_steps, step, 0)
            trend_dir[:, :-1] = marked
            trend_dir[:, 1:] = np.where(marked != 0, marked, trend_dir[:, 1:])
        close_hi = ok & (xm > M(up23))
        close_lo = ok & (xm < M(lo23))
    two_hi, two_lo = _two_of_three(close_hi), _two_of_three(close_lo)
    two = two_hi | two_lo
    beyond = beyond_hi | beyond_lo
    special = beyond | shift | trend | two

    # Which side of the mean a flagged point is on; a flagged point exactly on the mean
    # (only possible in a trend) takes the trend's direction.
    point_side = np.where(side != 0, side, trend_dir)
    high_good = (pol == "high")[:, None]
    low_good = (pol == "low")[:, None]
    judged = high_good | low_good
    improving = special & judged & (((point_side > 0) & high_good) | ((point_side < 0) & low_good))
    concerning = special & judged & ~improving & (point_side != 0)
    variation = np.select(
        [~valid, ~enough[:, None], improving, concerning, special, ok],
        [None, "too_few_points", "special_cause_improving", "special_cause_concerning",
         "special_cause_neither", "common_cause"], default=None).astype(object)
    side_word = np.where(special & (point_side > 0), "high",
                         np.where(special & (point_side < 0), "low", None)).astype(object)

    rules = np.full((n, m), "", dtype=object)
    for name, hit in zip(RULES, (beyond, shift, trend, two)):
        rules = np.where(hit, np.where(rules == "", name, rules + "," + name), rules)
    return {
        "mean": M(mean), "lcl": M(lcl), "ucl": M(ucl), "lower_two_thirds": M(lo23),
        "upper_two_thirds": M(up23), "moving_range": mr, "beyond_limits": beyond,
        "shift": shift, "trend": trend, "two_of_three": two, "special_cause": special,
        "rules": rules, "side": side_word, "variation": variation,
    }


def spc_series(values, polarity: str = "none", **kwargs) -> pd.DataFrame:
    """XmR chart of one series (missing values skipped): one row per input value with
    ``POINT_COLUMNS``. Keyword arguments as ``xmr_matrix``."""
    v = pd.to_numeric(pd.Series(np.asarray(values, dtype=object)), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan)
    keep = ~np.isnan(v)
    x = v[keep][None, :]
    res = xmr_matrix(x if x.shape[1] else np.zeros((1, 0)), np.array([keep.sum()]), [polarity],
                     **kwargs)
    out = pd.DataFrame(index=range(len(v)), columns=POINT_COLUMNS, dtype=object)
    for name in POINT_COLUMNS:
        kind = res[name].dtype
        empty = "" if name == "rules" else None if kind == object else False if kind == bool else np.nan
        col = np.full(len(v), empty, dtype=kind)
        col[keep] = res[name][0, : keep.sum()]
        out[name] = pd.Series(col, dtype=kind)
    return out


def _choose_period_type(frame: pd.DataFrame, period_types: Sequence[str]) -> pd.DataFrame:
    """Keep, per series, the first of ``period_types`` it has."""
    rank = {p: i for i, p in enumerate(period_types)}
    f = frame[frame["period_type"].isin(period_types)].copy()
    f["_rank"] = f["period_type"].map(rank)
    best = f.groupby(SERIES_KEYS, sort=False)["_rank"].transform("min")
    return f[f["_rank"] == best].drop(columns="_rank")


def spc_flags(tidy: pd.DataFrame, catalogue: Mapping[str, MeasureDef] | None = None, *,
              period_types: Sequence[str] = SPC_PERIOD_TYPES, baseline: int | None = None,
              recalculate: Mapping[str, Sequence] | Sequence | None = None,
              min_points: int = MIN_POINTS, shift_length: int = SHIFT_LENGTH,
              trend_length: int = TREND_LENGTH) -> pd.DataFrame:
    """Special-cause flags on every monthly series of a tidy table.

    Each series (authority, measure, breakdown, breakdown_value) uses the first of
    ``period_types`` it has (month, else snapshot). ``catalogue`` gives each measure's
    polarity (measures not in it count as polarity none). ``recalculate`` starts a new phase
    with its own limits at the given months ('YYYY-MM' or month-end dates): a list for every
    measure, or {measure: [months]}. Rows whose value is missing or suppressed are kept with
    no flags and variation None.

    Returns the series' tidy rows (authority, measure, breakdown, breakdown_value,
    period_type, period_end, value, status) with ``phase`` and ``POINT_COLUMNS``, sorted by
    series and month.
    """
    cols = SERIES_KEYS + ["period_type", "period_end", "value", "status"]
    f = _choose_period_type(tidy[cols], period_types)
    f = f.sort_values(SERIES_KEYS + ["period_end"], kind="stable").reset_index(drop=True)
    f["period_end"] = pd.to_datetime(f["period_end"])
    month = f["period_end"].dt.to_period("M")
    f["phase"] = 0
    if recalculate is not None:
        def months(values):
            return sorted(pd.Period(pd.Timestamp(v) if not isinstance(v, str) else v, "M")
                          for v in values)
        if isinstance(recalculate, Mapping):
            for measure, starts in recalculate.items():
                sel = (f["measure"] == measure).to_numpy()
                for start in months(starts):
                    f.loc[sel & (month >= start).to_numpy(), "phase"] += 1
        else:
            for start in months(recalculate):
                f.loc[(month >= start).to_numpy(), "phase"] += 1
    value = pd.to_numeric(f["value"], errors="coerce")
    has = value.notna().to_numpy()
    group = f.groupby(SERIES_KEYS + ["phase"], sort=False).ngroup().to_numpy()
    out = f.copy()
    for name in POINT_COLUMNS:
        out[name] = pd.Series(None, index=out.index, dtype=object)
    if not has.any():
        return _typed(out)
    g_has = group[has]
    pos = pd.Series(g_has).groupby(g_has).cumcount().to_numpy()
    n_groups = group.max() + 1
    lengths = np.bincount(g_has, minlength=n_groups)
    x = np.full((n_groups, max(lengths.max(), 1)), np.nan)
    x[g_has, pos] = value.to_numpy()[has]
    measure_of_group = pd.Series(f["measure"].to_numpy()).groupby(group).first()
    polarity_of = {k: d.polarity for k, d in (catalogue or {}).items()}
    pol = measure_of_group.map(polarity_of).fillna("none").to_numpy(dtype=object)
    res = xmr_matrix(x, lengths, pol, baseline=baseline, shift_length=shift_length,
                     trend_length=trend_length, min_points=min_points)
    idx = np.flatnonzero(has)
    for name in POINT_COLUMNS:
        col = np.full(len(f), None, dtype=object)
        col[idx] = res[name][g_has, pos]
        out[name] = pd.Series(col, index=out.index, dtype=object)
    return _typed(out)


def _typed(out: pd.DataFrame) -> pd.DataFrame:
    for name in ("mean", "lcl", "ucl", "lower_two_thirds", "upper_two_thirds", "moving_range"):
        out[name] = pd.to_numeric(out[name], errors="coerce").astype("float64")
    for name in (*RULES, "special_cause"):
        out[name] = out[name].fillna(False).astype(bool)
    rules = out["rules"].to_numpy(dtype=object)
    out["rules"] = pd.Series(np.where(pd.isna(rules), "", rules), index=out.index, dtype=object)
    for name in ("side", "variation"):
        v = out[name].to_numpy(dtype=object)
        out[name] = pd.Series(np.where(pd.isna(v), None, v), index=out.index, dtype=object)
    return out


# ---- how well it works ---------------------------------------------------------------------

def false_alarm_rate(n_series: int = 2000, length: int = 36, kind: str = "normal",
                     seed: int = 0, mean: float = 50.0, sd: float = 5.0, **kwargs) -> dict:
    """Special-cause flags on simulated stable series (no change in the process).

    ``kind`` 'normal' (mean, sd) or 'poisson' (mean as the rate). Returns the share of
    points flagged (overall and per rule), the share of series whose latest point is
    flagged (what a scorecard's SPC column would show), and the share of series with any
    flag anywhere.
    """
    rng = np.random.default_rng(seed)
    if kind == "normal":
        x = rng.normal(mean, sd, size=(n_series, length))
    elif kind == "poisson":
        x = rng.poisson(mean, size=(n_series, length)).astype("float64")
    else:
        raise ValueError(f"kind must be 'normal' or 'poisson', got {kind!r}")
    res = xmr_matrix(x, np.full(n_series, length), "high", **kwargs)
    special = res["special_cause"]
    out = {"kind": kind, "n_series": n_series, "length": length,
           "point_rate": float(special.mean()),
           "latest_point_rate": float(special[:, -1].mean()),
           "series_with_any_flag": float(special.any(axis=1).mean())}
    for rule in RULES:
        out[f"{rule}_rate"] = float(res[rule].mean())
    return out


def flag_rates(flags: pd.DataFrame, manifest: pd.DataFrame | None = None,
               by: str | Sequence[str] | None = None) -> pd.DataFrame:
    """False-alarm rates observed on ``spc_flags`` output (e.g. a synthetic region).

    Series named in ``manifest`` (planted anomalies: authority, measure, breakdown,
    breakdown_value) are left out entirely, so what remains should be stable. Points
    without a verdict (missing, suppressed, too few points) are not counted. Returns one
    row (or one per ``by`` group, e.g. 'measure') with: series, points, point_rate (share
    of points flagged), latest_point_rate (share of series whose last point is flagged:
    what the scorecard shows), series_with_any_flag, and a rate per rule.
    """
    f = flags[flags["variation"].isin(["common_cause", "special_cause_improving",
                                       "special_cause_concerning", "special_cause_neither"])]
    if manifest is not None and len(manifest):
        m = manifest.copy()
        for col in ("breakdown", "breakdown_value"):
            if col not in m.columns:
                m[col] = "all"
            m[col] = m[col].where(m[col].notna() & (m[col].astype(str) != ""), "all")
        planted = m[SERIES_KEYS].drop_duplicates().assign(_planted=True)
        f = f.merge(planted, on=SERIES_KEYS, how="left")
        f = f[f["_planted"].isna()].drop(columns="_planted")
    f = f.sort_values(SERIES_KEYS + ["period_end"], kind="stable")
    f = f.assign(_latest=~f.duplicated(SERIES_KEYS, keep="last"))
    groups = [] if by is None else ([by] if isinstance(by, str) else list(by))
    key = groups if groups else (lambda _: 0)
    grouped = f.groupby(key, sort=True)
    series_any = f.groupby(SERIES_KEYS + [g for g in groups if g not in SERIES_KEYS])[
        "special_cause"].any()
    one_per_series = f.drop_duplicates(SERIES_KEYS)
    out = pd.DataFrame({
        "series": one_per_series.groupby(key, sort=True).size(),
        "points": grouped.size(),
        "point_rate": grouped["special_cause"].mean(),
        "latest_point_rate": f[f["_latest"]].groupby(key, sort=True)["special_cause"].mean(),
        "series_with_any_flag": (series_any.groupby(level=groups).mean() if groups
                                 else pd.Series([series_any.mean()])),
    })
    for rule in RULES:
        out[f"{rule}_rate"] = grouped[rule].mean()
    return out.reset_index(drop=not groups)


_UP = {"up", "increase", "increasing", "rise", "high", "higher", "+", "spike", "step_up"}
_DOWN = {"down", "decrease", "decreasing", "fall", "drop", "low", "lower", "-", "dip", "step_down"}


def find_planted(flags_frame: pd.DataFrame, manifest: pd.DataFrame, months_after: int = 2) -> pd.DataFrame:
    """Was each planted anomaly flagged?

    ``manifest``: one row per planted anomaly with authority, an anomaly id column
    (``anomaly_id``, ``anomaly`` or ``id``), measure, breakdown, breakdown_value (both
    default 'all'), first_month, last_month ('YYYY-MM' or dates) and direction (up/down,
    increase/decrease, ...). ``flags_frame`` is ``spc_flags`` output. An anomaly is
    ``detected`` if its series has a special-cause flag in [first_month, last_month +
    ``months_after`` months]; ``detected_in_direction`` if one of those flags lies on the
    planted side of the mean. Returns the manifest with: series_found, detected,
    detected_in_direction, first_flag_month, flagged_points, rules.
    """
    man = manifest.copy().reset_index(drop=True)
    for col in ("breakdown", "breakdown_value"):
        if col not in man.columns:
            man[col] = "all"
        man[col] = man[col].where(man[col].notna() & (man[col].astype(str) != ""), "all")
    man["_row"] = np.arange(len(man))
    first = pd.PeriodIndex([pd.Period(pd.Timestamp(v) if not isinstance(v, str) else v, "M")
                            for v in man["first_month"]])
    last = pd.PeriodIndex([pd.Period(pd.Timestamp(v) if not isinstance(v, str) else v, "M")
                           for v in man["last_month"]])
    man["_first"] = first.to_timestamp(how="start")
    man["_until"] = (last + months_after).to_timestamp(how="end").normalize()
    want = man["direction"].astype(str).str.strip().str.lower() if "direction" in man.columns \
        else pd.Series("", index=man.index)
    man["_side"] = np.where(want.isin(_UP), "high", np.where(want.isin(_DOWN), "low", None))

    flags = flags_frame[SERIES_KEYS + ["period_end", "special_cause", "side", "rules"]].copy()
    flags["period_end"] = pd.to_datetime(flags["period_end"])
    series = flags[SERIES_KEYS].drop_duplicates()
    found = man.merge(series.assign(_found=True), on=SERIES_KEYS, how="left")["_found"]
    man["series_found"] = found.fillna(False).astype(bool).to_numpy()
    hits = man[SERIES_KEYS + ["_row", "_first", "_until", "_side"]].merge(
        flags[flags["special_cause"]], on=SERIES_KEYS, how="inner")
    hits = hits[(hits["period_end"] >= hits["_first"]) & (hits["period_end"] <= hits["_until"])]
    hits = hits.assign(_dir=hits["side"] == hits["_side"])
    agg = hits.groupby("_row").agg(
        first_flag_month=("period_end", "min"), flagged_points=("period_end", "size"),
        detected_in_direction=("_dir", "any"),
        rules=("rules", lambda r: ",".join(sorted({x for s in r for x in str(s).split(",") if x}))))
    man = man.join(agg, on="_row")
    man["detected"] = man["flagged_points"].notna()
    man["flagged_points"] = man["flagged_points"].fillna(0).astype(int)
    man["detected_in_direction"] = man["detected_in_direction"].fillna(False).astype(bool)
    man["rules"] = man["rules"].fillna("")
    return man.drop(columns=["_row", "_first", "_until", "_side"])
