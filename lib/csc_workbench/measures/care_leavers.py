"""Care leavers (SSDA903 OC3 and Annex A List 9)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..calendar import age_in_years
from ..codes import ACTIVITY_EET
from .catalogue import STOCK_PERIODS
from .derived import last_on_or_before
from .engine import Flow, Windowed, measure
from .grid import add_months, add_years, days, period_column

AREA = "care_leavers"
ELIGIBLE = ("relevant", "former_relevant")
OUT_OF_COHORT_CONTACT = ("DIED", "NREQ", "RHOM")  # died; gone home for 6 months or more
ABROAD = ("G", "H")  # gone abroad, deported


def _records(ctx) -> pd.DataFrame:
    """Care-leaver status records, each holding from its date until the next record, a year
    on, or the young person's death, whichever is first."""

    def build():
        c = ctx.table("care_leavers")
        f = c.assign(status_date=days(c["status_date"]), pathway_plan_date=days(c["pathway_plan_date"]))
        f = f.sort_values(["child_id", "status_date"], kind="stable").reset_index(drop=True)
        d = f["status_date"].to_numpy().astype("datetime64[D]")
        nxt = f.groupby("child_id")["status_date"].shift(-1).to_numpy().astype("datetime64[D]")
        end = add_years(d, 1)
        end = np.where(~np.isnat(nxt) & (nxt < end), nxt, end)
        death = _death(ctx, f["child_id"])
        end = np.where(~np.isnat(death) & (death < end), death, end)
        f["until"] = end
        return f

    return ctx.cached("cl_records", build)


def _death(ctx, child: pd.Series) -> np.ndarray:
    p = ctx.table("persons")
    lookup = pd.Series(days(p["death_date"]), index=p["child_id"].to_numpy()).groupby(level=0).first()
    return lookup.reindex(child.to_numpy()).to_numpy().astype("datetime64[D]")


def _current(ctx) -> pd.DataFrame:
    """Care leavers at each month end: the latest status record holds, the young person is
    relevant or former relevant (or not recorded), and has not died."""

    def build():
        f = _records(ctx)
        elig = f["eligibility"].isna().to_numpy() | f["eligibility"].isin(ELIGIBLE).to_numpy()
        alive = ~(f["in_touch"] == "DIED").to_numpy(dtype=bool, na_value=False)
        g = f[elig & alive].reset_index(drop=True)
        x = ctx.grid.expand(g["status_date"].to_numpy(), g["until"].to_numpy())
        out = g.iloc[x["row"].to_numpy()].reset_index(drop=True)
        out["k"] = x["k"].to_numpy()
        out["period_type"] = period_column("snapshot", len(out))
        out["period_end"] = days(x["period_end"])
        return out.drop_duplicates(["child_id", "k"], keep="last").reset_index(drop=True)

    return ctx.cached("cl_current", build)


@measure(id="care_leavers", title="Care leavers", unit="count", polarity="none", area=AREA, kind="stock",
         periods=STOCK_PERIODS,
         definition="Relevant and former relevant young people at the period end: those whose latest care-leaver "
                    "record (at a birthday from 17 to 21, or a later update) is less than a year old, who are "
                    "recorded as relevant or former relevant (or not recorded) and have not died.",
         tells_us="The number of young people the authority supports as a corporate parent after care: the "
                  "personal adviser caseload.",
         needs=("care_leavers.status_date",), breakdowns=("all", "team"), seeds="RO15 8.1", dfe_measure="NoCareLeavers")
def care_leavers(ctx) -> Windowed:
    c = _current(ctx)
    return Windowed(pd.DataFrame({"period_type": c["period_type"], "k": c["k"], "team": c["team_id"],
                                  "_record": c["_record"]}))


def _cohort(ctx) -> pd.DataFrame:
    """DfE's care-leaver cohort: status records at the 19th, 20th or 21st birthday (dated in
    the period), former relevant (or not recorded), leaving out those who died, went home for
    6 months or more, or went abroad. One record per young person and age (the birthday's)."""

    def build():
        f = _records(ctx)
        d = f["status_date"].to_numpy().astype("datetime64[D]")
        age = f["age"].to_numpy(dtype=float, na_value=np.nan)
        computed = age_in_years(pd.Series(ctx.dob(f["child_id"])), pd.Series(d))
        age = np.where(np.isnan(age), computed, age)
        death = _death(ctx, f["child_id"])
        out_of_cohort = (f["in_touch"].isin(OUT_OF_COHORT_CONTACT).to_numpy()
                         | f["accommodation"].isin(ABROAD).to_numpy()
                         | (~np.isnat(death) & (death <= d)))
        elig = f["eligibility"].isna().to_numpy() | (f["eligibility"] == "former_relevant").to_numpy(
            dtype=bool, na_value=False)
        # One status per young person and birthday: the record dated on the birthday (SSDA903
        # OC3) when there is one, else the first record at that age (e.g. the first monthly
        # Annex A extract after the birthday). Later records at the same age (pathway plan
        # reviews, other extracts) add no cohort member.
        dob = ctx.dob(f["child_id"])
        not_birthday = np.ones(len(f), dtype=bool)
        for years in (19, 20, 21):  # loop over the three ages
            not_birthday &= ~((age == years) & (add_years(dob, years) == d))
        order = pd.DataFrame({"child": f["child_id"].to_numpy(), "age": age, "later": not_birthday, "d": d})
        order = order[np.isin(age, (19, 20, 21))].sort_values(["child", "age", "later", "d"], kind="stable")
        first = np.zeros(len(f), dtype=bool)
        first[order.drop_duplicates(["child", "age"]).index.to_numpy()] = True
        keep = first & elig & ~out_of_cohort
        return f[keep].reset_index(drop=True)

    return ctx.cached("cl_cohort", build)


_COHORT = ("Cohort: former relevant young people whose 19th, 20th or 21st birthday falls in the period, "
           "leaving out those who died, returned home for 6 months or more (IN_TOUCH NREQ, RHOM) or went "
           "abroad or were deported (ACCOM G, H). Those not in touch stay in the denominator.")


@measure(id="cl_suitable_accom_pct", title="Care leavers 19-21 in suitable accommodation", unit="pct",
         polarity="high", area=AREA,
         definition="Cohort members whose accommodation at the birthday was suitable / the cohort. " + _COHORT,
         tells_us="Whether young people leaving care have a safe, stable home: the foundation for education, "
                  "work and wellbeing.",
         needs=("care_leavers.status_date", "care_leavers.suitable"), breakdowns=("all", "team"), seeds="all",
         dfe_measure="CareLeaverAcc")
def cl_suitable_accom_pct(ctx) -> Flow:
    c = _cohort(ctx)
    return Flow(pd.DataFrame({"date": c["status_date"], "team": c["team_id"],
                              "num": c["suitable"].to_numpy(dtype=bool, na_value=False), "den": 1.0,
                              "_record": c["_record"]}))


@measure(id="cl_eet_pct", title="Care leavers 19-21 in education, employment or training", unit="pct",
         polarity="high", area=AREA,
         definition="Cohort members in education, employment or training at the birthday (ACTIV F1, P1, F2, P2, "
                    "F4, P4) / the cohort. " + _COHORT,
         tells_us="Whether care leavers are on a path to independence and work; NEET care leavers need "
                  "targeted help.",
         needs=("care_leavers.status_date", "care_leavers.activity"), breakdowns=("all", "team"), seeds="all",
         dfe_measure="CareLeaverEET")
def cl_eet_pct(ctx) -> Flow:
    c = _cohort(ctx)
    return Flow(pd.DataFrame({"date": c["status_date"], "team": c["team_id"],
                              "num": c["activity"].isin(ACTIVITY_EET).to_numpy(), "den": 1.0,
                              "_record": c["_record"]}))


@measure(id="cl_in_touch_pct", title="Care leavers 19-21 in touch", unit="pct", polarity="high", area=AREA,
         definition="Cohort members the authority was in touch with at the birthday (IN_TOUCH YES) / the cohort. "
                    + _COHORT,
         tells_us="Whether the authority keeps in contact with its care leavers: without contact it cannot "
                  "know whether they are safe, housed or working.",
         needs=("care_leavers.status_date", "care_leavers.in_touch"), breakdowns=("all", "team"),
         seeds="RO15 8.2, SO19 LAC11", dfe_measure="CareLeavers_LA_NotInTouch")
def cl_in_touch_pct(ctx) -> Flow:
    c = _cohort(ctx)
    return Flow(pd.DataFrame({"date": c["status_date"], "team": c["team_id"],
                              "num": (c["in_touch"] == "YES").to_numpy(dtype=bool, na_value=False), "den": 1.0,
                              "_record": c["_record"]}))


@measure(id="cl_pathway_plan_pct", title="Care leavers with an up-to-date pathway plan", unit="pct",
         polarity="high", area=AREA, kind="stock", periods=STOCK_PERIODS,
         definition="Care leavers at the period end (as in care_leavers) whose latest pathway plan is dated in the "
                    "6 months up to the period end (option pathway_plan_months) / care leavers at the period end.",
         tells_us="Whether each care leaver has a current plan for their housing, education, work and health, "
                  "reviewed at least every six months.",
         needs=("care_leavers.status_date", "care_leavers.pathway_plan_date"), breakdowns=("all", "team"),
         seeds="RO15 8.2, SO19 LAC11", options=("pathway_plan_months",))
def cl_pathway_plan_pct(ctx) -> Windowed:
    c = _current(ctx)
    t = c["period_end"].to_numpy().astype("datetime64[D]")
    # The latest plan date recorded on any of the young person's records up to the period end.
    f = _records(ctx)
    plans = f[["child_id", "pathway_plan_date"]].dropna()
    plans = plans.assign(plan=days(plans["pathway_plan_date"]))
    last = last_on_or_before(pd.DataFrame({"child_id": c["child_id"].to_numpy(), "t": t}), "t", plans, "plan")
    months = int(ctx.option("pathway_plan_months"))
    current = ~np.isnat(last) & (last > add_months(t, -months))
    return Windowed(pd.DataFrame({"period_type": c["period_type"], "k": c["k"], "team": c["team_id"],
                                  "num": current, "den": 1.0, "latest_pathway_plan": last,
                                  "_record": c["_record"]}))

