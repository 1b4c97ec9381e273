"""The regional comparison page: every authority of a run side by side per key measure,
ranked bars with the region and England lines, a table of latest values with rank and
RAG, and generated sentences (``analysis.regional`` computes; this module presents).

A run's authorities are compared as a regional improvement group does: on the rolling 12
months (flows) or the month end (stocks), best first by the measure's polarity. Values
built on 1 to 5 children are suppressed in a shared page (text and chart data alike).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import altair as alt
import numpy as np
import pandas as pd

from ..analysis import regional as rg
from ..assessment.targets import Targets, evaluate_rag, load_targets
from ..errors import WorkbenchError
from ..measures.catalogue import AREA_TITLES
from ..privacy import check_audience, format_value
from .charts import AF_DARK_BLUE, AF_ORANGE, AF_TURQUOISE
from .display import HtmlTable, Prose, hidden, is_small, rag_style

WIDTH = 520
PERIOD_WORDS = {"rolling_12m": "rolling 12 months", "snapshot": "at the month end"}
SHORT_PERIOD = {"rolling_12m": "12 months", "snapshot": "month end"}
SHORT_POLARITY = {"high": "higher is better", "low": "lower is better", "none": "no better direction",
                  "range": "best in a range"}
# RAG words short enough for a table of many authorities (never the colour alone).
SHORT_RAG = {"green": "on target", "amber": "near target", "red": "off target"}
SUBTITLE_PERIOD = {"rolling_12m": "The 12 months to {m}.", "snapshot": "At the end of {m}."}
POLARITY_WORDS = {"high": "Higher is better.", "low": "Lower is better.", "none": "Neither higher nor lower is better.",
                  "range": "Best within a range."}


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _lower_first(text: str) -> str:
    """'Referrals per 10,000' -> 'referrals per 10,000'; acronyms ('ICPCs') kept."""
    return text[0].lower() + text[1:] if len(text) > 1 and text[1].islower() else text


@dataclass
class RegionalComparisonPage:
    comparison: rg.Comparison
    audience: str
    targets: dict = field(default_factory=dict)  # authority -> Targets

    def __post_init__(self) -> None:
        check_audience(self.audience)
        v = self.comparison.values
        shown = v["value"].where(v["status"] == "ok")
        if self.audience == "shared":
            # The measures here are percentages and rates: suppressed when built on 1-5.
            small = is_small(v["numerator"].to_numpy()) if len(v) else np.zeros(0, bool)
            shown = shown.where(~small)
            v = v.assign(suppressed=small)
            # Ranks among the values shown: a hidden value must not show through its place.
            ranked = rg.rank_values(v.assign(value=shown, status=np.where(shown.notna(), "ok", "suppressed")))
            v = v.assign(rank=ranked["rank"], n_ranked=ranked["n_ranked"])
        else:
            v = v.assign(suppressed=False)
        lines = self.comparison.lines
        if self.audience == "shared":
            # A pooled line built on 1 to 5 children (a region of one small authority) is
            # suppressed like the authority's own value.
            for col, num in (("region_value", "region_numerator"), ("england_value", "england_numerator")):
                v[col] = v[col].where(~is_small(v[num].to_numpy()) if len(v) else True)
            lines = lines[~is_small(lines["numerator"].to_numpy())] if len(lines) else lines
        self.lines = lines
        self.values = v.assign(shown=shown)
        self.values["display"] = [format_value(x, u, "suppressed" if s else ("ok" if pd.notna(x) else "not_available"))
                                  for x, u, s in zip(self.values["shown"], self.values["unit"],
                                                     self.values["suppressed"])]
        self._rag()

    @classmethod
    def load(cls, warehouse, authorities: list[str], month: str, audience: str) -> "RegionalComparisonPage":
        """The comparison of ``authorities`` (empty: every authority in the warehouse) for
        ``month`` from ``warehouse`` ('' or None: the default warehouse)."""
        warehouse = warehouse or None
        if not authorities:
            authorities = sorted(rg.read_authorities(warehouse)["authority"])
        comparison = rg.load_comparison(warehouse, list(authorities), month)
        targets = {}
        for code in authorities:  # one small YAML read per authority
            try:
                targets[code] = load_targets(code)
            except WorkbenchError:
                targets[code] = None
        return cls(comparison, audience, targets)

    def _rag(self) -> None:
        v = self.values
        rag = pd.DataFrame({"rag": pd.Series([None] * len(v), dtype=object),
                            "rag_label": pd.Series([""] * len(v), dtype=object)})
        for code, t in self.targets.items():  # one evaluation per authority
            sel = (v["authority"] == code).to_numpy()
            if t is None or not sel.any():
                continue
            r = evaluate_rag(v.loc[sel, "measure"].to_numpy(), v.loc[sel, "shown"].to_numpy(), t)
            rag.loc[sel, "rag"] = r["rag"].to_numpy()
            rag.loc[sel, "rag_label"] = r["rag_label"].fillna("").to_numpy()
        self.values["rag"] = pd.Series(rag["rag"].to_numpy(), index=v.index, dtype=object)
        self.values["rag_label"] = pd.Series(rag["rag_label"].to_numpy(), index=v.index, dtype=object)

    # ---- text ------------------------------------------------------------------------
    @property
    def names(self) -> dict:
        v = self.values
        return dict(zip(v["authority"], v["la_name"].fillna(v["authority"])))

    @property
    def month_label(self) -> str:
        return pd.Period(self.comparison.month, "M").strftime("%B %Y")

    def _pooled(self) -> bool:
        return bool(self.values["is_synthetic"].fillna(False).astype(bool).any())

    def intro(self) -> Prose:
        names = [self.names.get(c, c) for c in self.comparison.authorities]
        lines = ("The region and England lines are pooled from the fictional authorities in the warehouse (the sum "
                 "of their numerators over the sum of their denominators, as DfE pools), because fictional "
                 "authorities have no published figures." if self._pooled()
                 else "The region and England lines are DfE's latest published figures.")
        return Prose([
            f"{len(names)} authorities side by side on {self.values['measure'].nunique()} key measures, "
            f"{self.month_label}: {', '.join(names)}.",
            "Like a regional improvement group's dashboard, the comparison asks where each authority stands "
            "against its neighbours, its region and England on the measures DfE publishes for every authority. "
            "Flows (referrals, assessments, plans starting) are compared on the rolling 12 months to the month, "
            "stocks (children on a plan or looked after) at the month end: a single month is too noisy to rank on.",
            lines + " Rank 1 is the best by the measure's polarity; where neither higher nor lower is better, "
            "rank 1 is the highest and the rank only orders the authorities.",
        ])

    def headline(self) -> Prose:
        v = self.values
        judged = v[v["polarity"].isin(["high", "low"]) & v["shown"].notna() & v["england_value"].notna()]
        paras = []
        if len(judged):
            n_measures = judged["measure"].nunique()
            better = judged.assign(b=judged["vs_england"] == "better").groupby("authority")["b"].sum()
            better = better.reindex(self.comparison.authorities).dropna().sort_values(ascending=False)
            parts = [f"{self.names.get(c, c)} on {int(n)}" for c, n in better.items()]
            england = "England (fictional authorities pooled)" if self._pooled() else "England"
            paras.append(f"Against {england}, on the {n_measures} measures where higher or lower is better, the "
                         f"authorities did better on: {', '.join(parts)}.")
        bullets = []
        for m, g in v.groupby("measure", sort=False):  # twelve measures
            g = g[g["shown"].notna()].sort_values("rank")
            if len(g) < 2:
                continue
            first, last = g.iloc[0], g.iloc[-1]
            title = first["title"]
            region = g["region_value"].dropna()
            reg = f"; region {format_value(region.iloc[0], first['unit'])}" if len(region) and \
                g["region_code"].nunique() == 1 else ""
            if first["polarity"] in ("high", "low"):
                bullets.append(f"{title}: best {first['la_name']} ({first['display']}), furthest behind "
                               f"{last['la_name']} ({last['display']}){reg}.")
            else:
                bullets.append(f"{title}: highest {first['la_name']} ({first['display']}), lowest "
                               f"{last['la_name']} ({last['display']}){reg}.")
        return Prose(paras, bullets)

    # ---- charts ----------------------------------------------------------------------
    def measures(self, area: str | None = None) -> list[str]:
        from ..measures import catalogue

        cat = catalogue()
        present = list(dict.fromkeys(self.values["measure"]))
        return [m for m in present if area is None or cat[m].area == area]

    def areas(self) -> list[tuple[str, str]]:
        from ..measures import catalogue

        cat = catalogue()
        seen = list(dict.fromkeys(cat[m].area for m in self.measures()))
        return [(a, AREA_TITLES.get(a, a)) for a in seen]

    def ranked_chart(self, measure: str) -> alt.LayerChart:
        """Bars ranked best first (or highest first), with the region and England lines
        labelled where they fall."""
        v = self.values[self.values["measure"] == measure].copy()
        if not len(v):
            raise KeyError(f"measure {measure!r} is not in this comparison")
        first = v.iloc[0]
        unit, pol = first["unit"], first["polarity"]
        v = v.sort_values(["rank", "la_name"], na_position="last", kind="stable")
        v["bar"] = v["shown"].fillna(0.0)
        v["label"] = v["display"]
        order = list(v["la_name"])
        ranked = v[v["shown"].notna()]
        title_m = _lower_first(first["title"])
        per = " per 10,000 children"
        if len(ranked) >= 2:
            top = ranked.iloc[0]
            if pol in ("high", "low"):
                title = f"{top['la_name']} has the best figure for {title_m} ({top['display']})"
            elif unit == "rate" and first["title"].endswith(per):
                title = (f"{top['la_name']} has the highest rate of {_lower_first(first['title'][:-len(per)])} "
                         f"({top['display']}{per})")
            else:
                title = f"{top['la_name']} has the highest {title_m} ({top['display']})"
        else:
            title = first["title"]
        y = alt.Y("la_name:N", sort=order, title=None, axis=alt.Axis(labelLimit=160))
        regions = set(v["region_code"].dropna())
        suppressed_any = bool(v["suppressed"].any())
        n_rows = len(v)
        v = v[["la_name", "bar", "label", "rank"]]  # only what is drawn goes into the page
        bars = alt.Chart(v).mark_bar(color=AF_DARK_BLUE, height=16).encode(
            x=alt.X("bar:Q", title=f"{first['title']} ({PERIOD_WORDS.get(first['period_type'], '')})",
                    axis=alt.Axis(format=",.0f")),
            y=y, tooltip=[alt.Tooltip("la_name:N", title="Authority"), alt.Tooltip("label:N", title="Value"),
                          alt.Tooltip("rank:Q", title="Rank")])
        labels = alt.Chart(v).mark_text(align="left", dx=4, fontSize=11).encode(x="bar:Q", y=y, text="label:N")
        layers = [bars, labels]
        lines = self.lines
        lines = lines[(lines["measure"] == measure) & lines["value"].notna()]
        lines = lines[(lines["line"] == "england") | lines["code"].isin(regions)]
        if not self._pooled():
            lines = lines[lines["source"].str.startswith("DfE")]
        else:
            lines = lines[lines["source"].str.startswith("pooled")]
        shown_lines = []
        england = lines.loc[lines["line"] == "england", "value"]
        for _, ln in lines.sort_values("line").iterrows():  # England, then a region or two
            name = "England" if ln["line"] == "england" else str(ln["name"])
            same = ln["line"] == "region" and len(england) and abs(float(england.iloc[0]) - float(ln["value"])) < 1e-9
            if same and shown_lines:  # one line: the region is the whole of (fictional) England
                shown_lines[0]["label"] = f"{name} and England {format_value(ln['value'], unit)}"
                continue
            if str(ln["source"]).startswith("DfE"):
                name += f" ({str(ln['source'])[4:]})"
            shown_lines.append({"v": float(ln["value"]), "label": f"{name} {format_value(ln['value'], unit)}",
                                "colour": AF_ORANGE if ln["line"] == "england" else AF_TURQUOISE})
        if shown_lines:
            d = pd.DataFrame(shown_lines)
            d["dy"] = -4 - 13 * np.arange(len(d))  # labels stacked above the plot, never on top of each other
            colour = alt.Color("colour:N", scale=None)
            layers.append(alt.Chart(d).mark_rule(strokeDash=[6, 4], strokeWidth=2).encode(x="v:Q", color=colour))
            for i in range(len(d)):
                layers.append(alt.Chart(d.iloc[[i]]).mark_text(
                    align="left", baseline="bottom", dx=3, dy=float(d["dy"].iloc[i]), fontSize=11,
                    fontWeight="bold").encode(x="v:Q", y=alt.value(0), text="label:N", color=colour))
        sub = [f"{SUBTITLE_PERIOD.get(first['period_type'], '{m}').format(m=self.month_label)} "
               f"{POLARITY_WORDS.get(pol, '')}"]
        if self.audience == "shared" and suppressed_any:
            sub.append("c: built on 1 to 5 children, not shown.")
        height = max(60, 24 * n_rows)
        return alt.layer(*layers).properties(
            width=WIDTH, height=height,
            title=alt.TitleParams(title, subtitle=sub, offset=16 + 13 * max(len(shown_lines) - 1, 0)))

    def area_charts(self, area: str) -> alt.VConcatChart:
        charts = [self.ranked_chart(m) for m in self.measures(area)]
        if not charts:
            raise KeyError(f"no measure of area {area!r} in this comparison")
        return alt.vconcat(*charts, spacing=36)

    # ---- table -----------------------------------------------------------------------
    def table(self) -> HtmlTable:
        """Rows: measures; columns: the authorities, then region and England. Each cell:
        the value, its rank and, where the authority has a target for the measure, the
        RAG rating in words (and a pale fill)."""
        v = self.values
        codes = self.comparison.authorities
        # One column when the region is the whole of (fictional) England: the same figures twice
        # would only push the table off the page.
        same = bool(len(v)) and np.allclose(v["region_value"].to_numpy(dtype=float),
                                            v["england_value"].to_numpy(dtype=float), equal_nan=True)
        lines = ("region",) if same else ("region", "england")
        header = ["Measure", *[self.names.get(c, c) for c in codes],
                  *(["Region and England"] if same else ["Region", "England"])]
        rows, styles = [], {}
        n = v.groupby("measure")["n_ranked"].max()
        for i, (m, g) in enumerate(v.groupby("measure", sort=False)):  # twelve measures
            g = g.set_index("authority")
            first = g.iloc[0]
            row = [f"{first['title']}\n{SHORT_PERIOD.get(first['period_type'], '')} · "
                   f"{SHORT_POLARITY.get(first['polarity'], '')}"]
            for j, c in enumerate(codes, start=1):
                if c not in g.index:
                    row.append("n/a")
                    continue
                r = g.loc[c]
                bits = [r["display"]]
                if pd.notna(r["shown"]) and pd.notna(r["rank"]):
                    bits.append(f"{_ordinal(int(r['rank']))} of {int(n[m])}")
                if r["rag_label"]:
                    bits.append(SHORT_RAG.get(r["rag"], str(r["rag_label"]).lower()))
                    style = rag_style(r["rag"])
                    if style:
                        styles[(i, j)] = style
                row.append("\n".join(bits))
            for col in lines:
                val = g[f"{col}_value"].dropna()
                one = col == "england" or g["region_code"].nunique() == 1
                hid = self.audience == "shared" and bool(is_small(g[f"{col}_numerator"].to_numpy()).any())
                row.append("c" if hid and one else format_value(val.iloc[0], first["unit"]) if len(val) and one
                           else "n/a")
            rows.append(row)
        note = ("Rank: 1st is best by polarity (highest first where there is no better direction). On / near / off "
                "target: against each authority's own targets (params/targets), where it has one for the measure "
                "(near: within the amber tolerance).")
        if self._pooled():
            note += " Region and England: pooled from the fictional authorities in the warehouse."
        if self.audience == "shared":
            note += " c: built on 1 to 5 children, not shown."
        t = HtmlTable(header, rows, caption=f"Latest values, {self.month_label}", note=note,
                      compact=len(codes) > 4)
        t.cell_styles = styles
        return t
