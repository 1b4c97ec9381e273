"""Which published DfE figure benchmarks which of our measures.

Our measure ids are those of ``INDICATORS.md``. A DfE figure that INDICATORS names as a
count *and* a rate (``icpc``, ``cpp``, ``cin``, ``cla``) gets ``<id>`` for the count and
``<id>_rate`` for the rate per 10,000. A few ids are ours where INDICATORS has no exact id
(``in_indicators=False``): DfE publishes the figure and a pack shows it beside the nearest
INDICATORS measure. DfE measures with no id of ours keep LAIT's ``measure_short`` (taken
from ``lait_csc_measures.csv``, with DfE's own polarity), so the published-benchmarks pack
can show everything DfE publishes.

Polarity: INDICATORS.md's where it names the measure (it is the product's catalogue and the
RAG judgements elsewhere use it), DfE's (LAIT's) otherwise. ``ref_measures.dfe_polarity``
keeps DfE's where they differ: missing / away from placement (INDICATORS low, DfE none) and
ceased by SGO / residence or child arrangements order (INDICATORS high, as part of
``cla_ceased_reason_pct``; DfE none).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MeasureInfo:
    id: str
    title: str
    unit: str  # count, pct, rate (per 10,000 children aged 0-17), months, number
    polarity: str  # high, low, none
    lait: str | None  # LAIT measure_short giving the same figure, if any
    source: str  # where ref_benchmarks takes it from (DfE file and column, or LAIT)
    in_indicators: bool = True  # False: an id we made up (INDICATORS.md has no exact id)
    area: str = ""


_M = MeasureInfo
MEASURES: dict[str, MeasureInfo] = {m.id: m for m in [
    # Front door (CIN census, table C1)
    _M("referrals", "Referrals received", "count", "none", "CPP_Total_NumRef",
       "c1 referral_count", area="front_door"),
    _M("referral_rate", "Referrals per 10,000 children", "rate", "none", "CPP_Total_Rateper10,000",
       "c1 referral_count / ONS 0-17 population x 10,000", area="front_door"),
    _M("rereferral_pct", "Re-referrals within 12 months", "pct", "low", "ReReferral",
       "c1 rereferral_percent (rereferral_count / referral_count)", area="front_door"),
    _M("referral_nfa_pct", "Referrals with no further action", "pct", "none", "CIN_Refferals_NFA",
       "c1 no_further_action_percent", area="front_door"),
    # Assessments (LAIT only: the factor/assessment tables are not among the files)
    _M("assessment_45wd_pct", "Assessments completed within 45 working days", "pct", "high",
       "Continue_Assess_Comp", "LAIT Continue_Assess_Comp", area="assessment"),
    # Section 47 and conferences (C4)
    _M("s47", "Section 47 enquiries started", "count", "none", None, "c4 section47",
       area="child_protection"),
    _M("s47_rate", "S47 enquiries per 10,000 children", "rate", "none", "Section_47",
       "c4 section47 / ONS 0-17 population x 10,000", area="child_protection"),
    _M("icpc", "Initial child protection conferences", "count", "none", None, "c4 icpc",
       area="child_protection"),
    _M("icpc_rate", "Initial child protection conferences per 10,000 children", "rate", "none",
       "ISCP_Conf", "c4 icpc / ONS 0-17 population x 10,000", in_indicators=False,
       area="child_protection"),
    _M("icpc_15wd_pct", "ICPCs within 15 working days of the S47 start", "pct", "high",
       "CP_conf_15days",
       "LAIT CP_conf_15days (DfE's published %, ICPCs as denominator; c4 bands are often suppressed)",
       area="child_protection"),
    # Child protection plans (D3, D5)
    _M("cpp", "Children on a child protection plan at 31 March", "count", "none", "CPP_Num",
       "d5 cpp_at31", area="child_protection"),
    _M("cpp_rate", "Children on a child protection plan per 10,000 children", "rate", "none",
       "CPP_rate", "d5 cpp_at31 / ONS 0-17 population x 10,000", in_indicators=False,
       area="child_protection"),
    _M("cpp_starts", "CP plans started", "count", "none", "CPP_Abuse", "d3 cpp_start",
       area="child_protection"),
    _M("cpp_starts_rate", "CP plans started per 10,000 children", "rate", "low", "CPP_Abuse_Rate",
       "d3 cpp_start / ONS 0-17 population x 10,000", in_indicators=False, area="child_protection"),
    _M("cpp_repeat_pct", "Plans for a second or subsequent time", "pct", "low", "PrevRegCPR",
       "d3 cpp_subsequent_percent (cpp_subsequent / cpp_start)", area="child_protection"),
    _M("cpp_ended_2y_pct", "Plans ending that lasted 2 years or more", "pct", "low", "CPPlans2yrs",
       "LAIT CPPlans2yrs (table D4 is not among the files)", area="child_protection"),
    _M("cpp_open_2y_pct", "Open plans lasting 2 years or more", "pct", "low", "CPPlans2yrsActive",
       "d5 2_years_or_more_percent (2_years_or_more / cpp_at31)", area="child_protection"),
    _M("cpp_reviews_timely_pct", "Plans reviewed within timescale", "pct", "high", "RevCP",
       "LAIT RevCP", area="child_protection"),
    # Children in need (B1)
    _M("cin", "Children in need at 31 March", "count", "none", None, "b1 at31_episodes",
       area="children_in_need"),
    _M("cin_rate", "Children in need per 10,000 children", "rate", "none", "CIN",
       "b1 at31_episodes / ONS 0-17 population x 10,000", in_indicators=False,
       area="children_in_need"),
    # Children looked after
    _M("cla", "Children looked after at 31 March", "count", "none", "LACnum",
       "cla_number_and_rate children_count (on 31 March)", area="looked_after"),
    _M("cla_rate", "Children looked after per 10,000 children", "rate", "none", "LAC",
       "cla_number_and_rate rate_per_10000 (on 31 March)", in_indicators=False, area="looked_after"),
    _M("cla_starts", "Started to be looked after", "count", "none", "LACnum_Start",
       "cla_number_and_rate children_count (starting)", area="looked_after"),
    _M("cla_starts_rate", "Started to be looked after per 10,000 children", "rate", "none",
       "LAC_Start_Rate", "cla_number_and_rate rate_per_10000 (starting)", in_indicators=False,
       area="looked_after"),
    _M("cla_ceased", "Ceased to be looked after", "count", "none", "LACceased",
       "cla_number_and_rate children_count (ceasing)", area="looked_after"),
    _M("cla_ceased_rate", "Ceased to be looked after per 10,000 children", "rate", "none",
       "LAC_Cease_Rate", "cla_number_and_rate rate_per_10000 (ceasing)", in_indicators=False,
       area="looked_after"),
    _M("cla_3plus_placements_pct", "Three or more placements in 12 months", "pct", "low",
       "LACStable_2016on", "la_cla_placement_stability: CLA on 31 March with 3 or more placements "
       "during the year", area="looked_after"),
    _M("cla_stability_pct", "Long-term placement stability", "pct", "high", "LAC_LongStable%",
       "la_cla_placement_stability: under 16 looked after 2.5 years, same carer 2 years",
       area="looked_after"),
    _M("cla_missing_pct", "Looked-after children who had a missing episode", "pct", "low",
       "Children_missing", "LAIT Children_missing", area="looked_after"),
    _M("cla_away_pct", "Looked-after children away from placement without authorisation", "pct",
       "low", "Children_Away", "LAIT Children_Away", area="looked_after"),
    _M("cla_health_pct", "Health assessment in the last 12 months", "pct", "high", "LACHealth%",
       "LAIT LACHealth%", area="looked_after"),
    _M("cla_dental_pct", "Dental check in the last 12 months", "pct", "high", "LACDental%",
       "LAIT LACDental%", area="looked_after"),
    _M("cla_uasc", "Unaccompanied asylum-seeking children looked after", "count", "none",
       "Unacc_Asylmn_Seek_Childn", "LAIT Unacc_Asylmn_Seek_Childn", area="looked_after"),
    _M("cla_ceased_adoption_pct", "Ceased to be looked after: adopted", "pct", "high",
       "%_of LAC Adopted", "LAIT %_of LAC Adopted (cla_ceased_reason_pct, reason adoption)",
       in_indicators=False, area="adoption"),
    _M("cla_ceased_sgo_pct", "Ceased to be looked after: special guardianship order", "pct", "high",
       "LAC_ceased_SGO%", "LAIT LAC_ceased_SGO% (cla_ceased_reason_pct, reason SGO)",
       in_indicators=False, area="adoption"),
    _M("cla_ceased_cao_pct", "Ceased to be looked after: residence / child arrangements order",
       "pct", "high", "LAC_ceased_CAO%",
       "LAIT LAC_ceased_CAO% (cla_ceased_reason_pct, reason residence/CAO)", in_indicators=False,
       area="adoption"),
    # Care leavers (DfE cohort aged 19 to 21)
    _M("cl_suitable_accom_pct", "Care leavers 19-21 in suitable accommodation", "pct", "high",
       "CareLeaverAcc", "la_care_leavers_accommodation_suitability, 19 to 21 years: suitable / "
       "suitability total", area="care_leavers"),
    _M("cl_eet_pct", "Care leavers 19-21 in education, employment or training", "pct", "high",
       "CareLeaverEET", "la_care_leavers_activity, 19 to 21 years: total in EET / total",
       area="care_leavers"),
    # Adoption
    _M("adoptions", "Children adopted", "count", "none", "No_of LAC Adopted",
       "LAIT No_of LAC Adopted", area="adoption"),
    # National adoption timings (England only, DfE publishes years:months)
    _M("adoption_care_to_decision_months", "Months from entering care to the decision to adopt",
       "months", "low", None, "national adoption timings, stage 1, all ages", in_indicators=False,
       area="adoption"),
    _M("adoption_decision_to_match_months", "Months from the decision to adopt to matching",
       "months", "low", None, "national adoption timings, stage 2, all ages", in_indicators=False,
       area="adoption"),
    _M("adoption_match_to_placed_months", "Months from matching to placement for adoption",
       "months", "low", None, "national adoption timings, stage 3, all ages", in_indicators=False,
       area="adoption"),
    _M("adoption_care_to_placed_months",
       "Months from entering care to moving in with adopters (national A1 in months)", "months",
       "low", None, "national adoption timings, stage 4, all ages", in_indicators=False,
       area="adoption"),
    _M("adoption_placed_to_adopted_months", "Months from placement to the adoption order",
       "months", "low", None, "national adoption timings, stage 5, all ages", in_indicators=False,
       area="adoption"),
    _M("adoption_care_to_adopted_months", "Months from entering care to the adoption order",
       "months", "low", None, "national adoption timings, stage 6, all ages", in_indicators=False,
       area="adoption"),
]}

LAIT_TO_MEASURE: dict[str, str] = {m.lait: m.id for m in MEASURES.values() if m.lait}


def lait_polarity(text: str) -> str:
    t = str(text).strip().lower()
    return t if t in ("high", "low") else "none"


# LAIT has no unit column; these names do not say theirs.
UNIT_OVERRIDES = {
    "Referrals_AssessedNotNeed": "pct", "DeRegCPR": "rate", "CINTime3months": "pct",
    "CINTime3-6": "pct", "CINTime6-1": "pct", "CINTime1-2": "pct", "CINTime2more": "pct",
    "Stability_School": "pct", "Stability_SocialWorker": "pct", "Work_Force_SWAbsence": "pct",
    "Work_Force_NoSW": "number", "CPRDuration": "count",
}


def lait_unit(name: str, decimal_places: str, short: str = "") -> str:
    """Unit of a LAIT measure from its name (LAIT has no unit column)."""
    if short in UNIT_OVERRIDES:
        return UNIT_OVERRIDES[short]
    n = str(name).lower()
    if "rate" in n and "10,000" in n or "per 10,000" in n or n.startswith("rate"):
        return "rate"
    if "%" in n or "percent" in n:
        return "pct"
    if str(decimal_places).strip() == "0" or n.startswith("number"):
        return "count"
    return "number"
