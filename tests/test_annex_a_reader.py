"""Annex A loader: the real sample, header variants, code and date forms, formulas, both
List 9 layouts, the mapping to canonical tables, and an account for every row."""

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from annex_a_helpers import annex_a, headers, workbook
from csc_workbench.errors import InputError
from csc_workbench.io import annex_a as aa
from csc_workbench.quality import LoadAccount

D = dt.datetime


def _read(path: Path, authority: str = "T01"):
    account = LoadAccount(authority)
    ds = aa.read([path], authority, account)
    account.check_balanced()
    return ds, account


def _line(account: LoadAccount, table: str) -> dict:
    s = account.summary()
    return s[s["table"] == table].iloc[0][["rows_read", "loaded", "rejected", "fixed"]].to_dict()


def _issues(account: LoadAccount, rule: str) -> pd.DataFrame:
    i = account.issues()
    return i[i["rule"] == rule]


# -- the real sample -----------------------------------------------------------------------------
def test_real_sample_loads_with_a_balanced_account_per_sheet(samples_dir):
    path = samples_dir / "annex_a" / "liia_tools_Annex_A.xlsx"
    assert aa.sniff(path)
    ds, account = _read(path, "999")
    # Rows counted by hand from the sample (header rows excluded).
    expected = {  # sheet: (read, loaded, rejected, fixed)
        "List 1": (5, 5, 0, 0), "List 2": (5, 0, 5, 0), "List 3": (6, 6, 0, 0),
        "List 4": (5, 5, 0, 5),   # "CS Assessment Updated" is not Yes/No
        "List 5": (5, 5, 0, 0),
        "List 6": (5, 5, 0, 11),  # one adult-services need code, #N/A in team and worker on 5 rows
        "List 7": (7, 7, 0, 0), "List 8": (5, 5, 0, 0), "List 9": (6, 6, 0, 0), "List 10": (5, 5, 0, 0),
        "List 11": (5, 0, 5, 0),
    }
    for sheet, (read, loaded, rejected, fixed) in expected.items():
        assert _line(account, sheet) == {"rows_read": read, "loaded": loaded, "rejected": rejected,
                                         "fixed": fixed}, sheet
    not_used = _issues(account, "not_used")
    assert set(not_used["table"]) == {"List 2", "List 11"} and len(not_used) == 10
    assert (not_used["action"] == "rejected").all()
    assert set(not_used[not_used["table"] == "List 2"]["row"]) == {"2", "3", "4", "5", "6"}
    # Sizes of the canonical tables, from the sheets.
    assert len(ds.contacts) == 5 and len(ds.cp_plans) == 7 and len(ds.adoptions) == 5
    assert len(ds.referrals) == 11  # 6 referrals (List 3) + 5 older CIN episodes (List 6), none shared
    assert ds.cla_episodes["child_id"].nunique() == 5 and len(ds.care_leavers) == 6
    # List 10's dates are formulas (=H2+5 ...); the values Excel saved with them are used.
    a = ds.adoptions.set_index("child_id").loc["7961370"]
    assert a["decision_date"] == pd.Timestamp("2009-08-11") and a["adoption_order_date"] == pd.Timestamp("2009-08-31")
    # Lettered codes and labels both read: 'q) 6: Police', 'Female', 'Physical abuse', 'E1: Placement order'.
    assert ds.contacts.set_index("child_id").loc["9212044", "source"] == "6"
    assert ds.persons.set_index("child_id").loc["9212044", "sex"] == "F"
    assert set(ds.cp_plans["initial_category"]) == {"PHY", "EMO"}
    assert "E1" in set(ds.cla_episodes["ls"])
    # Worker names (with non-breaking spaces) live only in workers.worker_name.
    assert "Dustin Hazlett" in set(ds.workers["worker_name"])
    ds.validate()


# -- header variants -----------------------------------------------------------------------------
REFERRAL_VARIANTS = ["Child Unique ID ", "Gender", "Ethnicity", "Date of Birth", "Age", "Date of Referral",
                     "Referral Source", "Referral NFA?", "Number of Referrals in Last 12 Months", "Allocated Team",
                     "Allocated\u00a0Worker"]


def test_headers_are_matched_by_meaning_not_exact_text(tmp_path):
    shuffled = ["Referral Source", "Child Unique ID", "Date of referral (dd/mm/yyyy)", "Gender", "[Allocated Team]",
                "Allocated Worker ", "Referral NFA?"]
    list8 = [h.replace("'", "\u2019") for h in headers(8)]  # curly quotes as Word/Excel autocorrect makes them
    list8[list8.index("Age of Child (Years)")] = "Age"
    path = annex_a(tmp_path / "a.xlsx", header_rows={3: shuffled, 8: list8}, lists={
        3: [["q) 6: Police", 11, D(2024, 1, 5), "b) Female", "Team A", "Jo Bloggs", "b) No"]],
        8: [{"Child Unique ID": 12, "Date Started to be Looked After": D(2023, 6, 1),
             "Start date of current legal status": D(2023, 6, 1), "Start Date of Most Recent Placement": D(2023, 6, 1),
             "Child\u2019s Legal Status": "C2: FCO",
             list8[list8.index(headers(8)[28].replace("'", "\u2019"))]: 3}],
    })
    ds, account = _read(path)
    r = ds.referrals.iloc[0]
    assert (r["child_id"], r["referral_date"], r["referral_source"], r["nfa"]) == \
        ("11", pd.Timestamp("2024-01-05"), "6", False)
    assert ds.persons.set_index("child_id").loc["11", "sex"] == "F"
    assert ds.cla_episodes.iloc[0]["ls"] == "C2"
    assert ds.cla_snapshots.iloc[0]["missing_12m"] == 3
    # List 3 lacks some Ofsted columns: noted once each, not per row.
    missing = _issues(account, "column_missing")
    assert set(missing[missing["table"] == "List 3"]["column"]) == {
        "Ethnicity", "Date of Birth", "Number of Referrals in Last 12 Months"}


def test_variant_headers_of_the_sample_kind(tmp_path):
    path = annex_a(tmp_path / "a.xlsx", header_rows={3: REFERRAL_VARIANTS}, lists={
        3: [[7, "a) Male", "a) WBRI", D(2015, 1, 2), 9, D(2024, 2, 1), "Police", "No", 2, "MASH", "Ann\u00a0Lee"]]})
    ds, account = _read(path)
    r = ds.referrals.iloc[0]
    assert (r["referral_date"], r["referral_source"], r["previous_referrals_12m"]) == (pd.Timestamp("2024-02-01"), "6", 2)
    assert ds.workers.iloc[0]["worker_name"] == "Ann Lee"
    assert _issues(account, "unknown_column").empty and _issues(account, "column_missing").empty


def test_header_row_found_below_title_rows(tmp_path):
    sheets = {f"List {n}": [headers(n)] for n in range(1, 12)}
    sheets["List 1"] = [["Ofsted Annex A: List 1 contacts"], [], headers(1),
                        [5, "b) Female", "a) WBRI", D(2016, 1, 1), 8, D(2024, 3, 1), "e) 2A: Schools"]]
    ds, account = _read(workbook(tmp_path / "a.xlsx", sheets))
    assert len(ds.contacts) == 1 and ds.contacts.iloc[0]["source"] == "2A"
    assert _issues(account, "not_a_date").empty
    i = account.issues()
    assert i[i["table"] == "List 1"].empty


def test_unknown_extra_column_is_noted_not_fatal(tmp_path):
    path = annex_a(tmp_path / "a.xlsx", header_rows={1: headers(1) + ["Shoe size"]},
                   lists={1: [[5, "b) Female", "a) WBRI", D(2016, 1, 1), 8, D(2024, 3, 1), "6", 38]]})
    ds, account = _read(path)
    extra = _issues(account, "unknown_column")
    assert extra["column"].tolist() == ["Shoe size"] and extra["row"].tolist() == ["1"]
    assert len(ds.contacts) == 1


# -- cells -------------------------------------------------------------------------------------
def test_codes_dates_blank_rows_and_na(tmp_path):
    row = {"Gender": "b) Female", "Ethnicity": "a) WBRI", "Date of Birth": D(2016, 1, 1)}
    path = annex_a(tmp_path / "a.xlsx", lists={1: [
        {**row, "Child Unique ID": 1, "Date of Contact": D(2024, 3, 1), "Contact Source": "q) 6: Police"},
        {**row, "Child Unique ID": 2, "Date of Contact": 45352, "Contact Source": "6"},          # serial 2024-03-01
        [None] * 7,                                                                              # blank row
        {**row, "Child Unique ID": 3, "Date of Contact": "01/03/2024", "Contact Source": "Police"},
        {**row, "Child Unique ID": 4, "Date of Contact": "2024-03-01", "Contact Source": "#N/A"},
        {**row, "Child Unique ID": 5, "Date of Contact": "soon", "Contact Source": "6"},
    ]})
    ds, account = _read(path)
    assert _line(account, "List 1") == {"rows_read": 5, "loaded": 4, "rejected": 1, "fixed": 1}
    c = ds.contacts.set_index("child_id")
    assert (c["contact_date"] == pd.Timestamp("2024-03-01")).all()
    assert c["source"].tolist() == ["6", "6", "6", None] or c["source"].isna().tolist() == [False, False, False, True]
    bad = _issues(account, "not_a_date")
    assert bad["row"].tolist() == ["7"] and bad["column"].tolist() == ["Date of Contact"]
    assert "'soon'" in bad["message"].iloc[0]
    na = _issues(account, "excel_error")
    assert na["row"].tolist() == ["6"] and na["action"].tolist() == ["fixed"]


def test_rows_without_child_id_or_required_date_are_rejected_with_their_row(tmp_path):
    path = annex_a(tmp_path / "a.xlsx", lists={3: [
        {"Child Unique ID": None, "Date of referral": D(2024, 1, 1)},
        {"Child Unique ID": 8, "Date of referral": None, "Referral Source": "6"},
        {"Child Unique ID": 9, "Date of referral": D(2024, 1, 2)},
    ]})
    ds, account = _read(path)
    assert _line(account, "List 3") == {"rows_read": 3, "loaded": 1, "rejected": 2, "fixed": 0}
    assert _issues(account, "no_child_id")["row"].tolist() == ["2"]
    assert _issues(account, "required_date_missing")["row"].tolist() == ["3"]
    assert ds.referrals["child_id"].tolist() == ["9"]


def test_duplicates_exact_copies_and_second_contacts_the_same_day(tmp_path):
    base = {"Child Unique ID": 1, "Date of Contact": D(2024, 1, 1), "Contact Source": "6"}
    path = annex_a(tmp_path / "a.xlsx", lists={1: [base, dict(base), {**base, "Contact Source": "2A"},
                                                   {**base, "Child Unique ID": 2}]})
    ds, account = _read(path)
    assert _line(account, "List 1") == {"rows_read": 4, "loaded": 2, "rejected": 2, "fixed": 0}
    assert _issues(account, "exact_duplicate")["row"].tolist() == ["3"]
    assert _issues(account, "second_record_same_day")["row"].tolist() == ["4"]
    assert ds.contacts.set_index("child_id").loc["1", "source"] == "6"


def test_same_record_twice_with_different_details_stops_the_load(tmp_path):
    row = {"Child Unique ID": 4, "Date Started to be Looked After": D(2023, 1, 1)}
    path = annex_a(tmp_path / "a.xlsx", lists={8: [{**row, "Placement Type": "U6"}, {**row, "Placement Type": "K2"}]})
    with pytest.raises(InputError) as err:
        _read(path)
    e = err.value
    assert (e.sheet, e.row, e.column) == ("List 8", 2, "Child Unique ID")
    assert "rows 2, 3" in str(e) and "a.xlsx" in str(e)


# -- formulas ------------------------------------------------------------------------------------
def test_formulas_without_saved_values_are_evaluated_or_rejected(tmp_path):
    # openpyxl saves formulas without values, as scripted exports do.
    h10 = headers(10)
    row10 = {"Child Unique ID": 1, "Date the Child Entered Care": D(2022, 1, 10),
             "Date of Decision that Child Should be Placed for Adoption": "=H2+5",
             "Date of Placement Order": "=I2+5", "Date of Matching Child and Prospective Adopters": "=$J$2+10"}
    h3 = headers(3)
    path = annex_a(tmp_path / "a.xlsx", lists={
        10: [row10],
        3: [{"Child Unique ID": 2, "Date of referral": "=VLOOKUP(A2,Lookup!A:B,2,0)"},
            {"Child Unique ID": 3, "Date of referral": D(2024, 1, 1), "Number of Referrals in Last 12 Months": "=SUM(1,2)"}],
    })
    assert h10.index("Date the Child Entered Care") == 7  # column H
    ds, account = _read(path)
    a = ds.adoptions.iloc[0]
    assert a["decision_date"] == pd.Timestamp("2022-01-15")
    assert a["placement_order_date"] == pd.Timestamp("2022-01-20")
    assert a["match_date"] == pd.Timestamp("2022-01-30")
    rejected = _issues(account, "formula_without_value")
    assert rejected[rejected["action"] == "rejected"]["row"].tolist() == ["2"]
    assert "VLOOKUP" in rejected["message"].iloc[0] and "save" in rejected["message"].iloc[0]
    blanked = rejected[rejected["action"] == "fixed"]
    assert blanked["row"].tolist() == ["3"] and blanked["column"].tolist() == [h3[8]]
    assert ds.referrals["child_id"].tolist() == ["3"] and ds.referrals["previous_referrals_12m"].isna().all()


# -- List 9 layouts ------------------------------------------------------------------------------
OLDER_LIST9 = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Does the Child have a Disability",
               "Allocated Team", "Allocated Worker", "Eligibility Category", "LA in Touch", "Type of Accommodation",
               "Suitability of Accommodation", "Activity Status"]


def test_list9_older_layout(tmp_path):
    path = annex_a(tmp_path / "a_2024-03-31.xlsx", header_rows={9: OLDER_LIST9}, lists={9: [
        [21, "a) Male", "r) OOTH", D(2005, 8, 7), 18, "b) No", "Care Leavers Team", "Jae Vang",
         "b) Former relevant child", "a) Yes", "Y: Other accommodation", "a) Suitable", "F5: x"]]})
    ds, account = _read(path)
    cl = ds.care_leavers.iloc[0]
    assert (cl["status_date"], cl["age"], cl["eligibility"], cl["in_touch"], cl["accommodation"], cl["suitable"]) == \
        (pd.Timestamp("2024-03-31"), 18, "former_relevant", "YES", "Y", True)
    assert cl["activity"] == "F5"
    assert _issues(account, "column_missing").empty  # the older layout is not a fault
    assert ds.workers.set_index("worker_id").loc[cl["worker_id"], "worker_name"] == "Jae Vang"


def test_list9_2023_layout(tmp_path):
    path = annex_a(tmp_path / "a_2024-03-31.xlsx", lists={9: [{
        "Child Unique ID": 21, "Date of Birth": D(2004, 4, 1),
        "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)": "a) Yes",
        "Allocated Team": "Leaving Care", "Allocated Worker": "Sam SW", "Allocated Personal Advisor": "Pat PA",
        "Eligibility Category": "c) Qualifying care leaver", "Latest Pathway Plan Review Date": D(2024, 2, 1),
        "LA in Touch": "b) No", "Latest Date of Contact": "03/02/2024", "Type of Accommodation": "U: Independent living",
        "Suitability of Accommodation": "b) Unsuitable", "Activity Status": "G6: NEET - parenting"}]})
    ds, account = _read(path)
    cl = ds.care_leavers.iloc[0]
    assert (cl["age"], cl["eligibility"], cl["in_touch"], cl["suitable"], cl["activity"]) == \
        (19, "qualifying", "NO", False, "G6")
    assert (cl["pathway_plan_date"], cl["latest_contact_date"]) == (pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-03"))
    assert bool(ds.persons.iloc[0]["uasc"]) is True
    # The personal adviser is the care leaver's allocated worker.
    assert ds.workers.set_index("worker_id").loc[cl["worker_id"], "worker_name"] == "Pat PA"


# -- mapping to canonical tables -----------------------------------------------------------------
def _l8(child, start, ls_start, pl_start, **more):
    return {"Child Unique ID": child, "Date Started to be Looked After": start,
            "Start date of current legal status": ls_start, "Start Date of Most Recent Placement": pl_start,
            "Child's Legal Status": "C2: FCO", "Placement Type": "f) U6: Foster placement - not FFA", **more}


def test_list8_gives_the_latest_episode_and_the_start_of_the_period_of_care(tmp_path):
    path = annex_a(tmp_path / "a.xlsx", lists={8: [
        _l8(1, D(2023, 5, 1), D(2023, 5, 1), D(2023, 5, 1)),          # one episode
        _l8(2, D(2022, 1, 10), D(2022, 1, 10), D(2023, 2, 1)),        # moved placement
        _l8(3, D(2022, 1, 10), D(2023, 8, 1), D(2023, 2, 1)),         # then legal status changed
        _l8(4, D(2022, 1, 10), D(2023, 8, 1), D(2023, 8, 1),          # both on one day, since ceased
            **{"Date Ceased to be Looked After": D(2024, 1, 31), "Reason Ceased to be Looked After": "e) E4A: home"}),
    ]})
    ds, _ = _read(path)
    e = ds.cla_episodes.sort_values(["child_id", "decom"])
    got = [(r.child_id, r.decom.date().isoformat(), r.rne, r.dec.date().isoformat() if pd.notna(r.dec) else None,
            r.rec if pd.notna(r.rec) else None, r.ls if pd.notna(r.ls) else None, r.place if pd.notna(r.place) else None)
           for r in e.itertuples()]
    # An episode per start date (period, placement, legal status), each with the legal status
    # and placement List 8 says held from their start dates on.
    assert got == [
        ("1", "2023-05-01", "S", None, None, "C2", "U6"),
        ("2", "2022-01-10", "S", "2023-02-01", "X1", "C2", None), ("2", "2023-02-01", "P", None, None, "C2", "U6"),
        ("3", "2022-01-10", "S", "2023-02-01", "X1", None, None), ("3", "2023-02-01", "P", "2023-08-01", "X1", None, "U6"),
        ("3", "2023-08-01", "L", None, None, "C2", "U6"),
        ("4", "2022-01-10", "S", "2023-08-01", "X1", None, None), ("4", "2023-08-01", "B", "2024-01-31", "E4A", "C2", "U6"),
    ]


def test_referral_lists_combine_and_work_links_to_the_open_episode(tmp_path):
    path = annex_a(tmp_path / "a.xlsx", lists={
        3: [{"Child Unique ID": 1, "Date of referral": D(2024, 1, 5), "Referral Source": "6", "Referral NFA?": "b) No",
             "Allocated Team": "Duty", "Allocated Worker": "A One"}],
        6: [{"Child Unique ID": 1, "CIN Start Date": D(2024, 1, 5), "Primary Need Code": "N1 - Abuse or neglect",
             "Case Status": "b) Child Protection plan", "Date Child Was Last Seen": D(2024, 3, 20),
             "Allocated Team": "CP Team", "Allocated Worker": "B Two"},
            {"Child Unique ID": 1, "CIN Start Date": D(2022, 1, 1), "CIN Closure Date": D(2022, 6, 1),
             "Reason for Closure": "RC8"}],
        4: [{"Child Unique ID": 1, "Continuous Assessment Start Date": D(2024, 1, 6),
             "Continuous Assessment Date of Authorisation": D(2024, 2, 1),
             "Was the child assessed as requiring LA children's social care support?": "a) Yes"},
            {"Child Unique ID": 1, "Continuous Assessment Start Date": D(2022, 7, 1)}],  # between episodes
        7: [{"Child Unique ID": 1, "Child Protection Plan Start Date": D(2024, 2, 20),
             "Date of the Last Statutory Visit": D(2024, 3, 20), "Was the Child Seen Alone?": "a) Yes",
             "Date of latest review conference": D(2024, 3, 1)}],
    })
    ds, _ = _read(path)
    refs = ds.referrals.set_index("referral_date")
    assert len(refs) == 2
    now = refs.loc[pd.Timestamp("2024-01-05")]
    assert (now["referral_source"], now["nfa"], now["primary_need"]) == ("6", False, "N1")
    # The case's current allocation (List 6) wins over the referral's (List 3).
    assert ds.teams.set_index("team_id").loc[now["team_id"], "team_name"] == "CP Team"
    a = ds.assessments.set_index("start_date")
    assert a.loc[pd.Timestamp("2024-01-06"), "referral_id"] == now["referral_id"] == "1:2024-01-05"
    assert a.loc[pd.Timestamp("2024-01-06"), "outcome"] == "cin"
    assert pd.isna(a.loc[pd.Timestamp("2022-07-01"), "referral_id"])  # no episode open that day
    assert ds.cp_plans.iloc[0]["referral_id"] == "1:2024-01-05"
    assert ds.cp_reviews.iloc[0]["review_date"] == pd.Timestamp("2024-03-01")
    # The last statutory visit and the CIN list's "last seen" are one CP visit.
    v = ds.visits
    assert len(v) == 1 and (v.iloc[0]["kind"], bool(v.iloc[0]["seen"]), bool(v.iloc[0]["seen_alone"])) == ("CP", True, True)


def test_team_and_worker_ids_are_stable_and_names_stay_in_workers(tmp_path):
    rows = {3: [{"Child Unique ID": 1, "Date of referral": D(2024, 1, 5), "Allocated Team": "Duty",
                 "Allocated Worker": "Ann Lee"}]}
    ds1, _ = _read(annex_a(tmp_path / "jan.xlsx", lists=rows))
    ds2, _ = _read(annex_a(tmp_path / "feb.xlsx", lists=rows))
    assert ds1.referrals.iloc[0]["worker_id"] == ds2.referrals.iloc[0]["worker_id"]
    assert ds1.teams.iloc[0]["team_id"] == ds2.teams.iloc[0]["team_id"]
    for name, frame in ds1.items():
        if name != "workers" and len(frame):
            assert not frame.astype(str).isin(["Ann Lee"]).any().any(), name


def test_extract_date_from_file_name_property_or_data(tmp_path):
    rows = {1: [{"Child Unique ID": 1, "Date of Contact": D(2024, 2, 10)}],
            8: [_l8(2, D(2023, 5, 1), D(2023, 5, 1), D(2023, 5, 1), **{"Number of Placements in the Last 12 months": 1})]}
    by_data, _ = _read(annex_a(tmp_path / "annex.xlsx", lists=rows))
    assert by_data.cla_snapshots.iloc[0]["snapshot_date"] == pd.Timestamp("2024-02-10")
    by_name, _ = _read(annex_a(tmp_path / "annex_2024-03.xlsx", lists=rows))
    assert by_name.cla_snapshots.iloc[0]["snapshot_date"] == pd.Timestamp("2024-03-31")
    assert aa.extract_date([tmp_path / "annex_2024-03.xlsx", tmp_path / "annex.xlsx"]) == pd.Timestamp("2024-03-31")
    assert aa.extract_date([tmp_path / "annex.xlsx"]) is None


def test_sniff(tmp_path):
    assert aa.sniff(annex_a(tmp_path / "a.xlsx"))
    assert not aa.sniff(workbook(tmp_path / "b.xlsx", {"Sheet1": [["x"]], "List 1": [["y"]]}))
    (tmp_path / "c.xlsx").write_bytes(b"not a zip")
    assert not aa.sniff(tmp_path / "c.xlsx")


def test_lists_not_used_are_accounted_whatever_their_layout(tmp_path):
    sheets = {f"List {n}": [headers(n)] for n in range(1, 12)}
    sheets["List 2"] = []                                               # empty
    sheets["List 11"] = [["Adopters (RAA return)"], ["a", "b"], ["c", "d"]]  # not Ofsted's headers
    ds, account = _read(workbook(tmp_path / "a.xlsx", sheets))
    assert _line(account, "List 2") == {"rows_read": 0, "loaded": 0, "rejected": 0, "fixed": 0}
    assert _line(account, "List 11") == {"rows_read": 2, "loaded": 0, "rejected": 2, "fixed": 0}
    assert _issues(account, "not_used")["row"].tolist() == ["2", "3"]
