"""The deep-dive pages: repeat child protection plans and assessment timeliness.

Each page object loads one authority's cohort once (``analysis``) and hands the notebook
ready-made pieces: generated prose, tables (``display.HtmlTable``) and altair charts whose
titles state the finding. The notebook only calls these and shows the results.

Audience: a ``shared`` page holds aggregates only. Counts of 1 to 5 (and percentages or
averages built on them) are suppressed in tables, prose and in the data written into
charts; worker tables, sibling-group details and child lists exist only for ``internal``
pages (the methods refuse otherwise, so a mis-tagged notebook cell fails loudly instead
of leaking).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import altair as alt
import numpy as np
import pandas as pd

from ..analysis import assessment_timeliness as at
from ..analysis import repeat_cp as rc
from ..analysis.base import Window, window
from ..assessment.direction import direction_of_travel
from ..assessment.targets import Targets, evaluate_rag, load_targets
from ..errors import WorkbenchError
from ..privacy import check_audience
from .charts import AF_DARK_BLUE, AF_DARK_GREY, AF_ORANGE, AF_TURQUOISE, LIGHT_GREY, TWO_SERIES
from .display import (Column, HtmlTable, Prose, count_phrase, count_text, count_words, hidden, hidden_mask, number_text, pct_points,
                      pct_text, suppress_frame, table)

WIDTH = 600
# Teams (workers) with fewer completed pieces of work than this are left out of the
# "highest / lowest" sentences: one late assessment in a team of two is not a finding.
MIN_FOR_COMPARISON = 10


class InternalOnly(WorkbenchError):
    """Child- or worker-level content asked for on a shared page."""


def _internal(audience: str, what: str) -> None:
    if audience != "internal":
        raise InternalOnly(f"{what} is internal only: this page's audience is {audience!r}")


def authority_name(warehouse, authority: str) -> str:
    """The authority's name from the warehouse (its code if unknown)."""
    from ..model.warehouse import read_table

    try:
        a = read_table("authorities", warehouse, where="authority = ?", params=[authority])
    except KeyError:
        return authority
    return str(a["la_name"].iloc[0]) if len(a) and pd.notna(a["la_name"].iloc[0]) else authority


def _direction(current: float, previous: float, polarity: str) -> tuple[str, str]:
    """(verb phrase, judgement) e.g. ('down from 23.5%', 'an improvement'), using the
    direction of travel's 10% 'similar' band and the measure's polarity."""
    d = direction_of_travel([current], [previous], polarity).iloc[0]
    if d["direction"] is None:
        return "", ""
    if d["direction"] == "similar":
        return f"similar to {previous:.1f}%", ""
    verb = "up from" if d["direction"] == "up" else "down from"
    judgement = {"improving": "an improvement", "worsening": "a deterioration"}.get(d["word"], "")
    return f"{verb} {previous:.1f}%", judgement


def _target_sentence(targets: Targets | None, measure: str, value: float, noun: str) -> str:
    if targets is None or targets.rule(measure) is None or value is None or np.isnan(value):
        return ""
    r = evaluate_rag([measure], [value], targets).iloc[0]
    if not r["target_text"]:
        return ""
    return f"The target for {noun} is {r['target_text']}: {str(r['rag_label']).lower() or 'not judged'}."


def _month_label(month: str) -> str:
    return pd.Period(month, "M").strftime("%B %Y")


def _bar_labels(frame: pd.DataFrame, x: str, y: str, text: str, **kw) -> alt.Chart:
    return alt.Chart(frame).mark_text(align="left", dx=4, fontSize=11, color="#0b0c0c").encode(
        x=alt.X(f"{x}:Q"), y=alt.Y(f"{y}:N", sort=None), text=f"{text}:N", **kw)


def _rule(value: float, label: str, color: str, orient: str = "x") -> list[alt.Chart]:
    """A reference line with its label written beside it (no legend to decode)."""
    if value is None or np.isnan(value):
        return []
    d = pd.DataFrame({"v": [value], "label": [label]})
    if orient == "x":
        line = alt.Chart(d).mark_rule(color=color, strokeDash=[6, 4], strokeWidth=1.5).encode(x="v:Q")
        text = alt.Chart(d).mark_text(align="left", baseline="bottom", dx=3, dy=-2, fontSize=11, fontWeight="bold",
                                      color=color).encode(x="v:Q", y=alt.value(0), text="label:N")
    else:
        line = alt.Chart(d).mark_rule(color=color, strokeDash=[6, 4], strokeWidth=1.5).encode(y="v:Q")
        text = alt.Chart(d).mark_text(align="right", baseline="bottom", dy=-3, fontSize=11, fontWeight="bold",
                                      color=color).encode(y="v:Q", x=alt.value(WIDTH), text="label:N")
    return [line, text]


# ==========================================================================================
# Repeat child protection plans
# ==========================================================================================

@dataclass
class RepeatCPDeepDive:
    """The repeat child protection plans deep dive for one authority and month."""

    authority: str
    name: str
    month: str
    audience: str
    history: rc.PlanHistory
    targets: Targets | None = None
    year: Window = field(init=False)
    this_month: Window = field(init=False)
    previous_year: Window = field(init=False)

    def __post_init__(self) -> None:
        check_audience(self.audience)
        self.year = window(self.month, "rolling_12m")
        self.this_month = window(self.month, "month")
        self.previous_year = self.year.previous()

    @classmethod
    def load(cls, warehouse, authority: str, month: str, audience: str) -> "RepeatCPDeepDive":
        """Read the authority's data from ``warehouse`` ('' or None: the default warehouse)."""
        warehouse = warehouse or None
        history = rc.load_plan_history(warehouse, authority, month)
        try:
            targets = load_targets(authority)
        except WorkbenchError:
            targets = None
        return cls(authority, authority_name(warehouse, authority), month, audience, history, targets)

    # ---- figures ---------------------------------------------------------------------
    @property
    def summary(self) -> dict:
        return rc.repeat_summary(self.history, self.year)

    def intro(self) -> Prose:
        return Prose([
            f"{self.name} ({self.authority}): children who became the subject of a child protection plan for a "
            f"second or subsequent time, in {self.year.label} and in {self.this_month.label}.",
            "Repeat plans are the measure that most often prompts the question 'are we ending plans too soon?'. "
            "This page looks behind the percentage: how long after the previous plan the children returned, "
            "whether it was for the same reason, whether they are brothers and sisters starting together, "
            "which teams hold the plans, and whether the rate is moving.",
            "Definitions are the scorecard's: a plan is a repeat if the child had any earlier plan, in the data "
            "or recorded as a number of previous plans (DfE's definition); 'within 2 years' if an earlier plan "
            "ended no more than 2 years before the new one started. Lower is better.",
        ])

    def headline(self) -> Prose:
        a = self.audience
        s = self.summary
        prev = rc.repeat_summary(self.history, self.previous_year)
        m = rc.repeat_summary(self.history, self.this_month)
        paras = []
        if s["starts"] == 0:
            return Prose([f"No child protection plans started in {self.year.label}."])
        first = (f"In {self.year.label}, {count_text(s['repeat_ever'], a)} of the {count_text(s['starts'], a)} "
                 f"child protection plans that started were for a child who had been on a plan before "
                 f"({pct_text(s['pct_ever'], s['repeat_ever'], a)})")
        if not hidden(s["repeat_ever"], a) and not hidden(prev["repeat_ever"], a) and prev["starts"]:
            verb, judgement = _direction(s["pct_ever"], prev["pct_ever"], "low")
            if verb:
                first += f", {verb} in the previous 12 months" + (f": {judgement}" if judgement else "")
        first += "."
        paras.append(first)
        if hidden(s["repeat_2y"], a):
            paras.append("A small number (c) followed a plan that had ended within the previous 2 years.")
        else:
            paras.append(f"{count_text(s['repeat_2y'], a)} ({pct_text(s['pct_2y'], s['repeat_2y'], a)} of plans "
                         f"started) followed a plan that had ended within the previous 2 years.")
        target = _target_sentence(self.targets, "cpp_repeat_pct", s["pct_ever"] if not hidden(s["repeat_ever"], a)
                                  else np.nan, "repeat plans (rolling 12 months)")
        if target:
            paras.append(target)
        if m["starts"]:
            one = m["repeat_ever"] == 1 and not hidden(m["repeat_ever"], a)
            month_text = (f"In {self.this_month.label}, {count_words(m['repeat_ever'], a)} of the "
                          f"{count_text(m['starts'], a)} plans that started {'was a repeat' if one else 'were repeats'}")
            if m["children_in_sibling_groups"] and not hidden(m["repeat_ever"], a):
                if m["children_in_sibling_groups"] == m["repeat_ever"]:
                    month_text += (f"; all of them are siblings starting together "
                                   f"({count_phrase(m['sibling_groups'], 'family', 'families', a)})")
                elif not hidden(m["children_in_sibling_groups"], a):
                    month_text += (f"; {count_words(m['children_in_sibling_groups'], a)} of them are siblings "
                                   f"starting together")
            paras.append(month_text + "." + self._month_detail(m))
        bullets = []
        gap = rc.gap_profile(self.history, self.year)
        dated = gap[~gap["band"].isin([rc.NOT_IN_DATA, rc.STILL_OPEN])]
        if dated["plans"].sum() and not hidden(dated["plans"].max(), a):
            top = dated.loc[dated["plans"].idxmax()]
            bullets.append(f"Time since the previous plan: the largest group returned {_gap_phrase(top['band'])} "
                           f"after it ended ({count_text(top['plans'], a)}, {pct_text(top['pct'], top['plans'], a)} "
                           f"of repeat plans).")
        nid = gap.loc[gap["band"] == rc.NOT_IN_DATA].iloc[0]
        if nid["plans"]:
            bullets.append(f"{pct_text(nid['pct'], nid['plans'], a)} of repeat plans are known only from the "
                           f"recorded number of previous plans: the earlier plan is not in the data, so its dates "
                           f"and category are unknown.")
        if s["category_known"] and not hidden(s["category_changed"], a):
            pct = 100.0 * s["category_changed"] / s["category_known"]
            bullets.append(f"Category: {count_text(s['category_changed'], a)} of the {count_text(s['category_known'], a)} "
                           f"children whose previous plan is in the data ({pct_text(pct, s['category_changed'], a)}) "
                           f"returned under a different category of abuse.")
        if s["children_in_sibling_groups"] and not hidden(s["children_in_sibling_groups"], a):
            pct = 100.0 * s["children_in_sibling_groups"] / s["repeat_ever"]
            bullets.append(f"Siblings: {count_text(s['children_in_sibling_groups'], a)} children "
                           f"({pct_text(pct, s['children_in_sibling_groups'], a)} of repeat plans) started their repeat "
                           f"plan on the same day as a brother or sister, in "
                           f"{count_phrase(s['sibling_groups'], 'family group', 'family groups', a)}: one decision to "
                           f"plan for a family moves the rate by several children at once.")
        teams = rc.repeat_by(self.history, self.year, "team")
        teams = teams[teams["starts"] >= MIN_FOR_COMPARISON]
        if len(teams) >= 2:
            hi_t = teams.loc[teams["pct_ever"].idxmax()]
            lo_t = teams.loc[teams["pct_ever"].idxmin()]
            if not hidden(hi_t["repeat_ever"], a) and not hidden(lo_t["repeat_ever"], a) and hi_t["team"] != lo_t["team"]:
                bullets.append(f"Teams: repeat plans ranged from {pct_text(lo_t['pct_ever'], lo_t['repeat_ever'], a)} "
                               f"of plans started in {lo_t['team']} to {pct_text(hi_t['pct_ever'], hi_t['repeat_ever'], a)} "
                               f"in {hi_t['team']} (teams starting at least {MIN_FOR_COMPARISON} plans).")
        return Prose(paras, bullets)

    def _month_detail(self, m: dict) -> str:
        """Southampton's kind of sentence about the month's repeats: when the children were
        last on a plan, and whether for the same reason. Left out of a shared page when any
        number in it is 1 to 5 (details of so few children identify them)."""
        a = self.audience
        if not m["repeat_ever"]:
            return ""
        gap = rc.gap_profile(self.history, self.this_month)
        dated = gap[~gap["band"].isin([rc.NOT_IN_DATA, rc.STILL_OPEN])]
        n_dated = int(dated["plans"].sum())
        top = dated.loc[dated["plans"].idxmax()] if n_dated else None
        used = [m["repeat_ever"], n_dated, m["category_known"], m["category_changed"]]
        if top is not None:
            used.append(top["plans"])
        if any(hidden(n, a) for n in used):
            return ""
        bits = []
        if top is not None:
            ago = f"ended {_AGO[top['band']]} before"
            if n_dated == 1:
                bits.append(f"the one whose previous plan is in the data had been on a plan that {ago}")
            elif top["plans"] == n_dated:
                bits.append(f"all {count_words(n_dated, a)} whose previous plan is in the data had been on a plan "
                            f"that {ago}")
            else:
                bits.append(f"of the {count_words(n_dated, a)} whose previous plan is in the data, "
                            f"{count_words(top['plans'], a)} had been on a plan that {ago}")
        if m["category_known"]:
            if m["category_changed"] == m["category_known"]:
                bits.append("all of them returned under a different category" if m["category_known"] > 1
                            else "under a different category")
            elif m["category_changed"] == 0:
                bits.append("all under the same category as before" if m["category_known"] > 1
                            else "under the same category as before")
            else:
                bits.append(f"{count_words(m['category_changed'], a)} returned under a different category")
        if not bits:
            return ""
        text = "; ".join(bits)
        return " " + text[0].upper() + text[1:] + "."

    def key_figures(self) -> HtmlTable:
        """The two measures for the month, the 12 months and the 12 months before."""
        a = self.audience
        cols = {w.label: rc.repeat_summary(self.history, w) for w in (self.this_month, self.year, self.previous_year)}
        header = ["", *[k[0].upper() + k[1:] for k in cols]]
        rows = [
            ["Plans started", *[count_text(s["starts"], a) for s in cols.values()]],
            ["Second or subsequent plans (ever)", *[count_text(s["repeat_ever"], a) for s in cols.values()]],
            ["Repeat plans (ever), % of plans started", *[pct_text(s["pct_ever"], s["repeat_ever"], a)
                                                          for s in cols.values()]],
            ["Within 2 years of the previous plan", *[count_text(s["repeat_2y"], a) for s in cols.values()]],
            ["Within 2 years, % of plans started", *[pct_text(s["pct_2y"], s["repeat_2y"], a) for s in cols.values()]],
            ["Children in sibling groups", *[count_text(s["children_in_sibling_groups"], a) for s in cols.values()]],
        ]
        return HtmlTable(header, rows, caption="Repeat child protection plans",
                         note="c: a count of 1 to 5, or a percentage of one, not shown (DfE's convention)."
                         if a == "shared" else "")

    def trend(self) -> pd.DataFrame:
        t = rc.repeat_trend(self.history, self.month, months=24)
        # The last 12 months add up to the 12-month figures shown in the table, the 12 before
        # to the previous year's: complementary suppression within each.
        t["_year"] = np.where(np.arange(len(t)) >= len(t) - 12, "this", "previous")
        t = suppress_frame(t, self.audience, counts=("repeat_ever", "repeat_2y"),
                           shares={"pct_ever": "repeat_ever", "pct_2y": "repeat_2y"}, complementary=True,
                           groups="_year")
        rolling = suppress_frame(t, self.audience, shares={"rolling_pct_ever": "rolling_repeat_ever",
                                                           "rolling_pct_2y": "rolling_repeat_2y"})
        t[["rolling_pct_ever", "rolling_pct_2y"]] = rolling[["rolling_pct_ever", "rolling_pct_2y"]]
        t["suppressed"] = t["suppressed"] | rolling["suppressed"]
        return t.drop(columns="_year")

    def trend_chart(self) -> alt.LayerChart:
        """Rolling 12-month percentages, ever and within 2 years, with the target."""
        t = self.trend()
        keep = ["period_end", "rolling_pct_ever", "rolling_pct_2y"]
        long = t[keep].melt("period_end", var_name="series", value_name="pct").dropna(subset=["pct"])
        names = {"rolling_pct_ever": "Ever", "rolling_pct_2y": "Within 2 years"}
        long["series"] = long["series"].map(names)
        if not len(long):
            return _empty_chart("Not enough history for a rolling 12-month trend yet")
        last = long.sort_values("period_end").groupby("series").tail(1)
        first_val = t["rolling_pct_ever"].dropna()
        title = "Repeat plans: rolling 12 months"
        if len(first_val) >= 2:
            now, before = first_val.iloc[-1], first_val.iloc[max(len(first_val) - 13, 0)]
            start = t.loc[first_val.index[max(len(first_val) - 13, 0)], "period_end"]
            move = "fell" if now < before - 0.05 else "rose" if now > before + 0.05 else "held"
            title = (f"Repeat plans {move} {'to' if move != 'held' else 'at'} {now:.1f}% of plans started "
                     f"in the 12 months to {_month_label(self.month)}"
                     + (f", from {before:.1f}% in the 12 months to {start:%B %Y}" if move != "held" else ""))
        x = alt.X("period_end:T", title=None, axis=alt.Axis(format="%b %y", labelAngle=0, tickCount="month"))
        colour = alt.Color("series:N", scale=alt.Scale(domain=list(names.values()), range=list(TWO_SERIES)), legend=None)
        base = alt.Chart(long)
        layers = [
            base.mark_line().encode(x=x, y=alt.Y("pct:Q", title="% of plans started (rolling 12 months)"), color=colour),
            base.mark_point(filled=True, size=30).encode(
                x=x, y="pct:Q", color=colour,
                tooltip=[alt.Tooltip("period_end:T", title="12 months to", format="%B %Y"),
                         alt.Tooltip("series:N", title="Repeat plans"), alt.Tooltip("pct:Q", title="%", format=".1f")]),
            alt.Chart(last).mark_text(align="left", dx=6, fontSize=11, fontWeight="bold").encode(
                x=x, y="pct:Q", text="series:N", color=colour),
        ]
        rule = self.targets.rule("cpp_repeat_pct") if self.targets else None
        if rule is not None and rule.target is not None:
            layers += _rule(rule.target, f"Target {rule.target:g}%", AF_DARK_GREY, orient="y")
        return alt.layer(*layers).properties(
            width=WIDTH, height=260,
            title=alt.TitleParams(title, subtitle=["Children starting a plan who had been on a plan before "
                                                   "(ever) or whose last plan ended within 2 years. Lower is better."]))

    def monthly_chart(self) -> alt.LayerChart:
        """Repeat plans started each month (suppressed months marked 'c' in a shared page).
        A shared page of a small authority, where most months would be 'c', shows
        three-month blocks instead (the last four add up to the 12 months)."""
        t = self.trend().tail(14)
        if self.audience == "shared" and t.tail(12)["suppressed"].mean() >= 0.5:
            return self._quarterly_chart()
        latest = t.iloc[-1] if len(t) else None
        n = latest["repeat_ever"] if latest is not None else np.nan
        title = "Repeat plans started each month"
        if latest is not None and not np.isnan(n):
            title = (f"{count_words(n, self.audience).capitalize()} repeat plan{'s' if n != 1 else ''} started in "
                     f"{_month_label(self.month)}")
        t = t.assign(label=np.where(t["suppressed"], "c", ""),
                     shown=t["repeat_ever"].astype(float).fillna(0.0),
                     repeats_text=[count_text(v, "internal") if not s else "c"
                                   for v, s in zip(t["repeat_ever"], t["suppressed"])],
                     starts_text=[count_text(v, self.audience) for v in t["starts"]])
        t["month_label"] = t["period_end"].dt.strftime("%b %y")
        t = t[["month_label", "repeat_ever", "label", "repeats_text", "starts_text", "suppressed"]]
        x = alt.X("month_label:N", sort=list(t["month_label"]), title=None, axis=alt.Axis(labelAngle=0))
        bars = alt.Chart(t).mark_bar(color=AF_DARK_BLUE).encode(
            x=x, y=alt.Y("repeat_ever:Q", title="Repeat plans started"),
            tooltip=[alt.Tooltip("month_label:N", title="Month"),
                     alt.Tooltip("repeats_text:N", title="Repeat plans"), alt.Tooltip("starts_text:N", title="All plans")])
        marks = alt.Chart(t[t["suppressed"]]).mark_text(dy=-6, fontSize=11, color=AF_DARK_GREY).encode(
            x=x, y=alt.value(258), text="label:N")
        return alt.layer(bars, marks).properties(
            width=WIDTH, height=260, title=alt.TitleParams(title, subtitle=[
                "Plans started each month for a child who had been on a plan before"
                + (" (c: 1 to 5, not shown)" if self.audience == "shared" else "")]))

    def _quarterly_chart(self) -> alt.LayerChart:
        a = self.audience
        raw = rc.repeat_trend(self.history, self.month, months=24)
        block = (len(raw) - 1 - np.arange(len(raw))) // 3  # 0 = the three months to the month
        q = raw.assign(block=block).groupby("block", sort=False).agg(
            first=("period_end", "min"), last=("period_end", "max"), repeat_ever=("repeat_ever", "sum"),
            starts=("starts", "sum"), months=("period_end", "size")).reset_index()
        q = q[q["months"] == 3].sort_values("block", ascending=False)
        q["_year"] = np.where(q["block"] < 4, "this", "previous")
        q = suppress_frame(q, a, counts=("repeat_ever",), complementary=True, groups="_year")
        q["label"] = q["first"].dt.strftime("%b") + "-" + q["last"].dt.strftime("%b %y")
        q["text"] = ["c" if sup else count_text(v, "internal") for v, sup in zip(q["repeat_ever"].fillna(0),
                                                                                   q["suppressed"])]
        q["starts_text"] = [count_text(v, a) for v in q["starts"]]
        latest = q.iloc[-1] if len(q) else None
        title = "Repeat plans started, three months at a time"
        if latest is not None and not latest["suppressed"]:
            title = f"{count_words(latest['repeat_ever'], a).capitalize()} repeat plans started in {latest['label']}"
        q = q[["label", "repeat_ever", "text", "starts_text", "suppressed"]]
        x = alt.X("label:N", sort=list(q["label"]), title=None, axis=alt.Axis(labelAngle=0))
        bars = alt.Chart(q).mark_bar(color=AF_DARK_BLUE).encode(
            x=x, y=alt.Y("repeat_ever:Q", title="Repeat plans started"),
            tooltip=[alt.Tooltip("label:N", title="Months"), alt.Tooltip("text:N", title="Repeat plans"),
                     alt.Tooltip("starts_text:N", title="All plans")])
        labels = alt.Chart(q).mark_text(dy=-6, fontSize=11, color=AF_DARK_GREY).encode(
            x=x, y=alt.Y("repeat_ever:Q"), text="text:N")
        return alt.layer(bars, labels).properties(width=WIDTH, height=260, title=alt.TitleParams(title, subtitle=[
            "Plans started for a child who had been on a plan before, three months at a time (monthly figures "
            "are too small to show in a shared page; c: 1 to 5, not shown)"]))

    def gap_chart(self) -> alt.LayerChart:
        a = self.audience
        g = rc.gap_profile(self.history, self.year)
        g = suppress_frame(g, a, counts=("plans",), shares={"pct": "plans"}, complementary=True)
        g["text"] = [("c" if s else f"{count_text(p, 'internal')} ({pct:.0f}%)") if not (p == 0 and not s) else "0"
                     for p, pct, s in zip(g["plans"].fillna(0), g["pct"].fillna(0), g["suppressed"])]
        dated = g[~g["band"].isin([rc.NOT_IN_DATA, rc.STILL_OPEN])].dropna(subset=["plans"])
        title = "Time since the previous plan ended"
        if len(dated) and dated["plans"].sum():
            top = dated.loc[dated["plans"].idxmax()]
            title = f"Most children with a dated earlier plan returned {_gap_phrase(top['band'])} after it ended"
            share_2y = dated[dated["band"] != rc.OVER_2_YEARS]["plans"].sum() / dated["plans"].sum() * 100
            if share_2y < 50:
                title = "Most children with a dated earlier plan returned 2 years or more after it ended"
        colour = np.where(g["band"].isin([rc.NOT_IN_DATA]), LIGHT_GREY,
                          np.where(g["band"] == rc.OVER_2_YEARS, AF_TURQUOISE, AF_DARK_BLUE))
        g = g.assign(colour=colour, shown=g["plans"].fillna(0.0))[["band", "plans", "shown", "text", "colour"]]
        y = alt.Y("band:N", sort=list(rc.GAP_ORDER), title=None, axis=alt.Axis(labelLimit=220))
        bars = alt.Chart(g).mark_bar().encode(
            x=alt.X("shown:Q", title="Repeat plans"), y=y, color=alt.Color("colour:N", scale=None),
            tooltip=[alt.Tooltip("band:N", title="Time since previous plan"), alt.Tooltip("text:N", title="Repeat plans")])
        labels = alt.Chart(g).mark_text(align="left", dx=4, fontSize=11).encode(x="shown:Q", y=y, text="text:N")
        return alt.layer(bars, labels).properties(width=WIDTH - 160, height=200, title=alt.TitleParams(title, subtitle=[
            f"Repeat plans started in {self.year.label}, by time since the child's previous plan ended. "
            "Grey: the earlier plan is only a recorded count."]))

    def category_table(self) -> HtmlTable:
        """Internal: previous category against new category. Shared: same / different /
        unknown only (a five-by-five grid of a year's repeat plans is mostly 1 to 5, and
        its margins would give the hidden cells away)."""
        a = self.audience
        if a == "shared":
            s = self.summary
            f = pd.DataFrame({"what": ["Same category as the previous plan", "A different category",
                                       "Previous plan not in the data (category unknown)"],
                              "plans": [s["category_known"] - s["category_changed"], s["category_changed"],
                                        s["repeat_ever"] - s["category_known"]]})
            f["pct"] = 100.0 * f["plans"] / max(s["repeat_ever"], 1)
            return table(f, [Column("what", "Category of abuse"), Column("plans", "Repeat plans", "count"),
                             Column("pct", "% of repeat plans", "pct", "plans")], a, complementary=True,
                         caption=f"Repeat plans: category of abuse against the previous plan ({self.year.label})",
                         note="The new plan's initial category against the previous plan's latest category.")
        c = rc.category_changes(self.history, self.year)
        cats = list(rc.CATEGORY_LABELS)
        grid = c.pivot_table(index="previous", columns="new", values="plans", aggfunc="sum", fill_value=0)
        grid = grid.reindex(index=[k for k in cats if k in grid.index] + [k for k in grid.index if k not in cats],
                            columns=cats, fill_value=0)
        header = ["Previous plan (latest category)", *[rc.CATEGORY_LABELS[k] for k in cats], "Total"]
        rows = []
        for prev, r in grid.iterrows():  # five categories
            rows.append([rc.CATEGORY_LABELS.get(prev, str(prev)), *[count_text(v, a) for v in r.to_numpy()],
                         count_text(int(r.sum()), a)])
        same = int(c.loc[~c["changed"], "plans"].sum()) if len(c) else 0
        total = int(c["plans"].sum()) if len(c) else 0
        note = (f"Columns: the new plan's initial category. On the diagonal, the same category as before: "
                f"{count_text(same, a)} of {count_text(total, a)}.")
        return HtmlTable(header, rows, caption=f"Category of abuse: previous plan and new plan ({self.year.label})",
                         note=note)

    def sibling_summary(self) -> Prose:
        """Siblings starting repeat plans together, as counts (safe for a shared page)."""
        a = self.audience
        s = self.summary
        m = rc.repeat_summary(self.history, self.this_month)
        if not s["repeat_ever"]:
            return Prose([f"No repeat plans started in {self.year.label}."])
        paras = [f"In {self.year.label}, {count_text(s['children_in_sibling_groups'], a)} of the "
                 f"{count_text(s['repeat_ever'], a)} children starting a repeat plan did so on the same day as a "
                 f"brother or sister ({count_text(s['sibling_groups'], a)} family groups). In "
                 f"{self.this_month.label}: {count_text(m['children_in_sibling_groups'], a)} of "
                 f"{count_text(m['repeat_ever'], a)}."]
        paras.append("A family's return to planning moves the rate by several children at once, so a rise made of "
                     "one or two sibling groups calls for a look at those families' histories rather than at the "
                     "service as a whole.")
        return Prose(paras)

    def sibling_table(self) -> HtmlTable:
        """Sibling groups (internal only: a family's start date and size identify it)."""
        _internal(self.audience, "the sibling groups table")
        g = rc.sibling_groups(self.history, self.year)
        return table(g, [Column("group", "Group"), Column("start", "Plans started", "date"),
                         Column("children", "Children", "count"), Column("within_2y", "Within 2 years", "count"),
                         Column("category_changed", "Category changed", "count"),
                         Column("gap_band", "Time since previous plan", "text")], "internal",
                     caption=f"Siblings starting repeat plans together ({self.year.label})")

    def by_team(self) -> pd.DataFrame:
        return rc.repeat_by(self.history, self.year, "team")

    def team_chart(self) -> alt.LayerChart:
        a = self.audience
        t = self.by_team()
        t = t[t["starts"] > 0]
        t = suppress_frame(t, a, counts=("repeat_ever",), shares={"pct_ever": "repeat_ever"}, complementary=True)
        t["text"] = [("c" if s else f"{p:.1f}% ({count_text(n, 'internal')} of {count_text(m, a)})")
                     for p, n, m, s in zip(t["pct_ever"].fillna(0), t["repeat_ever"].fillna(0), t["starts"], t["suppressed"])]
        t = t.assign(shown=t["pct_ever"].fillna(0.0)).sort_values(["suppressed", "shown"], ascending=[True, False])
        overall = self.summary["pct_ever"]
        title = "Repeat plans by team"
        ranked = t[(t["starts"] >= MIN_FOR_COMPARISON) & ~t["suppressed"]]
        if len(ranked) >= 2:
            top = ranked.iloc[0]
            title = f"{top['team']} had the highest share of repeat plans ({top['pct_ever']:.1f}%)"
        y = alt.Y("team:N", sort=list(t["team"]), title=None, axis=alt.Axis(labelLimit=220))
        t = t[["team", "shown", "text"]]  # only what is drawn goes into the page
        bars = alt.Chart(t).mark_bar(color=AF_DARK_BLUE).encode(
            x=alt.X("shown:Q", title="% of plans started that were repeats"), y=y,
            tooltip=[alt.Tooltip("team:N", title="Team"), alt.Tooltip("text:N", title="Repeat plans")])
        labels = alt.Chart(t).mark_text(align="left", dx=4, fontSize=11).encode(x="shown:Q", y=y, text="text:N")
        layers = [bars, labels]
        if not hidden(self.summary["repeat_ever"], a):
            layers += _rule(overall, f"{self.name} {overall:.1f}%", AF_ORANGE)
        return alt.layer(*layers).properties(width=WIDTH - 200, height=max(120, 26 * len(t)), title=alt.TitleParams(
            title, subtitle=[f"Plans started in {self.year.label} that were second or subsequent plans, by the team "
                             f"holding the plan. Teams starting fewer than {MIN_FOR_COMPARISON} plans vary by chance."]))

    def team_table(self) -> HtmlTable:
        return table(self.by_team(), [
            Column("team", "Team"), Column("starts", "Plans started", "count"),
            Column("repeat_ever", "Repeat (ever)", "count"), Column("pct_ever", "%", "pct", "repeat_ever"),
            Column("repeat_2y", "Within 2 years", "count"), Column("pct_2y", "%", "pct", "repeat_2y"),
        ], self.audience, caption=f"Repeat plans by team ({self.year.label})", complementary=True)

    def worker_table(self, limit: int = 20) -> HtmlTable:
        _internal(self.audience, "the worker table")
        w = rc.repeat_by(self.history, self.year, "worker")
        w = w[w["repeat_ever"] > 0]
        shown = w.head(limit)
        return table(shown, [
            Column("worker", "Worker"), Column("starts", "Plans started", "count"),
            Column("repeat_ever", "Repeat (ever)", "count"), Column("pct_ever", "%", "pct", "repeat_ever"),
            Column("repeat_2y", "Within 2 years", "count"), Column("pct_2y", "%", "pct", "repeat_2y"),
        ], "internal", caption=f"Workers holding repeat plans ({self.year.label})",
            note=f"{len(shown)} of the {len(w)} workers holding a repeat plan, most repeat plans first. For "
                 "supervision: a worker's numbers depend on the cases allocated, not only on practice.")

    def cohort_list(self) -> HtmlTable:
        _internal(self.audience, "the cohort list")
        c = rc.repeat_cohort(self.history, self.year).sort_values(["start", "sibling_group"],
                                                                   ascending=[False, True], kind="stable")
        c = c.assign(team=c["team_id"].map(lambda k: self.history.teams.get(k, k)),
                     worker=c["worker_id"].map(lambda k: self.history.workers.get(k, k)),
                     initial=c["initial_category"].map(rc.CATEGORY_LABELS),
                     previous=c["prev_category"].map(rc.CATEGORY_LABELS),
                     group=c["sibling_group"].map(lambda g: str(g) if g else ""),
                     band=c["gap_band"].astype("object").replace({rc.NOT_IN_DATA: "only a count recorded"}))
        return table(c, [
            Column("child_id", "Child"), Column("start", "Plan start", "date"), Column("end", "Plan end", "date"),
            Column("initial", "Category", "text"), Column("prev_start", "Previous plan start", "date"),
            Column("prev_end", "Previous plan end", "date"), Column("previous", "Previous category", "text"),
            Column("band", "Time since previous plan", "text"), Column("group", "Sibling group", "text"),
            Column("team", "Team", "text"), Column("worker", "Worker", "text"),
        ], "internal", caption=f"Children starting a repeat plan in {self.year.label} ({len(c)})",
            note="Most recent first. 'Previous plan' blank: the earlier plan is only a recorded count.")


_AGO = {"under 3 months": "less than 3 months", "3 to 6 months": "3 to 6 months", "6 to 12 months": "6 to 12 months",
        "1 to 2 years": "1 to 2 years", rc.OVER_2_YEARS: "2 years or more"}


def _gap_phrase(band: str) -> str:
    return {"under 3 months": "within 3 months", "3 to 6 months": "3 to 6 months",
            "6 to 12 months": "6 to 12 months", "1 to 2 years": "1 to 2 years",
            rc.OVER_2_YEARS: "2 years or more"}.get(band, band)


def _empty_chart(title: str) -> alt.Chart:
    return alt.Chart(pd.DataFrame({"x": [0]})).mark_text(text="").properties(width=WIDTH, height=40, title=title)


# ==========================================================================================
# Assessment timeliness
# ==========================================================================================

BAND_COLOURS = {"0-10": "#6BACE6", "11-25": "#2073BC", "26-35": "#12436D", "36-45": "#28A197", "over 45": AF_ORANGE}


@dataclass
class AssessmentTimelinessDeepDive:
    """The assessment timeliness deep dive for one authority and month."""

    authority: str
    name: str
    month: str
    audience: str
    history: at.AssessmentHistory
    targets: Targets | None = None
    year: Window = field(init=False)
    this_month: Window = field(init=False)
    previous_year: Window = field(init=False)

    def __post_init__(self) -> None:
        check_audience(self.audience)
        self.year = window(self.month, "rolling_12m")
        self.this_month = window(self.month, "month")
        self.previous_year = self.year.previous()

    @classmethod
    def load(cls, warehouse, authority: str, month: str, audience: str) -> "AssessmentTimelinessDeepDive":
        """Read the authority's data from ``warehouse`` ('' or None: the default warehouse)."""
        warehouse = warehouse or None
        history = at.load_assessment_history(warehouse, authority, month)
        try:
            targets = load_targets(authority)
        except WorkbenchError:
            targets = None
        return cls(authority, authority_name(warehouse, authority), month, audience, history, targets)

    @property
    def summary(self) -> dict:
        return at.timeliness_summary(self.history, self.year)

    def intro(self) -> Prose:
        clock = ("the assessment start" if self.history.clock == "start"
                 else "the referral (Working Together's clock)")
        return Prose([
            f"{self.name} ({self.authority}): how long children and family assessments take, in "
            f"{self.year.label}, and which open assessments are about to pass the 45 working day limit.",
            "The percentage within 45 working days hides the shape behind it. This page shows the whole "
            "distribution and the bands Southampton reports (0-10, 11-25, 26-35, 36-45 and over 45 working "
            "days), the differences between teams, the pattern through the year, the open assessments at risk "
            "now, and how quickly assessments start after a referral.",
            f"Working days are counted from {clock} to authorisation, the first day not counted; weekends and "
            "bank holidays are not working days. Figures are the scorecard's.",
        ])

    def headline(self) -> Prose:
        a = self.audience
        s = self.summary
        prev = at.timeliness_summary(self.history, self.previous_year)
        if not s["completed"]:
            return Prose([f"No assessments were completed in {self.year.label}."])
        first = (f"In {self.year.label}, {pct_text(s['pct_45'], s['within_45'], a)} of the "
                 f"{count_text(s['completed'], a)} assessments completed were within 45 working days")
        if prev["completed"] and not hidden(s["within_45"], a) and not hidden(prev["within_45"], a):
            verb, judgement = _direction(s["pct_45"], prev["pct_45"], "high")
            if verb:
                first += f", {verb} in the previous 12 months" + (f": {judgement}" if judgement else "")
        paras = [first + "."]
        if not hidden(s["completed"], a):
            paras.append(f"Half took {number_text(s['median_wd'], s['completed'], a)} working days or fewer; one in "
                         f"ten took more than {number_text(s['p90_wd'], s['completed'], a)}.")
        target = _target_sentence(self.targets, "assessment_45wd_pct",
                                  s["pct_45"] if not hidden(s["within_45"], a) else np.nan,
                                  "assessments within 45 working days")
        if target:
            paras.append(target)
        bullets = []
        bands = at.duration_bands(self.history, self.year)
        b = bands.set_index("band")
        if b.loc["36-45", "assessments"] == b["assessments"].max() and not hidden(b.loc["36-45", "assessments"], a):
            bullets.append(f"Bands: the largest group finished in the last ten working days before the limit "
                           f"(36-45 days, {pct_text(b.loc['36-45', 'pct'], b.loc['36-45', 'assessments'], a)}), which "
                           f"suggests work paced by the deadline rather than by the child's needs.")
        else:
            top = bands.loc[bands["assessments"].idxmax()]
            if not hidden(top["assessments"], a):
                bullets.append(f"Bands: the largest group took {top['band']} working days "
                               f"({pct_text(top['pct'], top['assessments'], a)}).")
        teams = at.timeliness_by(self.history, self.year, "team")
        teams = teams[teams["completed"] >= MIN_FOR_COMPARISON]
        if len(teams) >= 2:
            lo_t = teams.loc[teams["pct_45"].idxmin()]
            hi_t = teams.loc[teams["pct_45"].idxmax()]
            if lo_t["team"] != hi_t["team"] and not hidden(lo_t["within_45"], a) and not hidden(hi_t["within_45"], a):
                bullets.append(f"Teams: within 45 working days ranged from {pct_text(lo_t['pct_45'], lo_t['within_45'], a)} "
                               f"in {lo_t['team']} to {pct_text(hi_t['pct_45'], hi_t['within_45'], a)} in "
                               f"{hi_t['team']} (teams completing at least {MIN_FOR_COMPARISON}).")
        o = at.open_summary(at.open_assessments(self.history, self.month)).set_index("status")["assessments"]
        total_open = int(o.sum())
        bullets.append(f"Open now: at the end of {_month_label(self.month)}, {count_text(total_open, a)} assessments "
                       f"were open; {count_text(o['overdue'], a)} had already passed 45 working days and "
                       f"{count_text(o['at risk'], a)} more had reached {at.RISK_FROM} working days.")
        profile = at.seasonal_profile(at.seasonality(self.history, self.month))
        profile = profile[profile["years"] >= 2]
        if len(profile) >= 6:
            lo_m = profile.loc[profile["pct_45"].idxmin()]
            hi_m = profile.loc[profile["pct_45"].idxmax()]
            bullets.append(f"Through the year: timeliness has been lowest in {_month_name(lo_m['month_name'])} "
                           f"({lo_m['pct_45']:.1f}%, {pct_points(lo_m['diff'])} below the year as a whole) and "
                           f"highest in {_month_name(hi_m['month_name'])} ({hi_m['pct_45']:.1f}%), over the "
                           f"years held.")
        r, _ = at.referral_to_start(self.history, self.year)
        if r["linked"] and not hidden(r["linked"], a):
            bullets.append(f"From referral to assessment start: half started within "
                           f"{number_text(r['median_wd'], r['linked'], a)} working day"
                           f"{'' if r['median_wd'] == 1 else 's'} of the referral; "
                           f"{pct_text(r['pct_10'], r['within_10'], a)} within 10.")
        return Prose(paras, bullets)

    def bands_table(self) -> HtmlTable:
        """The Southampton bands and the within-15/35/45 shares for the month, the 12
        months and the 12 months before."""
        a = self.audience
        wins = (self.this_month, self.year, self.previous_year)
        bands = [at.duration_bands(self.history, w) for w in wins]
        sums = [at.timeliness_summary(self.history, w) for w in wins]
        header = ["Working days", *[w.label[0].upper() + w.label[1:] for w in wins]]
        rows = [["Assessments completed", *[count_text(s["completed"], a) for s in sums]]]
        # The bands add up to the assessments completed: complementary suppression; and once a
        # band is hidden, the cumulative "within" rows would give it away (within 45 minus
        # within 35 is the 36-45 band), so they are hidden too.
        masks = [hidden_mask(b["assessments"].to_numpy(), a, complementary=True) for b in bands]
        for i, label in enumerate(at.BAND_LABELS):
            rows.append([f"{label}", *["c" if m[i] else _count_pct(b.iloc[i]["assessments"], b.iloc[i]["pct"], a)
                                       for b, m in zip(bands, masks)]])
        for limit in (15, 35, 45):
            rows.append([f"Within {limit}", *["c" if m.any() else _count_pct(s[f"within_{limit}"], s[f"pct_{limit}"], a)
                                              for s, m in zip(sums, masks)]])
        rows.append(["Median working days", *[number_text(s["median_wd"], s["completed"], a) for s in sums]])
        note = "Number (% of assessments completed)."
        if a == "shared":
            note += " c: 1 to 5, not shown."
        return HtmlTable(header, rows, caption="Assessments completed by working days taken", note=note)

    def distribution_chart(self) -> alt.LayerChart:
        a = self.audience
        d = at.duration_distribution(self.history, self.year, bin_width=5, cap=65)
        # Bins add up to their band (shown in the table) and to all completed.
        d = suppress_frame(d, a, counts=("assessments",), complementary=True, groups="band")
        d["text"] = [("c" if s else count_text(v, "internal")) for v, s in zip(d["assessments"].fillna(0), d["suppressed"])]
        d = d[["label", "band", "assessments", "text"]]
        s = self.summary
        title = "How long assessments took"
        if s["completed"] and not hidden(s["over_45"], a):
            title = (f"{s['pct_over_45']:.1f}% of assessments completed in {self.year.label} took more than 45 "
                     f"working days")
        x = alt.X("label:N", sort=list(d["label"]), title="Working days from start to authorisation",
                  axis=alt.Axis(labelAngle=-45))
        colour = alt.Color("band:N", scale=alt.Scale(domain=list(BAND_COLOURS), range=list(BAND_COLOURS.values())),
                           legend=alt.Legend(title="Band (working days)", orient="top"))
        bars = alt.Chart(d).mark_bar().encode(
            x=x, y=alt.Y("assessments:Q", title="Assessments completed"), color=colour,
            tooltip=[alt.Tooltip("label:N", title="Working days"), alt.Tooltip("text:N", title="Assessments"),
                     alt.Tooltip("band:N", title="Band")])
        limit = alt.Chart(pd.DataFrame({"label": ["41-45"], "t": ["45 working days"]})).mark_rule(
            color=AF_DARK_GREY, strokeDash=[6, 4], xOffset=13).encode(x=alt.X("label:N", sort=list(d["label"])))
        limit_text = alt.Chart(pd.DataFrame({"label": ["41-45"], "t": ["45 working days"]})).mark_text(
            align="left", dx=15, dy=4, fontSize=11, fontWeight="bold", color=AF_DARK_GREY, baseline="top").encode(
            x=alt.X("label:N", sort=list(d["label"])), y=alt.value(0), text="t:N")
        return alt.layer(bars, limit, limit_text).properties(width=WIDTH, height=260, title=alt.TitleParams(
            title, subtitle=["Assessments completed, by working days taken (5-day groups, the same-day ones apart)."]))

    def bands_trend_chart(self) -> alt.Chart:
        """The bands month by month (14 months, as Southampton reports them)."""
        a = self.audience
        ends = pd.period_range(end=pd.Period(self.month, "M"), periods=14, freq="M")
        frames = []
        for p in ends:  # 14 months
            w = window(p.strftime("%Y-%m"), "month")
            b = at.duration_bands(self.history, w).assign(period_end=p.to_timestamp(how="end").normalize())
            frames.append(b)
        b = pd.concat(frames, ignore_index=True)
        b = suppress_frame(b, a, counts=("assessments",), shares={"pct": "assessments"}, complementary=True,
                           groups="period_end")
        b["text"] = ["c" if s else f"{v:.1f}%" for v, s in zip(b["pct"].fillna(0), b["suppressed"])]
        over = b[b["band"] == "over 45"].dropna(subset=["pct"])
        title = "Assessment duration bands month by month"
        if len(over) >= 2:
            now, then = over["pct"].iloc[-1], over["pct"].iloc[0]
            move = "up from" if now > then + 0.05 else "down from" if now < then - 0.05 else "the same as"
            title = (f"{now:.1f}% of assessments completed in {_month_label(self.month)} took over 45 working days, "
                     f"{move} {then:.1f}% in {over['period_end'].iloc[0]:%B %Y}")
        order = list(at.BAND_LABELS)
        b["order"] = b["band"].map({k: i for i, k in enumerate(order)})
        b["month_label"] = b["period_end"].dt.strftime("%b %y")
        b = b[["month_label", "band", "pct", "text", "order"]]
        chart = alt.Chart(b).mark_bar().encode(
            x=alt.X("month_label:N", sort=list(dict.fromkeys(b["month_label"])), title=None,
                    axis=alt.Axis(labelAngle=0)),
            y=alt.Y("pct:Q", title="% of assessments completed", stack="zero", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("band:N", scale=alt.Scale(domain=order, range=[BAND_COLOURS[k] for k in order]),
                            legend=alt.Legend(title="Working days", orient="top")),
            order=alt.Order("order:Q"),
            tooltip=[alt.Tooltip("month_label:N", title="Month"), alt.Tooltip("band:N", title="Band"),
                     alt.Tooltip("text:N", title="% of completed")])
        return chart.properties(width=WIDTH, height=260, title=alt.TitleParams(title, subtitle=[
            "Assessments completed each month by working days taken (Southampton's bands)."]))

    def by_team(self) -> pd.DataFrame:
        return at.timeliness_by(self.history, self.year, "team")

    def team_chart(self) -> alt.LayerChart:
        a = self.audience
        t = self.by_team()
        t = suppress_frame(t, a, counts=("within_45",), shares={"pct_45": "within_45"}, complementary=True)
        t["text"] = [("c" if s else f"{p:.1f}% of {count_text(n, a)}")
                     for p, n, s in zip(t["pct_45"].fillna(0), t["completed"], t["suppressed"])]
        t = t.assign(shown=t["pct_45"].fillna(0.0)).sort_values(["suppressed", "shown"], ascending=[True, True])
        ranked = t[(t["completed"] >= MIN_FOR_COMPARISON) & ~t["suppressed"]]
        title = "Assessments within 45 working days by team"
        if len(ranked) >= 2:
            low = ranked.iloc[0]
            title = f"{low['team']} completed the smallest share of assessments in time ({low['pct_45']:.1f}%)"
        y = alt.Y("team:N", sort=list(t["team"]), title=None, axis=alt.Axis(labelLimit=220))
        t = t[["team", "shown", "text"]]  # only what is drawn goes into the page
        bars = alt.Chart(t).mark_bar(color=AF_DARK_BLUE).encode(
            x=alt.X("shown:Q", title="% within 45 working days", scale=alt.Scale(domain=[0, 100])), y=y,
            tooltip=[alt.Tooltip("team:N", title="Team"), alt.Tooltip("text:N", title="Within 45 working days")])
        labels = alt.Chart(t).mark_text(align="left", dx=4, fontSize=11).encode(x="shown:Q", y=y, text="text:N")
        layers = [bars, labels]
        rule = self.targets.rule("assessment_45wd_pct") if self.targets else None
        if rule is not None and rule.target is not None:
            layers += _rule(rule.target, f"Target {rule.target:g}%", AF_ORANGE)
        return alt.layer(*layers).properties(width=WIDTH - 220, height=max(120, 26 * len(t)), title=alt.TitleParams(
            title, subtitle=[f"Assessments completed in {self.year.label} by the team that completed them."]))

    def team_table(self) -> HtmlTable:
        t = self.by_team()
        for b in at.BAND_LABELS:
            t[f"pct {b}"] = 100.0 * t[b] / t["completed"].where(t["completed"] > 0)
        cols = [Column("team", "Team"), Column("completed", "Completed", "count"),
                Column("pct_45", "Within 45", "pct", "within_45"),
                Column("median_wd", "Median working days", "wd", "completed")]
        cols += [Column(f"pct {b}", f"{b} days", "pct", b) for b in at.BAND_LABELS]
        return table(t, cols, self.audience, caption=f"Assessment timeliness by team ({self.year.label})",
                     complementary=True,
                     note="Band columns: % of the team's completed assessments.")

    def worker_table(self, min_completed: int = 5, limit: int = 25) -> HtmlTable:
        _internal(self.audience, "the worker table")
        w = at.timeliness_by(self.history, self.year, "worker")
        w = w[w["completed"] >= min_completed].sort_values(["pct_45", "completed"], ascending=[True, False],
                                                             kind="stable")
        shown = w.head(limit)
        return table(shown, [Column("worker", "Worker"), Column("completed", "Completed", "count"),
                             Column("pct_45", "Within 45", "pct", "within_45"),
                             Column("median_wd", "Median working days", "wd", "completed"),
                             Column("over 45", "Over 45", "count")], "internal",
                     caption=f"Workers: assessments within 45 working days ({self.year.label})",
                     note=f"{len(shown)} of the {len(w)} workers completing at least {min_completed}, lowest share first.")

    def seasonality_chart(self) -> alt.LayerChart:
        a = self.audience
        s = at.seasonality(self.history, self.month)
        s = suppress_frame(s, a, shares={"pct_45": "within_45"})
        profile = at.seasonal_profile(at.seasonality(self.history, self.month))
        profile = profile[profile["years"] >= 2]
        title = "Assessments within 45 working days through the year"
        if len(profile) >= 6:
            lo_m = profile.loc[profile["pct_45"].idxmin()]
            title = f"Timeliness is usually lowest in {_month_name(lo_m['month_name'])}"
        years = sorted(s["year"].unique())
        palette = ["#BFBFBF", "#6BACE6", AF_DARK_BLUE][-len(years):] if len(years) <= 3 else None
        colour = alt.Color("year:N", scale=alt.Scale(domain=years, range=palette) if palette else alt.Undefined,
                           legend=None)
        x = alt.X("month_name:N", sort=list(at.MONTH_ORDER), title=None, axis=alt.Axis(labelAngle=0))
        y = alt.Y("pct_45:Q", title="% within 45 working days", scale=alt.Scale(zero=False))
        d = s.dropna(subset=["pct_45"])
        d = d.assign(completed_text=[count_text(n, a) for n in d["completed"]])[
            ["year", "month_name", "month_pos", "pct_45", "completed_text"]]
        base = alt.Chart(d)
        last = d.sort_values("month_pos").groupby("year").tail(1)
        return alt.layer(
            base.mark_line().encode(x=x, y=y, color=colour, detail="year:N"),
            base.mark_point(filled=True, size=30).encode(
                x=x, y=y, color=colour,
                tooltip=[alt.Tooltip("year:N", title="Year"), alt.Tooltip("month_name:N", title="Month"),
                         alt.Tooltip("pct_45:Q", title="% within 45", format=".1f"),
                         alt.Tooltip("completed_text:N", title="Completed")]),
            alt.Chart(last).mark_text(align="left", dx=6, fontSize=11, fontWeight="bold").encode(
                x=x, y=y, text="year:N", color=colour),
        ).properties(width=WIDTH, height=260, title=alt.TitleParams(title, subtitle=[
            "Assessments completed within 45 working days by month, one line per financial year "
            "(the latest darkest)."]))

    def open_now(self) -> pd.DataFrame:
        return at.open_assessments(self.history, self.month)

    def open_table(self) -> HtmlTable:
        a = self.audience
        o = self.open_now()
        summary = at.open_summary(o)
        by_team = at.open_by_team(o)
        teams = table(by_team, [Column("team", "Team"), Column("open", "Open", "count"),
                                Column("at_risk", f"At risk ({at.RISK_FROM}-{at.LIMIT} working days)", "count"),
                                Column("overdue", f"Overdue (over {at.LIMIT})", "count")], a, complementary=True)
        s = summary.set_index("status")["assessments"]
        rows = teams.rows + [["All teams", count_text(int(s.sum()), a), count_text(s["at risk"], a),
                              count_text(s["overdue"], a)]]
        return HtmlTable(teams.header, rows, caption=f"Assessments open at the end of {_month_label(self.month)}",
                         note=f"At risk: open {at.RISK_FROM} working days or more and not yet past {at.LIMIT}. "
                              "Overdue: past 45 working days (the scorecard's 'open assessments already past 45 "
                              "working days').")

    def open_chart(self) -> alt.LayerChart:
        a = self.audience
        by_team = at.open_by_team(self.open_now())
        by_team = by_team[(by_team["at_risk"] + by_team["overdue"]) > 0]
        long = by_team.melt(["team_id", "team", "open"], ["overdue", "at_risk"], var_name="status", value_name="n")
        long["status"] = long["status"].map({"overdue": "Overdue", "at_risk": "At risk"})
        long = suppress_frame(long, a, counts=("n",), complementary=True, groups="status")
        long["text"] = ["c" if s else count_text(v, "internal") for v, s in zip(long["n"].fillna(0), long["suppressed"])]
        long = long[["team", "status", "n", "text"]]
        total = long.groupby("team")["n"].sum().sort_values(ascending=False)
        title = "Open assessments at risk of passing 45 working days"
        if len(total) and total.iloc[0] > 0:
            title = f"{total.index[0]} holds the most assessments at risk or overdue"
        y = alt.Y("team:N", sort=list(total.index), title=None, axis=alt.Axis(labelLimit=220))
        chart = alt.Chart(long).mark_bar().encode(
            x=alt.X("n:Q", title="Open assessments", stack="zero"), y=y,
            color=alt.Color("status:N", scale=alt.Scale(domain=["Overdue", "At risk"], range=[AF_ORANGE, AF_DARK_BLUE]),
                            legend=alt.Legend(title=None, orient="top")),
            order=alt.Order("status:N", sort="descending"),
            tooltip=[alt.Tooltip("team:N", title="Team"), alt.Tooltip("status:N", title="Status"),
                     alt.Tooltip("text:N", title="Assessments")])
        return chart.properties(width=WIDTH - 200, height=max(80, 30 * len(total)), title=alt.TitleParams(
            title, subtitle=[f"Open at the end of {_month_label(self.month)}: overdue (past 45 working days) and at "
                             f"risk ({at.RISK_FROM} working days or more)" + (" (c: 1 to 5, not drawn)"
                                                                              if a == "shared" else "")]))

    def open_list(self) -> HtmlTable:
        _internal(self.audience, "the list of open assessments")
        o = self.open_now()
        o = o[o["status"] != "on track"]
        return table(o, [Column("child_id", "Child"), Column("start_date", "Started", "date"),
                         Column("working_days_so_far", "Working days so far", "wd"),
                         Column("due_date", "Due (45 working days)", "date"),
                         Column("working_days_left", "Working days left", "wd"),
                         Column("status", "Status", "text"), Column("team", "Team", "text"),
                         Column("worker", "Worker", "text")], "internal",
                     caption=f"Open assessments at risk or overdue, end of {_month_label(self.month)} ({len(o)})",
                     note="Most urgent first. Working days left is negative once an assessment is overdue.")

    def referral_chart(self) -> alt.LayerChart:
        a = self.audience
        r, bands = at.referral_to_start(self.history, self.year)
        bands = suppress_frame(bands, a, counts=("assessments",), shares={"pct": "assessments"}, complementary=True)
        bands["text"] = [("c" if s else f"{count_text(v, 'internal')} ({p:.1f}%)")
                         for v, p, s in zip(bands["assessments"].fillna(0), bands["pct"].fillna(0), bands["suppressed"])]
        bands = bands.assign(shown=bands["assessments"].fillna(0.0))[["band", "assessments", "shown", "text"]]
        title = "Working days from referral to assessment start"
        if r["linked"] and not hidden(r["linked"], a):
            title = (f"Half of assessments started within {number_text(r['median_wd'], r['linked'], a)} working "
                     f"day{'' if r['median_wd'] == 1 else 's'} of the referral")
        y = alt.Y("band:N", sort=[b for _, _, b in at.REFERRAL_BANDS], title="Working days", axis=alt.Axis(labelLimit=120))
        bars = alt.Chart(bands).mark_bar(color=AF_TURQUOISE).encode(
            x=alt.X("shown:Q", title="Assessments started"), y=y,
            tooltip=[alt.Tooltip("band:N", title="Working days"), alt.Tooltip("text:N", title="Assessments")])
        labels = alt.Chart(bands).mark_text(align="left", dx=4, fontSize=11).encode(x="shown:Q", y=y, text="text:N")
        note = [f"Assessments started in {self.year.label}, by working days since the referral they belong to."]
        if r["before_referral"]:
            note.append(f"{count_text(r['before_referral'], a)} starting before their referral left out "
                        "(data-quality errors).")
        return alt.layer(bars, labels).properties(width=WIDTH - 160, height=190,
                                                  title=alt.TitleParams(title, subtitle=note))

    def referral_team_table(self) -> HtmlTable:
        t = at.referral_to_start_by_team(self.history, self.year)
        return table(t, [Column("team", "Team"), Column("started", "Assessments started", "count"),
                         Column("median_wd", "Median working days", "wd", "started"),
                         Column("pct_10", "Within 10 working days", "pct", "within_10")], self.audience,
                     caption=f"Referral to assessment start by team ({self.year.label})", complementary=True)


def _count_pct(n, pct, audience: str) -> str:
    c = count_text(n, audience)
    return c if c == "c" else f"{c} ({pct_text(pct, n, audience)})"


def _month_name(short: str) -> str:
    return pd.Timestamp(f"2001-{short}-01").strftime("%B")
