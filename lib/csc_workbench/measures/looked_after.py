"""Children looked after (SSDA903). Short breaks (legal status V3/V4) are left out of every
measure here, as DfE leaves them out of its looked-after figures."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..calendar import age_in_years, within_working_days
from ..codes import REC_ADOPTION, REC_CHILD_ARRANGEMENTS, REC_SGO
from .catalogue import FLOW_PERIODS, STOCK_PERIODS
from .derived import episodes, last_on_or_before, looked_after_at_month_ends, periods_of_care, placements
from .engine import Flow, Windowed, labelled, measure
from .grid import NAT, ONE_DAY, add_months, add_years, days, open_ended

AREA = "looked_after"
V34 = "Short breaks (legal status V3/V4) are left out."

FOSTER_PREFIXES = ("U", "Q", "F")  # U1-U6 (2014 on); Q1-Q2, F1-F6 in older returns
IFA_PROVIDERS = ("PR4", "PR5")
RESIDENTIAL = ("K1", "K2", "R1", "S1")
PLACED_FOR_ADOPTION = ("A3", "A4", "A5", "A6")
PLACEMENT_GROUPS = ("in-house foster", "independent fostering agency", "residential", "placed with parents", "other")


def placement_group(place: pd.Series, provider: pd.Series) -> pd.Categorical:
    """SO19's placement mix: in-house foster (foster care the authority or another public body
    provides), independent fostering agency (private or voluntary provider), residential
    (children's homes, secure, residential care and schools), placed with parents, other."""
    place = pd.Series(place).reset_index(drop=True)
    provider = pd.Series(provider).reset_index(drop=True)
    foster = place.str[:1].isin(FOSTER_PREFIXES).to_numpy()
    ifa = foster & provider.isin(IFA_PROVIDERS).to_numpy()
    codes = np.full(len(place), PLACEMENT_GROUPS.index("other"), dtype=np.int8)
    codes[foster & ~ifa] = PLACEMENT_GROUPS.index("in-house foster")
    codes[ifa] = PLACEMENT_GROUPS.index("independent fostering agency")
    codes[place.isin(RESIDENTIAL).to_numpy()] = PLACEMENT_GROUPS.index("residential")
    codes[(place == "P1").to_numpy(dtype=bool, na_value=False)] = PLACEMENT_GROUPS.index("placed with parents")
    return labelled(codes, PLACEMENT_GROUPS)


def _stock(ctx) -> pd.DataFrame:
    def build():
        s = looked_after_at_month_ends(ctx)
        s = s.assign(team=s["team_id"], worker=s["worker_id"],
                     placement_type=placement_group(s["place"], s["place_provider"]),
                     age_band=ctx.age_band(s["child_id"], s["period_end"].to_numpy()),
                     uasc=ctx.person_flag(s["child_id"], "uasc"))
        return s

    return ctx.cached("cla_stock_labelled", build)


@measure(id="cla", title="Children looked after", unit="count", polarity="none", area=AREA, kind="stock",
         periods=STOCK_PERIODS,
         definition="Children looked after at the period end (an episode started on or before it and not ceased "
                    "by it). " + V34,
         tells_us="The number of children in the authority's care: the corporate parenting responsibility, "
                  "and the main driver of placement costs.",
         needs=("cla_episodes.decom",), breakdowns=("all", "team", "placement_type", "age_band"), seeds="all",
         dfe_measure="LACnum")
def cla(ctx) -> Windowed:
    return Windowed(_stock(ctx)[["period_type", "k", "team", "placement_type", "age_band", "_record"]])


measure(id="cla_rate", title="Children looked after per 10,000 children", unit="rate", polarity="none", area=AREA,
        kind="stock", periods=STOCK_PERIODS,
        definition="Children looked after at the period end / children aged 0-17 x 10,000. " + V34,
        tells_us="Children in care relative to the child population, comparable with other authorities.",
        needs=("cla_episodes.decom", "population.population_0_17"), seeds="all", dfe_measure="LAC")(cla)


def _poc_frame(ctx, date_col: str) -> pd.DataFrame:
    p = periods_of_care(ctx)
    return pd.DataFrame({"date": p[date_col].to_numpy(), "team": p["team_id"].to_numpy(),
                         "age_band": ctx.age_band(p["child_id"], p[date_col].to_numpy()),
                         "_record": p["_record"].to_numpy()})


@measure(id="cla_starts", title="Started to be looked after", unit="count", polarity="none", area=AREA,
         definition="Periods of care starting in the period (episodes chained while each starts on or before "
                    "the day the previous ended). " + V34,
         tells_us="Admissions to care: read with children ceasing to see whether the number in care will grow.",
         needs=("cla_episodes.decom",), breakdowns=("all", "team", "age_band"), seeds="RO15 7.3, SO19 LAC2",
         dfe_measure="LACnum_Start")
def cla_starts(ctx) -> Flow:
    return Flow(_poc_frame(ctx, "start"))


@measure(id="cla_ceased", title="Ceased to be looked after", unit="count", polarity="none", area=AREA,
         definition="Periods of care ending in the period (the date the last episode ceased). " + V34,
         tells_us="Children leaving care: to permanence, home, or adulthood.",
         needs=("cla_episodes.decom",), breakdowns=("all", "age_band", "reason"), seeds="RO15 7.4, SO19 LAC3",
         dfe_measure="LACceased")
def cla_ceased(ctx) -> Flow:
    f = _poc_frame(ctx, "end")
    f["reason"] = _reason(periods_of_care(ctx)["rec"])
    return Flow(f)


REASONS = ("adoption", "special guardianship", "child arrangements", "other")


def _reason(rec: pd.Series) -> pd.Categorical:
    codes = np.full(len(rec), REASONS.index("other"), dtype=np.int8)
    codes[rec.isin(REC_ADOPTION).to_numpy()] = REASONS.index("adoption")
    codes[rec.isin(REC_SGO).to_numpy()] = REASONS.index("special guardianship")
    codes[rec.isin(REC_CHILD_ARRANGEMENTS).to_numpy()] = REASONS.index("child arrangements")
    codes[rec.isna().to_numpy()] = -1
    return labelled(codes, REASONS)


@measure(id="cla_ceased_reason_pct", title="Ceased by adoption, special guardianship or child arrangements",
         unit="pct", polarity="high", area=AREA,
         definition="Periods of care ending in the period by adoption (E11, E12), special guardianship (E45-E48; "
                    "E43, E44 in older returns) or a residence / child arrangements order (E41) / periods ending. The breakdown "
                    "reason gives each as a % of periods ending. " + V34,
         tells_us="How many children leave care to a permanent legal home rather than returning home or "
                  "reaching 18: a measure of timely permanence planning.",
         needs=("cla_episodes.decom", "cla_episodes.rec"), breakdowns=("all", "reason"),
         seeds="SF24 22-23, RO15 7.5, SO19 LAC6, LAC12", dfe_measure="LAC_ceased_SGO%")
def cla_ceased_reason_pct(ctx) -> Flow:
    p = periods_of_care(ctx)
    reason = _reason(p["rec"])
    return Flow(pd.DataFrame({"date": p["end"].to_numpy(), "reason": reason,
                              "num": np.asarray(reason.codes) < REASONS.index("other"),
                              "den": 1.0, "_record": p["_record"].to_numpy()}), share=("reason",))


@measure(id="cla_3plus_placements_pct", title="Three or more placements in 12 months", unit="pct",
         polarity="low", area=AREA, kind="stock", periods=STOCK_PERIODS,
         definition="Children looked after at the period end with 3 or more placements in the 12 months before "
                    "(counting the placement open at the start of the 12 months) / children looked after at the "
                    "period end. A new placement is an episode whose reason for new episode is S, P or B (T and "
                    "U are the same carer, L a change of legal status only). Placements lasting under 24 hours "
                    "(ending the day they began) are not counted. " + V34,
         tells_us="Placement instability: frequent moves harm attachment, schooling and long-term outcomes.",
         needs=("cla_episodes.decom", "cla_episodes.rne"), breakdowns=("all", "team", "age_band"),
         seeds="SF17, RO15 9.2", dfe_measure="LACStable_2016on")
def cla_3plus_placements_pct(ctx) -> Windowed:
    pl = placements(ctx)
    end = pl["end"].to_numpy().astype("datetime64[D]")
    start = pl["start"].to_numpy().astype("datetime64[D]")
    counted = pl[~(~np.isnat(end) & (end <= start))]
    x = ctx.grid.expand(counted["start"].to_numpy(), counted["end"].to_numpy(), (ctx.grid.lookback(12),))
    n = pd.DataFrame({"child_id": counted["child_id"].to_numpy()[x["row"].to_numpy()], "k": x["k"].to_numpy()})
    n = n.groupby(["child_id", "k"]).size()
    s = _stock(ctx)
    count = n.reindex(pd.MultiIndex.from_arrays([s["child_id"].to_numpy(), s["k"].to_numpy()])).to_numpy()
    return Windowed(pd.DataFrame({"period_type": s["period_type"], "k": s["k"], "team": s["team"],
                                  "age_band": s["age_band"], "num": np.nan_to_num(count) >= 3, "den": 1.0,
                                  "placements_12m": np.nan_to_num(count), "_record": s["_record"]}))


def _current_placement(ctx) -> pd.DataFrame:
    """Each child's placement at each month end (start, type, and the start of the placement
    before it in the same period of care)."""
    pl = placements(ctx)
    prev_start = pl.groupby("poc")["start"].shift(1).to_numpy().astype("datetime64[D]")
    x = ctx.grid.expand(pl["start"].to_numpy(), pl["end"].to_numpy())
    rows = x["row"].to_numpy()
    out = pd.DataFrame({"child_id": pl["child_id"].to_numpy()[rows], "k": x["k"].to_numpy(),
                        "placement_start": pl["start"].to_numpy()[rows].astype("datetime64[D]"),
                        "placement_place": pl["place"].take(rows).reset_index(drop=True),
                        "previous_start": prev_start[rows]})
    return out.drop_duplicates(["child_id", "k"], keep="last")


def _with_placement(ctx) -> pd.DataFrame:
    def build():
        s = _stock(ctx)
        return s.merge(_current_placement(ctx), on=["child_id", "k"], how="left")

    return ctx.cached("cla_stock_placement", build)


@measure(id="cla_stability_pct", title="Long-term placement stability", unit="pct", polarity="high", area=AREA,
         kind="stock", periods=STOCK_PERIODS,
         definition="Children under 16 at the period end, looked after continuously for 2.5 years or more, who "
                    "have been in the same placement for 2 years or more, or are placed for adoption (A3-A6) "
                    "and the adoptive placement and the one before it together reach 2 years / children under "
                    "16 looked after 2.5 years or more. " + V34,
         tells_us="Whether children in long-term care have a settled home: the basis for secure attachment "
                  "and continuity at school.",
         needs=("cla_episodes.decom", "persons.dob"), breakdowns=("all", "team"), seeds="RO15 9.1",
         dfe_measure="LAC_LongStable%")
def cla_stability_pct(ctx) -> Windowed:
    s = _with_placement(ctx)
    t = s["period_end"].to_numpy().astype("datetime64[D]")
    age = age_in_years(pd.Series(ctx.dob(s["child_id"])), pd.Series(t))
    long_term = (age < 16) & (add_months(s["poc_start"].to_numpy().astype("datetime64[D]"), 30) <= t)
    pstart = s["placement_start"].to_numpy().astype("datetime64[D]")
    same = ~np.isnat(pstart) & (add_years(pstart, 2) <= t)
    prev = s["previous_start"].to_numpy().astype("datetime64[D]")
    adoptive = s["placement_place"].isin(PLACED_FOR_ADOPTION).to_numpy() & ~np.isnat(prev) & (add_years(prev, 2) <= t)
    return Windowed(pd.DataFrame({"period_type": s["period_type"], "k": s["k"], "team": s["team"],
                                  "num": long_term & (same | adoptive), "den": long_term,
                                  "placement_start": pstart, "_record": s["_record"]}))


@measure(id="cla_reviews_timely_pct", title="Looked-after reviews within timescale", unit="pct", polarity="high",
         area=AREA,
         definition="Reviews held in the period that were on time / reviews held in the period. The first review "
                    "of a period of care is due within 20 working days of it starting, the second within 3 "
                    "months of the first, then every 6 months. Reviews outside any period of care (e.g. short "
                    "breaks) are left out and counted in the note. " + V34,
         tells_us="Whether each child's care plan is reviewed by an independent reviewing officer when it "
                  "should be, so that drift is caught.",
         needs=("cla_episodes.decom", "cla_reviews.review_date"), breakdowns=("all",), seeds="RO15 7.6")
def cla_reviews_timely_pct(ctx) -> Flow:
    r = ctx.table("cla_reviews")
    p = periods_of_care(ctx).reset_index(drop=True)
    rv = pd.DataFrame({"child_id": r["child_id"].to_numpy(), "date": days(r["review_date"]),
                       "_record": r["_record"].to_numpy()})
    rv = rv.drop_duplicates(["child_id", "date"]).reset_index(drop=True)
    starts = pd.DataFrame({"child_id": p["child_id"].to_numpy(), "_t": p["start"].to_numpy().astype("datetime64[ns]"),
                           "poc": np.arange(len(p))})
    probe = rv.assign(_t=rv["date"].to_numpy().astype("datetime64[ns]"), _pos=np.arange(len(rv)))
    poc = np.full(len(rv), -1)
    if len(rv) and len(p):
        m = pd.merge_asof(probe.sort_values("_t", kind="stable"), starts.sort_values("_t", kind="stable"),
                          on="_t", by="child_id", direction="backward")
        poc[m["_pos"].to_numpy()] = m["poc"].to_numpy(dtype=float, na_value=-1).astype(int)
    d = rv["date"].to_numpy().astype("datetime64[D]")
    in_care = poc >= 0
    poc_end = open_ended(p["end"].to_numpy().astype("datetime64[D]"))
    in_care[in_care] = d[in_care] <= poc_end[poc[in_care]]
    rv["poc"] = np.where(in_care, poc, -1)
    rv["dq"] = ~in_care
    rv = rv.sort_values(["poc", "date"], kind="stable").reset_index(drop=True)
    d = rv["date"].to_numpy().astype("datetime64[D]")
    ok_rows = rv["poc"].to_numpy() >= 0
    nth = rv.groupby("poc").cumcount().to_numpy()
    prev = rv.groupby("poc")["date"].shift(1).to_numpy().astype("datetime64[D]")
    poc_start = np.where(ok_rows, p["start"].to_numpy().astype("datetime64[D]")[np.maximum(rv["poc"].to_numpy(), 0)],
                         NAT) if len(p) else np.full(len(rv), NAT)
    first_ok = within_working_days(poc_start, d, 20)
    second_ok = d <= add_months(prev, 3)
    later_ok = d <= add_months(prev, 6)
    on_time = np.where(nth == 0, first_ok, np.where(nth == 1, second_ok, later_ok)) & ok_rows
    return Flow(pd.DataFrame({"date": d, "num": on_time, "den": ok_rows, "dq": ~ok_rows,
                              "review_number": np.where(ok_rows, nth + 1, 0), "_record": rv["_record"].to_numpy()}),
                dq_label="reviews outside a period of care left out")


@measure(id="cla_visits_timely_pct", title="Looked-after children visited within timescale", unit="pct",
         polarity="high", area=AREA, kind="stock", periods=STOCK_PERIODS,
         definition="Children looked after at the period end whose visits are up to date: the national minimum "
                    "standard is a visit within 1 week of the placement starting, then at least every 6 weeks "
                    "in the placement's first year and every 12 weeks after; option cla_visit_standard='local' "
                    "uses 1 week then every cla_visit_local_weeks weeks (RO15: 4) / children looked after at "
                    "the period end. " + V34,
         tells_us="Whether the authority's representative sees each child where they live often enough to "
                  "know the placement is safe and meeting their needs.",
         needs=("cla_episodes.decom", "visits.visit_date"), breakdowns=("all", "team"),
         seeds="SF17, RO15 7.13-7.14, SO19 LAC7", options=("cla_visit_standard", "cla_visit_local_weeks"))
def cla_visits_timely_pct(ctx) -> Windowed:
    s = _with_placement(ctx)
    v = ctx.table("visits")
    v = v[(v["kind"] == "CLA").to_numpy(dtype=bool, na_value=False) & v["seen"].to_numpy(dtype=bool, na_value=True)]
    t = s["period_end"].to_numpy().astype("datetime64[D]")
    probe = pd.DataFrame({"child_id": s["child_id"].to_numpy(), "t": t})
    last = last_on_or_before(probe, "t", v, "visit_date")
    pstart = s["placement_start"].to_numpy().astype("datetime64[D]")
    pstart = np.where(np.isnat(pstart), s["decom"].to_numpy().astype("datetime64[D]"), pstart)
    visited_in_placement = ~np.isnat(last) & (last >= pstart)
    week = np.timedelta64(7, "D")
    if ctx.option("cla_visit_standard") == "local":
        interval = np.full(len(s), np.timedelta64(7 * int(ctx.option("cla_visit_local_weeks")), "D"))
    elif ctx.option("cla_visit_standard") == "national":
        first_year = (last - pstart) < np.timedelta64(365, "D")
        interval = np.where(first_year, 6 * week, 12 * week)
    else:
        raise ValueError("cla_visit_standard must be 'national' or 'local'")
    due = np.where(visited_in_placement, last + interval, pstart + week)
    return Windowed(pd.DataFrame({"period_type": s["period_type"], "k": s["k"], "team": s["team"],
                                  "num": t <= due, "den": 1.0, "last_visit": last, "visit_due": due,
                                  "_record": s["_record"]}))


def _checked(ctx, kind: str) -> Windowed:
    s = _stock(ctx)
    t = s["period_end"].to_numpy().astype("datetime64[D]")
    eligible = add_years(s["poc_start"].to_numpy().astype("datetime64[D]"), 1) <= t
    checks = ctx.table("health_checks")
    checks = checks[(checks["kind"] == kind).to_numpy(dtype=bool, na_value=False)]
    last = last_on_or_before(pd.DataFrame({"child_id": s["child_id"].to_numpy(), "t": t}), "t", checks, "check_date")
    recent = ~np.isnat(last) & (last > add_years(t, -1))
    return Windowed(pd.DataFrame({"period_type": s["period_type"], "k": s["k"], "team": s["team"],
                                  "num": eligible & recent, "den": eligible, "last_check": last,
                                  "_record": s["_record"]}))


_CHECK_DEF = ("Children looked after continuously for 12 months or more at the period end with a {what} dated "
              "in the 12 months up to the period end / those children. " + V34)


@measure(id="cla_health_pct", title="Health assessment in the last 12 months", unit="pct", polarity="high",
         area=AREA, kind="stock", periods=STOCK_PERIODS, definition=_CHECK_DEF.format(what="health assessment"),
         tells_us="Whether children in care have their health needs assessed each year, as the statutory "
                  "guidance requires.",
         needs=("cla_episodes.decom", "health_checks.check_date"), breakdowns=("all", "team"),
         seeds="SF24 20, RO15 7.8", dfe_measure="LACHealth%")
def cla_health_pct(ctx) -> Windowed:
    return _checked(ctx, "health")


@measure(id="cla_dental_pct", title="Dental check in the last 12 months", unit="pct", polarity="high",
         area=AREA, kind="stock", periods=STOCK_PERIODS, definition=_CHECK_DEF.format(what="dental check"),
         tells_us="Whether children in care see a dentist each year: a basic health outcome often missed "
                  "when children move.",
         needs=("cla_episodes.decom", "health_checks.check_date"), breakdowns=("all", "team"),
         seeds="SF24 21, RO15 7.9", dfe_measure="LACDental%")
def cla_dental_pct(ctx) -> Windowed:
    return _checked(ctx, "dental")


def _window_child_key(frame: pd.DataFrame) -> np.ndarray:
    """One integer per (period type, window, child): joins without building a MultiIndex."""
    pt = frame["period_type"].cat.codes.to_numpy().astype(np.int64)
    return ((pt << 20) + frame["k"].to_numpy().astype(np.int64) << 32) + frame["child_id"].to_numpy().astype(np.int64)


def _looked_after_in_window(ctx) -> pd.DataFrame:
    """Each child looked after at any time in each flow window, once (shared by the missing
    and away measures)."""
    def build() -> pd.DataFrame:
        ep = episodes(ctx)
        # Looked after during the window includes the day care ended.
        dec = ep["dec"].to_numpy().astype("datetime64[D]")
        care = ctx.grid.expand(ep["decom"].to_numpy(), np.where(np.isnat(dec), NAT, dec + ONE_DAY), FLOW_PERIODS)
        care["child_id"] = ep["child_id"].to_numpy()[care["row"].to_numpy()]
        care["key"] = _window_child_key(care)
        return care.drop_duplicates("key")
    return ctx.cached("cla_in_window", build)


def _went_missing(ctx, kind: str) -> Windowed:
    """Distinct children looked after at any time in each window, and those of them with an
    episode of this kind starting in the window: one interval join for every window."""
    care = _looked_after_in_window(ctx)
    m = ctx.table("missing")
    m = m[(m["kind"] == kind).to_numpy(dtype=bool, na_value=False)]
    ms = days(m["start_date"])
    went = ctx.grid.expand(ms, ms + ONE_DAY, FLOW_PERIODS)
    went["child_id"] = m["child_id"].to_numpy()[went["row"].to_numpy()]
    flagged = np.isin(care["key"].to_numpy(), _window_child_key(went))
    return Windowed(pd.DataFrame({"period_type": care["period_type"].to_numpy(), "k": care["k"].to_numpy(),
                                  "num": flagged, "den": 1.0, "child_id": care["child_id"].to_numpy()}))


@measure(id="cla_missing_pct", title="Children looked after who went missing", unit="pct", polarity="low",
         area=AREA, periods=FLOW_PERIODS,
         definition="Children looked after at any time in the period with a missing episode starting in the "
                    "period / children looked after at any time in the period (each child once). " + V34,
         tells_us="How many children in care go missing: a marker of risk of exploitation and of placements "
                  "that do not meet children's needs.",
         needs=("cla_episodes.decom", "missing.start_date"), seeds="SF24 18, SO19 EHS", dfe_measure="Children_missing")
def cla_missing_pct(ctx) -> Windowed:
    return _went_missing(ctx, "M")


@measure(id="cla_away_pct", title="Children looked after who were away without authorisation", unit="pct",
         polarity="low", area=AREA, periods=FLOW_PERIODS,
         definition="Children looked after at any time in the period with an away-without-authorisation episode "
                    "starting in the period / children looked after at any time in the period. " + V34,
         tells_us="How many children in care are absent from placement without agreement: an early sign of "
                  "risk and placement strain.",
         needs=("cla_episodes.decom", "missing.start_date"), seeds="SF24 19, SO19 EHS", dfe_measure="Children_Away")
def cla_away_pct(ctx) -> Windowed:
    return _went_missing(ctx, "A")


@measure(id="cla_uasc", title="Unaccompanied asylum-seeking children looked after", unit="count", polarity="none",
         area=AREA, kind="stock", periods=STOCK_PERIODS,
         definition="Children looked after at the period end who are unaccompanied asylum-seeking children. " + V34,
         tells_us="The authority's share of the national responsibility for unaccompanied children, which "
                  "shapes placement demand (mostly older teenagers).",
         needs=("cla_episodes.decom", "persons.uasc"), breakdowns=("all", "age_band"), seeds="SO19 LAC13",
         dfe_measure="Unacc_Asylmn_Seek_Childn")
def cla_uasc(ctx) -> Windowed:
    s = _stock(ctx)
    return Windowed(pd.DataFrame({"period_type": s["period_type"], "k": s["k"], "age_band": s["age_band"],
                                  "num": pd.array(s["uasc"], dtype="boolean").to_numpy(dtype=bool, na_value=False),
                                  "_record": s["_record"]}))


@measure(id="cla_uasc_starts", title="Unaccompanied asylum-seeking children starting to be looked after",
         unit="count", polarity="none", area=AREA,
         definition="Periods of care starting in the period for unaccompanied asylum-seeking children. " + V34,
         tells_us="New arrivals of unaccompanied children: sudden rises (e.g. the national transfer scheme) "
                  "need placements quickly.",
         needs=("cla_episodes.decom", "persons.uasc"), seeds="SO19 LAC14")
def cla_uasc_starts(ctx) -> Flow:
    p = periods_of_care(ctx)
    uasc = pd.array(ctx.person_flag(p["child_id"], "uasc"), dtype="boolean").to_numpy(dtype=bool, na_value=False)
    return Flow(pd.DataFrame({"date": p["start"].to_numpy(), "num": uasc, "_record": p["_record"].to_numpy()}))


@measure(id="cla_placement_mix_pct", title="Placement types", unit="pct", polarity="none", area=AREA,
         kind="stock", periods=STOCK_PERIODS,
         definition="Children looked after at the period end by placement type and provider (breakdown "
                    "placement_type): in-house foster (foster care provided by the authority or another public "
                    "body), independent fostering agency (private or voluntary provider), residential (K1, K2, "
                    "R1, S1), placed with parents (P1), other; each as a % of children looked after. " + V34,
         tells_us="The balance of family-based and residential care, and of in-house and agency provision: "
                  "drives both outcomes and cost.",
         needs=("cla_episodes.decom", "cla_episodes.place"), breakdowns=("all", "placement_type"),
         seeds="SO19 LAC9, SF17", dfe_measure="LAC_Foster_Placements")
def cla_placement_mix_pct(ctx) -> Windowed:
    s = _stock(ctx)
    return Windowed(pd.DataFrame({"period_type": s["period_type"], "k": s["k"],
                                  "placement_type": s["placement_type"], "num": 1.0, "den": 1.0,
                                  "_record": s["_record"]}),
                    share=("placement_type",))


@measure(id="cla_stayed_to_18_pct", title="Left care at 16+ having stayed until 18", unit="pct", polarity="high",
         area=AREA,
         definition="Periods of care ending in the period for young people aged 16 or over when they ceased, who "
                    "ceased on or after their 18th birthday / periods ending for young people aged 16 or over. "
                    + V34,
         tells_us="Whether older children are supported to stay in care until adulthood rather than leaving "
                  "early to unsupported living.",
         needs=("cla_episodes.decom", "persons.dob"), breakdowns=("all",), seeds="SF24 24")
def cla_stayed_to_18_pct(ctx) -> Flow:
    p = periods_of_care(ctx)
    end = p["end"].to_numpy().astype("datetime64[D]")
    age = age_in_years(pd.Series(ctx.dob(p["child_id"])), pd.Series(end))
    return Flow(pd.DataFrame({"date": end, "num": age >= 18, "den": age >= 16, "age_at_leaving": age,
                              "_record": p["_record"].to_numpy()}))
