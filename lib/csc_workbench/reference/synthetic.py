"""Benchmarks for fictional authorities, where DfE's files are absent or do not apply.

A synthetic authority has no published statistics, so its benchmarks come from the other
synthetic authorities: its synthetic region and a synthetic "England" (all of them pooled),
in the same layout as ``ref_benchmarks`` so that ``benchmark_summary`` and ``la_series``
serve both. Pooling is DfE's: a region's rate or percentage is the sum of the numerators
over the sum of the denominators (not an average of the authorities' values), a count is
the sum. Statistical neighbours are the most similar other synthetic authorities.

This module takes the measures table as a DataFrame (the measures engine is a later layer).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from .build import COLUMNS, _typed
from .catalogue import MEASURES
from .published import NOT_AVAILABLE, OK, SUPPRESSED

SYNTHETIC_RELEASE = "synthetic"
SYNTHETIC_ENGLAND = ("SYNTHETIC-ENGLAND", "England (synthetic)")
_SCALES = {"pct": 100.0, "rate": 10_000.0}
_NEEDED = ("authority", "measure", "breakdown", "period_type", "period_end", "numerator",
           "denominator", "value", "status")


def _check(frame: pd.DataFrame, needed, what: str) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputError(f"{what} lacks column(s) {', '.join(missing)}", sheet=what, column=missing[0])


def _year_of(period_end: pd.Series) -> pd.Series:
    """The year ending 31 March that contains the period end (31 March 2024 -> 2024)."""
    d = pd.to_datetime(period_end)
    return (d.dt.year + (d.dt.month > 3).astype("int64")).astype("int64")


def _units(measure_ids, measures: pd.DataFrame | None, sample: pd.DataFrame) -> pd.Series:
    """Unit per measure: from ``measures`` if given, else our catalogue, else inferred from
    the rows (no denominator: a count; value / (numerator / denominator) near 100 or 10,000:
    a percentage or rate; else a plain ratio such as average days)."""
    ids = pd.Index(pd.unique(pd.Series(measure_ids)))
    unit = pd.Series({k: m.unit for k, m in MEASURES.items()}).reindex(ids)
    if measures is not None and "unit" in measures.columns:
        unit = measures.drop_duplicates("measure").set_index("measure")["unit"].reindex(ids).combine_first(unit)
    s = sample[sample["numerator"].notna() & (sample["denominator"] > 0) & sample["value"].notna()
               & (sample["numerator"] > 0)]
    ratio = (s["value"] / (s["numerator"] / s["denominator"])).groupby(s["measure"]).median()
    guess = pd.Series(np.select([ratio.between(9_000, 11_000), ratio.between(90, 110)],
                                ["rate", "pct"], "number"), index=ratio.index)
    no_den = sample.groupby("measure")["denominator"].apply(lambda d: d.isna().all())
    guess = guess.reindex(ids).fillna(pd.Series(np.where(no_den.reindex(ids).fillna(True), "count", "number"),
                                                index=ids))
    return unit.fillna(guess)


def _polarity(measure_ids, measures: pd.DataFrame | None) -> pd.Series:
    ids = pd.Index(pd.unique(pd.Series(measure_ids)))
    pol = pd.Series({k: m.polarity for k, m in MEASURES.items()}).reindex(ids)
    if measures is not None and "polarity" in measures.columns:
        pol = measures.drop_duplicates("measure").set_index("measure")["polarity"].reindex(ids).combine_first(pol)
    return pol.fillna("none")


def synthetic_benchmarks(year_measures: pd.DataFrame, authorities: pd.DataFrame,
                         population: pd.DataFrame | None = None,
                         measures: pd.DataFrame | None = None) -> pd.DataFrame:
    """``ref_benchmarks`` rows for synthetic authorities: each authority's own values
    (geography ``la``), its region pooled and all authorities pooled as a synthetic England,
    release ``synthetic``.

    ``year_measures``: the tidy measures table (authority, measure, breakdown,
    breakdown_value, period_type, period_end, numerator, denominator, value, status); only
    rows with period_type ``year`` and breakdown ``all`` are used, period end 31 March Y
    giving year Y. ``authorities``: authority, la_name, region_code, region_name.
    ``population`` (optional; canonical ``population`` table: authority, year = mid-year,
    population_0_17) supplies the denominator of a rate that has none (year Y uses mid-(Y-1)).
    ``measures`` (optional; measure, unit, polarity) overrides our catalogue."""
    _check(year_measures, _NEEDED, "year_measures")
    _check(authorities, ("authority", "la_name", "region_code", "region_name"), "authorities")
    ym = year_measures[(year_measures["period_type"] == "year") & (year_measures["breakdown"] == "all")]
    if ym.empty:
        return _typed("ref_benchmarks", pd.DataFrame(columns=COLUMNS["ref_benchmarks"]))
    auth = authorities.drop_duplicates("authority").astype({"authority": "str"})
    ym = ym.assign(year=_year_of(ym["period_end"]), authority=ym["authority"].astype("str"))
    for c in ("numerator", "denominator", "value"):
        ym[c] = pd.to_numeric(ym[c], errors="coerce").astype("float64")
    unit = _units(ym["measure"], measures, ym)
    ym["unit"] = ym["measure"].map(unit)

    if population is not None and len(population):
        pop = population.assign(year=population["year"].astype("int64") + 1,
                                authority=population["authority"].astype("str"))
        pop = pop[["authority", "year", "population_0_17"]].drop_duplicates(["authority", "year"])
        ym = ym.merge(pop, on=["authority", "year"], how="left")
        fill = (ym["unit"] == "rate") & ym["denominator"].isna() & ym["numerator"].notna()
        ym.loc[fill, "denominator"] = ym.loc[fill, "population_0_17"].astype("float64")
        ym = ym.drop(columns="population_0_17")

    ym = ym.merge(auth[["authority", "la_name", "region_code", "region_name"]], on="authority", how="left")
    unknown = ym["la_name"].isna()
    if unknown.any():
        missing = sorted(ym.loc[unknown, "authority"].unique())
        raise InputError(f"authorities table has no row for {', '.join(missing[:5])}",
                         sheet="authorities", column="authority")

    status = ym["status"].fillna(NOT_AVAILABLE).astype("str")
    la = pd.DataFrame({
        "measure": ym["measure"], "year": ym["year"], "geography": "la", "code": ym["authority"],
        "new_code": "", "name": ym["la_name"], "value": ym["value"].where(status == OK),
        "status": status, "symbol": np.select([status == SUPPRESSED, status == NOT_AVAILABLE], ["c", "x"], ""),
        "numerator": ym["numerator"], "denominator": ym["denominator"], "unit": ym["unit"],
    })

    # Pool: every authority whose numerator is known counts (suppression hides small numbers
    # from readers; it does not take them out of a region's total, as in DfE's tables).
    pool = ym[ym["numerator"].notna() | ((ym["unit"] == "count") & ym["value"].notna())].copy()
    pool["_num"] = pool["numerator"].fillna(pool["value"])
    ratio = pool["unit"] != "count"
    pool = pool[~ratio | (pool["denominator"] > 0)]
    pool["_den"] = pool["denominator"]
    region = pool.assign(code=pool["region_code"], name=pool["region_name"], geography="region")
    england = pool.assign(code=SYNTHETIC_ENGLAND[0], name=SYNTHETIC_ENGLAND[1], geography="england")
    frames = [la]
    for part in (region, england):
        g = part.groupby(["measure", "year", "geography", "code", "name", "unit"], as_index=False).agg(
            numerator=("_num", "sum"), denominator=("_den", lambda d: d.sum(min_count=1)))
        scale = g["unit"].map(_SCALES).fillna(1.0)
        is_count = g["unit"] == "count"
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(is_count, g["numerator"], g["numerator"] / g["denominator"] * scale)
        g["value"] = value
        g["denominator"] = np.where(is_count, np.nan, g["denominator"])
        g["status"] = np.where(pd.notna(value), OK, NOT_AVAILABLE)
        g["symbol"] = np.where(pd.notna(value), "", "x")
        g["new_code"] = ""
        frames.append(g)
    out = pd.concat(frames, ignore_index=True)
    # A measure no authority could compute still gets its region / England rows, as not available.
    keys = ["measure", "year"]
    areas = pd.concat([
        auth[["region_code", "region_name"]].drop_duplicates().rename(columns={"region_code": "code",
                                                                               "region_name": "name"})
        .assign(geography="region"),
        pd.DataFrame({"code": [SYNTHETIC_ENGLAND[0]], "name": [SYNTHETIC_ENGLAND[1]], "geography": ["england"]}),
    ])
    grid = ym[keys].drop_duplicates().merge(areas, how="cross")
    have = out[keys + ["geography", "code"]].drop_duplicates()
    gaps = grid.merge(have, on=keys + ["geography", "code"], how="left", indicator=True)
    gaps = gaps[gaps["_merge"] == "left_only"].drop(columns="_merge")
    if len(gaps):
        gaps = gaps.assign(value=np.nan, status=NOT_AVAILABLE, symbol="x", new_code="",
                           unit=gaps["measure"].map(unit))
        out = pd.concat([out, gaps], ignore_index=True)

    out["polarity"] = out["measure"].map(_polarity(out["measure"], measures))
    out["dfe_measure"] = out["measure"]
    out["lait_measure"] = out["measure"].map({k: m.lait for k, m in MEASURES.items()})
    out["release"] = SYNTHETIC_RELEASE
    out["release_year"] = int(out["year"].max())
    out["source_file"] = "synthetic measures"
    return _typed("ref_benchmarks", out.sort_values(["measure", "geography", "code", "year"], kind="stable"))


# Features by which synthetic neighbours are chosen: size and the rates that shape demand.
NEIGHBOUR_FEATURES = (("cla_rate", "cla"), ("cpp_rate", "cpp"), ("cin_rate", "cin"),
                      ("referral_rate", "referrals"))


def _closeness(distance: np.ndarray) -> np.ndarray:
    """DfE-style labels for a distance in standard-deviation units."""
    return np.select([distance < 0.5, distance < 1.0, distance < 2.0], ["Very close", "Close", "Somewhat close"],
                     "Not close")


def synthetic_stat_neighbours(authorities: pd.DataFrame, year_measures: pd.DataFrame | None,
                              population: pd.DataFrame | None = None, n: int = 10) -> pd.DataFrame:
    """For each synthetic authority, up to ``n`` most similar other synthetic authorities,
    in ``ref_stat_neighbours`` layout (model ``synthetic``). Similarity: Euclidean distance
    over standardised features of the latest year: log population 0-17 (if ``population``
    is given) and the CLA, CP, CIN and referral rates (a rate measure if present, else its
    count over the population). Ties and authorities without features fall back on the
    same region first, then code order, so the result is deterministic."""
    _check(authorities, ("authority", "region_code"), "authorities")
    auth = authorities.drop_duplicates("authority").astype({"authority": "str"})
    codes = auth["authority"].sort_values().reset_index(drop=True)
    feats = pd.DataFrame(index=codes)
    pop_latest = None
    if population is not None and len(population):
        p = population.astype({"authority": "str"}).sort_values("year").drop_duplicates("authority", keep="last")
        pop_latest = p.set_index("authority")["population_0_17"].astype("float64")
        feats["log_population"] = np.log(pop_latest.reindex(codes).to_numpy())
    if year_measures is not None and len(year_measures):
        ym = year_measures[(year_measures["period_type"] == "year") & (year_measures["breakdown"] == "all")]
        if len(ym):
            ym = ym.assign(year=_year_of(ym["period_end"]), authority=ym["authority"].astype("str"))
            ym = ym[ym["year"] == ym["year"].max()]
            wide = ym.pivot_table(index="authority", columns="measure", values="value", aggfunc="first")
            for rate, count in NEIGHBOUR_FEATURES:
                if rate in wide.columns:
                    feats[rate] = wide[rate].reindex(codes).to_numpy()
                elif count in wide.columns and pop_latest is not None:
                    feats[rate] = (wide[count] / pop_latest * 10_000).reindex(codes).to_numpy()
    x = feats.to_numpy(dtype="float64")
    if x.shape[1]:
        sd = np.nanstd(x, axis=0)
        sd[~(sd > 0)] = 1.0
        z = (x - np.nanmean(x, axis=0)) / sd
        z = np.where(np.isnan(z), 0.0, z)  # a missing feature sits at the average
        dist = np.sqrt(((z[:, None, :] - z[None, :, :]) ** 2).sum(axis=2) / max(x.shape[1], 1))
    else:
        dist = np.zeros((len(codes), len(codes)))
    region = auth.set_index("authority")["region_code"].reindex(codes).astype("str").to_numpy()
    other_region = (region[:, None] != region[None, :]).astype("float64")
    m = len(codes)
    idx = np.arange(m)
    # Sort each row by distance, then region, then code; drop the authority itself.
    order = np.lexsort((np.broadcast_to(idx, (m, m)), other_region, dist), axis=1)
    order = np.array([row[row != i] for i, row in enumerate(order)]) if m > 1 else np.empty((m, 0), int)
    k = min(n, max(m - 1, 0))
    order = order[:, :k]
    rows = np.repeat(idx, k)
    cols = order.reshape(-1)
    return _typed("ref_stat_neighbours", pd.DataFrame({
        "code": codes.to_numpy()[rows], "neighbour_rank": np.tile(np.arange(1, k + 1), m),
        "neighbour_code": codes.to_numpy()[cols], "closeness": _closeness(dist[rows, cols]),
        "model": "synthetic",
    }))


def synthetic_reference(year_measures: pd.DataFrame, authorities: pd.DataFrame,
                        population: pd.DataFrame | None = None,
                        measures: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The synthetic authorities' reference tables by name, ready for ``la_series`` and
    ``benchmark_summary`` (``ref_authorities`` in the same layout as DfE's)."""
    auth = authorities.drop_duplicates("authority")
    ref_auth = pd.DataFrame({"old_la_code": auth["authority"].astype("str"), "new_la_code": "",
                             "la_name": auth["la_name"], "region_code": auth["region_code"],
                             "region_name": auth["region_name"], "lait_region": auth["region_name"]})
    out = {
        "ref_benchmarks": synthetic_benchmarks(year_measures, authorities, population, measures),
        "ref_stat_neighbours": synthetic_stat_neighbours(authorities, year_measures, population),
        "ref_authorities": _typed("ref_authorities", ref_auth),
    }
    if measures is not None:
        out["ref_measures"] = measures
    return out
