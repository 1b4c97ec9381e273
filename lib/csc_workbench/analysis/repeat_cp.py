"""Child protection plans for a second or subsequent time: the deep dive behind
``cpp_repeat_pct`` and ``cpp_repeat_2y_pct``.

The question a head of service asks when repeat plans rise (Southampton, September 2019:
"The four children subject to repeat planning this month are siblings. They were last
subject to planning two years previously, under a different category."): who are these
children, how long since their last plan, was it for the same reason, are they brothers
and sisters starting together, which teams and workers hold them, and is it a trend.

Which plans are repeats is the measures' decision, not this module's: ``plan_history``
takes the numerator flags of ``cpp_repeat_pct`` (second or subsequent ever: an earlier
plan in the data, or a recorded number of previous plans) and ``cpp_repeat_2y_pct``
(an earlier plan ended on or after the same date two years before) for every plan, and
the end of the earlier plans from the same helper the measures use. So the cohort here is
exactly the scorecard's numerator.

Conventions:

* The *previous plan* (its start, latest category) is the child's plan that started
  immediately before this one. The *time since the previous plan* runs from the latest end
  of the child's earlier plans (as in the 2-year measure) to the new start; an earlier plan
  ending after the new plan started (or not ended) is "still open".
* Time bands are calendar months back from the new start (3, 6, 12, 24), so "within 2
  years" here is the 2-year measure's test exactly.
* *Category change*: the new plan's initial category against the previous plan's latest
  category (its initial one where no latest is recorded).
* *Sibling group*: two or more children of one family (``persons.family_id``) whose repeat
  plans start on the same day. Children with no family recorded are never grouped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..measures import child_protection as cp
from ..measures.grid import NAT, OPEN_END, add_months, days, days_between
from ..model.dataset import Dataset
from .base import (Window, authority_context, decode, month_end_of, month_ends_to, share, team_names,
                   worker_names)

TABLES = ("cp_plans", "persons", "teams", "workers")

STILL_OPEN = "previous plan still open"
NOT_IN_DATA = "earlier plan not in the data"
# (months back from the new start the previous plan must have ended by, label), nearest first.
GAP_BANDS = ((3, "under 3 months"), (6, "3 to 6 months"), (12, "6 to 12 months"), (24, "1 to 2 years"))
OVER_2_YEARS = "2 years or more"
GAP_ORDER = (STILL_OPEN,) + tuple(label for _, label in GAP_BANDS) + (OVER_2_YEARS, NOT_IN_DATA)
CATEGORY_LABELS = {"NEG": "Neglect", "PHY": "Physical abuse", "SAB": "Sexual abuse", "EMO": "Emotional abuse",
                   "MUL": "Multiple"}


@dataclass
class PlanHistory:
    """Every child protection plan of one authority with its repeat flags (see
    ``plan_history``), the first month the data covers fully and the names of teams and
    workers."""

    authority: str
    plans: pd.DataFrame
    data_from: pd.Timestamp
    teams: dict
    workers: dict


def plan_history(ds: Dataset, month: str | None = None, options: dict | None = None) -> PlanHistory:
    """One row per plan (ordered by child and start) with the measures' repeat flags.

    Columns: child_id, cpp_id, start, end, team_id, worker_id, initial_category,
    latest_category, previous_plans (as recorded), repeat_ever (``cpp_repeat_pct``'s
    numerator), repeat_2y (``cpp_repeat_2y_pct``'s), earlier_in_data, prev_start,
    prev_category, prev_end (latest end of the earlier plans, NaT while one is open),
    prev_open, days_since_previous, gap_band (repeats only), category_changed (True /
    False where the previous plan is in the data, else NA), family_id.
    """
    ctx = authority_context(ds, month, options)
    f = cp._plans(ctx)
    earlier = cp._earlier_plans(ctx)
    ever = cp.cpp_repeat_pct(ctx).frame["num"].to_numpy(dtype=bool)
    within_2y = cp.cpp_repeat_2y_pct(ctx).frame["num"].to_numpy(dtype=bool)
    if not (len(ever) == len(within_2y) == len(f)):  # the measures must stay aligned with _plans
        raise AssertionError("repeat-plan measures are no longer aligned with the plans frame")

    start = f["start"].to_numpy().astype("datetime64[D]")
    child = f["child_id"].to_numpy()
    same_child = np.concatenate([[False], child[1:] == child[:-1]]) if len(f) else np.zeros(0, bool)
    prev_start = np.where(same_child, np.concatenate([[NAT], start[:-1]]) if len(f) else start, NAT)
    category = f["category"].to_numpy(dtype=object)
    prev_category = np.where(same_child, np.concatenate([[None], category[:-1]]) if len(f) else category, None)

    prev_end = earlier["prev_end"].to_numpy().astype("datetime64[D]")
    has_prev = ~np.isnat(prev_end)
    prev_open = has_prev & (prev_end > start)  # OPEN_END (not ended) is after any start
    gap = np.where(has_prev & ~prev_open, days_between(prev_end, start), np.nan)

    band = np.full(len(f), None, dtype=object)
    band[ever & ~has_prev] = NOT_IN_DATA
    ended = has_prev & ~prev_open
    band[ended] = OVER_2_YEARS
    for months, label in reversed(GAP_BANDS):  # nearest band last, so it wins
        band[ended & (prev_end >= add_months(start, -months))] = label
    band[prev_open] = STILL_OPEN
    band[~ever] = None

    initial = f["initial"].to_numpy(dtype=object)
    known = same_child & pd.notna(initial) & pd.notna(prev_category)
    changed = pd.array(np.where(known, initial != prev_category, False), dtype="boolean")
    changed[~known] = pd.NA

    plans = pd.DataFrame({
        "child_id": decode(ctx, "child_id", child),
        "cpp_id": decode(ctx, "cpp_id", f["cpp_id"].to_numpy()),
        "start": start.astype("datetime64[us]"),
        "end": f["end"].to_numpy().astype("datetime64[D]").astype("datetime64[us]"),
        "team_id": decode(ctx, "team_id", f["team"].to_numpy()),
        "worker_id": decode(ctx, "worker_id", f["worker"].to_numpy()),
        "initial_category": initial,
        "latest_category": category,
        "previous_plans": f["previous_plans"].to_numpy(dtype=float),
        "repeat_ever": ever,
        "repeat_2y": within_2y,
        "earlier_in_data": earlier["earlier"].to_numpy(dtype=bool),
        "prev_start": prev_start.astype("datetime64[us]"),
        "prev_category": prev_category,
        "prev_end": np.where(prev_end == OPEN_END, NAT, prev_end).astype("datetime64[us]"),
        "prev_open": prev_open,
        "days_since_previous": gap,
        "gap_band": pd.Categorical(band, categories=list(GAP_ORDER)),
        "category_changed": changed,
        "family_id": ctx.person_flag(f["child_id"], "family_id"),
    })
    return PlanHistory(ctx.authority, plans, pd.Timestamp(ctx.grid.first_day), team_names(ds), worker_names(ds))


def load_plan_history(warehouse, authority: str, month: str | None = None, options: dict | None = None) -> PlanHistory:
    """``plan_history`` for one authority read from the warehouse."""
    from .base import load_authority

    return plan_history(load_authority(warehouse, authority, TABLES), month, options)


# ---- the window's figures ---------------------------------------------------------------

def _in(h: PlanHistory, win: Window) -> pd.DataFrame:
    return h.plans[win.contains(h.plans["start"].to_numpy())]


def repeat_summary(h: PlanHistory, win: Window) -> dict:
    """Plans starting in the window and how many were repeats (ever, within 2 years),
    with the percentages (the measures' values for that window), the children in the
    repeat cohort, and how many of the repeats were in sibling groups or changed category."""
    p = _in(h, win)
    cohort = p[p["repeat_ever"].to_numpy()]
    sib = sibling_summary(cohort)
    changed = cohort["category_changed"]
    return {
        "window": win.label, "starts": len(p), "repeat_ever": len(cohort),
        "repeat_2y": int(p["repeat_2y"].sum()),
        "pct_ever": float(share(len(cohort), len(p))), "pct_2y": float(share(p["repeat_2y"].sum(), len(p))),
        "children": int(cohort["child_id"].nunique()),
        "sibling_groups": sib["groups"], "children_in_sibling_groups": sib["children"],
        "category_known": int(changed.notna().sum()), "category_changed": int(changed.fillna(False).sum()),
        "count_only": int((cohort["gap_band"] == NOT_IN_DATA).sum()),
    }


def repeat_cohort(h: PlanHistory, win: Window) -> pd.DataFrame:
    """The repeat plans starting in the window (second or subsequent ever), oldest first,
    with a ``sibling_group`` number (0 where the child starts alone)."""
    p = _in(h, win)
    cohort = p[p["repeat_ever"].to_numpy()].sort_values(["start", "family_id", "child_id"], kind="stable")
    return cohort.assign(sibling_group=_group_numbers(cohort)).reset_index(drop=True)


def _group_numbers(cohort: pd.DataFrame) -> np.ndarray:
    """1, 2, ... for each family starting two or more repeat plans on one day; 0 otherwise."""
    if not len(cohort):
        return np.zeros(0, dtype=np.int64)
    fam = cohort["family_id"]
    key = pd.DataFrame({"f": fam.to_numpy(dtype=object), "s": cohort["start"].to_numpy()})
    size = key.groupby(["f", "s"], dropna=True)["f"].transform("size").to_numpy(dtype=float, na_value=0.0)
    grouped = fam.notna().to_numpy() & (size >= 2)
    out = np.zeros(len(cohort), dtype=np.int64)
    if grouped.any():
        codes = pd.MultiIndex.from_frame(key[grouped]).factorize()[0]
        # Numbered in order of first appearance (the cohort is sorted by start).
        out[grouped] = codes + 1
    return out


def sibling_summary(cohort: pd.DataFrame) -> dict:
    """Sibling groups among repeat plans: groups, children in them, cohort size."""
    g = _group_numbers(cohort)
    return {"groups": int(len(np.unique(g[g > 0]))), "children": int((g > 0).sum()), "cohort": len(cohort)}


def sibling_groups(h: PlanHistory, win: Window) -> pd.DataFrame:
    """One row per sibling group in the window's repeat cohort: group, start, children,
    within_2y (children whose previous plan ended within 2 years), same_gap_band (all in
    one time band), category_changed (children whose category changed)."""
    c = repeat_cohort(h, win)
    c = c[c["sibling_group"] > 0]
    if not len(c):
        return pd.DataFrame({"group": pd.Series(dtype="int64"), "start": pd.Series(dtype="datetime64[us]"),
                             "children": pd.Series(dtype="int64"), "within_2y": pd.Series(dtype="int64"),
                             "category_changed": pd.Series(dtype="int64"), "gap_band": pd.Series(dtype="object")})
    g = c.groupby("sibling_group", sort=True)
    out = pd.DataFrame({
        "start": g["start"].first(), "children": g.size(), "within_2y": g["repeat_2y"].sum(),
        "category_changed": g["category_changed"].sum(),
        "gap_band": g["gap_band"].agg(lambda s: s.iloc[0] if s.nunique() == 1 else "mixed"),
    })
    return out.rename_axis("group").reset_index()


def gap_profile(h: PlanHistory, win: Window) -> pd.DataFrame:
    """Repeat plans in the window by time since the previous plan (every band, zeros
    kept, in order): band, plans, pct (of the repeat plans)."""
    c = _in(h, win)
    c = c[c["repeat_ever"].to_numpy()]
    counts = c["gap_band"].value_counts().reindex(list(GAP_ORDER), fill_value=0)
    return pd.DataFrame({"band": list(GAP_ORDER), "plans": counts.to_numpy(dtype=np.int64),
                         "pct": share(counts.to_numpy(), len(c))})


def category_changes(h: PlanHistory, win: Window) -> pd.DataFrame:
    """Repeat plans in the window whose previous plan is in the data, by the previous
    plan's latest category and the new plan's initial category: previous, new, plans,
    changed (bool). Categories as DfE's codes (``CATEGORY_LABELS`` names them)."""
    c = _in(h, win)
    c = c[c["repeat_ever"].to_numpy() & c["category_changed"].notna().to_numpy()]
    out = (c.groupby(["prev_category", "initial_category"], sort=True).size()
           .rename("plans").reset_index().rename(columns={"prev_category": "previous", "initial_category": "new"}))
    out["changed"] = out["previous"] != out["new"]
    return out.sort_values(["plans", "previous"], ascending=[False, True], kind="stable").reset_index(drop=True)


def repeat_by(h: PlanHistory, win: Window, by: str = "team") -> pd.DataFrame:
    """Plans starting in the window by team (``by='team'``) or worker (``'worker'``):
    id, name, starts, repeat_ever, pct_ever, repeat_2y, pct_2y; most repeats first. Plans
    with no team (worker) recorded form one 'not recorded' row."""
    col = {"team": "team_id", "worker": "worker_id"}.get(by)
    if col is None:
        raise ValueError("by must be 'team' or 'worker'")
    p = _in(h, win)
    key = p[col].astype("object").where(p[col].notna(), "")
    g = pd.DataFrame({"k": key.to_numpy(dtype=object), "ever": p["repeat_ever"].to_numpy(),
                      "y2": p["repeat_2y"].to_numpy()}).groupby("k", sort=True)
    out = pd.DataFrame({"starts": g.size(), "repeat_ever": g["ever"].sum(), "repeat_2y": g["y2"].sum()})
    out = out.rename_axis(col).reset_index()
    names = h.teams if by == "team" else h.workers
    out[by] = out[col].map(lambda k: names.get(k, k) if k else "not recorded")
    out[col] = out[col].replace("", None)
    out["pct_ever"] = share(out["repeat_ever"], out["starts"])
    out["pct_2y"] = share(out["repeat_2y"], out["starts"])
    out = out.astype({"starts": "int64", "repeat_ever": "int64", "repeat_2y": "int64"})
    out = out.sort_values(["repeat_ever", "starts", by], ascending=[False, False, True], kind="stable")
    return out[[col, by, "starts", "repeat_ever", "pct_ever", "repeat_2y", "pct_2y"]].reset_index(drop=True)


def repeat_trend(h: PlanHistory, month: str, months: int = 24) -> pd.DataFrame:
    """Month by month to ``month``: period_end, starts, repeat_ever, repeat_2y, pct_ever,
    pct_2y, and the rolling 12-month percentages (rolling_pct_ever, rolling_pct_2y; NaN
    until 12 months of data are held). Months before the data cover fully are left out."""
    ends = month_ends_to(pd.Timestamp(month + "-01"), months + 11)
    first_full = pd.Period(h.data_from, "M").to_timestamp(how="end").normalize()
    p = h.plans
    m = month_end_of(days(p["start"])).astype("datetime64[us]")
    g = pd.DataFrame({"m": m, "ever": p["repeat_ever"].to_numpy(), "y2": p["repeat_2y"].to_numpy()})
    g = g.groupby("m").agg(starts=("ever", "size"), repeat_ever=("ever", "sum"), repeat_2y=("y2", "sum"))
    g = g.reindex(ends, fill_value=0).astype("int64")
    covered = ends >= first_full
    roll = g.rolling(12, min_periods=12).sum()
    full_year = pd.Series(covered, index=ends).astype(int).rolling(12, min_periods=12).sum().eq(12).to_numpy()
    out = pd.DataFrame({
        "period_end": ends, "starts": g["starts"].to_numpy(), "repeat_ever": g["repeat_ever"].to_numpy(),
        "repeat_2y": g["repeat_2y"].to_numpy(),
        "pct_ever": share(g["repeat_ever"], g["starts"]), "pct_2y": share(g["repeat_2y"], g["starts"]),
        "rolling_starts": roll["starts"].to_numpy(), "rolling_repeat_ever": roll["repeat_ever"].to_numpy(),
        "rolling_repeat_2y": roll["repeat_2y"].to_numpy(),
    })
    out["rolling_pct_ever"] = np.where(full_year, share(out["rolling_repeat_ever"], out["rolling_starts"]), np.nan)
    out["rolling_pct_2y"] = np.where(full_year, share(out["rolling_repeat_2y"], out["rolling_starts"]), np.nan)
    for c in ("rolling_starts", "rolling_repeat_ever", "rolling_repeat_2y"):
        out[c] = np.where(full_year, out[c], np.nan)
    out = out[covered].tail(months)
    return out.reset_index(drop=True)
