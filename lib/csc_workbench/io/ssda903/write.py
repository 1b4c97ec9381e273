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
- oc3: the care-leaver status at the birthday in the year (ages 17-21), not for a young
  person looked after on that birthday;
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
from 2024-25.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ...model.dataset import Dataset
from .dates import add_years, birthday_in_year, fmt, year_ending
from .spec import COLUMNS

SHORT_BREAKS = ("V3", "V4")


def _text(s: pd.Series) -> pd.Series:
    return s.astype(object).where(s.notna(), "").astype(str)


def _flag(s: pd.Series) -> pd.Series:
    return s.astype("boolean").map({True: "1", False: "0"}).astype(object).where(s.notna(), "")


def _age(dob: pd.Series, on: pd.Timestamp) -> pd.Series:
    """Completed years of age on ``on``."""
    before_birthday = (dob.dt.month > on.month) | ((dob.dt.month == on.month) & (dob.dt.day > on.day))
    return on.year - dob.dt.year - before_birthday.astype(int)


def default_years(d: Dataset) -> list[int]:
    """Every year ending 31 March from the first episode to the last dated record."""
    e = d["cla_episodes"]
    if e.empty and d["care_leavers"].empty:
        return []
    starts = pd.concat([e["decom"], d["care_leavers"]["status_date"]]).dropna()
    ends = pd.concat([e["decom"], e["dec"], d["cla_reviews"]["review_date"], d["missing"]["start_date"],
                      d["care_leavers"]["status_date"]]).dropna()
    return list(range(int(year_ending(pd.Series([starts.min()])).iloc[0]),
                      int(year_ending(pd.Series([ends.max()])).iloc[0]) + 1))


def write_ssda903(dataset: Dataset, out_dir: Path, years: list[int] | None = None) -> list[Path]:
    """Write each authority's SSDA903 return for each year (default: every year its data
    covers) as CSV tables in ``out_dir/<authority>/<year>/``; returns the paths written."""
    paths: list[Path] = []
    for authority in dataset.authorities():
        d = dataset.for_authority(authority)
        for year in (years if years is not None else default_years(d)):
            folder = Path(out_dir) / authority / str(year)
            folder.mkdir(parents=True, exist_ok=True)
            for name, frame in build_return(d, int(year)).items():
                path = folder / f"{name}.csv"
                frame.to_csv(path, index=False, lineterminator="\n")
                paths.append(path)
    return paths


def _continuously_looked_after(eps: pd.DataFrame, ys: pd.Timestamp, ye: pd.Timestamp) -> pd.Index:
    """Children looked after continuously for 12 months at 31 March, as the written return
    shows it (Data to Insight's validator definition, from DfE's validation rules)."""
    during = (eps["decom"] <= ye) & (eps["dec_w"].isna() | (eps["dec_w"] >= ys))
    enters = eps["rne"].eq("S") & (eps["decom"] > ys) & (eps["decom"] <= ye)
    leaves = eps["rec_w"].ne("X1") & (eps["dec_w"] >= ys) & (eps["dec_w"] < ye)
    breaks = eps["ls"].isin(SHORT_BREAKS) & during
    g = pd.DataFrame({"child_id": eps["child_id"], "during": during,
                      "broken": enters | leaves.fillna(False) | breaks}).groupby("child_id")
    flags = g.agg(during=("during", "max"), broken=("broken", "max"))
    return flags.index[flags["during"] & ~flags["broken"]]


def build_return(d: Dataset, year: int) -> dict[str, pd.DataFrame]:
    """One authority's SSDA903 return for the year ending 31 March ``year`` (strings, DfE
    columns)."""
    ys, ye = pd.Timestamp(year - 1, 4, 1), pd.Timestamp(year, 3, 31)
    persons = d["persons"].drop_duplicates("child_id").set_index("child_id")

    e = d["cla_episodes"]
    e = e[(e["decom"] <= ye) & (e["dec"].isna() | (e["dec"] >= ys))].sort_values(["child_id", "decom"])
    open_at_end = e["dec"].isna() | (e["dec"] > ye)
    e = e.assign(dec_w=e["dec"].where(~open_at_end), rec_w=e["rec"].where(~open_at_end),
                 rpc_w=e["reason_place_change"].where(~open_at_end))
    looked_after = pd.Index(e["child_id"].unique())
    not_short_break = pd.Index(e.loc[~e["ls"].isin(SHORT_BREAKS), "child_id"].unique())

    # Care leavers: the status at the birthday in the year, if 17 to 21 and not then looked after.
    cl = d["care_leavers"]
    cl = cl[(cl["status_date"] >= ys) & (cl["status_date"] <= ye)].sort_values("status_date")
    cl = cl.drop_duplicates("child_id", keep="last")
    cl_dob = pd.Series(persons["dob"].reindex(cl["child_id"]).to_numpy(), index=cl.index)
    birthday = birthday_in_year(cl_dob, year)
    age = birthday.dt.year - cl_dob.dt.year
    in_care_on_birthday = e.merge(pd.DataFrame({"child_id": cl["child_id"], "bday": birthday}), on="child_id")
    in_care_on_birthday = in_care_on_birthday[(in_care_on_birthday["decom"] <= in_care_on_birthday["bday"])
                                              & (in_care_on_birthday["dec"].isna()
                                                 | (in_care_on_birthday["dec"] > in_care_on_birthday["bday"]))]
    cl = cl[age.between(17, 21) & cl_dob.notna() & ~cl["child_id"].isin(in_care_on_birthday["child_id"])]

    children = looked_after.append(pd.Index(cl["child_id"]).difference(looked_after))
    p = persons.reindex(children)
    dob = p["dob"]

    def dob_of(ids: pd.Series) -> pd.Series:
        return fmt(pd.Series(dob.reindex(ids).to_numpy(), index=ids.index))

    out: dict[str, pd.DataFrame] = {}
    # header
    if year >= 2025:
        sex = p["sex"].where(p["sex"].isin(["M", "F", "U"]))
    else:
        sex = p["sex"].map({"M": "1", "F": "2"})
    school_age = add_years(dob, 4) <= pd.Timestamp(year - 2, 8, 31)
    mother = np.where(p["sex"].eq("F") & children.isin(not_short_break), "0", "")
    out["header"] = pd.DataFrame({
        "CHILD": children, "SEX": _text(sex).to_numpy(), "DOB": fmt(dob).to_numpy(),
        "ETHNIC": _text(p["ethnicity"]).to_numpy(),
        "UPN": np.where(dob.isna(), "UN5", np.where(school_age, "UN5", "UN1")),
        "MOTHER": mother, "MC_DOB": "",
    })

    # episodes
    short = e["ls"].isin(SHORT_BREAKS)
    out["episodes"] = pd.DataFrame({
        "CHILD": e["child_id"], "DECOM": fmt(e["decom"]), "RNE": _text(e["rne"]), "LS": _text(e["ls"]),
        "CIN": _text(e["cin"]), "PLACE": _text(e["place"]), "PLACE_PROVIDER": _text(e["place_provider"]),
        "DEC": fmt(e["dec_w"]), "REC": _text(e["rec_w"]), "REASON_PLACE_CHANGE": _text(e["rpc_w"]),
        # DfE does not collect placement location or URN for short breaks (V3/V4).
        "HOME_POST": _text(e["home_post"].where(~short)), "PL_POST": _text(e["pl_post"].where(~short)),
        "URN": _text(e["urn"].where(~short)),
    })

    # reviews (not for children whose only episodes in the year are short breaks)
    r = d["cla_reviews"]
    r = r[(r["review_date"] >= ys) & (r["review_date"] <= ye) & r["child_id"].isin(not_short_break)]
    r = r.sort_values(["child_id", "review_date"])
    out["reviews"] = pd.DataFrame({"CHILD": r["child_id"], "DOB": dob_of(r["child_id"]),
                                   "REVIEW": fmt(r["review_date"]), "REVIEW_CODE": _text(r["participation"])})

    # uasc (looked-after children only: DfE does not want it for care leavers)
    u = p[p["uasc"].fillna(False).astype(bool) & p.index.isin(looked_after)]
    out["uasc"] = pd.DataFrame({"CHILD": u.index, "SEX": _text(sex.reindex(u.index)).to_numpy(),
                                "DOB": fmt(u["dob"]).to_numpy(), "DUC": fmt(add_years(u["dob"], 18)).to_numpy()})

    out["oc2"] = _oc2(d, e, dob, ys, ye, year)
    out["oc3"] = pd.DataFrame({
        "CHILD": cl["child_id"], "DOB": dob_of(cl["child_id"]), "IN_TOUCH": _text(cl["in_touch"]),
        "ACTIV": _text(cl["activity"].where(~cl["in_touch"].isin(["DIED", "RHOM"]))),
        "ACCOM": (cl["accommodation"].astype(object) + cl["suitable"].map({True: "1", False: "2"}).astype(object))
        .where(cl["accommodation"].notna() & cl["suitable"].notna() & ~cl["in_touch"].isin(["DIED", "RHOM"]), ""),
    })
    out["ad1"], out["placed_for_adoption"] = _adoption_tables(d, e, looked_after, dob_of, ys, ye)

    starters = e[e["rne"].eq("S") & (e["decom"] >= ys)]["child_id"].drop_duplicates()
    out["previous_permanence"] = pd.DataFrame({"CHILD": starters, "DOB": dob_of(starters), "PREV_PERM": "Z1",
                                               "LA_PERM": "", "DATE_PERM": ""})

    m = d["missing"]
    m = m[(m["start_date"] <= ye) & (m["end_date"].isna() | (m["end_date"] >= ys))
          & m["child_id"].isin(looked_after)].sort_values(["child_id", "start_date"])
    out["missing"] = pd.DataFrame({"CHILD": m["child_id"], "DOB": dob_of(m["child_id"]), "MISSING": m["kind"],
                                   "MIS_START": fmt(m["start_date"]),
                                   "MIS_END": fmt(m["end_date"].where(m["end_date"] <= ye))})
    return {name: out[name].reindex(columns=COLUMNS[name]).fillna("") for name in
            ("header", "episodes", "reviews", "uasc", "oc2", "oc3", "ad1", "placed_for_adoption",
             "previous_permanence", "missing")}


def _oc2(d: Dataset, e: pd.DataFrame, dob: pd.Series, ys, ye, year: int) -> pd.DataFrame:
    eligible = _continuously_looked_after(e, ys, ye)
    o = d["cla_outcomes"]
    o = o[(o["year"] == year) & o["child_id"].isin(eligible)].drop_duplicates("child_id")
    b = pd.Series(dob.reindex(o["child_id"]).to_numpy(), index=o.index)
    age_end, age_start = _age(b, ye), _age(b, ys)
    h = d["health_checks"]
    recent = h[(h["kind"] == "health") & (h["check_date"] > ye - pd.DateOffset(years=1)) & (h["check_date"] <= ye)]
    sdq_due = (age_end >= 4) & (age_start < 17)
    score = o["sdq_score"].where(sdq_due)
    misuse = o["substance_misuse"].astype("boolean")
    return pd.DataFrame({
        "CHILD": o["child_id"], "DOB": fmt(b),
        "SDQ_SCORE": _text(score.astype("Int64").astype(object)),
        "SDQ_REASON": np.where(sdq_due & o["sdq_score"].isna(), "SDQ4", ""),
        "CONVICTED": _flag(o["convicted"].where(age_end >= 10)),
        "HEALTH_CHECK": _flag(o["health_check"].where(age_end < 5)),
        "IMMUNISATIONS": _flag(o["immunisations"]), "TEETH_CHECK": _flag(o["teeth_check"]),
        "HEALTH_ASSESSMENT": np.where(o["child_id"].isin(recent["child_id"]), "1", "0"),
        "SUBSTANCE_MISUSE": _flag(misuse),
        "INTERVENTION_RECEIVED": np.where(misuse.fillna(False), "1", ""),
        "INTERVENTION_OFFERED": "",
    })


def _adoption_tables(d, e, looked_after, dob_of, ys, ye):
    a = d["adoptions"]
    a = a[a["child_id"].isin(looked_after)]
    adopted = a[(a["adoption_order_date"] >= ys) & (a["adoption_order_date"] <= ye)]
    # Adopted by the foster carers: the adoptive placement was A3/A5 ("with current foster carer").
    last_place = e[e["rec"].isin(["E11", "E12"])].drop_duplicates("child_id", keep="last").set_index("child_id")["place"]
    foster = pd.Series(last_place.reindex(adopted["child_id"]).to_numpy(), index=adopted.index).isin(["A3", "A5"])
    ad1 = pd.DataFrame({
        "CHILD": adopted["child_id"], "DOB": dob_of(adopted["child_id"]), "DATE_INT": fmt(adopted["decision_date"]),
        "DATE_MATCH": fmt(adopted["match_date"]), "FOSTER_CARE": np.where(foster, "1", "0"),
        "NB_ADOPTR": "2", "SEX_ADOPTR": "MF", "LS_ADOPTR": "L11",
    })
    p = a[a["decision_date"].notna() & (a["decision_date"] <= ye)
          & (a["stopped_date"].isna() | (a["stopped_date"] >= ys))].sort_values(["child_id", "decision_date"])
    stopped = p["stopped_date"].where(p["stopped_date"] <= ye)
    pfa = pd.DataFrame({
        "CHILD": p["child_id"], "DOB": dob_of(p["child_id"]), "DATE_PLACED": fmt(p["decision_date"]),
        "DATE_PLACED_CEASED": fmt(stopped), "REASON_PLACED_CEASED": _text(p["stopped_reason"].where(stopped.notna())),
    })
    return ad1, pfa
