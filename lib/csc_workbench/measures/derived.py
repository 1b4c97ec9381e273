"""Derived tables several measures share, built once per authority and cached on the context.

* periods of care: SSDA903 episodes (short breaks V3/V4 left out) chained into continuous
  periods of being looked after;
* placements: a new placement starts with an episode whose reason for new episode is S, P
  or B (T and U are the same carer, L a legal status change only), or with the first
  episode of a period of care;
* links between records (assessment -> referral, ICPC -> S47) by id, or by child and date.

Everything here is vectorised (sorts, group shifts and cumulative maxima), never a loop
over children.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..calendar import within_working_days, working_days_between
from ..codes import RNE_NEW_PLACEMENT, SHORT_BREAK_LS
from .grid import NAT, OPEN_END, days, open_ended, period_column


def chain_intervals(child: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Group id for each interval: intervals of the same child that overlap or touch (the
    next starts on or before the day the previous ended) share a group. Inputs must be
    sorted by child then start. ``end`` NaT = still open."""
    n = len(child)
    if not n:
        return np.zeros(0, dtype=np.int64)
    e = open_ended(end).astype(np.int64)
    codes = pd.factorize(child)[0]
    running = pd.Series(e).groupby(codes).cummax().to_numpy()
    prev_end = np.concatenate([[np.iinfo(np.int64).min], running[:-1]])
    new_child = np.concatenate([[True], codes[1:] != codes[:-1]])
    new = new_child | (start.astype(np.int64) > prev_end)
    return np.cumsum(new) - 1


def merged_intervals(child: pd.Series, start, end) -> pd.DataFrame:
    """Union of each child's intervals: columns child_id, start, end (NaT = open)."""
    f = pd.DataFrame({"child_id": child.to_numpy(), "start": days(start), "end": days(end)})
    f = f[~np.isnat(f["start"].to_numpy().astype("datetime64[D]"))]
    f = f.sort_values(["child_id", "start"], kind="stable")
    s = f["start"].to_numpy().astype("datetime64[D]")
    e = f["end"].to_numpy().astype("datetime64[D]")
    g = chain_intervals(f["child_id"].to_numpy(), s, e)
    out = pd.DataFrame({"g": g, "child_id": f["child_id"].to_numpy(), "start": s, "end": open_ended(e)})
    out = out.groupby("g", sort=False).agg(child_id=("child_id", "first"), start=("start", "min"), end=("end", "max"))
    end_d = out["end"].to_numpy().astype("datetime64[D]")
    return pd.DataFrame({"child_id": out["child_id"].to_numpy(), "start": out["start"].to_numpy().astype("datetime64[D]"),
                         "end": np.where(end_d == OPEN_END, NAT, end_d)})


def episodes(ctx) -> pd.DataFrame:
    """Looked-after episodes without short breaks, ordered, each tagged with its period of
    care (``poc``) and whether it starts a new placement. Episodes with no start date or an
    end before their start are left out (``ctx.cache['cla_dq']`` counts them)."""

    def build():
        ep = ctx.table("cla_episodes")
        decom, dec = days(ep["decom"]), days(ep["dec"])
        short = ep["ls"].isin(SHORT_BREAK_LS).to_numpy()
        bad = np.isnat(decom) | (~np.isnat(dec) & (dec < decom))
        ctx.cache["cla_dq"] = int((bad & ~short).sum())
        keep = ~short & ~bad
        f = ep[keep].assign(decom=decom[keep], dec=dec[keep])
        f = f.sort_values(["child_id", "decom"], kind="stable").reset_index(drop=True)
        d0 = f["decom"].to_numpy().astype("datetime64[D]")
        d1 = f["dec"].to_numpy().astype("datetime64[D]")
        f["decom"], f["dec"] = d0, d1
        f["poc"] = chain_intervals(f["child_id"].to_numpy(), d0, d1)
        first_in_poc = np.concatenate([[True], f["poc"].to_numpy()[1:] != f["poc"].to_numpy()[:-1]]) if len(f) else np.zeros(0, bool)
        f["new_placement"] = f["rne"].isin(RNE_NEW_PLACEMENT).to_numpy() | first_in_poc
        poc_end = pd.Series(open_ended(d1)).groupby(f["poc"].to_numpy()).transform("max").to_numpy().astype("datetime64[D]")
        poc_start = pd.Series(d0).groupby(f["poc"].to_numpy()).transform("min").to_numpy().astype("datetime64[D]")
        f["poc_start"] = poc_start
        f["poc_end"] = np.where(poc_end == OPEN_END, NAT, poc_end)
        return f

    return ctx.cached("episodes", build)


def periods_of_care(ctx) -> pd.DataFrame:
    """One row per period of care: child_id, start, end (NaT = still looked after), rec
    (reason the last episode ceased), team_id (of the first episode), uasc."""

    def build():
        ep = episodes(ctx)
        g = ep.groupby("poc", sort=True)
        out = pd.DataFrame({
            "child_id": g["child_id"].first(),
            "start": g["poc_start"].first(),
            "end": g["poc_end"].first(),
            "rec": g["rec"].last(),
            "team_id": g["team_id"].first(),
            "_record": g["_record"].first(),  # the period's first episode
        }).reset_index(drop=True)
        out["start"] = days(out["start"])
        out["end"] = days(out["end"])
        return out

    return ctx.cached("periods_of_care", build)


def placements(ctx) -> pd.DataFrame:
    """One row per placement: child_id, poc, start, end (the next placement's start or the end
    of care; NaT = current), place and place_provider at its start."""

    def build():
        ep = episodes(ctx)
        p = ep[ep["new_placement"].to_numpy()].reset_index(drop=True)
        start = p["decom"].to_numpy().astype("datetime64[D]")
        poc = p["poc"].to_numpy()
        same_next = np.concatenate([poc[1:] == poc[:-1], [False]]) if len(p) else np.zeros(0, bool)
        next_start = np.concatenate([start[1:], [NAT]]) if len(p) else start
        end = np.where(same_next, next_start, p["poc_end"].to_numpy().astype("datetime64[D]"))
        return pd.DataFrame({"child_id": p["child_id"].to_numpy(), "poc": poc, "start": start, "end": end,
                             "place": p["place"], "place_provider": p["place_provider"]})

    return ctx.cached("placements", build)


def looked_after_at_month_ends(ctx) -> pd.DataFrame:
    """One row per child looked after (short breaks left out) at each month end, with the
    episode open then: child_id, k, period_end, poc_start, place, place_provider, team_id,
    worker_id, ls."""

    def build():
        ep = episodes(ctx)
        x = ctx.grid.expand(ep["decom"].to_numpy(), ep["dec"].to_numpy())
        cols = ["child_id", "poc", "poc_start", "decom", "place", "place_provider", "team_id", "worker_id", "ls",
                "_record"]
        out = ep.iloc[x["row"].to_numpy()][cols].reset_index(drop=True)
        out["k"] = x["k"].to_numpy()
        out["period_end"] = days(x["period_end"])
        out["period_type"] = period_column("snapshot", len(out))
        # Overlapping episodes (a data error) must not count a child twice.
        out = out.sort_values(["child_id", "k", "decom"]).drop_duplicates(["child_id", "k"], keep="last")
        return out.reset_index(drop=True)

    return ctx.cached("cla_stock", build)


def open_at_month_ends(ctx, key: str, child: pd.Series, start, end) -> pd.DataFrame:
    """(child_id, k) pairs where the child is inside one of the intervals [start, end) at
    the month end; cached under ``key``."""

    def build():
        m = merged_intervals(child, start, end)
        x = ctx.grid.expand(m["start"].to_numpy(), m["end"].to_numpy())
        return pd.DataFrame({"child_id": m["child_id"].to_numpy()[x["row"].to_numpy()], "k": x["k"].to_numpy()})

    return ctx.cached(key, build)


def flag_pairs(frame: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
    """True where (child_id, k) of ``frame`` is among ``pairs``."""
    if not len(frame) or not len(pairs):
        return np.zeros(len(frame), dtype=bool)
    idx = pd.MultiIndex.from_arrays([pairs["child_id"].to_numpy(), pairs["k"].to_numpy()])
    probe = pd.MultiIndex.from_arrays([frame["child_id"].to_numpy(), frame["k"].to_numpy()])
    return probe.isin(idx)


def cp_plan_pairs(ctx) -> pd.DataFrame:
    plans = ctx.table("cp_plans")
    return open_at_month_ends(ctx, "cp_open", plans["child_id"], plans["start_date"], plans["end_date"])


def cla_pairs(ctx) -> pd.DataFrame:
    return ctx.cached("cla_pairs", lambda: looked_after_at_month_ends(ctx)[["child_id", "k"]])


def last_on_or_before(left: pd.DataFrame, left_on: str, right: pd.DataFrame, right_on: str,
                      value: str = None) -> np.ndarray:
    """For each row of ``left``, the latest ``right[right_on]`` of the same child on or
    before ``left[left_on]`` (NaT if none). Vectorised with merge_asof."""
    return _asof(left, left_on, right, right_on, "backward")


def first_on_or_after(left: pd.DataFrame, left_on: str, right: pd.DataFrame, right_on: str) -> np.ndarray:
    return _asof(left, left_on, right, right_on, "forward")


def _asof(left, left_on, right, right_on, direction) -> np.ndarray:
    n = len(left)
    if not n:
        return np.array([], dtype="datetime64[D]")
    r = pd.DataFrame({"child_id": right["child_id"].to_numpy(), "_t": days(right[right_on]).astype("datetime64[ns]")})
    r = r[~r["_t"].isna()]
    r["_hit"] = r["_t"]
    lt = pd.DataFrame({"child_id": left["child_id"].to_numpy(), "_t": days(left[left_on]).astype("datetime64[ns]"),
                       "_pos": np.arange(n)})
    valid = ~lt["_t"].isna()
    out = np.full(n, NAT)
    if not len(r) or not valid.any():
        return out
    lv = lt[valid].sort_values("_t", kind="stable")
    merged = pd.merge_asof(lv, r.sort_values("_t", kind="stable"), on="_t", by="child_id",
                           direction=direction, allow_exact_matches=True)
    out[merged["_pos"].to_numpy()] = days(merged["_hit"])
    return out


def link_to_referral(ctx, frame: pd.DataFrame, date_col: str) -> pd.DataFrame:
    """The referral (CIN episode) each record belongs to: by ``referral_id`` where it names
    a known referral, else the same child's latest referral on or before ``date_col``.
    Returns columns referral_id and referral_date aligned with ``frame``."""
    refs = ctx.table("referrals")
    by_id = pd.Series(days(refs["referral_date"]), index=refs["referral_id"].to_numpy())
    by_id = by_id[~by_id.index.duplicated()]
    rid = frame["referral_id"].to_numpy(dtype=object)
    known = pd.Series(rid).isin(by_id.index).to_numpy()
    ref_date = np.full(len(frame), NAT)
    ref_date[known] = by_id.reindex(rid[known]).to_numpy().astype("datetime64[D]")
    # Fallback by child and date.
    asof_date = last_on_or_before(frame, date_col, refs, "referral_date")
    r2 = refs.assign(_d=days(refs["referral_date"]))
    key = pd.Series(r2["referral_id"].to_numpy(), index=pd.MultiIndex.from_arrays(
        [r2["child_id"].to_numpy(), r2["_d"].to_numpy()]))
    key = key[~key.index.duplicated()]
    fallback = ~known & ~np.isnat(asof_date)
    rid_out = np.where(known, rid, None).astype(object)
    if fallback.any():
        probe = pd.MultiIndex.from_arrays([frame["child_id"].to_numpy()[fallback], asof_date[fallback]])
        rid_out[fallback] = key.reindex(probe).to_numpy()
        ref_date[fallback] = asof_date[fallback]
    return pd.DataFrame({"referral_id": rid_out, "referral_date": ref_date})


def visit_rule(standard: str):
    """(in_time(last_visit, t), long_enough(start, t)) for a visiting standard: 'Nwd' (N
    working days, the start day not counted) or '2w' (14 calendar days)."""
    if standard == "2w":
        limit = np.timedelta64(14, "D")
        return (lambda v, t: ~np.isnat(v) & (t >= v) & (t - v <= limit),
                lambda s, t: t - s >= limit)
    n = int(str(standard).removesuffix("wd"))
    return (lambda v, t: within_working_days(v, t, n),
            lambda s, t: working_days_between(s, t) >= n)


def visited_within(ctx, stock: pd.DataFrame, kind: str, standard: str) -> tuple[np.ndarray, np.ndarray]:
    """(eligible, visited in time) for each (child, month end) row of ``stock``.

    Eligible: open at least as long as the standard (a visit has fallen due). Visited in
    time: the child's latest visit of this kind on or before the period end (a visit recorded
    as child not seen does not count) is within the standard of the period end.
    """
    in_time, long_enough = visit_rule(standard)
    v = ctx.table("visits")
    v = v[(v["kind"] == kind).to_numpy(dtype=bool, na_value=False) & v["seen"].to_numpy(dtype=bool, na_value=True)]
    probe = pd.DataFrame({"child_id": stock["child_id"].to_numpy(), "t": stock["period_end"].to_numpy()})
    last = last_on_or_before(probe, "t", v, "visit_date")
    t = stock["period_end"].to_numpy().astype("datetime64[D]")
    eligible = long_enough(stock["start"].to_numpy().astype("datetime64[D]"), t)
    return eligible, eligible & in_time(last, t)


__all__ = ["chain_intervals", "merged_intervals", "episodes", "periods_of_care", "placements",
           "looked_after_at_month_ends", "open_at_month_ends", "flag_pairs", "cp_plan_pairs", "cla_pairs",
           "last_on_or_before", "first_on_or_after", "link_to_referral", "visit_rule", "visited_within", "OPEN_END"]
