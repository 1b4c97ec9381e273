"""Section 47 enquiries, initial conferences and child protection plans."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..calendar import within_working_days, working_days_between
from .catalogue import STOCK_PERIODS
from .derived import last_on_or_before, visited_within
from .engine import Flow, Windowed, measure
from .grid import (NAT, ONE_DAY, OPEN_END, add_months, add_years, days, days_between, open_ended,
                   period_column)

AREA = "child_protection"
CATEGORIES = ("all", "team", "category", "age_band")


# ---- Section 47 and initial conferences ---------------------------------------------------

@measure(id="s47", title="Section 47 enquiries started", unit="count", polarity="none", area=AREA,
         definition="Section 47 enquiries whose start (strategy discussion) is dated in the period, each "
                    "enquiry counted.",
         tells_us="How often concerns reach the threshold of suspected significant harm: read with referrals "
                  "and conferences to see whether enquiries are proportionate.",
         needs=("s47.start_date",), breakdowns=("all", "team", "worker"), seeds="RO15 4.1, SO19 CP1")
def s47(ctx) -> Flow:
    s = ctx.table("s47")
    return Flow(pd.DataFrame({"date": s["start_date"], "team": s["team_id"], "worker": s["worker_id"],
                              "_record": s["_record"]}))


measure(id="s47_rate", title="S47 enquiries per 10,000 children", unit="rate", polarity="none", area=AREA,
        definition="S47 enquiries started in the period / children aged 0-17 x 10,000, annualised.",
        tells_us="Child protection enquiry activity relative to the child population, comparable with other "
                 "authorities; a high rate with few conferences suggests enquiries that were not needed.",
        needs=("s47.start_date", "population.population_0_17"), seeds="SF24 5, RO15 4.3",
        dfe_measure="Section_47")(s47)


def _icpc_links(ctx) -> pd.DataFrame:
    """Each ICPC with the start of the S47 it followed: by ``s47_id`` where it names a known
    enquiry, else the same child's latest S47 started on or before the conference and no more
    than ``icpc_link_days`` before it. ``s47_start`` is NaT where no enquiry is found."""

    def build():
        i = ctx.table("icpcs")
        s = ctx.table("s47")
        by_id = pd.Series(days(s["start_date"]), index=s["s47_id"].to_numpy())
        by_id = by_id[~by_id.index.duplicated()]
        sid = i["s47_id"].to_numpy(dtype=object)
        known = pd.Series(sid).isin(by_id.index).to_numpy()
        start = np.full(len(i), NAT)
        start[known] = by_id.reindex(sid[known]).to_numpy().astype("datetime64[D]")
        icpc = days(i["icpc_date"])
        latest = last_on_or_before(i, "icpc_date", s, "start_date")
        near = ~np.isnat(latest) & (days_between(latest, icpc) <= ctx.option("icpc_link_days"))
        start = np.where(known, start, np.where(near, latest, NAT))
        # The S47 each ICPC belongs to, to mark enquiries that led to a conference.
        s_key = pd.Series(s["s47_id"].to_numpy(), index=pd.MultiIndex.from_arrays(
            [s["child_id"].to_numpy(), days(s["start_date"])]))
        s_key = s_key[~s_key.index.duplicated()]
        linked_id = np.where(known, sid, None).astype(object)
        fb = ~known & near
        if fb.any():
            linked_id[fb] = s_key.reindex(pd.MultiIndex.from_arrays(
                [i["child_id"].to_numpy()[fb], latest[fb]])).to_numpy()
        return pd.DataFrame({"icpc": icpc, "s47_start": start, "s47_id": linked_id,
                             "team": i["team_id"].to_numpy(), "worker": i["worker_id"].to_numpy(),
                             "_record": i["_record"].to_numpy()})

    return ctx.cached("icpc_links", build)


@measure(id="s47_to_icpc_pct", title="S47 enquiries leading to an initial conference", unit="pct",
         polarity="none", area=AREA,
         definition="S47 enquiries started in the period that led to an initial child protection conference "
                    "/ S47 enquiries started in the period that have concluded (led to a conference, or "
                    "recorded as not needing one). Enquiries still open are left out, and the note says how "
                    "many.",
         tells_us="How often enquiries substantiate concerns serious enough for a conference: a low rate "
                  "suggests the threshold for S47 is set too low, a very high one that it is set high.",
         needs=("s47.start_date",), breakdowns=("all", "team"), seeds="RO15 4.5-4.7")
def s47_to_icpc_pct(ctx) -> Flow:
    s = ctx.table("s47")
    links = _icpc_links(ctx)
    led = s["s47_id"].isin(links["s47_id"].dropna()).to_numpy()
    not_required = s["icpc_not_required"].to_numpy(dtype=bool, na_value=False)
    concluded = led | not_required
    return Flow(pd.DataFrame({"date": s["start_date"], "team": s["team_id"], "num": led, "den": concluded,
                              "open": ~concluded, "_record": s["_record"]}),
                more_dq={"open": "enquiries still open (no conference yet, not marked as not needing one) left out"})


@measure(id="icpc", title="Initial child protection conferences", unit="count", polarity="none", area=AREA,
         definition="Initial child protection conferences dated in the period (one per child).",
         tells_us="How many children are considered at an initial conference: the gateway to a child "
                  "protection plan.",
         needs=("icpcs.icpc_date",), breakdowns=("all", "team"), seeds="SF24 11, RO15 6.2-6.3, SO19 CP2")
def icpc(ctx) -> Flow:
    i = ctx.table("icpcs")
    return Flow(pd.DataFrame({"date": i["icpc_date"], "team": i["team_id"], "_record": i["_record"]}))


measure(id="icpc_rate", title="Initial conferences per 10,000 children", unit="rate", polarity="none", area=AREA,
        definition="ICPCs in the period / children aged 0-17 x 10,000, annualised.",
        tells_us="Initial conference activity relative to the child population, comparable with other "
                 "authorities.",
        needs=("icpcs.icpc_date", "population.population_0_17"), seeds="SF24 11, RO15 6.3",
        dfe_measure="ISCP_Conf")(icpc)


@measure(id="icpc_15wd_pct", title="ICPCs within 15 working days of the S47 start", unit="pct", polarity="high",
         area=AREA,
         definition="ICPCs in the period held within 15 working days of the start of the S47 enquiry (strategy "
                    "discussion), the start day not counted / ICPCs in the period. An ICPC dated before its "
                    "S47 is left out of both and counted as a data-quality error; so is an ICPC with no S47 "
                    "found (by id, or the same child's S47 in the icpc_link_days before it).",
         tells_us="Whether children at risk of significant harm have a multi-agency plan agreed quickly.",
         needs=("icpcs.icpc_date", "s47.start_date"), breakdowns=("all", "team", "worker"), seeds="all",
         dfe_measure="CP_conf_15days", options=("icpc_link_days",))
def icpc_15wd_pct(ctx) -> Flow:
    links = _icpc_links(ctx)
    icpc_d = links["icpc"].to_numpy().astype("datetime64[D]")
    start = links["s47_start"].to_numpy().astype("datetime64[D]")
    before = ~np.isnat(start) & (icpc_d < start)
    unlinked = np.isnat(start)
    valid = ~before & ~unlinked
    within = within_working_days(start, icpc_d, 15) & valid
    wd = working_days_between(start, icpc_d)
    return Flow(pd.DataFrame({
        "date": icpc_d, "team": links["team"], "worker": links["worker"],
        "num": within, "den": valid, "before": before, "unlinked": unlinked,
        "s47_start": start, "working_days": wd, "late_by_wd": np.where(valid & ~within, wd - 15, np.nan),
        "_record": links["_record"],
    }), more_dq={"before": "ICPCs dated before their S47 left out (data-quality error)",
                 "unlinked": "ICPCs with no S47 found left out (data-quality error)"})


@measure(id="icpc_to_cpp_pct", title="ICPCs resulting in a plan", unit="pct", polarity="none", area=AREA,
         definition="ICPCs in the period that resulted in a child protection plan (the conference's recorded "
                    "decision, or where none is recorded a plan for the child starting on the conference date) "
                    "/ ICPCs in the period.",
         tells_us="Whether the children brought to conference are the right ones: a low rate suggests "
                  "conferences are convened when risk does not need a plan.",
         needs=("icpcs.icpc_date",), breakdowns=("all", "team"), seeds="SO19 CP commentary")
def icpc_to_cpp_pct(ctx) -> Flow:
    i = ctx.table("icpcs")
    plans = ctx.table("cp_plans")
    started = pd.MultiIndex.from_arrays([plans["child_id"].to_numpy(), days(plans["start_date"])])
    same_day = pd.MultiIndex.from_arrays([i["child_id"].to_numpy(), days(i["icpc_date"])]).isin(started)
    recorded = i["cp_plan"]
    num = np.where(recorded.isna().to_numpy(), same_day, recorded.to_numpy(dtype=bool, na_value=False))
    return Flow(pd.DataFrame({"date": i["icpc_date"], "team": i["team_id"], "num": num, "den": 1.0,
                              "_record": i["_record"]}))


# ---- Child protection plans ---------------------------------------------------------------

def _plans(ctx) -> pd.DataFrame:
    """Plans with valid dates (an end before the start is a data-quality error, left out of
    measures about durations), ordered by child and start."""

    def build():
        p = ctx.table("cp_plans")
        f = pd.DataFrame({
            "child_id": p["child_id"].to_numpy(), "start": days(p["start_date"]), "end": days(p["end_date"]),
            "team": p["team_id"].to_numpy(), "worker": p["worker_id"].to_numpy(), "cpp_id": p["cpp_id"].to_numpy(),
            "initial": p["initial_category"],
            "category": p["latest_category"].fillna(p["initial_category"]),
            "previous_plans": p["previous_plans"].to_numpy(dtype=float, na_value=0.0),
            "_record": p["_record"].to_numpy(),
        })
        f["inverted"] = ~np.isnat(f["end"].to_numpy()) & (f["end"].to_numpy() < f["start"].to_numpy())
        f = f.sort_values(["child_id", "start"], kind="stable").reset_index(drop=True)
        for c in ("start", "end"):
            f[c] = days(f[c])
        f["age_band"] = ctx.age_band(f["child_id"], f["start"].to_numpy())
        return f

    return ctx.cached("plans", build)


def _open_plans(ctx) -> pd.DataFrame:
    """Plans open at each month end (start <= month end < end), one row per child."""

    def build():
        f = _plans(ctx)
        ok = ~f["inverted"].to_numpy()
        g = f[ok].reset_index(drop=True)
        x = ctx.grid.expand(g["start"].to_numpy(), g["end"].to_numpy())
        out = g.iloc[x["row"].to_numpy()].reset_index(drop=True)
        out["k"] = x["k"].to_numpy()
        out["period_type"] = period_column("snapshot", len(out))
        out["period_end"] = days(x["period_end"])
        out["age_band"] = ctx.age_band(out["child_id"], out["period_end"].to_numpy())
        out = out.sort_values(["child_id", "k", "start"]).drop_duplicates(["child_id", "k"], keep="last")
        return out.reset_index(drop=True)

    return ctx.cached("plans_open", build)


@measure(id="cpp", title="Children on a child protection plan", unit="count", polarity="none", area=AREA,
         kind="stock", periods=STOCK_PERIODS,
         definition="Children with a child protection plan open at the period end (started on or before it, "
                    "not ended by it; a plan ending on the month end is not open at it).",
         tells_us="The number of children the authority and its partners judge to be at risk of significant "
                  "harm: the core child protection caseload.",
         needs=("cp_plans.start_date",), breakdowns=CATEGORIES, seeds="all", dfe_measure="CPP_Num")
def cpp(ctx) -> Windowed:
    return Windowed(_open_plans(ctx)[["period_type", "k", "team", "category", "age_band", "_record"]])


measure(id="cpp_rate", title="Children on a plan per 10,000 children", unit="rate", polarity="none", area=AREA,
        kind="stock", periods=STOCK_PERIODS,
        definition="Children on a child protection plan at the period end / children aged 0-17 x 10,000.",
        tells_us="Child protection activity relative to the child population, comparable with other "
                 "authorities (Sefton 2023-24: 278 / 53,970 x 10,000 = 51.5).",
        needs=("cp_plans.start_date", "population.population_0_17"), seeds="all", dfe_measure="CPP_rate")(cpp)


@measure(id="cpp_starts", title="Child protection plans started", unit="count", polarity="none", area=AREA,
         definition="Child protection plans starting in the period.",
         tells_us="The flow of children onto plans: read with plans ending to see whether the number on a "
                  "plan will rise or fall.",
         needs=("cp_plans.start_date",), breakdowns=("all", "team", "category", "age_band"), seeds="RO15 6.6",
         dfe_measure="CPP_Abuse")
def cpp_starts(ctx) -> Flow:
    f = _plans(ctx)
    return Flow(pd.DataFrame({"date": f["start"], "team": f["team"], "category": f["initial"],
                              "age_band": f["age_band"], "_record": f["_record"]}))


def _earlier_plans(ctx) -> pd.DataFrame:
    """For each plan: whether the child had an earlier plan in the data, and the latest end of
    the earlier plans (``OPEN_END`` if one had not ended, NaT if there was none)."""
    f = _plans(ctx)
    child = f["child_id"].to_numpy()
    earlier = f.groupby("child_id", sort=False).cumcount().to_numpy() > 0
    ends = pd.Series(open_ended(f["end"].to_numpy()).astype(np.int64))
    prev = ends.groupby(child).cummax().groupby(child).shift(1)
    prev_end = np.full(len(f), NAT)
    has = prev.notna().to_numpy()
    prev_end[has] = prev[has].to_numpy().astype(np.int64).astype("datetime64[D]")
    return pd.DataFrame({"earlier": earlier, "prev_end": prev_end})


@measure(id="cpp_repeat_pct", title="Plans for a second or subsequent time (ever)", unit="pct", polarity="low",
         area=AREA,
         definition="Plans starting in the period where the child had any earlier plan, whether in the data or "
                    "only recorded as a number of previous plans (CIN census NumberOfPreviousCPP, Annex A "
                    "'Number of Previous Child Protection Plans') / plans starting in the period. DfE's "
                    "definition.",
         tells_us="Whether plans bring lasting change: children returning to a plan suggest plans ended "
                  "before risk was reduced, or that step-down support did not hold.",
         needs=("cp_plans.start_date",), breakdowns=("all", "team", "category"), seeds="all",
         dfe_measure="PrevRegCPR")
def cpp_repeat_pct(ctx) -> Flow:
    f = _plans(ctx)
    e = _earlier_plans(ctx)
    num = e["earlier"].to_numpy() | (f["previous_plans"].to_numpy() > 0)
    return Flow(pd.DataFrame({"date": f["start"], "team": f["team"], "category": f["initial"], "num": num,
                              "den": 1.0, "_record": f["_record"]}))


@measure(id="cpp_repeat_2y_pct", title="Second or subsequent plan within 2 years", unit="pct", polarity="low",
         area=AREA,
         definition="Plans starting in the period where an earlier plan of the same child ended on or after the "
                    "same date 2 years before the new start (or had not ended) / plans starting in the period. "
                    "Needs the earlier plan in the data: a count of previous plans has no dates.",
         tells_us="Whether children return to a plan soon after one ends: a sign plans end too early.",
         needs=("cp_plans.start_date",), breakdowns=("all", "team"), seeds="RO15 6.8, CE16 14")
def cpp_repeat_2y_pct(ctx) -> Flow:
    f = _plans(ctx)
    e = _earlier_plans(ctx)
    prev_end = e["prev_end"].to_numpy().astype("datetime64[D]")
    num = ~np.isnat(prev_end) & (prev_end >= add_years(f["start"].to_numpy(), -2))
    return Flow(pd.DataFrame({"date": f["start"], "team": f["team"], "num": num, "den": 1.0,
                              "previous_plan_end": np.where(prev_end == OPEN_END, NAT, prev_end),
                              "_record": f["_record"]}))


TWO_YEARS_DAYS = 730  # "more than 729 days": end date minus start date (the end day counted, not the start)


@measure(id="cpp_ended_2y_pct", title="Plans ending that lasted 2 years or more", unit="pct", polarity="low",
         area=AREA,
         definition="Plans ending in the period that lasted more than 729 days (end date minus start date, i.e. "
                    "counting the day they ended and not the day they started; 730 days or more) / plans ending "
                    "in the period. A plan ending before it started is left out and counted as a data-quality "
                    "error.",
         tells_us="Whether plans drift: long plans suggest risk is not being reduced, or that a different plan "
                  "(legal action, care) was needed.",
         needs=("cp_plans.start_date", "cp_plans.end_date"), breakdowns=("all", "team"), seeds="SF24 16, RO15 6.11",
         dfe_measure="CPPlans2yrs")
def cpp_ended_2y_pct(ctx) -> Flow:
    f = _plans(ctx)
    valid = ~f["inverted"].to_numpy()
    length = days_between(f["start"].to_numpy(), f["end"].to_numpy())
    return Flow(pd.DataFrame({"date": f["end"], "team": f["team"], "num": valid & (length >= TWO_YEARS_DAYS),
                              "den": valid, "dq": ~valid, "days_on_plan": length, "_record": f["_record"]}),
                dq_label="plans ending before they started left out (data-quality error)")


def _open_for_at_least(ctx, min_start_to_end) -> Windowed:
    """Open plans at each month end; numerator those open since ``min_start_to_end(start)``."""
    o = _open_plans(ctx)
    t = o["period_end"].to_numpy().astype("datetime64[D]")
    start = o["start"].to_numpy().astype("datetime64[D]")
    long_from = min_start_to_end(start)
    return Windowed(pd.DataFrame({"period_type": o["period_type"], "k": o["k"], "team": o["team"],
                                  "num": t >= long_from, "den": 1.0, "days_on_plan": days_between(start, t),
                                  "_record": o["_record"]}))


@measure(id="cpp_open_2y_pct", title="Open plans lasting 2 years or more", unit="pct", polarity="low", area=AREA,
         kind="stock", periods=STOCK_PERIODS,
         definition="Plans open at the period end that had been open 730 days or more (period end minus start) "
                    "/ plans open at the period end.",
         tells_us="Plans at risk of drift now: these children need a review of whether the plan is working.",
         needs=("cp_plans.start_date",), breakdowns=("all", "team"), seeds="RO15 6.10, CE16 7",
         dfe_measure="CPPlans2yrsActive")
def cpp_open_2y_pct(ctx) -> Windowed:
    return _open_for_at_least(ctx, lambda s: s + np.timedelta64(TWO_YEARS_DAYS, "D"))


@measure(id="cpp_open_15m_pct", title="Open plans lasting over 15 months", unit="pct", polarity="low", area=AREA,
         kind="stock", periods=STOCK_PERIODS,
         definition="Plans open at the period end that had been open 15 calendar months or more / plans open at "
                    "the period end (CE16 7).",
         tells_us="An early warning of plans heading for two years.",
         needs=("cp_plans.start_date",), breakdowns=("all", "team"), seeds="CE16 7")
def cpp_open_15m_pct(ctx) -> Windowed:
    return _open_for_at_least(ctx, lambda s: add_months(s, 15))


@measure(id="cpp_reviews_timely_pct", title="Plans reviewed within timescale", unit="pct", polarity="high",
         area=AREA, kind="stock", periods=STOCK_PERIODS,
         definition="Children on a plan at the period end who had been on it for 3 months or more, whose "
                    "reviews were all on time: the first review within 3 months of the plan start, then no "
                    "more than 6 months apart, and none overdue at the period end / those children. Reviews are "
                    "matched to plans by plan id, else by child and date.",
         tells_us="Whether multi-agency oversight of each plan happens when it should, so that plans are "
                  "tested and ended or changed promptly.",
         needs=("cp_plans.start_date", "cp_reviews.review_date"), breakdowns=("all", "team"), seeds="RO15 6.12",
         dfe_measure="RevCP")
def cpp_reviews_timely_pct(ctx) -> Windowed:
    plans = _plans(ctx)
    plans = plans[~plans["inverted"].to_numpy()].reset_index(drop=True)
    failed_from = _review_failure_date(plans, ctx.table("cp_reviews"))
    o = _open_plans(ctx)
    fail = pd.Series(failed_from, index=plans["cpp_id"].to_numpy())
    fail = fail[~fail.index.duplicated()]
    o_fail = fail.reindex(o["cpp_id"].to_numpy()).to_numpy().astype("datetime64[D]")
    t = o["period_end"].to_numpy().astype("datetime64[D]")
    start = o["start"].to_numpy().astype("datetime64[D]")
    eligible = t >= add_months(start, 3)
    return Windowed(pd.DataFrame({"period_type": o["period_type"], "k": o["k"], "team": o["team"],
                                  "num": eligible & (t < open_ended(o_fail)), "den": eligible,
                                  "review_overdue_from": np.where(o_fail == OPEN_END, NAT, o_fail),
                                  "_record": o["_record"]}))


def _review_failure_date(plans: pd.DataFrame, reviews: pd.DataFrame) -> np.ndarray:
    """For each plan, the first day a review was overdue (NaT if never by its end).

    Due dates: the first review 3 months after the plan start, each next one 6 months after
    the previous review. A review held after its due date makes the plan late from the day
    after that due date; after the last review, the next is due 6 months later.
    """
    r = reviews.assign(review_date=days(reviews["review_date"]))
    # Match reviews to plans: by plan id where given, else by child and date inside the plan.
    pid = pd.Series(np.arange(len(plans)), index=plans["cpp_id"].to_numpy())
    pid = pid[~pid.index.duplicated()]
    by_id = pid.reindex(r["cpp_id"].to_numpy()).to_numpy()
    plan_start = pd.DataFrame({"child_id": plans["child_id"].to_numpy(), "start": plans["start"].to_numpy(),
                               "plan": np.arange(len(plans))})
    probe = pd.DataFrame({"child_id": r["child_id"].to_numpy(), "_t": r["review_date"].to_numpy(),
                          "_pos": np.arange(len(r))}).sort_values("_t", kind="stable")
    by_date = np.full(len(r), np.nan)
    if len(probe) and len(plan_start):
        m = pd.merge_asof(probe, plan_start.rename(columns={"start": "_t"}).sort_values("_t", kind="stable"),
                          on="_t", by="child_id", direction="backward")
        by_date[m["_pos"].to_numpy()] = m["plan"].to_numpy(dtype=float, na_value=np.nan)
    plan_of = np.where(np.isnan(by_id), by_date, by_id)
    ok = ~np.isnan(plan_of)
    rv = pd.DataFrame({"plan": plan_of[ok].astype(np.int64), "date": r["review_date"].to_numpy()[ok]})
    start = plans["start"].to_numpy().astype("datetime64[D]")
    end = open_ended(plans["end"].to_numpy())
    # Reviews after the plan ended do not count towards it.
    rv = rv[rv["date"].to_numpy() <= end[rv["plan"].to_numpy()]]
    rv = rv[rv["date"].to_numpy() >= start[rv["plan"].to_numpy()]]
    rv = rv.sort_values(["plan", "date"], kind="stable").drop_duplicates().reset_index(drop=True)
    d = rv["date"].to_numpy().astype("datetime64[D]")
    prev = rv.groupby("plan")["date"].shift(1).to_numpy().astype("datetime64[D]")
    first_due = add_months(start, 3)
    due = np.where(np.isnat(prev), first_due[rv["plan"].to_numpy()], add_months(prev, 6))
    late = d > due
    fail = np.full(len(plans), OPEN_END)
    if late.any():
        np.minimum.at(fail, rv["plan"].to_numpy()[late], due[late] + ONE_DAY)
    # After the last review (or with none), the next one falls due.
    last = rv.groupby("plan")["date"].max()
    next_due = first_due.copy()
    if len(last):
        next_due[last.index.to_numpy()] = add_months(days(last), 6)
    fail = np.minimum(fail, next_due + ONE_DAY)
    return fail


@measure(id="cpp_visits_timely_pct", title="Children on a plan visited within timescale", unit="pct",
         polarity="high", area=AREA, kind="stock", periods=STOCK_PERIODS,
         definition="Children on a plan at the period end, on it for at least the visiting standard, whose "
                    "latest child protection visit (child seen) on or before the period end was within the "
                    "standard of it / those children. Standard (option cpp_visit_standard): 10 working days "
                    "(default), 15 working days or 2 weeks (14 days).",
         tells_us="Whether children at risk are seen often enough for changes in risk to be noticed.",
         needs=("cp_plans.start_date", "visits.visit_date"), breakdowns=("all", "team"),
         seeds="SF24 8, RO15 6.14, SO19 CP8", options=("cpp_visit_standard",))
def cpp_visits_timely_pct(ctx) -> Windowed:
    o = _open_plans(ctx)
    eligible, ok = visited_within(ctx, o, "CP", ctx.option("cpp_visit_standard"))
    return Windowed(pd.DataFrame({"period_type": o["period_type"], "k": o["k"], "team": o["team"],
                                  "num": ok, "den": eligible, "_record": o["_record"]}))


@measure(id="cpp_category_pct", title="Plans by category of abuse", unit="pct", polarity="none", area=AREA,
         kind="stock", periods=STOCK_PERIODS,
         definition="Children on a plan at the period end by the plan's latest category of abuse (NEG neglect, "
                    "PHY physical, SAB sexual, EMO emotional, MUL multiple; the initial category where no "
                    "latest is recorded), each as a % of children on a plan.",
         tells_us="The mix of risk the service manages: a shift (e.g. towards emotional abuse with domestic "
                  "abuse) shapes the services and training needed.",
         needs=("cp_plans.start_date", "cp_plans.initial_category"), breakdowns=("all", "category"),
         seeds="CE16 24")
def cpp_category_pct(ctx) -> Windowed:
    o = _open_plans(ctx)
    return Windowed(pd.DataFrame({"period_type": o["period_type"], "k": o["k"], "category": o["category"],
                                  "num": 1.0, "den": 1.0, "_record": o["_record"]}), share=("category",))
