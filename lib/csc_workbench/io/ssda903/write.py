"""Write the SSDA903 return from the canonical model: DfE's CSV tables per year ending 31 March.

One folder per authority and year (``out_dir/<authority>/<year>/episodes.csv`` ...), the real
column names, dates dd/mm/yyyy. Each year's return holds, as DfE specifies:
- episodes open at any time in the year (DECOM on or before 31 March and DEC blank or on or
  after 1 April); an episode open on 1 April keeps its original DECOM; an episode ending
  after 31 March is written open (DEC, REC and REASON_PLACE_CHANGE blank);
- header: every child with such an episode, and every care leaver with an OC3 status
  (17th to 21st birthday) in the year;
- reviews and missing/away periods in the year (a missing period open on 1 April keeps its
  start; one ending after 31 March is written open); no reviews for children whose only
  episodes in the year are short breaks (V3/V4), which DfE does not collect;
- uasc: looked-after children with persons.uasc, DUC = their 18th birthday;
- oc2: cla_outcomes of the year for children looked after continuously for 12 months at
  31 March (Data to Insight's definition: in care in the year, no new period starting, no
  period ending, no short breaks), each item only at the ages DfE collects it (health
  promotion under 5, convictions 10 and over, SDQ 4 to 16);
- oc3: the care-leaver status at the birthday in the year (ages 17-21: the record dated on the
  birthday, else the year's latest record after it), not for a young
  person looked after on that birthday, nor at 17 and 18 for one who left care on or after it;
- placed_for_adoption: decisions open in the year (made by 31 March, not reversed before
  1 April); ad1: children adopted in the year (adoption order date in the year);
- previous_permanence: children starting a period of care in the year (PREV_PERM Z1).

Items the canonical model does not hold are written as follows (synthetic-safe, and
accepted by DfE's validation): UPN "UN1" (not of school age) or "UN5" (UPN not known),
never a real-looking number; MOTHER "0" for looked-after girls (blank otherwise), MC_DOB
blank; HEALTH_ASSESSMENT 1 if a health assessment (health_checks) fell in the 12 months
to 31 March, else 0; SDQ_REASON SDQ4 when an SDQ score is due but missing;
INTERVENTION_RECEIVED 1 (and INTERVENTION_OFFERED blank) for substance misuse; AD1 FOSTER_CARE
1 when the adoptive placement was with the child's foster carers (A3/A5), NB_ADOPTR 2,
SEX_ADOPTR MF, LS_ADOPTR L11; PREV_PERM Z1. SEX is 1/2 up to the 2023-24 return and M/F/U
from 2024-25; supported accommodation is written in each year's code: H5 (semi-independent
living) up to 2023-24, K3 (registered supported accommodation) from 2024-25, whichever the
data holds (DfE's rule 503D accepts the change between those two returns). OC3 ACTIV and
ACCOM not known (or not applicable: DIED, RHOM) are written "0" when IN_TOUCH is given. Short breaks (V3/V4) are written without postcodes or URN (DfE does not
collect them, rule 214).

All years are built in one pass: each record is repeated once for every year it is open
in (``_by_year``), so the cost does not grow with the number of years.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ...model.dataset import Dataset
from .dates import add_years, birthday_in_year, fmt, year_ending
from .spec import COLUMNS

SHORT_BREAKS = ("V3", "V4")
SUPPORTED_ACCOMMODATION_YEAR = 2025  # from the 2024-25 return H5 is written as K3
TABLE_ORDER = ("header", "episodes", "reviews", "uasc", "oc2", "oc3", "ad1", "placed_for_adoption",
               "previous_permanence", "missing")


def _text(s: pd.Series) -> pd.Series:
    return s.astype(object).fillna("")


def _flag(s: pd.Series) -> pd.Series:
    return s.astype("boolean").map({True: "1", False: "0"}).astype(object).where(s.notna(), "")


def _year_end(years) -> np.ndarray:
    """31 March of each year (datetime64)."""
    y = np.asarray(years, dtype="int64")
    return (((y - 1970) * 12 + 2).astype("datetime64[M]").astype("datetime64[D]") + 30).astype("datetime64[us]")


def _year_start(years) -> np.ndarray:
    """1 April before each year ending 31 March."""
    y = np.asarray(years, dtype="int64")
    return (((y - 1 - 1970) * 12 + 3).astype("datetime64[M]").astype("datetime64[D]")).astype("datetime64[us]")


def _age(dob: pd.Series, on) -> pd.Series:
    """Completed years of age on ``on`` (a date or dates aligned with ``dob``)."""
    on = pd.Series(pd.to_datetime(on), index=dob.index) if not np.isscalar(on) else pd.Series(on, index=dob.index)
    before = (dob.dt.month > on.dt.month) | ((dob.dt.month == on.dt.month) & (dob.dt.day > on.dt.day))
    return on.dt.year - dob.dt.year - before.astype(int)


def _by_year(frame: pd.DataFrame, start: str, end: str | None, lo: int, hi: int) -> pd.DataFrame:
    """One row per record and year ending 31 March (``year``) in [lo, hi] that the record
    is open in: from the year holding ``start`` to the year holding ``end`` (or ``hi`` if
    ``end`` is blank or not given)."""
    first = year_ending(frame[start]).astype("float64").fillna(hi + 1).to_numpy().astype("int64")
    if end is None:
        last = first.copy()
    else:
        last = year_ending(frame[end]).astype("float64").fillna(hi).to_numpy().astype("int64")
    first, last = np.maximum(first, lo), np.minimum(last, hi)
    n = np.clip(last - first + 1, 0, None)
    idx = np.repeat(np.arange(len(frame)), n)
    offset = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    out = frame.iloc[idx].reset_index(drop=True)
    out["year"] = first[idx] + offset
    return out


def default_years(d: Dataset) -> list[int]:
    """Every year ending 31 March from the first episode to the last dated record."""
    e = d["cla_episodes"]
    if e.empty and d["care_leavers"].empty:
        return []
    starts = pd.concat([e["decom"], d["care_leavers"]["status_date"]]).dropna()
    ends = pd.concat([e["decom"], e["dec"], d["cla_reviews"]["review_date"], d["missing"]["start_date"],
                      d["missing"]["end_date"], d["care_leavers"]["status_date"]]).dropna()
    return list(range(int(year_ending(pd.Series([starts.min()])).iloc[0]),
                      int(year_ending(pd.Series([ends.max()])).iloc[0]) + 1))


def write_ssda903(dataset: Dataset, out_dir: Path, years: list[int] | None = None) -> list[Path]:
    """Write each authority's SSDA903 return for each year (default: every year its data
    covers) as CSV tables in ``out_dir/<authority>/<year>/``; returns the paths written."""
    paths: list[Path] = []
    for authority in dataset.authorities():
        d = dataset.for_authority(authority)
        wanted = list(years) if years is not None else default_years(d)
        if not wanted:
            continue
        returns = build_returns(d, wanted)
        for year in wanted:
            folder = Path(out_dir) / authority / str(year)
            folder.mkdir(parents=True, exist_ok=True)
            for name, frame in returns[int(year)].items():
                path = folder / f"{name}.csv"
                frame.to_csv(path, index=False, lineterminator="\n")
                paths.append(path)
    return paths


def build_return(d: Dataset, year: int) -> dict[str, pd.DataFrame]:
    """One authority's return for the year ending 31 March ``year`` (strings, DfE columns)."""
    return build_returns(d, [year])[year]


def build_returns(d: Dataset, years: list[int]) -> dict[int, dict[str, pd.DataFrame]]:
    """One authority's returns for ``years`` (each a dict of DfE tables as strings)."""
    years = sorted({int(y) for y in years})
    lo, hi = years[0], years[-1]
    persons = d["persons"].drop_duplicates("child_id").set_index("child_id")
    dob = persons["dob"]

    def dob_of(ids: pd.Series) -> pd.Series:
        return fmt(pd.Series(dob.reindex(ids).to_numpy(), index=ids.index))

    # Episodes, once per year they are open in; ended after 31 March -> written open.
    e = _by_year(d["cla_episodes"].sort_values(["child_id", "decom"]), "decom", "dec", lo, hi)
    e["ys"], e["ye"] = _year_start(e["year"]), _year_end(e["year"])
    open_at_end = e["dec"].isna() | (e["dec"] > e["ye"])
    e["dec_w"] = e["dec"].where(~open_at_end)
    e["rec_w"] = e["rec"].where(~open_at_end)
    e["rpc_w"] = e["reason_place_change"].where(~open_at_end)
    short = e["ls"].isin(SHORT_BREAKS)
    looked_after = e[["child_id", "year"]].drop_duplicates()
    not_short_break = e.loc[~short, ["child_id", "year"]].drop_duplicates()

    # Care leavers: the status at the birthday in the year (17-21), if DfE collects it then.
    # A young person's status record on the birthday wins over other records of the year
    # (pathway plan reviews, monthly Annex A extracts); without one, the year's latest record
    # dated after the birthday; a record from before the birthday does not say the status at it.
    cl = d["care_leavers"].copy()
    cl["year"] = year_ending(cl["status_date"])
    cl = cl[cl["year"].between(lo, hi)]
    cl["dob"] = dob.reindex(cl["child_id"]).to_numpy()
    cl["bday"] = birthday_in_year(cl["dob"], cl["year"])
    cl = cl[cl["status_date"] >= cl["bday"]]
    cl["_on_bday"] = cl["status_date"].eq(cl["bday"])
    cl = cl.sort_values(["_on_bday", "status_date"], kind="stable").drop_duplicates(["child_id", "year"], keep="last")
    cl["age"] = cl["bday"].dt.year - cl["dob"].dt.year
    # Not for a young person looked after on the birthday, nor, at 17 and 18, one looked
    # after on or after it in the year (DfE rules 1007 and 1016).
    on = e[["child_id", "year", "decom", "dec"]].merge(cl[["child_id", "year", "bday", "age"]], on=["child_id", "year"])
    in_care = (on["decom"] <= on["bday"]) & (on["dec"].isna() | (on["dec"] > on["bday"]))
    after = on["age"].isin([17, 18]) & (on["dec"].isna() | (on["dec"] >= on["bday"]))
    excluded = on.loc[in_care | after, ["child_id", "year"]].drop_duplicates().assign(_x=True)
    cl = cl.merge(excluded, on=["child_id", "year"], how="left")
    cl = cl[cl["age"].between(17, 21) & cl["dob"].notna() & cl["_x"].isna()]

    # Header: looked-after children, then care leavers who were not looked after in the year.
    leavers_only = cl[["child_id", "year"]].merge(looked_after.assign(_la=True), how="left")
    leavers_only = leavers_only[leavers_only["_la"].isna()].drop(columns="_la")
    h = pd.concat([looked_after.assign(_leaver=False), leavers_only.assign(_leaver=True)], ignore_index=True)
    h = h.sort_values(["year", "_leaver", "child_id"], kind="stable")
    p = persons.reindex(h["child_id"])
    hdob = pd.Series(p["dob"].to_numpy(), index=h.index)
    sex = pd.Series(p["sex"].to_numpy(), index=h.index)
    modern = h["year"] >= 2025
    sex_w = sex.where(sex.isin(["M", "F", "U"])).where(modern, sex.map({"M": "1", "F": "2"}))
    # School age (DfE rule 209): 4 by 31 August in the calendar year before the year starts.
    aug31 = (((h["year"].to_numpy() - 2 - 1970) * 12 + 7).astype("datetime64[M]").astype("datetime64[D]") + 30)
    school_age = add_years(hdob, 4) <= pd.Series(aug31.astype("datetime64[us]"), index=h.index)
    girl_in_care = sex.eq("F") & h.merge(not_short_break.assign(_n=True), how="left")["_n"].notna().to_numpy()
    header = pd.DataFrame({
        "year": h["year"], "CHILD": h["child_id"], "SEX": _text(sex_w), "DOB": fmt(hdob),
        "ETHNIC": _text(pd.Series(p["ethnicity"].to_numpy(), index=h.index)),
        "UPN": np.where(hdob.notna() & ~school_age, "UN1", "UN5"),
        "MOTHER": np.where(girl_in_care, "0", ""), "MC_DOB": "",
    })

    semi = e["place"].eq("H5")
    episodes = pd.DataFrame({
        "year": e["year"], "CHILD": e["child_id"], "DECOM": fmt(e["decom"]), "RNE": _text(e["rne"]),
        "LS": _text(e["ls"]), "CIN": _text(e["cin"]),
        # supported accommodation: H5 (semi-independent living) up to 2023-24, K3 from 2024-25
        "PLACE": _text(e["place"].mask(semi & (e["year"] >= SUPPORTED_ACCOMMODATION_YEAR), "K3")
                       .mask(e["place"].eq("K3") & (e["year"] < SUPPORTED_ACCOMMODATION_YEAR), "H5")),
        "PLACE_PROVIDER": _text(e["place_provider"]), "DEC": fmt(e["dec_w"]), "REC": _text(e["rec_w"]),
        "REASON_PLACE_CHANGE": _text(e["rpc_w"]),
        # DfE does not collect placement location or URN for short breaks (V3/V4, rule 214).
        "HOME_POST": _text(e["home_post"].where(~short)), "PL_POST": _text(e["pl_post"].where(~short)),
        "URN": _text(e["urn"].where(~short)),
    })

    # Reviews (not for children whose only episodes in the year are short breaks).
    r = d["cla_reviews"].assign(year=year_ending(d["cla_reviews"]["review_date"]))
    r = r.merge(not_short_break, on=["child_id", "year"]).sort_values(["child_id", "review_date"])
    reviews = pd.DataFrame({"year": r["year"], "CHILD": r["child_id"], "DOB": dob_of(r["child_id"]),
                            "REVIEW": fmt(r["review_date"]), "REVIEW_CODE": _text(r["participation"])})

    # UASC: looked-after children only (DfE does not want it for care leavers); DUC = 18th birthday.
    u = header[~h["_leaver"].to_numpy() & pd.Series(p["uasc"].fillna(False).astype(bool).to_numpy(),
                                                    index=h.index)]
    uasc = pd.DataFrame({"year": u["year"], "CHILD": u["CHILD"], "SEX": u["SEX"], "DOB": u["DOB"],
                         "DUC": fmt(add_years(hdob[u.index], 18))})

    oc2 = _oc2(d, e, dob, lo, hi)
    in_touch_only = cl["in_touch"].isin(["DIED", "RHOM"])
    # With IN_TOUCH given, ACTIV and ACCOM are coded or "0" (not applicable / not known: DfE
    # rules 132, 133, 153 and, for DIED and RHOM, 344); all three blank when IN_TOUCH is.
    zero = pd.Series(np.where(cl["in_touch"].notna(), "0", ""), index=cl.index, dtype=object)
    accom = (cl["accommodation"].astype(object) + cl["suitable"].map({True: "1", False: "2"}).astype(object))
    oc3 = pd.DataFrame({
        "year": cl["year"], "CHILD": cl["child_id"], "DOB": fmt(cl["dob"]), "IN_TOUCH": _text(cl["in_touch"]),
        "ACTIV": cl["activity"].astype(object).where(cl["activity"].notna() & ~in_touch_only, zero),
        "ACCOM": accom.where(cl["accommodation"].notna() & cl["suitable"].notna() & ~in_touch_only, zero),
    })
    ad1, pfa = _adoption_tables(d, e, looked_after, dob_of, lo, hi)

    starters = e[e["rne"].eq("S") & (e["decom"] >= e["ys"])].drop_duplicates(["child_id", "year"])
    prev_perm = pd.DataFrame({"year": starters["year"], "CHILD": starters["child_id"],
                              "DOB": dob_of(starters["child_id"]), "PREV_PERM": "Z1", "LA_PERM": "",
                              "DATE_PERM": ""})

    m = _by_year(d["missing"], "start_date", "end_date", lo, hi).merge(looked_after, on=["child_id", "year"])
    m = m.sort_values(["year", "child_id", "start_date"])
    missing = pd.DataFrame({"year": m["year"], "CHILD": m["child_id"], "DOB": dob_of(m["child_id"]),
                            "MISSING": _text(m["kind"]), "MIS_START": fmt(m["start_date"]),
                            "MIS_END": fmt(m["end_date"].where(m["end_date"] <= pd.Series(_year_end(m["year"]),
                                                                                         index=m.index)))})

    tables = {"header": header, "episodes": episodes, "reviews": reviews, "uasc": uasc, "oc2": oc2, "oc3": oc3,
              "ad1": ad1, "placed_for_adoption": pfa, "previous_permanence": prev_perm, "missing": missing}
    out: dict[int, dict[str, pd.DataFrame]] = {y: {} for y in years}
    for name in TABLE_ORDER:
        frame = tables[name]
        groups = dict(tuple(frame.groupby("year", sort=False))) if len(frame) else {}
        for y in years:
            part = groups.get(y, frame.iloc[0:0])
            out[y][name] = part.reindex(columns=COLUMNS[name]).fillna("").reset_index(drop=True)
    return out


def _oc2(d: Dataset, e: pd.DataFrame, dob: pd.Series, lo: int, hi: int) -> pd.DataFrame:
    """OC2 for children looked after continuously for 12 months at 31 March, as the written
    return shows it (Data to Insight's validator definition, from DfE's validation rules):
    in care during the year, no period starting after 1 April, none ending before 31 March,
    no short breaks."""
    enters = e["rne"].eq("S") & (e["decom"] > e["ys"]) & (e["decom"] <= e["ye"])
    leaves = e["rec_w"].ne("X1") & (e["dec_w"] >= e["ys"]) & (e["dec_w"] < e["ye"])
    broken = enters | leaves.fillna(False) | e["ls"].isin(SHORT_BREAKS)
    flags = pd.DataFrame({"child_id": e["child_id"], "year": e["year"], "broken": broken})
    flags = flags.groupby(["child_id", "year"], as_index=False)["broken"].max()
    eligible = flags.loc[~flags["broken"], ["child_id", "year"]]
    o = d["cla_outcomes"].drop_duplicates(["child_id", "year"])
    o = o.assign(year=o["year"].astype("int64")).merge(eligible, on=["child_id", "year"])
    b = pd.Series(dob.reindex(o["child_id"]).to_numpy(), index=o.index)
    age_end = _age(b, pd.Series(_year_end(o["year"]), index=o.index))
    # 4 by 31 March, and not 17 before 1 April (a 17th birthday on 1 April is in the year: rule 197B)
    age_start = _age(b, pd.Series(_year_start(o["year"]), index=o.index) - pd.Timedelta(days=1))
    h = d["health_checks"]
    assessed = h.loc[h["kind"] == "health", ["child_id"]].assign(year=year_ending(h.loc[h["kind"] == "health",
                                                                                       "check_date"]))
    assessed = assessed.dropna().astype({"year": "int64"}).drop_duplicates().assign(_h=True)
    had_check = o[["child_id", "year"]].merge(assessed, how="left")["_h"].notna().to_numpy()
    sdq_due = (age_end >= 4) & (age_start < 17)
    misuse = o["substance_misuse"].astype("boolean")
    return pd.DataFrame({
        "year": o["year"], "CHILD": o["child_id"], "DOB": fmt(b),
        "SDQ_SCORE": _text(o["sdq_score"].where(sdq_due).astype("Int64").astype(object)),
        "SDQ_REASON": np.where(sdq_due & o["sdq_score"].isna(), "SDQ4", ""),
        "CONVICTED": _flag(o["convicted"].where(age_end >= 10)),
        "HEALTH_CHECK": _flag(o["health_check"].where(age_end < 5)),
        "IMMUNISATIONS": _flag(o["immunisations"]), "TEETH_CHECK": _flag(o["teeth_check"]),
        "HEALTH_ASSESSMENT": np.where(had_check, "1", "0"),
        "SUBSTANCE_MISUSE": _flag(misuse),
        "INTERVENTION_RECEIVED": np.where(misuse.fillna(False), "1", ""),
        "INTERVENTION_OFFERED": "",
    })


def _adoption_tables(d, e, looked_after, dob_of, lo, hi):
    a = d["adoptions"]
    adopted = a.assign(year=year_ending(a["adoption_order_date"])).dropna(subset=["year"])
    adopted = adopted.astype({"year": "int64"}).merge(looked_after, on=["child_id", "year"])
    # Adopted by the foster carers: the adoptive placement was A3/A5 ("with current foster carer").
    last_place = e[e["rec"].isin(["E11", "E12"])].drop_duplicates("child_id", keep="last").set_index("child_id")["place"]
    foster = pd.Series(last_place.reindex(adopted["child_id"]).to_numpy(), index=adopted.index).isin(["A3", "A5"])
    ad1 = pd.DataFrame({
        "year": adopted["year"], "CHILD": adopted["child_id"], "DOB": dob_of(adopted["child_id"]),
        "DATE_INT": fmt(adopted["decision_date"]), "DATE_MATCH": fmt(adopted["match_date"]),
        "FOSTER_CARE": np.where(foster, "1", "0"), "NB_ADOPTR": "2", "SEX_ADOPTR": "MF", "LS_ADOPTR": "L11",
    })
    # Decisions open in the year: made by 31 March, not reversed before 1 April.
    p = _by_year(a[a["decision_date"].notna()], "decision_date", "stopped_date", lo, hi)
    p = p.merge(looked_after, on=["child_id", "year"]).sort_values(["year", "child_id", "decision_date"])
    stopped = p["stopped_date"].where(p["stopped_date"] <= pd.Series(_year_end(p["year"]), index=p.index))
    pfa = pd.DataFrame({
        "year": p["year"], "CHILD": p["child_id"], "DOB": dob_of(p["child_id"]), "DATE_PLACED": fmt(p["decision_date"]),
        "DATE_PLACED_CEASED": fmt(stopped), "REASON_PLACED_CEASED": _text(p["stopped_reason"].where(stopped.notna())),
    })
    return ad1, pfa
