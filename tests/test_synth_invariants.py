"""Synthetic data is clean: schemas, linkage between records, dates in order, SSDA903
episode chains, visits inside the plans they belong to, care leavers who really left care.

Each check is plain pandas over the generated tables, independent of the generator's code.
"""

import numpy as np
import pandas as pd

from csc_workbench.calendar import add_years, working_days_between
from synth_fixtures import synth_data, synth_manifest, synth_pair  # noqa: F401  (fixtures)

DAY = pd.Timedelta(days=1)


def _persons(d):
    return d.persons.set_index(["authority", "child_id"])


def test_every_table_passes_its_schema(synth_data):
    synth_data.validate()
    for name in ("persons", "contacts", "referrals", "assessments", "s47", "icpcs", "cp_plans", "cp_reviews",
                 "cin_plans", "visits", "cla_episodes", "cla_reviews", "missing", "health_checks",
                 "cla_outcomes", "care_leavers", "adoptions", "teams", "workers", "allocations", "population",
                 "authorities"):
        assert len(synth_data[name]) > 0, f"{name} is empty"
    assert set(synth_data.visits["kind"]) == {"CIN", "CP", "CLA", "assessment"}


def test_every_child_in_a_table_is_a_person(synth_data):
    known = set(zip(synth_data.persons.authority, synth_data.persons.child_id))
    for name, frame in synth_data.items():
        if "child_id" in frame and name != "persons":
            ids = set(zip(frame.authority, frame.child_id))
            assert ids <= known, f"{name}: {len(ids - known)} children not in persons"


def test_assessments_belong_to_their_referral_and_follow_it(synth_data):
    a = synth_data.assessments.merge(synth_data.referrals[["authority", "referral_id", "child_id", "referral_date"]],
                                     on=["authority", "referral_id"], how="left", suffixes=("", "_ref"))
    assert a["referral_date"].notna().all()
    assert (a["child_id"] == a["child_id_ref"]).all()
    assert (a["start_date"] >= a["referral_date"]).all()
    done = a[a["authorised_date"].notna()]
    assert (done["authorised_date"] >= done["start_date"]).all()
    # same-day assessments exist, as in real data (0 working days)
    assert (done["authorised_date"] == done["start_date"]).any()


def test_s47_conference_plan_order(synth_data):
    d = synth_data
    s = d.s47.merge(d.referrals[["authority", "referral_id", "referral_date"]], on=["authority", "referral_id"])
    assert len(s) == len(d.s47)
    assert (s["start_date"] >= s["referral_date"]).all()
    i = d.icpcs.merge(d.s47[["authority", "s47_id", "child_id", "start_date"]], on=["authority", "s47_id"],
                      how="left", suffixes=("", "_s47"))
    assert i["start_date"].notna().all() and (i["child_id"] == i["child_id_s47"]).all()
    assert (i["icpc_date"] >= i["start_date"]).all()
    assert (i["icpc_date"].dt.day_of_week < 5).all()  # conferences are held on weekdays
    # every plan starts at a conference that decided on a plan (CIN census: same day)
    p = d.cp_plans.merge(i[i["cp_plan"] == True][["authority", "child_id", "icpc_date"]],  # noqa: E712
                         left_on=["authority", "child_id", "start_date"],
                         right_on=["authority", "child_id", "icpc_date"], how="left")
    in_window = p["start_date"] >= pd.Timestamp("2021-04-01")
    assert p.loc[in_window, "icpc_date"].notna().all()
    ended = d.cp_plans[d.cp_plans["end_date"].notna()]
    assert (ended["end_date"] > ended["start_date"]).all()
    # S47 enquiries without a conference say so once they are concluded
    no_icpc = d.s47[~d.s47.s47_id.isin(d.icpcs.s47_id)]
    assert (no_icpc["icpc_not_required"].fillna(True)).all()


def test_reviews_fall_within_their_plan(synth_data):
    r = synth_data.cp_reviews.merge(synth_data.cp_plans, on=["authority", "cpp_id", "child_id"], how="left")
    assert r["start_date"].notna().all()
    assert (r["review_date"] > r["start_date"]).all()
    assert (r["end_date"].isna() | (r["review_date"] <= r["end_date"])).all()


def _overlaps(frame, start, end, by=("authority", "child_id"), touching_ok=True):
    f = frame.sort_values([*by, start])
    prev_end = f.groupby(list(by))[end].shift()
    same = f[list(by)].eq(f[list(by)].shift()).all(axis=1)
    open_prev = same & prev_end.isna() & f.groupby(list(by)).cumcount().gt(0)
    clash = same & prev_end.notna() & ((f[start] < prev_end) if touching_ok else (f[start] <= prev_end))
    return f[clash | open_prev]


def test_cin_episodes_plans_do_not_overlap(synth_data):
    d = synth_data
    assert _overlaps(d.referrals, "referral_date", "closure_date").empty
    assert _overlaps(d.cp_plans, "start_date", "end_date", touching_ok=False).empty
    assert _overlaps(d.cin_plans, "start_date", "end_date").empty
    # a CIN plan never runs alongside a CP plan (CIN census 4001/4016/4017)
    both = pd.concat([d.cin_plans.assign(kind="cin"), d.cp_plans.assign(kind="cp")])
    assert _overlaps(both, "start_date", "end_date").empty
    # every module of a closed episode happens on or before its closure
    r = d.referrals[d.referrals.closure_date.notna()][["authority", "referral_id", "closure_date"]]
    for name, col in (("assessments", "authorised_date"), ("s47", "start_date"), ("cp_plans", "end_date")):
        m = d[name].merge(r, on=["authority", "referral_id"])
        assert (m[col].isna() | (m[col] <= m["closure_date"])).all(), name
        assert m[col].notna().all() or name == "assessments", name


def test_children_are_under_18_and_born_before_their_records(synth_data):
    d = synth_data
    p = _persons(d)
    r = d.referrals.join(p[["dob", "expected_dob"]], on=["authority", "child_id"])
    born = r["dob"].notna()
    assert (r.loc[born, "referral_date"] < add_years(r.loc[born, "dob"], 18).values).all()
    # pre-birth referrals: at most 28 weeks before the birth
    pre = born & (r["referral_date"] < r["dob"])
    assert (r.loc[pre, "dob"] - r.loc[pre, "referral_date"] <= pd.Timedelta(weeks=28)).all()
    unborn = r["dob"].isna()
    assert unborn.sum() == r["expected_dob"].notna().sum() and unborn.mean() < 0.01
    assert (p.loc[p["dob"].isna(), "sex"] == "U").all()
    for name, col in (("s47", "start_date"), ("cp_plans", "start_date"), ("cla_episodes", "decom"),
                      ("visits", "visit_date"), ("missing", "start_date"), ("health_checks", "check_date")):
        m = d[name].join(p[["dob"]], on=["authority", "child_id"])
        assert (m["dob"].notna() & (m[col] >= m["dob"])).all(), name
    e = d.cla_episodes.join(p[["dob"]], on=["authority", "child_id"])
    last = e["dec"].fillna(pd.Timestamp("2030-01-01"))
    assert (e["decom"] < add_years(e["dob"], 18).values).all()
    assert ((e["dec"].isna()) | (last <= add_years(e["dob"], 18).values)).all()


def test_cla_episodes_chain_without_overlaps(synth_data):
    e = synth_data.cla_episodes.sort_values(["authority", "child_id", "decom"]).reset_index(drop=True)
    assert (e["dec"].isna() | (e["dec"] > e["decom"])).all()  # no episode under 24 hours
    nxt = e.groupby(["authority", "child_id"]).shift(-1)
    has_next = nxt["decom"].notna()
    # no overlap, no open episode followed by another
    assert (e.loc[has_next, "dec"].notna()).all()
    assert (e.loc[has_next, "dec"] <= nxt.loc[has_next, "decom"]).all()
    # X1 = the next episode starts the same day and continues the period of care
    x1 = e["rec"] == "X1"
    assert (e.loc[x1, "dec"] == nxt.loc[x1, "decom"]).all()
    assert (nxt.loc[x1, "rne"] != "S").all()
    ended = has_next & ~x1
    assert (nxt.loc[ended, "rne"] == "S").all()
    assert (nxt.loc[ended, "decom"] > e.loc[ended, "dec"]).all()  # a new period starts another day
    # what changed matches the reason for the new episode
    cont = x1
    same_place = (e[["place", "place_provider"]].fillna("") == nxt[["place", "place_provider"]].fillna("")).all(axis=1) \
        & (e["pl_post"].fillna("") == nxt["pl_post"].fillna(""))
    same_ls = e["ls"] == nxt["ls"]
    assert (~same_ls[cont & (nxt["rne"] == "L")]).all()
    assert (same_place[cont & (nxt["rne"] == "L")]).all()
    assert (same_ls[cont & nxt["rne"].isin(["P", "T"])]).all()
    assert (~same_place[cont & (nxt["rne"] == "P")]).all()
    assert (~same_ls[cont & nxt["rne"].isin(["B", "U"])]).all()
    # the reason for a placement change is on the episode before it, and only there
    needs = cont & nxt["rne"].isin(["P", "B", "T", "U"])
    assert e.loc[needs, "reason_place_change"].notna().all()
    assert e.loc[~needs, "reason_place_change"].isna().all()
    assert (e["rec"].isna() == e["dec"].isna()).all()


def test_cla_legal_statuses_and_placements_follow_the_rules(synth_data):
    d = synth_data
    e = d.cla_episodes.join(_persons(d)[["dob"]], on=["authority", "child_id"])
    length = (e["dec"] - e["decom"]).dt.days
    assert (length[e["ls"] == "L1"].dropna() <= 3).all()  # police protection: 72 hours
    assert (length[e["ls"] == "L2"].dropna() <= 21).all()  # emergency protection order
    assert not ((e["place"] == "P1") & (e["ls"] == "V2")).any()
    assert ((e["place"] == "P1") == (e["place_provider"] == "PR0")).all()
    age = (e["decom"] - e["dob"]).dt.days / 365.25
    assert (age[e["place"] == "H5"] >= 14).all() and (age[e["ls"].str.startswith("J")] >= 10).all()
    placed_adopt = e["place"].isin(["A5", "A6"])
    assert (e.loc[placed_adopt, "ls"] == "E1").all()  # placement order before placed for adoption
    sgo_kin = e["rec"].isin(["E45", "E46"])
    assert e.loc[sgo_kin, "place"].isin(["U1", "U2", "U3", "U4", "U5", "U6"]).all()
    sb = e["ls"].isin(["V3", "V4"])
    assert sb.any() and (e.loc[sb, "rne"] == "S").all() and e.loc[sb, "pl_post"].isna().all()
    assert (length[e["ls"] == "V3"].dropna() <= 17).all()
    assert e["pl_post"].dropna().str.fullmatch(r"ZZ99 \d[A-Z]{2}").all()
    assert e["urn"].dropna().str.startswith("SCZ").all()
    # an Ofsted URN exactly where DfE asks for one (rules 218 and 222): every placement but
    # parents, residential employment, health, custody, temporary or other placements and
    # (unregistered) semi-independent living
    no_urn = e["place"].isin(["P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1", "H5"])
    assert e.loc[~sb & ~no_urn, "urn"].notna().all() and e.loc[no_urn, "urn"].isna().all()
    # supported accommodation: semi-independent living (H5) until 31 March 2024, when the
    # providers registered (K3); a placement open then changes code with the same carer (T)
    h5, k3 = e[e["place"] == "H5"], e[e["place"] == "K3"]
    assert (h5["dec"] <= "2024-03-31").all() and (k3["decom"] >= "2024-03-31").all() and len(k3)
    recoded = k3[k3["decom"] == "2024-03-31"]
    assert len(recoded) and recoded["rne"].isin(["T", "U"]).all()
    legal = e["ls"].isin(["C1", "C2", "E1", "V2", "V3", "V4", "L1", "L2", "J1"]).all()
    assert legal
    assert {"S", "P", "L", "T"} <= set(e["rne"])
    assert {"E4A", "E11", "E17"} <= set(e["rec"].dropna()) or {"E4A", "E12", "E17"} <= set(e["rec"].dropna())


def test_visits_fall_inside_what_they_belong_to(synth_data):
    d = synth_data
    v = d.visits

    def inside(kind, frame, start, end):
        vv = v[v.kind == kind][["authority", "child_id", "visit_date"]].reset_index()
        m = vv.merge(frame[["authority", "child_id", start, end]], on=["authority", "child_id"])
        ok = (m["visit_date"] >= m[start]) & (m[end].isna() | (m["visit_date"] <= m[end]))
        hit = m[ok]["index"].unique()
        return len(hit), len(vv)

    for kind, frame, s, e in (("CP", d.cp_plans, "start_date", "end_date"),
                              ("CIN", d.cin_plans, "start_date", "end_date"),
                              ("CLA", d.cla_episodes[~d.cla_episodes.ls.isin(["V3", "V4"])], "decom", "dec"),
                              ("assessment", d.assessments, "start_date", "authorised_date")):
        hit, total = inside(kind, frame, s, e)
        assert total > 0 and hit == total, f"{kind}: {total - hit} of {total} visits outside"


def _periods_of_care(episodes):
    """Periods of care from SSDA903 episodes: a new period at every RNE 'S'."""
    e = episodes.sort_values(["authority", "child_id", "decom"]).copy()
    e["period"] = (e["rne"] == "S").cumsum()
    return e.groupby("period").agg(authority=("authority", "first"), child_id=("child_id", "first"),
                                   decom=("decom", "min"), dec=("dec", lambda s: s.iloc[-1]))


def test_missing_episodes_and_checks_happen_while_in_care(synth_data):
    d = synth_data
    e = _periods_of_care(d.cla_episodes)
    for name, s, en in (("missing", "start_date", "end_date"), ("health_checks", "check_date", "check_date"),
                        ("cla_reviews", "review_date", "review_date")):
        x = d[name].reset_index()
        m = x.merge(e[["authority", "child_id", "decom", "dec"]], on=["authority", "child_id"])
        ok = (m[s] >= m["decom"]) & (m["dec"].isna() | (m[en] <= m["dec"]))
        assert m[ok]["index"].nunique() == len(x), name
    assert (d.missing["end_date"] >= d.missing["start_date"]).all()


def test_care_leavers_left_care_aged_16_or_over(synth_data):
    d = synth_data
    e = d.cla_episodes[~d.cla_episodes.ls.isin(["V3", "V4"])]
    last = e.sort_values("decom").groupby(["authority", "child_id"]).tail(1)
    cl = d.care_leavers.merge(last, on=["authority", "child_id"], how="left")
    assert cl["dec"].notna().all(), "care-leaver record for a child still (or never) in care"
    p = _persons(d)
    cl = cl.join(p[["dob"]], on=["authority", "child_id"])
    assert (cl["dec"] >= add_years(cl["dob"], 16).values).all()
    assert (cl["status_date"] > cl["dec"]).all()
    # Two kinds of record: the status at each birthday 17-21 (SSDA903 OC3), and the updates
    # made at pathway plan reviews in between (as monthly Annex A extracts show them).
    on_birthday = pd.Series(False, index=cl.index)
    for years in range(17, 22):
        on_birthday |= (cl["age"] == years) & (cl["status_date"] == add_years(cl["dob"], years).values)
    birthdays, updates = cl[on_birthday], cl[~on_birthday]
    assert len(birthdays) and len(updates)
    assert birthdays["age"].between(17, 21).all() and updates["age"].between(16, 21).all()
    assert (updates["eligibility"] == np.where(updates["age"] < 18, "relevant", "former_relevant")).all()
    # an update is a pathway plan review: its plan is dated that day (in touch), and every
    # young person with updates has their birthday statuses too
    u_yes = updates[updates["in_touch"] == "YES"]
    assert (u_yes["pathway_plan_date"] == u_yes["status_date"]).all()
    pair = lambda f: set(zip(f["authority"], f["child_id"]))  # noqa: E731
    assert pair(updates) <= pair(birthdays)
    b_yes = birthdays[birthdays["in_touch"] == "YES"]
    assert (b_yes["pathway_plan_date"] <= b_yes["status_date"]).all()
    assert (b_yes["latest_contact_date"] <= b_yes["status_date"]).all()
    yes = cl["in_touch"] == "YES"
    assert cl.loc[yes, ["activity", "accommodation"]].notna().all().all()
    assert cl.loc[cl["in_touch"].isin(["DIED", "RHOM"]), ["activity", "accommodation"]].isna().all().all()
    assert (cl.loc[cl["age"] == 17, "accommodation"] != "Z").all()


def test_adoption_dates_in_order(synth_data):
    a = synth_data.adoptions
    assert len(a)
    seq = ["entered_care_date", "decision_date", "placement_order_date", "match_date", "placed_date",
           "adoption_order_date"]
    for x, y in zip(seq, seq[1:]):
        both = a[x].notna() & a[y].notna()
        assert (a.loc[both, y] >= a.loc[both, x]).all(), (x, y)
    adopted = synth_data.cla_episodes[synth_data.cla_episodes.rec.isin(["E11", "E12"])]
    m = adopted.merge(a, on=["authority", "child_id"])
    assert len(m) == len(adopted) and (m["adoption_order_date"] == m["dec"]).all()


def test_journeys_have_the_features_analysts_expect(synth_data):
    d = synth_data
    # siblings referred together share a family and a referral date
    r = d.referrals.join(_persons(d)[["family_id"]], on=["authority", "child_id"])
    groups = r.groupby(["authority", "family_id", "referral_date"]).size()
    assert (groups >= 2).mean() > 0.2
    # plans lasting 2 years or more exist, and second plans within 2 years
    p = d.cp_plans
    assert ((p["end_date"] - p["start_date"]).dt.days >= 730).any()
    ps = p.sort_values("start_date")
    prev_end = ps.groupby(["authority", "child_id"])["end_date"].shift()
    assert ((ps["start_date"] - prev_end).dt.days <= 730).any()
    assert (p["previous_plans"] > 0).any()
    # re-referrals within 12 months of a previous referral
    rr = d.referrals.sort_values("referral_date")
    gap = rr["referral_date"] - rr.groupby(["authority", "child_id"])["referral_date"].shift()
    assert (gap.dt.days <= 365).sum() > 100
    # workers: some agency staff; every allocation within the worker's time in post
    assert d.workers["agency"].any() and not d.workers["agency"].all()
    w = d.allocations.merge(d.workers, on=["authority", "worker_id"], suffixes=("", "_w"))
    assert len(w) == len(d.allocations)
    assert (w["start_date"] >= w["start_date_w"]).all()
    assert (w["end_date_w"].isna() | (w["start_date"] <= w["end_date_w"])).all()
    recent = d.referrals["referral_date"] >= pd.Timestamp("2021-04-01")
    assert d.referrals.loc[recent, "team_id"].notna().all()
    assert d.visits["worker_id"].notna().mean() > 0.97
    # working-day clock: ICPCs within 15 working days for most, not all
    i = d.icpcs.merge(d.s47[["authority", "s47_id", "start_date"]], on=["authority", "s47_id"])
    within = working_days_between(i["start_date"], i["icpc_date"]) <= 15
    assert 0.6 < within.mean() < 0.97


def test_seasonality_in_referrals(synth_data):
    r = synth_data.referrals
    r = r[r["referral_date"] >= pd.Timestamp("2021-04-01")]
    by_month = r.groupby(r["referral_date"].dt.month).size()
    assert by_month[8] < by_month[[9, 10, 11]].mean() * 0.85  # summer holiday dip
    assert by_month[12] < by_month[[10, 11]].mean() * 0.9  # December dip
    weekday = r["referral_date"].dt.day_of_week < 5
    assert weekday.mean() > 0.9
