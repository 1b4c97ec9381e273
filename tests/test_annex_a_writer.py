"""Annex A writer: Ofsted's sheets, headers and lettered codes, real Excel dates, the window
of months each list covers, and the counts Annex A asks for (worked out by hand here)."""

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from csc_workbench.io.annex_a import write_annex_a
from csc_workbench.model.dataset import Dataset

A = "W01"
END = pd.Timestamp("2024-03-31")


def _df(rows, **const):
    return pd.DataFrame([{**const, **r} for r in rows])


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    persons = _df([
        {"child_id": "C1", "sex": "F", "ethnicity": "WBRI", "dob": "2015-06-15", "disabled": False},
        {"child_id": "C2", "sex": "M", "ethnicity": "APKN", "dob": "2010-04-01", "uasc": True},
        {"child_id": "C3", "sex": "U", "dob": "2005-03-01", "disabled": True},
        {"child_id": "C4", "sex": "F", "dob": "2005-01-20"},
        {"child_id": "C5", "sex": "M", "dob": "2020-02-02"},
        {"child_id": "C6", "sex": "M", "dob": "2019-02-02"},
    ], authority=A)
    contacts = _df([{"contact_id": f"k{i}", "child_id": "C1", "contact_date": d, "source": s}
                    for i, (d, s) in enumerate([("2023-03-31", "6"), ("2023-04-01", "6"), ("2024-03-31", "2A"),
                                                ("2024-04-01", "6")])], authority=A)
    referrals = _df([
        {"referral_id": "r0", "child_id": "C1", "referral_date": "2023-01-10", "closure_date": "2023-02-01"},
        {"referral_id": "r1", "child_id": "C1", "referral_date": "2023-06-01", "referral_source": "6", "nfa": False,
         "primary_need": "N1", "closure_date": "2023-11-01", "closure_reason": "RC8", "team_id": "T1", "worker_id": "W1"},
        {"referral_id": "r2", "child_id": "C1", "referral_date": "2023-12-01", "referral_source": "2A", "nfa": False,
         "primary_need": "N5", "team_id": "T1", "worker_id": "W1"},
    ], authority=A)
    cp_plans = _df([
        {"cpp_id": "p0", "child_id": "C2", "start_date": "2020-01-01", "end_date": "2021-01-01"},
        {"cpp_id": "p1", "child_id": "C2", "start_date": "2023-05-01", "end_date": "2024-06-01",
         "initial_category": "NEG", "latest_category": "EMO", "team_id": "T2", "worker_id": "W2"},
    ], authority=A)
    cp_reviews = _df([{"cpp_id": "p1", "child_id": "C2", "review_date": d} for d in ("2023-08-01", "2024-02-01")],
                     authority=A)
    visits = _df([
        {"visit_id": "v1", "child_id": "C2", "visit_date": "2024-03-20", "kind": "CP", "seen": True, "seen_alone": True},
        {"visit_id": "v2", "child_id": "C2", "visit_date": "2024-04-02", "kind": "CP", "seen": True, "seen_alone": False},
        {"visit_id": "v3", "child_id": "C3", "visit_date": "2024-03-01", "kind": "CLA", "seen": True},
    ], authority=A)
    cla = _df([
        {"child_id": "C3", "decom": "2022-01-10", "rne": "S", "ls": "V2", "place": "U4", "dec": "2023-02-01", "rec": "X1"},
        {"child_id": "C3", "decom": "2023-02-01", "rne": "P", "ls": "V2", "place": "U6", "dec": "2023-08-01", "rec": "X1"},
        {"child_id": "C3", "decom": "2023-08-01", "rne": "L", "ls": "C2", "place": "U6", "place_provider": "PR1",
         "cin": "N1", "pl_post": "AB1 2CD", "team_id": "T2", "worker_id": "W2"},
        {"child_id": "C2", "decom": "2023-11-01", "rne": "S", "ls": "L2", "place": "U6", "dec": "2023-11-05",
         "rec": "E4A"},
    ], authority=A)
    missing = _df([{"child_id": "C3", "kind": k, "start_date": d}
                   for k, d in (("M", "2023-05-01"), ("M", "2022-12-01"), ("A", "2024-01-01"))], authority=A)
    cla_reviews = _df([{"child_id": "C3", "review_date": "2024-01-15"}], authority=A)
    health = _df([{"child_id": "C3", "check_date": "2023-09-01", "kind": "health"},
                  {"child_id": "C3", "check_date": "2022-01-01", "kind": "dental"}], authority=A)
    care_leavers = _df([
        {"child_id": "C4", "status_date": "2023-03-01", "in_touch": "NO"},
        {"child_id": "C4", "status_date": "2024-03-01", "eligibility": "former_relevant", "in_touch": "YES",
         "activity": "F5", "accommodation": "U", "suitable": True, "worker_id": "W3", "team_id": "T3"},
    ], authority=A)
    adoptions = _df([
        {"child_id": "C5", "decision_date": "2023-01-01", "adoption_order_date": "2023-05-01"},
        {"child_id": "C6", "decision_date": "2021-01-01", "adoption_order_date": "2022-01-01"},
    ], authority=A)
    teams = _df([{"team_id": t, "team_name": n} for t, n in (("T1", "Front Door"), ("T2", "Locality 2"),
                                                               ("T3", "Leaving Care"))], authority=A)
    workers = _df([{"worker_id": w, "worker_name": n} for w, n in (("W1", "Ann Lee"), ("W2", "Bo Ng"),
                                                                   ("W3", "Cy Pa"))], authority=A)
    return Dataset({"persons": persons, "contacts": contacts, "referrals": referrals, "cp_plans": cp_plans,
                    "cp_reviews": cp_reviews, "visits": visits, "cla_episodes": cla, "missing": missing,
                    "cla_reviews": cla_reviews, "health_checks": health, "care_leavers": care_leavers,
                    "adoptions": adoptions, "teams": teams, "workers": workers})


@pytest.fixture(scope="module")
def book(dataset, tmp_path_factory):
    path = write_annex_a(dataset, tmp_path_factory.mktemp("w") / "annex_a.xlsx", END, months=12)
    return openpyxl.load_workbook(path)


def rows(book, sheet) -> list[dict]:
    values = list(book[sheet].iter_rows(values_only=True))
    return [dict(zip(values[0], r)) for r in values[1:]]


def D(text):
    return dt.datetime.fromisoformat(text)


def test_sheets_and_ofsted_headers(book):
    assert book.sheetnames == [f"List {n}" for n in range(1, 12)]
    header = lambda s: [c.value for c in book[s][1]]  # noqa: E731
    assert header("List 1") == ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
                                "Date of Contact", "Contact Source"]
    assert header("List 3") == ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
                                "Date of referral", "Referral Source", "Referral NFA?",
                                "Number of Referrals in Last 12 Months", "Allocated Team", "Allocated Worker"]
    # The 2023 List 9 layout.
    assert header("List 9") == [
        "Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
        "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
        "Does the Child have a Disability", "Allocated Team", "Allocated Worker", "Allocated Personal Advisor",
        "Eligibility Category", "Latest Pathway Plan Review Date", "LA in Touch", "Latest Date of Contact",
        "Type of Accommodation", "Suitability of Accommodation", "Activity Status"]
    assert len(header("List 8")) == 34 and len(header("List 11")) == 19
    assert book["List 2"].max_row == 1 and book["List 11"].max_row == 1  # headers only


def test_contacts_window_codes_and_real_excel_dates(book):
    r = rows(book, "List 1")
    # 31/03/2023 and 01/04/2024 fall outside the 12 months ending 31/03/2024.
    assert [x["Date of Contact"] for x in r] == [D("2023-04-01"), D("2024-03-31")]
    assert [x["Contact Source"] for x in r] == ["q) 6: Police", "e) 2A: Schools"]
    assert (r[0]["Gender"], r[0]["Ethnicity"], r[0]["Date of Birth"], r[0]["Age of Child (Years)"]) == \
        ("b) Female", "a) WBRI", D("2015-06-15"), 8)
    cell = book["List 1"]["F2"]
    assert isinstance(cell.value, dt.datetime) and cell.number_format.lower() == "dd/mm/yyyy"


def test_referrals_with_referrals_in_the_last_12_months(book):
    r = rows(book, "List 3")
    # 01/06/2023: one earlier referral since 01/06/2022 (10/01/2023); 01/12/2023: two.
    assert [(x["Date of referral"], x["Number of Referrals in Last 12 Months"]) for x in r] == \
        [(D("2023-06-01"), 1), (D("2023-12-01"), 2)]
    assert [x["Referral Source"] for x in r] == ["q) 6: Police", "e) 2A: Schools"]
    assert {(x["Referral NFA?"], x["Allocated Team"], x["Allocated Worker"]) for x in r} == \
        {("b) No", "Front Door", "Ann Lee")}


def test_children_in_need_with_closure_and_case_status(book):
    r = rows(book, "List 6")
    # The referral closed on 01/02/2023 ended before the window.
    assert [(x["CIN Start Date"], x["CIN Closure Date"], x["Reason for Closure"], x["Case Status"],
             x["Primary Need Code"]) for x in r] == [
        (D("2023-06-01"), D("2023-11-01"), "RC8 - Case closed after assessment, no further action",
         "e) Closed episode", "N1 - Abuse or neglect"),
        (D("2023-12-01"), None, None, "c) Child in need plan", "N5 - Family dysfunction")]


def test_cp_plans_as_known_at_the_period_end(book):
    (r,) = rows(book, "List 7")  # the 2020 plan ended before the window
    assert r["Child Protection Plan Start Date"] == D("2023-05-01")
    assert r["Child Protection Plan End Date"] is None  # ends 01/06/2024, after the period
    assert (r["Initial Category of Abuse"], r["Latest Category of Abuse"]) == ("a) Neglect", "d) Emotional abuse")
    assert (r["Date of the Last Statutory Visit"], r["Was the Child Seen Alone?"]) == (D("2024-03-20"), "a) Yes")
    assert r["Date of latest review conference"] == D("2024-02-01")
    assert r["Number of Previous Child Protection Plans"] == 1
    # Emergency protection (L2) from 01/11/2023, within six months of the period end.
    assert r["Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)"] == "a) Yes"
    assert r["Does the Child have a Disability"] == "c) Unknown"


def test_children_looked_after_latest_episode_and_counts(book):
    r = {x["Child Unique ID"]: x for x in rows(book, "List 8")}
    c3 = r["C3"]
    assert c3["Date Started to be Looked After"] == D("2022-01-10")
    assert c3["Start date of current legal status"] == D("2023-08-01")     # V2 -> C2
    assert c3["Start Date of Most Recent Placement"] == D("2023-02-01")    # U4 -> U6; the L episode is no move
    assert (c3["Child's Legal Status"], c3["Placement Type"], c3["Placement Provider"]) == \
        ("C2: FCO", "f) U6: Foster placement - not FFA", "b) PR1: Own provision")
    # Placements in the 12 months to 31/03/2024: only the U6 placement (the U4 one ended 01/02/2023).
    assert c3["Number of Placements in the Last 12 months"] == 1
    assert c3["Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months"] == 1
    assert c3["Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months"] == 1
    assert (c3["Date of Latest Statutory Review"], c3["Date of Last Social Work Visit"],
            c3["Date of Last Health Assessment"], c3["Date of Last Dental Check"]) == \
        (D("2024-01-15"), D("2024-03-01"), D("2023-09-01"), D("2022-01-01"))
    assert (c3["Date Ceased to be Looked After"], c3["Gender"], c3["Does the Child have a Disability"]) == \
        (None, "c) Not stated/recorded", "a) Yes")
    c2 = r["C2"]
    assert (c2["Date Ceased to be Looked After"], c2["Reason Ceased to be Looked After"]) == \
        (D("2023-11-05"), "e) E4A: Returned home to live with parents or relatives - part of planning")
    assert c2["Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)"] == "a) Yes"


def test_care_leavers_latest_status_in_the_window(book):
    (r,) = rows(book, "List 9")
    assert (r["Child Unique ID"], r["LA in Touch"], r["Activity Status"], r["Type of Accommodation"],
            r["Suitability of Accommodation"], r["Eligibility Category"], r["Allocated Personal Advisor"],
            r["Allocated Team"], r["Age of Child (Years)"]) == \
        ("C4", "a) Yes", "F5: Full time in training or employment (not apprenticeship)", "U: Independent living",
         "a) Suitable", "b) Former relevant child", "Cy Pa", "Leaving Care", 19)


def test_adoption_list(book):
    assert [x["Child Unique ID"] for x in rows(book, "List 10")] == ["C5"]  # C6 adopted before the window


def test_six_month_window(dataset, tmp_path):
    path = write_annex_a(dataset, tmp_path / "six.xlsx", END, months=6)
    b = openpyxl.load_workbook(path)
    assert [x["Date of Contact"] for x in rows(b, "List 1")] == [D("2024-03-31")]
    assert [x["Date of referral"] for x in rows(b, "List 3")] == [D("2023-12-01")]


def test_one_authority_per_workbook(dataset, tmp_path):
    two = Dataset.concat([dataset, Dataset({"persons": pd.DataFrame({"authority": ["W02"], "child_id": ["X"]})})])
    with pytest.raises(ValueError, match="one authority"):
        write_annex_a(two, tmp_path / "x.xlsx", END)
