"""The explorer: from a number to the records behind it, in a few clicks.

A plain class whose methods take a ``Selection`` (authority, measure, breakdown and value,
month, period type, what to split the change by, a comparison authority or team) and return
``View`` objects: a table (DataFrame) and an altair chart (``View.spec()`` is its Vega-Lite
JSON). The marimo app and the JupyterLab widgets only wire controls to these methods.

    ex = Explorer("data/warehouse.duckdb")
    sel = ex.selection("Z001", "assessment_45wd_pct")        # latest month
    ex.trend(sel)        # monthly series, SPC limits, flagged points, target, benchmark lines
    ex.breakdown(sel.replace(breakdown="team"))             # bars by team for the month
    ex.records(sel.replace(month="2024-09"))                # the assessments behind September's figure
    ex.decompose(sel.replace(month="2024-09", by="worker")) # which workers moved it since August
    ex.compare(sel.replace(compare_authority="Z002"))       # two authorities (or compare_value: two teams)
    ex.to_csv(sel)                                          # the records, for download

Numbers are the warehouse's measures table (``measures.store``: the same numbers as the
packs); records come from ``analysis.explain`` and add up to them exactly (a view says so,
or warns if the stored measures are stale). Everything about one authority is cached on
first use (its measures, targets, benchmarks, and its measure frames: ``warm`` computes
them all up front), so a selection change is a lookup and a filter.

Charts carry click selections: the trend's points (param ``month_pick``, field ``month``,
'YYYY-MM') and the breakdown's bars (``group_pick``, field ``group``). ``picked_values``
reads what was clicked from marimo's ``mo.ui.altair_chart(...).selections`` or altair's
``JupyterChart.selections``.

Child-level records: internal use only (``INTERNAL_NOTICE``); nothing here feeds a shared
output.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.explain import Explanation, describe_change, explain
from ..assessment.spc import VARIATION_LABELS, spc_series
from ..assessment.manual import register_manual_measures
from ..assessment.targets import load_targets
from ..calendar import parse_month
from ..errors import ConfigError
from ..measures.catalogue import TOTAL
from ..measures.engine import authority_context, catalogue, measure_result
from ..measures.store import ensure_measures, read_measures
from ..model.warehouse import default_path, load_dataset, read_table
from ..presentation.charts import setup_altair
from ..privacy import format_value
from .specs import SpecChart, bars_spec, compare_spec, contributions_spec, trend_spec

INTERNAL_NOTICE = ("Internal use only. This explorer shows child-level records (child IDs, dates, workers): "
                   "never copy them into a shared pack, e-mail or report. Shared outputs come from the monthly "
                   "packs, which hold aggregates only.")
MONTH_PARAM, GROUP_PARAM = "month_pick", "group_pick"
MAX_BARS = 40
UNIT_LABELS = {"pct": "Per cent", "count": "Number", "rate": "Per 10,000 children", "days": "Days",
               "number": "Number"}
UNIT_FORMATS = {"pct": ".1f", "count": ",.0f", "rate": ",.1f", "days": ",.0f", "number": ",.1f"}
# Columns of the records that only the CSV keeps (the table on screen leaves them out).
_RECORD_INTERNALS = ("authority", "measure", "period_type", "period_end", "source_table", "source_row")


@dataclass(frozen=True)
class Selection:
    """What the analyst is looking at. ``month`` 'YYYY-MM' (None: the latest);
    ``period_type`` None: month for flows, snapshot for stock measures; ``value``: one
    group of ``breakdown`` (a team) or 'all'; ``by``: what the change is split by;
    ``compare_authority`` or ``compare_value`` (a second group of ``breakdown``): what to
    compare with."""

    authority: str
    measure: str
    breakdown: str = TOTAL
    value: str = TOTAL
    month: str | None = None
    period_type: str | None = None
    by: str = "team"
    compare_authority: str | None = None
    compare_value: str | None = None

    def replace(self, **changes) -> "Selection":
        return replace(self, **changes)

    @property
    def group(self) -> tuple[str, str]:
        """The (breakdown, value) of the figure shown: ('all', 'all') until a group is
        chosen, even when ``breakdown`` says which breakdown the bars show."""
        return (TOTAL, TOTAL) if self.value == TOTAL else (self.breakdown, self.value)


@dataclass
class View:
    """A table and its chart: ``vega`` is the Vega-Lite specification (None where there is
    nothing to draw), ``chart`` the same as an altair chart for ``mo.ui.altair_chart`` and
    ``alt.JupyterChart``."""

    table: pd.DataFrame
    vega: dict | None = None
    title: str = ""
    note: str = ""
    meta: dict = field(default_factory=dict)  # e.g. which breakdown the bars show
    _chart: SpecChart | None = field(default=None, repr=False)

    @property
    def chart(self) -> SpecChart | None:
        if self._chart is None and self.vega is not None:
            self._chart = SpecChart(self.vega)
        return self._chart

    def spec(self) -> dict | None:
        """The chart's Vega-Lite specification (data inlined)."""
        return self.vega


def picked_values(selections, param: str, field_name: str) -> list:
    """The values of ``field_name`` clicked in a chart's selection ``param``. Accepts
    marimo's ``mo.ui.altair_chart(...).selections`` ({param: {field: [values]}} or
    {param: {"vlPoint": {"or": [{field: v}]}}}), altair's ``JupyterChart.selections`` (an
    object with one attribute per param whose ``value`` is [{field: v}]), or a plain dict."""
    if selections is None:
        return []
    sel = getattr(selections, param, None) if not isinstance(selections, dict) else selections.get(param)
    if sel is None:
        return []
    if hasattr(sel, "value") and not isinstance(sel, dict):  # altair PointSelection
        sel = sel.value
    if isinstance(sel, dict):
        if field_name in sel:
            found = sel[field_name]
            return list(found) if isinstance(found, (list, tuple)) else [found]
        points = sel.get("vlPoint", {}).get("or", []) if isinstance(sel.get("vlPoint"), dict) else []
        return [p[field_name] for p in points if isinstance(p, dict) and field_name in p]
    if isinstance(sel, (list, tuple)):
        return [p[field_name] for p in sel if isinstance(p, dict) and field_name in p]
    return []


class _Authority:
    """Everything the explorer keeps about one authority."""

    def __init__(self, explorer: "Explorer", code: str):
        self.explorer = explorer
        self.code = code
        tidy = read_measures(code, explorer.warehouse)
        if not len(tidy):
            raise ConfigError(f"{code}: the warehouse holds no measures for this authority (run `cscw measures`)")
        tidy["month"] = tidy["period_end"].dt.strftime("%Y-%m")
        # One frame per (measure, period type, breakdown), sorted by group and month: a
        # selection change looks its rows up instead of filtering the whole table.
        tidy = tidy.sort_values(["measure", "period_type", "breakdown", "breakdown_value", "period_end"],
                                kind="stable")
        self.cells = {key: g.reset_index(drop=True)
                      for key, g in tidy.groupby(["measure", "period_type", "breakdown"], sort=False)}
        self.breakdowns: dict[str, set] = {}
        self.has_figures: set[str] = set()
        for (m, _p, b), g in self.cells.items():
            self.breakdowns.setdefault(m, set()).add(b)
            if b == TOTAL and (g["status"] == "ok").any():
                self.has_figures.add(m)
        self.month_lists: dict = {}
        self.value_lists: dict = {}
        self.resolved: dict = {}
        # The targets may name hand-entered measures: read them against a copy of the
        # catalogue with those registered (the default would register them globally).
        with_manual = dict(catalogue())
        register_manual_measures(with_manual)
        self.targets = load_targets(code, with_manual)
        self._context = None
        self._benchmarks = None
        self.benchmark_note = ""
        self.refresh_note = ""
        self.explanations: OrderedDict = OrderedDict()
        self.series_cache: dict = {}

    @property
    def context(self):
        if self._context is None:
            ds = load_dataset(self.explorer.warehouse, authorities=[self.code])
            ctx = authority_context(self.code, ds, options=self.explorer.options)
            if ctx is None:
                raise ConfigError(f"{self.code}: the warehouse holds no dated records for this authority")
            self._context = ctx
        return self._context

    def cell(self, measure: str, period_type: str, breakdown: str) -> pd.DataFrame:
        hit = self.cells.get((measure, period_type, breakdown))
        return self.cells_empty if hit is None else hit

    @property
    def cells_empty(self) -> pd.DataFrame:
        return next(iter(self.cells.values())).head(0)

    def warm(self) -> None:
        """Compute every measure's event frame (and read the benchmarks) now, so that no
        click waits for them."""
        self.benchmarks  # noqa: B018 (read once)
        ctx = self.context
        for defn in catalogue().values():
            if defn.kind != "manual" and not ctx.missing(defn.needs):
                try:
                    measure_result(ctx, defn)
                except Exception:  # a measure that fails is reported when it is asked for
                    pass

    @property
    def benchmarks(self) -> pd.DataFrame:
        if self._benchmarks is None:
            from ..reference.report import benchmarks_for

            try:
                self._benchmarks = benchmarks_for(self.code, warehouse=self.explorer.warehouse)
            except Exception as exc:  # benchmarks are context: the explorer works without them
                self._benchmarks = pd.DataFrame(columns=["measure", "england", "sn_average", "year"])
                self.benchmark_note = f"No benchmarks: {exc}"
        return self._benchmarks


class Explorer:
    """See the module docstring. ``warehouse``: the DuckDB file (default ``$CSCW_WAREHOUSE``
    or ``data/warehouse.duckdb``); ``options``: measure options (as ``compute_measures``);
    ``ensure``: bring an authority's stored measures up to date when it is first opened
    (``measures.store.ensure_measures``); ``warm``: compute an authority's measure frames
    when it is first opened (a few seconds once; then no click waits)."""

    def __init__(self, warehouse: str | Path | None = None, options: dict | None = None, *,
                 ensure: bool = True, warm: bool = False, cache_size: int = 64):
        self.warehouse = Path(warehouse) if warehouse is not None else default_path()
        if not self.warehouse.exists():
            raise ConfigError(f"warehouse {self.warehouse} not found: run `cscw synth` (or `cscw load`) first, "
                              "or set CSCW_WAREHOUSE")
        self.options = options
        self.ensure = ensure
        self.warm = warm
        self.cache_size = cache_size
        self._catalogue = catalogue()
        self._authorities: dict[str, _Authority] = {}
        self._names: dict[str, str] | None = None
        setup_altair()

    # ---- what there is to choose from ------------------------------------------------------

    def authorities(self) -> pd.DataFrame:
        """code and name of every authority in the warehouse."""
        a = read_table("authorities", self.warehouse)
        out = pd.DataFrame({"code": a["authority"].astype(str), "name": a["la_name"].astype(str)})
        out = out.drop_duplicates("code").sort_values("code").reset_index(drop=True)
        self._names = dict(zip(out["code"], out["name"]))
        return out

    def name(self, code: str) -> str:
        if self._names is None:
            self.authorities()
        return self._names.get(code, code)

    def open(self, code: str) -> _Authority:
        """The authority's cache (opened on first use)."""
        if code not in self._authorities:
            refresh_note = ""
            if self.ensure:
                try:
                    ensure_measures(code, self.warehouse, self.options)
                except ConfigError:
                    raise
                except Exception as exc:  # e.g. a batch is writing the warehouse: show what is stored
                    refresh_note = (f"The stored measures could not be brought up to date ({type(exc).__name__}); "
                                    "the records' note says if a figure is stale")
            state = _Authority(self, code)
            state.refresh_note = refresh_note
            if self.warm:
                state.warm()
            self._authorities[code] = state
        return self._authorities[code]

    def measures(self, authority: str) -> pd.DataFrame:
        """Measures with figures for the authority: id, title, area, unit, kind, label."""
        state = self.open(authority)
        rows = []
        for mid, defn in self._catalogue.items():
            if mid not in state.has_figures:
                continue
            rows.append({"id": mid, "title": defn.title, "area": defn.area, "unit": defn.unit, "kind": defn.kind,
                         "label": f"{defn.title} ({mid})"})
        return pd.DataFrame(rows, columns=["id", "title", "area", "unit", "kind", "label"])

    def _cell(self, authority: str, measure: str, period_type: str, breakdown: str) -> pd.DataFrame:
        """The stored rows of one measure, period type and breakdown (every group, every month)."""
        state = self.open(authority)
        if measure not in state.breakdowns:
            if measure not in self._catalogue:
                raise ConfigError(f"unknown measure {measure!r}")
            raise ConfigError(f"{authority}: no figures for {measure}")
        return state.cell(measure, period_type, breakdown)

    def period_type(self, sel: Selection) -> str:
        if sel.measure not in self._catalogue:
            raise ConfigError(f"unknown measure {sel.measure!r}; see `cscw measures --list`")
        periods = self._catalogue[sel.measure].periods
        if sel.period_type in periods:
            return sel.period_type
        return "month" if "month" in periods else "snapshot" if "snapshot" in periods else periods[0]

    def breakdowns(self, authority: str, measure: str) -> list[str]:
        """The breakdowns the measure has figures for ('all' first)."""
        self._cell(authority, measure, "month", TOTAL)  # refuses an unknown measure
        found = self.open(authority).breakdowns[measure]
        return [b for b in self._catalogue[measure].breakdowns if b in found]

    def values(self, authority: str, measure: str, breakdown: str) -> list[str]:
        """The groups of a breakdown (teams, age bands, ...)."""
        if breakdown == TOTAL:
            return [TOTAL]
        p = self.period_type(Selection(authority, measure))
        state = self.open(authority)
        key = (measure, p, breakdown)
        if key not in state.value_lists:
            rows = self._cell(authority, measure, p, breakdown)
            state.value_lists[key] = sorted(rows["breakdown_value"].unique().tolist())
        return state.value_lists[key]

    def months(self, authority: str, measure: str, period_type: str | None = None) -> list[str]:
        """Months ('YYYY-MM') with a figure for the measure (oldest first)."""
        p = period_type or self.period_type(Selection(authority, measure))
        state = self.open(authority)
        key = (measure, p)
        if key not in state.month_lists:
            rows = self._cell(authority, measure, p, TOTAL)
            state.month_lists[key] = sorted(rows.loc[rows["status"] == "ok", "month"].unique().tolist())
        return state.month_lists[key]

    def splits(self, sel: Selection) -> list[str]:
        """What the change can be split by for this measure (team, worker, age band, ...)."""
        e = self.explanation(self.resolve(sel))
        return e.groups()

    def split_for(self, sel: Selection, e: Explanation | None = None) -> str:
        """What the change is split by: ``sel.by`` if the records have it and it is not the
        group already chosen (a team's figure split by team says nothing), else the first
        that fits (team, worker, age band, ...)."""
        e = e or self.explanation(self.resolve(sel))
        chosen = sel.breakdown if sel.value != TOTAL else None
        options = [b for b in e.groups() if b != chosen]
        return sel.by if sel.by in options else (options[0] if options else sel.by)

    def selection(self, authority: str | None = None, measure: str | None = None, **kw) -> Selection:
        """A complete selection: the first authority and measure if not given, the latest month."""
        if authority is None:
            authority = self.authorities()["code"].iloc[0]
        if measure is None:
            ms = self.measures(authority)["id"].tolist()
            measure = "assessment_45wd_pct" if "assessment_45wd_pct" in ms else ms[0]
        return self.resolve(Selection(authority, measure, **kw))

    def resolve(self, sel: Selection) -> Selection:
        """``sel`` with its period type and month filled in (the latest month if none, or if
        the month has no figure)."""
        state = self.open(sel.authority)
        if sel not in state.resolved:
            state.resolved[sel] = self._resolve(sel)
        return state.resolved[sel]

    def _resolve(self, sel: Selection) -> Selection:
        p = self.period_type(sel)
        months = self.months(sel.authority, sel.measure, p)
        if not months:
            raise ConfigError(f"{sel.authority}: no {p} figures for {sel.measure}")
        month = sel.month if sel.month in months else months[-1]
        breakdowns = self.breakdowns(sel.authority, sel.measure)
        breakdown = sel.breakdown if sel.breakdown in breakdowns else TOTAL
        value = sel.value if breakdown != TOTAL and sel.value in self.values(sel.authority, sel.measure, breakdown) \
            else TOTAL
        return sel.replace(period_type=p, month=month, breakdown=breakdown, value=value)

    # ---- the views ----------------------------------------------------------------------------

    def series(self, authority: str, measure: str, period_type: str, breakdown: str = TOTAL,
               value: str = TOTAL) -> pd.DataFrame:
        """One group's figures over time, with SPC (monthly and snapshot figures only)."""
        if value == TOTAL:
            breakdown = TOTAL
        key = (measure, period_type, breakdown, value)
        state = self.open(authority)
        if key in state.series_cache:
            return state.series_cache[key]
        rows = self._cell(authority, measure, period_type, breakdown)
        s = rows[rows["breakdown_value"] == value] if breakdown != TOTAL else rows
        out = pd.DataFrame({"month": s["month"].to_numpy(dtype=object), "period": s["period_end"].to_numpy(),
                            "numerator": s["numerator"].to_numpy(), "denominator": s["denominator"].to_numpy(),
                            "value": s["value"].to_numpy(), "status": s["status"].to_numpy(dtype=object)})
        defn = self._catalogue[measure]
        out["display"] = [format_value(v, defn.unit, st) for v, st in zip(out["value"], out["status"])]
        if period_type in ("month", "snapshot") and len(out):
            # The SPC of assessment.spc (XmR, MDC's rules) on this one series.
            f = spc_series(out["value"], defn.polarity)
            out["mean"], out["lcl"], out["ucl"] = f["mean"].to_numpy(), f["lcl"].to_numpy(), f["ucl"].to_numpy()
            out["flag"] = f["special_cause"].fillna(False).to_numpy(dtype=bool)
            labels = f["variation"].map(VARIATION_LABELS).fillna("")
            rules = f["rules"].fillna("").str.replace(",", ", ").str.replace("_", " ")
            out["flag_note"] = np.where(out["flag"], labels + " (" + rules + ")", labels)
        state.series_cache[key] = out
        return out

    def _target(self, sel: Selection) -> tuple[float | None, str]:
        rule = self.open(sel.authority).targets.rule(sel.measure)
        if rule is None:
            return None, ""
        value = rule.target
        if value is None and rule.scheme == "bands":
            value = rule.good
        if value is None and rule.is_range:
            value = (rule.range_low + rule.range_high) / 2
        period = f" ({rule.period.replace('_', ' ')})" if rule.period else ""
        return value, f"Target {rule.target_text()}{period}"

    def _benchmark_lines(self, sel: Selection) -> dict[str, float]:
        defn = self._catalogue[sel.measure]
        if defn.unit == "count" or sel.value != TOTAL:  # an England count is not comparable
            return {}
        b = self.open(sel.authority).benchmarks
        row = b[b["measure"] == sel.measure]
        if not len(row):
            return {}
        r = row.iloc[0]
        year = f" {r['year']}" if "year" in row.columns and pd.notna(r["year"]) else ""
        lines = {}
        for col, label in (("england", f"England{year}"), ("sn_average", f"Statistical neighbours{year}")):
            if col in row.columns and pd.notna(r[col]):
                lines[label] = float(r[col])
        return lines

    def trend(self, sel: Selection) -> View:
        """The monthly series of the selected group, with SPC limits and flags, the target and
        benchmark lines; the selected month is marked; click a point to pick a month."""
        sel = self.resolve(sel)
        defn = self._catalogue[sel.measure]
        s = self.series(sel.authority, sel.measure, sel.period_type, *sel.group)
        target, target_text = self._target(sel)
        lines = self._benchmark_lines(sel)
        group = "" if sel.value == TOTAL else f", {sel.breakdown.replace('_', ' ')} {sel.value}"
        now = s[s["month"] == sel.month]
        title = f"{defn.title}: {now['display'].iloc[0] if len(now) else 'n/a'} in {_month_label(sel.month)}"
        if len(now) and "flag" in s.columns and bool(now["flag"].iloc[0]):
            title += " (flagged)"
        spc = "" if "flag" in s.columns else "; no SPC limits for this period type"
        subtitle = f"{self.name(sel.authority)}{group}. {sel.period_type.replace('_', ' ').capitalize()} figures{spc}. " \
                   f"Click a point to see the records behind it."
        table = s.copy()
        if target is not None:
            table["target"] = target
        for name, v in lines.items():
            table[name] = v
        if not len(s):
            return View(table, None, title, "no figures")
        spec = trend_spec(s, title, subtitle=subtitle, value_label=UNIT_LABELS[defn.unit],
                          value_format=UNIT_FORMATS[defn.unit], target=target, benchmarks=lines,
                          selected_month=sel.month, pick=MONTH_PARAM)
        state = self.open(sel.authority)
        notes = [n for n in (target_text, state.benchmark_note, state.refresh_note) if n]
        return View(table, spec, title, "; ".join(notes))

    def breakdown(self, sel: Selection, breakdown: str | None = None) -> View:
        """The month's figure for each group of a breakdown (the selection's, else the first
        the measure has), as bars; click a bar to pick that group."""
        sel = self.resolve(sel)
        defn = self._catalogue[sel.measure]
        options = [b for b in self.breakdowns(sel.authority, sel.measure) if b != TOTAL]
        b = breakdown or (sel.breakdown if sel.breakdown != TOTAL else (options[0] if options else TOTAL))
        rows = self._cell(sel.authority, sel.measure, sel.period_type, b)
        cut = rows[rows["month"] == sel.month]
        table = pd.DataFrame({"group": cut["breakdown_value"].astype(str).to_numpy(),
                              "value": cut["value"].to_numpy(), "numerator": cut["numerator"].to_numpy(),
                              "denominator": cut["denominator"].to_numpy(), "status": cut["status"].to_numpy()})
        table["display"] = [format_value(v, defn.unit, st) for v, st in zip(table["value"], table["status"])]
        weight = table["denominator"].where(table["denominator"].notna(), table["numerator"]).fillna(0)
        table = table.assign(_w=weight).sort_values(["_w", "group"], ascending=[False, True]).drop(columns="_w")
        table = table.reset_index(drop=True)
        title = f"{defn.title} by {b.replace('_', ' ')}, {_month_label(sel.month)}"
        if b == TOTAL or not len(table):
            return View(table, None, title, f"{sel.measure} has no breakdown for this month", {"breakdown": b})
        note = ""
        shown = table
        if len(table) > MAX_BARS:
            shown = table.head(MAX_BARS)
            note = f"the {MAX_BARS} largest of {len(table)} {b.replace('_', ' ')} groups are drawn; the table has all"
        all_rows = self._cell(sel.authority, sel.measure, sel.period_type, TOTAL)
        total = all_rows.loc[all_rows["month"] == sel.month, "value"]
        spec = bars_spec(shown, title, subtitle="Click a bar to see that group's trend and records; dashed line: all",
                         value_label=UNIT_LABELS[defn.unit], value_format=UNIT_FORMATS[defn.unit],
                         group_title=b.replace("_", " ").capitalize(),
                         chosen=sel.value if sel.breakdown == b else None,
                         total=float(total.iloc[0]) if len(total) and pd.notna(total.iloc[0]) else None,
                         pick=GROUP_PARAM)
        return View(table, spec, title, note, {"breakdown": b})

    def explanation(self, sel: Selection) -> Explanation:
        """``analysis.explain`` for the selection (cached)."""
        sel = self.resolve(sel)
        state = self.open(sel.authority)
        key = (sel.measure, sel.period_type, sel.month, *sel.group)
        if key in state.explanations:
            state.explanations.move_to_end(key)
            return state.explanations[key]
        e = explain(state.context, sel.measure, sel.period_type, sel.month, breakdown=sel.group[0],
                    breakdown_value=sel.group[1])
        state.explanations[key] = e
        while len(state.explanations) > self.cache_size:
            state.explanations.popitem(last=False)
        return e

    def records(self, sel: Selection) -> View:
        """The records behind the selected month's figure (of the selected group), with a
        note saying that they add up to it."""
        sel = self.resolve(sel)
        defn = self._catalogue[sel.measure]
        e = self.explanation(sel)
        table = e.records.drop(columns=[c for c in _RECORD_INTERNALS if c in e.records.columns])
        if defn.unit in ("pct", "count", "rate"):  # the 0/1 weights say no more than in_numerator
            table = table.drop(columns=["numerator", "denominator"])
        if defn.unit in ("count", "rate"):
            table = table.drop(columns=["in_denominator"])
        table = _readable(table)
        stored = self._stored_figure(sel)
        title = f"Records behind {defn.title.lower()}, {_month_label(sel.month)}" + (
            "" if sel.value == TOTAL else f" ({sel.breakdown.replace('_', ' ')} {sel.value})")
        return View(table.reset_index(drop=True), None, title, _records_note(e, stored, defn.unit))

    def decompose(self, sel: Selection) -> View:
        """Each group's contribution to the change since the previous period (split by
        ``sel.by``), largest first, as a table and bars."""
        sel = self.resolve(sel)
        defn = self._catalogue[sel.measure]
        e = self.explanation(sel)
        by = self.split_for(sel, e)
        table = e.decompose(by)
        title = describe_change(e, by)
        if not len(table) or table["contribution"].isna().all():
            why = "no earlier period to compare with" if e.previous_figure is None else \
                "this figure does not split into contributions (a maximum)" if e.agg == "max" else \
                "nothing to split"
            return View(table, None, title, why)
        prev = e.previous_end.strftime("%B %Y")
        spec = contributions_spec(table.head(15), by, f"What moved it since {prev}: by {by.replace('_', ' ')}",
                                  subtitle="Largest contributions first (hover for each group's own figure)",
                                  unit_label="points" if defn.unit == "pct" else UNIT_LABELS[defn.unit].lower(),
                                  value_format=UNIT_FORMATS[defn.unit], polarity=defn.polarity)
        return View(table, spec, title, f"split by {by.replace('_', ' ')}; contributions add up to the change")

    def compare(self, sel: Selection) -> View:
        """Two series side by side: the selected authority and ``compare_authority`` (totals),
        or two groups of the selected breakdown (``value`` and ``compare_value``)."""
        sel = self.resolve(sel)
        defn = self._catalogue[sel.measure]
        if sel.compare_authority:
            other = self.resolve(sel.replace(authority=sel.compare_authority, breakdown=TOTAL, value=TOTAL))
            a = self.series(sel.authority, sel.measure, sel.period_type).assign(series=self.name(sel.authority))
            b = self.series(other.authority, sel.measure, sel.period_type).assign(
                series=self.name(other.authority))
            what = f"{self.name(sel.authority)} and {self.name(other.authority)}"
        elif sel.compare_value and sel.value != TOTAL:
            a = self.series(sel.authority, sel.measure, sel.period_type, sel.breakdown, sel.value).assign(
                series=f"{sel.breakdown} {sel.value}")
            b = self.series(sel.authority, sel.measure, sel.period_type, sel.breakdown, sel.compare_value).assign(
                series=f"{sel.breakdown} {sel.compare_value}")
            what = f"{sel.breakdown} {sel.value} and {sel.compare_value}"
        else:
            return View(pd.DataFrame(columns=["month", "series", "value"]), None, "Compare",
                        "choose a second authority, or a team and a second team")
        long = pd.concat([a, b], ignore_index=True)[["month", "period", "series", "value", "numerator",
                                                      "denominator", "display"]]
        table = long.pivot_table(index="month", columns="series", values="value", sort=True).reset_index()
        table.columns.name = None
        title = f"{defn.title}: {what}"
        spec = compare_spec(long, title, value_label=UNIT_LABELS[defn.unit], value_format=UNIT_FORMATS[defn.unit],
                            selected_month=sel.month)
        return View(table, spec, title, "")

    def page(self, sel: Selection) -> dict[str, View]:
        """Every view a selection change redraws: trend, breakdown, records, decomposition
        (and the comparison when one is chosen)."""
        sel = self.resolve(sel)
        out = {"trend": self.trend(sel), "breakdown": self.breakdown(sel), "records": self.records(sel),
               "decompose": self.decompose(sel)}
        if sel.compare_authority or sel.compare_value:
            out["compare"] = self.compare(sel)
        return out

    def to_csv(self, sel: Selection, what: str = "records") -> str:
        """CSV text of a view's table: 'records' (every column, child-level), 'trend',
        'breakdown', 'decompose' or 'compare'."""
        sel = self.resolve(sel)
        if what == "records":
            frame = self.explanation(sel).records
        elif what in ("trend", "breakdown", "decompose", "compare"):
            frame = getattr(self, what)(sel).table
        else:
            raise ConfigError(f"unknown table {what!r}: records, trend, breakdown, decompose or compare")
        return frame.to_csv(index=False, date_format="%Y-%m-%d")

    def csv_filename(self, sel: Selection, what: str = "records") -> str:
        sel = self.resolve(sel)
        group = "" if sel.value == TOTAL else f"_{sel.breakdown}-{sel.value}"
        return f"{sel.authority}_{sel.measure}_{sel.period_type}_{sel.month}{group}_{what}_INTERNAL.csv"

    def _stored_figure(self, sel: Selection) -> dict | None:
        breakdown, value = sel.group
        rows = self._cell(sel.authority, sel.measure, sel.period_type, breakdown)
        hit = rows[(rows["month"] == sel.month) & (rows["breakdown_value"] == value)]
        return None if not len(hit) else hit.iloc[0][["numerator", "denominator", "value"]].to_dict()


# ---- helpers ----------------------------------------------------------------------------------

def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    """For the screen: dates without a time, whole numbers (working days) as integers."""
    out = frame.copy()
    for c in out.columns:
        s = out[c]
        if s.dtype.kind == "M":
            out[c] = s.dt.date.astype(object).where(s.notna(), None)
        elif s.dtype.kind == "f":
            v = s.to_numpy()
            ok = ~np.isnan(v)
            if ok.any() and np.all(v[ok] == np.round(v[ok])) and np.all(np.abs(v[ok]) < 2**53):
                out[c] = s.astype("Int64")
    return out


def _month_label(month: str | None) -> str:
    return "" if not month else parse_month(month).strftime("%B %Y")


def _same(a, b) -> bool:
    a, b = float(a), float(b)
    return (np.isnan(a) and np.isnan(b)) or bool(np.isclose(a, b, rtol=1e-9, atol=1e-9))


def _records_note(e: Explanation, stored: dict | None, unit: str) -> str:
    n = len(e.records)
    f = e.figure
    if unit == "pct":
        text = f"{n:,} records: {f['numerator']:,.0f} of {f['denominator']:,.0f} = {format_value(f['value'], unit)}"
    elif unit in ("days", "number") and e.agg != "max":
        text = f"{n:,} records: {f['numerator']:,.0f} / {f['denominator']:,.0f} = {format_value(f['value'], unit)}"
    else:
        text = f"{n:,} records: {format_value(f['value'], unit)}"
    if stored is None:
        return text + " (no stored figure for this cell)"
    if all(_same(f[k], stored[k]) for k in ("numerator", "denominator", "value")):
        return text + ", the figure in the measures table"
    return text + (f". WARNING: the measures table says {format_value(stored['value'], unit)}; the stored "
                   "measures are out of date (run `cscw measures`)")


__all__ = ["Explorer", "Selection", "View", "picked_values", "INTERNAL_NOTICE", "MONTH_PARAM", "GROUP_PARAM"]
