"""Children in need: open CIN episodes, CIN plans and visits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..calendar import working_days_between
from .catalogue import STOCK_PERIODS
from .derived import cla_pairs, cp_plan_pairs, flag_pairs, merged_intervals, open_at_month_ends, visited_within
from .engine import Windowed, measure
from .grid import days, period_column

AREA = "children_in_need"


def _episode_intervals(ctx) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """CIN episodes as [referral date, closure date): a referral marked NFA with no closure
    date closed the day it was made (it is never open at a month end)."""
    r = ctx.table("referrals")
    start = days(r["referral_date"])
    end = days(r["closure_date"])
    nfa = r["nfa"].to_numpy(dtype=bool, na_value=False)
    end = np.where(np.isnat(end) & nfa, start, end)
    # A closure before the referral is a data error: treat the episode as closed at once.
    end = np.where(~np.isnat(end) & (end < start), start, end)
    return r["child_id"], start, end


def _cin_open(ctx) -> pd.DataFrame:
    """(child_id, k, period_end, age_band) for children in need at each month end: an open CIN
    episode, a child protection plan or a period of being looked after (DfE counts children
    on a plan and looked after as children in need)."""

    def build():
        child, start, end = _episode_intervals(ctx)
        p = ctx.table("cp_plans")
        e = ctx.table("cla_episodes")
        all_child = pd.concat([child, p["child_id"], e["child_id"]], ignore_index=True)
        all_start = np.concatenate([start, days(p["start_date"]), days(e["decom"])])
        all_end = np.concatenate([end, days(p["end_date"]), days(e["dec"])])
        pairs = open_at_month_ends(ctx, "cin_any", all_child, all_start, all_end)
        out = pairs.assign(period_type=period_column("snapshot", len(pairs)))
        out["period_end"] = ctx.grid.ends[out["k"].to_numpy()]
        out["age_band"] = ctx.age_band(out["child_id"], out["period_end"].to_numpy())
        return out

    return ctx.cached("cin_open", build)


@measure(id="cin", title="Children in need", unit="count", polarity="none", area=AREA, kind="stock",
         periods=STOCK_PERIODS,
         definition="Children with an open CIN episode at the period end (referral on or before it, not closed "
                    "by it), including children on a child protection plan and children looked after, as DfE "
                    "counts them. A referral marked NFA with no closure date counts as closed the day it was "
                    "made.",
         tells_us="The whole statutory social care caseload: every child the authority is supporting under "
                  "the Children Act 1989.",
         needs=("referrals.referral_date",), breakdowns=("all", "age_band"), seeds="SF24 13, RO15 5.1-5.3, SO19 EH2")
def cin(ctx) -> Windowed:
    return Windowed(_cin_open(ctx)[["period_type", "k", "age_band", "child_id"]])


measure(id="cin_rate", title="Children in need per 10,000 children", unit="rate", polarity="none", area=AREA,
        kind="stock", periods=STOCK_PERIODS,
        definition="Children in need at the period end / children aged 0-17 x 10,000.",
        tells_us="The statutory caseload relative to the child population, comparable with other authorities.",
        needs=("referrals.referral_date", "population.population_0_17"), seeds="SF24 13, RO15 5.2",
        dfe_measure="CIN")(cin)


def _cin_only(ctx) -> pd.DataFrame:
    """Children with an open CIN episode at each month end who are neither on a plan nor
    looked after then, with the start of their current episode (overlapping episodes merged)."""

    def build():
        child, start, end = _episode_intervals(ctx)
        m = merged_intervals(child, start, end)
        x = ctx.grid.expand(m["start"].to_numpy(), m["end"].to_numpy())
        rows = x["row"].to_numpy()
        out = pd.DataFrame({"child_id": m["child_id"].to_numpy()[rows], "start": m["start"].to_numpy()[rows],
                            "k": x["k"].to_numpy(), "period_end": days(x["period_end"]),
                            "period_type": period_column("snapshot", len(x))})
        keep = ~flag_pairs(out, cp_plan_pairs(ctx)) & ~flag_pairs(out, cla_pairs(ctx))
        return out[keep].reset_index(drop=True)

    return ctx.cached("cin_only", build)


@measure(id="cin_plan_pct", title="Children in need with a plan", unit="pct", polarity="high", area=AREA,
         kind="stock", periods=STOCK_PERIODS,
         definition="Children with a CIN episode open 45 working days or more at the period end, not on a child "
                    "protection plan and not looked after, who have an open CIN plan / those children.",
         tells_us="Whether children found to be in need after assessment have a plan setting out the help "
                  "they will get, and are not drifting without one.",
         needs=("referrals.referral_date", "cin_plans.start_date"), seeds="RO15 5.4-5.5")
def cin_plan_pct(ctx) -> Windowed:
    o = _cin_only(ctx)
    t = o["period_end"].to_numpy().astype("datetime64[D]")
    eligible = working_days_between(o["start"].to_numpy().astype("datetime64[D]"), t) >= 45
    plans = ctx.table("cin_plans")
    with_plan = flag_pairs(o, open_at_month_ends(ctx, "cin_plan_open", plans["child_id"], plans["start_date"],
                                                 plans["end_date"]))
    return Windowed(pd.DataFrame({"period_type": o["period_type"], "k": o["k"], "num": eligible & with_plan,
                                  "den": eligible, "child_id": o["child_id"], "episode_start": o["start"]}))


@measure(id="cin_visits_timely_pct", title="Children in need visited within timescale", unit="pct",
         polarity="high", area=AREA, kind="stock", periods=STOCK_PERIODS,
         definition="Children in need at the period end (open CIN episode, not on a plan, not looked after) for "
                    "at least the standard, whose latest CIN visit on or before the period end was within the "
                    "standard of it / those children. Standard: 20 working days (option cin_visit_days).",
         tells_us="Whether children in need are seen often enough for the plan to be delivered and changes "
                  "in their circumstances to be noticed.",
         needs=("referrals.referral_date", "visits.visit_date"), seeds="SF24 7", options=("cin_visit_days",))
def cin_visits_timely_pct(ctx) -> Windowed:
    o = _cin_only(ctx)
    eligible, ok = visited_within(ctx, o, "CIN", f"{int(ctx.option('cin_visit_days'))}wd")
    return Windowed(pd.DataFrame({"period_type": o["period_type"], "k": o["k"], "num": ok, "den": eligible,
                                  "child_id": o["child_id"], "episode_start": o["start"]}))
