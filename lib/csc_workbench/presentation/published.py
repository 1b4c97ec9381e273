"""The published-statistics benchmarking pack: how one authority compares, from DfE's own data.

Everything a performance team builds by hand from LAIT downloads once a year (the Sefton
2024 scorecard's LA / SN / NW / England / "compared to mid-50% LA" columns): the
authority's value for every measure DfE publishes that ``INDICATORS.md`` covers, against
its 10 statistical neighbours (average and best), its region and England, over every
published year; its rank and quartile among English authorities; a ranked chart of its
neighbours; and a short narrative in an analyst's words. No child-level data is needed,
so it works for any of the 153 authorities.

``build_pack(authority, year, release, warehouse, folder)`` gathers the figures (from the
warehouse's reference tables, loading DfE's files first if they are not there); the other
public functions turn a ``PublishedPack`` into things a notebook displays: ``intro``,
``headlines``, ``summary_table``, ``area_section`` (per measure: heading, narrative, trend
chart and neighbours chart, sources), ``about``. Polarity is DfE's (LAIT's), as the
Sefton scorecard uses it.

Conventions: a value DfE suppressed shows as ``c``, one it did not publish as its symbol
(``x``, ``z``, ``u``, ``k``; ``x`` where DfE printed ``-`` or nothing): never as 0, never
in a chart as a point. Every value carries the release it came from (table column,
tooltip, per-measure sources line).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..reference import (
    benchmark_summary, load_reference, neighbour_values, read_reference, resolve_authority, series_table,
)
from ..reference.report import ATTRIBUTION
from .charts import AF_DARK_BLUE, AF_DARK_GREY, AF_DARK_PINK, AF_TURQUOISE, _theme

# --------------------------------------------------------------------------------------------
# What the pack shows
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    measures: tuple[str, ...]


# Ids are INDICATORS.md's (see docs/reference-data.md), or LAIT's measure_short where
# INDICATORS names the topic but has no id of its own (placement mix, UASC, care leavers
# not in touch, workforce). Counts are not ranked (they follow an authority's size): the
# narrative quotes the count behind each rate instead (COUNT_OF).
AREAS: tuple[Area, ...] = (
    Area("front_door", "Front door and assessment",
         ("referral_rate", "rereferral_pct", "referral_nfa_pct", "Referrals_AssessedNotNeed",
          "assessment_45wd_pct")),
    Area("child_protection", "Section 47 enquiries and child protection",
         ("s47_rate", "icpc_rate", "icpc_15wd_pct", "cpp_rate", "cpp_starts_rate", "cpp_repeat_pct",
          "cpp_ended_2y_pct", "cpp_open_2y_pct", "cpp_reviews_timely_pct")),
    Area("children_in_need", "Children in need", ("cin_rate",)),
    Area("looked_after", "Children looked after",
         ("cla_rate", "cla_starts_rate", "cla_ceased_rate", "cla_3plus_placements_pct", "cla_stability_pct",
          "LAC_Foster_Placements", "LAC_SecHome_And_ChildHome", "LAC_Ind_SInd_Liv_Arr", "cla_missing_pct",
          "cla_away_pct", "cla_health_pct", "cla_dental_pct", "Unacc_Asylmn_Seek_Childn%")),
    Area("permanence", "Leaving care: adoption and other permanence",
         ("cla_ceased_adoption_pct", "cla_ceased_sgo_pct", "cla_ceased_cao_pct")),
    Area("care_leavers", "Care leavers",
         ("cl_suitable_accom_pct", "cl_eet_pct", "CareLeavers_LA_NotInTouch")),
    Area("workforce", "Social work workforce",
         ("Work_Force_Agecy_Rate", "Work_Force_Vac_Rate", "Work_Force_TO_Rate", "Work_Force_AvgNumCase_SW")),
)
PACK_MEASURES: tuple[str, ...] = tuple(m for a in AREAS for m in a.measures)
AREA_OF = {m: a.key for a in AREAS for m in a.measures}

# The count DfE publishes behind a rate or percentage (quoted in the narrative).
COUNT_OF = {
    "referral_rate": "referrals", "s47_rate": "s47", "icpc_rate": "icpc", "cpp_rate": "cpp",
    "cpp_starts_rate": "cpp_starts", "cpp_repeat_pct": "ReRegCPR", "cin_rate": "cin", "cla_rate": "cla",
    "cla_starts_rate": "cla_starts", "cla_ceased_rate": "cla_ceased", "cla_ceased_adoption_pct": "adoptions",
    "cla_ceased_sgo_pct": "LAC_ceased_SGO", "Unacc_Asylmn_Seek_Childn%": "cla_uasc",
}
COUNT_WORDS = {
    "referrals": "referrals", "s47": "section 47 enquiries", "icpc": "initial conferences",
    "cpp": "children on a plan at 31 March", "cpp_starts": "plans started",
    "ReRegCPR": "second or subsequent plans", "cin": "children in need at 31 March",
    "cla": "children looked after at 31 March", "cla_starts": "children started to be looked after",
    "cla_ceased": "children ceased to be looked after", "adoptions": "children adopted",
    "LAC_ceased_SGO": "special guardianship orders", "cla_uasc": "unaccompanied asylum-seeking children",
}

# Labels for directors (DfE's own titles where they read well).
LABELS = {
    "referral_rate": "Referrals per 10,000 children",
    "rereferral_pct": "Re-referrals within 12 months",
    "referral_nfa_pct": "Referrals closed with no further action",
    "Referrals_AssessedNotNeed": "Referrals assessed as not in need",
    "assessment_45wd_pct": "Assessments completed within 45 working days",
    "s47_rate": "Section 47 enquiries per 10,000 children",
    "icpc_rate": "Initial child protection conferences per 10,000 children",
    "icpc_15wd_pct": "Initial conferences within 15 working days of the section 47 start",
    "cpp_rate": "Children on a child protection plan per 10,000 children",
    "cpp_starts_rate": "Child protection plans started per 10,000 children",
    "cpp_repeat_pct": "Plans for a second or subsequent time",
    "cpp_ended_2y_pct": "Plans ending that had lasted 2 years or more",
    "cpp_open_2y_pct": "Plans open at 31 March for 2 years or more",
    "cpp_reviews_timely_pct": "Plans reviewed within timescale",
    "cin_rate": "Children in need per 10,000 children",
    "cla_rate": "Children looked after per 10,000 children",
    "cla_starts_rate": "Children starting to be looked after per 10,000 children",
    "cla_ceased_rate": "Children ceasing to be looked after per 10,000 children",
    "cla_3plus_placements_pct": "Looked after with 3 or more placements in the year",
    "cla_stability_pct": "Long-term placement stability",
    "LAC_Foster_Placements": "Looked after in foster care",
    "LAC_SecHome_And_ChildHome": "Looked after in children's homes or secure homes",
    "LAC_Ind_SInd_Liv_Arr": "Looked after in independent or semi-independent living",
    "cla_missing_pct": "Looked after who went missing",
    "cla_away_pct": "Looked after who were away without authorisation",
    "cla_health_pct": "Looked after with a health assessment",
    "cla_dental_pct": "Looked after with a dental check",
    "Unacc_Asylmn_Seek_Childn%": "Looked after who are unaccompanied asylum-seeking children",
    "cla_ceased_adoption_pct": "Ceased to be looked after: adopted",
    "cla_ceased_sgo_pct": "Ceased to be looked after: special guardianship order",
    "cla_ceased_cao_pct": "Ceased to be looked after: child arrangements order",
    "cl_suitable_accom_pct": "Care leavers aged 19 to 21 in suitable accommodation",
    "cl_eet_pct": "Care leavers aged 19 to 21 in education, employment or training",
    "CareLeavers_LA_NotInTouch": "Care leavers aged 19 to 21 the authority is not in touch with",
    "Work_Force_Agecy_Rate": "Agency social workers",
    "Work_Force_Vac_Rate": "Social worker vacancies",
    "Work_Force_TO_Rate": "Social worker turnover",
    "Work_Force_AvgNumCase_SW": "Average caseload per social worker",
}
# What the figure is, for a sentence: "Sefton's <noun> was ...".
NOUNS = {
    "referral_rate": "referral rate", "rereferral_pct": "re-referral rate",
    "referral_nfa_pct": "share of referrals closed with no further action",
    "Referrals_AssessedNotNeed": "share of referrals assessed as not in need",
    "assessment_45wd_pct": "share of assessments completed within 45 working days",
    "s47_rate": "rate of section 47 enquiries", "icpc_rate": "rate of initial child protection conferences",
    "icpc_15wd_pct": "share of initial conferences held within 15 working days",
    "cpp_rate": "rate of children on a child protection plan", "cpp_starts_rate": "rate of plans starting",
    "cpp_repeat_pct": "share of plans that were second or subsequent plans",
    "cpp_ended_2y_pct": "share of ending plans that had lasted 2 years or more",
    "cpp_open_2y_pct": "share of open plans that had lasted 2 years or more",
    "cpp_reviews_timely_pct": "share of plans reviewed on time", "cin_rate": "rate of children in need",
    "cla_rate": "rate of children looked after", "cla_starts_rate": "rate of children starting care",
    "cla_ceased_rate": "rate of children leaving care",
    "cla_3plus_placements_pct": "share of looked-after children with 3 or more placements",
    "cla_stability_pct": "long-term placement stability",
    "LAC_Foster_Placements": "share of looked-after children in foster care",
    "LAC_SecHome_And_ChildHome": "share of looked-after children in children's or secure homes",
    "LAC_Ind_SInd_Liv_Arr": "share of looked-after children in independent or semi-independent living",
    "cla_missing_pct": "share of looked-after children who went missing",
    "cla_away_pct": "share of looked-after children away without authorisation",
    "cla_health_pct": "share of looked-after children with a health assessment",
    "cla_dental_pct": "share of looked-after children with a dental check",
    "Unacc_Asylmn_Seek_Childn%": "share of looked-after children who are unaccompanied asylum seekers",
    "cla_ceased_adoption_pct": "share of children leaving care who were adopted",
    "cla_ceased_sgo_pct": "share of children leaving care on a special guardianship order",
    "cla_ceased_cao_pct": "share of children leaving care on a child arrangements order",
    "cl_suitable_accom_pct": "share of care leavers in suitable accommodation",
    "cl_eet_pct": "share of care leavers in education, employment or training",
    "CareLeavers_LA_NotInTouch": "share of care leavers it is not in touch with",
    "Work_Force_Agecy_Rate": "share of agency social workers", "Work_Force_Vac_Rate": "social worker vacancy rate",
    "Work_Force_TO_Rate": "social worker turnover rate", "Work_Force_AvgNumCase_SW": "average caseload",
}
UNIT_WORDS = {"rate": "per 10,000 children aged 0 to 17", "pct": "per cent", "number": "", "count": ""}
SYMBOLS = {
    "c": "suppressed by DfE (1 to 5 children, or a figure derived from them)",
    "x": "not available", "z": "not applicable", "u": "withheld: low reliability",
    "k": "less than 0.5",
}
# A change smaller than this share of the earlier value reads as "broadly unchanged".
STABLE_BAND = 0.05
# A neighbour does "markedly better" when ahead by at least half of England's interquartile
# range (about the gap between one quartile and the next), so the bar moves with the measure's spread.
MARKED_GAP_IQR = 0.5
CLOSE_PCT_POINTS = 0.5
SMALL_COUNT = 30  # a rate resting on fewer events than this gets a caution in the narrative
CHART_HEIGHT = 200
TITLE_OFFSET = 34  # room above the plots for the neighbours chart's reference-line labels
NEIGHBOUR_GREY = "#A8B4BD"


# --------------------------------------------------------------------------------------------
# The pack's data
# --------------------------------------------------------------------------------------------
@dataclass
class PublishedPack:
    """Everything the pack shows for one authority (see ``build_pack``)."""

    code: str
    name: str
    new_code: str
    region_name: str
    year: int | None  # as asked (None: each measure's latest)
    release: str  # "latest" or "first"
    summary: pd.DataFrame  # one row per pack measure (benchmark_summary + area, label, year_label)
    series: pd.DataFrame  # one row per measure and year (series_table)
    neighbours: pd.DataFrame  # the authority and its neighbours per measure (neighbour_values)
    neighbour_list: pd.DataFrame  # code, name, neighbour_rank
    measures: pd.DataFrame  # ref_measures rows (definitions, DfE polarity)
    files: pd.DataFrame  # ref_files: the DfE files behind the figures
    region_names: dict[str, str] = field(default_factory=dict)
    sn_model: str = ""

    def __post_init__(self) -> None:
        # Split once per measure: the page looks each measure up a dozen times.
        self._rows = {m: row for m, row in zip(self.summary["measure"], (r for _, r in self.summary.iterrows()))}
        self._series = {m: f.sort_values("year").reset_index(drop=True)
                        for m, f in self.series.groupby("measure", sort=False)}
        self._neighbours = {m: f.reset_index(drop=True) for m, f in self.neighbours.groupby("measure", sort=False)}

    @property
    def main_year(self) -> int:
        """The year most measures report (the pack's headline year)."""
        ok = self.summary[self.summary["area"] != "workforce"]["year"].dropna()
        return int(ok.mode().max()) if len(ok) else int(self.summary["year"].max())

    @property
    def missing_files(self) -> list[str]:
        f = self.files
        if f is None or f.empty or "status" not in f.columns:
            return []
        return f.loc[f["status"] != "loaded", "message"].astype("str").tolist()


def _reference(warehouse, folder, measures: list[str]) -> dict[str, pd.DataFrame]:
    """The reference tables from the warehouse, loading DfE's files into it first if they
    were never loaded (a batch loads them once, before its notebooks start)."""
    try:
        return read_reference(warehouse, measures)
    except (KeyError, FileNotFoundError):
        load_reference(folder, warehouse)
        return read_reference(warehouse, measures)


def dfe_polarity(measures: pd.DataFrame) -> pd.DataFrame:
    """``ref_measures`` with DfE's polarity in place of INDICATORS.md's (missing / away from
    placement and SGO / CAO exits have none in DfE's list, as the Sefton scorecard shows)."""
    out = measures.copy()
    dfe = out["dfe_polarity"].where(out["dfe_polarity"].isin(["high", "low", "none"]), out["polarity"])
    out["polarity"] = dfe.to_numpy()
    return out


def year_label(year, year_type: str = "") -> str:
    """DfE's label for a year ending 31 March ("2024-25"); workforce figures are at 30
    September ("Sep 2025")."""
    if year is None or pd.isna(year):
        return ""
    y = int(year)
    if "sept" in str(year_type).lower():
        return f"Sep {y}"
    return f"{y - 1}-{str(y)[-2:]}"


def build_pack(authority: str | int, year: int | None = None, release: str = "latest",
               warehouse: Path | str | None = None, folder: Path | str | None = None,
               measures: tuple[str, ...] = PACK_MEASURES) -> PublishedPack:
    """The figures for one authority's pack. ``authority``: DfE's old code (343), new code
    (E08000014) or name. ``year``: a year ending 31 March; each measure shows its latest
    published year up to it (default: its latest). ``release``: ``latest`` (DfE's newest
    figures, e.g. rates on revised populations) or ``first`` (as first published)."""
    if release not in ("latest", "first"):
        raise ConfigError(f"release must be 'latest' or 'first', got {release!r}")
    # A notebook parameter left empty ("") means the default.
    warehouse, folder = warehouse or None, folder or None
    wanted = list(measures) + sorted({c for m, c in COUNT_OF.items() if m in measures})
    ref = _reference(warehouse, folder, wanted)
    code = resolve_authority(authority, ref["ref_authorities"], ref.get("ref_area_lookup"))
    ref["ref_measures"] = dfe_polarity(ref["ref_measures"])
    bench = ref["ref_benchmarks"]
    if bench.empty:
        raise ConfigError("the reference tables hold none of the pack's measures: check the DfE files "
                          f"({', '.join(ref_missing(ref)) or 'see `cscw reference`'})")
    if year is not None:
        year = int(year)
        if year < int(bench["year"].min()) or year > int(bench["year"].max()):
            raise ConfigError(f"no published figures for {year}: DfE's files hold "
                              f"{int(bench['year'].min())} to {int(bench['year'].max())}")
        bench = bench[bench["year"] <= year]
    summary = benchmark_summary(bench, ref["ref_stat_neighbours"], ref["ref_authorities"], code,
                                release=release, measures=ref["ref_measures"])
    summary = summary[summary["measure"].isin(wanted)].reset_index(drop=True)
    series = series_table({**ref, "ref_benchmarks": bench}, code, wanted, release)

    meta = ref["ref_measures"].drop_duplicates("measure").set_index("measure")
    shown = summary[summary["measure"].isin(measures)].copy()
    order = {m: i for i, m in enumerate(measures)}
    shown = shown.sort_values("measure", key=lambda s: s.map(order)).reset_index(drop=True)
    shown["area"] = shown["measure"].map(AREA_OF).fillna("other")
    shown["label"] = shown["measure"].map(LABELS).fillna(shown["title"])
    shown["year_type"] = shown["measure"].map(meta["year_type"]).fillna("")
    shown["year_label"] = [year_label(y, t) for y, t in zip(shown["year"], shown["year_type"])]
    counts = summary[summary["measure"].isin(COUNT_OF.values())].set_index("measure")
    shown["count_measure"] = shown["measure"].map(COUNT_OF)
    shown["la_count"] = shown["count_measure"].map(counts["la_value"])
    shown["la_count_year"] = shown["count_measure"].map(counts["year"])

    years = dict(zip(shown["measure"], shown["year"].astype("int64")))
    nb = neighbour_values({**ref, "ref_benchmarks": bench}, code, years, release)

    auth = ref["ref_authorities"].set_index("old_la_code")
    sn = ref["ref_stat_neighbours"]
    sn = sn[sn["code"] == code]
    model = str(sn["model"].max()) if len(sn) else ""
    sn = sn[sn["model"] == model].sort_values("neighbour_rank")
    neighbour_list = pd.DataFrame({"code": sn["neighbour_code"].to_numpy(),
                                   "name": sn["neighbour_code"].map(auth["la_name"]).to_numpy(),
                                   "neighbour_rank": sn["neighbour_rank"].to_numpy()})
    regions = bench[bench["geography"] == "region"].drop_duplicates("code")
    region_names = dict(zip(regions["code"], regions["name"]))
    region_names.update(dict(zip(auth["region_code"], auth["region_name"])))
    row = auth.loc[code]
    return PublishedPack(
        code=code, name=str(row["la_name"]), new_code=str(row["new_la_code"]),
        region_name=str(row["region_name"]), year=year, release=release, summary=shown, series=series,
        neighbours=nb, neighbour_list=neighbour_list, measures=meta.reset_index(),
        files=ref.get("ref_files", pd.DataFrame()), region_names=region_names, sn_model=model)


def ref_missing(ref: dict[str, pd.DataFrame]) -> list[str]:
    f = ref.get("ref_files")
    if f is None or f.empty:
        return []
    return f.loc[f["status"] != "loaded", "message"].astype("str").tolist()


def latest_year(warehouse: Path | str | None = None, folder: Path | str | None = None,
                measures: tuple[str, ...] = PACK_MEASURES) -> int:
    """The latest year (ending 31 March) with published authority figures for the pack's
    measures: the year a batch of packs is filed under when none is given."""
    ref = _reference(warehouse, folder, list(measures))
    b = ref["ref_benchmarks"]
    ok = b[(b["geography"] == "la") & (b["status"] == "ok")]
    if ok.empty:
        raise ConfigError("no published authority figures in the reference tables: run `cscw reference`")
    return int(ok["year"].max())


# --------------------------------------------------------------------------------------------
# Words and numbers
# --------------------------------------------------------------------------------------------
def fmt_value(value, unit: str, *, suffix: bool = True) -> str:
    """A figure as DfE prints it: counts with thousands separators, percentages and rates to
    one decimal place (whole numbers as published, without ``.0``)."""
    if value is None or pd.isna(value):
        return ""
    v = float(value)
    if unit == "count":
        return f"{v:,.0f}"
    text = f"{v:,.0f}" if abs(v - round(v)) < 1e-9 else f"{v:,.1f}"
    return text + ("%" if unit == "pct" and suffix else "")


def symbol_text(status: str, symbol: str) -> str:
    """What to print where DfE published no number: ``c`` if suppressed, else DfE's symbol
    (``x`` where it printed ``-`` or nothing)."""
    if status == "suppressed":
        return "c"
    s = str(symbol or "").strip().lower()
    return s if s in SYMBOLS else "x"


def cell_text(value, status: str, symbol: str, unit: str) -> str:
    return fmt_value(value, unit) if status == "ok" and pd.notna(value) else symbol_text(status, symbol)


def ordinal(n) -> str:
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _e(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _join(items: list[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _relation(value: float, other: float, unit: str = "") -> str:
    """higher / lower / close to: within 2% of the other figure (51.5 against 51.3), or
    within half a percentage point for percentages (4.6% against 4.4%), is "close to"."""
    if pd.isna(value) or pd.isna(other):
        return ""
    band = max(0.02 * abs(other), CLOSE_PCT_POINTS if unit == "pct" else 0.0)
    if abs(value - other) <= band or fmt_value(value, "pct") == fmt_value(other, "pct"):
        return "close to"
    return "higher than" if value > other else "lower than"


def _judge(relation: str, polarity: str) -> str:
    """'better' / 'worse' for a value higher / lower than something, by polarity ('' if none)."""
    if polarity not in ("high", "low") or relation not in ("higher than", "lower than"):
        return ""
    good = (relation == "higher than") == (polarity == "high")
    return "better" if good else "worse"


def _rank_phrase(row) -> str:
    if pd.isna(row["rank"]):
        return ""
    if row["polarity"] == "low":
        return f"ranked {ordinal(row['rank'])} of {int(row['n_ranked'])} (lowest first)"
    if row["polarity"] == "high":
        return f"ranked {ordinal(row['rank'])} of {int(row['n_ranked'])} (highest first)"
    if row["rank"] == 1:
        return f"the highest of {int(row['n_ranked'])}"
    return f"{ordinal(row['rank'])} highest of {int(row['n_ranked'])}"


def quarter_words(quartile, polarity: str) -> str:
    if quartile is None or pd.isna(quartile):
        return ""
    q = int(quartile)
    if polarity in ("high", "low"):
        return {1: "the best quarter", 2: "the second-best quarter", 3: "the second-worst quarter",
                4: "the worst quarter"}[q]
    return {1: "the highest quarter", 2: "the second-highest quarter", 3: "the second-lowest quarter",
            4: "the lowest quarter"}[q]


def quartile_text(quartile, polarity: str) -> str:
    if quartile is None or pd.isna(quartile):
        return ""
    q = int(quartile)
    if polarity in ("high", "low"):
        return {1: "Q1 (best)", 4: "Q4 (worst)"}.get(q, f"Q{q}")
    return {1: "Q1 (highest)", 4: "Q4 (lowest)"}.get(q, f"Q{q}")


def mid50_text(position, judgement, polarity: str) -> str:
    """Sefton's "Compared to mid-50% LA" column: Higher / In range / Lower, with the
    judgement by DfE's polarity where it has one."""
    if position is None or pd.isna(position):
        return ""
    word = {"above": "Higher", "below": "Lower", "within": "In range"}[position]
    if polarity in ("high", "low") and judgement in ("better", "worse"):
        return f"{word} ({judgement})"
    return word


# --------------------------------------------------------------------------------------------
# Display objects (rendered by Jupyter and nbconvert; no IPython import needed)
# --------------------------------------------------------------------------------------------
class Html:
    """A block of HTML for a notebook output."""

    def __init__(self, text: str, plain: str = ""):
        self.text = text
        self.plain = plain or "(HTML)"

    def _repr_html_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.plain

    def __str__(self) -> str:
        return self.text


# Styles for the pack's own blocks (the page stylesheet does the rest). Inline in the page,
# so it stays offline.
STYLE = """<style>
.csc-pub-box { border-left: 6px solid #12436D; background: #f3f2f1; padding: 10px 16px; margin: 12px 0 20px; }
.csc-pub-box p, .csc-pub-box li { max-width: none; }
.csc-pub-box h3 { margin-top: 4px; }
.csc-pub-note { color: #505a5f; font-size: 0.9rem; }
.csc-pub-warn { border-left: 6px solid #d4351c; background: #f3f2f1; padding: 8px 12px; }
table.csc-pub-summary { font-size: 0.82rem; width: 100%; }
table.csc-pub-summary th, table.csc-pub-summary td { padding: 4px 6px; }
table.csc-pub-summary tbody th { font-weight: normal; max-width: 17em; }
table.csc-pub-summary td { white-space: nowrap; }
table.csc-pub-summary td.csc-pub-release { white-space: normal; font-size: 0.75rem; }
table.csc-pub-summary tr.csc-pub-area th { background: #f3f2f1; font-weight: bold; padding-top: 8px; }
table.csc-pub-summary td.csc-pub-la { font-weight: bold; }
.csc-pub-better { color: #00703c; font-weight: bold; }
.csc-pub-worse { color: #d4351c; font-weight: bold; }
.csc-pub-symbol { color: #505a5f; font-style: italic; }
.csc-pub-measure { margin-top: 28px; }
.csc-pub-sources { color: #505a5f; font-size: 0.85rem; margin-top: 0; }
details.csc-pub-def summary { cursor: pointer; color: #1d70b8; }
details.csc-pub-def summary { display: list-item; }
</style>"""


# --------------------------------------------------------------------------------------------
# Page blocks
# --------------------------------------------------------------------------------------------
def _release_phrase(pack: PublishedPack) -> str:
    return ("DfE's latest figures (earlier years' rates as revised on newer population estimates)"
            if pack.release == "latest" else "the figures as DfE first published them, where the earlier "
            "release is held (otherwise the latest)")


def intro(pack: PublishedPack) -> Html:
    """Who is compared with whom, which year and releases, how to read the pack."""
    neighbours = ", ".join(pack.neighbour_list["name"].astype("str"))
    region = pack.region_name
    y = pack.main_year
    warn = ""
    if pack.missing_files:
        items = "".join(f"<li>{_e(m)}</li>" for m in pack.missing_files)
        warn = (f'<div class="csc-pub-warn"><p><strong>Some DfE files were not loaded</strong>: the '
                f"measures they carry are missing from this pack.</p><ul>{items}</ul></div>")
    text = f"""{STYLE}
<div class="csc-pub-box">
<p>How <strong>{_e(pack.name)}</strong> ({_e(pack.code)}, {_e(pack.new_code)}) compares with its 10 statistical
neighbours, the {_e(region)} region and England on {len(pack.summary)} measures the Department for
Education publishes, mostly for <strong>{year_label(y)}</strong> (the year ending 31 March {y}; workforce
figures are at 30 September). Figures are {_e(_release_phrase(pack))}, each marked with the release it
came from.</p>
<p>Statistical neighbours (DfE's {_e(pack.sn_model)} model, closest first): {_e(neighbours)}.</p>
<p class="csc-pub-note">How to read it: "Compared to middle 50%" places {_e(pack.name)} against all English
authorities with a published figure: <em>Higher</em> or <em>Lower</em> than the middle half, or <em>In range</em>;
where DfE says which direction is good it adds <span class="csc-pub-better">better</span> or
<span class="csc-pub-worse">worse</span>. Rank 1 is the best (or, with no good direction, the highest).
Quartile 1 is the best quarter. Stat. neighbours is the average of those of the 10 with a published figure.
<em>c</em>: suppressed by DfE (1 to 5 children); <em>x</em>: not available. Neither is ever counted as zero.</p>
</div>
{warn}"""
    return Html(text, f"Published benchmarks for {pack.name} ({pack.code})")


def headlines(pack: PublishedPack) -> Html:
    """Where the authority stands out: measures better / worse than the middle 50% of
    authorities (by DfE's polarity), and context measures well above or below it."""
    s = pack.summary
    better = s[s["mid50_judgement"] == "better"]
    worse = s[s["mid50_judgement"] == "worse"]
    judged = s[s["polarity"].isin(["high", "low"]) & s["mid50_position"].notna()]
    context = s[~s["polarity"].isin(["high", "low"]) & s["mid50_position"].isin(["above", "below"])]

    def items(frame):
        return "".join(f"<li>{_e(r.label)}: {_e(cell_text(r.la_value, r.la_status, r.la_symbol, r.unit))}"
                       f" (England {_e(fmt_value(r.england, r.unit))}; {_e(ordinal(r.rank))}"
                       f"{'' if r.polarity in ('high', 'low') else ' highest'} of {int(r.n_ranked)})</li>"
                       for r in frame.itertuples())

    parts = [f"<p>Of {len(judged)} measures where DfE says which direction is good, {_e(pack.name)} is "
             f"<span class=\"csc-pub-better\">better than the middle 50%</span> of English authorities on "
             f"{len(better)}, <span class=\"csc-pub-worse\">worse</span> on {len(worse)} and in range on "
             f"{len(judged) - len(better) - len(worse)}.</p>"]
    if len(better):
        parts.append(f"<p><strong>Better than most authorities</strong></p><ul>{items(better)}</ul>")
    if len(worse):
        parts.append(f"<p><strong>Worse than most authorities</strong></p><ul>{items(worse)}</ul>")
    if len(context):
        parts.append("<p><strong>Demand and activity</strong> (DfE gives no good direction: context for "
                     "the measures above)</p>")
        high = context[context["mid50_position"] == "above"]
        low = context[context["mid50_position"] == "below"]
        if len(high):
            parts.append(f"<p>Higher than most authorities:</p><ul>{items(high)}</ul>")
        if len(low):
            parts.append(f"<p>Lower than most authorities:</p><ul>{items(low)}</ul>")
    return Html(f'<div class="csc-pub-box"><h3>Headlines</h3>{"".join(parts)}</div>',
                f"Headlines for {pack.name}")


def summary_frame(pack: PublishedPack) -> pd.DataFrame:
    """The summary table as text, one row per measure (what ``summary_table`` shows)."""
    s = pack.summary
    region = pack.region_names.get(str(s["region_code"].dropna().iloc[0]) if s["region_code"].notna().any()
                                   else "", pack.region_name)
    sn = [fmt_value(v, u) + (f" ({n} of 10)" if 0 < n < 10 else "") if pd.notna(v) else "x"
          for v, u, n in zip(s["sn_average"], s["unit"], s["sn_count"])]
    return pd.DataFrame({
        "Area": s["area"].map({a.key: a.title for a in AREAS}),
        "Measure": s["label"],
        "Good is": s["polarity"].map({"high": "High", "low": "Low"}).fillna("-"),
        "Year": s["year_label"],
        pack.name: [cell_text(v, st, sy, u) for v, st, sy, u in
                    zip(s["la_value"], s["la_status"], s["la_symbol"], s["unit"])],
        "Stat. neighbours": sn,
        region: [fmt_value(v, u) if pd.notna(v) else "x" for v, u in zip(s["region"], s["unit"])],
        "England": [fmt_value(v, u) if pd.notna(v) else "x" for v, u in zip(s["england"], s["unit"])],
        "Compared to middle 50%": [mid50_text(p, j, pol) for p, j, pol in
                                   zip(s["mid50_position"], s["mid50_judgement"], s["polarity"])],
        "Rank": [f"{int(r)} of {int(n)}" if pd.notna(r) else "" for r, n in zip(s["rank"], s["n_ranked"])],
        "Quartile": [quartile_text(q, p) for q, p in zip(s["quartile"], s["polarity"])],
        "Release": s["release"].fillna(""),
    })


def summary_table(pack: PublishedPack) -> Html:
    """The Sefton-style table: one row per measure, grouped by area."""
    frame = summary_frame(pack)
    s = pack.summary
    cols = [c for c in frame.columns if c != "Area"]
    head = "".join(f'<th scope="col">{_e(c)}</th>' for c in cols)
    rows = []
    area = None
    for i, r in frame.iterrows():  # one row per measure (about 40), not per child
        if r["Area"] != area:
            area = r["Area"]
            rows.append(f'<tr class="csc-pub-area"><th scope="rowgroup" colspan="{len(cols)}">{_e(area)}</th></tr>')
        judgement = s["mid50_judgement"].iat[i]
        cls = {"better": "csc-pub-better", "worse": "csc-pub-worse"}.get(judgement, "")
        la_cls = "csc-pub-la" + ("" if s["la_status"].iat[i] == "ok" else " csc-pub-symbol")
        la_title = SYMBOLS.get(r[pack.name], "")
        cells = [f'<th scope="row">{_e(r["Measure"])}</th>',
                 f'<td class="csc-text">{_e(r["Good is"])}</td>', f'<td class="csc-text">{_e(r["Year"])}</td>',
                 f'<td class="{la_cls}"' + (f' title="{_e(la_title)}"' if la_title else "") + f'>{_e(r[pack.name])}</td>']
        cells += [f"<td>{_e(r[c])}</td>" for c in cols[4:7]]
        cells += [f'<td class="csc-text {cls}">{_e(r["Compared to middle 50%"])}</td>',
                  f'<td>{_e(r["Rank"])}</td>', f'<td class="csc-text">{_e(r["Quartile"])}</td>',
                  f'<td class="csc-text csc-pub-note csc-pub-release">{_e(r["Release"])}</td>']
        rows.append("<tr>" + "".join(cells) + "</tr>")
    caption = (f"{_e(pack.name)} against its statistical neighbours, region and England: latest published "
               f"figures ({_e('latest releases' if pack.release == 'latest' else 'as first published')})")
    text = (f'<table class="csc-pub-summary"><caption>{caption}</caption><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')
    return Html(text, frame.to_string(index=False))


# --------------------------------------------------------------------------------------------
# Per measure: narrative, charts, sources
# --------------------------------------------------------------------------------------------
def _row(pack: PublishedPack, measure: str) -> pd.Series:
    if measure not in pack._rows:
        raise KeyError(f"measure {measure!r} is not in this pack")
    return pack._rows[measure]


def _series(pack: PublishedPack, measure: str) -> pd.DataFrame:
    return pack._series.get(measure, pack.series.iloc[:0])


def _neighbours(pack: PublishedPack, measure: str) -> pd.DataFrame:
    return pack._neighbours.get(measure, pack.neighbours.iloc[:0])


def _value_with_unit(value, unit: str) -> str:
    text = fmt_value(value, unit)
    return f"{text} per 10,000" if unit == "rate" else text


def _change(old: float, new: float, unit: str) -> tuple[str, str]:
    """('rose' / 'fell' / 'unchanged', the size of the change in words)."""
    if abs(new - old) <= STABLE_BAND * max(abs(old), 1e-9):
        return "unchanged", ""
    verb = "rose" if new > old else "fell"
    if unit == "pct":
        amount = f"{abs(new - old):.1f} percentage points"
    else:
        amount = f"{abs(new - old) / abs(old) * 100:.0f}%" if old else ""
    return verb, amount


def _standing(pack: PublishedPack, r: pd.Series) -> list[str]:
    """Where the authority stands: its value against England, region and neighbours, then
    its place among English authorities."""
    unit, pol, name = r["unit"], r["polarity"], pack.name
    noun = NOUNS.get(r["measure"], str(r["label"]).lower())
    yl = str(r["year_label"]).replace("Sep ", "September ")
    if r["la_status"] != "ok" or pd.isna(r["la_value"]):
        sym = symbol_text(r["la_status"], r["la_symbol"])
        why = ("suppressed by DfE (c: it rests on 1 to 5 children)" if sym == "c" else
               f"not published by DfE ({sym}: {SYMBOLS.get(sym, 'not available')})")
        out = [f"{name}'s {noun} for {yl} is {why}, so it is not ranked."]
        ctx = [f"England {_value_with_unit(r['england'], unit)}" if pd.notna(r["england"]) else "",
               f"statistical neighbours' average {_value_with_unit(r['sn_average'], unit)}"
               + (f" ({int(r['sn_count'])} of 10 published)" if 0 < r["sn_count"] < 10 else "")
               if pd.notna(r["sn_average"]) else ""]
        if any(ctx):
            out.append(f"For comparison: {_join(ctx)}.")
        return out
    region = pack.region_names.get(str(r["region_code"]), pack.region_name)
    count, caution = "", ""
    if pd.notna(r.get("la_count")) and r.get("la_count_year") == r["year"]:
        count = f" ({fmt_value(r['la_count'], 'count')} {COUNT_WORDS.get(r['count_measure'], '')})"
        if r["la_count"] < SMALL_COUNT:
            caution = (f" With so few {COUNT_WORDS.get(r['count_measure'], 'cases')}, the figure can swing "
                       "from year to year: read ranks with care.")
    comps = [("England", r["england"]), (f"the {region}" if region else "the region", r["region"]),
             ("its statistical neighbours' average", r["sn_average"])]
    groups: dict[str, list[str]] = {}
    for label, other in comps:
        rel = _relation(r["la_value"], other, unit)
        if rel:
            word = _judge(rel, pol) + " than" if _judge(rel, pol) else rel
            groups.setdefault(word, []).append(f"{label} ({_value_with_unit(other, unit)})")
    clauses = [f"{word} {_join(items)}" for word, items in groups.items()]
    good = {"high": "; higher is better", "low": "; lower is better"}.get(pol, "")
    out = [f"In {yl}, {name}'s {noun} was {_value_with_unit(r['la_value'], unit)}{count}: "
           f"{'; '.join(clauses) or 'no benchmark was published'}{good if clauses else ''}."]
    if pd.notna(r["mid50_position"]):
        pos = {"above": "above", "below": "below", "within": "within"}[r["mid50_position"]]
        most = {"better": ", better than most", "worse": ", worse than most"}.get(r["mid50_judgement"], "")
        tail = ("" if pol in ("high", "low") else
                " DfE gives no good direction for this measure: read it as context.")
        out.append(f"That places it {pos} the middle 50% of English authorities{most}: {_rank_phrase(r)}, "
                   f"in {quarter_words(r['quartile'], pol)}.{tail}{caution}")
    elif caution:
        out.append(caution.strip())
    return out


def _three_years(pack: PublishedPack, r: pd.Series) -> str:
    """How the value changed over (up to) three years, against England and in rank."""
    unit, pol = r["unit"], r["polarity"]
    s = _series(pack, r["measure"])
    s_ok = s[(s["la_status"] == "ok") & s["la_value"].notna() & (s["year"] <= r["year"])]
    if s_ok.empty or r["la_status"] != "ok":
        return ""
    now = s_ok.iloc[-1]
    earlier = s_ok[(s_ok["year"] >= now["year"] - 3) & (s_ok["year"] < now["year"])]
    if earlier.empty:
        return "No figure from the three years before is published to compare with."
    then = earlier.iloc[0]
    ylab = year_label(then["year"], r["year_type"]).replace("Sep ", "September ")
    verb, amount = _change(then["la_value"], now["la_value"], unit)
    if verb == "unchanged":
        text = f"It is broadly unchanged since {ylab} ({_value_with_unit(then['la_value'], unit)})"
    else:
        judgement = _judge("higher than" if verb == "rose" else "lower than", pol)
        what = {"better": ", an improvement", "worse": ", a deterioration"}.get(judgement, "")
        text = (f"Since {ylab} it has {'risen' if verb == 'rose' else 'fallen'}"
                + (f" by {amount}" if amount else "")
                + f" from {_value_with_unit(then['la_value'], unit)}{what}")
    if pd.notna(then["england"]) and pd.notna(now["england"]):
        e_verb, _ = _change(then["england"], now["england"], unit)
        if e_verb == "unchanged":
            text += f", while England was broadly unchanged ({fmt_value(then['england'], unit)} to " \
                    f"{fmt_value(now['england'], unit)})"
        else:
            text += f", while England {e_verb} from {fmt_value(then['england'], unit)} to " \
                    f"{fmt_value(now['england'], unit)}"
    if pd.notna(then["rank"]) and pd.notna(now["rank"]) and then["rank"] != now["rank"]:
        text += f"; its rank moved from {ordinal(then['rank'])} to {ordinal(now['rank'])}"
    return text + "."


def _worth_a_visit(pack: PublishedPack, r: pd.Series) -> str:
    """Which statistical neighbours do markedly better (by DfE's polarity): the ones worth
    a visit. For measures with no good direction, the neighbours' range."""
    unit, pol, name = r["unit"], r["polarity"], pack.name
    nb = _neighbours(pack, r["measure"])
    peers = nb[(nb["role"] == "neighbour") & (nb["status"] == "ok") & nb["value"].notna()]
    hidden = int(((nb["role"] == "neighbour") & (nb["status"] != "ok")).sum())
    hidden_text = ("" if not hidden else " (1 neighbour's figure is suppressed or not published.)" if hidden == 1
                   else f" ({hidden} neighbours' figures are suppressed or not published.)")
    if peers.empty:
        return f"None of its statistical neighbours has a published figure.{hidden_text}" if hidden else ""
    if pol not in ("high", "low"):
        lo, hi = peers.loc[peers["value"].idxmin()], peers.loc[peers["value"].idxmax()]
        return (f"Its statistical neighbours range from {_value_with_unit(lo['value'], unit)} ({lo['name']}) "
                f"to {_value_with_unit(hi['value'], unit)} ({hi['name']}).{hidden_text}")
    ascending = pol == "low"
    peers = peers.sort_values("value", ascending=ascending)
    best = peers.iloc[0]
    if r["la_status"] != "ok" or pd.isna(r["la_value"]):
        return (f"The best among its statistical neighbours is {best['name']} "
                f"({_value_with_unit(best['value'], unit)}).{hidden_text}")
    v = r["la_value"]
    iqr = r["england_p75"] - r["england_p25"]
    gap = MARKED_GAP_IQR * iqr if pd.notna(iqr) and iqr > 0 else 0.1 * abs(v)
    ahead = (peers["value"] <= v - gap) if ascending else (peers["value"] >= v + gap)
    marked = peers[ahead.to_numpy()].head(3)
    if len(marked):
        names = _join([f"{n} ({_value_with_unit(x, unit)})" for n, x in zip(marked["name"], marked["value"])])
        return (f"Among its statistical neighbours, {names} {'does' if len(marked) == 1 else 'do'} markedly "
                f"better: worth a visit to learn how.{hidden_text}")
    if (best["value"] < v) if ascending else (best["value"] > v):
        return (f"No statistical neighbour does markedly better; the best is {best['name']} "
                f"({_value_with_unit(best['value'], unit)}).{hidden_text}")
    return f"{name} has the best figure among its statistical neighbours.{hidden_text}"


def narrative(pack: PublishedPack, measure: str) -> str:
    """A short paragraph in an analyst's words: where the authority stands, how that
    changed over three years, and which statistical neighbours do markedly better (the
    ones worth a visit). Better / worse words only where DfE gives a polarity."""
    r = _row(pack, measure)
    parts = _standing(pack, r) + [_three_years(pack, r), _worth_a_visit(pack, r)]
    return " ".join(p for p in parts if p)


def _wrap(text: str, width: int) -> list[str] | str:
    import textwrap

    lines = textwrap.wrap(text, width)
    return lines if len(lines) > 1 else text


def trend_title(pack: PublishedPack, measure: str) -> str:
    """The trend chart's title, stating the finding ("Sefton rose to 26.2% in 2024-25,
    above England (22.6%)")."""
    r = _row(pack, measure)
    yl = year_label(r["year"], r["year_type"])
    s = _series(pack, measure)
    s = s[s["year"] <= r["year"]]
    s_ok = s[(s["la_status"] == "ok") & s["la_value"].notna()]
    if r["la_status"] != "ok" or s_ok.empty:
        sym = symbol_text(r["la_status"], r["la_symbol"])
        return f"{pack.name}'s {yl} figure is " + ("suppressed (c)" if sym == "c" else f"not published ({sym})")
    unit = r["unit"]
    now = s_ok.iloc[-1]
    prev = s_ok.iloc[-2] if len(s_ok) > 1 else None
    value = fmt_value(now["la_value"], unit)
    if prev is None:
        head = f"{pack.name}: {value} in {yl}"
    else:
        verb, _ = _change(prev["la_value"], now["la_value"], unit)
        head = {"unchanged": f"{pack.name} steady at {value}", "rose": f"{pack.name} rose to {value}",
                "fell": f"{pack.name} fell to {value}"}[verb] + f" in {yl}"
    rel = _relation(now["la_value"], now["england"], unit)
    versus = {"higher than": "above", "lower than": "below", "close to": "close to"}.get(rel, "")
    return head + (f", {versus} England ({fmt_value(now['england'], unit)})" if versus else "")


def neighbour_title(pack: PublishedPack, measure: str) -> str:
    r = _row(pack, measure)
    nb = _neighbour_order(pack, measure)
    published = int(nb["_ok"].sum())
    me = nb.index[nb["role"] == "authority"]
    if not len(me) or not bool(nb["_ok"].iat[int(me[0])]):
        sym = symbol_text(r["la_status"], r["la_symbol"])
        state = "suppressed (c)" if sym == "c" else f"not published ({sym})"
        return f"{pack.name}'s figure is {state}; {published} of {len(nb) - 1} neighbours published"
    pos = int(me[0]) + 1
    of = f"{published} with its neighbours" if published == len(nb) else f"the {published} published"
    if r["polarity"] in ("high", "low"):
        return f"{pack.name} is the best of {of}" if pos == 1 else f"{pack.name} is {ordinal(pos)} best of {of}"
    return f"{pack.name} is the highest of {of}" if pos == 1 else f"{pack.name} is {ordinal(pos)} highest of {of}"


class VegaLite:
    """A chart as a Vega-Lite spec (a plain dict), shown exactly as altair's default
    renderer shows a chart, so it draws offline in a rendered pack. Building the dict
    directly is over ten times faster than building and validating altair objects (about
    0.04 s against 0.7 s a measure), which matters for 153 packs of 38 charts each;
    ``to_altair()`` validates it (the tests do)."""

    def __init__(self, spec: dict, title: str = ""):
        self.spec = spec
        self.title = title

    def to_dict(self) -> dict:
        return self.spec

    def to_altair(self):
        return alt.Chart.from_dict(self.spec) if "mark" in self.spec else (
            alt.HConcatChart.from_dict(self.spec) if "hconcat" in self.spec else alt.LayerChart.from_dict(self.spec))

    def _repr_mimebundle_(self, include=None, exclude=None):
        out = alt.renderers.get()(self.spec)
        return out

    def __repr__(self) -> str:
        return f"Chart: {self.title}" if self.title else "Chart"


def _json_value(v):
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    return v


def _records(frame: pd.DataFrame) -> list[dict]:
    cols = list(frame.columns)
    return [{c: _json_value(v) for c, v in zip(cols, row)} for row in frame.itertuples(index=False, name=None)]


def _title(text: str, subtitle: str, width: int) -> dict:
    chars = max(int(width / 7.2), 30)
    return {"text": _wrap(text, chars), "subtitle": _wrap(subtitle, int(chars * 1.15)), "fontSize": 13,
            "subtitleFontSize": 11, "anchor": "start", "offset": 10}


def _label_positions(values: list[float], top: float, height: int, gap_px: float = 12.0) -> list[float]:
    """Data-unit heights for direct labels so that no two are closer than ``gap_px``."""
    if not values:
        return []
    gap = gap_px * (top or 1.0) / height
    order = sorted(range(len(values)), key=lambda i: -values[i])
    placed: dict[int, float] = {}
    previous = None
    for i in order:
        y = values[i] if previous is None else min(values[i], previous - gap)
        placed[i] = y
        previous = y
    low = min(placed.values())
    if low < 0:  # pushed below the axis: shift the stack up
        placed = {i: y - low for i, y in placed.items()}
    return [placed[i] for i in range(len(values))]


def trend_spec(pack: PublishedPack, measure: str, *, width: int = 300, height: int = CHART_HEIGHT) -> dict:
    """Vega-Lite spec: the authority over every published year against its statistical
    neighbours' average and best, its region and England. Lines are labelled at their
    right-hand end; a year DfE suppressed breaks the line and is marked ``c`` at the foot
    of the axis, never drawn as zero; tooltips give each figure's release."""
    r = _row(pack, measure)
    s = _series(pack, measure)
    unit = r["unit"]
    region = pack.region_names.get(str(r["region_code"]), pack.region_name) or "Region"
    labels = [year_label(y, r["year_type"]) for y in s["year"]]
    lines = [(pack.name, "la_value", AF_DARK_BLUE), ("Stat. neighbours", "sn_average", AF_TURQUOISE),
             ("Best neighbour", "sn_best", AF_TURQUOISE), (region, "region", AF_DARK_PINK),
             ("England", "england", AF_DARK_GREY)]
    lines = [(n, c, col) for n, c, col in lines if s[c].notna().any()]
    names, colours = [n for n, _, _ in lines], [c for _, _, c in lines]
    other_release = s["england_release"].fillna(s["release"]).fillna("")
    frames = [pd.DataFrame({"year": labels, "line": n, "value": s[c].astype("float64"),
                            "shown": [fmt_value(v, unit) for v in s[c]],
                            "release": s["release"].fillna("") if c == "la_value" else other_release})
              for n, c, _ in lines]
    long = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["year", "line", "value", "shown", "release"])
    # Every other year labelled, counting back from the latest (which is always labelled).
    x = {"field": "year", "type": "ordinal", "sort": labels, "title": None,
         "axis": {"labelAngle": -45, "labelFontSize": 10, "values": labels[::-1][::2][::-1]}}
    y_title = {"pct": "%", "rate": "per 10,000 children"}.get(unit, "")
    y = {"field": "value", "type": "quantitative", "title": y_title or None,
         "scale": {"zero": True, "nice": True}, "axis": {"labelFontSize": 10, "titleFontSize": 10}}
    colour = {"field": "line", "type": "nominal", "scale": {"domain": names, "range": colours}, "legend": None}
    dash = {"field": "line", "type": "nominal", "legend": None,
            "scale": {"domain": names, "range": [[1, 0] if n == pack.name else [2, 3] if n == "Best neighbour"
                                                 else [6, 3] for n in names]}}
    tooltip = [{"field": "line", "type": "nominal", "title": "Line"},
               {"field": "year", "type": "ordinal", "title": "Year"},
               {"field": "shown", "type": "nominal", "title": "Value"},
               {"field": "release", "type": "nominal", "title": "Release"}]
    me = f"datum.line === {json.dumps(pack.name)}"
    layers = [
        {"transform": [{"filter": f"!({me})"}],
         "mark": {"type": "line", "strokeWidth": 1.6, "invalid": "break-paths-filter-domains"},
         "encoding": {"x": x, "y": y, "color": colour, "strokeDash": dash}},
        {"transform": [{"filter": me}],
         "mark": {"type": "line", "strokeWidth": 3, "color": AF_DARK_BLUE, "invalid": "break-paths-filter-domains"},
         "encoding": {"x": x, "y": y}},
        {"transform": [{"filter": f"!({me})"}, {"filter": "isValid(datum.value)"}],
         "mark": {"type": "point", "filled": True, "size": 18, "opacity": 0.7},
         "encoding": {"x": x, "y": y, "color": colour, "tooltip": tooltip}},
        {"transform": [{"filter": me}, {"filter": "isValid(datum.value)"}],
         "mark": {"type": "point", "filled": True, "size": 45, "color": AF_DARK_BLUE},
         "encoding": {"x": x, "y": y, "tooltip": tooltip}},
    ]
    gaps = s[s["la_status"] != "ok"]
    if len(gaps):
        gap = pd.DataFrame({"year": [year_label(v, r["year_type"]) for v in gaps["year"]],
                            "text": [symbol_text(st, sy) for st, sy in zip(gaps["la_status"], gaps["la_symbol"])],
                            "release": gaps["release"].fillna("")})
        layers.append({"data": {"values": _records(gap)},
                       "mark": {"type": "text", "dy": -8, "fontSize": 12, "fontWeight": "bold", "color": AF_DARK_BLUE},
                       "encoding": {"x": x, "y": {"datum": 0, "type": "quantitative"}, "text": {"field": "text"},
                                    "tooltip": [{"field": "year", "title": "Year"},
                                                {"field": "text", "title": pack.name},
                                                {"field": "release", "title": "Release"}]}})
    valid = long.dropna(subset=["value"])
    if len(valid):
        ends = valid.assign(_o=valid["year"].map({k: i for i, k in enumerate(labels)})).sort_values("_o")
        ends = ends.groupby("line", sort=False).tail(1)
        top = max(float(valid["value"].max()), 0.0)
        pos = _label_positions(ends["value"].tolist(), top, height)
        lab = pd.DataFrame({"year": ends["year"], "line": ends["line"], "label_y": pos})
        layers.append({"data": {"values": _records(lab)},
                       "mark": {"type": "text", "align": "left", "dx": 7, "fontSize": 10, "fontWeight": "bold"},
                       "encoding": {"x": x, "y": {"field": "label_y", "type": "quantitative"},
                                    "text": {"field": "line"}, "color": colour}})
    subtitle = str(r["label"]) + {"high": " (higher is better)", "low": " (lower is better)"}.get(r["polarity"], "")
    return {"data": {"values": _records(long)}, "layer": layers, "width": width, "height": height,
            "title": {**_title(trend_title(pack, measure), subtitle, width + 60), "offset": TITLE_OFFSET}}


def _neighbour_order(pack: PublishedPack, measure: str) -> pd.DataFrame:
    """The authority and its neighbours best first (by DfE's polarity; highest first where
    it has none); unpublished figures last."""
    r = _row(pack, measure)
    nb = _neighbours(pack, measure)
    ok = nb["status"].eq("ok") & nb["value"].notna()
    sign = 1.0 if r["polarity"] == "low" else -1.0
    nb = nb.assign(_ok=ok, _key=np.where(ok, nb["value"] * sign, np.inf))
    return nb.sort_values(["_ok", "_key", "name"], ascending=[False, True, True]).reset_index(drop=True)


def neighbour_spec(pack: PublishedPack, measure: str, *, width: int = 210) -> dict:
    """Vega-Lite spec: the authority and its 10 statistical neighbours for the pack's
    year, ranked, the authority highlighted, the region and England as reference lines. A
    suppressed neighbour is listed with ``c`` and no bar."""
    r = _row(pack, measure)
    unit = r["unit"]
    nb = _neighbour_order(pack, measure)
    rows = pd.DataFrame({
        "name": nb["name"], "value": np.where(nb["_ok"], nb["value"], np.nan),
        "shown": [cell_text(v, st, sy, unit) for v, st, sy in zip(nb["value"], nb["status"], nb["symbol"])],
        "who": np.where(nb["role"] == "authority", pack.name, "Statistical neighbour"),
        "release": nb["release"].fillna(""),
        "label_x": np.where(nb["_ok"], nb["value"], 0.0)})
    order = rows["name"].tolist()
    y = {"field": "name", "type": "nominal", "sort": order, "title": None,
         "axis": {"labelFontSize": 10, "labelLimit": 120, "ticks": False, "domain": False}}
    x = {"field": "value", "type": "quantitative", "title": None, "scale": {"zero": True, "nice": True},
         "axis": {"labelFontSize": 10, "grid": True}}
    me = f"datum.who === {json.dumps(pack.name)}"
    colour = {"condition": {"test": me, "value": AF_DARK_BLUE}, "value": NEIGHBOUR_GREY}
    y["axis"].update({"labelFontWeight": {"condition": {"test": f"datum.value === {json.dumps(pack.name)}",
                                                        "value": "bold"}, "value": "normal"}})
    tooltip = [{"field": "name", "type": "nominal", "title": "Authority"},
               {"field": "shown", "type": "nominal", "title": "Value"},
               {"field": "release", "type": "nominal", "title": "Release"}]
    layers = [
        {"transform": [{"filter": "isValid(datum.value)"}], "mark": {"type": "bar", "height": {"band": 0.7}},
         "encoding": {"x": x, "y": y, "color": colour, "tooltip": tooltip}},
        {"mark": {"type": "text", "align": "left", "dx": 3, "fontSize": 10, "color": "#0b0c0c"},
         "encoding": {"x": {"field": "label_x", "type": "quantitative"}, "y": y, "text": {"field": "shown"},
                      "tooltip": tooltip}},
    ]
    region = pack.region_names.get(str(r["region_code"]), pack.region_name) or "Region"
    refs = [(n, v, c) for n, v, c in [(region, r["region"], AF_DARK_PINK), ("England", r["england"], AF_DARK_GREY)]
            if pd.notna(v)]
    for i, (n, v, c) in enumerate(refs):
        ref = {"values": [{"line": n, "value": float(v), "shown": fmt_value(v, unit)}]}
        layers.append({"data": ref, "mark": {"type": "rule", "strokeDash": [5, 3], "strokeWidth": 1.5, "color": c},
                       "encoding": {"x": {"field": "value", "type": "quantitative"},
                                    "tooltip": [{"field": "line", "title": "Line"},
                                                {"field": "shown", "title": "Value"}]}})
        layers.append({"data": ref, "mark": {"type": "text", "align": "center", "baseline": "bottom",
                                             "dy": -2 - 12 * i, "fontSize": 10, "fontWeight": "bold", "color": c},
                       "encoding": {"x": {"field": "value", "type": "quantitative"}, "y": {"value": 0},
                                    "text": {"field": "line"}}})
    sub = f"{year_label(r['year'], r['year_type'])}, " + (
        "best first" if r["polarity"] in ("high", "low") else "highest first")
    return {"data": {"values": _records(rows)}, "layer": layers, "width": width,
            "height": max(CHART_HEIGHT, 16 * len(rows)),
            # The reference-line labels already stand above the plot: the title sits above them.
            "title": {**_title(neighbour_title(pack, measure), sub, width + 120),
                      "offset": max(TITLE_OFFSET - 12 * len(refs), 8)}}


def measure_chart(pack: PublishedPack, measure: str) -> VegaLite:
    """The measure's trend and its neighbours side by side (one chart on the page)."""
    spec = {"$schema": alt.SCHEMA_URL, "config": _theme()["config"],
            "hconcat": [trend_spec(pack, measure), neighbour_spec(pack, measure)],
            # Plots aligned on their own boxes (titles and labels differ in height); the
            # spacing leaves room for the trend's line labels and the neighbours' names.
            "bounds": "flush", "spacing": 255}
    return VegaLite(spec, trend_title(pack, measure))


def trend_chart(pack: PublishedPack, measure: str) -> VegaLite:
    return VegaLite({"$schema": alt.SCHEMA_URL, "config": _theme()["config"], **trend_spec(pack, measure)},
                    trend_title(pack, measure))


def neighbour_chart(pack: PublishedPack, measure: str) -> VegaLite:
    return VegaLite({"$schema": alt.SCHEMA_URL, "config": _theme()["config"], **neighbour_spec(pack, measure)},
                    neighbour_title(pack, measure))


def sources_line(pack: PublishedPack, measure: str) -> str:
    """Which release each year's figure came from, e.g. "2013-14 to 2017-18: CIN 2025
    release; 2018-19 to 2022-23: CIN 2023 release"."""
    r = _row(pack, measure)
    s = _series(pack, measure)
    rel = s["release"].fillna(s["england_release"]).fillna("")
    runs: list[tuple[int, int, str]] = []
    for y, lab in zip(s["year"], rel):
        if runs and runs[-1][2] == lab and runs[-1][1] == y - 1:
            runs[-1] = (runs[-1][0], y, lab)
        else:
            runs.append((y, y, lab))
    bits = []
    for a, b, lab in runs:
        span = year_label(a, r["year_type"]) if a == b else (
            f"{year_label(a, r['year_type'])} to {year_label(b, r['year_type'])}")
        bits.append(f"{span}: {lab}" if lab else span)
    return "; ".join(bits)


def _definition(pack: PublishedPack, measure: str) -> str:
    m = pack.measures[pack.measures["measure"] == measure]
    if m.empty:
        return ""
    text = str(m["definition"].iat[0] or "")
    return "" if text in ("", "nan", "None") else text


def measure_block(pack: PublishedPack, measure: str) -> list:
    """A measure's part of the page: heading, narrative, the two charts, sources."""
    r = _row(pack, measure)
    chart = measure_chart(pack, measure)
    definition = _definition(pack, measure)
    polarity = {"high": "DfE: higher is better", "low": "DfE: lower is better"}.get(
        r["polarity"], "DfE gives no good direction")
    foot = (f'<p class="csc-pub-sources">{_e(polarity)}. Figures by year: {_e(sources_line(pack, measure))}.'
            + (f' <details class="csc-pub-def"><summary>Definition</summary>{_e(definition)}</details>'
               if definition else "") + "</p>")
    text = narrative(pack, measure)
    head = f'<h3 class="csc-pub-measure">{_e(r["label"])}</h3><p>{_e(text)}</p>'
    return [Html(head, f"{r['label']}: {text}"), chart, Html(foot, sources_line(pack, measure))]


def area_section(pack: PublishedPack, area: str) -> list:
    """Every measure of one area (see ``AREAS``), in order, ready to ``display(*...)``."""
    keys = {a.key: a for a in AREAS}
    if area not in keys:
        raise KeyError(f"unknown area {area!r}; areas: {', '.join(keys)}")
    out: list = []
    for measure in keys[area].measures:
        if (pack.summary["measure"] == measure).any():
            out += measure_block(pack, measure)
    if not out:
        out.append(Html("<p>DfE publishes none of these measures for this authority.</p>"))
    return out


def about(pack: PublishedPack) -> Html:
    """Sources, method and the Open Government Licence attribution."""
    files = pack.files
    listed = ""
    if files is not None and not files.empty:
        loaded = files[files["status"] == "loaded"]
        listed = "".join(f"<li>{_e(t)}: <code>{_e(f)}</code></li>"
                         for t, f in zip(loaded["title"], loaded["file"]))
    text = f"""
<p>Figures are DfE's published statistics (Characteristics of children in need; Children looked after
in England including adoptions; Children's social work workforce; the Local Authority Interactive Tool,
LAIT) and ONS mid-year population estimates, read exactly as downloaded. Rates DfE publishes only as
counts are recomputed as count / children aged 0 to 17 x 10,000 with the population DfE used in that
release, rounded as DfE rounds (half up, one decimal place), which reproduces its published rates.</p>
<p>Rank: 1 is the best by DfE's polarity (or the highest where DfE gives none); authorities with equal
values share a rank. Quartiles and the middle 50% use England's 25th and 75th percentiles of all authorities
with a published figure (Excel's QUARTILE.INC). Statistical neighbours: DfE's {_e(pack.sn_model)} model.
Suppressed (<em>c</em>) and unpublished (<em>x</em>) figures are left out of every average, rank and
quartile, and never shown as zero.</p>
<details class="csc-pub-def"><summary>DfE files used</summary><ul class="csc-pub-note">{listed}</ul></details>
<p><strong>{_e(ATTRIBUTION)}</strong></p>"""
    return Html(text, ATTRIBUTION)

