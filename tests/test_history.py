"""History across extracts: the same record seen twice is one record, a changed record keeps
its latest version, nothing older is lost; twelve monthly Annex A workbooks each covering six
months give an 18-month history, placements included."""

from pathlib import Path

import pandas as pd
import pytest

from csc_workbench.io import annex_a as aa
from csc_workbench.io.history import close_overlapping_episodes, merge_history, record_keys
from csc_workbench.model.dataset import Dataset
from csc_workbench.quality import LoadAccount

A = "H01"


def ds(**tables) -> Dataset:
    return Dataset({name: pd.DataFrame(rows).assign(authority=A) for name, rows in tables.items()})


def ref(child, date, **more):
    return {"referral_id": f"{child}:{date}", "child_id": child, "referral_date": date, **more}


JAN = ds(referrals=[ref("C1", "2023-01-05", referral_source="6", primary_need="N1"),
                    ref("C2", "2022-11-01", referral_source="2A")],
         cp_plans=[{"cpp_id": "p", "child_id": "C1", "start_date": "2023-01-20", "latest_category": "NEG"}])
FEB = ds(referrals=[ref("C1", "2023-01-05", referral_source="6", closure_date="2023-02-10", closure_reason="RC7"),
                    ref("C3", "2023-02-02", referral_source="1A")],
         cp_plans=[{"cpp_id": "p", "child_id": "C1", "start_date": "2023-01-20", "latest_category": "EMO",
                    "end_date": "2023-02-10"}])


def test_same_record_twice_is_one_record_and_its_latest_version_wins():
    merged, versions = merge_history(JAN, FEB, incoming_version=pd.Timestamp("2023-02-28"))
    r = merged.referrals.set_index(["child_id", "referral_date"]).sort_index()
    assert len(r) == 3  # C1 once, C2 (only in January) kept, C3 new
    c1 = r.loc[("C1", pd.Timestamp("2023-01-05"))]
    assert (c1["closure_date"], c1["closure_reason"]) == (pd.Timestamp("2023-02-10"), "RC7")
    # February's List 3 said nothing about primary need: January's value stays.
    assert c1["primary_need"] == "N1"
    plan = merged.cp_plans.iloc[0]
    assert (plan["latest_category"], plan["end_date"]) == ("EMO", pd.Timestamp("2023-02-10"))
    assert len(merged.cp_plans) == 1
    v = versions.set_index(["table_name", "record_key"])["extract_date"]
    assert v[("referrals", "C3|2023-02-02")] == pd.Timestamp("2023-02-28")
    assert pd.isna(v[("referrals", "C2|2022-11-01")])  # stored before versions were kept


def test_an_older_extract_loaded_later_does_not_overwrite_newer_versions():
    feb, versions = merge_history(Dataset(), FEB, incoming_version=pd.Timestamp("2023-02-28"))
    merged, _ = merge_history(feb, JAN, history_versions=versions, incoming_version=pd.Timestamp("2023-01-31"))
    c1 = merged.referrals.set_index("child_id").loc["C1"]
    assert c1["closure_date"] == pd.Timestamp("2023-02-10")  # January's "still open" is older
    assert c1["primary_need"] == "N1"  # only January said it: kept
    assert merged.cp_plans.iloc[0]["latest_category"] == "EMO"
    assert set(merged.referrals["child_id"]) == {"C1", "C2", "C3"}


def test_without_versions_load_order_decides():
    merged, _ = merge_history(FEB, JAN)  # January loaded after February, no dates known
    assert merged.cp_plans.iloc[0]["latest_category"] == "NEG"


def test_record_keys():
    assert record_keys("referrals", JAN.referrals).tolist() == ["C1|2023-01-05", "C2|2022-11-01"]
    assert record_keys("visits", pd.DataFrame({"child_id": ["C"], "visit_date": [pd.Timestamp("2024-01-02")],
                                                "kind": ["CP"]})).tolist() == ["C|2024-01-02|CP"]


def test_episodes_kept_in_sequence_and_every_fix_accounted():
    eps = ds(cla_episodes=[
        {"child_id": "C1", "decom": "2023-01-01", "rne": "S", "dec": "2023-06-01", "rec": "X1"},  # runs past next
        {"child_id": "C1", "decom": "2023-03-01", "rne": "P"},                                     # open, superseded
        {"child_id": "C1", "decom": "2023-09-01", "rne": "P"},                                     # open, current
        {"child_id": "C2", "decom": "2023-01-01", "rne": "S", "dec": "2023-02-01", "rec": "E4A"},  # fine
        {"child_id": "C2", "decom": "2023-05-01", "rne": "S"},
    ]).cla_episodes
    account = LoadAccount(A)
    fixed = close_overlapping_episodes(eps, account).sort_values(["child_id", "decom"])
    c1 = fixed[fixed["child_id"] == "C1"]
    assert c1["dec"].tolist()[:2] == [pd.Timestamp("2023-03-01"), pd.Timestamp("2023-09-01")]
    assert pd.isna(c1["dec"].iloc[2]) and c1["rec"].tolist()[:2] == ["X1", "X1"]
    c2 = fixed[fixed["child_id"] == "C2"]
    assert c2["dec"].iloc[0] == pd.Timestamp("2023-02-01") and c2["rec"].iloc[0] == "E4A"
    issues = account.issues()
    assert sorted(issues["rule"]) == ["episode_overlaps_next", "open_episode_closed_by_next"]
    assert set(issues["action"]) == {"fixed"}
    assert "child C1 episode from 01/01/2023" in set(issues["row"])


# -- twelve monthly Annex A workbooks --------------------------------------------------------
def _truth() -> Dataset:
    cp_visits = [{"visit_id": f"v{m}", "child_id": "C2", "visit_date": f"2023-{m:02d}-25", "kind": "CP",
                  "seen": True} for m in range(2, 10)]
    cla_visits = [{"visit_id": f"w{d}", "child_id": "C3", "visit_date": d, "kind": "CLA", "seen": True}
                  for d in ("2022-11-05", "2023-01-05", "2023-03-05", "2023-05-05", "2023-07-05", "2023-09-05",
                            "2023-11-05")]
    return ds(
        persons=[{"child_id": c, "sex": "F", "dob": "2012-05-05"} for c in ("C1", "C2", "C3")],
        referrals=[ref("C1", "2022-08-10", referral_source="6", closure_date="2022-10-01", closure_reason="RC8"),
                   ref("C1", "2023-03-15", referral_source="2A"),
                   ref("C2", "2023-02-01", referral_source="6"),
                   ref("C3", "2022-10-20", referral_source="5A")],
        cp_plans=[{"cpp_id": "p", "child_id": "C2", "start_date": "2023-02-20", "end_date": "2023-09-30",
                   "initial_category": "NEG", "latest_category": "NEG"}],
        visits=cp_visits + cla_visits,
        cla_episodes=[
            {"child_id": "C3", "decom": "2022-11-01", "rne": "S", "ls": "V2", "place": "U4", "dec": "2023-04-10",
             "rec": "X1"},
            {"child_id": "C3", "decom": "2023-04-10", "rne": "P", "ls": "V2", "place": "U6", "dec": "2023-08-01",
             "rec": "X1"},
            {"child_id": "C3", "decom": "2023-08-01", "rne": "L", "ls": "C2", "place": "U6", "dec": "2023-11-15",
             "rec": "E4A"}],
    )


@pytest.fixture(scope="module")
def monthly(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("monthly")
    truth = _truth()
    ends = pd.date_range("2023-01-31", "2023-12-31", freq="ME")
    return [aa.write_annex_a(truth, folder / f"annex_a_{end:%Y-%m}.xlsx", end, months=6) for end in ends]


def test_twelve_six_month_extracts_give_an_eighteen_month_history(monthly):
    account = LoadAccount(A)
    # Given newest first: the reader orders them by extract date.
    history = aa.read(list(reversed(monthly)), A, account)
    account.check_balanced()
    refs = history.referrals.sort_values(["child_id", "referral_date"])
    assert [(r.child_id, r.referral_date.strftime("%Y-%m-%d")) for r in refs.itertuples()] == [
        ("C1", "2022-08-10"), ("C1", "2023-03-15"), ("C2", "2023-02-01"), ("C3", "2022-10-20")]
    # The August 2022 referral left the window in February 2023 and was not lost.
    assert refs.iloc[0]["closure_date"] == pd.Timestamp("2022-10-01")
    assert history.cp_plans.iloc[0]["end_date"] == pd.Timestamp("2023-09-30")
    # Each month shows only the current placement; history rebuilds the sequence.
    eps = history.cla_episodes.sort_values("decom")
    got = [(e.decom.strftime("%Y-%m-%d"), e.rne, e.ls, e.place, e.dec.strftime("%Y-%m-%d"), e.rec)
           for e in eps.itertuples()]
    assert got == [("2022-11-01", "S", "V2", "U4", "2023-04-10", "X1"),
                   ("2023-04-10", "P", "V2", "U6", "2023-08-01", "X1"),
                   ("2023-08-01", "L", "C2", "U6", "2023-11-15", "E4A")]
    # Every month's latest visit is kept: a visit history from monthly snapshots.
    v = history.visits.sort_values(["child_id", "visit_date"])
    assert [(x.child_id, x.visit_date.strftime("%m-%d"), x.kind) for x in v.itertuples()] == \
        [("C2", f"{m:02d}-25", "CP") for m in range(2, 10)] + \
        [("C3", d, "CLA") for d in ("01-05", "03-05", "05-05", "07-05", "09-05", "11-05")]
    fixes = account.issues()
    assert set(fixes.loc[fixes["table"] == "cla_episodes", "rule"]) <= {"episode_overlaps_next",
                                                                         "open_episode_closed_by_next"}


def test_duplicates_within_one_extract_are_merged_and_accounted():
    twice = ds(referrals=[ref("C1", "2023-01-05", referral_source="6"),
                          ref("C1", "2023-01-05", primary_need="N4")])
    account = LoadAccount(A)
    merged, _ = merge_history(Dataset(), twice, account=account)
    r = merged.referrals.iloc[0]
    assert len(merged.referrals) == 1 and (r["referral_source"], r["primary_need"]) == ("6", "N4")
    issue = account.issues()
    assert issue["rule"].tolist() == ["duplicate_record_merged"] and issue["row"].tolist() == ["C1|2023-01-05"]
