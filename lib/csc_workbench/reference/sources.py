"""One loader per published file, each returning a normalised frame.

Every loader takes the folder the user downloaded DfE's files into and a ``LoadAccount``;
it reads its file (``published.find_file``), records rows read / loaded / rejected with
reasons, and returns text cells parsed only as far as the file's own layout needs. Turning
those into benchmark rows is ``build.py``'s job.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..quality import LoadAccount
from .published import (
    ENGLAND_CODE, GEOGRAPHY, SourceFile, clean_code, clean_text, find_file, find_files,
    parse_published, parse_year, read_published_csv,
)

EES = "explore-education-statistics.service.gov.uk"
CIN_PUB = f"{EES}/find-statistics/characteristics-of-children-in-need (data catalogue)"
CLA_PUB = f"{EES}/find-statistics/children-looked-after-in-england-including-adoptions (data catalogue)"
LAIT_PUB = "www.gov.uk/government/publications/local-authority-interactive-tool-lait"
ONS_PUB = (f"{EES} (population estimates file published with the CIN / CLA releases; "
           "ONS mid-year estimates, ons.gov.uk)")
SN_PUB = "www.gov.uk/government/publications/children-s-services-statistical-neighbour-benchmarking-tool"
GEO_PUB = "geoportal.statistics.gov.uk (Lower Tier to Upper Tier Local Authority lookup)"

_EES_COLS = ("time_period", "geographic_level", "old_la_code", "new_la_code", "la_name",
             "region_code", "region_name")

SOURCES: dict[str, SourceFile] = {s.key: s for s in [
    SourceFile("b1", ("b1_children_in_need*.csv",), "Children in need at 31 March (table B1)",
               CIN_PUB, _EES_COLS + ("at31_episodes",)),
    SourceFile("c1", ("c1_children_in_need_referrals_and_rereferrals*.csv",),
               "Referrals and re-referrals (table C1)", CIN_PUB,
               _EES_COLS + ("referral_count", "rereferral_count", "rereferral_percent",
                            "no_further_action_count", "no_further_action_percent")),
    SourceFile("c4", ("c4_children_in_need_section_47s_and_icpcs*.csv",),
               "Section 47 enquiries and initial child protection conferences (table C4)", CIN_PUB,
               _EES_COLS + ("section47", "icpc")),
    SourceFile("d3", ("d3_cpps_subsequent_plan*.csv",),
               "Child protection plans for a second or subsequent time (table D3)", CIN_PUB,
               _EES_COLS + ("cpp_start", "cpp_subsequent", "cpp_subsequent_percent")),
    SourceFile("d5", ("d5_cpps_at31march_by_duration*.csv",),
               "Child protection plans at 31 March by duration (table D5)", CIN_PUB,
               _EES_COLS + ("cpp_at31", "2_years_or_more", "2_years_or_more_percent")),
    SourceFile("cla_rate", ("cla_number_and_rate_per_10k_children.csv",),
               "Children looked after: numbers and rates per 10,000 (latest release)", CLA_PUB,
               _EES_COLS + ("population_estimate", "rate_per_10000")),
    SourceFile("cla_rate_as_published", ("cla_number_and_rate_per_10k_children__as_published_*.csv",),
               "Children looked after: numbers and rates as first published in an earlier release",
               CLA_PUB, _EES_COLS + ("population_estimate", "rate_per_10000"), many=True),
    SourceFile("cla_stability", ("la_cla_placement_stability*.csv",),
               "Placement stability of children looked after", CLA_PUB,
               _EES_COLS + ("cla_group", "placement_stability", "children_count", "children_percent")),
    SourceFile("cl_accommodation", ("la_care_leavers_accommodation_suitability*.csv",),
               "Care leavers' accommodation suitability", CLA_PUB,
               _EES_COLS + ("care_leaver_age", "breakdown", "care_leaver_count", "care_leaver_percent")),
    SourceFile("cl_activity", ("la_care_leavers_activity*.csv",), "Care leavers' activity", CLA_PUB,
               _EES_COLS + ("care_leaver_age", "breakdown", "care_leaver_count", "care_leaver_percent")),
    SourceFile("adoption_timings",
               ("national_cla_adopted_average_time_between_adoption_process_stages*.csv",),
               "Average time between adoption process stages (England)", CLA_PUB,
               ("time_period", "geographic_level", "stage_of_adoption_process", "age_start_poc", "number")),
    SourceFile("population", ("ons_mid-year_population_estimates*.csv",),
               "ONS mid-year population estimates, children aged 0 to 17", ONS_PUB,
               _EES_COLS + ("population_estimate",)),
    SourceFile("sn_model", ("sn_model_*_wide*.csv",), "Statistical neighbours (current model, wide)",
               SN_PUB, ("old_la_code", "sn_1", "sn_1p", "sn_10")),
    SourceFile("sn_model_2021", ("New_Statistical_Neighbour_Groupings_April_2021*.csv",),
               "Statistical neighbour groupings, April 2021 model", SN_PUB, ("la num", "sn1", "sn10")),
    SourceFile("la_reference", ("la_reference_*.csv",),
               "Local authorities: old and new codes, region", ONS_PUB,
               ("old_la_code", "new_la_code", "la_name", "region_code", "region_name")),
    SourceFile("lait_codes", ("lait_la_code_list*.csv",), "LAIT local authority code list", LAIT_PUB,
               ("la_number", "la_name", "lait_region")),
    SourceFile("ltla_utla", ("LTLA-UTLA_*Lookup*.csv", "LTLA*UTLA*.csv"),
               "Lower tier to upper tier local authority lookup", GEO_PUB,
               ()),
    SourceFile("lait_long", ("lait_csc_indicators_long*.csv",),
               "LAIT children's social care indicators (long format)", LAIT_PUB,
               ("measure_short", "years", "la_number", "la_name", "value")),
    SourceFile("lait_measures", ("lait_csc_measures*.csv",),
               "LAIT measure definitions (polarity, year type)", LAIT_PUB,
               ("measure_short", "measure", "polarity", "year_type", "description")),
]}

# LAIT's pseudo-LA numbers for England and the regions, and the ONS codes DfE uses for them.
LAIT_AREAS = {
    "970": (ENGLAND_CODE, "England", "england"),
    "980": ("E12000001", "North East", "region"), "981": ("E12000002", "North West", "region"),
    "982": ("E12000003", "Yorkshire and The Humber", "region"),
    "983": ("E12000004", "East Midlands", "region"), "984": ("E12000005", "West Midlands", "region"),
    "985": ("E12000006", "East of England", "region"), "986": ("E12000007", "London", "region"),
    "987": ("E13000001", "Inner London", "region"), "988": ("E13000002", "Outer London", "region"),
    "989": ("E12000008", "South East", "region"), "990": ("E12000009", "South West", "region"),
}


def _read(folder: Path, key: str, account: LoadAccount, path: Path | None = None):
    source = SOURCES[key]
    path = path or find_file(folder, source)
    frame = read_published_csv(path, source)
    account.read(path.name, key, len(frame))
    cells = frame.drop(columns="_row")
    blank = (cells.apply(lambda c: c.str.strip() == "")).all(axis=1) if len(cells.columns) else None
    if blank is not None and blank.any():
        account.record_mask(path.name, key, frame, blank, "blank_row", "rejected", "empty row")
        frame = frame[~blank.to_numpy()]
    return path, frame


def _reject(account: LoadAccount, path: Path, key: str, frame: pd.DataFrame, mask, rule: str,
            message: str, column: str | None = None) -> pd.Series:
    """Record rejected rows; return the mask of rows kept."""
    mask = np.asarray(mask, dtype=bool)
    account.record_mask(path.name, key, frame, mask, rule, "rejected", message, column)
    return ~pd.Series(mask, index=frame.index)


def ees_rows(folder: Path, key: str, account: LoadAccount, path: Path | None = None) -> tuple[Path, pd.DataFrame]:
    """An explore-education-statistics file with ``year``, ``geography`` (england / region /
    la), ``code`` (old LA code, region code or E92000001), ``new_code``, ``name``,
    ``region_code``, ``region_name`` added; other columns left as published text."""
    path, f = _read(folder, key, account, path)
    f["year"] = parse_year(f["time_period"])
    level = clean_text(f["geographic_level"]).str.lower()
    f["geography"] = level.map(GEOGRAPHY)
    old = clean_code(f["old_la_code"])
    new = clean_code(f["new_la_code"])
    region = clean_code(f["region_code"])
    geo = f["geography"]
    f["code"] = np.select([geo == "la", geo == "region", geo == "england"],
                          [old, region, ENGLAND_CODE], "")
    f["new_code"] = np.select([geo == "la", geo == "region", geo == "england"],
                              [new, region, ENGLAND_CODE], "")
    name = clean_text(f["la_name"])
    f["name"] = np.select([geo == "la", geo == "region", geo == "england"],
                          [name, clean_text(f["region_name"]), "England"], "")
    f["region_code"] = region
    f["region_name"] = clean_text(f["region_name"])
    keep = _reject(account, path, key, f, f["year"].isna(), "bad_year",
                   "time_period is not a year", "time_period")
    keep &= _reject(account, path, key, f, keep & f["geography"].isna(), "geography_not_used",
                    "geographic level not used for benchmarks (only National, Regional, Local authority)",
                    "geographic_level")
    keep &= _reject(account, path, key, f, keep & (f["code"] == ""), "missing_code",
                    "no LA or region code on this row", "old_la_code")
    f = f[keep.to_numpy()].copy()
    f["year"] = f["year"].astype("int64")
    account.loaded(path.name, key, len(f))
    return path, f


def release_year(frame: pd.DataFrame, path: Path) -> int:
    """The release a file belongs to: a year in an ``as_published_YYYY_release`` name, else
    the latest year the file covers."""
    m = re.search(r"(\d{4})_release", path.name)
    return int(m.group(1)) if m else int(frame["year"].max())


def cla_rate_files(folder: Path, account: LoadAccount) -> list[tuple[Path, pd.DataFrame, int, bool]]:
    """The CLA numbers-and-rates file of each release held: (path, rows, release year,
    as first published?). The latest-release file comes last. The population-type column
    is ``population_type`` in the 2025 release and ``population_count`` before."""
    out = []
    for key in ("cla_rate_as_published", "cla_rate"):
        paths = find_files(folder, SOURCES[key]) if key == "cla_rate_as_published" else [find_file(folder, SOURCES[key])]
        for path in paths:
            path, f = ees_rows(folder, key, account, path)
            out.append((path, _cla_columns(f, path, key), release_year(f, path), key == "cla_rate_as_published"))
    return out


def _cla_columns(f: pd.DataFrame, path: Path, key: str) -> pd.DataFrame:
    """The 2025 release names its columns ``population_type`` / ``children_count``; earlier
    releases ``population_count`` / ``number``. Either will do."""
    kind_col = next((c for c in ("population_type", "population_count") if c in f.columns), None)
    count_col = next((c for c in ("children_count", "number") if c in f.columns), None)
    if kind_col is None or count_col is None:
        raise InputError("required column missing (children looked after numbers and rates)",
                         file=path, sheet=key, row=1,
                         column="population_type" if kind_col is None else "children_count")
    f["cla_group"] = clean_text(f[kind_col]).str.lower()
    f["count_text"] = f[count_col]
    return f


def adoption_timings(folder: Path, account: LoadAccount) -> tuple[Path, pd.DataFrame]:
    """National adoption timings; ``months`` from DfE's ``years:months`` text (``01:07`` = 19)."""
    key = "adoption_timings"
    path, f = _read(folder, key, account)
    f["year"] = parse_year(f["time_period"])
    text = clean_text(f["number"])
    ym = text.str.extract(r"^(\d+):(\d{1,2})$")
    months = pd.to_numeric(ym[0], errors="coerce") * 12 + pd.to_numeric(ym[1], errors="coerce")
    parsed = parse_published(f["number"])
    # A bare number in this table is a count of children, not a time.
    f["months"] = months.astype("float64")
    f["status"] = np.where(months.notna(), "ok", np.where(parsed["status"] == "ok", "ok", parsed["status"]))
    f["symbol"] = np.where(months.notna(), "", parsed["symbol"])
    keep = _reject(account, path, key, f, f["year"].isna(), "bad_year", "time_period is not a year",
                   "time_period")
    f = f[keep.to_numpy()].copy()
    f["year"] = f["year"].astype("int64")
    account.loaded(path.name, key, len(f))
    return path, f


def population(folder: Path, account: LoadAccount) -> tuple[Path, pd.DataFrame]:
    """ONS mid-year estimates of children aged 0-17. ``time_period`` is the mid-year."""
    path, f = ees_rows(folder, "population", account)
    f = f.rename(columns={"year": "mid_year"})
    return path, f


def stat_neighbours(folder: Path, account: LoadAccount) -> list[tuple]:
    """Both statistical-neighbour models, long: code, neighbour_rank, neighbour_code,
    closeness, model. The 2021 file repeats its ``SNP`` header (pandas reads SNP, SNP.1, ...)
    and ends with empty rows; closeness labels are tidied ("Close " and "Very Close" become
    "Close" and "Very close")."""
    out = []
    for key in ("sn_model", "sn_model_2021"):
        try:
            path, f = _read(folder, key, account)
        except InputError as exc:  # a missing model costs only that model
            out.append((key, exc))
            continue
        if key == "sn_model":
            m = re.search(r"sn_model_(\d{4})", path.name, re.IGNORECASE)
            model = m.group(1) if m else "current"
            code_col = "old_la_code"
            nb_cols = [f"sn_{i}" for i in range(1, 11)]
            cl_cols = [f"sn_{i}p" for i in range(1, 11)]
        else:
            model = "2021"
            code_col = "la num"
            nb_cols = [f"sn{i}" for i in range(1, 11)]
            cl_cols = ["snp"] + [f"snp.{i}" for i in range(1, 10)]
        codes = clean_code(f[code_col])
        keep = _reject(account, path, key, f, codes == "", "blank_row", "row has no LA code", code_col)
        f = f[keep.to_numpy()]
        codes = codes[keep.to_numpy()]
        frames = []
        for rank, (nc, cc) in enumerate(zip(nb_cols, cl_cols), start=1):
            closeness = clean_text(f[cc]) if cc in f.columns else pd.Series("", index=f.index)
            frames.append(pd.DataFrame({
                "code": codes.to_numpy(), "neighbour_rank": rank,
                "neighbour_code": clean_code(f[nc]).to_numpy(),
                "closeness": closeness.str.capitalize().to_numpy(), "model": model,
            }))
        long = pd.concat(frames, ignore_index=True)
        long = long[long["neighbour_code"] != ""]
        account.loaded(path.name, key, len(f))
        out.append((key, path, long.sort_values(["code", "neighbour_rank"], ignore_index=True)))
    return out


def la_reference(folder: Path, account: LoadAccount) -> tuple[Path, pd.DataFrame]:
    key = "la_reference"
    path, f = _read(folder, key, account)
    out = pd.DataFrame({
        "old_la_code": clean_code(f["old_la_code"]), "new_la_code": clean_code(f["new_la_code"]),
        "la_name": clean_text(f["la_name"]), "region_code": clean_code(f["region_code"]),
        "region_name": clean_text(f["region_name"]), "_row": f["_row"],
    })
    keep = _reject(account, path, key, out, out["old_la_code"] == "", "missing_code", "no old LA code",
                   "old_la_code")
    out = out[keep.to_numpy()].drop(columns="_row")
    account.loaded(path.name, key, len(out))
    return path, out


def lait_codes(folder: Path, account: LoadAccount) -> tuple[Path, pd.DataFrame]:
    key = "lait_codes"
    path, f = _read(folder, key, account)
    out = pd.DataFrame({"la_number": clean_code(f["la_number"]), "la_name": clean_text(f["la_name"]),
                        "lait_region": clean_text(f["lait_region"]),
                        "la_type": clean_text(f["la_type"]) if "la_type" in f.columns else ""})
    account.loaded(path.name, key, len(out))
    return path, out


def ltla_utla(folder: Path, account: LoadAccount) -> tuple[Path, pd.DataFrame]:
    """District (lower tier) to county / unitary (upper tier) lookup. ONS names its columns
    by vintage (``LTLA23CD``), so columns are found by their ending."""
    key = "ltla_utla"
    path, f = _read(folder, key, account)

    def col(prefix: str, suffix: str) -> str:
        for c in f.columns:
            if c.startswith(prefix) and c.endswith(suffix):
                return c
        raise InputError("required column missing (the lookup's LTLAyyCD / UTLAyyCD columns)",
                         file=path, sheet=key, row=1, column=f"{prefix}..{suffix}")

    out = pd.DataFrame({
        "ltla_code": clean_code(f[col("ltla", "cd")]), "ltla_name": clean_text(f[col("ltla", "nm")]),
        "utla_code": clean_code(f[col("utla", "cd")]), "utla_name": clean_text(f[col("utla", "nm")]),
    })
    account.loaded(path.name, key, len(out))
    return path, out


def lait_long(folder: Path, account: LoadAccount) -> tuple[Path, pd.DataFrame]:
    """LAIT's long file: ``year`` (as LAIT labels it: the year ending 31 March for financial
    years, the September of the workforce census), ``geography``/``code`` (970 is England,
    980-990 the regions, mapped to the ONS codes DfE's files use), parsed ``value``."""
    key = "lait_long"
    path, f = _read(folder, key, account)
    number = clean_code(f["la_number"])
    f["year"] = parse_year(f["years"])
    f["measure_short"] = clean_text(f["measure_short"])
    f["geography"] = number.map({k: v[2] for k, v in LAIT_AREAS.items()}).fillna("la")
    f["code"] = number.map({k: v[0] for k, v in LAIT_AREAS.items()}).fillna(number)
    f["name"] = number.map({k: v[1] for k, v in LAIT_AREAS.items()}).fillna(clean_text(f["la_name"]))
    f["lait_region"] = clean_text(f["lait_region"]) if "lait_region" in f.columns else ""
    parsed = parse_published(f["value"])
    f[["value", "status", "symbol"]] = parsed[["value", "status", "symbol"]]
    keep = _reject(account, path, key, f, f["year"].isna(), "bad_year", "years is not a year", "years")
    keep &= _reject(account, path, key, f, keep & ((number == "") | (number == "1000")), "not_an_area",
                    "no LA number, or LAIT's discontinued England series (1000)", "la_number")
    keep &= _reject(account, path, key, f, keep & (f["measure_short"] == ""), "missing_measure",
                    "no measure_short", "measure_short")
    _flag_unrecognised(account, path, key, f, keep, "value")
    f = f[keep.to_numpy()].copy()
    f["year"] = f["year"].astype("int64")
    account.loaded(path.name, key, len(f))
    return path, f


def lait_measures(folder: Path, account: LoadAccount) -> tuple[Path, pd.DataFrame]:
    key = "lait_measures"
    path, f = _read(folder, key, account)
    out = pd.DataFrame({c: clean_text(f[c]) if c in f.columns else ""
                        for c in ("measure_short", "lait_measure_code", "measure", "topic", "polarity",
                                  "year_type", "decimal_places", "description", "methodology")})
    account.loaded(path.name, key, len(out))
    return path, out


def _flag_unrecognised(account: LoadAccount, path: Path, key: str, frame: pd.DataFrame, keep,
                       column: str) -> None:
    """Cells that are neither numbers nor DfE symbols load as not available, with a warning."""
    mask = np.asarray(keep, dtype=bool) & (frame["symbol"].to_numpy() == "?")
    account.record_mask(path.name, key, frame, mask, "unrecognised_value", "warning",
                        "neither a number nor a DfE symbol: loaded as not available", column)


def flag_unrecognised_cells(account: LoadAccount, path: Path, key: str, frame: pd.DataFrame,
                            columns: list[str]) -> None:
    """Warn about unreadable cells in the value columns a builder uses."""
    for column in columns:
        parsed = parse_published(frame[column])
        mask = (parsed["symbol"] == "?").to_numpy()
        account.record_mask(path.name, key, frame, mask, "unrecognised_value", "warning",
                            "neither a number nor a DfE symbol: loaded as not available", column)
