"""Regional comparison: every authority of a run side by side per key measure, with the
region and England, as a regional improvement group compares its members.

Values are the measures engine's (``measures.store`` when the stored measures are current,
otherwise computed in memory for the key measures only: a notebook never writes the
warehouse, because other notebooks of the batch are reading it). Each measure is compared
on its rolling 12 months (flows) or at the month end (stocks): a single month is too
noisy to rank authorities on.

Benchmark lines:

* fictional (synthetic) authorities have no published figures, so their region and
  "England" are pooled from the fictional authorities in the warehouse, as DfE pools:
  the sum of the numerators over the sum of the denominators (never an average of
  rates); the region from the authorities sharing a region code, England from all;
* real authorities get DfE's published region and England values for the latest year
  (``reference.benchmark_summary``), labelled with the year, when the reference tables
  are in the warehouse.

Rank: 1 = best by the measure's polarity among the run's authorities with a value (ties
share the best rank); for a measure with no polarity, 1 = highest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..calendar import financial_year_label, parse_month
from ..errors import ConfigError
from ..measures import catalogue as measure_catalogue
from ..measures import compute_measures

# The measures a regional improvement group looks at first: demand at each step of the
# child's journey (rates per 10,000 children) and the timeliness and stability measures
# DfE publishes for every authority.
KEY_MEASURES = (
    "referral_rate", "rereferral_pct", "assessment_45wd_pct", "s47_rate", "icpc_15wd_pct",
    "cpp_rate", "cpp_repeat_pct", "cin_rate", "cla_rate", "cla_3plus_placements_pct",
    "cla_stability_pct", "cl_suitable_accom_pct",
)
# What each unit's value is, given numerator / denominator (rolling 12 months and month-end
# snapshots need no annualising).
_SCALE = {"pct": 100.0, "rate": 10_000.0, "number": 1.0, "days": 1.0}
SYNTHETIC_ENGLAND = "England (fictional authorities)"


def comparison_period(measure_id: str) -> str:
    """rolling_12m for a flow, snapshot for a stock."""
    return "snapshot" if measure_catalogue()[measure_id].kind == "stock" else "rolling_12m"


def read_authorities(warehouse) -> pd.DataFrame:
    """The warehouse's authorities table (authority, la_name, region_code, region_name,
    is_synthetic)."""
    from ..model.warehouse import read_table

    a = read_table("authorities", warehouse)
    a["is_synthetic"] = a["is_synthetic"].fillna(False).astype(bool)
    return a


def _stored_current(warehouse, code: str) -> bool:
    from ..measures.store import CACHE_TABLE, cache_key
    from ..model.warehouse import connect, list_tables

    with connect(warehouse, read_only=True) as con:
        if CACHE_TABLE not in list_tables(con):
            return False
        row = con.execute(f"SELECT cache_key FROM {CACHE_TABLE} WHERE authority = ?", [code]).fetchone()
        return row is not None and row[0] == cache_key(con, code)


def _measures_of(warehouse, code: str, month: str, measures: tuple[str, ...]) -> pd.DataFrame:
    from ..measures.store import read_measures
    from ..model.warehouse import load_dataset

    if _stored_current(warehouse, code):
        m = read_measures(code, warehouse, month=month)
        return m[m["measure"].isin(measures) & (m["breakdown"] == "all")]
    ds = load_dataset(warehouse, authorities=[code])
    return compute_measures(ds, measures=list(measures), periods=["rolling_12m", "snapshot"],
                            first_month=month, last_month=month, options={"breakdowns": ["all"]})


def regional_measures(warehouse, authorities: list[str], month: str,
                      measures: tuple[str, ...] = KEY_MEASURES) -> pd.DataFrame:
    """The tidy rows (breakdown 'all') of ``measures`` for ``month`` for the run's
    ``authorities`` and, where they are fictional, every other fictional authority of their
    regions and of the warehouse (the pool behind the fictional region and England
    lines). Column ``in_run`` marks the run's authorities."""
    if not authorities:
        raise ConfigError("the regional comparison needs the run's authorities (parameter 'authorities')")
    unknown = [m for m in measures if m not in measure_catalogue()]
    if unknown:
        raise ConfigError(f"unknown measure(s) {unknown}")
    parse_month(month)
    auth = read_authorities(warehouse)
    known = set(auth["authority"])
    missing = [a for a in authorities if a not in known]
    if missing:
        raise ConfigError(f"unknown authority {', '.join(missing)}: not in the warehouse's authorities table")
    synthetic = set(auth.loc[auth["is_synthetic"], "authority"])
    pool = sorted(synthetic) if synthetic & set(authorities) else []
    codes = list(dict.fromkeys([*authorities, *pool]))
    frames = [_measures_of(warehouse, c, month, tuple(measures)) for c in codes]
    tidy = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) \
        else pd.DataFrame(columns=["authority", "measure", "breakdown", "period_type", "period_end", "numerator",
                                   "denominator", "value", "status"])
    end = parse_month(month)
    periods = tidy["measure"].map(comparison_period)
    tidy = tidy[(tidy["period_type"] == periods) & (pd.to_datetime(tidy["period_end"]) == end)]
    tidy = tidy.assign(in_run=tidy["authority"].isin(authorities).to_numpy())
    return tidy.reset_index(drop=True)


@dataclass
class Comparison:
    """``values``: one row per measure and run authority (authority, la_name, region_code,
    region_name, measure, title, unit, polarity, period_type, numerator, denominator,
    value, status, rank, n_ranked, region_value, region_numerator, england_value,
    england_numerator, vs_england). ``lines``: one row per measure and benchmark line
    (measure, line, code, name, value, numerator, denominator (pooled lines only), source,
    authorities)."""

    values: pd.DataFrame
    lines: pd.DataFrame
    month: str
    authorities: list[str]


def pooled_lines(tidy: pd.DataFrame, authorities: pd.DataFrame) -> pd.DataFrame:
    """Region and England lines pooled from the fictional authorities in ``tidy``: for
    each measure, sum of numerators / sum of denominators in the measure's unit, per
    region and over all (only rows with status ok and a positive denominator count)."""
    cat = measure_catalogue()
    t = tidy.merge(authorities[["authority", "region_code", "region_name", "is_synthetic"]], on="authority",
                   how="left")
    t = t[t["is_synthetic"].fillna(False).astype(bool) & (t["status"] == "ok") & (t["denominator"] > 0)
          & t["numerator"].notna()]
    cols = ["measure", "line", "code", "name", "value", "numerator", "denominator", "source", "authorities"]
    if not len(t):
        return pd.DataFrame(columns=cols)
    parts = []
    for line, keys in (("region", ["measure", "region_code", "region_name"]), ("england", ["measure"])):
        g = t.groupby(keys, as_index=False).agg(num=("numerator", "sum"), den=("denominator", "sum"),
                                                authorities=("authority", "nunique"))
        if line == "england":
            g["code"], g["name"] = "SYNTHETIC-ENGLAND", SYNTHETIC_ENGLAND
        else:
            g = g.rename(columns={"region_code": "code", "region_name": "name"})
        scale = g["measure"].map(lambda m: _SCALE.get(cat[m].unit, 1.0))
        g["value"] = g["num"] / g["den"] * scale
        g = g.rename(columns={"num": "numerator", "den": "denominator"})
        g["line"] = line
        g["source"] = "pooled from the fictional authorities in the warehouse"
        parts.append(g[cols])
    return pd.concat(parts, ignore_index=True)


def dfe_lines(reference: dict[str, pd.DataFrame], codes: list[str], measures) -> pd.DataFrame:
    """DfE's published region and England values (latest year per measure) for the real
    authorities ``codes``: measure, line, code (the authority's region code or ENGLAND),
    name, value, source ('DfE 2024-25': the latest year ending 31 March), authorities (NaN)."""
    from ..reference import benchmark_summary

    cols = ["measure", "line", "code", "name", "value", "numerator", "denominator", "source", "authorities"]
    parts = []
    auth = reference["ref_authorities"]
    names = dict(zip(auth["region_code"], auth["region_name"])) if "region_name" in auth.columns else {}
    for code in codes:
        s = benchmark_summary(reference["ref_benchmarks"], reference.get("ref_stat_neighbours"), auth, code,
                              measures=reference.get("ref_measures"))
        s = s[s["measure"].isin(list(measures))]
        year = s["year"].map(lambda y: financial_year_label(int(y)) if pd.notna(y) else "")
        parts.append(pd.DataFrame({"measure": s["measure"], "line": "region", "code": s["region_code"],
                                   "name": s["region_code"].map(names), "value": s["region"],
                                   "source": "DfE " + year, "authorities": np.nan, "numerator": np.nan,
                                   "denominator": np.nan}))
        parts.append(pd.DataFrame({"measure": s["measure"], "line": "england", "code": "ENGLAND",
                                   "name": "England", "value": s["england"], "source": "DfE " + year,
                                   "authorities": np.nan, "numerator": np.nan, "denominator": np.nan}))
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    out = out[out["value"].notna()]
    return out.drop_duplicates(["measure", "line", "code"]).reset_index(drop=True)[cols]


def rank_values(values: pd.DataFrame) -> pd.DataFrame:
    """rank (1 = best by polarity, ties share the best) and n_ranked per measure, over the
    rows with status ok and a value."""
    v = values["value"].where(values["status"] == "ok")
    low = (values["polarity"] == "low").to_numpy()
    key = np.where(low, v, -v)
    rank = pd.Series(key, index=values.index).groupby(values["measure"]).rank(method="min")
    n = v.notna().groupby(values["measure"]).transform("sum")
    return values.assign(rank=pd.array(rank.round().to_numpy(), dtype="Int64"), n_ranked=n.astype("int64"))


def compare(tidy: pd.DataFrame, authorities: pd.DataFrame, run: list[str], month: str,
            reference: dict[str, pd.DataFrame] | None = None) -> Comparison:
    """The comparison table and benchmark lines for the run's authorities ``run``."""
    cat = measure_catalogue()
    auth = authorities.drop_duplicates("authority")
    inrun = tidy[tidy["authority"].isin(run)]
    cols = ["authority", "measure", "period_type", "numerator", "denominator", "value", "status"]
    values = inrun[cols].merge(auth[["authority", "la_name", "region_code", "region_name", "is_synthetic"]],
                               on="authority", how="left")
    values["title"] = values["measure"].map(lambda m: cat[m].title)
    values["unit"] = values["measure"].map(lambda m: cat[m].unit)
    values["polarity"] = values["measure"].map(lambda m: cat[m].polarity)
    values = rank_values(values.reset_index(drop=True))

    lines = pooled_lines(tidy, auth)
    real = [c for c in run if not bool(auth.set_index("authority")["is_synthetic"].get(c, False))]
    if real and reference is not None:
        lines = pd.concat([lines, dfe_lines(reference, real, values["measure"].unique())], ignore_index=True)

    # Each authority's own region line, and its England line (fictional: pooled; real: DfE).
    synth = values["is_synthetic"].fillna(False).astype(bool).to_numpy()
    reg = lines[lines["line"] == "region"]
    eng = lines[lines["line"] == "england"]
    reg_pooled = reg[reg["code"].isin(auth.loc[auth["is_synthetic"], "region_code"])].drop_duplicates(
        ["measure", "code"])
    region_key = pd.MultiIndex.from_frame(values[["measure", "region_code"]].astype("object"))
    region_val = pd.Series(reg_pooled["value"].to_numpy(),
                           index=pd.MultiIndex.from_frame(reg_pooled[["measure", "code"]].astype("object")))
    values["region_value"] = region_val.reindex(region_key).to_numpy()
    region_num = pd.Series(reg_pooled["numerator"].to_numpy(dtype=float), index=region_val.index)
    values["region_numerator"] = region_num.reindex(region_key).to_numpy()
    eng_pooled = eng[eng["code"] == "SYNTHETIC-ENGLAND"].set_index("measure")["value"]
    eng_num = eng[eng["code"] == "SYNTHETIC-ENGLAND"].set_index("measure")["numerator"].astype(float)
    values["england_numerator"] = np.where(synth, values["measure"].map(eng_num), np.nan)
    eng_dfe = eng[eng["code"] == "ENGLAND"].drop_duplicates("measure").set_index("measure")["value"]
    values["england_value"] = np.where(synth, values["measure"].map(eng_pooled),
                                       values["measure"].map(eng_dfe))
    if not synth.all():
        reg_dfe = reg[~reg["code"].isin(reg_pooled["code"])].drop_duplicates(["measure", "code"])
        dfe_val = pd.Series(reg_dfe["value"].to_numpy(),
                            index=pd.MultiIndex.from_frame(reg_dfe[["measure", "code"]].astype("object")))
        values.loc[~synth, "region_value"] = dfe_val.reindex(region_key[~synth]).to_numpy()
    values["vs_england"] = pd.Series(_versus(values["value"].where(values["status"] == "ok"),
                                             values["england_value"], values["polarity"]),
                                     index=values.index, dtype=object)
    order = {m: i for i, m in enumerate(KEY_MEASURES)}
    values = values.assign(_o=values["measure"].map(order).fillna(len(order)))
    values = values.sort_values(["_o", "measure", "rank", "authority"], kind="stable").drop(columns="_o")
    return Comparison(values.reset_index(drop=True), lines.reset_index(drop=True), month, list(run))


def _versus(value: pd.Series, england: pd.Series, polarity: pd.Series) -> np.ndarray:
    """'better' / 'worse' than England by polarity ('higher' / 'lower' with no polarity),
    'same' when equal, None when either is missing."""
    v = value.to_numpy(dtype=float)
    e = pd.to_numeric(england, errors="coerce").to_numpy(dtype=float)
    pol = polarity.to_numpy(dtype=object)
    higher, lower = v > e, v < e
    out = np.where(pol == "high", np.where(higher, "better", np.where(lower, "worse", "same")),
                   np.where(pol == "low", np.where(lower, "better", np.where(higher, "worse", "same")),
                            np.where(higher, "higher", np.where(lower, "lower", "same"))))
    return np.where(np.isnan(v) | np.isnan(e), None, out).astype(object)


def load_comparison(warehouse, authorities: list[str], month: str,
                    measures: tuple[str, ...] = KEY_MEASURES) -> Comparison:
    """``compare`` over the warehouse: the measures for the run, the authorities table,
    and DfE's reference tables where a real authority needs them (if they were loaded)."""
    auth = read_authorities(warehouse)
    tidy = regional_measures(warehouse, list(authorities), month, measures)
    reference = None
    real = auth[auth["authority"].isin(authorities) & ~auth["is_synthetic"]]
    if len(real):
        from ..reference import read_reference

        try:
            reference = read_reference(Path(warehouse) if warehouse else None)
        except KeyError:
            reference = None  # no DfE lines: the page says so
    return compare(tidy, auth, list(authorities), month, reference)
