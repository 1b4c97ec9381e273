"""Writing the Annex A workbook a council produces for a month, from canonical tables.

``write_annex_a(dataset, path, period_end, months=12)`` writes sheets "List 1".."List 11"
with Ofsted's headers, lettered codes and real Excel dates, covering the ``months`` months
ending at ``period_end`` (Ofsted asks for six; councils' monthly extracts often cover 12).
Everything is written as it was known at ``period_end``: later end dates are left blank.

Which records each list holds (Ofsted's Annex A guidance):

- List 1 contacts, List 3 referrals, List 5 S47 enquiries: dated in the window.
- List 4 assessments, List 6 children in need (CIN episodes), List 7 CP plans, List 8
  children looked after: open at any time in the window; List 8 has one row per child (the
  latest episode, with when the period of care, the legal status and the placement began).
- List 9 care leavers: each young person's latest status dated in the window.
- List 10 adoption: a decision to place for adoption by the period end, not adopted and not
  reversed before the window.
- Lists 2 (early help) and 11 (adopters): headers only (the model holds neither).

Counts Annex A asks for (referrals in the last 12 months, previous CP plans, placements and
missing episodes in the last 12 months) are the values the data recorded when it has them
(an Annex A load keeps them), otherwise computed from the records.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ... import codes
from ...calendar import age_in_years
from ...model.dataset import Dataset
from .spec import (ACCOMMODATION_TEXT, ACTIVITY_TEXT, ADOPTION_STOPPED_TEXT, CASE_STATUS_TEXT,
                   CLOSURE_TEXT, CP_CATEGORY_TEXT, ELIGIBILITY_TEXT, ETHNICITY_TEXT, IN_TOUCH_TEXT, LEGAL_STATUS_TEXT,
                   LISTS, NEED_TEXT, PLACE_TEXT, PROVIDER_TEXT, REC_TEXT, SEX_TEXT, SOURCE_TEXT,
                   SUITABILITY_TEXT, YES_NO_TEXT)
from .workbook import PERIOD_END_PROPERTY
from .xlsx import write_xlsx


def _text(values: pd.Series, table: dict) -> pd.Series:
    """Codes to Ofsted's lettered text; a code Ofsted's list lacks is written as it is."""
    mapped = values.map(table)
    return mapped.where(values.isna() | mapped.notna(), values).astype("str")


def _yes_no(values: pd.Series, unknown: str | None = None) -> pd.Series:
    out = values.astype("boolean").map({True: YES_NO_TEXT["Y"], False: YES_NO_TEXT["N"]}).astype("str")
    return out.fillna(unknown) if unknown else out


def _lookup(keys: pd.Series, table: pd.Series) -> pd.Series:
    """``table[key]`` for each key (missing keys give missing values), keeping ``keys``' index.
    (``Series.map`` with an empty datetime mapper fails in pandas 3.)"""
    table = table[~table.index.duplicated(keep="last")]
    return pd.Series(table.reindex(keys.to_numpy()).to_numpy(), index=keys.index, dtype=table.dtype)


def _active(start: pd.Series, end: pd.Series, first: pd.Timestamp, last: pd.Timestamp) -> pd.Series:
    """Open at some time in [first, last], as known at ``last``."""
    return start.notna() & (start <= last) & (end.isna() | (end >= first))


def _known(dates: pd.Series, last: pd.Timestamp) -> pd.Series:
    """A date as known at ``last``: a later date had not happened yet."""
    return dates.where(dates <= last)


def _latest_by_child(frame: pd.DataFrame, date_col: str, last: pd.Timestamp, **match) -> pd.DataFrame:
    f = frame[frame[date_col].notna() & (frame[date_col] <= last)]
    for col, value in match.items():
        f = f[f[col].isin(value if isinstance(value, (list, tuple)) else [value])]
    return f.sort_values(date_col, kind="stable").drop_duplicates("child_id", keep="last").set_index("child_id")


def _count_before(events: pd.DataFrame, date_col: str, at: pd.Series, child: pd.Series, months: int,
                  inclusive: bool) -> pd.Series:
    """For each (child, at): the child's events dated in the ``months`` months before ``at``
    (``at`` itself counted when ``inclusive``)."""
    q = pd.DataFrame({"child_id": child.to_numpy(), "_at": at.to_numpy(), "_i": np.arange(len(at))})
    if events.empty or q.empty:
        return pd.Series(0, index=at.index, dtype="Int64")
    m = q.merge(events[["child_id", date_col]], on="child_id")
    lo = m["_at"] - pd.DateOffset(months=months)
    hit = (m[date_col] > lo) & ((m[date_col] <= m["_at"]) if inclusive else (m[date_col] < m["_at"]))
    counts = m[hit].groupby("_i").size().reindex(np.arange(len(at)), fill_value=0)
    return pd.Series(counts.to_numpy(), index=at.index, dtype="Int64")


class _Context:
    def __init__(self, ds: Dataset, period_end: pd.Timestamp, months: int):
        self.ds = ds
        self.end = period_end
        self.start = (pd.Period(period_end, "M") - (months - 1)).to_timestamp(how="start")
        persons = ds.persons.drop_duplicates("child_id", keep="last").set_index("child_id")
        self.persons = persons
        self._people: pd.DataFrame | None = None
        self.team_names = ds.teams.drop_duplicates("team_id", keep="last").set_index("team_id")["team_name"]
        self.worker_names = ds.workers.drop_duplicates("worker_id", keep="last").set_index("worker_id")["worker_name"]

    def person(self, child: pd.Series, disability: bool = True, uasc_header: str | None = None) -> pd.DataFrame:
        if self._people is None:
            # The person columns every list starts with, computed once for all children.
            p = self.persons
            self._people = pd.DataFrame({
                "Gender": _text(p["sex"], SEX_TEXT), "Ethnicity": _text(p["ethnicity"], ETHNICITY_TEXT),
                "Date of Birth": p["dob"],
                "Age of Child (Years)": pd.array(age_in_years(p["dob"].reset_index(drop=True),
                                                              pd.Series([self.end] * len(p))), dtype="Int64"),
                "_uasc": _yes_no(p["uasc"]),
                "Does the Child have a Disability": _yes_no(p["disabled"], YES_NO_TEXT["U"]),
            }, index=p.index)
        cols = ["Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"]
        if uasc_header:
            cols.append("_uasc")
        if disability:
            cols.append("Does the Child have a Disability")
        out = self._people.reindex(child.to_numpy())[cols].reset_index(drop=True)
        out.insert(0, "Child Unique ID", child.to_numpy())
        return out.rename(columns={"_uasc": uasc_header}) if uasc_header else out

    def team(self, team_id: pd.Series) -> np.ndarray:
        names = _lookup(team_id, self.team_names)
        return names.where(names.notna(), team_id).to_numpy()

    def worker(self, worker_id: pd.Series) -> np.ndarray:
        names = _lookup(worker_id, self.worker_names)
        return names.where(names.notna(), worker_id).to_numpy()


def _frame(n: int, parts: list) -> pd.DataFrame:
    """Assemble a list's columns in Ofsted's order (missing columns blank)."""
    cols: dict[str, object] = {}
    for part in parts:
        if isinstance(part, pd.DataFrame):
            for c in part.columns:
                cols[c] = part[c].to_numpy()
        else:
            cols.update(part)
    headers = [f.header for f in LISTS[n].fields]
    length = max((len(v) for v in cols.values() if hasattr(v, "__len__")), default=0)
    return pd.DataFrame({h: cols.get(h, pd.array([pd.NA] * length, dtype="str")) for h in headers})


def _list1(cx: _Context) -> pd.DataFrame:
    if cx.ds.contacts.empty:
        return _frame(1, [])
    c = cx.ds.contacts
    c = c[c["contact_date"].between(cx.start, cx.end)].sort_values(["contact_date", "child_id"])
    return _frame(1, [cx.person(c["child_id"], disability=False),
                      {"Date of Contact": c["contact_date"].to_numpy(),
                       "Contact Source": _text(c["source"], SOURCE_TEXT).to_numpy()}])


def _list3(cx: _Context) -> pd.DataFrame:
    if cx.ds.referrals.empty:
        return _frame(3, [])
    allr = cx.ds.referrals
    r = allr[allr["referral_date"].between(cx.start, cx.end)].sort_values(["referral_date", "child_id"])
    computed = _count_before(allr, "referral_date", r["referral_date"], r["child_id"], 12, inclusive=False)
    previous = r["previous_referrals_12m"].where(r["previous_referrals_12m"].notna(), computed)
    return _frame(3, [cx.person(r["child_id"], disability=False), {
        "Date of referral": r["referral_date"].to_numpy(),
        "Referral Source": _text(r["referral_source"], SOURCE_TEXT).to_numpy(),
        "Referral NFA?": _yes_no(r["nfa"]).to_numpy(),
        "Number of Referrals in Last 12 Months": previous.to_numpy(),
        "Allocated Team": cx.team(r["team_id"]), "Allocated Worker": cx.worker(r["worker_id"])}])


def _list4(cx: _Context) -> pd.DataFrame:
    if cx.ds.assessments.empty:
        return _frame(4, [])
    a = cx.ds.assessments
    a = a[_active(a["start_date"], _known(a["authorised_date"], cx.end), cx.start, cx.end)]
    a = a.sort_values(["start_date", "child_id"])
    authorised = _known(a["authorised_date"], cx.end)
    support = a["outcome"].map({"cin": True, "cp": True, "cla": True, "nfa": False, "early_help": False})
    support = support.where(authorised.notna())
    return _frame(4, [cx.person(a["child_id"]), {
        "Continuous Assessment Start Date": a["start_date"].to_numpy(),
        "Child Seen During Continuous Assessment": _yes_no(a["child_seen"]).to_numpy(),
        "Continuous Assessment Date of Authorisation": authorised.to_numpy(),
        "Was the child assessed as requiring LA children's social care support?": _yes_no(support).to_numpy(),
        "Allocated Team": cx.team(a["team_id"]), "Allocated Worker": cx.worker(a["worker_id"])}])


def _icpc_for_s47(s: pd.DataFrame, icpcs: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """Each S47's initial conference: by ``s47_id`` where recorded, else the child's first
    ICPC on or after the S47 start and before the child's next S47."""
    ic = icpcs[icpcs["icpc_date"] <= end]
    linked = ic.dropna(subset=["s47_id"]).drop_duplicates("s47_id").set_index("s47_id")[["icpc_date", "cp_plan"]]
    out = linked.reindex(s["s47_id"].to_numpy())
    out.index = s.index
    loose = ic[ic["s47_id"].isna()]
    todo = out["icpc_date"].isna()
    if todo.any() and len(loose):
        allS = s[["child_id", "start_date"]]
        nxt = allS.sort_values("start_date").groupby("child_id")["start_date"].shift(-1)
        q = pd.DataFrame({"child_id": s.loc[todo, "child_id"], "start_date": s.loc[todo, "start_date"],
                          "_next": nxt.reindex(s.index)[todo], "_i": s.index[todo]}).sort_values("start_date")
        cand = loose[["child_id", "icpc_date", "cp_plan"]].sort_values("icpc_date")
        m = pd.merge_asof(q, cand, left_on="start_date", right_on="icpc_date", by="child_id", direction="forward")
        ok = m["icpc_date"].notna() & (m["_next"].isna() | (m["icpc_date"] < m["_next"]))
        m = m[ok].set_index("_i")
        out.loc[m.index, "icpc_date"] = m["icpc_date"]
        out.loc[m.index, "cp_plan"] = m["cp_plan"]
    return out


def _list5(cx: _Context) -> pd.DataFrame:
    if cx.ds.s47.empty:
        return _frame(5, [])
    alls = cx.ds.s47
    s = alls[alls["start_date"].between(cx.start, cx.end)].sort_values(["start_date", "child_id"])
    ic = _icpc_for_s47(s, cx.ds.icpcs, cx.end)
    end = pd.Series([cx.end] * len(s), index=s.index)
    return _frame(5, [cx.person(s["child_id"]), {
        "Strategy discussion initiating Section 47 Enquiry Start Date": s["start_date"].to_numpy(),
        "Was an Initial Child Protection Conference deemed unnecessary?": _yes_no(s["icpc_not_required"]).to_numpy(),
        "Date of Initial Child Protection Conference": ic["icpc_date"].astype("datetime64[us]").to_numpy(),
        "Did the Initial Child Protection Conference Result in a Child Protection Plan":
            _yes_no(ic["cp_plan"]).to_numpy(),
        "Number of Section 47 Enquiries in the last 12 months":
            _count_before(alls, "start_date", end, s["child_id"], 12, inclusive=True).to_numpy(),
        "Number of ICPCs in the last 12 months":
            _count_before(cx.ds.icpcs, "icpc_date", end, s["child_id"], 12, inclusive=True).to_numpy(),
        "Allocated Team": cx.team(s["team_id"]), "Allocated Worker": cx.worker(s["worker_id"])}])


def _open_at(frame: pd.DataFrame, start: str, end: str, at: pd.Timestamp) -> set:
    f = frame[(frame[start] <= at) & (frame[end].isna() | (frame[end] > at))]
    return set(f["child_id"])


def _list6(cx: _Context) -> pd.DataFrame:
    if cx.ds.referrals.empty:
        return _frame(6, [])
    r = cx.ds.referrals
    r = r[_active(r["referral_date"], _known(r["closure_date"], cx.end), cx.start, cx.end)]
    r = r.sort_values(["referral_date", "child_id"])
    closure = _known(r["closure_date"], cx.end)
    cla = _open_at(cx.ds.cla_episodes, "decom", "dec", cx.end)
    cp = _open_at(cx.ds.cp_plans, "start_date", "end_date", cx.end)
    a = cx.ds.assessments
    open_assessment = set(a[(a["start_date"] <= cx.end) & _known(a["authorised_date"], cx.end).isna()]["child_id"])
    child = r["child_id"]
    status = np.select([closure.notna(), child.isin(cla), child.isin(cp), child.isin(open_assessment)],
                       ["closed", "cla", "cp", "assessment"], "cin")
    v = cx.ds.visits
    seen = _latest_by_child(v[v["seen"].fillna(True).astype(bool)], "visit_date", cx.end)["visit_date"]
    return _frame(6, [cx.person(child), {
        "CIN Start Date": r["referral_date"].to_numpy(),
        "Primary Need Code": _text(r["primary_need"], NEED_TEXT).to_numpy(),
        "Date Child Was Last Seen": _lookup(child, seen).astype("datetime64[us]").to_numpy(),
        "CIN Closure Date": closure.to_numpy(),
        "Reason for Closure": _text(r["closure_reason"].where(closure.notna()), CLOSURE_TEXT).to_numpy(),
        "Case Status": pd.Series(status).map(CASE_STATUS_TEXT).to_numpy(),
        "Allocated Team": cx.team(r["team_id"]), "Allocated Worker": cx.worker(r["worker_id"])}])


def _list7(cx: _Context) -> pd.DataFrame:
    if cx.ds.cp_plans.empty:
        return _frame(7, [])
    allp = cx.ds.cp_plans
    p = allp[_active(allp["start_date"], _known(allp["end_date"], cx.end), cx.start, cx.end)]
    p = p.sort_values(["start_date", "child_id"])
    visits = _latest_by_child(cx.ds.visits, "visit_date", cx.end, kind="CP")
    rv = cx.ds.cp_reviews
    rv = rv[rv["review_date"] <= cx.end]
    by_plan = rv.dropna(subset=["cpp_id"]).groupby("cpp_id")["review_date"].max()
    by_child = rv[rv["cpp_id"].isna()].groupby("child_id")["review_date"].max()
    review = _lookup(p["cpp_id"], by_plan)
    review = review.where(review.notna(), _lookup(p["child_id"], by_child))
    review = review.where(review >= p["start_date"])
    computed = _count_before(allp, "start_date", p["start_date"], p["child_id"], 12 * 200, inclusive=False)
    previous = p["previous_plans"].where(p["previous_plans"].notna(), computed)
    e = cx.ds.cla_episodes
    epo = set(e[e["ls"].isin(["L1", "L2"]) & (e["decom"] > cx.end - pd.DateOffset(months=6))
                & (e["decom"] <= cx.end)]["child_id"])
    last = _lookup(p["child_id"], visits["visit_date"]).astype("datetime64[us]")
    alone = _lookup(p["child_id"], visits["seen_alone"])
    return _frame(7, [cx.person(p["child_id"]), {
        "Child Protection Plan Start Date": p["start_date"].to_numpy(),
        "Initial Category of Abuse": _text(p["initial_category"], CP_CATEGORY_TEXT).to_numpy(),
        "Latest Category of Abuse": _text(p["latest_category"], CP_CATEGORY_TEXT).to_numpy(),
        "Date of the Last Statutory Visit": last.to_numpy(),
        "Was the Child Seen Alone?": _yes_no(alone.where(last.notna())).to_numpy(),
        "Date of latest review conference": review.astype("datetime64[us]").to_numpy(),
        "Child Protection Plan End Date": _known(p["end_date"], cx.end).to_numpy(),
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)":
            _yes_no(p["child_id"].isin(epo)).to_numpy(),
        "Number of Previous Child Protection Plans": previous.to_numpy(),
        "Allocated Team": cx.team(p["team_id"]), "Allocated Worker": cx.worker(p["worker_id"])}])


def _cla_latest(cx: _Context) -> pd.DataFrame:
    """Per child looked after in the window: the latest episode with the dates its period of
    care, legal status and placement began, and placements in the last 12 months."""
    e = cx.ds.cla_episodes
    e = e[e["decom"] <= cx.end].sort_values(["child_id", "decom"], kind="stable").reset_index(drop=True)
    e["dec"] = _known(e["dec"], cx.end)
    e["rec"] = e["rec"].where(e["dec"].notna())
    g = e.groupby("child_id", sort=False)
    prev_dec, prev_rec, prev_ls = g["dec"].shift(), g["rec"].shift(), g["ls"].shift()
    first = g.cumcount() == 0
    new_period = first | (prev_rec.fillna("") != "X1") | (prev_dec != e["decom"])
    e["_period"] = new_period.cumsum()
    new_ls = new_period | (e["ls"].fillna("") != prev_ls.fillna(""))
    new_place = new_period | e["rne"].isin(codes.RNE_NEW_PLACEMENT)
    e["_ls_run"], e["_place_run"] = new_ls.cumsum(), new_place.cumsum()
    e["period_start"] = e.groupby("_period")["decom"].transform("min")
    e["ls_start"] = e.groupby("_ls_run")["decom"].transform("min")
    e["placement_start"] = e.groupby("_place_run")["decom"].transform("min")
    # Placements in the 12 months before the period end, counting the one open at its start.
    w12 = cx.end - pd.DateOffset(months=12) + pd.Timedelta(days=1)
    runs = e.groupby("_place_run").agg(child_id=("child_id", "first"), s=("decom", "min"), f=("dec", "last"))
    runs = runs[(runs["s"] <= cx.end) & (runs["f"].isna() | (runs["f"] >= w12))]
    placements = runs.groupby("child_id").size()
    # Periods of care ending within the 12 months before a period began (second period flag).
    periods = e.groupby("_period").agg(child_id=("child_id", "first"), s=("decom", "min"), f=("dec", "last"),
                                      r=("rec", "last"))
    latest = e.drop_duplicates("child_id", keep="last")
    latest = latest[latest["dec"].isna() | (latest["dec"] >= cx.start)].set_index("child_id")
    ended = periods[periods["f"].notna() & (periods["r"].fillna("") != "X1")]
    m = latest[["period_start"]].reset_index().merge(ended[["child_id", "f"]], on="child_id")
    second = set(m[(m["f"] < m["period_start"]) & (m["f"] >= m["period_start"] - pd.DateOffset(months=12))]["child_id"])
    latest["placements_12m"] = pd.Series(placements).reindex(latest.index).fillna(0).astype("Int64")
    latest["second_period"] = latest.index.isin(second)
    return latest


def _list8(cx: _Context) -> pd.DataFrame:
    if cx.ds.cla_episodes.empty:
        return _frame(8, [])
    lt = _cla_latest(cx).sort_values(["period_start"], kind="stable")
    child = pd.Series(lt.index, index=lt.index)
    ds = cx.ds
    w12 = cx.end - pd.DateOffset(months=12)
    miss = ds.missing[(ds.missing["start_date"] > w12) & (ds.missing["start_date"] <= cx.end)]
    n_missing = miss[miss["kind"] == "M"].groupby("child_id").size().reindex(lt.index).fillna(0).astype("Int64")
    n_away = miss[miss["kind"] == "A"].groupby("child_id").size().reindex(lt.index).fillna(0).astype("Int64")
    placements = lt["placements_12m"]
    # An Annex A load keeps what the council reported: prefer it to recounting.
    snap = ds.cla_snapshots[ds.cla_snapshots["snapshot_date"] == cx.end].drop_duplicates("child_id", keep="last")
    snap = snap.set_index("child_id").reindex(lt.index)
    placements = snap["placements_12m"].where(snap["placements_12m"].notna(), placements)
    n_missing = snap["missing_12m"].where(snap["missing_12m"].notna(), n_missing)
    n_away = snap["away_12m"].where(snap["away_12m"].notna(), n_away)
    review = _lookup(child, _latest_by_child(ds.cla_reviews, "review_date", cx.end)["review_date"])
    visit = _lookup(child, _latest_by_child(ds.visits, "visit_date", cx.end, kind="CLA")["visit_date"])
    health = _lookup(child, _latest_by_child(ds.health_checks, "check_date", cx.end, kind="health")["check_date"])
    dental = _lookup(child, _latest_by_child(ds.health_checks, "check_date", cx.end, kind="dental")["check_date"])
    ceased = lt["dec"].where(lt["rec"].fillna("") != "X1")
    uasc = "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)"

    def d(s: pd.Series) -> np.ndarray:
        return s.astype("datetime64[us]").to_numpy()

    return _frame(8, [cx.person(child, uasc_header=uasc), {
        "Date Started to be Looked After": d(lt["period_start"]),
        "Child's Category of Need": _text(lt["cin"], NEED_TEXT).to_numpy(),
        "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)":
            _yes_no(lt["second_period"]).to_numpy(),
        "Start date of current legal status": d(lt["ls_start"]),
        "Child's Legal Status": _text(lt["ls"], LEGAL_STATUS_TEXT).to_numpy(),
        "Date of Latest Statutory Review": d(review),
        "Date of Last Social Work Visit": d(visit),
        "Date of Last Health Assessment": d(health),
        "Date of Last Dental Check": d(dental),
        "Number of Placements in the Last 12 months": placements.to_numpy(),
        "Date Ceased to be Looked After": d(ceased),
        "Reason Ceased to be Looked After": _text(lt["rec"].where(ceased.notna()), REC_TEXT).to_numpy(),
        "Start Date of Most Recent Placement": d(lt["placement_start"]),
        "Placement Type": _text(lt["place"], PLACE_TEXT).to_numpy(),
        "Placement Provider": _text(lt["place_provider"], PROVIDER_TEXT).to_numpy(),
        "Placement postcode": lt["pl_post"].to_numpy(),
        "URN of Placement": lt["urn"].to_numpy(),
        "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months":
            n_missing.to_numpy(),
        "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months":
            n_away.to_numpy(),
        "Allocated Team": cx.team(lt["team_id"]), "Allocated Worker": cx.worker(lt["worker_id"])}])


def _list9(cx: _Context) -> pd.DataFrame:
    if cx.ds.care_leavers.empty:
        return _frame(9, [])
    cl = cx.ds.care_leavers
    cl = cl[cl["status_date"].between(cx.start, cx.end)].sort_values(["status_date"], kind="stable")
    cl = cl.drop_duplicates("child_id", keep="last").sort_values("child_id")
    return _frame(9, [cx.person(cl["child_id"], uasc_header=LISTS[9].field("uasc").header), {
        "Allocated Team": cx.team(cl["team_id"]),
        "Allocated Personal Advisor": cx.worker(cl["worker_id"]),
        "Eligibility Category": _text(cl["eligibility"], ELIGIBILITY_TEXT).to_numpy(),
        "Latest Pathway Plan Review Date": _known(cl["pathway_plan_date"], cx.end).to_numpy(),
        "LA in Touch": _text(cl["in_touch"], IN_TOUCH_TEXT).to_numpy(),
        "Latest Date of Contact": _known(cl["latest_contact_date"], cx.end).to_numpy(),
        "Type of Accommodation": _text(cl["accommodation"], ACCOMMODATION_TEXT).to_numpy(),
        "Suitability of Accommodation": _text(cl["suitable"].map({True: "1", False: "2"}).astype("str"),
                                              SUITABILITY_TEXT).to_numpy(),
        "Activity Status": _text(cl["activity"], ACTIVITY_TEXT).to_numpy()}])


def _list10(cx: _Context) -> pd.DataFrame:
    if cx.ds.adoptions.empty:
        return _frame(10, [])
    a = cx.ds.adoptions
    a = a[(a["decision_date"] <= cx.end) & (_known(a["adoption_order_date"], cx.end).isna()
                                            | (a["adoption_order_date"] >= cx.start))
          & (_known(a["stopped_date"], cx.end).isna() | (a["stopped_date"] >= cx.start))]
    a = a.sort_values(["decision_date", "child_id"])
    k = {c: _known(a[c], cx.end).to_numpy() for c in (
        "entered_care_date", "decision_date", "placement_order_date", "match_date", "placed_date",
        "adoption_order_date", "stopped_date", "ffa_date")}
    stopped = _known(a["stopped_date"], cx.end)
    return _frame(10, [cx.person(a["child_id"]), {
        "Date the Child Entered Care": k["entered_care_date"],
        "Date of Decision that Child Should be Placed for Adoption": k["decision_date"],
        "Date of Placement Order": k["placement_order_date"],
        "Date of Matching Child and Prospective Adopters": k["match_date"],
        "Date Placed for Adoption": k["placed_date"],
        "Date of Adoption Order": k["adoption_order_date"],
        "Date of Decision that Child Should No Longer be Placed for Adoption": k["stopped_date"],
        "Reason Why Child No Longer Placed for Adoption":
            _text(a["stopped_reason"].where(stopped.notna()), ADOPTION_STOPPED_TEXT).to_numpy(),
        "Date the child was placed for fostering in FFA or concurrent planning placement": k["ffa_date"]}])


def annex_a_frames(dataset: Dataset, period_end: pd.Timestamp, months: int = 12) -> dict[str, pd.DataFrame]:
    """The eleven lists as DataFrames with Ofsted's headers (what ``write_annex_a`` writes)."""
    period_end = pd.Timestamp(period_end).normalize()
    if months < 1:
        raise ValueError("months must be at least 1")
    authorities = dataset.authorities()
    if len(authorities) > 1:
        raise ValueError(f"an Annex A workbook is for one authority; the dataset holds {authorities}")
    cx = _Context(dataset, period_end, months)
    builders = {1: _list1, 3: _list3, 4: _list4, 5: _list5, 6: _list6, 7: _list7, 8: _list8, 9: _list9,
                10: _list10}
    out = {}
    for n, spec in LISTS.items():  # loop over lists
        out[spec.sheet] = builders[n](cx) if n in builders else _frame(n, [])
    return out


def write_annex_a(dataset: Dataset, path: Path, period_end: pd.Timestamp, months: int = 12) -> Path:
    """Write the Annex A workbook for ``months`` months ending ``period_end``; returns ``path``.

    The period end is stored as a document property, so that loading the workbook back knows
    the date its lists describe (care leavers' status, List 8's counts, history order)."""
    frames = annex_a_frames(dataset, period_end, months)
    return write_xlsx(Path(path), frames, title="Ofsted Annex A", creator="csc-workbench",
                      custom={PERIOD_END_PROPERTY: pd.Timestamp(period_end).strftime("%Y-%m-%d")})
