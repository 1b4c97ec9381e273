"""The scorecard frame a pack renders, and the per-month assessment table behind its charts.

``build_scorecard`` gives one row per measure (breakdown 'all') for one authority and
month, with the union of what the five seed scorecards show. Packs render it directly;
every value column has a matching ``display_*`` text column that already says "c" for a
suppressed figure and "n/a" for a missing one, so a pack never formats numbers itself.

Columns of ``build_scorecard`` (in this order):

identity
    ``authority``, ``month`` (the month end reported), ``area``, ``area_title``,
    ``measure``, ``title``, ``unit`` (count/pct/rate/days/number), ``polarity``
    (high/low/none/range), ``kind`` (flow/stock/manual), ``definition``, ``tells_us``,
    ``seeds``.
headline
    ``headline_period``: the period type the row is judged on (the target's ``period``,
    else the first the measure has of month, snapshot, rolling_12m, quarter, year, ytd,
    rolling_6m); ``value``, ``display``, ``numerator``, ``denominator``, ``status``
    (ok/not_available/suppressed), ``note`` (why a value is missing or which period a
    hand-entered figure is from).
values by period
    ``value_month``, ``value_rolling_6m``, ``value_rolling_12m``, ``value_snapshot``,
    ``value_ytd``, ``value_quarter``, ``value_year`` (NaN where the measure has no such
    period) and ``display_month`` ... ``display_year``.
recent history (of the headline period)
    ``series_period``; ``series_months`` (14 'YYYY-MM' labels, oldest first);
    ``series_14`` (14 values, None where missing or suppressed; SO19) and
    ``series_14_display``; ``last_3_months`` (RO15); ``annual`` and ``annual_display``
    (dicts of financial-year label -> value for up to 3 complete years to the month, from
    the ``year`` period, or the 31 March snapshot for stock measures; RO15).
direction of travel (of the headline period)
    ``dot_month`` (improving/similar/worsening, or up/similar/down for context measures),
    ``dot_month_arrow`` (\u2191 \u2193 \u2192), ``dot_month_label`` ("\u2191 improving"),
    ``pct_change_month``, ``diff_month`` (against the previous month, or previous quarter
    or year for a measure entered quarterly or yearly); the same for ``dot_year`` ...
    against the same month last year; ``avg_12m``, ``max_12m`` (SO19: the 12 months to
    the month; NaN if any of them is suppressed).
target and RAG
    ``target``, ``target_low``, ``target_high``, ``target_text``, ``rag``
    (red/amber/green, inadequate/ri/good/outstanding, or None), ``rag_label`` (words,
    always given with the colour), ``rag_scheme`` (tolerance/bands/mid50),
    ``rag_position`` (mid50: below/within/above), ``owner``, ``reporter``.
benchmarks (``benchmarks.BENCHMARK_COLUMNS``)
    ``benchmark_year``, ``benchmark_release``, ``benchmark_label``, ``la_value`` (own
    latest published), ``la_status``, ``sn_average``, ``sn_best``, ``region``,
    ``england``, ``england_top_quartile``, ``england_p25``, ``england_p75``,
    ``mid50_position``, ``mid50_judgement``, ``rank``, ``n_ranked``, ``quartile``.
SPC (on the monthly series: month, else snapshot)
    ``spc_flag`` (the month's variation class: common_cause,
    special_cause_improving / _concerning / _neither, too_few_points, or None),
    ``spc_label`` (words), ``spc_rules``, ``spc_mean``, ``spc_lcl``, ``spc_ucl``.
commentary
    ``commentary`` (the analyst's, for this measure and month), ``audience``.

``build_assessment_table`` gives the same assessment per measure (and breakdown value) per
month of the headline period, for trend charts: value, display, direction of travel,
12-month average and maximum, target and RAG, and the SPC mean, limits and flags.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from csc_workbench.assessment.benchmarks import BENCHMARK_COLUMNS, attach_benchmarks
from csc_workbench.assessment.direction import (direction_of_travel, shift_columns,
                                                trailing_window_stats)
from csc_workbench.assessment.manual import MANUAL_KIND, ManualData, catalogue_with_manual
from csc_workbench.assessment.spc import SERIES_KEYS, VARIATION_LABELS, spc_flags
from csc_workbench.assessment.targets import DEFAULT_SIMILAR_BAND, Targets, evaluate_rag
from csc_workbench.calendar import financial_year_label, parse_month
from csc_workbench.measures.catalogue import (AREA_TITLES, AREAS, CATALOGUE, PERIOD_TYPES,
                                              TIDY_COLUMNS, MeasureDef)
from csc_workbench.privacy import apply_audience, check_audience, format_value, format_values

HEADLINE_PREFERENCE = ("month", "snapshot", "rolling_12m", "quarter", "year", "ytd", "rolling_6m")
SERIES_LENGTH = 14
ANNUAL_YEARS = 3
TOTAL = "all"
# How far back a hand-entered figure may be shown for the month (it is labelled with its
# period in the note): a quarter's figure for the two months after it, a year's for a year.
MANUAL_SPAN = {"month": 1, "quarter": 3, "year": 12}

SCORECARD_COLUMNS = [
    "authority", "month", "area", "area_title", "measure", "title", "unit", "polarity", "kind",
    "definition", "tells_us", "seeds",
    "headline_period", "value", "display", "numerator", "denominator", "status", "note",
    *[f"value_{p}" for p in PERIOD_TYPES], *[f"display_{p}" for p in PERIOD_TYPES],
    "series_period", "series_months", "series_14", "series_14_display", "last_3_months",
    "annual", "annual_display",
    "dot_month", "dot_month_arrow", "dot_month_label", "pct_change_month", "diff_month",
    "dot_year", "dot_year_arrow", "dot_year_label", "pct_change_year", "diff_year",
    "avg_12m", "max_12m",
    "target", "target_low", "target_high", "target_text", "rag", "rag_label", "rag_scheme",
    "rag_position", "owner", "reporter",
    *BENCHMARK_COLUMNS,
    "spc_flag", "spc_label", "spc_rules", "spc_mean", "spc_lcl", "spc_ucl",
    "commentary", "audience",
]

TABLE_COLUMNS = [
    "authority", "area", "measure", "title", "unit", "polarity", "breakdown", "breakdown_value",
    "period_type", "period_end", "numerator", "denominator", "value", "status", "display",
    "previous_value", "dot_month", "dot_month_arrow", "dot_month_label", "pct_change_month",
    "diff_month", "year_ago_value", "dot_year", "dot_year_arrow", "dot_year_label",
    "pct_change_year", "diff_year", "avg_12m", "max_12m",
    "target", "target_low", "target_high", "target_text", "rag", "rag_label", "rag_scheme",
    "rag_position",
    "spc_period_type", "spc_value", "spc_mean", "spc_lcl", "spc_ucl", "spc_lower_two_thirds",
    "spc_upper_two_thirds", "spc_special_cause", "spc_rules", "spc_flag", "spc_label",
]


def _month_end(month) -> pd.Timestamp:
    if isinstance(month, str):
        return parse_month(month)
    return pd.Period(pd.Timestamp(month), "M").to_timestamp(how="end").normalize()


def _month_number(dates: pd.Series) -> np.ndarray:
    """Months since year 0, so consecutive months differ by 1."""
    d = pd.to_datetime(dates)
    return (d.dt.year * 12 + d.dt.month - 1).to_numpy(dtype="int64")


def _obj(values) -> pd.Series:
    arr = np.asarray(values, dtype=object)
    return pd.Series(np.where(pd.isna(arr), None, arr), dtype=object)


TEXT_COLUMNS = [
    "area", "area_title", "title", "unit", "polarity", "kind", "definition", "tells_us", "seeds",
    "headline_period", "display", "status", "note", "series_period", "period_type",
    "dot_month", "dot_month_arrow", "dot_month_label", "dot_year", "dot_year_arrow",
    "dot_year_label", "target_text", "rag", "rag_label", "rag_scheme", "rag_position", "owner",
    "reporter", "spc_period_type", "spc_flag", "spc_label", "commentary",
    *[f"display_{p}" for p in PERIOD_TYPES],
]


def _text(df: pd.DataFrame) -> pd.DataFrame:
    """Text columns as object dtype with None for missing (pandas 3 would infer its str
    dtype and turn None into NaN), so `x is None` works for every consumer."""
    for c in TEXT_COLUMNS:
        if c in df.columns:
            df[c] = _obj(df[c].to_numpy(dtype=object)).set_axis(df.index)
    return df


def _resolve_catalogue(catalogue):
    if catalogue is None or catalogue is CATALOGUE:
        return catalogue_with_manual()
    return catalogue


def _prepare(tidy: pd.DataFrame, catalogue: Mapping[str, MeasureDef], authority: str | None,
             audience: str, manual, breakdowns: Sequence[str] | None) -> pd.DataFrame:
    """The authority's tidy rows plus hand-entered ones, as the audience may see them."""
    check_audience(audience)
    frames = [tidy[TIDY_COLUMNS + [c for c in ("note",) if c in tidy.columns]]]
    manual_tidy = manual.tidy if isinstance(manual, ManualData) else manual
    if manual_tidy is not None and len(manual_tidy):
        frames.append(manual_tidy[TIDY_COLUMNS])
    frames = [f for f in frames if len(f)]
    f = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=TIDY_COLUMNS)
    if authority is not None:
        f = f[f["authority"] == authority]
    if breakdowns is not None:
        f = f[f["breakdown"].isin(breakdowns)]
    f = f.copy()
    f["period_end"] = pd.to_datetime(f["period_end"]).astype("datetime64[us]")
    for col in ("numerator", "denominator", "value"):
        f[col] = pd.to_numeric(f[col], errors="coerce").astype("float64")
    key = SERIES_KEYS + ["period_type", "period_end"]
    dup = f.duplicated(key, keep=False)
    if dup.any():
        first = f[dup].iloc[0]
        raise ValueError("the tidy table has more than one row for " +
                         ", ".join(f"{k}={first[k]}" for k in key))
    units = {k: d.unit for k, d in catalogue.items()}
    return apply_audience(f.reset_index(drop=True), audience, units, display=False)


def _headline_periods(frame: pd.DataFrame, targets: Targets | None) -> dict[str, str]:
    """The period type each measure is judged on: the target's ``period`` (even if the data
    lacks it, so the scorecard says so rather than judging another period), else the first
    of HEADLINE_PREFERENCE the data has."""
    pairs = frame[["measure", "period_type"]].drop_duplicates()
    available = {m: set(g) for m, g in pairs.groupby("measure")["period_type"]}
    out = {}
    for measure, types in available.items():  # one loop per measure
        rule = targets.rule(measure) if targets is not None else None
        if rule is not None and rule.period is not None:
            out[measure] = rule.period
        else:
            out[measure] = next((p for p in HEADLINE_PREFERENCE if p in types), sorted(types)[0])
    return out


class _Assessed:
    """The headline series as a (series x months) matrix, with the assessment per row."""

    def __init__(self, frame, catalogue, targets, benchmark_summary, spc, spc_kwargs):
        self.catalogue = catalogue
        self.headline = _headline_periods(frame, targets)
        is_head = frame["period_type"].to_numpy() == frame["measure"].map(self.headline).to_numpy()
        h = frame[is_head].sort_values(SERIES_KEYS + ["period_end"], kind="stable").reset_index(drop=True)
        h["display"] = format_values(
            h["value"], h["measure"].map({k: d.unit for k, d in catalogue.items()}).to_numpy(dtype=object),
            h["status"].to_numpy(dtype=object))
        self.rows = h
        if h.empty:
            self.keys = pd.DataFrame(columns=SERIES_KEYS)
            self.table = pd.DataFrame(columns=TABLE_COLUMNS)
            self.values = np.zeros((0, 0))
            self.first_month = 0
            self.step = np.zeros(0, dtype=int)
            return
        sid = h.groupby(SERIES_KEYS, sort=False).ngroup().to_numpy()
        self.keys = h.drop_duplicates(SERIES_KEYS)[SERIES_KEYS].reset_index(drop=True)
        mnum = _month_number(h["period_end"])
        self.first_month = int(mnum.min())
        col = mnum - self.first_month
        n_series, n_months = sid.max() + 1, col.max() + 1
        values = np.full((n_series, n_months), np.nan)
        values[sid, col] = h["value"].to_numpy()
        hidden = np.zeros((n_series, n_months), dtype=bool)
        hidden[sid, col] = (h["status"] == "suppressed").to_numpy()
        self.values, self.hidden = values, hidden

        # A series entered quarterly or yearly steps by 3 or 12 months.
        month_of_year = pd.to_datetime(h["period_end"]).dt.month
        qtr_end = pd.Series(month_of_year.isin([3, 6, 9, 12]).to_numpy()).groupby(sid).all()
        march = pd.Series((month_of_year == 3).to_numpy()).groupby(sid).all()
        ptype = pd.Series(h["period_type"].to_numpy()).groupby(sid).first()
        self.step = np.where((ptype == "year") & march, 12,
                             np.where((ptype == "quarter") & qtr_end, 3, 1)).astype(int)

        previous = shift_columns(values, self.step)[sid, col]
        year_ago = shift_columns(values, 12)[sid, col]
        mean12, max12, _ = trailing_window_stats(values, 12, hidden)

        measures = h["measure"]
        polarity = measures.map({k: d.polarity for k, d in catalogue.items()}).fillna("none")
        band_of = {m: (targets.similar_band_for(m) if targets is not None else DEFAULT_SIMILAR_BAND)
                   for m in self.headline}
        band = measures.map(band_of).to_numpy(dtype="float64")
        dot_m = direction_of_travel(h["value"], previous, polarity.to_numpy(dtype=object), band)
        dot_y = direction_of_travel(h["value"], year_ago, polarity.to_numpy(dtype=object), band)
        rag = evaluate_rag(measures.to_numpy(), h["value"].to_numpy(), targets, benchmark_summary)

        t = h[SERIES_KEYS + ["period_type", "period_end", "numerator", "denominator", "value",
                             "status", "display"]].copy()
        t["area"] = measures.map({k: d.area for k, d in catalogue.items()})
        t["title"] = measures.map({k: d.title for k, d in catalogue.items()}).fillna(measures)
        t["unit"] = measures.map({k: d.unit for k, d in catalogue.items()})
        t["polarity"] = polarity.to_numpy(dtype=object)
        t["previous_value"] = previous
        t["year_ago_value"] = year_ago
        for prefix, dot in (("dot_month", dot_m), ("dot_year", dot_y)):
            t[prefix] = dot["word"].to_numpy()
            t[f"{prefix}_arrow"] = dot["arrow"].to_numpy()
            t[f"{prefix}_label"] = dot["label"].to_numpy()
            suffix = prefix.split("_")[1]
            t[f"pct_change_{suffix}"] = dot["pct_change"].to_numpy()
            t[f"diff_{suffix}"] = dot["diff"].to_numpy()
        t["avg_12m"] = mean12[sid, col]
        t["max_12m"] = max12[sid, col]
        for c in rag.columns:
            t[c] = rag[c].to_numpy()

        # SPC runs on the monthly series (month, else snapshot); joined by month.
        if spc is None:
            spc = spc_flags(frame, catalogue, **(spc_kwargs or {}))
        s = spc[SERIES_KEYS + ["period_type", "period_end", "value", "mean", "lcl", "ucl",
                               "lower_two_thirds", "upper_two_thirds", "special_cause", "rules",
                               "variation"]].copy()
        s["period_end"] = pd.to_datetime(s["period_end"]).astype("datetime64[us]")
        s = s.rename(columns={"period_type": "spc_period_type", "value": "spc_value",
                              "mean": "spc_mean", "lcl": "spc_lcl", "ucl": "spc_ucl",
                              "lower_two_thirds": "spc_lower_two_thirds",
                              "upper_two_thirds": "spc_upper_two_thirds",
                              "special_cause": "spc_special_cause", "rules": "spc_rules",
                              "variation": "spc_flag"})
        s = s.drop_duplicates(SERIES_KEYS + ["period_end"])
        t = t.merge(s, on=SERIES_KEYS + ["period_end"], how="left")
        t["spc_flag"] = _obj(t["spc_flag"])
        t["spc_label"] = _obj(t["spc_flag"].map(VARIATION_LABELS))
        t["spc_special_cause"] = t["spc_special_cause"].fillna(False).astype(bool)
        t["spc_rules"] = t["spc_rules"].fillna("")
        self.sid, self.col = sid, col
        self.table = _text(t[TABLE_COLUMNS].copy())


def build_assessment_table(tidy: pd.DataFrame, catalogue: Mapping[str, MeasureDef] | None,
                           authority: str | None, targets: Targets | None = None,
                           benchmark_summary: pd.DataFrame | None = None,
                           spc: pd.DataFrame | None = None, audience: str = "internal",
                           manual: ManualData | pd.DataFrame | None = None,
                           breakdowns: Sequence[str] | None = (TOTAL,),
                           spc_kwargs: dict | None = None) -> pd.DataFrame:
    """Per measure, breakdown value and month of the headline period: the value, direction
    of travel, 12-month average and maximum, target and RAG, SPC mean, limits and flags
    (``TABLE_COLUMNS``). ``breakdowns=None`` keeps every breakdown (team, age band, ...;
    the same targets apply to each). ``spc``: ``spc_flags`` output to reuse, else computed
    from the rows the audience may see (``spc_kwargs`` passed on). Sorted by measure,
    breakdown and month."""
    catalogue = _resolve_catalogue(catalogue)
    frame = _prepare(tidy, catalogue, authority, audience, manual, breakdowns)
    return _Assessed(frame, catalogue, targets, benchmark_summary, spc, spc_kwargs).table


def _commentary_for(measures: pd.Series, month: pd.Timestamp, commentary, rows,
                    authority: str) -> pd.Series:
    """The analyst's commentary for each measure at ``month`` (or at the period of the
    hand-entered figure shown)."""
    out = pd.Series([None] * len(measures), index=measures.index, dtype=object)
    if commentary is None or len(commentary) == 0:
        return out
    c = commentary.copy()
    if "authority" in c.columns:
        c = c[c["authority"] == authority]
    if "period_end" not in c.columns:
        c["period_end"] = c["month"].map(_month_end)
    c["period_end"] = pd.to_datetime(c["period_end"]).astype("datetime64[us]")
    c = c[c["commentary"].notna() & (c["commentary"].astype(str).str.strip() != "")]
    shown_at = rows.set_index("measure")["shown_period_end"]
    wanted = measures.map(shown_at).fillna(month)
    keyed = pd.DataFrame({"measure": measures.to_numpy(), "period_end": wanted.to_numpy()})
    keyed["period_end"] = pd.to_datetime(keyed["period_end"]).astype("datetime64[us]")
    texts = c.groupby(["measure", "period_end"])["commentary"].agg(lambda s: "\n\n".join(map(str, s)))
    joined = keyed.merge(texts.reset_index(), on=["measure", "period_end"], how="left")["commentary"]
    return _obj(joined.to_numpy()).set_axis(measures.index)


def build_scorecard(tidy: pd.DataFrame, catalogue: Mapping[str, MeasureDef] | None,
                    authority: str, month, targets: Targets | None,
                    benchmark_summary: pd.DataFrame | None = None,
                    spc: pd.DataFrame | None = None, audience: str = "internal",
                    manual: ManualData | pd.DataFrame | None = None,
                    commentary: pd.DataFrame | None = None, spc_kwargs: dict | None = None,
                    include_missing: bool = True) -> pd.DataFrame:
    """One row per measure (breakdown 'all') for ``authority`` at ``month`` ('YYYY-MM' or a
    date in the month), with ``SCORECARD_COLUMNS`` (see the module docstring), ordered by
    area (``catalogue.AREAS``) then catalogue order.

    ``manual``: hand-entered measures (``manual.load_manual``), shown beside computed ones;
    its commentary is used when ``commentary`` is None. ``commentary``: a frame of measure,
    period_end (or month 'YYYY-MM') and commentary. ``include_missing``: also list
    catalogue measures with no rows at all (status not_available), so a pack can say what
    it could not compute.
    """
    return _scorecard_and_table(tidy, catalogue, authority, month, targets, benchmark_summary, spc, audience,
                                manual, commentary, spc_kwargs, include_missing)[0]


def build_scorecard_and_table(tidy: pd.DataFrame, catalogue: Mapping[str, MeasureDef] | None,
                              authority: str, month, targets: Targets | None,
                              benchmark_summary: pd.DataFrame | None = None,
                              spc: pd.DataFrame | None = None, audience: str = "internal",
                              manual: ManualData | pd.DataFrame | None = None,
                              commentary: pd.DataFrame | None = None, spc_kwargs: dict | None = None,
                              include_missing: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``build_scorecard`` and ``build_assessment_table`` (totals) from one assessment: the
    same two frames as calling both, for half the work (a pack needs both)."""
    return _scorecard_and_table(tidy, catalogue, authority, month, targets, benchmark_summary, spc, audience,
                                manual, commentary, spc_kwargs, include_missing)


def _scorecard_and_table(tidy, catalogue, authority, month, targets, benchmark_summary, spc, audience, manual,
                         commentary, spc_kwargs, include_missing):
    catalogue = _resolve_catalogue(catalogue)
    month = _month_end(month)
    frame = _prepare(tidy, catalogue, authority, audience, manual, (TOTAL,))
    a = _Assessed(frame, catalogue, targets, benchmark_summary, spc, spc_kwargs)
    if commentary is None and isinstance(manual, ManualData):
        commentary = manual.commentary

    # Which measures get a row.
    present = list(dict.fromkeys(frame["measure"]))
    listed = [m for m, d in catalogue.items() if d.kind != MANUAL_KIND] if include_missing else []
    measures = list(dict.fromkeys(listed + present))
    order = {m: i for i, m in enumerate(catalogue)}
    area_rank = {a_: i for i, a_ in enumerate(AREAS)}
    measures.sort(key=lambda m: (area_rank.get(catalogue[m].area, len(AREAS)) if m in catalogue
                                 else len(AREAS), order.get(m, len(order))))
    out = pd.DataFrame({"measure": pd.Series(measures, dtype=object)})
    out.insert(0, "authority", authority)
    out.insert(1, "month", month)
    meta = lambda attr, default=None: out["measure"].map(  # noqa: E731
        lambda m: getattr(catalogue[m], attr) if m in catalogue else default)
    out["area"] = meta("area")
    out["area_title"] = out["area"].map(AREA_TITLES)
    out["title"] = meta("title")
    out["title"] = out["title"].fillna(out["measure"])
    for attr in ("unit", "polarity", "kind", "definition", "tells_us", "seeds"):
        out[attr] = meta(attr)
    out["polarity"] = out["polarity"].fillna("none")
    is_manual = (out["kind"] == MANUAL_KIND).to_numpy()

    # The headline row at the month (a hand-entered figure may be from an earlier period).
    t = a.table
    t_month = _month_number(t["period_end"]) if len(t) else np.zeros(0, dtype=int)
    target_month = _month_number(pd.Series([month]))[0]
    span = t["period_type"].map(MANUAL_SPAN).fillna(1).to_numpy(dtype=int) if len(t) else np.zeros(0, int)
    manual_m = {m for m in out["measure"][is_manual]}
    eligible = (t_month == target_month) | (t["measure"].isin(manual_m).to_numpy()
                                            & (t_month <= target_month)
                                            & (t_month > target_month - span))
    head = t[eligible].sort_values("period_end").drop_duplicates("measure", keep="last")
    head = head.set_index("measure")
    got = out["measure"].isin(head.index)
    pick = lambda c: out["measure"].map(head[c]) if len(head) else pd.Series(np.nan, index=out.index)  # noqa: E731
    out["headline_period"] = out["measure"].map(a.headline)
    out["shown_period_end"] = pick("period_end")
    for c in ("value", "numerator", "denominator"):
        out[c] = pd.to_numeric(pick(c), errors="coerce").astype("float64")
    out["status"] = _obj(np.where(got, pick("status"), "not_available"))
    out["display"] = format_values(out["value"], out["unit"].to_numpy(dtype=object),
                                   out["status"].to_numpy(dtype=object))

    # Notes: why a value is missing, or which period a hand-entered figure is from.
    notes = pd.Series([None] * len(out), dtype=object)
    if "note" in frame.columns:
        fnote = frame[(frame["period_end"] == month) & frame["note"].notna()]
        notes = notes.fillna(out["measure"].map(fnote.drop_duplicates("measure").set_index("measure")["note"]))
    needs = meta("needs", ())
    no_rows = ~out["measure"].isin(set(frame["measure"]))
    na = (out["status"] == "not_available").to_numpy()
    for i in np.flatnonzero(na & notes.isna().to_numpy()):  # one loop per measure
        if no_rows.iloc[i]:
            text = "not computed for this authority"
            if needs.iloc[i]:
                text += " (it needs " + ", ".join(needs.iloc[i]) + ")"
        elif not got.iloc[i]:
            text = f"no figure for {month:%B %Y}"
        else:
            text = "not available"
        notes.iloc[i] = text
    shown = pd.to_datetime(out["shown_period_end"])
    stale = got.to_numpy() & is_manual & (shown != month).to_numpy()
    period_label = out["measure"].map(head["period_type"]) if len(head) else pd.Series(None, index=out.index)
    for i in np.flatnonzero(stale):
        notes.iloc[i] = f"latest figure: {period_label.iloc[i]} to {shown.iloc[i]:%B %Y}"
    out["note"] = notes.where(out["status"] != "suppressed",
                              "c: fewer than 6 children, hidden in shared outputs").to_numpy()

    # Values for every period type at the month.
    at = frame[frame["period_end"] == month]
    for p in PERIOD_TYPES:
        sub = at[at["period_type"] == p].set_index("measure")
        if is_manual.any() and p in MANUAL_SPAN:
            late = frame[(frame["period_type"] == p) & frame["measure"].isin(manual_m)
                         & (frame["period_end"] <= month)
                         & (_month_number(frame["period_end"]) > target_month - MANUAL_SPAN[p])]
            late = late.sort_values("period_end").drop_duplicates("measure", keep="last").set_index("measure")
            sub = pd.concat([sub[~sub.index.isin(late.index)], late])
        out[f"value_{p}"] = out["measure"].map(sub["value"]).astype("float64")
        status = out["measure"].map(sub["status"]).to_numpy(dtype=object)
        out[f"display_{p}"] = format_values(out[f"value_{p}"], out["unit"].to_numpy(dtype=object),
                                            np.where(pd.isna(status), "not_available", status))

    # Recent history: 14 points of the headline series (stepping by quarter or year for a
    # measure entered that way), last 3, and annual values.
    out["series_period"] = out["headline_period"]
    row_of = {tuple(k): i for i, k in enumerate(a.keys.itertuples(index=False, name=None))}
    series_idx = np.array([row_of.get((authority, m, TOTAL, TOTAL), -1) for m in out["measure"]])
    steps = np.where(series_idx >= 0, a.step[np.maximum(series_idx, 0)] if len(a.step) else 1, 1)
    end_col = target_month - a.first_month
    k = np.arange(SERIES_LENGTH)
    cols = end_col - steps[:, None] * (SERIES_LENGTH - 1 - k[None, :])
    n_cols = a.values.shape[1]
    ok = (series_idx[:, None] >= 0) & (cols >= 0) & (cols < n_cols)
    series = np.full((len(out), SERIES_LENGTH), np.nan)
    hidden = np.zeros((len(out), SERIES_LENGTH), dtype=bool)
    if ok.any():
        rr = np.broadcast_to(series_idx[:, None], cols.shape)
        series[ok] = a.values[rr[ok], cols[ok]]
        hidden[ok] = a.hidden[rr[ok], cols[ok]]
    month_labels = [[str(pd.Period(month, "M") - int(s) * (SERIES_LENGTH - 1 - j))
                     for j in range(SERIES_LENGTH)] for s in steps]
    out["series_months"] = month_labels
    out["series_14"] = [[None if np.isnan(x) else float(x) for x in row] for row in series]
    flat = format_values(series.ravel(), np.repeat(out["unit"].to_numpy(dtype=object), SERIES_LENGTH),
                         np.where(hidden.ravel(), "suppressed", "ok"))
    out["series_14_display"] = flat.reshape(len(out), SERIES_LENGTH).tolist()
    out["last_3_months"] = [row[-3:] for row in out["series_14"]]
    out["annual"], out["annual_display"] = _annual(frame, out, month)

    # Direction of travel, 12-month stats, target and RAG, SPC: the headline row's.
    take = ["dot_month", "dot_month_arrow", "dot_month_label", "pct_change_month", "diff_month",
            "dot_year", "dot_year_arrow", "dot_year_label", "pct_change_year", "diff_year",
            "avg_12m", "max_12m", "spc_flag", "spc_label", "spc_rules", "spc_mean", "spc_lcl",
            "spc_ucl"]
    for c in take:
        out[c] = pick(c) if len(head) else None
    for c in ("pct_change_month", "diff_month", "pct_change_year", "diff_year", "avg_12m",
              "max_12m", "spc_mean", "spc_lcl", "spc_ucl"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    for c in ("dot_month", "dot_month_arrow", "dot_month_label", "dot_year", "dot_year_arrow",
              "dot_year_label", "spc_flag", "spc_label"):
        out[c] = _obj(out[c].to_numpy())
    out["spc_rules"] = out["spc_rules"].fillna("").astype(object)
    rag = evaluate_rag(out["measure"].to_numpy(), out["value"].to_numpy(), targets, benchmark_summary)
    for c in rag.columns:
        out[c] = rag[c].to_numpy()
    rules = targets.rules if targets is not None else {}
    out["owner"] = _obj(out["measure"].map(lambda m: rules[m].owner if m in rules else None))
    out["reporter"] = _obj(out["measure"].map(lambda m: rules[m].reporter if m in rules else None))

    out = attach_benchmarks(out, benchmark_summary, authority)
    out["commentary"] = _commentary_for(out["measure"], month, commentary, out, authority).to_numpy()
    out["audience"] = audience
    return _text(out[SCORECARD_COLUMNS].copy()), a.table


def _annual(frame: pd.DataFrame, out: pd.DataFrame, month: pd.Timestamp):
    """Up to ANNUAL_YEARS complete financial years ending on or before the month: the
    ``year`` value at 31 March, else the 31 March ``snapshot``."""
    # A financial year is complete at its March month end.
    last_fy = month.year if month.month >= 3 else month.year - 1
    years = list(range(last_fy - ANNUAL_YEARS + 1, last_fy + 1))
    ends = [pd.Timestamp(y, 3, 31) for y in years]
    march = frame[frame["period_end"].isin(ends) & frame["period_type"].isin(["year", "snapshot"])]
    march = march.assign(_pref=(march["period_type"] != "year").astype(int))
    march = march.sort_values("_pref").drop_duplicates(["measure", "period_end"], keep="first")
    lookup = {(m, e): (v, s) for m, e, v, s in
              zip(march["measure"], march["period_end"], march["value"], march["status"])}
    annual, display = [], []
    for m, unit in zip(out["measure"], out["unit"]):  # one loop per measure
        a, d = {}, {}
        for y, e in zip(years, ends):
            if (m, e) in lookup:
                v, s = lookup[(m, e)]
                a[financial_year_label(y)] = None if v != v else float(v)
                d[financial_year_label(y)] = format_value(v, unit, s)
        annual.append(a)
        display.append(d)
    return annual, display
