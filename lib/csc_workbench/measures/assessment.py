"""Children and family assessments (INDICATORS.md "Assessments")."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..calendar import add_working_days, within_working_days, working_days_between
from .catalogue import STOCK_PERIODS
from .derived import first_on_or_after, link_to_referral
from .engine import Flow, Windowed, labelled, measure
from .grid import days

AREA = "assessment"
DURATION_BANDS = ((0, 10, "0-10"), (11, 25, "11-25"), (26, 35, "26-35"), (36, 45, "36-45"), (46, 10**6, "over 45"))
_DQ_LABEL = "assessments authorised before the clock start left out (data-quality error)"


def _completed(ctx) -> pd.DataFrame:
    """Assessments completed (authorised), with the clock start and working days taken.

    ``valid`` is False where the authorisation date is before the clock start: those are
    left out of numerator and denominator and counted as data-quality errors.
    """

    def build():
        a = ctx.table("assessments")
        start = days(a["start_date"])
        if ctx.option("assessment_clock") == "referral":
            # Working Together's clock runs from the referral; where the referral cannot be
            # found the assessment start is used.
            ref = link_to_referral(ctx, a, "start_date")["referral_date"].to_numpy().astype("datetime64[D]")
            start = np.where(np.isnat(ref), start, ref)
        elif ctx.option("assessment_clock") != "start":
            raise ValueError("assessment_clock must be 'start' or 'referral'")
        end = days(a["authorised_date"])
        wd = working_days_between(start, end)
        return pd.DataFrame({
            "date": end, "start": start, "wd": wd, "valid": ~(end < start),
            "team": a["team_id"].to_numpy(), "worker": a["worker_id"].to_numpy(),
            "outcome": a["outcome"], "_record": a["_record"],
        })

    return ctx.cached("assessments_completed", build)


@measure(id="assessments", title="Assessments completed", unit="count", polarity="none", area=AREA,
         definition="Children and family assessments authorised (completed) in the period.",
         tells_us="The volume of assessment work completed: read beside referrals to see whether assessment "
                  "capacity keeps pace with demand.",
         needs=("assessments.authorised_date",), breakdowns=("all", "team", "worker", "outcome"),
         seeds="RO15 3.1, SO19 EH3")
def assessments(ctx) -> Flow:
    return Flow(_completed(ctx)[["date", "team", "worker", "outcome", "_record"]])


measure(id="assessment_rate", title="Assessments per 10,000 children", unit="rate", polarity="none", area=AREA,
        definition="Assessments completed in the period / children aged 0-17 x 10,000, annualised.",
        tells_us="Assessment activity relative to the child population, comparable with other authorities.",
        needs=("assessments.authorised_date", "population.population_0_17"), seeds="SF24 3, RO15 3.2")(assessments)


def _within(ctx, limit: int) -> Flow:
    c = _completed(ctx)
    valid = c["valid"].to_numpy()
    within = within_working_days(c["start"].to_numpy(), c["date"].to_numpy(), limit) & valid
    wd = c["wd"].to_numpy()
    return Flow(pd.DataFrame({
        "date": c["date"], "team": c["team"], "worker": c["worker"],
        "num": within, "den": valid, "dq": ~valid,
        # For the records behind the figure: the clock start used and how late each one was.
        "clock_start": c["start"], "working_days": wd,
        "late_by_wd": np.where(valid & ~within, wd - limit, np.nan), "_record": c["_record"],
    }), dq_label=_DQ_LABEL)


@measure(id="assessment_45wd_pct", title="Assessments completed within 45 working days", unit="pct",
         polarity="high", area=AREA,
         definition="Assessments completed in the period with working days from start to authorisation <= 45 "
                    "(the start day not counted; a same-day assessment is 0 days; bank holidays are not "
                    "working days) / assessments completed in the period. Option assessment_clock='referral' "
                    "times from the referral date (Working Together) instead of the assessment start. An "
                    "assessment authorised before its clock start is left out of both and counted as a "
                    "data-quality error.",
         tells_us="Whether children's needs are assessed in the statutory timescale, so that help starts "
                  "without delay; very fast assessments can also mean too little depth.",
         needs=("assessments.start_date", "assessments.authorised_date"), breakdowns=("all", "team", "worker"),
         seeds="all", dfe_measure="Continue_Assess_Comp", options=("assessment_clock",))
def assessment_45wd_pct(ctx) -> Flow:
    return _within(ctx, 45)


@measure(id="assessment_15wd_pct", title="Assessments completed within 15 working days", unit="pct",
         polarity="none", area=AREA,
         definition="As assessment_45wd_pct with a limit of 15 working days (one of the assessment_bands "
                    "thresholds).",
         tells_us="The share of assessments completed quickly: proportionate, short assessments for "
                  "straightforward needs, or assessments cut short.",
         needs=("assessments.start_date", "assessments.authorised_date"), breakdowns=("all", "team"),
         seeds="SO19 EH3, SF17, CE16", options=("assessment_clock",))
def assessment_15wd_pct(ctx) -> Flow:
    return _within(ctx, 15)


@measure(id="assessment_35wd_pct", title="Assessments completed within 35 working days", unit="pct",
         polarity="none", area=AREA,
         definition="As assessment_45wd_pct with a limit of 35 working days (one of the assessment_bands "
                    "thresholds).",
         tells_us="How many assessments finish with time to spare before the 45-day limit.",
         needs=("assessments.start_date", "assessments.authorised_date"), breakdowns=("all", "team"),
         seeds="SO19 EH3, CE16", options=("assessment_clock",))
def assessment_35wd_pct(ctx) -> Flow:
    return _within(ctx, 35)


@measure(id="assessment_bands", title="Assessment duration bands", unit="pct", polarity="none", area=AREA,
         definition="Assessments completed in the period by working days from start to authorisation: 0-10, "
                    "11-25, 26-35, 36-45, over 45, each as a % of assessments completed (breakdown "
                    "duration_band; the total row is all completed assessments, 100%).",
         tells_us="The shape of assessment timeliness: a cluster just under 45 days suggests work is driven by "
                  "the deadline rather than the child's needs.",
         needs=("assessments.start_date", "assessments.authorised_date"), breakdowns=("all", "duration_band"),
         seeds="SO19 EH3a-e, SF17, CE16", options=("assessment_clock",))
def assessment_bands(ctx) -> Flow:
    c = _completed(ctx)
    valid = c["valid"].to_numpy()
    wd = c["wd"].to_numpy()
    band = np.full(len(c), -1, dtype=np.int8)
    for i, (lo, hi, _) in enumerate(DURATION_BANDS):
        band[(wd >= lo) & (wd <= hi)] = i
    band = labelled(band, [label for _, _, label in DURATION_BANDS])
    return Flow(pd.DataFrame({"date": c["date"], "duration_band": band, "num": valid, "den": valid, "dq": ~valid,
                              "working_days": wd, "_record": c["_record"]}),
                dq_label=_DQ_LABEL, share=("duration_band",))


@measure(id="assessments_open_over_45wd", title="Open assessments already past 45 working days", unit="count",
         polarity="low", area=AREA, kind="stock", periods=STOCK_PERIODS,
         definition="Assessments open at the period end (started, not yet authorised) with more than 45 working "
                    "days from the start to the period end.",
         tells_us="The backlog of overdue assessments: children still waiting for a decision about help.",
         needs=("assessments.start_date",), breakdowns=("all", "team", "worker"), seeds="RO15 3.4")
def assessments_open_over_45wd(ctx) -> Windowed:
    a = ctx.table("assessments")
    # Past 45 working days from the first date with 46 working days since the start, until
    # authorised (an assessment authorised on the month end is no longer open).
    overdue_from = add_working_days(a["start_date"], 46).astype("datetime64[D]")
    x = ctx.grid.expand(overdue_from, days(a["authorised_date"]))
    rows = x["row"].to_numpy()
    return Windowed(pd.DataFrame({"period_type": x["period_type"], "k": x["k"],
                                  "team": a["team_id"].to_numpy()[rows], "worker": a["worker_id"].to_numpy()[rows],
                                  "overdue_from": overdue_from[rows], "_record": a["_record"].to_numpy()[rows]}))


@measure(id="assessment_outcome_pct", title="Assessment outcomes", unit="pct", polarity="none", area=AREA,
         definition="Assessments completed in the period by outcome (breakdown outcome: nfa = no further "
                    "action; cin, cp, cla = ongoing involvement; early_help = step down; other; unknown = not "
                    "recorded), each as a % of assessments completed.",
         tells_us="What assessments lead to: many with no further action suggests referrals that did not need "
                  "an assessment; step-down shows how well early help and social care work together.",
         needs=("assessments.authorised_date", "assessments.outcome"), breakdowns=("all", "outcome"),
         seeds="RO15 3.5-3.8, SF17")
def assessment_outcome_pct(ctx) -> Flow:
    c = _completed(ctx)
    return Flow(pd.DataFrame({"date": c["date"], "outcome": c["outcome"], "num": 1.0, "den": 1.0,
                              "_record": c["_record"]}), share=("outcome",))


def _seen(ctx, limit: int) -> Flow:
    a = ctx.table("assessments")
    v = ctx.table("visits")
    seen = v[v["seen"].to_numpy(dtype=bool, na_value=False)]
    first_seen = first_on_or_after(a, "start_date", seen, "visit_date")
    return Flow(pd.DataFrame({
        "date": a["start_date"], "team": a["team_id"], "worker": a["worker_id"],
        "num": within_working_days(days(a["start_date"]), first_seen, limit),
        "first_seen": first_seen, "_record": a["_record"],
    }).assign(den=1.0))


@measure(id="seen_in_assessment_pct", title="Children seen within 5 working days of assessment start",
         unit="pct", polarity="high", area=AREA,
         definition="Assessments started in the period where the child was seen (a visit recorded as child "
                    "seen, of any kind) within 5 working days of the start (option seen_in_assessment_days) / "
                    "assessments started in the period.",
         tells_us="Whether children are seen promptly once concerns meet the threshold for social care, so "
                  "that they are safeguarded and their views shape the assessment.",
         needs=("assessments.start_date", "visits.visit_date", "visits.seen"), breakdowns=("all", "team", "worker"),
         seeds="SF17, CE16 13", options=("seen_in_assessment_days",))
def seen_in_assessment_pct(ctx) -> Flow:
    return _seen(ctx, int(ctx.option("seen_in_assessment_days")))


@measure(id="seen_in_assessment_10wd_pct", title="Children seen within 10 working days of assessment start",
         unit="pct", polarity="high", area=AREA,
         definition="As seen_in_assessment_pct with 10 working days.",
         tells_us="Whether children are seen during the assessment within a fortnight of it starting.",
         needs=("assessments.start_date", "visits.visit_date", "visits.seen"), breakdowns=("all", "team", "worker"),
         seeds="SF17, CE16 13")
def seen_in_assessment_10wd_pct(ctx) -> Flow:
    return _seen(ctx, 10)
