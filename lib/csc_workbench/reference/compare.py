"""How an authority compares: statistical neighbours, region, England, rank and quartile.

Pure pandas over the reference tables (``ref_benchmarks``, ``ref_stat_neighbours``,
``ref_authorities``), so the same functions serve DfE's published data and the synthetic
benchmarks of fictional authorities.

Conventions (each chosen to match what analysts do by hand from LAIT downloads):

- Only published values count: a value DfE suppressed (``c``) or marked not available is
  kept as such in the authority's column and left out of every average, rank and quartile.
- ``sn_average``: the plain mean of the neighbours' published values (``sn_count`` says how
  many of the 10 were published); ``sn_best``: the best of them by polarity.
- England's quartiles are Excel's ``QUARTILE.INC`` over all English LAs' published values
  (numpy's linear interpolation). ``mid50_position`` is Sefton's "Compared to mid-50% LA":
  ``below`` p25, ``within`` p25..p75 (inclusive), ``above`` p75; ``mid50_judgement`` reads
  it with the polarity (``better`` / ``in range`` / ``worse``; no judgement for measures
  with no polarity beyond ``in range``).
- ``rank``: 1 = best by polarity (for measures with no polarity, 1 = highest), ties share
  the best rank (1, 2, 2, 4); ``n_ranked`` = LAs with a published value.
- ``quartile``: 1 = best, by the same thresholds: for high-is-good measures a value at or
  above p75 is quartile 1, at or above the median 2, at or above p25 3, else 4 (mirror image
  for low-is-good; no-polarity measures as high). ``england_top_quartile`` is the threshold
  of quartile 1 (p75, or p25 when low is good).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ConfigError
from .catalogue import MEASURES
from .published import OK


class UnknownAuthority(ConfigError):
    """The text names no authority we know (the message lists near matches)."""


# --------------------------------------------------------------------------------------------
# Authorities
# --------------------------------------------------------------------------------------------
def _authority_frame(authorities: pd.DataFrame) -> pd.DataFrame:
    """code, new_code, name, region_code, region_name from either ``ref_authorities`` or a
    synthetic authorities table (authority, la_name, region_code, region_name)."""
    a = authorities
    code = a["old_la_code"] if "old_la_code" in a.columns else a["authority"]
    new = a["new_la_code"] if "new_la_code" in a.columns else pd.Series("", index=a.index)
    return pd.DataFrame({
        "code": code.astype("str").str.strip(), "new_code": new.fillna("").astype("str").str.strip(),
        "name": a["la_name"].astype("str").str.strip(),
        "region_code": a["region_code"].astype("str") if "region_code" in a.columns else "",
        "region_name": a["region_name"].astype("str") if "region_name" in a.columns else "",
    }).reset_index(drop=True)


@lru_cache(maxsize=4)
def _default_authorities(folder: str) -> pd.DataFrame:
    from ..quality import LoadAccount
    from . import sources

    return sources.la_reference(Path(folder), LoadAccount("reference"))[1]


def default_authorities(folder: Path | None = None) -> pd.DataFrame:
    """The 153 LAs from DfE's LA reference file in ``folder`` (default ``config.dfe_dir()``)."""
    from ..config import dfe_dir

    return _default_authorities(str(folder or dfe_dir())).copy()


def _norm_name(text: str) -> str:
    t = str(text).casefold().replace("&", " and ").replace("st.", "st ")
    t = re.sub(r",\s*(city|county) of\s*$", " ", t)  # "Bristol, City of" is Bristol
    t = re.sub(r"^\s*(city|county) of\s+(?!london)", " ", t)  # "City of Bristol" too
    t = re.sub(r"\b(council|borough|the|london borough of|metropolitan)\b", " ", t)
    t = re.sub(r"[^a-z0-9]+", " ", t)
    return " ".join(t.split())


def resolve_authority(text: str | int, authorities: pd.DataFrame | None = None,
                      lookup: pd.DataFrame | None = None) -> str:
    """The authority's code (DfE's old LA code such as ``'343'``, or a synthetic code) from
    an old code, a new code (``E08000014``), a district's code (via the LTLA-UTLA
    ``lookup``), or a name (case and punctuation ignored; a unique part of a name will do).
    Unknown text raises ``UnknownAuthority`` listing the nearest matches."""
    a = _authority_frame(authorities if authorities is not None else default_authorities())
    raw = str(text).strip()
    key = raw.casefold()
    if not key:
        raise UnknownAuthority("no authority given: give an LA code such as 343, a code such as "
                               "E08000014, or a name")
    by_code = a[a["code"].str.casefold() == key]
    if len(by_code) == 0 and re.fullmatch(r"\d+\.0", key):
        by_code = a[a["code"] == key[:-2]]
    if len(by_code):
        return str(by_code["code"].iat[0])
    by_new = a[a["new_code"].str.casefold() == key]
    if len(by_new):
        return str(by_new["code"].iat[0])
    if lookup is not None and len(lookup):
        hit = lookup[lookup["ltla_code"].str.casefold() == key]
        if len(hit) == 0:
            hit = lookup[lookup["ltla_name"].map(_norm_name) == _norm_name(raw)]
        if len(hit):
            up = a[a["new_code"].str.casefold() == str(hit["utla_code"].iat[0]).casefold()]
            if len(up):
                return str(up["code"].iat[0])
    names = a["name"].map(_norm_name)
    want = _norm_name(raw)
    exact = a[names == want]
    if len(exact) == 1:
        return str(exact["code"].iat[0])
    part = a[names.str.contains(rf"\b{re.escape(want)}\b", regex=True)] if want else a.iloc[:0]
    if len(part) == 1:
        return str(part["code"].iat[0])
    if len(part) > 1:
        options = ", ".join(f"{n} ({c})" for c, n in zip(part["code"], part["name"]))
        raise UnknownAuthority(f"authority {raw!r} is ambiguous: {options}")
    near = difflib.get_close_matches(want, names.tolist(), n=3, cutoff=0.6)
    near_codes = difflib.get_close_matches(key, a["code"].str.casefold().tolist(), n=2, cutoff=0.8)
    options = [f"{n} ({c})" for c, n in zip(a["code"], a["name"]) if _norm_name(n) in near]
    options += [f"{n} ({c})" for c, n in zip(a["code"], a["name"]) if c.casefold() in near_codes
                and f"{n} ({c})" not in options]
    hint = f"; did you mean {', '.join(options)}?" if options else (
        "; give DfE's old LA code (e.g. 343), the new code (e.g. E08000014) or the name")
    raise UnknownAuthority(f"unknown authority {raw!r}{hint}")


# --------------------------------------------------------------------------------------------
# Releases and polarity
# --------------------------------------------------------------------------------------------
_KEYS = ["measure", "geography", "code", "year"]


def pick_release(ref_benchmarks: pd.DataFrame, release: str = "latest") -> pd.DataFrame:
    """One row per measure, area and year: ``latest`` (the newest release holding it, e.g.
    rates on revised populations), ``first`` (the earliest release held: "as first
    published" where we hold that release), or a release label such as
    ``"CIN 2024 release"`` (only that release's rows)."""
    r = ref_benchmarks
    if release in ("latest", "first"):
        order = r.sort_values(["release_year"], kind="stable", ascending=(release == "latest"))
        return order.drop_duplicates(_KEYS, keep="last").reset_index(drop=True)
    sub = r[r["release"] == release]
    if sub.empty:
        known = ", ".join(sorted(r["release"].unique()))
        raise ConfigError(f"no values from release {release!r}; releases held: {known}")
    return sub.drop_duplicates(_KEYS, keep="last").reset_index(drop=True)


def _polarity(ref: pd.DataFrame, measures: pd.DataFrame | None) -> pd.Series:
    pol = ref.groupby("measure")["polarity"].first()
    if measures is not None and len(measures):
        pol = measures.drop_duplicates("measure").set_index("measure")["polarity"].combine_first(pol)
    return pol.fillna("none").replace("", "none")


def _titles(ref: pd.DataFrame, measures: pd.DataFrame | None) -> pd.Series:
    ids = pd.Index(ref["measure"].unique())
    titles = pd.Series({k: m.title for k, m in MEASURES.items()}).reindex(ids)
    if measures is not None and "title" in measures.columns:
        titles = measures.drop_duplicates("measure").set_index("measure")["title"].reindex(ids).combine_first(titles)
    return titles.fillna(pd.Series(ids, index=ids))


# --------------------------------------------------------------------------------------------
# The comparison, per measure and year
# --------------------------------------------------------------------------------------------
def _neighbours(stat_neighbours: pd.DataFrame | None, code: str, model: str | None) -> list[str]:
    if stat_neighbours is None or stat_neighbours.empty:
        return []
    sn = stat_neighbours[stat_neighbours["code"].astype("str") == code]
    if model is not None:
        sn = sn[sn["model"].astype("str") == str(model)]
    elif len(sn):
        sn = sn[sn["model"] == sn["model"].max()]  # the newest model that has this authority
    return sn.sort_values("neighbour_rank")["neighbour_code"].astype("str").tolist()


def _compare(sel: pd.DataFrame, code: str, neighbours: list[str], region_codes: list[str],
             polarity: pd.Series) -> pd.DataFrame:
    """One row per (measure, year) in ``sel`` (already one release per key)."""
    keys = ["measure", "year"]
    frame = sel[keys].drop_duplicates().reset_index(drop=True)
    la = sel[sel["geography"] == "la"]
    ok_la = la[la["status"] == OK]

    own = la[la["code"] == code][keys + ["value", "status", "symbol", "release", "name"]]
    own = own.rename(columns={"value": "la_value", "status": "la_status", "symbol": "la_symbol",
                              "release": "release", "name": "la_name"})
    out = frame.merge(own, on=keys, how="left")
    out["la_status"] = out["la_status"].fillna("not_available")
    out["la_symbol"] = out["la_symbol"].fillna("")
    pol = out["measure"].map(polarity).fillna("none")
    out.insert(2, "polarity", pol.to_numpy())
    high_first = out["polarity"] != "low"

    # Statistical neighbours: published values only.
    sn = ok_la[ok_la["code"].isin(neighbours)]
    agg = sn.groupby(keys)["value"].agg(sn_average="mean", sn_count="count").reset_index()
    out = out.merge(agg, on=keys, how="left")
    out["sn_count"] = out["sn_count"].fillna(0).astype("int64")
    sn = sn.drop(columns=["polarity"], errors="ignore").merge(out[keys + ["polarity"]], on=keys)
    sn = sn[sn["polarity"].isin(["high", "low"])]
    sn = sn.assign(_sort=np.where(sn["polarity"] == "high", -sn["value"], sn["value"]))
    best = (sn.sort_values(keys + ["_sort", "code"]).drop_duplicates(keys)
            [keys + ["value", "code", "name"]]
            .rename(columns={"value": "sn_best", "code": "sn_best_code", "name": "sn_best_name"}))
    out = out.merge(best, on=keys, how="left")

    # Region (London sub-regions fall back on London) and England.
    region = pd.Series(np.nan, index=out.index)
    region_code = pd.Series("", index=out.index, dtype="object")
    for rc in region_codes:
        r = sel[(sel["geography"] == "region") & (sel["code"] == rc) & (sel["status"] == OK)]
        got = out[keys].merge(r[keys + ["value"]], on=keys, how="left")["value"]
        fill = region.isna() & got.notna()
        region[fill] = got[fill]
        region_code[fill] = rc
    out["region_code"] = region_code.replace("", np.nan)
    out["region"] = region
    eng = sel[(sel["geography"] == "england")][keys + ["value", "status", "release"]]
    eng = eng.drop_duplicates(keys).rename(columns={"value": "england", "status": "england_status",
                                                    "release": "england_release"})
    out = out.merge(eng, on=keys, how="left")
    out["release"] = out["release"].fillna(out["england_release"])

    # England's distribution over all LAs' published values.
    q = ok_la.groupby(keys)["value"].quantile([0.25, 0.5, 0.75]).unstack()
    q.columns = ["england_p25", "england_median", "england_p75"]
    out = out.merge(q.reset_index(), on=keys, how="left")
    out["england_top_quartile"] = np.where(out["polarity"] == "low", out["england_p25"], out["england_p75"])

    # Rank among LAs: 1 + number of LAs strictly better (ties share the best rank).
    cmp = ok_la[keys + ["value"]].merge(out[keys + ["la_value", "polarity"]], on=keys)
    cmp = cmp[cmp["la_value"].notna()]
    better = np.where(cmp["polarity"] == "low", cmp["value"] < cmp["la_value"], cmp["value"] > cmp["la_value"])
    ahead = cmp.assign(_b=better).groupby(keys)["_b"].sum().rename("_ahead").reset_index()
    n = ok_la.groupby(keys).size().rename("n_ranked").reset_index()
    out = out.merge(ahead, on=keys, how="left").merge(n, on=keys, how="left")
    published = (out["la_status"] == OK) & out["la_value"].notna()
    out["rank"] = pd.array(np.where(published, out["_ahead"].fillna(0) + 1, np.nan), dtype="Int64")
    out["n_ranked"] = out["n_ranked"].fillna(0).astype("int64")
    out["rank_order"] = np.where(out["polarity"] == "low", "1 = lowest (low is good)",
                                 np.where(out["polarity"] == "high", "1 = highest (high is good)",
                                          "1 = highest (no polarity)"))

    v = out["la_value"]
    p25, p50, p75 = out["england_p25"], out["england_median"], out["england_p75"]
    q_high = np.select([v >= p75, v >= p50, v >= p25], [1, 2, 3], 4)
    q_low = np.select([v <= p25, v <= p50, v <= p75], [1, 2, 3], 4)
    quart = np.where(high_first, q_high, q_low)
    out["quartile"] = pd.array(np.where(published & p25.notna(), quart, np.nan), dtype="Int64")

    position = np.select([v < p25, v > p75], ["below", "above"], "within")
    has = published & p25.notna()
    out["mid50_position"] = pd.Series(np.where(has, position, None), index=out.index, dtype="object")
    good_side = np.where(out["polarity"] == "high", "above", np.where(out["polarity"] == "low", "below", ""))
    bad_side = np.where(out["polarity"] == "high", "below", np.where(out["polarity"] == "low", "above", ""))
    judgement = np.select([position == "within", position == good_side, position == bad_side],
                          ["in range", "better", "worse"], "")
    out["mid50_judgement"] = pd.Series(np.where(has & (judgement != ""), judgement, None), index=out.index,
                                       dtype="object")
    return out.drop(columns=["_ahead"])


SUMMARY_COLUMNS = [
    "measure", "title", "unit", "polarity", "year", "release", "la_value", "la_status", "la_symbol",
    "sn_average", "sn_count", "sn_best", "sn_best_code", "sn_best_name", "region_code", "region",
    "england", "england_top_quartile", "england_p25", "england_median", "england_p75",
    "mid50_position", "mid50_judgement", "rank", "n_ranked", "quartile", "rank_order",
    "england_release",
]


def _prepare(stat_neighbours, authorities, authority, model):
    auth = _authority_frame(authorities)
    code = resolve_authority(authority, authorities)
    row = auth[auth["code"] == code].iloc[0]
    region_codes = [c for c in [row["region_code"]] if c and c != "nan"]
    if region_codes and region_codes[0] in ("E13000001", "E13000002"):
        region_codes.append("E12000007")  # Inner/Outer London, else London
    return code, region_codes, _neighbours(stat_neighbours, code, model)


def _finish(out: pd.DataFrame, sel: pd.DataFrame, measures: pd.DataFrame | None) -> pd.DataFrame:
    out["title"] = out["measure"].map(_titles(sel, measures))
    unit = sel.groupby("measure")["unit"].first()
    if measures is not None and "unit" in measures.columns:
        unit = measures.drop_duplicates("measure").set_index("measure")["unit"].combine_first(unit)
    out["unit"] = out["measure"].map(unit)
    return out.reindex(columns=SUMMARY_COLUMNS)


def benchmark_summary(ref_benchmarks: pd.DataFrame, stat_neighbours: pd.DataFrame | None,
                      authorities: pd.DataFrame, authority: str | int, year: int | None = None,
                      release: str = "latest", *, model: str | None = None,
                      measures: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per measure: the authority's published value for ``year`` (default: each
    measure's latest year with a published value) against its statistical neighbours,
    region and England, with rank, quartile and the middle-50% position. See the module
    docstring for the conventions. ``measures`` (``ref_measures``) supplies titles and
    polarity where given; otherwise the ``polarity`` column of ``ref_benchmarks``."""
    code, region_codes, neighbours = _prepare(stat_neighbours, authorities, authority, model)
    sel = ref_benchmarks
    if release not in ("latest", "first"):
        sel = pick_release(sel, release)
    # Choose each measure's year before picking releases: a tenth of the rows to sort.
    if year is None:
        # each measure's latest year with a published value (numpy: a string map is slow)
        ok = (sel["status"] == OK).to_numpy()
        codes, uniques = pd.factorize(sel["measure"])
        years = sel["year"].to_numpy()
        latest = np.full(len(uniques), np.iinfo("int64").min)
        np.maximum.at(latest, codes[ok], years[ok])
        sel = sel[years == latest[codes]]
    else:
        sel = sel[sel["year"] == int(year)]
    sel = pick_release(sel, release if release in ("latest", "first") else "latest")
    out = _compare(sel, code, neighbours, region_codes, _polarity(sel, measures))
    out = _finish(out, sel, measures)
    order = {m: i for i, m in enumerate(MEASURES)}
    out["_o"] = out["measure"].map(order).fillna(len(order))
    return out.sort_values(["_o", "measure"]).drop(columns="_o").reset_index(drop=True)


def la_series(ref: Mapping[str, pd.DataFrame], authority: str | int, measure: str,
              release: str = "latest", *, model: str | None = None) -> pd.DataFrame:
    """The authority's published values of one measure over every published year, each
    year with its release, statistical-neighbour average (and count), region, England, rank
    and quartile. ``ref`` holds the reference tables by name (``ref_benchmarks``,
    ``ref_stat_neighbours``, ``ref_authorities``; ``ref_measures`` optional), as returned by
    ``build_reference`` / ``read_reference`` or built by ``synthetic_benchmarks``."""
    bench = ref["ref_benchmarks"]
    sub = bench[bench["measure"] == measure]
    if sub.empty:
        near = difflib.get_close_matches(measure, sorted(bench["measure"].unique()), n=3)
        raise ConfigError(f"no published values for measure {measure!r}"
                          + (f"; did you mean {', '.join(near)}?" if near else ""))
    code, region_codes, neighbours = _prepare(ref.get("ref_stat_neighbours"), ref["ref_authorities"],
                                              authority, model)
    sel = pick_release(sub, release)
    out = _compare(sel, code, neighbours, region_codes, _polarity(sel, ref.get("ref_measures")))
    out = _finish(out, sel, ref.get("ref_measures"))
    return out.sort_values("year").reset_index(drop=True)


def series_table(ref: Mapping[str, pd.DataFrame], authority: str | int, measures: list[str] | None = None,
                 release: str = "latest", *, model: str | None = None) -> pd.DataFrame:
    """``la_series`` for several measures at once (one pass over the tables instead of one
    per measure): one row per measure and published year, sorted by measure then year.
    ``measures`` default: every measure in ``ref_benchmarks``. Measures with no published
    values are simply absent."""
    bench = ref["ref_benchmarks"]
    sub = bench if measures is None else bench[bench["measure"].isin(list(measures))]
    code, region_codes, neighbours = _prepare(ref.get("ref_stat_neighbours"), ref["ref_authorities"],
                                              authority, model)
    if sub.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    sel = pick_release(sub, release)
    out = _compare(sel, code, neighbours, region_codes, _polarity(sel, ref.get("ref_measures")))
    out = _finish(out, sel, ref.get("ref_measures"))
    return out.sort_values(["measure", "year"]).reset_index(drop=True)


NEIGHBOUR_COLUMNS = ["measure", "year", "code", "name", "role", "neighbour_rank", "value", "status",
                     "symbol", "release"]


def neighbour_values(ref: Mapping[str, pd.DataFrame], authority: str | int, years: Mapping[str, int],
                     release: str = "latest", *, model: str | None = None) -> pd.DataFrame:
    """The published values of the authority and each of its statistical neighbours, for
    each measure in ``years`` (measure -> year), with their status and symbol (a
    suppressed neighbour stays ``c``, never 0). ``role`` is ``authority`` or ``neighbour``;
    ``neighbour_rank`` is the neighbour's closeness rank (0 for the authority)."""
    bench = ref["ref_benchmarks"]
    code, _, neighbours = _prepare(ref.get("ref_stat_neighbours"), ref["ref_authorities"], authority, model)
    wanted = pd.DataFrame({"measure": list(years), "year": [int(y) for y in years.values()]})
    areas = pd.DataFrame({"code": [code] + neighbours, "neighbour_rank": range(len(neighbours) + 1)})
    sub = bench[(bench["geography"] == "la") & bench["code"].isin(areas["code"])]
    sub = sub.merge(wanted, on=["measure", "year"])
    sel = pick_release(sub, release) if len(sub) else sub
    # Every (measure, area) pair appears, published or not: a missing row is "not available".
    grid = wanted.merge(areas, how="cross")
    out = grid.merge(sel[["measure", "year", "code", "name", "value", "status", "symbol", "release"]],
                     on=["measure", "year", "code"], how="left")
    names = _authority_frame(ref["ref_authorities"]).set_index("code")["name"]
    out["name"] = out["code"].map(names).fillna(out["name"])
    out["status"] = out["status"].fillna("not_available")
    out["symbol"] = out["symbol"].fillna("")
    out["role"] = np.where(out["code"] == code, "authority", "neighbour")
    return out.reindex(columns=NEIGHBOUR_COLUMNS).sort_values(["measure", "neighbour_rank"]).reset_index(drop=True)
