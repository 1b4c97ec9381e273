"""Sentences an analyst would write, generated from the numbers.

Everything here reads scorecard rows (``assessment.build_scorecard``) and the per-month
assessment table (``assessment.build_assessment_table``); it never recomputes a measure.
Numbers become text only through ``privacy.format_value``, so "c", "n/a", percentages and
thousands separators look as they do in every table. A sentence whose numbers are missing
is left out rather than written with a gap: no "nan" ever reaches a page.

Direction words follow the measure's polarity: a measure where high or low is good
"improved" or "worsened"; a context measure (polarity none or range) "rose" or "fell".

Public functions:

* ``analysis(row, history=None, teams=None)``: the paragraph under a measure's chart
  (SF24's "Analysis" column): the month and its movement, rolling 6 against 12 months, a
  year ago, the target, benchmarks, SPC signals and the team that moved most.
* ``chart_title(row)``: a title that states the finding ("Assessments completed within
  45 working days fell to 71.0% in September, below the 86.0% target").
* ``headline_summary(scorecard, history)``: the pack's opening bullets: targets met and
  missed, what changed since last month, the largest movements, new SPC signals, demand.
* ``target_phrase``, ``spc_phrase``, ``period_phrase``: the pieces, for other pages.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from csc_workbench.privacy import format_value

JUDGED = ("high", "low")
# A difference smaller than this share of the benchmark reads as "in line with" it.
IN_LINE = 0.025
MET = ("green", "good", "outstanding")
NEAR = ("amber", "ri")
MISSED = ("red", "inadequate")
RULE_WORDS = {
    "beyond_limits": "outside the usual range",
    "shift": "part of a run of 7 or more months on the same side of the average",
    "trend": "part of a run of 6 months each {dir} than the one before",
    "two_of_three": "close to the edge of the usual range in 2 of the last 3 months",
}


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------
def _num(x) -> float | None:
    """A finite float, or None (None, NaN, inf, text)."""
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def fmt(value, unit: str | None, status: str | None = "ok") -> str:
    """``privacy.format_value``, with 'days' after a number of days (a bare 156.0 reads as
    anything)."""
    text = format_value(value, unit, status)
    return f"{text} days" if unit == "days" and text not in ("c", "n/a") else text


def lower_first(title: str) -> str:
    """'Referrals received' -> 'referrals received'; acronyms kept ('ICPCs ...', 'S47 ...')."""
    if not title:
        return title
    first = title.split(" ", 1)[0]
    if len(first) > 1 and (first[1].isupper() or first[1].isdigit()):
        return title
    return title[0].lower() + title[1:]


def join_words(items: Sequence[str], conj: str = "and") -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conj} " + items[-1]


def month_name(month_end) -> str:
    return f"{pd.Timestamp(month_end):%B %Y}"


def _previous_month_end(month_end, months: int = 1) -> pd.Timestamp:
    return (pd.Period(pd.Timestamp(month_end), "M") - months).to_timestamp(how="end").normalize()


def period_phrase(period_type: str | None, month_end, *, short: bool = False) -> str:
    """'in September 2025', 'at the end of September 2025', 'in the 12 months to September
    2025', ... (``short``: without the year)."""
    m = pd.Timestamp(month_end)
    label = f"{m:%B}" if short else f"{m:%B %Y}"
    if period_type == "snapshot":
        return f"at the end of {label}"
    if period_type == "rolling_12m":
        return f"in the 12 months to {label}"
    if period_type == "rolling_6m":
        return f"in the 6 months to {label}"
    if period_type == "ytd":
        start = "April" if m.month != 4 else None
        return f"in the year to date ({start} to {label})" if start else f"in {label}"
    if period_type == "quarter":
        q_start = pd.Timestamp(m.year, ((m.month - 1) // 3) * 3 + 1, 1)
        return f"in the quarter to date ({q_start:%B} to {label})" if q_start.month != m.month else f"in {label}"
    if period_type == "year":
        fy_end = m.year if m.month <= 3 else m.year + 1
        fy = f"{fy_end - 1}-{str(fy_end)[2:]}"
        return f"in {fy}" if m.month == 3 else f"in {fy} to {label}"
    return f"in {label}"


def _previous_label(period_type: str | None, month_end, step: int = 1) -> str:
    prev = _previous_month_end(month_end, step)
    if step == 3:
        return "the previous quarter"
    if step == 12:
        return "the previous year"
    if period_type == "snapshot":
        return f"the end of {prev:%B}"
    if period_type == "rolling_12m":
        return f"the 12 months to {prev:%B}"
    if period_type == "rolling_6m":
        return f"the 6 months to {prev:%B}"
    return f"{prev:%B}"


def change_text(current, previous, unit: str | None) -> str | None:
    """'up 7.1 percentage points' (a percentage), 'down 12%' (anything else); None when it
    cannot be worked out (or there was nothing before)."""
    cur, prev = _num(current), _num(previous)
    if cur is None or prev is None:
        return None
    diff = cur - prev
    way = "up" if diff > 0 else "down"
    if unit == "pct":
        pts = format_value(abs(diff), "number")
        if pts == "0.0":
            return "unchanged"
        return f"{way} {pts} percentage point{'' if pts == '1.0' else 's'}"
    if prev == 0:
        return None
    rel = abs(diff) / abs(prev) * 100
    text = format_value(rel, "pct", decimals=0)
    return "unchanged" if text == "0%" else f"{way} {text}"


def compare_word(value, other, polarity: str | None, *, band: float = IN_LINE) -> str | None:
    """'better than' / 'worse than' (judged measures), 'higher than' / 'lower than'
    (context), 'in line with' within ``band`` (relative)."""
    v, o = _num(value), _num(other)
    if v is None or o is None:
        return None
    scale = max(abs(o), 1e-9)
    if abs(v - o) / scale < band:
        return "in line with"
    higher = v > o
    if polarity == "high":
        return "better than" if higher else "worse than"
    if polarity == "low":
        return "worse than" if higher else "better than"
    return "higher than" if higher else "lower than"


def _movement(word: str | None, polarity: str | None) -> str | None:
    """The scorecard's direction word as a comparison with the previous value."""
    if word is None:
        return None
    return {"improving": "better than", "worsening": "worse than", "similar": "similar to",
            "up": "up from", "down": "down from"}.get(word)


# --------------------------------------------------------------------------------------
# Pieces
# --------------------------------------------------------------------------------------
def _bound(value, unit, polarity) -> str:
    """'at least 86.0%' (high is good), 'at most 23.0%' (low is good)."""
    word = "at least" if polarity == "high" else "at most" if polarity == "low" else ""
    return f"{word} {fmt(value, unit)}".strip()


def target_words(row: Mapping) -> str | None:
    """The target in words, without the judgement: 'a target of at least 86.0%', 'a target
    range of 16.0-22.0', 'the improvement bands (good from 85.0%)', 'the middle 50% of
    England'."""
    scheme, unit, pol = row.get("rag_scheme"), row.get("unit"), row.get("polarity")
    if scheme is None:
        return None
    if scheme == "mid50":
        return "the middle 50% of England"
    if scheme == "bands":
        text = row.get("target_text")
        return f"the improvement bands ({text})" if text else "the improvement bands"
    lo, hi = _num(row.get("target_low")), _num(row.get("target_high"))
    if lo is not None and hi is not None:
        return f"a target range of {fmt(lo, unit)}\u2013{fmt(hi, unit)}"
    target = _num(row.get("target"))
    return f"a target of {_bound(target, unit, pol)}" if target is not None else None


def target_phrase(row: Mapping) -> str | None:
    """The target judgement as a clause: 'meets its target of at least 86.0%', 'misses its
    target of at most 23.0% but is within tolerance (at most 26.0%)', 'is rated requires
    improvement against the improvement bands (...)', ... or None."""
    rag, scheme, unit, pol = row.get("rag"), row.get("rag_scheme"), row.get("unit"), row.get("polarity")
    if rag is None or scheme is None:
        return None
    if scheme == "bands":
        label = lower_first(str(row.get("rag_label") or rag))
        return f"is rated {label.lower()} against {target_words(row)}"
    if scheme == "mid50":
        label = str(row.get("rag_label") or "")
        if not label or label == "No England benchmark":
            return None
        return "is " + lower_first(label)
    lo, hi = _num(row.get("target_low")), _num(row.get("target_high"))
    if lo is not None and hi is not None:
        rng = f"{fmt(lo, unit)}\u2013{fmt(hi, unit)}"
        return {"green": f"is within its target range of {rng}",
                "amber": f"is just outside its target range of {rng}, within tolerance",
                "red": f"is outside its target range of {rng}"}.get(rag)
    target = _num(row.get("target"))
    if target is None:
        return None
    goal = _bound(target, unit, pol)
    if rag == "green":
        return f"meets its target of {goal}"
    if rag == "amber":
        return f"misses its target of {goal} but is within tolerance"
    return f"misses its target of {goal}"


def target_short(row: Mapping) -> str | None:
    """For a chart title: 'below the 86.0% target', 'meeting the 23.0% target', ..."""
    rag, scheme, unit = row.get("rag"), row.get("rag_scheme"), row.get("unit")
    if rag is None or scheme is None:
        return None
    if scheme == "bands":
        return f"rated {str(row.get('rag_label') or rag).lower()}"
    if scheme == "mid50":
        label = str(row.get("rag_label") or "")
        return lower_first(label) if label and label != "No England benchmark" else None
    lo, hi = _num(row.get("target_low")), _num(row.get("target_high"))
    if lo is not None and hi is not None:
        rng = f"{fmt(lo, unit)}\u2013{fmt(hi, unit)}"
        return {"green": f"within the {rng} target range", "amber": f"just outside the {rng} target range",
                "red": f"outside the {rng} target range"}.get(rag)
    target = _num(row.get("target"))
    if target is None:
        return None
    t = fmt(target, unit)
    pol = row.get("polarity")
    if rag == "green":
        return f"meeting the {t} target"
    side = "below" if pol == "high" else "above" if pol == "low" else "off"
    if rag == "amber":
        return f"just {side} the {t} target"
    return f"{side} the {t} target"


def spc_phrase(row: Mapping, point: Mapping | None = None) -> str | None:
    """What SPC says about the month: special cause (with why), or that a movement is
    within the usual variation; None when there is nothing to say."""
    flag = row.get("spc_flag")
    if flag is None or flag == "too_few_points":
        return None
    period = row.get("headline_period")
    monthly = "" if period in ("month", "snapshot") else "monthly "
    month = f"{pd.Timestamp(row['month']):%B}"
    if flag == "common_cause":
        if row.get("dot_month") in ("improving", "worsening", "up", "down"):
            return (f"The change is within the usual month-to-month variation: SPC finds no special cause "
                    f"in {month}'s {monthly}figure.")
        return None
    unit = row.get("unit")
    rules = [r for r in str(row.get("spc_rules") or "").split(",") if r]
    value = _num((point or {}).get("spc_value"))
    mean = _num(row.get("spc_mean"))
    direction = "higher" if (value is not None and mean is not None and value > mean) else "lower"
    reasons = []
    for r in rules:
        words = RULE_WORDS.get(r)
        if words is None:
            continue
        if r == "beyond_limits":
            lcl, ucl = _num(row.get("spc_lcl")), _num(row.get("spc_ucl"))
            if lcl is not None and ucl is not None:
                words += f" ({fmt(max(lcl, 0.0) if unit != 'number' else lcl, unit)} to {fmt(ucl, unit)})"
        reasons.append(words.format(dir=direction))
    kind = {"special_cause_improving": "an improvement", "special_cause_concerning": "a concern",
            "special_cause_neither": "a change in the process"}.get(flag, "special cause variation")
    why = f": it is {join_words(reasons)}" if reasons else ""
    shown = f" ({fmt(value, unit)})" if value is not None and monthly else ""
    return f"SPC flags {month}'s {monthly}figure{shown} as special cause variation, {kind}{why}."


def team_phrase(row: Mapping, teams: pd.DataFrame | None, min_denominator: float = 10) -> str | None:
    """The team whose figure (the headline period) moved most since last month; teams with
    fewer than ``min_denominator`` in either month are left out of a percentage or average
    (a team of three swings by a third with one child)."""
    if teams is None or teams.empty:
        return None
    measure, period = row.get("measure"), row.get("headline_period")
    month = pd.Timestamp(row["month"])
    prev = _previous_month_end(month)
    t = teams[(teams["measure"] == measure) & (teams["period_type"] == period)]
    if t.empty:
        return None
    ends = t["period_end"].to_numpy()
    keys = t["breakdown_value"].to_numpy(dtype=object)
    vals = t["value"].to_numpy(dtype="float64")
    dens = t["denominator"].to_numpy(dtype="float64")
    names = t["team_name"].to_numpy(dtype=object) if "team_name" in t.columns else keys
    is_now = ends == np.datetime64(month)
    before = {k: (v, d) for k, v, d in zip(keys[~is_now], vals[~is_now], dens[~is_now])}
    check_size = row.get("unit") != "count"
    best = None
    for k, v, d, name in zip(keys[is_now], vals[is_now], dens[is_now], names[is_now]):  # a loop over teams
        if k not in before or np.isnan(v) or np.isnan(before[k][0]):
            continue
        if check_size and (d < min_denominator or before[k][1] < min_denominator):
            continue
        change = abs(v - before[k][0])
        if best is None or change > best[0]:
            best = (change, name, before[k][0], v)
    n_teams = int(is_now.sum())
    if best is None or best[0] == 0 or n_teams < 2:
        return None
    unit = row.get("unit")
    return (f"By team, the largest change since {prev:%B} was in {best[1]}: "
            f"{fmt(best[2], unit)} to {fmt(best[3], unit)}.")


def benchmark_phrase(row: Mapping) -> str | None:
    """The figure against the latest published benchmarks (not for counts, whose published
    figures are yearly totals)."""
    unit, pol = row.get("unit"), row.get("polarity")
    if unit == "count":
        return None
    year = row.get("benchmark_year")
    year_label = _year_label(year)
    value, what = _num(row.get("value_rolling_12m")), "The rolling 12-month figure"
    if value is None:
        value, what = _num(row.get("value")), "The figure"
    if value is None:
        return None
    parts = []
    for col, name in (("sn_average", "statistical neighbours"), ("region", "the region"), ("england", "England")):
        other = _num(row.get(col))
        if other is None:
            continue
        if col == "region" and _num(row.get("england")) is not None and \
                abs(other - _num(row.get("england"))) < 1e-9:
            continue  # one pool (fictional authorities): say it once
        word = compare_word(value, other, pol)
        if word:
            parts.append((word, f"{name} ({fmt(other, unit)})"))
    sentences = []
    if parts:
        # Group consecutive comparisons with the same word: "worse than X and Y".
        groups: list[tuple[str, list[str]]] = []
        for word, what_ in parts:
            if groups and groups[-1][0] == word:
                groups[-1][1].append(what_)
            else:
                groups.append((word, [what_]))
        clauses = [f"{w} {join_words(items)}" for w, items in groups]
        when = f" for {year_label}" if year_label else ""
        sentences.append(f"{what} ({fmt(value, unit)}) is {join_words(clauses, 'but')}{when}.")
    la, pos = _num(row.get("la_value")), row.get("mid50_position")
    p25, p75 = _num(row.get("england_p25")), _num(row.get("england_p75"))
    if la is not None and pos in ("below", "within", "above") and p25 is not None and p75 is not None:
        where = {"below": "below", "within": "within", "above": "above"}[pos]
        judge = row.get("mid50_judgement")
        judged = f", {judge} than most" if judge in ("better", "worse") and pos != "within" else ""
        own = f"its own published figure for {year_label}" if year_label else "its own published figure"
        sentences.append(f"At {fmt(la, unit)}, {own} was {where} the middle 50% of authorities "
                         f"({fmt(p25, unit)} to {fmt(p75, unit)}){judged}.")
    return " ".join(sentences) if sentences else None


def _year_label(year) -> str | None:
    y = _num(year)
    if y is None:
        return str(year) if year else None
    y = int(y)
    return f"{y - 1}-{str(y)[2:]}"


# --------------------------------------------------------------------------------------
# The paragraph, the title and the summary
# --------------------------------------------------------------------------------------
def _history_point(history: pd.DataFrame | None, measure: str, month_end) -> Mapping | None:
    """The assessment table's row for the measure (breakdown 'all') at the month, as a dict."""
    if history is None or history.empty:
        return None
    match = (history["measure"].to_numpy(dtype=object) == measure) & \
        (history["period_end"].to_numpy() == np.datetime64(pd.Timestamp(month_end)))
    if "breakdown" in history.columns:
        match &= history["breakdown"].to_numpy(dtype=object) == "all"
    hit = np.flatnonzero(match)
    if not len(hit):
        return None
    i = hit[0]
    return {c: history[c].to_numpy()[i] for c in history.columns}


def analysis(row: Mapping, history: pd.DataFrame | None = None, teams: pd.DataFrame | None = None) -> str:
    """The analysis paragraph for one scorecard row (see the module docstring)."""
    unit, pol = row.get("unit"), row.get("polarity")
    month = pd.Timestamp(row["month"])
    period = row.get("headline_period")
    status = row.get("status")
    when = period_phrase(period, month)
    if status == "suppressed":
        return (f"The figure {when} is not shown: it rests on fewer than 6 children, so it is suppressed "
                f"in shared outputs.")
    value = _num(row.get("value"))
    if status == "not_available" or value is None:
        note = row.get("note")
        return f"No figure is available {when}" + (f" ({note})." if note else ".")

    out = []
    # 1. The figure and its movement.
    first = f"{when[0].upper()}{when[1:]} the figure was {value_text(row)}"
    point = _history_point(history, row["measure"], month)
    prev_value = _num((point or {}).get("previous_value"))
    movement = _movement(row.get("dot_month"), pol)
    if prev_value is not None and movement:
        step = 1
        if row.get("kind") == "manual" and period in ("quarter", "year"):
            step = 3 if period == "quarter" else 12
        change = change_text(value, prev_value, unit)
        detail = fmt(prev_value, unit) + (f", {change}" if change and change != "unchanged" else "")
        first += f", {movement} {_previous_label(period, month, step)} ({detail})"
    out.append(first + ".")

    # 2. Recent months against the year (flows with both rolling figures).
    r6, r12 = _num(row.get("value_rolling_6m")), _num(row.get("value_rolling_12m"))
    if r6 is not None and r12 is not None and row.get("kind") != "stock":
        if unit == "count":  # totals over 6 and 12 months: compare a month's average
            r6, r12 = r6 / 6, r12 / 12
            six = f"The last 6 months averaged {fmt(round(r6), unit)} a month"
            twelve = f"the last 12 months ({fmt(round(r12), unit)})"
        else:
            six = f"The last 6 months ({fmt(r6, unit)})"
            twelve = f"the rolling 12 months ({fmt(r12, unit)})"
        verb = "" if unit == "count" else " are"
        word = compare_word(r6, r12, pol)
        if word:
            tail = ""
            if pol in JUDGED and word != "in line with":
                tail = f", so recent months have been {word.split()[0]} than the year as a whole"
            out.append(f"{six}{verb}, {word} {twelve}{tail}." if unit == "count"
                       else f"{six}{verb} {word} {twelve}{tail}.")

    # 3. A year ago.
    year_ago = _num((point or {}).get("year_ago_value"))
    if year_ago is not None:
        word = compare_word(value, year_ago, pol, band=0.10 if pol not in JUDGED else IN_LINE)
        if word:
            word = {"in line with": "similar to"}.get(word, word)
            ago = _previous_month_end(month, 12)
            odd = ""
            then = _history_point(history, row["measure"], ago)
            if then is not None and "beyond_limits" in str(then.get("spc_rules") or "") and \
                    period in ("month", "snapshot"):
                odd = ", itself an unusual month"
            out.append(f"That is {word} a year earlier ({fmt(year_ago, unit)} {period_phrase(period, ago)}{odd}).")

    # 4. Target.
    tp = target_phrase(row)
    if tp:
        out.append(f"It {tp}.")

    # 5. Benchmarks.
    bp = benchmark_phrase(row)
    if bp:
        out.append(bp)

    # 6. SPC.
    sp = spc_phrase(row, point)
    if sp:
        out.append(sp)

    # 7. Teams.
    tp = team_phrase(row, teams)
    if tp:
        out.append(tp)
    return " ".join(out)


def chart_title(row: Mapping) -> str:
    """A title stating the finding, from the headline figure, its movement, and the target
    (else an SPC signal, else England)."""
    title = str(row.get("title") or row.get("measure"))
    unit, period = row.get("unit"), row.get("headline_period")
    month = pd.Timestamp(row["month"])
    value = _num(row.get("value"))
    when = period_phrase(period, month, short=True)
    if row.get("status") == "suppressed":
        return f"{title}: figure suppressed {when} (fewer than 6 children)"
    if value is None:
        return f"{title}: no figure {when}"
    arrow = row.get("dot_month_arrow")
    verb = {"\u2191": "rose to", "\u2193": "fell to"}.get(arrow, "was")
    if period == "snapshot" and verb == "was":
        verb = "stood at"
    head = f"{title} {verb} {value_text(row)} {when}"
    qualifier = target_short(row)
    if qualifier is None and str(row.get("spc_flag") or "").startswith("special_cause"):
        qualifier = {"special_cause_improving": "an unusual improvement",
                     "special_cause_concerning": "an unusual and concerning change",
                     "special_cause_neither": "an unusual change"}.get(row.get("spc_flag"))
    if qualifier is None and unit != "count":
        england = _num(row.get("england"))
        word = compare_word(value, england, row.get("polarity"))
        if word and england is not None:
            qualifier = f"{word} England ({fmt(england, unit)})"
    return f"{head}, {qualifier}" if qualifier else head


def usual_change(history: pd.DataFrame | None, month_end) -> pd.Series:
    """Each measure's usual month-to-month change of its judged series: the median absolute
    change over the months before ``month_end`` (measure -> value, in the measure's unit)."""
    if history is None or history.empty or not {"value", "previous_value"} <= set(history.columns):
        return pd.Series(dtype="float64")
    h = history
    if "breakdown" in h.columns:
        h = h[h["breakdown"] == "all"]
    h = h[h["period_end"] < pd.Timestamp(month_end)]
    change = (h["value"] - h["previous_value"]).abs()
    return change.groupby(h["measure"]).median().dropna()


def value_text(row: Mapping) -> str:
    """The headline figure as text; with two decimals when one decimal would print it equal
    to the target it is judged against (22.03 'just outside 16.0-22.0' must not read 22.0)."""
    value, unit = _num(row.get("value")), row.get("unit")
    text = fmt(value, unit, row.get("status"))
    if value is None or row.get("rag") in (None, "green", "good", "outstanding"):
        return text
    for bound in (row.get("target"), row.get("target_low"), row.get("target_high")):
        b = _num(bound)
        if b is not None and b != value and fmt(b, unit) == text:
            precise = format_value(value, unit, decimals=2)
            return f"{precise} days" if unit == "days" else precise
    return text


def _rag_words(row: Mapping) -> str:
    """'on target', 'requires improvement', 'worse than the middle 50% of England'."""
    return lower_first(str(row.get("rag_label") or row.get("rag") or ""))


def _rag_group(rag) -> str | None:
    if rag in MET:
        return "met"
    if rag in NEAR:
        return "near"
    if rag in MISSED:
        return "missed"
    return None


def _missed_detail(row: Mapping) -> str:
    """'78.3% against a target of at least 86.0%', '70.4%, rated inadequate'."""
    value = fmt(row.get("value"), row.get("unit"), row.get("status"))
    if row.get("rag_scheme") in ("bands", "mid50"):
        return f"{value}, {_rag_words(row)}"
    return f"{value} against {target_words(row)}"


def _short(row: Mapping) -> str:
    return lower_first(str(row.get("title") or row.get("measure")))


def headline_summary(scorecard: pd.DataFrame, history: pd.DataFrame | None = None,
                     *, max_items: int = 4) -> list[str]:
    """The opening bullets of a pack: one sentence each (see the module docstring)."""
    if scorecard.empty:
        return ["No measures could be computed for this month."]
    month = pd.Timestamp(scorecard["month"].iloc[0])
    prev = _previous_month_end(month)
    rows = scorecard[scorecard["status"] == "ok"]
    out: list[str] = []

    # Previous month's RAG and SPC, from the assessment table.
    before = {}
    if history is not None and len(history):
        h = history[history["period_end"] == prev]
        if "breakdown" in h.columns:
            h = h[h["breakdown"] == "all"]
        before = {m: r for m, r in zip(h["measure"], h.to_dict(orient="records"))}

    # 1. Targets.
    judged = rows[rows["rag"].notna()]
    groups = judged["rag"].map(_rag_group)
    n_met, n_near, n_missed = (int((groups == g).sum()) for g in ("met", "near", "missed"))
    if len(judged):
        are = lambda n: "is" if n == 1 else "are"  # noqa: E731
        parts = [f"{n_met} {are(n_met)} on target (green or good)" if n_met else None,
                 f"{n_near} {are(n_near)} amber (within tolerance, or requires improvement)" if n_near else None,
                 f"{n_missed} {are(n_missed)} off target (red or inadequate)" if n_missed else None]
        n = len(judged)
        s = f"Of the {n} measure{'' if n == 1 else 's'} with a target or rating, {join_words([p for p in parts if p])}"
        prev_groups = [_rag_group(before[m].get("rag")) for m in judged["measure"] if m in before]
        if prev_groups:
            pm = sum(g == "met" for g in prev_groups)
            s += f"; {pm} {'was' if pm == 1 else 'were'} on target in {prev:%B}"
        out.append(s + ".")
        missed = judged[groups == "missed"]
        if len(missed):
            items = [f"{_short(r)} ({_missed_detail(r)})" for r in missed.head(max_items).to_dict(orient="records")]
            more = len(missed) - len(items)
            tail = f"; and {more} more (see the scorecard)" if more > 0 else ""
            out.append(f"Off target: {'; '.join(items)}{tail}.")

    # 2. What changed since last month: RAG moves.
    if before:
        worse, better = [], []
        rank = {"met": 2, "near": 1, "missed": 0}
        for r in judged.to_dict(orient="records"):
            b = before.get(r["measure"])
            if b is None:
                continue
            g0, g1 = _rag_group(b.get("rag")), _rag_group(r["rag"])
            if g0 is None or g1 is None or g0 == g1:
                continue
            (better if rank[g1] > rank[g0] else worse).append(f"{_short(r)} (now {_rag_words(r)})")
        if worse or better:
            bits = []
            if better:
                bits.append(f"improved its rating: {join_words(better[:max_items])}" if len(better) == 1
                            else f"improved their rating: {join_words(better[:max_items])}")
            if worse:
                bits.append(f"slipped: {join_words(worse[:max_items])}")
            out.append(f"Since {prev:%B}, " + "; ".join(bits) + ".")
        else:
            out.append(f"No measure with a target changed its rating since {prev:%B}.")

    # 3. Largest movements among measures where high or low is good: ranked by the change
    # against the measure's usual month-to-month change (a move from 1.5% to 1.3% is -13%,
    # yet ordinary for a small percentage), else by the relative change.
    moving = rows[rows["polarity"].isin(JUDGED) & rows["dot_month"].isin(["improving", "worsening"])
                  & rows["pct_change_month"].notna()].copy()
    moving["_score"] = moving["pct_change_month"].abs() / 100
    usual = usual_change(history, month)
    if len(usual):
        def change_now(measure: str) -> float:
            point = _history_point(history, measure, month) or {}
            now, before_ = _num(point.get("value")), _num(point.get("previous_value"))
            return abs(now - before_) if now is not None and before_ is not None else np.nan

        scale = moving["measure"].map(usual).to_numpy(dtype="float64")
        change = np.array([change_now(m) for m in moving["measure"]], dtype="float64")  # a loop over measures
        known = (scale > 0) & ~np.isnan(change)
        with np.errstate(divide="ignore", invalid="ignore"):
            moving["_score"] = np.where(known, change / scale, moving["_score"].to_numpy())
    for word, label in (("improving", "improvement"), ("worsening", "deterioration")):
        sub = moving[moving["dot_month"] == word]
        if sub.empty:
            continue
        sub = sub.sort_values("_score", ascending=False, kind="stable").head(2)
        items = []
        for r in sub.to_dict(orient="records"):
            point = _history_point(history, r["measure"], month)
            prev_v = _num((point or {}).get("previous_value"))
            if prev_v is None:
                continue
            items.append(f"{_short(r)} ({fmt(prev_v, r['unit'])} to {fmt(r['value'], r['unit'])})")
        if items:
            plural = "s" if len(items) > 1 else ""
            out.append(f"Largest {label}{plural} since {prev:%B}: {'; '.join(items)}.")

    # 4. New SPC signals (special cause this month, not last month).
    special = rows[rows["spc_flag"].astype(str).str.startswith("special_cause")]
    new = [r for r in special.to_dict(orient="records")
           if not str((before.get(r["measure"]) or {}).get("spc_flag") or "").startswith("special_cause")]
    if new:
        kinds = {"special_cause_improving": "improving", "special_cause_concerning": "concerning",
                 "special_cause_neither": "neither better nor worse"}
        items = [f"{_short(r)} ({kinds.get(r['spc_flag'], 'unusual')})" for r in new[:max_items + 2]]
        more = len(new) - len(items)
        out.append(f"New SPC signals this month (special cause variation not seen in {prev:%B}): "
                   f"{'; '.join(items)}" + (f", and {more} more" if more > 0 else "") + ".")
    elif len(special):
        out.append(f"No new SPC signals this month; {len(special)} measure{'s' if len(special) != 1 else ''} "
                   f"continue{'' if len(special) != 1 else 's'} to show special cause variation.")

    # 5. Demand: referrals against the 12-month average; children on a plan and looked after.
    by_id = rows.set_index("measure")
    demand = []
    if "referrals" in by_id.index:
        r = by_id.loc["referrals"]
        v, avg = _num(r.get("value_month")), _num(r.get("avg_12m"))
        if v is not None:
            s = f"{fmt(v, 'count')} referrals in {month:%B}"
            word = compare_word(v, avg, "none", band=0.05) if avg is not None else None
            if word:
                s += f", {word} the 12-month average ({fmt(round(avg), 'count')})"
            demand.append(s)
    for mid, what in (("cpp", "children on a child protection plan"), ("cla", "children looked after")):
        if mid in by_id.index:
            v = _num(by_id.loc[mid].get("value"))
            if v is not None:
                demand.append(f"{fmt(v, 'count')} {what}")
    if demand:
        out.append("Demand: " + join_words(demand) + ".")
    return out


__all__ = ["analysis", "chart_title", "headline_summary", "target_phrase", "target_short", "spc_phrase",
           "team_phrase", "benchmark_phrase", "period_phrase", "change_text", "compare_word", "lower_first",
           "join_words", "fmt"]
