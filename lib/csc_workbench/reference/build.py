"""From DfE's published files to the normalised reference tables.

``build_reference(folder)`` reads whatever of DfE's files the folder holds and returns the
tables; ``load_reference(folder, warehouse)`` also writes them to the warehouse in one
transaction. A missing file costs only the measures it carries: the others still load, and
the account lists what is missing and where to download it.

Tables (column layouts in ``COLUMNS``):

- ``ref_benchmarks``: one row per measure x year x area x release. ``value`` is NaN unless
  ``status`` is ``ok``; ``symbol`` keeps what DfE printed (``c``, ``x``, ``z``, ``u``,
  ``k``, ``-``). Rates DfE publishes only as counts (CIN census tables) are recomputed from
  the count and the population DfE used in each release, rounded half-up to 1 decimal
  place as DfE does, so that each release's published figure is reproduced.
- ``ref_stat_neighbours``, ``ref_population``, ``ref_authorities``, ``ref_measures``,
  ``ref_area_lookup`` (district to county/unitary, for ``resolve_authority``) and
  ``ref_files`` (the load's account: the file behind each source, rows read / loaded /
  rejected, or the message saying it is missing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import dfe_dir
from ..errors import ConfigError, InputError
from ..quality import LoadAccount
from . import sources as src
from .catalogue import LAIT_TO_MEASURE, MEASURES, lait_polarity, lait_unit
from .published import (
    ENGLAND_CODE, NOT_AVAILABLE, OK, combine_status, parse_published, round_half_up,
)

BENCHMARK_COLUMNS = [
    "measure", "dfe_measure", "lait_measure", "year", "geography", "code", "new_code", "name",
    "value", "status", "symbol", "numerator", "denominator", "polarity", "unit", "release",
    "release_year", "source_file",
]
COLUMNS = {
    "ref_benchmarks": BENCHMARK_COLUMNS,
    "ref_stat_neighbours": ["code", "neighbour_rank", "neighbour_code", "closeness", "model"],
    "ref_population": ["code", "new_code", "name", "geography", "year", "population_0_17", "release"],
    "ref_authorities": ["old_la_code", "new_la_code", "la_name", "region_code", "region_name",
                        "lait_region"],
    "ref_measures": ["measure", "title", "unit", "polarity", "dfe_polarity", "year_type", "definition",
                     "methodology", "source", "lait_measure", "in_indicators", "area"],
    "ref_area_lookup": ["ltla_code", "ltla_name", "utla_code", "utla_name"],
    # The load's account: which file each source came from (or why it is missing), rows
    # read / loaded / rejected, so a pack can list its sources.
    "ref_files": ["key", "title", "file", "status", "message", "rows_read", "loaded", "rejected",
                  "fixed", "warnings"],
}
_DTYPES = {
    "year": "int64", "release_year": "int64", "neighbour_rank": "int64", "value": "float64",
    "numerator": "float64", "denominator": "float64", "population_0_17": "float64",
    "in_indicators": "bool", "rows_read": "int64", "loaded": "int64", "rejected": "int64",
    "fixed": "int64", "warnings": "int64",
}

LATEST_POPULATION = "ONS mid-year estimates"


def empty(name: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=_DTYPES.get(c, "str")) for c in COLUMNS[name]})


def _typed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reindex(columns=COLUMNS[name]).reset_index(drop=True)
    for c in out.columns:
        dtype = _DTYPES.get(c, "str")
        if dtype == "str":
            out[c] = out[c].astype("object").where(out[c].notna(), None).astype("str")
        else:
            out[c] = out[c].astype(dtype)
    return out


# --------------------------------------------------------------------------------------------
# Building benchmark rows
# --------------------------------------------------------------------------------------------
def _measure_meta(measure: str) -> tuple[str, str]:
    info = MEASURES.get(measure)
    return (info.polarity, info.unit) if info else ("", "")


def _frame(base: pd.DataFrame, measure: str, value, status, symbol, *, numerator=np.nan,
           denominator=np.nan, dfe_measure: str, release: str, release_year: int, path: Path,
           lait_measure: str | None = None) -> pd.DataFrame:
    status = np.asarray(status, dtype=object)
    value = np.where(status == OK, np.asarray(value, dtype="float64"), np.nan)
    polarity, unit = _measure_meta(measure)
    if lait_measure is None:
        info = MEASURES.get(measure)
        lait_measure = info.lait if info else (measure if measure in _LAIT_NAMED else None)
    return pd.DataFrame({
        "measure": measure, "dfe_measure": dfe_measure, "lait_measure": lait_measure,
        "year": base["year"].to_numpy(), "geography": base["geography"].to_numpy(),
        "code": base["code"].to_numpy(), "new_code": base["new_code"].to_numpy(),
        "name": base["name"].to_numpy(), "value": value, "status": status,
        "symbol": np.asarray(symbol, dtype=object),
        "numerator": np.asarray(numerator, dtype="float64") * np.ones(len(base)),
        "denominator": np.asarray(denominator, dtype="float64") * np.ones(len(base)),
        "polarity": polarity, "unit": unit, "release": release, "release_year": release_year,
        "source_file": path.name,
    })


# LAIT measure_short names we also build from DfE's own files.
_LAIT_NAMED = {"Referrals_AssessedNotNeed", "10_ICPC", "15_ICPC", "20_ICPC", "21_ICPC", "ReRegCPR",
               "LACStableNum_2016on", "LAC_LongStableNum", "NoCareLeaverAcc", "NoCareLeavers",
               "CareLeaverEETNum", "CareLeaversNEET", "LAC_19_HE", "LAC_19_HE_Num"}


def _num(parsed: pd.DataFrame):
    return np.where(parsed["status"] == OK, parsed["value"], np.nan)


def _count(base, col, measure, **kw) -> pd.DataFrame:
    p = parse_published(base[col])
    return _frame(base, measure, p["value"], p["status"], p["symbol"], numerator=_num(p),
                  dfe_measure=col, **kw)


def _pct(base, pct_col, num_col, den_col, measure, **kw) -> pd.DataFrame:
    """A percentage DfE publishes beside its numerator and denominator. ``k`` (under 0.5 but
    not zero) is recomputed from the published counts where they are there."""
    pct = parse_published(base[pct_col])
    num = parse_published(base[num_col]) if num_col in base.columns else None
    den = parse_published(base[den_col]) if den_col in base.columns else None
    value = pct["value"].to_numpy().copy()
    status = pct["status"].to_numpy().copy()
    symbol = pct["symbol"].to_numpy().copy()
    n = _num(num) if num is not None else np.full(len(base), np.nan)
    d = _num(den) if den is not None else np.full(len(base), np.nan)
    fix = (symbol == "k") & ~np.isnan(n) & (d > 0)
    value[fix] = n[fix] / d[fix] * 100
    status[fix] = OK
    return _frame(base, measure, value, status, symbol, numerator=n, denominator=d,
                  dfe_measure=pct_col, **kw)


def _rate(base, count_col, population: pd.DataFrame, measure, **kw) -> pd.DataFrame:
    """Count / population x 10,000 with the population DfE used in that release; rounded
    half-up to 1 dp as published."""
    p = parse_published(base[count_col])
    pop = base[["geography", "code", "year"]].merge(population, how="left",
                                                     on=["geography", "code", "year"])
    pop_status = pop["pop_status"].fillna(NOT_AVAILABLE).to_numpy()
    status = combine_status(p["status"], pop_status)
    n = _num(p)
    d = pop["population"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        value = round_half_up(n / d * 10_000, 1)
    symbol = np.where(p["symbol"] != "", p["symbol"], np.where(status == OK, "", "x"))
    return _frame(base, measure, value, status, symbol, numerator=n, denominator=d,
                  dfe_measure=f"{count_col} / population_0_17 x 10,000", **kw)


# Per CIN census table: (measure, kind, columns). kind: count, pct (pct, numerator,
# denominator columns), rate (count column).
CIN_SPECS = {
    "c1": [("referrals", "count", "referral_count"), ("referral_rate", "rate", "referral_count"),
           ("rereferral_pct", "pct", "rereferral_percent", "rereferral_count", "referral_count"),
           ("referral_nfa_pct", "pct", "no_further_action_percent", "no_further_action_count",
            "referral_count"),
           ("Referrals_AssessedNotNeed", "pct", "not_in_need_percent", "not_in_need_count",
            "referral_count")],
    "c4": [("s47", "count", "section47"), ("s47_rate", "rate", "section47"),
           ("icpc", "count", "icpc"), ("icpc_rate", "rate", "icpc"),
           ("10_ICPC", "count", "duration_0-10_days"), ("15_ICPC", "count", "duration_11-15_days"),
           ("20_ICPC", "count", "duration_16-20_days"), ("21_ICPC", "count", "duration_21+_days")],
    "d3": [("cpp_starts", "count", "cpp_start"), ("cpp_starts_rate", "rate", "cpp_start"),
           ("cpp_repeat_pct", "pct", "cpp_subsequent_percent", "cpp_subsequent", "cpp_start"),
           ("ReRegCPR", "count", "cpp_subsequent")],
    "d5": [("cpp", "count", "cpp_at31"), ("cpp_rate", "rate", "cpp_at31"),
           ("cpp_open_2y_pct", "pct", "2_years_or_more_percent", "2_years_or_more", "cpp_at31")],
    "b1": [("cin", "count", "at31_episodes"), ("cin_rate", "rate", "at31_episodes")],
}


@dataclass
class _Ctx:
    folder: Path
    account: LoadAccount
    files: list = field(default_factory=list)  # dicts: key, title, file, status, message
    populations: list = field(default_factory=list)  # (label, release_year, frame)

    def ok(self, key: str, path: Path) -> None:
        self.files.append({"key": key, "title": src.SOURCES[key].title, "file": path.name,
                           "status": "loaded", "message": ""})

    def failed(self, key: str, exc: Exception) -> None:
        missing = isinstance(exc, InputError) and str(exc.message).startswith("missing file")
        name = Path(exc.file).name if isinstance(exc, InputError) and exc.file else ""
        self.files.append({"key": key, "title": src.SOURCES[key].title, "file": name,
                           "status": "missing" if missing else "error", "message": str(exc)})


def _try(ctx: _Ctx, key: str, fn, *args):
    try:
        return fn(*args)
    except InputError as exc:
        ctx.failed(key, exc)
        return None


def _population_frames(ctx: _Ctx, ons, cla_files) -> None:
    """Denominators for recomputed rates: the latest ONS estimates (year Y uses mid-(Y-1)),
    and those each earlier CLA release printed beside its rates."""
    if ons is not None:
        path, f = ons
        p = parse_published(f["population_estimate"])
        frame = pd.DataFrame({"geography": f["geography"].to_numpy(), "code": f["code"].to_numpy(),
                              "year": f["mid_year"].to_numpy() + 1, "population": _num(p),
                              "pop_status": p["status"].to_numpy()})
        ctx.populations.append((LATEST_POPULATION, None, frame.drop_duplicates(["geography", "code", "year"])))
    for path, f, release, _as_pub in cla_files or []:
        p = parse_published(f["population_estimate"])
        frame = pd.DataFrame({"geography": f["geography"].to_numpy(), "code": f["code"].to_numpy(),
                              "year": f["year"].to_numpy(), "population": _num(p),
                              "pop_status": p["status"].to_numpy()})
        ctx.populations.append((f"CLA {release} release", release,
                                frame.drop_duplicates(["geography", "code", "year"])))


def _cin_tables(ctx: _Ctx) -> list[pd.DataFrame]:
    out = []
    latest_pop = next((f for label, _, f in ctx.populations if label == LATEST_POPULATION), None)
    for key, specs in CIN_SPECS.items():
        loaded = _try(ctx, key, src.ees_rows, ctx.folder, key, ctx.account)
        if loaded is None:
            continue
        path, base = loaded
        ctx.ok(key, path)
        release = src.release_year(base, path)
        label = f"CIN {release} release"
        # Earlier releases' rates: the years each earlier CLA release covers, with its populations.
        earlier = [(f"CIN {r} release", r, pop) for lab, r, pop in ctx.populations
                   if r is not None and r < release]
        if latest_pop is not None:
            latest = latest_pop
        else:  # no ONS file: the latest CLA release printed the same estimates
            same = [pop for lab, r, pop in ctx.populations if r == release]
            latest = same[0] if same else pd.DataFrame(columns=["geography", "code", "year",
                                                                "population", "pop_status"])
        used = []
        for measure, kind, *cols in specs:
            if any(c not in base.columns for c in cols[:1]):
                ctx.account.record(path.name, key, [1], "optional_column_missing", "warning",
                                   f"column {cols[0]!r} absent: {measure} not loaded", cols[0])
                continue
            used += [c for c in cols if c in base.columns]
            kw = dict(release=label, release_year=release, path=path)
            if kind == "count":
                out.append(_count(base, cols[0], measure, **kw))
            elif kind == "pct":
                out.append(_pct(base, *cols, measure, **kw))
            else:
                out.append(_rate(base, cols[0], latest, measure, **kw))
                for elabel, erel, pop in earlier:
                    years = pop["year"].unique()
                    sub = base[base["year"].isin(years)]
                    out.append(_rate(sub, cols[0], pop, measure, release=elabel, release_year=erel,
                                     path=path))
        src.flag_unrecognised_cells(ctx.account, path, key, base, sorted(set(used)))
    return out


_CLA_GROUPS = [("31 march", "cla"), ("starting", "cla_starts"), ("ceasing", "cla_ceased")]


def _cla_tables(ctx: _Ctx, cla_files) -> list[pd.DataFrame]:
    out = []
    for path, f, release, as_pub in cla_files:
        label = f"CLA {release} release" + (" (as first published)" if as_pub else "")
        kw = dict(release=label, release_year=release, path=path)
        for needle, measure in _CLA_GROUPS:
            base = f[f["cla_group"].str.contains(needle, regex=False)]
            count = parse_published(base["count_text"])
            rate = parse_published(base["rate_per_10000"])
            pop = parse_published(base["population_estimate"])
            out.append(_frame(base, measure, count["value"], count["status"], count["symbol"],
                              numerator=_num(count), dfe_measure="children_count", **kw))
            out.append(_frame(base, f"{measure}_rate", rate["value"], rate["status"], rate["symbol"],
                              numerator=_num(count), denominator=_num(pop),
                              dfe_measure="rate_per_10000", **kw))
        src.flag_unrecognised_cells(ctx.account, path, "cla_rate", f,
                                    ["count_text", "rate_per_10000", "population_estimate"])
    return out


def _share(f: pd.DataFrame, group_col: str, part_col: str, count_col: str, pct_col: str,
           group: str, part: str, total: str, measure: str, count_measure: str | None, kw) -> list:
    """A published percentage of a breakdown row within its total row (same group)."""
    g = f[group_col].str.lower().str.strip()
    b = f[part_col].str.lower().str.strip()
    num = f[(g.str.contains(group, regex=False)) & (b == part)]
    den = f[(g.str.contains(group, regex=False)) & (b == total)]
    keys = ["year", "geography", "code"]
    merged = num.merge(den[keys + [count_col]].rename(columns={count_col: "_den"}), on=keys, how="left")
    merged["_den"] = merged["_den"].fillna("x")
    frames = [_pct(merged, pct_col, count_col, "_den", measure, **kw)]
    if count_measure:
        frames.append(_count(merged, count_col, count_measure, **kw))
    for frame in frames:
        frame["dfe_measure"] = f"{part} / {total} ({group})"
    return frames


def _cla_breakdown_tables(ctx: _Ctx) -> list[pd.DataFrame]:
    out = []
    loaded = _try(ctx, "cla_stability", src.ees_rows, ctx.folder, "cla_stability", ctx.account)
    if loaded is not None:
        path, f = loaded
        ctx.ok("cla_stability", path)
        r = src.release_year(f, path)
        kw = dict(release=f"CLA {r} release", release_year=r, path=path)
        out += _share(f, "cla_group", "placement_stability", "children_count", "children_percent",
                      "cla on 31 march", "with 3 or more placements during the year", "total children",
                      "cla_3plus_placements_pct", "LACStableNum_2016on", kw)
        out += _share(f, "cla_group", "placement_stability", "children_count", "children_percent",
                      "at least 2.5 years", "living with the same carer for at least 2 years",
                      "total children", "cla_stability_pct", "LAC_LongStableNum", kw)
        src.flag_unrecognised_cells(ctx.account, path, "cla_stability", f,
                                    ["children_count", "children_percent"])
    for key, parts in [
        ("cl_accommodation", [("accommodation considered suitable", "suitability total",
                               "cl_suitable_accom_pct", "NoCareLeaverAcc")]),
        ("cl_activity", [("total in education, employment or training", "total", "cl_eet_pct",
                          "CareLeaverEETNum"),
                         ("total not in education, employment or training", "total", "CareLeaversNEET",
                          None),
                         ("higher education i.e. studies beyond a level", "total", "LAC_19_HE",
                          "LAC_19_HE_Num")]),
    ]:
        loaded = _try(ctx, key, src.ees_rows, ctx.folder, key, ctx.account)
        if loaded is None:
            continue
        path, f = loaded
        ctx.ok(key, path)
        r = src.release_year(f, path)
        kw = dict(release=f"CLA {r} release", release_year=r, path=path)
        for part, total, measure, count_measure in parts:
            out += _share(f, "care_leaver_age", "breakdown", "care_leaver_count", "care_leaver_percent",
                          "19 to 21", part, total, measure, count_measure, kw)
        if key == "cl_accommodation":
            g = f["care_leaver_age"].str.lower()
            tot = f[g.str.contains("19 to 21") & (f["breakdown"].str.lower().str.strip() == "suitability total")]
            out.append(_count(tot, "care_leaver_count", "NoCareLeavers", **kw))
            out[-1]["dfe_measure"] = "suitability total (19 to 21)"
        src.flag_unrecognised_cells(ctx.account, path, key, f, ["care_leaver_count", "care_leaver_percent"])
    return out


_ADOPTION_STAGES = {
    "1.": "adoption_care_to_decision_months", "2.": "adoption_decision_to_match_months",
    "3.": "adoption_match_to_placed_months", "4.": "adoption_care_to_placed_months",
    "5.": "adoption_placed_to_adopted_months", "6.": "adoption_care_to_adopted_months",
}


def _adoption_tables(ctx: _Ctx) -> list[pd.DataFrame]:
    loaded = _try(ctx, "adoption_timings", src.adoption_timings, ctx.folder, ctx.account)
    if loaded is None:
        return []
    path, f = loaded
    ctx.ok("adoption_timings", path)
    r = int(f["year"].max())
    stage = f["stage_of_adoption_process"].str.strip()
    f = f[f["age_start_poc"].str.strip().str.lower().eq("total")
          & f["geographic_level"].str.strip().str.lower().eq("national")].copy()
    f["geography"], f["code"], f["new_code"], f["name"] = "england", ENGLAND_CODE, ENGLAND_CODE, "England"
    out = []
    for prefix, measure in _ADOPTION_STAGES.items():
        base = f[stage.loc[f.index].str.startswith(prefix)]
        out.append(_frame(base, measure, base["months"], base["status"], base["symbol"],
                          dfe_measure=f"stage {prefix.rstrip('.')} (years:months, all ages)",
                          release=f"CLA {r} release", release_year=r, path=path))
    return out


def _lait_tables(ctx: _Ctx, lait_defs: pd.DataFrame | None) -> pd.DataFrame | None:
    loaded = _try(ctx, "lait_long", src.lait_long, ctx.folder, ctx.account)
    if loaded is None:
        return None
    path, f = loaded
    ctx.ok("lait_long", path)
    lo, hi = int(f["year"].min()), int(f["year"].max())
    measure = f["measure_short"].map(LAIT_TO_MEASURE).fillna(f["measure_short"])
    pol = pd.Series("", index=f.index)
    unit = pd.Series("", index=f.index)
    if lait_defs is not None:
        d = lait_defs.drop_duplicates("measure_short").set_index("measure_short")
        pol = f["measure_short"].map(d["polarity"].map(lait_polarity)).fillna("none")
        unit = f["measure_short"].map(pd.Series(
            [lait_unit(n, dp, k) for k, n, dp in zip(d.index, d["measure"], d["decimal_places"])],
            index=d.index))
    ours_pol = measure.map({k: m.polarity for k, m in MEASURES.items()})
    ours_unit = measure.map({k: m.unit for k, m in MEASURES.items()})
    return pd.DataFrame({
        "measure": measure, "dfe_measure": f["measure_short"], "lait_measure": f["measure_short"],
        "year": f["year"], "geography": f["geography"], "code": f["code"], "new_code": "",
        "name": f["name"], "value": f["value"].where(f["status"] == OK), "status": f["status"],
        "symbol": f["symbol"], "numerator": np.nan, "denominator": np.nan,
        "polarity": ours_pol.fillna(pol), "unit": ours_unit.fillna(unit).fillna(""),
        "release": f"LAIT {lo}-{hi}", "release_year": hi, "source_file": path.name,
    })


def _prefer_releases(dfe: pd.DataFrame, lait: pd.DataFrame | None) -> pd.DataFrame:
    """DfE's statistical-release files win over LAIT for the same measure, area and year;
    LAIT fills what the release files do not have (earlier years, measures from tables not
    among the files), and stands in where a release file has the figure suppressed or not
    available only because we had to derive it but LAIT prints DfE's own value."""
    if lait is None or lait.empty:
        return dfe
    keys = ["measure", "geography", "code", "year"]
    have = dfe.assign(_ok=dfe["status"] == OK).groupby(keys, as_index=False)["_ok"].any()
    l = lait.merge(have, on=keys, how="left")
    lait_ok = l["status"] == OK
    keep_lait = l["_ok"].isna() | (~l["_ok"].fillna(False).astype(bool) & lait_ok)
    lait_kept = lait[keep_lait.to_numpy()]
    # Drop DfE rows that a kept LAIT row replaces (DfE had only non-ok values there).
    replaced = lait_kept[lait_kept["status"] == OK][keys].drop_duplicates()
    d = dfe.merge(replaced.assign(_rep=True), on=keys, how="left")
    dfe_kept = dfe[d["_rep"].isna().to_numpy()]
    return pd.concat([dfe_kept, lait_kept], ignore_index=True)


# --------------------------------------------------------------------------------------------
# Other tables
# --------------------------------------------------------------------------------------------
def _authorities(ctx: _Ctx, lait_codes, area_rows: pd.DataFrame) -> pd.DataFrame:
    loaded = _try(ctx, "la_reference", src.la_reference, ctx.folder, ctx.account)
    if loaded is not None:
        path, auth = loaded
        ctx.ok("la_reference", path)
    else:
        # Fall back on the LAs in the latest year of whichever DfE file loaded.
        la = area_rows[area_rows["geography"] == "la"]
        la = la[la["year"] == la["year"].max()] if len(la) else la
        auth = pd.DataFrame({"old_la_code": la["code"], "new_la_code": la["new_code"],
                             "la_name": la["name"], "region_code": la["region_code"],
                             "region_name": la["region_name"]}).drop_duplicates("old_la_code")
    if lait_codes is not None:
        auth = auth.merge(lait_codes.rename(columns={"la_number": "old_la_code"})[["old_la_code", "lait_region"]],
                          on="old_la_code", how="left")
    return _typed("ref_authorities", auth.sort_values("old_la_code"))


def _measures_table(lait_defs: pd.DataFrame | None, benchmarks: pd.DataFrame) -> pd.DataFrame:
    defs = (lait_defs.drop_duplicates("measure_short").set_index("measure_short")
            if lait_defs is not None else pd.DataFrame())
    rows = []
    for m in MEASURES.values():
        d = defs.loc[m.lait] if m.lait is not None and m.lait in defs.index else None
        rows.append({
            "measure": m.id, "title": m.title, "unit": m.unit, "polarity": m.polarity,
            "dfe_polarity": lait_polarity(d["polarity"]) if d is not None else m.polarity,
            "year_type": d["year_type"] if d is not None else "Financial Year",
            "definition": d["description"] if d is not None else m.source,
            "methodology": d["methodology"] if d is not None else "", "source": m.source,
            "lait_measure": m.lait, "in_indicators": m.in_indicators, "area": m.area,
        })
    ours = {m.lait for m in MEASURES.values() if m.lait}
    for short, d in defs.iterrows():
        if short in ours:
            continue
        rows.append({
            "measure": short, "title": d["measure"], "unit": lait_unit(d["measure"], d["decimal_places"], short),
            "polarity": lait_polarity(d["polarity"]), "dfe_polarity": lait_polarity(d["polarity"]),
            "year_type": d["year_type"], "definition": d["description"], "methodology": d["methodology"],
            "source": "DfE release file" if short in _LAIT_NAMED else f"LAIT {short}",
            "lait_measure": short, "in_indicators": False, "area": d["topic"],
        })
    out = pd.DataFrame(rows)
    # Measures present in the benchmarks but not described anywhere (no LAIT definitions file).
    extra = sorted(set(benchmarks["measure"]) - set(out["measure"]))
    if extra:
        out = pd.concat([out, pd.DataFrame({"measure": extra, "title": extra, "unit": "",
                                            "polarity": "none", "dfe_polarity": "none",
                                            "in_indicators": False})], ignore_index=True)
    return _typed("ref_measures", out)


def _population_table(ons, cla_files) -> pd.DataFrame:
    frames = []
    if ons is not None:
        path, f = ons
        p = parse_published(f["population_estimate"])
        frames.append(pd.DataFrame({"code": f["code"], "new_code": f["new_code"], "name": f["name"],
                                    "geography": f["geography"], "year": f["mid_year"],
                                    "population_0_17": _num(p), "release": LATEST_POPULATION}))
    for path, f, release, _ in cla_files or []:
        p = parse_published(f["population_estimate"])
        frames.append(pd.DataFrame({"code": f["code"], "new_code": f["new_code"], "name": f["name"],
                                    "geography": f["geography"], "year": f["year"] - 1,
                                    "population_0_17": _num(p),
                                    "release": f"CLA {release} release"}).drop_duplicates(
            ["code", "geography", "year"]))
    if not frames:
        return empty("ref_population")
    return _typed("ref_population", pd.concat(frames, ignore_index=True))


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------
@dataclass
class ReferenceAccount:
    """What a reference load did: each file loaded or missing (with the message naming it),
    rows read / loaded / rejected per file, rows per table written."""

    folder: Path
    files: pd.DataFrame
    account: LoadAccount
    tables: dict[str, int] = field(default_factory=dict)
    warehouse: Path | None = None

    @property
    def missing(self) -> list[str]:
        return self.files.loc[self.files["status"] != "loaded", "message"].tolist()

    def summary(self) -> pd.DataFrame:
        acc = self.account.summary().rename(columns={"table": "key"})
        out = self.files.merge(acc.drop(columns=["authority"]), on=["key", "file"], how="left")
        return out

    def __str__(self) -> str:
        lines = [f"reference data from {self.folder}"]
        loaded = self.files[self.files["status"] == "loaded"]
        lines.append(f"  loaded {len(loaded)} file(s): {', '.join(loaded['file'])}")
        for name, n in self.tables.items():
            lines.append(f"  {name}: {n:,} rows")
        for msg in self.missing:
            lines.append(f"  NOT LOADED: {msg}")
        if self.warehouse is not None:
            lines.append(f"  written to {self.warehouse}")
        return "\n".join(lines)


def build_reference(folder: Path | str | None = None) -> tuple[dict[str, pd.DataFrame], ReferenceAccount]:
    """Read DfE's published files in ``folder`` (default ``config.dfe_dir()``) into the
    reference tables. Missing files are reported in the account, not raised, unless none
    of the files is there at all (ConfigError)."""
    folder = Path(folder) if folder is not None else dfe_dir()
    if not folder.is_dir():
        raise ConfigError(f"reference folder not found: {folder} (download DfE's published files "
                          "there, or pass --folder / set $CSCW_REFERENCE; see docs/reference-data.md)")
    ctx = _Ctx(folder=folder, account=LoadAccount(authority="reference"))

    ons = _try(ctx, "population", src.population, folder, ctx.account)
    if ons is not None:
        ctx.ok("population", ons[0])
    try:
        cla_files = src.cla_rate_files(folder, ctx.account)
        for path, *_ in cla_files:
            ctx.ok("cla_rate_as_published" if "as_published" in path.name else "cla_rate", path)
    except InputError as exc:
        ctx.failed("cla_rate", exc)
        # The as-published files may still be there without the latest release.
        try:
            cla_files = []
            for path in src.find_files(folder, src.SOURCES["cla_rate_as_published"]):
                p, f = src.ees_rows(folder, "cla_rate_as_published", ctx.account, path)
                f = src._cla_columns(f, p, "cla_rate_as_published")
                cla_files.append((p, f, src.release_year(f, p), True))
                ctx.ok("cla_rate_as_published", p)
        except InputError as exc2:
            ctx.failed("cla_rate_as_published", exc2)
            cla_files = []
    _population_frames(ctx, ons, cla_files)

    lait_defs = _try(ctx, "lait_measures", src.lait_measures, folder, ctx.account)
    if lait_defs is not None:
        ctx.ok("lait_measures", lait_defs[0])
        lait_defs = lait_defs[1]

    frames = _cin_tables(ctx) + _cla_tables(ctx, cla_files) + _cla_breakdown_tables(ctx) + _adoption_tables(ctx)
    dfe = pd.concat(frames, ignore_index=True) if frames else empty("ref_benchmarks")
    lait = _lait_tables(ctx, lait_defs)
    bench = _prefer_releases(dfe, lait)

    # One name and new code per area code, from the DfE files (LAIT has neither for old codes).
    area_rows = pd.concat([f for _, f, *_ in cla_files] + ([ons[1].rename(columns={"mid_year": "year"})] if ons else []),
                          ignore_index=True) if (cla_files or ons) else pd.DataFrame(
        columns=["geography", "code", "new_code", "name", "year", "region_code", "region_name"])
    names = (pd.concat([dfe[["code", "new_code", "name", "year"]], area_rows[["code", "new_code", "name", "year"]]])
             .sort_values("year").drop_duplicates("code", keep="last").set_index("code"))
    blank = bench["new_code"].isna() | (bench["new_code"] == "")
    bench.loc[blank, "new_code"] = bench.loc[blank, "code"].map(names["new_code"])

    lait_codes = _try(ctx, "lait_codes", src.lait_codes, folder, ctx.account)
    if lait_codes is not None:
        ctx.ok("lait_codes", lait_codes[0])
        lait_codes = lait_codes[1]

    neighbours = []
    for key, *result in src.stat_neighbours(folder, ctx.account):
        if isinstance(result[0], InputError):
            ctx.failed(key, result[0])
        else:
            path, long = result
            ctx.ok(key, path)
            neighbours.append(long)
    area = _try(ctx, "ltla_utla", src.ltla_utla, folder, ctx.account)
    if area is not None:
        ctx.ok("ltla_utla", area[0])

    measures = _measures_table(lait_defs, bench)
    # Polarity and unit of the LAIT-named measures built from DfE's files come from LAIT.
    for col in ("polarity", "unit"):
        blank = bench[col].isna() | (bench[col] == "")
        bench.loc[blank, col] = bench.loc[blank, "measure"].map(measures.set_index("measure")[col])
    tables = {
        "ref_benchmarks": _typed("ref_benchmarks", bench.sort_values(
            ["measure", "geography", "code", "year", "release_year"], kind="stable")),
        "ref_stat_neighbours": _typed("ref_stat_neighbours", pd.concat(neighbours, ignore_index=True))
        if neighbours else empty("ref_stat_neighbours"),
        "ref_population": _population_table(ons, cla_files),
        "ref_authorities": _authorities(ctx, lait_codes, area_rows),
        "ref_measures": measures,
        "ref_area_lookup": _typed("ref_area_lookup", area[1]) if area is not None else empty("ref_area_lookup"),
    }
    files = pd.DataFrame(ctx.files, columns=["key", "title", "file", "status", "message"])
    if not (files["status"] == "loaded").any():
        raise ConfigError(f"no DfE published files found in {folder} (expected e.g. "
                          f"{src.SOURCES['c1'].patterns[0]}, {src.SOURCES['cla_rate'].patterns[0]}); "
                          "docs/reference-data.md lists the files and where to download them")
    account = ReferenceAccount(folder=folder, files=files, account=ctx.account,
                               tables={k: len(v) for k, v in tables.items()})
    summary = account.summary()
    for c in ("rows_read", "loaded", "rejected", "fixed", "warnings"):
        summary[c] = summary[c].fillna(0)
    tables["ref_files"] = _typed("ref_files", summary)
    return tables, account


def load_reference(folder: Path | str | None = None, warehouse: Path | str | None = None) -> ReferenceAccount:
    """Build the reference tables from ``folder`` and write them to the warehouse (one
    transaction: all tables or none). Returns the account (print it for a summary)."""
    from ..model.warehouse import default_path, write_table, writing

    tables, account = build_reference(folder)
    path = Path(warehouse) if warehouse is not None else default_path()
    with writing(path) as con:
        for name, frame in tables.items():
            con.execute(f'DROP TABLE IF EXISTS "{name}"')
            write_table(name, frame, con=con)
    account.warehouse = path
    return account


REFERENCE_TABLES = tuple(c for c in COLUMNS if c != "ref_files")


def read_reference(warehouse: Path | str | None = None, measures: list[str] | None = None
                   ) -> dict[str, pd.DataFrame]:
    """The reference tables from the warehouse (KeyError if they were never loaded).
    ``measures``: only these measures' rows of ``ref_benchmarks`` (a pack that shows 40
    measures reads a third of the table)."""
    from ..model.warehouse import connect, list_tables

    with connect(warehouse, read_only=True) as con:
        have = set(list_tables(con))
        missing = [t for t in REFERENCE_TABLES if t not in have]
        if missing:
            raise KeyError(f"warehouse has no reference tables {missing}: run `cscw reference`")
        # Through Arrow: several times faster than .df() for the 100,000s of text cells.
        names = REFERENCE_TABLES + (("ref_files",) if "ref_files" in have else ())
        out = {}
        for t in names:
            if t == "ref_benchmarks" and measures is not None:
                rel = con.sql('SELECT * FROM "ref_benchmarks" WHERE measure IN (SELECT unnest($m))',
                              params={"m": [str(m) for m in measures]})
                out[t] = rel.to_arrow_table().to_pandas()
            else:
                out[t] = con.sql(f'SELECT * FROM "{t}"').to_arrow_table().to_pandas()
        return out
