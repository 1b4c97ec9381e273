"""The monthly pack's sections, as things a notebook displays.

Each function takes a gathered pack (``packs.monthly.MonthlyPack``, read by attribute:
this layer cannot import packs) and returns displayable objects: ``Html`` blocks and
charts (``charts.trend_spec``). A notebook cell is then one call::

    display(sections.summary(pack))
    display(*sections.area(pack, "front_door"))

Sections, modelled on the seed scorecards:

* ``summary``: who and when, then the generated headlines (``narrative.headline_summary``);
* ``commentary``: the analyst's commentary for the month, markdown rendered with every
  piece of HTML in it escaped (``safe_markdown``);
* ``scorecard``: the board scorecard (``scorecard_table.scorecard_html``);
* ``area``: one area (front door, assessment, ...): a line on its targets, a table of its
  main measures like Rotherham's pages (recent months, year to date, annual trend,
  benchmarks), then per measure its status, the generated analysis, a trend chart with
  target, benchmarks and SPC limits, and its definition and what it tells us;
* ``about``: how to read the pack;
* internal audience only (each raises for a shared pack): ``data_quality``,
  ``overdue_assessments`` (child level), ``worker_caseloads`` (worker level).
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import numpy as np
import pandas as pd

from csc_workbench.assessment.spc import VARIATION_LABELS
from csc_workbench.measures.catalogue import AREA_TITLES
from csc_workbench.measures.export import SHARE_ONLY
from csc_workbench.presentation import narrative
from csc_workbench.presentation.charts import trend_spec
from csc_workbench.presentation.scorecard_table import RAG_STYLE, scorecard_html

# The measures an area's section opens up, as the seeds do (RO15's topic pages, SF24's key
# indicators). Any other measure with a target or rating is added after these.
MAIN_MEASURES = {
    "front_door": ("referral_rate", "rereferral_pct", "referral_to_assessment_pct", "contact_decision_1wd_pct"),
    "assessment": ("assessment_45wd_pct", "assessments_open_over_45wd", "seen_in_assessment_pct"),
    "child_protection": ("s47_rate", "icpc_15wd_pct", "cpp_rate", "cpp_repeat_pct", "cpp_visits_timely_pct",
                         "cpp_reviews_timely_pct"),
    "children_in_need": ("cin_rate", "cin_plan_pct", "cin_visits_timely_pct"),
    "looked_after": ("cla_rate", "cla_3plus_placements_pct", "cla_stability_pct", "cla_visits_timely_pct",
                     "cla_reviews_timely_pct", "cla_health_pct"),
    "care_leavers": ("cl_suitable_accom_pct", "cl_eet_pct", "cl_pathway_plan_pct"),
    "adoption": ("adoption_a1_days", "adoption_a2_days", "adoption_waiting"),
    "workforce": ("caseload_avg", "agency_sw_pct"),
}
CHART_UNITS = {  # axis title, number format, whether the axis starts at zero
    "pct": ("%", ".1f", False), "rate": ("Per 10,000 children", ",.1f", False),
    "count": ("Number", ",.0f", True), "days": ("Days", ",.0f", False), "number": ("Number", ",.1f", False),
}
RECENT_MONTHS = 6

CSS = """
<style>
.csc-header, .csc-main, .csc-footer { max-width: 1180px; }
.csc-contents { font-size: 0.95rem; }
.csc-lead { font-size: 1.1rem; }
.csc-headlines li { margin: 0 0 8px; }
.csc-commentary { border-left: 4px solid #12436D; padding: 2px 0 2px 14px; }
.csc-commentary h4 { margin: 10px 0 4px; }
.csc-note { border-left: 4px solid #12436D; padding: 2px 0 2px 14px; max-width: 44em; }
.csc-note p:first-of-type { display: inline; }
.csc-measure-head { margin: 32px 0 4px; }
.csc-status { margin: 2px 0 8px; font-size: 0.95rem; }
.csc-tag { display: inline-block; padding: 1px 8px; font-weight: bold; font-size: 0.85rem; margin-right: 6px;
  border: 1px solid #b1b4b6; }
.csc-analysis { margin: 6px 0; }
.csc-definition { font-size: 0.85rem; color: #383f43; margin: 0 0 8px; }
.csc-muted { color: #505a5f; }
table.csc-table { font-size: 0.82rem; }
table.csc-table th.csc-rowhead { text-align: left; font-weight: normal; min-width: 16em; }
table.csc-table td.csc-now { font-weight: bold; }
table.csc-table th.csc-sep, table.csc-table td.csc-sep { border-left: 2px solid #b1b4b6; }
.csc-internal { border: 2px solid #0b0c0c; padding: 4px 14px 8px; margin: 16px 0; }
</style>
"""


class Html:
    """A block of HTML that a notebook displays as such (and nothing else). ``metadata``
    travels with the output: ``{"csc": {"fields": {...}}}`` gives the page renderer extra
    fields for the page title (``packs.render.export_html``)."""

    def __init__(self, markup: str, metadata: dict | None = None):
        self.markup = markup
        self.metadata = metadata

    def _repr_html_(self):
        return (self.markup, self.metadata) if self.metadata else self.markup

    def __str__(self) -> str:
        return self.markup


def esc(text) -> str:
    return html.escape("" if text is None else str(text))


# --------------------------------------------------------------------------------------
# Markdown from people, made safe
# --------------------------------------------------------------------------------------
def safe_markdown(text: str) -> str:
    """Render an analyst's markdown (paragraphs, emphasis, lists, headings, tables) to HTML
    with every piece of raw HTML in it escaped (so ``<script>`` shows as text and never
    runs), images left out (a pack makes no request) and links shown as their text with the
    address after it in brackets (a shared page links nowhere)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").disable(["image"])

    def heading_open(self, tokens, idx, options, env):
        return "<h4>"

    def heading_close(self, tokens, idx, options, env):
        return "</h4>\n"

    def link_open(self, tokens, idx, options, env):
        env.setdefault("hrefs", []).append(tokens[idx].attrGet("href") or "")
        return ""

    def link_close(self, tokens, idx, options, env):
        href = env["hrefs"].pop() if env.get("hrefs") else ""
        return f" ({esc(href)})" if href else ""

    md.add_render_rule("heading_open", heading_open)
    md.add_render_rule("heading_close", heading_close)
    md.add_render_rule("link_open", link_open)
    md.add_render_rule("link_close", link_close)
    return md.render(text, {})


# --------------------------------------------------------------------------------------
# Small pieces
# --------------------------------------------------------------------------------------
def rag_tag(row: Mapping) -> str:
    """The RAG as a tag: colour and words together (never colour alone)."""
    label = row.get("rag_label")
    if not label:
        return ""
    colours = RAG_STYLE.get(row.get("rag"))
    style = f' style="background:{colours[0]};color:{colours[1]}"' if colours else ""
    return f'<span class="csc-tag"{style}>{esc(label)}</span>'


def table_html(frame: pd.DataFrame, *, caption: str | None = None, numeric: tuple[str, ...] = (),
               classes: str = "csc-table") -> str:
    """A plain table: text escaped, the named columns right-aligned."""
    right, text = ' style="text-align:right"', ' class="csc-text"'
    head = "".join(f'<th scope="col"{right if c in numeric else ""}>{esc(c)}</th>' for c in frame.columns)
    rows = []
    for rec in frame.itertuples(index=False):
        tds = "".join(f'<td{"" if c in numeric else text}>{esc(v)}</td>' for c, v in zip(frame.columns, rec))
        rows.append(f"<tr>{tds}</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f'<table class="{classes}">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# --------------------------------------------------------------------------------------
# Summary, commentary, scorecard, about
# --------------------------------------------------------------------------------------
def summary(pack) -> Html:
    """Who and when, then the headlines generated from the numbers."""
    kind = "a fictional authority (synthetic data)" if pack.synthetic else "local authority"
    first = f"{pack.first_month:%B %Y}" if getattr(pack, "first_month", None) is not None else None
    span = f" Figures run from {first} to {pack.month_label}." if first else ""
    lead = (f'<p class="csc-lead"><strong>{esc(pack.name)}</strong> ({esc(pack.authority)}), {esc(kind)}: '
            f"children's social care performance in <strong>{esc(pack.month_label)}</strong>.{esc(span)}</p>")
    items = narrative.headline_summary(pack.scorecard, pack.history)
    bullets = "".join(f"<li>{esc(s)}</li>" for s in items)
    fields = {"authority_name": f"{pack.name} ({pack.authority})"}
    return Html(f'{CSS}{lead}{contents(pack)}{at_a_glance(pack)}<h3>Headlines</h3>'
                f'<ul class="csc-headlines">{bullets}</ul>',
                metadata={"csc": {"fields": fields}})


def at_a_glance(pack) -> str:
    """Per area, how many measures with a target or rating are on target, amber and off
    target, with counts in words as well as colour."""
    card = pack.scorecard[pack.scorecard["rag"].notna() & (pack.scorecard["status"] == "ok")]
    if card.empty:
        return ""
    group = card["rag"].map(narrative._rag_group)
    rows = []
    for area, title in AREA_TITLES.items():  # a loop over areas
        g = group[card["area"] == area]
        if g.empty:
            continue
        cells = []
        for key, style in (("met", RAG_STYLE["green"]), ("near", RAG_STYLE["amber"]), ("missed", RAG_STYLE["red"])):
            n = int((g == key).sum())
            look = f' style="background:{style[0]};color:{style[1]};font-weight:bold"' if n else ""
            cells.append(f"<td{look}>{n}</td>")
        rows.append(f'<tr><th scope="row" class="csc-rowhead"><a href="#{esc(anchor(title))}">{esc(title)}</a></th>'
                    f"<td>{len(g)}</td>{''.join(cells)}</tr>")
    head = ("<tr><th scope=\"col\">Area</th><th scope=\"col\" style=\"text-align:right\">With a target</th>"
            "<th scope=\"col\" style=\"text-align:right\">On target</th>"
            "<th scope=\"col\" style=\"text-align:right\">Amber</th>"
            "<th scope=\"col\" style=\"text-align:right\">Off target</th></tr>")
    return (f'<h3>At a glance</h3><table class="csc-table"><thead>{head}</thead><tbody>{"".join(rows)}'
            f"</tbody></table>")


def anchor(heading: str) -> str:
    """The id nbconvert gives a markdown heading ('Front door' -> 'Front-door')."""
    return heading.strip().replace(" ", "-")


def contents(pack) -> str:
    """Links to the pack's sections (headings written by the notebook, ids by nbconvert)."""
    names = ["Scorecard", *(AREA_TITLES[a] for a in AREA_TITLES), "About this pack"]
    if pack.internal:
        names.append("Appendix: data quality")
    links = " &middot; ".join(f'<a href="#{esc(anchor(n))}">{esc(n)}</a>' for n in names)
    return f'<p class="csc-contents"><strong>Contents:</strong> {links}</p>'


def commentary(pack) -> Html:
    """The analyst's commentary for the month, rendered safely; a line saying there is none
    otherwise."""
    if not pack.commentary:
        where = (f" (an analyst can add it as <code>params/commentary/{esc(pack.authority)}/{esc(pack.month)}.md"
                 f"</code>)") if pack.internal else ""
        return Html(f'<h3>Analyst\'s commentary</h3><p class="csc-muted">No commentary has been written for '
                    f"{esc(pack.month_label)}{where}.</p>")
    return Html(f'<h3>Analyst\'s commentary</h3><div class="csc-commentary">{safe_markdown(pack.commentary)}</div>')


def scorecard(pack, workbook=None) -> Html:
    """The scorecard table; ``workbook`` (the XLSX written beside the page) is linked by
    its file name, which resolves next to the page wherever the pack folder is copied."""
    notes = [f"Benchmarks: {pack.benchmark_source}."] if pack.benchmark_source else []
    link = ""
    if workbook:
        from pathlib import Path

        name = Path(workbook).name
        link = (f'<p>The scorecard is also a spreadsheet for board papers: <a href="{esc(name)}">{esc(name)}</a> '
                f"(in the same folder as this page).</p>")
    return Html(link + scorecard_html(pack.scorecard, notes=notes))


def about(pack) -> Html:
    parts = [
        "<p><strong>Direction of travel</strong> compares the judged figure with the month before. The arrow "
        "shows which way the number moved; the word says whether that is an improvement or a deterioration "
        "for that measure (for context measures, such as numbers of referrals, it says only up or down). A "
        "change of less than 10% is shown as similar.</p>",
        "<p><strong>RAG</strong> ratings are against the targets in the authority's targets file: on target "
        "(green), within tolerance (amber) or off target (red); some measures use improvement bands "
        "(outstanding, good, requires improvement, inadequate) or the middle 50% of English authorities. The "
        "rating is always written as well as coloured.</p>",
        "<p><strong>Statistical process control (SPC)</strong> separates the usual month-to-month variation "
        "from changes worth investigating. The grey band on each chart is the usual range (process limits: "
        "the average plus or minus 2.66 times the average month-to-month change, over the months shown); a "
        "diamond marks a month that signals special cause variation: outside the band, a run of 7 months on "
        "one side of the average, 6 months rising or falling in a row, or 2 of 3 months near a limit.</p>",
        f"<p><strong>Benchmarks</strong>: {esc(pack.benchmark_source)}. They are the latest complete year "
        f"({esc(pack.benchmark_year or 'none available')}); a count is compared only with its own yearly "
        f"total.</p>",
    ]
    if pack.audience == "shared":
        parts.append("<p><strong>Small numbers</strong>: this is a shared pack. It holds aggregate figures "
                     "only; a count of 1 to 5 children, and any percentage or rate resting on one, is shown as "
                     "c, as in DfE's published statistics.</p>")
    return Html("".join(parts))


# --------------------------------------------------------------------------------------
# Areas
# --------------------------------------------------------------------------------------
def main_measures(pack, area: str) -> list[str]:
    """The area's measures that get a write-up: MAIN_MEASURES first, then any other measure
    with a target or rating, then hand-entered ones; only those with a figure (or a
    suppressed one) for the month."""
    rows = pack.area_rows(area)
    rows = rows[(rows["status"] != "not_available") & ~rows["measure"].isin(list(SHARE_ONLY))]
    have = list(rows["measure"])
    chosen = [m for m in MAIN_MEASURES.get(area, ()) if m in have]
    targeted = rows[rows["rag_scheme"].notna()]["measure"].tolist()
    manual = rows[rows["kind"] == "manual"]["measure"].tolist()
    return list(dict.fromkeys(chosen + targeted + manual))


def area_intro(pack, area: str, measures: list[str]) -> str:
    rows = pack.area_rows(area)
    rows = rows[rows["measure"].isin(measures)]
    judged = rows[rows["rag"].notna()]
    if judged.empty:
        return (f'<p class="csc-muted">No measure in this section has a target; the figures are for context '
                f"and comparison.</p>")
    groups = judged["rag"].map(narrative._rag_group)
    parts = [f"{int((groups == g).sum())} {w}" for g, w in (("met", "on target"), ("near", "amber"),
                                                            ("missed", "off target")) if (groups == g).any()]
    return (f"<p>{_plural(len(judged), 'measure')} in this section "
            f"{'has' if len(judged) == 1 else 'have'} a target or rating: {esc(narrative.join_words(parts))}.</p>")


def recent_table(pack, area: str, measures: list[str]) -> str:
    """Rotherham's topic table, one row per measure: the last months of the judged figure,
    the year to date, the last complete years and the latest benchmarks."""
    rows = pack.scorecard.set_index("measure").loc[measures]
    if rows.empty:
        return ""
    end = pd.Period(pack.month_end, "M")
    months = [str(end - k) for k in range(RECENT_MONTHS - 1, -1, -1)]
    years = sorted({y for d in rows["annual_display"] for y in (d or {})})[-3:]
    bench = pack.benchmark_year
    header = ["Measure"] + [f"{pd.Period(m, 'M'):%b %y}" for m in months] + ["Year to date"] + \
             [f"{y}" for y in years] + [f"Stat. neighbours {bench}" if bench else "Stat. neighbours",
                                        f"England {bench}" if bench else "England"]
    sep = {len(months) + 1, len(months) + 2 + len(years)}
    head = "".join(f'<th scope="col" class="{"csc-sep" if i in sep else ""}" style="text-align:'
                   f'{"left" if i == 0 else "right"}">{esc(h)}</th>' for i, h in enumerate(header))
    body = []
    for mid, r in rows.iterrows():
        unit = r["unit"]
        label = r["title"] + _series_note(r["series_period"])
        # By month label: a measure entered by quarter has figures only at quarter ends.
        by_month = dict(zip(r["series_months"], r["series_14_display"]))
        recent = [by_month.get(m, "\u2013") for m in months]
        ytd = "\u2013" if r["kind"] in ("stock", "manual") else r["display_ytd"]
        annual = [(r["annual_display"] or {}).get(y, "\u2013") for y in years]
        benches = ["\u2013", "\u2013"] if unit == "count" else [
            narrative.fmt(r["sn_average"], unit) if pd.notna(r["sn_average"]) else "\u2013",
            narrative.fmt(r["england"], unit) if pd.notna(r["england"]) else "\u2013"]
        benches = [b.replace(" days", "") for b in benches]
        cells = recent + [ytd] + annual + benches
        tds = "".join(f'<td class="{_cell_class(i, len(recent), sep)}">{esc(v)}</td>' for i, v in enumerate(cells))
        body.append(f'<tr><th scope="row" class="csc-rowhead">{esc(label)}</th>{tds}</tr>')
    return (f'<table class="csc-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>')


def _cell_class(i: int, n_recent: int, sep: set[int]) -> str:
    classes = ["csc-now"] if i == n_recent - 1 else []
    if i + 1 in sep:
        classes.append("csc-sep")
    return " ".join(classes)


def _series_note(period) -> str:
    return {"rolling_12m": " (rolling 12 months)", "rolling_6m": " (rolling 6 months)",
            "snapshot": " (at month end)", "ytd": " (year to date)", "quarter": " (quarter)",
            "year": " (year)"}.get(period, "")


def measure_block(pack, row: Mapping, text: str | None = None) -> Html:
    """A measure's heading, status line, analysis (``text``, else generated) and definition."""
    unit = row.get("unit")
    when = narrative.period_phrase(row.get("headline_period"), pack.month_end)
    shown = narrative.fmt(row.get("value"), unit, row.get("status"))
    dot = row.get("dot_month_label")
    status = f"{rag_tag(row)}<strong>{esc(shown)}</strong> {esc(when)}"
    if dot:
        status += f" &middot; {esc(dot)} on the month before"
    if text is None:
        text = narrative.analysis(row, pack.history_for(row["measure"]), pack.teams_for(row["measure"]))
    note = row.get("commentary")
    note = (f'<div class="csc-note"><strong>Analyst\'s note:</strong> {safe_markdown(str(note))}</div>'
            if isinstance(note, str) and note.strip() else "")
    return Html(f'<h3 class="csc-measure-head">{esc(row.get("title"))}</h3><p class="csc-status">{status}</p>'
                f'<p class="csc-analysis">{esc(text)}</p>{note}')


def plain_definition(text, titles: Mapping[str, str] | None = None) -> str:
    """A catalogue definition for readers, without the workbench's internal names: measure
    ids become the measures' titles ('As assessment_45wd_pct ...' -> 'As assessments
    completed within 45 working days ...'), sentences and clauses about settings
    ('Option assessment_clock=...', '(option cin_visit_days)') are left out, and any other
    name_with_underscores is written as words."""
    import re

    out = str(text or "")
    out = re.sub(r"\s*\(option [a-z0-9_]+\)", "", out)
    out = re.sub(r";\s*option [a-z0-9_]+=[^/]*?(?= /)", "", out)
    out = re.sub(r"(?:^|(?<=\. ))Option [a-z0-9_]+=[^.]*\.\s*", "", out)
    # Only ids with an underscore: 'assessments' or 'referrals' are also ordinary words.
    for mid, title in sorted(((k, v) for k, v in (titles or {}).items() if "_" in k), key=lambda kv: -len(kv[0])):
        out = re.sub(rf"\b{re.escape(mid)}\b", narrative.lower_first(title), out)
    out = re.sub(r"\b[a-z]+(?:_[a-z0-9]+)+\b", lambda m: m.group(0).replace("_", " "), out)
    return re.sub(r"\s{2,}", " ", out).strip()


def definition_block(row: Mapping, titles: Mapping[str, str] | None = None) -> Html:
    """The measure's definition and what it tells us (RO15 and SF17), in small print."""
    return Html(f'<p class="csc-definition"><strong>Definition:</strong> '
                f'{esc(plain_definition(row.get("definition"), titles))} <strong>What it tells us:</strong> '
                f'{esc(plain_definition(row.get("tells_us"), titles))}</p>')


def chart_frame(pack, row: Mapping) -> pd.DataFrame:
    """One measure's months for its trend chart: the monthly figure (SPC's series: the month,
    else the month end) with the SPC mean, limits and flags, the target, and the judged
    figure when the target is set on a rolling period (drawn as its own line)."""
    mid = row["measure"]
    h = pack.history_for(mid)
    s = pack.spc_for(mid)
    if len(s):
        variation = s["variation"].to_numpy(dtype=object)
        ok = np.array([v is not None and v == v and v != "too_few_points" for v in variation], dtype=bool)
        flag = s["special_cause"].to_numpy(dtype=bool)
        limit = lambda col: np.where(ok, s[col].to_numpy(dtype="float64"), np.nan)  # noqa: E731
        frame = pd.DataFrame({
            "period": s["period_end"].to_numpy(),
            "value": s["value"].to_numpy(dtype="float64"),
            "centre": limit("mean"), "lower": limit("lcl"), "upper": limit("ucl"),
            "flag": flag,
            "flag_note": np.array([VARIATION_LABELS.get(v, "") if f else "" for v, f in zip(variation, flag)],
                                  dtype=object),
        })
    else:  # entered by quarter or year: no monthly series, no SPC
        frame = pd.DataFrame({"period": h["period_end"].to_numpy(), "value": h["value"].to_numpy(dtype="float64")})
    by_month = {p: i for i, p in enumerate(h["period_end"])}
    pick = np.array([by_month.get(p, -1) for p in frame["period"]])  # a loop over months
    take = lambda col: np.where(pick >= 0, h[col].to_numpy(dtype="float64")[np.maximum(pick, 0)], np.nan) \
        if len(h) else np.full(len(frame), np.nan)  # noqa: E731
    frame["target"] = take("target")
    judged_period = row.get("headline_period") not in ("month", "snapshot", "quarter", "year")
    if judged_period and len(s):
        frame["judged"] = take("value")
    if row.get("unit") in ("pct", "rate", "count", "days") and "lower" in frame.columns:
        frame["lower"] = frame["lower"].clip(lower=0)  # these cannot go below zero
    # Three decimals are more than a chart or its tooltips show, and keep the page small.
    numbers = [c for c in ("value", "centre", "lower", "upper", "target", "judged") if c in frame.columns]
    frame[numbers] = frame[numbers].round(3)
    return frame


def measure_chart(pack, row: Mapping, description: str | None = None):
    """The trend chart for one measure (None when there is nothing to draw); ``description``
    is what a screen reader announces (the analysis)."""
    frame = chart_frame(pack, row)
    if frame["value"].notna().sum() < 2:
        return None
    unit = row.get("unit")
    axis, number_format, zero = CHART_UNITS.get(unit, ("Value", ",.1f", False))
    lines: dict[str, str | float] = {}
    if "judged" in frame.columns:
        lines[{"rolling_12m": "Rolling 12 months", "rolling_6m": "Rolling 6 months",
               "ytd": "Year to date"}.get(row.get("headline_period"), "Judged figure")] = "judged"
    if unit != "count":
        year = f" {pack.benchmark_year}" if pack.benchmark_year else ""
        if pd.notna(row.get("sn_average")):
            lines[f"Stat. neighbours{year}"] = float(row["sn_average"])
        if pd.notna(row.get("england")):
            lines[f"England{year}"] = float(row["england"])
    has_target = frame["target"].notna().any()
    target = "target" if has_target else None
    if not has_target:
        frame = frame.drop(columns="target")
        lo, hi = row.get("target_low"), row.get("target_high")
        if pd.notna(lo) and pd.notna(hi):  # a target range: both edges
            target, has_target = (float(lo), float(hi)), True
    if "lower" in frame.columns and not frame["lower"].notna().any():
        frame = frame.drop(columns=["centre", "lower", "upper"])
    base = "Month-end figure" if row.get("headline_period") == "snapshot" or row.get("kind") == "stock" \
        else "Monthly figure"
    subtitle = [f"{base} ({axis.lower() if axis != '%' else 'per cent'})"]
    if "lower" in frame.columns:
        subtitle.append("grey band: usual range (SPC)")
    if "flag" in frame.columns and frame["flag"].any():
        subtitle.append("diamonds: unusual months")
    if has_target or lines:
        named = [k.lower() if k.startswith(("Rolling", "Year")) else k for k in lines]
        first = ["target range"] if isinstance(target, tuple) else ["target"] if has_target else []
        subtitle.append("dashed: " + narrative.join_words(first + named))
    return trend_spec(frame, narrative.chart_title(row), subtitle="; ".join(subtitle), value_label=axis,
                      value_format=number_format, target=target,
                      benchmarks=lines or None, zero=zero, width=600, height=240,
                      description=description)


def area(pack, area: str) -> list:
    """Everything one area's section displays, in order."""
    measures = main_measures(pack, area)
    if not measures:
        return [Html(f'<p class="csc-muted">No figures are available for {esc(AREA_TITLES.get(area, area).lower())} '
                     f"this month.</p>")]
    out: list = [Html(area_intro(pack, area, measures) + recent_table(pack, area, measures))]
    rows = pack.scorecard.set_index("measure")
    titles = dict(zip(pack.scorecard["measure"], pack.scorecard["title"]))
    for mid in measures:
        row = rows.loc[mid].to_dict()
        row["measure"] = mid
        text = narrative.analysis(row, pack.history_for(mid), pack.teams_for(mid))
        out.append(measure_block(pack, row, text))
        chart = measure_chart(pack, row, text)
        if chart is not None:
            out.append(chart)
        out.append(definition_block(row, titles))
    return out


# --------------------------------------------------------------------------------------
# Internal only
# --------------------------------------------------------------------------------------
def _internal(pack, what: str) -> None:
    if pack.audience != "internal":
        raise PermissionError(f"{what} is child- or worker-level: internal packs only")


def data_quality(pack) -> Html:
    """The load account, rule counts, and the measures left out (internal only)."""
    _internal(pack, "the data-quality appendix")
    parts = ["<h3>Load account</h3>"]
    if pack.load_account is None or len(pack.load_account) == 0:
        if pack.synthetic:
            parts.append("<p>No load account is recorded: this authority's data was generated synthetically "
                         "straight into the warehouse (<code>cscw synth</code>), not loaded from files.</p>")
        else:
            parts.append("<p>No load account is recorded for this authority in the warehouse.</p>")
    else:
        acc = pack.load_account.copy()
        when = pd.to_datetime(acc["loaded_at"]).max()
        totals = acc[["rows_read", "loaded", "rejected", "fixed", "warnings"]].sum()
        parts.append(f"<p>Latest load, {when:%d %B %Y %H:%M}: {int(totals['rows_read']):,} rows read, "
                     f"{int(totals['loaded']):,} loaded, {int(totals['rejected']):,} rejected, "
                     f"{int(totals['fixed']):,} fixed and {int(totals['warnings']):,} warnings.</p>")
        shown = acc.drop(columns=["loaded_at"]).rename(columns={
            "file": "File", "table": "Table", "rows_read": "Rows read", "loaded": "Loaded", "rejected": "Rejected",
            "fixed": "Fixed", "warnings": "Warnings"})
        parts.append(table_html(shown, numeric=("Rows read", "Loaded", "Rejected", "Fixed", "Warnings")))
        if pack.dq_rules is not None and len(pack.dq_rules):
            rules = pack.dq_rules.rename(columns={"table": "Table", "rule": "Rule", "action": "Action", "n": "Rows"})
            parts.append("<h4>Checks that rejected, fixed or warned about rows</h4>")
            parts.append(table_html(rules, numeric=("Rows",)))
    card = pack.scorecard
    missing = card[card["status"] == "not_available"]
    parts.append("<h3>Measures not available</h3>")
    if missing.empty:
        parts.append("<p>Every measure in the catalogue has a figure for the month.</p>")
    else:
        frame = pd.DataFrame({"Area": missing["area"].map(AREA_TITLES).fillna("").to_numpy(),
                              "Measure": missing["title"].to_numpy(),
                              "Why": missing["note"].fillna("no figure").to_numpy()})
        parts.append(table_html(frame))
    noted = card[(card["status"] == "ok") & card["note"].notna()]
    if len(noted):
        parts.append("<h3>Notes on this month's figures: records left out</h3>")
        frame = pd.DataFrame({"Measure": noted["title"].to_numpy(), "Note": noted["note"].to_numpy()})
        parts.append(table_html(frame))
    return Html("".join(parts))


def overdue_assessments(pack, limit: int = 50) -> Html:
    """Children whose assessment is open past 45 working days (internal only)."""
    _internal(pack, "the list of open assessments")
    frame = pack.overdue_assessments
    if frame is None or frame.empty:
        return Html(f"<p>No assessment was open past 45 working days at the end of {esc(pack.month_label)}.</p>")
    shown = frame.head(limit)
    more = len(frame) - len(shown)
    tail = f" The {len(shown)} open longest are listed; {more} more are not." if more > 0 else ""
    return Html(f"<div class=\"csc-internal\"><h4>Children waiting: assessments open past 45 working days at the "
                f"end of {esc(pack.month_label)} ({len(frame):,})</h4><p>Internal: named children and workers."
                f"{esc(tail)}</p>" + table_html(shown, numeric=("Working days open",)) + "</div>")


def worker_caseloads(pack, limit: int = 25) -> Html:
    """The workers with the most children allocated (internal only)."""
    _internal(pack, "caseloads by worker")
    frame = pack.worker_caseloads
    if frame is None or frame.empty:
        return Html("<p>No case allocations are recorded for the month end.</p>")
    shown = frame.head(limit)
    return Html(f"<div class=\"csc-internal\"><h4>Highest caseloads at the end of {esc(pack.month_label)}</h4>"
                f"<p>Internal: named workers. {len(frame):,} workers held cases; the {len(shown)} with the most "
                f"children are listed.</p>" + table_html(shown, numeric=("Children allocated",)) + "</div>")


__all__ = ["Html", "MAIN_MEASURES", "about", "area", "chart_frame", "commentary", "data_quality",
           "main_measures", "measure_block", "measure_chart", "overdue_assessments", "safe_markdown",
           "scorecard", "summary", "worker_caseloads"]
