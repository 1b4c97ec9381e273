"""Write the canonical model as CIN census XML: one file per authority per collection year.

Collection year Y covers 1 April Y-1 to 31 March Y (``ReferenceDate`` Y-03-31). Following
DfE's CIN census guide and the checks in DfE's / Data to Insight's validation rules, year
Y's file holds:

* every child with a CIN episode (``<CINdetails>``, one per referral) open at any point in
  the year: referred on or before 31 March and not closed before 1 April. A no-further-
  action referral with no closure date is treated as closed the day it was made;
* within each episode: assessments open in the year (started by 31 March, not authorised
  before 1 April); CIN plans and CP plans open in the year; S47 enquiries whose initial
  conference (ICPC) fell in the year, or that started in the year; CP reviews held in the
  year; an ICPC not tied to an S47 of the file at ``<CINdetails>`` level;
* the file as it was on 31 March: a closure, authorisation, plan end, ICPC, birth or death
  after 31 March is not yet known (an unborn child is written with its expected date of
  birth and sex U/0). The next year's file carries it.

Layout by year: ``<GenderCurrent>`` 1/2/0 up to 2023/24, ``<Sex>`` M/F/U from 2024/25
(``FIRST_SEX_YEAR``); yes/no flags as 0/1 (the XSDs' ``yesnotype``; older returns' readers
accept 0/1 too). Optional blocks are omitted when empty. Required elements with no value
in the canonical data are written as the census's own "unknown" codes: ethnicity NOBT,
referral source 10, sex U/0, ReferralNFA / ICPCnotRequired 0; a CP plan with no category
takes the other category, or MUL if it has none; a missing NumberOfPreviousCPP is the
count of the child's earlier plans in the data. ``persons.disabled`` True is written as
``DDA`` (the census's "other" disability), False as ``NONE``.

Records are attached to their episode by ``referral_id`` (and S47 / plan ids); where an id
is missing or unknown they go to the child's latest referral made on or before their date.
A record whose episode is not in a year's file is not in that file. The XML is built with
vectorised string operations per table (no loop over children).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from ...model.dataset import Dataset
from . import _codes as C

SOFTWARE = "csc-workbench"


def collection_year(dates: pd.Series) -> pd.Series:
    """Year ending 31 March that each date falls in (2024-04-01 -> 2025)."""
    d = pd.to_datetime(dates)
    return (d.dt.year + (d.dt.month >= 4).astype(int)).astype("Int64")


def default_years(dataset: Dataset) -> list[int]:
    """Every collection year from the first referral to the latest date in the CIN tables."""
    refs = dataset.referrals
    if not len(refs):
        return []
    first = int(collection_year(refs["referral_date"]).min())
    dated = [(t, c) for t, c in (("referrals", "referral_date"), ("referrals", "closure_date"),
                                  ("assessments", "authorised_date"), ("assessments", "start_date"),
                                  ("s47", "start_date"), ("icpcs", "icpc_date"), ("cp_plans", "end_date"),
                                  ("cp_plans", "start_date"), ("cp_reviews", "review_date"),
                                  ("cin_plans", "end_date"), ("cin_plans", "start_date"),
                                  ("persons", "dob"), ("persons", "death_date"))]
    latest = max(dataset[t][c].max() for t, c in dated if dataset[t][c].notna().any())
    last = int(collection_year(pd.Series([latest])).iloc[0])
    return list(range(first, last + 1))


def write_cin_census(dataset: Dataset, out_dir: Path, years: list[int] | None = None, *,
                     lea: Mapping[str, str] | None = None, created: datetime | None = None) -> list[Path]:
    """Write ``cin_census_{authority}_{year}.xml`` files; returns their paths.

    ``years``: collection years (ending 31 March) to write; default ``default_years``.
    A year in which an authority has no child with an open episode writes no file (the
    census requires at least one child). ``lea``: authority -> three-digit LEA code for
    the header when the authority code is not one (default: the authority code).
    ``created``: the header's DateTime (default: midnight on the reference date, so that
    output is deterministic).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for authority in dataset.authorities():
        d = dataset.for_authority(authority)
        prepared = _prepare(d)
        code = (lea or {}).get(authority, authority)
        if not (len(code) == 3 and code.isdigit()):
            raise ValueError(f"authority {authority!r}: the CIN census <LEA> must be a three-digit code; "
                             "pass lea={authority: 'NNN'}")
        wanted = sorted({int(y) for y in (years if years is not None else default_years(d))})
        for year, children in _all_years(prepared, wanted).items():
            path = out_dir / f"cin_census_{authority}_{year}.xml"
            with open(path, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(_header(year, code, created))
                fh.write(children)
                fh.write("  </Children>\n</Message>\n")
            written.append(path)
    return written


# ---------------------------------------------------------------------------------------
# linking every record to its episode, once per authority
# ---------------------------------------------------------------------------------------
def _attach(items: pd.DataFrame, parents: pd.DataFrame, id_col: str, date_col: str, parent_date: str) -> pd.Series:
    """The parent id of each item: its own ``id_col`` when that parent exists, else the
    child's latest parent starting on or before the item's date."""
    known = items[id_col].where(items[id_col].isin(parents[id_col]))
    missing = known.isna() & items[date_col].notna()
    if missing.any() and len(parents):
        left = items.loc[missing, ["child_id", date_col]].reset_index().sort_values(date_col)
        right = parents[["child_id", parent_date, id_col]].dropna(subset=[parent_date]).sort_values(parent_date)
        hit = pd.merge_asof(left, right, left_on=date_col, right_on=parent_date, by="child_id",
                            direction="backward")
        known.loc[hit["index"].to_numpy()] = hit[id_col].to_numpy()
    return known


def _map(keys: pd.Series, mapping: pd.Series) -> pd.Series:
    """``keys.map(mapping)`` keeping the mapping's dtype (also when either is empty)."""
    return pd.Series(mapping.reindex(keys.to_numpy()).to_numpy(), index=keys.index, dtype=mapping.dtype)


def _prepare(d: Dataset) -> dict[str, pd.DataFrame]:
    refs = d.referrals.sort_values(["child_id", "referral_date"], ignore_index=True)
    # An NFA referral with no closure date ends the day it is made: it belongs to one year.
    eff_end = refs["closure_date"].where(
        refs["closure_date"].notna() | ~refs["nfa"].fillna(False).astype(bool), refs["referral_date"])
    refs = refs.assign(_end=eff_end)
    out = {"referrals": refs, "persons": d.persons}
    for table, date_col in (("assessments", "start_date"), ("cin_plans", "start_date"), ("s47", "start_date"),
                            ("cp_plans", "start_date"), ("icpcs", "icpc_date")):
        df = d[table].copy()
        df["referral_id"] = _attach(df, refs, "referral_id", date_col, "referral_date")
        out[table] = df[df["referral_id"].notna()].sort_values(["child_id", date_col], ignore_index=True)
    icpcs = out["icpcs"]
    icpcs["s47_id"] = icpcs["s47_id"].where(icpcs["s47_id"].isin(out["s47"]["s47_id"]))
    # An S47's conference: the ICPC that names it (the first one, if several do).
    s47 = out["s47"]
    first_icpc = icpcs.dropna(subset=["s47_id"]).drop_duplicates("s47_id").set_index("s47_id")["icpc_date"]
    s47["icpc_date"] = _map(s47["s47_id"], first_icpc)
    icpcs["_at_s47"] = icpcs["s47_id"].notna() & ~icpcs.duplicated("s47_id")
    plans = out["cp_plans"]
    prior = plans.groupby("child_id").cumcount()
    plans["previous_plans"] = plans["previous_plans"].fillna(prior.astype("Int64"))
    plans["initial_category"] = plans["initial_category"].fillna(plans["latest_category"]).fillna("MUL")
    plans["latest_category"] = plans["latest_category"].fillna(plans["initial_category"])
    reviews = d.cp_reviews.copy()
    reviews["cpp_id"] = _attach(reviews, plans, "cpp_id", "review_date", "start_date")
    out["cp_reviews"] = reviews[reviews["cpp_id"].notna()].sort_values(["child_id", "review_date"],
                                                                      ignore_index=True)
    # Only what the census carries goes on: rows are repeated once per year they appear in.
    return {t: df[_USED[t]] for t, df in out.items()}


_USED = {
    "persons": ["child_id", "sex", "ethnicity", "dob", "expected_dob", "death_date", "disabled"],
    "referrals": ["referral_id", "child_id", "referral_date", "referral_source", "primary_need", "closure_date",
                  "closure_reason", "nfa", "_end"],
    "assessments": ["referral_id", "child_id", "start_date", "authorised_date", "factors"],
    "cin_plans": ["referral_id", "child_id", "start_date", "end_date"],
    "s47": ["s47_id", "referral_id", "child_id", "start_date", "icpc_target_date", "icpc_date", "icpc_not_required"],
    "icpcs": ["referral_id", "s47_id", "child_id", "icpc_date", "_at_s47"],
    "cp_plans": ["cpp_id", "referral_id", "child_id", "start_date", "end_date", "initial_category", "latest_category",
                 "previous_plans"],
    "cp_reviews": ["cpp_id", "child_id", "review_date"],
}


# ---------------------------------------------------------------------------------------
# every year's XML at once, with vectorised string operations
# ---------------------------------------------------------------------------------------
def _esc(s: pd.Series) -> pd.Series:
    s = s.astype("str")
    return s.str.replace("&", "&amp;", regex=False).str.replace("<", "&lt;", regex=False).str.replace(
        ">", "&gt;", regex=False)


def _date(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s).dt.strftime("%Y-%m-%d").astype("str")


def _el(tag: str, values: pd.Series, indent: str) -> pd.Series:
    """``<tag>value</tag>`` per row, or an empty string where the value is null."""
    return (f"{indent}<{tag}>" + values.astype("str") + f"</{tag}>\n").fillna("")


def _flag(values: pd.Series) -> pd.Series:
    return pd.Series(np.where(values.fillna(False).astype(bool), "1", "0"), index=values.index, dtype="str")


def _join(fragments: pd.Series, keys: pd.DataFrame, to: pd.DataFrame) -> pd.Series:
    """Concatenate fragments per key (in row order) and align them to the keys of ``to``."""
    if not len(fragments):
        return pd.Series("", index=to.index, dtype="str")
    agg = fragments.groupby([keys[c].to_numpy() for c in keys.columns], sort=False).agg("".join)
    aligned = agg.reindex(pd.MultiIndex.from_frame(to)).to_numpy()
    return pd.Series(aligned, index=to.index, dtype="str").fillna("")


def _cy(dates: pd.Series) -> np.ndarray:
    """Collection year of each date as float (NaN where the date is null)."""
    d = pd.to_datetime(dates)
    return (d.dt.year + (d.dt.month >= 4).astype(int)).to_numpy(dtype=float, na_value=np.nan)


def _explode(df: pd.DataFrame, first: np.ndarray, last: np.ndarray, years: list[int]) -> pd.DataFrame:
    """One row per (record, collection year in first..last that is written); an open end
    (NaN) runs to the last year written."""
    top = max(years)
    last = np.where(np.isnan(last), top, last)
    first = np.nan_to_num(first, nan=top + 1)
    n = np.clip(np.maximum(last, first) - first + 1, 0, None).astype(int)
    idx = np.repeat(np.arange(len(df)), n)
    step = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    out = df.iloc[idx].reset_index(drop=True)
    out["year"] = (first[idx] + step).astype(int)
    return out[out["year"].isin(years)].reset_index(drop=True)


def _semi(df: pd.DataFrame, keys: list[str], allowed: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``df`` whose ``keys`` appear in ``allowed``."""
    if not len(df):
        return df
    ok = pd.MultiIndex.from_frame(df[keys]).isin(pd.MultiIndex.from_frame(allowed[keys]))
    return df[ok].reset_index(drop=True)


def _all_years(p: dict[str, pd.DataFrame], years: list[int]) -> dict[int, str]:
    """The <Child> elements of each year's file, keyed by collection year."""
    if not years or not len(p["referrals"]):
        return {}
    ref_end = {y: pd.Timestamp(y, 3, 31) for y in years}
    ref_start = {y: pd.Timestamp(y - 1, 4, 1) for y in years}

    def e_of(df):  # each row's reference date (31 March of its year)
        return df["year"].map(ref_end).astype("datetime64[us]")

    def known(df, col):  # a date after the reference date is not yet known in that year's return
        return df[col].where(df[col] <= e_of(df))

    refs = _explode(p["referrals"], _cy(p["referrals"]["referral_date"]), _cy(p["referrals"]["_end"]), years)
    if not len(refs):
        return {}
    ry = refs[["referral_id", "year"]]
    ind = "          "

    # -- assessments: open in the year (started by 31 March, not authorised before 1 April)
    a = _semi(_explode(p["assessments"], _cy(p["assessments"]["start_date"]),
                       _cy(p["assessments"]["authorised_date"]), years), ["referral_id", "year"], ry)
    a["authorised_date"] = known(a, "authorised_date")
    fac = a["factors"].astype("str").str.replace(" ", "", regex=False).where(a["authorised_date"].notna())
    fac = fac.mask(fac == "")
    fac_xml = (f"{ind}<FactorsIdentifiedAtAssessment>\n{ind}  <AssessmentFactors>"
               + _esc(fac).str.replace(",", f"</AssessmentFactors>\n{ind}  <AssessmentFactors>", regex=False)
               + f"</AssessmentFactors>\n{ind}</FactorsIdentifiedAtAssessment>\n").fillna("")
    a_xml = ("        <Assessments>\n" + _el("AssessmentActualStartDate", _date(a["start_date"]), ind)
             + _el("AssessmentAuthorisationDate", _date(a["authorised_date"]), ind)
             + fac_xml + "        </Assessments>\n")

    # -- CIN plans open in the year
    cp = _semi(_explode(p["cin_plans"], _cy(p["cin_plans"]["start_date"]), _cy(p["cin_plans"]["end_date"]), years),
               ["referral_id", "year"], ry)
    cp_xml = ("        <CINPlanDates>\n" + _el("CINPlanStartDate", _date(cp["start_date"]), ind)
              + _el("CINPlanEndDate", _date(known(cp, "end_date")), ind) + "        </CINPlanDates>\n")

    # -- S47 enquiries: in the year they started and the year of their conference
    s47 = p["s47"]
    s_first, s_conf = _cy(s47["start_date"]), _cy(s47["icpc_date"])
    both = pd.concat([s47.assign(year=s_first), s47.assign(year=np.where(s_conf > s_first, s_conf, np.nan))])
    both = both[both["year"].notna()].astype({"year": int})
    s47y = _semi(both[both["year"].isin(years)].sort_values(["child_id", "start_date"], kind="stable"),
                 ["referral_id", "year"], ry)
    s47_xml = ("        <Section47>\n" + _el("S47ActualStartDate", _date(s47y["start_date"]), ind)
               + _el("InitialCPCtarget", _date(s47y["icpc_target_date"]), ind)
               + _el("DateOfInitialCPC", _date(known(s47y, "icpc_date")), ind)
               + _el("ICPCnotRequired", _flag(s47y["icpc_not_required"]), ind) + "        </Section47>\n")

    # -- conferences not recorded in an S47 of that year's file: at CINdetails level, one
    # per episode (the census has one slot)
    ic = p["icpcs"].assign(year=_cy(p["icpcs"]["icpc_date"]))
    ic = ic[ic["year"].isin(years)].astype({"year": int})
    ic = _semi(ic, ["referral_id", "year"], ry)
    if len(ic):
        in_s47 = ic["_at_s47"].to_numpy() & pd.MultiIndex.from_frame(ic[["s47_id", "year"]]).isin(
            pd.MultiIndex.from_frame(s47y[["s47_id", "year"]]))
        ic = ic[~in_s47].drop_duplicates(["referral_id", "year"], keep="last")
    refs["_icpc"] = _join(_date(ic["icpc_date"]), ic[["referral_id", "year"]], ry) if len(ic) else ""

    # -- CP plans open in the year, with the reviews held in the year
    pl = _semi(_explode(p["cp_plans"], _cy(p["cp_plans"]["start_date"]), _cy(p["cp_plans"]["end_date"]), years),
               ["referral_id", "year"], ry)
    rv = p["cp_reviews"].assign(year=_cy(p["cp_reviews"]["review_date"]))
    rv = _semi(rv[rv["year"].isin(years)].astype({"year": int}), ["cpp_id", "year"], pl)
    rv_xml = _join(_el("CPPreviewDate", _date(rv["review_date"]), ind + "  "), rv[["cpp_id", "year"]],
                   pl[["cpp_id", "year"]])
    pl_xml = ("        <ChildProtectionPlans>\n" + _el("CPPstartDate", _date(pl["start_date"]), ind)
              + _el("CPPendDate", _date(known(pl, "end_date")), ind)
              + _el("InitialCategoryOfAbuse", _esc(pl["initial_category"]), ind)
              + _el("LatestCategoryOfAbuse", _esc(pl["latest_category"]), ind)
              + _el("NumberOfPreviousCPP", pl["previous_plans"].astype("Int64").astype("str"), ind)
              + rv_xml.where(rv_xml == "", f"{ind}<Reviews>\n" + rv_xml + f"{ind}</Reviews>\n")
              + "        </ChildProtectionPlans>\n")

    # -- CIN details (episodes)
    closure = known(refs, "closure_date")
    icpc_el = ("        <DateOfInitialCPC>" + refs["_icpc"].astype("str") + "</DateOfInitialCPC>\n").where(
        refs["_icpc"] != "", "")
    refs_xml = ("      <CINdetails>\n"
                + _el("CINreferralDate", _date(refs["referral_date"]), "        ")
                + _el("ReferralSource", _esc(refs["referral_source"].fillna("10")), "        ")
                + _el("PrimaryNeedCode", _esc(refs["primary_need"]), "        ")
                + _el("CINclosureDate", _date(closure), "        ")
                + _el("ReasonForClosure", _esc(refs["closure_reason"].where(closure.notna())), "        ")
                + icpc_el
                + _join(a_xml, a[["referral_id", "year"]], ry)
                + _join(cp_xml, cp[["referral_id", "year"]], ry)
                + _join(s47_xml, s47y[["referral_id", "year"]], ry)
                + _el("ReferralNFA", _flag(refs["nfa"]), "        ")
                + _join(pl_xml, pl[["referral_id", "year"]], ry)
                + "      </CINdetails>\n")

    # -- children: one per (child, year) with an episode in that year's file
    cyear = refs[["child_id", "year"]].drop_duplicates()
    persons = cyear.merge(p["persons"], on="child_id", how="inner").sort_values(["year", "child_id"],
                                                                                 ignore_index=True)
    e = e_of(persons)
    unborn = (persons["dob"].isna() | (persons["dob"] > e)).to_numpy()
    expected = persons["expected_dob"].combine_first(persons["dob"]).where(unborn)
    sex = persons["sex"].where(~unborn, "U").fillna("U")
    new_layout = (persons["year"] >= C.FIRST_SEX_YEAR).to_numpy()
    sex_xml = pd.Series(np.where(new_layout, _el("Sex", sex, "        "),
                                 _el("GenderCurrent", sex.map(C.SEX_TO_GENDER_CURRENT), "        ")),
                        index=persons.index, dtype="str")
    disability = persons["disabled"].map({True: C.DISABILITY_UNSPECIFIED, False: "NONE"})
    dis_xml = ("        <Disabilities>\n          <Disability>" + disability.astype("str")
               + "</Disability>\n        </Disabilities>\n").fillna("")
    child_xml = ("    <Child>\n      <ChildIdentifiers>\n"
                 + _el("LAchildID", _esc(persons["child_id"]), "        ")
                 + _el("PersonBirthDate", _date(persons["dob"].where(~unborn)), "        ")
                 + _el("ExpectedPersonBirthDate", _date(expected), "        ")
                 + sex_xml
                 + _el("PersonDeathDate", _date(known(persons, "death_date")), "        ")
                 + "      </ChildIdentifiers>\n      <ChildCharacteristics>\n"
                 + _el("Ethnicity", _esc(persons["ethnicity"].fillna("NOBT")), "        ")
                 + dis_xml
                 + "      </ChildCharacteristics>\n"
                 + _join(refs_xml, refs[["child_id", "year"]], persons[["child_id", "year"]])
                 + "    </Child>\n")
    return child_xml.groupby(persons["year"].to_numpy(), sort=True).agg("".join).to_dict()


def _release() -> str:
    try:
        return metadata.version("csc-workbench")
    except metadata.PackageNotFoundError:  # running from a checkout without installing
        return "dev"


def _header(year: int, lea: str, created: datetime | None) -> str:
    stamp = (created or datetime(year, 3, 31)).strftime("%Y-%m-%dT%H:%M:%S")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        "<Message>\n"
        "  <Header>\n"
        "    <CollectionDetails>\n"
        "      <Collection>CIN</Collection>\n"
        f"      <Year>{year}</Year>\n"
        f"      <ReferenceDate>{year}-03-31</ReferenceDate>\n"
        "    </CollectionDetails>\n"
        "    <Source>\n"
        "      <SourceLevel>L</SourceLevel>\n"
        f"      <LEA>{lea}</LEA>\n"
        f"      <SoftwareCode>{SOFTWARE}</SoftwareCode>\n"
        f"      <Release>{_release()}</Release>\n"
        "      <SerialNo>001</SerialNo>\n"
        f"      <DateTime>{stamp}</DateTime>\n"
        "    </Source>\n"
        "  </Header>\n"
        "  <Children>\n"
    )
