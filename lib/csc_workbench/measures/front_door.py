"""Front door: contacts and referrals (INDICATORS.md "Front door")."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..calendar import within_working_days, working_days_between
from .catalogue import FLOW_PERIODS
from .derived import first_on_or_after, link_to_referral
from .engine import Flow, measure
from .grid import add_years, days

AREA = "front_door"


def _contacts_frame(ctx) -> pd.DataFrame:
    c = ctx.table("contacts")
    return pd.DataFrame({"date": c["contact_date"], "team": c["team_id"], "worker": c["worker_id"],
                         "outcome": c["outcome"], "_record": c["_record"]})


@measure(id="contacts", title="Contacts received", unit="count", polarity="none", area=AREA,
         definition="Contacts dated in the period, every contact counted.",
         tells_us="How much demand reaches the front door: a rise with no rise in referrals means more "
                  "contacts are being screened out, which may be right (good advice and signposting) or may "
                  "mean partners are unsure where the threshold lies.",
         needs=("contacts.contact_date",), breakdowns=("all", "team", "outcome"),
         seeds="RO15 2.1, SO19 M1")
def contacts(ctx) -> Flow:
    return Flow(_contacts_frame(ctx))


@measure(id="contact_to_referral_pct", title="Contacts going on to referral", unit="pct", polarity="none",
         area=AREA,
         definition="Contacts in the period whose outcome is referral, or, where no outcome is recorded, "
                    "where the same child was referred within 5 working days of the contact (on or after "
                    "the contact date) / contacts in the period.",
         tells_us="The conversion rate from contact to referral: a low rate suggests many contacts do not "
                  "need statutory social care (is the front door advising partners well?); a high rate "
                  "suggests partners understand the threshold.",
         needs=("contacts.contact_date",), breakdowns=("all", "team"), seeds="RO15 2.3, SO19 M3",
         options=("contact_referral_days",))
def contact_to_referral_pct(ctx) -> Flow:
    c = ctx.table("contacts")
    f = _contacts_frame(ctx)
    outcome = c["outcome"]
    next_ref = first_on_or_after(c, "contact_date", ctx.table("referrals"), "referral_date")
    referred_soon = within_working_days(c["contact_date"], pd.Series(next_ref),
                                        ctx.option("contact_referral_days"))
    f["num"] = np.where(outcome.isna().to_numpy(), referred_soon, (outcome == "referral").to_numpy(dtype=bool,
                                                                                                   na_value=False))
    f["next_referral"] = next_ref
    return Flow(f)


@measure(id="contact_decision_1wd_pct", title="Contact decisions within 1 working day", unit="pct",
         polarity="high", area=AREA,
         definition="Contacts decided in the period (by decision date) with the decision made within 1 working "
                    "day of the contact (start day not counted) / contacts decided in the period. A decision "
                    "dated before its contact is left out of both and counted as a data-quality error.",
         tells_us="Whether the front door makes timely decisions, so that children at risk get a response "
                  "the same or the next working day.",
         needs=("contacts.contact_date", "contacts.decision_date"), breakdowns=("all", "team", "worker"),
         seeds="RO15 2.6, SO19 M8")
def contact_decision_1wd_pct(ctx) -> Flow:
    c = ctx.table("contacts")
    start, decided = days(c["contact_date"]), days(c["decision_date"])
    inverted = decided < start
    return Flow(pd.DataFrame({
        "date": decided, "team": c["team_id"], "worker": c["worker_id"],
        "num": within_working_days(start, decided, 1) & ~inverted,
        "den": ~inverted, "dq": inverted,
        "working_days": working_days_between(start, decided), "_record": c["_record"].to_numpy(),
    }), dq_label="contact decisions dated before the contact left out")


def _referrals_frame(ctx) -> pd.DataFrame:
    r = ctx.table("referrals")
    return pd.DataFrame({"date": r["referral_date"], "team": r["team_id"], "worker": r["worker_id"],
                         "age_band": ctx.age_band(r["child_id"], days(r["referral_date"])),
                         "_record": r["_record"]})


@measure(id="referrals", title="Referrals received", unit="count", polarity="none", area=AREA,
         definition="Referrals dated in the period, every referral counted (a child referred twice counts twice).",
         tells_us="Demand for statutory children's social care: the volume the service must assess.",
         needs=("referrals.referral_date",), breakdowns=("all", "team", "age_band"), seeds="all",
         dfe_measure="CPP_Total_NumRef")
def referrals(ctx) -> Flow:
    return Flow(_referrals_frame(ctx))


# The rate shares the count's function, so the events are built once.
measure(id="referral_rate", title="Referrals per 10,000 children", unit="rate", polarity="none", area=AREA,
         definition="Referrals in the period / children aged 0-17 (ONS mid-year estimate) x 10,000, annualised "
                    "(a month x 12, 6 months x 2).",
         tells_us="Demand relative to the size of the child population, comparable with other authorities: "
                  "a proxy for whether early help is preventing escalation and partners refer appropriately.",
         needs=("referrals.referral_date", "population.population_0_17"), seeds="SF17, SF24 1, RO15 2.4, SO19 M2-NI",
         dfe_measure="CPP_Total_Rateper10,000")(referrals)


@measure(id="rereferral_pct", title="Re-referrals within 12 months", unit="pct", polarity="low", area=AREA,
         definition="Referrals in the period where the same child had an earlier referral dated on or after the "
                    "same date 12 calendar months before / referrals in the period. The earlier referral may "
                    "lie before the period; a referral held twice (same child, same date) is one referral. "
                    "In the first 12 months of data earlier referrals may be missing, so the rate reads low.",
         tells_us="Whether the first response worked: a high rate suggests cases are closed before needs are "
                  "met, or that families are not getting the right help at the right time.",
         needs=("referrals.referral_date",), breakdowns=("all", "team"), seeds="all", dfe_measure="ReReferral")
def rereferral_pct(ctx) -> Flow:
    r = ctx.table("referrals")
    f = pd.DataFrame({"child": r["child_id"].to_numpy(), "date": days(r["referral_date"]),
                      "team": r["team_id"].to_numpy(), "_record": r["_record"].to_numpy()})
    f = f.drop_duplicates(["child", "date"]).sort_values(["child", "date"], kind="stable")
    prev = f.groupby("child", sort=False)["date"].shift(1).to_numpy().astype("datetime64[D]")
    d = f["date"].to_numpy().astype("datetime64[D]")
    f["num"] = ~np.isnat(prev) & (prev >= add_years(d, -1))
    f["previous_referral"] = prev
    return Flow(f)


@measure(id="referral_nfa_pct", title="Referrals with no further action", unit="pct", polarity="none", area=AREA,
         definition="Referrals in the period flagged no further action (CIN census ReferralNFA) / referrals in "
                    "the period.",
         tells_us="How many referrals did not need social care involvement: a high share suggests the front "
                  "door or partners refer children who could be helped elsewhere.",
         needs=("referrals.referral_date", "referrals.nfa"), breakdowns=("all", "team"), seeds="DfE c1",
         dfe_measure="CIN_Refferals_NFA")
def referral_nfa_pct(ctx) -> Flow:
    r = ctx.table("referrals")
    f = _referrals_frame(ctx)
    f["num"] = r["nfa"].to_numpy(dtype=bool, na_value=False)
    return Flow(f)


@measure(id="referral_to_assessment_pct", title="Referrals going on to assessment", unit="pct", polarity="high",
         area=AREA,
         definition="Referrals in the period with an assessment started for the same CIN episode (by referral "
                    "id, or the same child's latest referral on or before the assessment start) / referrals in "
                    "the period. Recent referrals may not have an assessment yet.",
         tells_us="Whether referrals accepted by children's social care lead to an assessment of the child's "
                  "needs, as they should.",
         needs=("referrals.referral_date", "assessments.start_date"), breakdowns=("all", "team"), seeds="RO15 2.5")
def referral_to_assessment_pct(ctx) -> Flow:
    r = ctx.table("referrals")
    a = ctx.table("assessments")
    linked = link_to_referral(ctx, a, "start_date")["referral_id"]
    f = _referrals_frame(ctx)
    f["num"] = r["referral_id"].isin(linked.dropna()).to_numpy()
    return Flow(f)


__all__ = ["contacts", "contact_to_referral_pct", "contact_decision_1wd_pct", "referrals",
           "rereferral_pct", "referral_nfa_pct", "referral_to_assessment_pct", "FLOW_PERIODS"]
