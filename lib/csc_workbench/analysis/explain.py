"""Explain this number: the records behind one figure of the tidy table, and which teams,
workers, age bands or categories moved it since the previous period.

    from csc_workbench.analysis.explain import explain

    e = explain(dataset_or_context, "assessment_45wd_pct", "month", "2024-09", authority="Z001")
    e.figure          # {'numerator': 118.0, 'denominator': 256.0, 'value': 46.1}: the tidy row's figures
    e.records         # each assessment completed in September: start, authorised, working days,
                      # late by how many working days, team, worker, child id, ...
    e.decompose("team")   # each team's contribution to the change since August
    describe_change(e, "team")   # one sentence for a pack's narrative

Records come from ``measures.engine.measure_records``: the rows of the measure's own event
frame, the very frame the engine sums, so they add up to the tidy table's numerator and
denominator exactly (``tests/test_analysis_explain.py`` checks it for every measure).

The change since the previous period (``previous_period_end``: the month before for
monthly, snapshot and rolling figures, the quarter before, the year before for year to date
and financial year) is split between the groups of a breakdown:

* a percentage, or any other ratio N / D (average days, average caseload), is the
  denominator-weighted mean of the groups' own rates: P = sum_g s_g p_g, with the group's
  share s_g = D_g / D and rate p_g = N_g / D_g. Its change splits exactly into one
  contribution per group, c_g = p_g1 s_g1 - p_g0 s_g0 (= N_g1 / D_1 - N_g0 / D_0), and each
  contribution into a **rate effect** (the group's own rate moved, weighted by its average
  share) and a **mix effect** (the group's share of the work moved, valued at its average
  rate) - the symmetric shift-share split, which has no remainder:
  rate_g = (p_g1 - p_g0) (s_g0 + s_g1) / 2 and mix_g = (s_g1 - s_g0) (p_g0 + p_g1) / 2.
  A group with nothing in one period takes its rate from the other, so all of its
  contribution is mix (it appeared or disappeared);
* a count: c_g = N_g1 - N_g0;
* a rate per 10,000 children: c_g = N_g1 k_1 - N_g0 k_0, with k the period's factor
  (10,000 / population, annualised), so the contributions add up to the change in the rate
  even when the population estimate changes;
* the largest caseload (a maximum) does not add up: the groups' maxima are listed with no
  contributions.

The contributions of all groups add up to the change in the figure exactly.

Child-level: records name children and workers. Internal use only (the explorer and an
analyst's own work); a shared pack may use ``describe_change`` by team, age band or category,
never by worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..calendar import age_in_years
from ..errors import ConfigError
from ..measures.catalogue import PERSONAL_BREAKDOWNS, TOTAL, MeasureDef
from ..measures.engine import (Context, Windowed, age_band, catalogue, context_for, measure_records,
                               measure_result, records_figure)
from ..privacy import format_value

# Months back to the period a figure is compared with.
PREVIOUS_STEP = {"month": 1, "snapshot": 1, "rolling_6m": 1, "rolling_12m": 1, "quarter": 3, "ytd": 12,
                 "year": 12}
# Breakdowns an analyst splits a figure by, and the record columns each may come from (the
# measure's own breakdown column first, then the source row's field).
GROUP_COLUMNS = {
    "team": ("team", "team_id"),
    "worker": ("worker", "worker_id"),
    "age_band": ("age_band",),
    "category": ("category", "latest_category", "initial_category"),
    "placement_type": ("placement_type",),
    "outcome": ("outcome",),
    "reason": ("reason",),
    "duration_band": ("duration_band",),
}
DEFAULT_BY = ("team", "worker", "age_band", "category")
UNKNOWN = "unknown"
DECOMPOSITION_COLUMNS = [
    "numerator_previous", "numerator", "denominator_previous", "denominator", "value_previous", "value",
    "share_previous", "share", "rate_effect", "mix_effect", "contribution",
]


def previous_period_end(period_type: str, period_end) -> pd.Timestamp:
    """The end of the period a figure is compared with (see the module docstring)."""
    if period_type not in PREVIOUS_STEP:
        raise ConfigError(f"unknown period type {period_type!r}")
    month = pd.Period(pd.Timestamp(period_end), "M") - PREVIOUS_STEP[period_type]
    return month.to_timestamp(how="end").normalize()


def _month_end(period_end) -> pd.Timestamp:
    return pd.Period(pd.Timestamp(period_end), "M").to_timestamp(how="end").normalize()


# ---- the records ----------------------------------------------------------------------------

def _lookup(ctx: Context, key: str, table: str, index: str, column: str) -> pd.Series:
    def build():
        t = ctx.data[table]
        return pd.Series(t[column].to_numpy(), index=t[index].astype(object).to_numpy()).groupby(level=0).first()
    return ctx.cached(("explain", key), build)


def group_labels(ctx: Context, records: pd.DataFrame, by: str) -> pd.Series | None:
    """Each record's group for breakdown ``by`` (None if the records cannot say): the
    measure's breakdown column, else the source row's field; an age band is worked out from
    the child's date of birth at the event (flows) or the period end (stocks)."""
    for col in GROUP_COLUMNS.get(by, (by,)):
        if col in records.columns:
            values = records[col].astype(object)
            return values.where(values.notna(), UNKNOWN).astype(str)
    if by == "age_band" and "child_id" in records.columns:
        dob = _lookup(ctx, "dob", "persons", "child_id", "dob")
        born = pd.Series(pd.to_datetime(dob.reindex(records["child_id"].astype(object).to_numpy())).to_numpy(
            dtype="datetime64[us]"))
        at = records["event_date"] if "event_date" in records.columns else records["period_end"]
        bands = age_band(age_in_years(born, pd.Series(pd.to_datetime(at).to_numpy())))
        return pd.Series(np.asarray(bands.astype(object)), index=records.index, dtype=object).fillna(UNKNOWN)
    return None


def explain_records(source, measure: str, period_type: str, period_end, *, authority: str | None = None,
                    breakdown: str = TOTAL, breakdown_value: str = TOTAL, options: dict | None = None
                    ) -> pd.DataFrame:
    """``measure_records`` with what an analyst reads beside them: the team's name and the
    child's age band (where the records hold a team or a child), in date order."""
    ctx = context_for(source, authority, options)
    rec = measure_records(ctx, measure, period_type, period_end, breakdown=breakdown,
                          breakdown_value=breakdown_value)
    team = group_labels(ctx, rec, "team")
    if team is not None and len(ctx.data["teams"]):
        names = _lookup(ctx, "team_names", "teams", "team_id", "team_name")
        rec["team_name"] = names.reindex(team.to_numpy(dtype=object)).to_numpy(dtype=object)
    if "age_band" not in rec.columns:
        band = group_labels(ctx, rec, "age_band")
        if band is not None:
            rec["age_band"] = band.to_numpy(dtype=object)
    # Who and when first, then the groups, then the measure's details and the source row.
    first = ["authority", "measure", "period_type", "period_end", "child_id", "event_date", "team", "team_id",
             "team_name", "worker", "worker_id", "age_band"]
    first = [c for c in first if c in rec.columns]
    rec = rec[first + [c for c in rec.columns if c not in first]]
    order = [c for c in ("event_date", "child_id") if c in rec.columns]
    if order:
        rec = rec.sort_values(order, kind="stable", na_position="last").reset_index(drop=True)
    return rec


# ---- the decomposition ----------------------------------------------------------------------

def decompose_change(current: pd.DataFrame, previous: pd.DataFrame, groups_current: pd.Series,
                     groups_previous: pd.Series, defn: MeasureDef, figure: dict, previous_figure: dict,
                     agg: str = "sum", by: str = "group") -> pd.DataFrame:
    """Each group's contribution to the change from ``previous_figure`` to ``figure`` (see
    the module docstring). ``current`` / ``previous``: records (``numerator`` and
    ``denominator`` weights); ``groups_*``: each record's group. One row per group that has
    records in either period, largest contribution (either sign) first. ``value`` is the
    group's own figure (its percentage, average, count or rate), ``share`` its share (%) of
    the denominator (of the count for counts and rates)."""
    how = "max" if agg == "max" else "sum"

    def sums(rec, groups):
        frame = pd.DataFrame({"g": groups.to_numpy(dtype=object), "n": rec["numerator"].to_numpy(dtype=float),
                              "d": rec["denominator"].to_numpy(dtype=float)})
        g = frame.groupby("g", sort=True)
        return g["n"].agg(how), g["d"].sum(min_count=1)

    n1, d1 = sums(current, groups_current)
    n0, d0 = sums(previous, groups_previous)
    index = n1.index.union(n0.index)
    n1, d1, n0, d0 = (s.reindex(index) for s in (n1, d1, n0, d0))
    out = pd.DataFrame({"numerator_previous": n0.fillna(0.0), "numerator": n1.fillna(0.0),
                        "denominator_previous": d0, "denominator": d1}, index=index)
    out.index.name = by
    nan = np.full(len(out), np.nan)
    v0, v1 = previous_figure["value"], figure["value"]
    N0, N1 = out["numerator_previous"].to_numpy(), out["numerator"].to_numpy()
    if agg == "max":
        out["value_previous"], out["value"] = N0, N1
        out["share_previous"] = out["share"] = out["rate_effect"] = out["mix_effect"] = out["contribution"] = nan
    elif defn.unit in ("count", "rate"):
        def factor(fig):  # value per event: 1 for a count, 10,000 / population (annualised) for a rate
            if defn.unit == "count":
                return 1.0
            return fig["value"] / fig["numerator"] if fig["numerator"] else 0.0
        k0, k1 = factor(previous_figure), factor(figure)
        out["value_previous"], out["value"] = N0 * k0, N1 * k1
        with np.errstate(invalid="ignore", divide="ignore"):
            out["share_previous"] = 100.0 * N0 / previous_figure["numerator"] if previous_figure["numerator"] else nan
            out["share"] = 100.0 * N1 / figure["numerator"] if figure["numerator"] else nan
        out["rate_effect"] = out["mix_effect"] = nan
        out["contribution"] = N1 * k1 - N0 * k0
    else:  # a ratio: percentage, average days, average caseload
        scale = 100.0 if defn.unit == "pct" else 1.0
        D0 = out["denominator_previous"].fillna(0.0).to_numpy()
        D1 = out["denominator"].fillna(0.0).to_numpy()
        T0, T1 = previous_figure["denominator"], figure["denominator"]
        with np.errstate(invalid="ignore", divide="ignore"):
            p0 = np.where(D0 > 0, scale * N0 / D0, np.nan)
            p1 = np.where(D1 > 0, scale * N1 / D1, np.nan)
            s0 = D0 / T0 if T0 else np.full(len(out), np.nan)
            s1 = D1 / T1 if T1 else np.full(len(out), np.nan)
        out["value_previous"], out["value"] = p0, p1
        out["share_previous"], out["share"] = 100.0 * s0, 100.0 * s1
        # A group with nothing in one period takes the other period's rate: all mix.
        q0 = np.where(D0 > 0, p0, np.where(D1 > 0, p1, 0.0))
        q1 = np.where(D1 > 0, p1, q0)
        out["rate_effect"] = (q1 - q0) * (s0 + s1) / 2
        out["mix_effect"] = (s1 - s0) * (q0 + q1) / 2
        out["contribution"] = out["rate_effect"] + out["mix_effect"]
        if not (T0 and T1):  # the figure is undefined in one period: nothing to split
            out["rate_effect"] = out["mix_effect"] = out["contribution"] = nan
    order = np.lexsort((out.index.astype(str), -np.nan_to_num(np.abs(out["contribution"].to_numpy()), nan=-1.0)))
    out = out.iloc[order].reset_index()
    return out[[by] + DECOMPOSITION_COLUMNS]


# ---- the explanation ----------------------------------------------------------------------

@dataclass
class Explanation:
    """One figure, the records behind it and the figure it is compared with."""

    context: Context = field(repr=False)
    definition: MeasureDef = field(repr=False)
    period_type: str
    period_end: pd.Timestamp
    breakdown: str
    breakdown_value: str
    figure: dict
    records: pd.DataFrame = field(repr=False)
    previous_end: pd.Timestamp | None = None
    previous_figure: dict | None = None
    previous_records: pd.DataFrame | None = field(default=None, repr=False)
    agg: str = "sum"
    _decompositions: dict = field(default_factory=dict, repr=False)

    @property
    def authority(self) -> str:
        return self.context.authority

    @property
    def measure(self) -> str:
        return self.definition.id

    @property
    def change(self) -> float:
        """The figure's change since the previous period (NaN if there is none)."""
        if self.previous_figure is None:
            return float("nan")
        return self.figure["value"] - self.previous_figure["value"]

    def groups(self) -> list[str]:
        """Breakdowns the records can be split by."""
        cols = set(self.records.columns)
        return [b for b, names in GROUP_COLUMNS.items()
                if any(c in cols for c in names) or (b == "age_band" and "child_id" in cols)]

    def decompose(self, by: str) -> pd.DataFrame:
        """Each group's contribution to the change since the previous period (an empty frame
        with the columns if there is no previous period or the records have no such field)."""
        if by not in self._decompositions:
            empty = pd.DataFrame(columns=[by] + DECOMPOSITION_COLUMNS)
            g1 = group_labels(self.context, self.records, by)
            g0 = None if self.previous_records is None else group_labels(self.context, self.previous_records, by)
            # No records at all in a period: nothing to name the groups by, and none needed.
            if g1 is None and self.records.empty:
                g1 = pd.Series([], dtype=object)
            if g0 is None and self.previous_records is not None and self.previous_records.empty:
                g0 = pd.Series([], dtype=object)
            if g0 is None or g1 is None:
                self._decompositions[by] = empty
            else:
                self._decompositions[by] = decompose_change(
                    self.records, self.previous_records, g1, g0, self.definition, self.figure,
                    self.previous_figure, self.agg, by)
        return self._decompositions[by]


def explain(source, measure: str, period_type: str, period_end, *, authority: str | None = None,
            breakdown: str = TOTAL, breakdown_value: str = TOTAL, options: dict | None = None) -> Explanation:
    """The figure of ``measure`` for the period ending ``period_end`` ('YYYY-MM' or a date in
    the month), the records behind it, and the same for the previous period (if the data
    reach back to it). ``source``: a Dataset (one authority, or name it with ``authority``)
    or a Context (``measures.engine.authority_context``), which keeps measure results
    cached between calls."""
    ctx = context_for(source, authority, options)
    cat = catalogue()
    if measure not in cat:
        raise ConfigError(f"unknown measure {measure!r}; see `cscw measures --list`")
    defn = cat[measure]
    res = measure_result(ctx, defn) if not ctx.missing(defn.needs) else None
    agg = res.agg if isinstance(res, Windowed) else "sum"
    end = _month_end(period_end)
    kw = dict(breakdown=breakdown, breakdown_value=breakdown_value)
    records = explain_records(ctx, measure, period_type, end, **kw)
    figure = records_figure(ctx, measure, period_type, end, records)
    prev_end = previous_period_end(period_type, end)
    try:
        prev_records = explain_records(ctx, measure, period_type, prev_end, **kw)
        prev_figure = records_figure(ctx, measure, period_type, prev_end, prev_records)
    except ConfigError:  # the data do not reach back to it
        prev_records = prev_figure = None
        prev_end = None
    return Explanation(ctx, defn, period_type, end, breakdown, str(breakdown_value), figure, records,
                       prev_end, prev_figure, prev_records, agg)


# ---- words --------------------------------------------------------------------------------

def _change_text(diff: float, unit: str) -> str:
    if unit == "pct":
        return f"{diff:+.1f} points"
    if unit == "count":
        return f"{diff:+,.0f}"
    return f"{diff:+,.1f}"


def describe_change(e: Explanation, by: str = "team", top: int = 2, audience: str = "internal") -> str:
    """One or two sentences: how the figure moved and which groups moved it most. A shared
    text never names a worker."""
    if audience != "internal" and by in PERSONAL_BREAKDOWNS:
        raise ConfigError(f"a {audience} text cannot name {by}s: use team, age band or category")
    unit = e.definition.unit
    now = format_value(e.figure["value"], unit)
    month = e.period_end.strftime("%B %Y")
    if e.previous_figure is None:
        return f"{e.definition.title}: {now} in {month} (no earlier period to compare with)."
    before = format_value(e.previous_figure["value"], unit)
    prev = e.previous_end.strftime("%B %Y")
    diff = e.change
    if not np.isfinite(diff):
        return f"{e.definition.title}: {now} in {month}, {before} in {prev}."
    verb = "rose" if diff > 0 else "fell" if diff < 0 else "was unchanged at"
    text = (f"{e.definition.title} {verb} from {before} in {prev} to {now} in {month} "
            f"({_change_text(diff, unit)})." if diff else f"{e.definition.title} was unchanged at {now} in {month}.")
    d = e.decompose(by)
    d = d[d["contribution"].notna() & (d["contribution"] != 0)]
    if not len(d) or not diff:
        return text
    parts = []
    for _, r in d.head(top).iterrows():
        part = f"{by.replace('_', ' ')} {r[by]} {_change_text(r['contribution'], unit)}"
        if unit not in ("count", "rate") and pd.notna(r["value_previous"]) and pd.notna(r["value"]):
            part += f" (its own figure {format_value(r['value_previous'], unit)} to {format_value(r['value'], unit)})"
        parts.append(part)
    return text + " Largest contributions: " + "; ".join(parts) + "."


__all__ = ["explain", "explain_records", "decompose_change", "describe_change", "group_labels",
           "previous_period_end", "Explanation", "GROUP_COLUMNS", "DEFAULT_BY", "DECOMPOSITION_COLUMNS"]
