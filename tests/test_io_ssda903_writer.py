"""The SSDA903 writer: which records each year's return holds, and how they are written.

Expected files are worked out by hand from DfE's rules (the comments say how) and read back
with the csv module, not with the loader."""

import csv

import pandas as pd
import pytest

from csc_workbench.io.ssda903 import write_ssda903
from csc_workbench.io.ssda903.spec import COLUMNS
from csc_workbench.model.dataset import Dataset

T = pd.Timestamp


@pytest.fixture(scope="module")
def small():
    persons = pd.DataFrame({
        "child_id": ["K1", "K2", "K3"], "sex": ["F", "M", "M"],
        "dob": [T("2010-06-15"), T("2004-05-05"), T("2015-01-01")],
        "ethnicity": ["WBRI", "BCRB", "AOTH"], "uasc": [False, False, True]})
    episodes = pd.DataFrame({
        "child_id": ["K1", "K1", "K3"],
        "decom": [T("2022-01-10"), T("2022-06-01"), T("2024-01-01")],
        "rne": ["S", "P", "S"], "ls": ["C1", "C2", "V2"], "cin": ["N1", "N1", "N8"],
        "place": ["U6", "U4", "U4"], "place_provider": ["PR1", "PR4", "PR4"],
        "dec": [T("2022-06-01"), T("2023-05-20"), pd.NaT], "rec": ["X1", "E4A", None],
        "reason_place_change": ["CARPL", None, None],
        "home_post": ["ZZ1 1AA", "ZZ1 1AA", None], "pl_post": ["ZZ2 2BB", "ZZ3 3CC", "ZZ4 4DD"],
        "urn": ["SC1", "SC2", "SC3"]})
    reviews = pd.DataFrame({"child_id": ["K1", "K1"], "review_date": [T("2022-02-01"), T("2022-08-01")],
                            "participation": ["PN1", "PN3"]})
    missing = pd.DataFrame({"child_id": ["K1"], "kind": ["M"], "start_date": [T("2023-03-25")],
                            "end_date": [T("2023-04-03")]})
    outcomes = pd.DataFrame({"child_id": ["K1", "K3"], "year": [2023, 2025], "health_check": [True, True],
                             "teeth_check": [True, False], "immunisations": [True, True], "sdq_score": [14, None],
                             "convicted": [False, True], "substance_misuse": [False, False]})
    leavers = pd.DataFrame({"child_id": ["K2"], "status_date": [T("2023-05-05")], "age": [19], "in_touch": ["YES"],
                            "activity": ["F1"], "accommodation": ["D"], "suitable": [True]})
    tables = {"persons": persons, "cla_episodes": episodes, "cla_reviews": reviews, "missing": missing,
              "cla_outcomes": outcomes, "care_leavers": leavers}
    return Dataset({k: v.assign(authority="W1") for k, v in tables.items()})


@pytest.fixture(scope="module")
def written(small, tmp_path_factory):
    out = tmp_path_factory.mktemp("w")
    return out, write_ssda903(small, out, years=[2022, 2023, 2024, 2025])


def _read(out, year, table):
    with open(out / "W1" / str(year) / f"{table}.csv", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def test_one_folder_per_authority_and_year_with_dfe_columns(written):
    out, paths = written
    assert len(paths) == 4 * 10
    assert {p.relative_to(out).parts[:2] for p in paths} == {("W1", str(y)) for y in (2022, 2023, 2024, 2025)}
    for table in COLUMNS:
        if table in ("sw_episodes", "dolo"):
            continue
        header, _ = _read(out, 2023, table)
        assert header == COLUMNS[table]


def test_episodes_open_in_the_year_keep_their_start_and_later_ends_are_written_open(written):
    out, _ = written
    # 2021-22: K1's first episode (10/01/2022) ends 01/06/2022, after 31/03/2022: written open.
    assert _read(out, 2022, "episodes")[1] == [
        ["K1", "10/01/2022", "S", "C1", "N1", "U6", "PR1", "", "", "", "ZZ1 1AA", "ZZ2 2BB", "SC1"]]
    # 2022-23: both episodes; the second ends 20/05/2023, after 31/03/2023: written open.
    rows = _read(out, 2023, "episodes")[1]
    assert [r[:2] + r[7:10] for r in rows] == [["K1", "10/01/2022", "01/06/2022", "X1", "CARPL"],
                                               ["K1", "01/06/2022", "", "", ""]]
    # 2023-24: the episode open on 1 April 2023 keeps DECOM 01/06/2022 and now ends; K3
    # starts 01/01/2024 and is still open.
    rows = _read(out, 2024, "episodes")[1]
    assert [r[:2] + r[7:9] for r in rows] == [["K1", "01/06/2022", "20/05/2023", "E4A"],
                                              ["K3", "01/01/2024", "", ""]]


def test_header_holds_looked_after_children_and_care_leavers_with_the_years_sex_codes(written):
    out, _ = written
    _, rows = _read(out, 2024, "header")
    # K1 looked after (April-May 2023), K3 from January 2024; K2 only a care leaver (19th
    # birthday 05/05/2023), after the looked-after children.
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [("K1", "2", "15/06/2010", "WBRI"),
                                                        ("K3", "1", "01/01/2015", "AOTH"),
                                                        ("K2", "1", "05/05/2004", "BCRB")]
    # UPN: never a real-looking number; all of school age -> UN5. MOTHER 0 for a looked-after
    # girl, blank for boys and care leavers (DfE does not collect it).
    assert [(r[4], r[5]) for r in rows] == [("UN5", "0"), ("UN5", ""), ("UN5", "")]
    # From 2024-25 SEX is M/F/U.
    assert [r[:2] for r in _read(out, 2025, "header")[1]] == [["K3", "M"]]
    assert _read(out, 2025, "header")[1][0][4] == "UN5"


def test_upn_unknown_code_follows_school_age(tmp_path):
    from ssda903_realistic import realistic_dataset

    write_ssda903(realistic_dataset(), tmp_path, years=[2023, 2024])
    # C009 born 08/08/2022: under school age -> UN1 (rule 209: 4 by 31 August before the year).
    # C002 born 14/02/2018: 4 on 14/02/2022, before 31/08/2022 -> school age in 2023-24 (UN5),
    # but not yet by 31/08/2021, the reference date for 2022-23 (UN1).
    upn = {y: {r[0]: r[4] for r in list(csv.reader(open(tmp_path / "Z01" / str(y) / "header.csv")))[1:]}
           for y in (2023, 2024)}
    assert upn[2024]["C009"] == "UN1" and upn[2024]["C002"] == "UN5" and upn[2023]["C002"] == "UN1"


def test_oc3_is_the_status_at_the_birthday_in_the_year(written):
    out, _ = written
    assert _read(out, 2024, "oc3")[1] == [["K2", "05/05/2004", "YES", "F1", "D1"]]
    assert _read(out, 2023, "oc3")[1] == []


def test_reviews_and_missing_periods_fall_in_their_year(written):
    out, _ = written
    assert _read(out, 2022, "reviews")[1] == [["K1", "15/06/2010", "01/02/2022", "PN1"]]
    assert _read(out, 2023, "reviews")[1] == [["K1", "15/06/2010", "01/08/2022", "PN3"]]
    # Missing 25/03/2023 - 03/04/2023: open at 31 March 2023, repeated with its end next year.
    assert _read(out, 2023, "missing")[1] == [["K1", "15/06/2010", "M", "25/03/2023", ""]]
    assert _read(out, 2024, "missing")[1] == [["K1", "15/06/2010", "M", "25/03/2023", "03/04/2023"]]


def test_oc2_only_for_children_looked_after_12_months_with_items_by_age(written):
    out, _ = written
    # K1: looked after since 10/01/2022, so continuously 12 months at 31/03/2023; aged 12:
    # conviction collected, health promotion (under 5 only) not.
    assert _read(out, 2023, "oc2")[1] == [["K1", "15/06/2010", "14", "", "0", "", "1", "1", "0", "0", "", ""]]
    # K3: since 01/01/2024, so 12 months at 31/03/2025, aged 10; no SDQ score -> reason SDQ4.
    assert _read(out, 2025, "oc2")[1] == [["K3", "01/01/2015", "", "SDQ4", "1", "", "1", "0", "0", "0", "", ""]]
    # 2024: K1 left care in May 2023, so no OC2.
    assert _read(out, 2024, "oc2")[1] == []


def test_uasc_and_previous_permanence(written):
    out, _ = written
    # DUC: the 18th birthday.
    assert _read(out, 2024, "uasc")[1] == [["K3", "1", "01/01/2015", "01/01/2033"]]
    assert _read(out, 2025, "uasc")[1] == [["K3", "M", "01/01/2015", "01/01/2033"]]
    # Previous permanence for children starting a period of care in the year.
    assert _read(out, 2022, "previous_permanence")[1] == [["K1", "15/06/2010", "Z1", "", ""]]
    assert _read(out, 2024, "previous_permanence")[1] == [["K3", "01/01/2015", "Z1", "", ""]]


def test_adoption_tables_in_the_year_of_the_decision_and_of_the_order(tmp_path):
    from ssda903_realistic import realistic_dataset

    write_ssda903(realistic_dataset(), tmp_path, years=[2023, 2024])
    ad1 = list(csv.reader(open(tmp_path / "Z01" / "2024" / "ad1.csv")))[1:]
    # C002 adopted 20/06/2023 (A6: not with the foster carers), C009 15/02/2024 (A5: with them).
    assert ad1 == [["C002", "14/02/2018", "10/05/2022", "01/10/2022", "0", "2", "MF", "L11"],
                   ["C009", "08/08/2022", "01/05/2023", "15/06/2023", "1", "2", "MF", "L11"]]
    pfa = list(csv.reader(open(tmp_path / "Z01" / "2023" / "placed_for_adoption.csv")))[1:]
    # 2022-23: C002's decision (10/05/2022) is open; C009's (01/05/2023) is not yet made.
    assert pfa == [["C002", "14/02/2018", "10/05/2022", "", ""]]
    assert list(csv.reader(open(tmp_path / "Z01" / "2023" / "ad1.csv")))[1:] == []


def test_codes_dfe_retired_or_needs_filled_in(tmp_path):
    """Supported accommodation in each year's code (H5 up to 2023-24, K3 after); OC3 items
    not known are "0" once IN_TOUCH is given; a short break has no postcodes or URN."""
    persons = pd.DataFrame({"child_id": ["A", "B", "C", "D"], "sex": ["M", "F", "M", "F"],
                            "dob": [T("2008-02-01"), T("2005-06-10"), T("2004-09-01"), T("2012-03-03")],
                            "ethnicity": ["WBRI"] * 4, "uasc": [False] * 4})
    episodes = pd.DataFrame({
        "child_id": ["A", "A", "D"], "decom": [T("2022-09-01"), T("2024-03-31"), T("2025-05-01")],
        "rne": ["S", "T", "S"], "ls": ["C2", "C2", "V3"], "cin": ["N1", "N1", "N2"], "place": ["H5", "K3", "K2"],
        "place_provider": ["PR4", "PR4", "PR1"], "dec": [T("2024-03-31"), pd.NaT, T("2025-05-03")],
        "rec": ["X1", None, "E3"], "reason_place_change": ["CARPL", None, None],
        "home_post": ["ZZ1 1AA", "ZZ1 1AA", "ZZ5 5EE"], "pl_post": ["ZZ2 2BB", "ZZ2 2BB", "ZZ6 6FF"],
        "urn": [None, "SCZ00001", "SCZ00002"]})
    leavers = pd.DataFrame({
        "child_id": ["B", "B", "C"], "status_date": [T("2025-06-10"), T("2025-09-01"), T("2025-09-01")],
        "age": [20, 20, 21], "in_touch": ["NO", "YES", "RHOM"], "activity": [None, "F2", None],
        "accommodation": [None, "U", None], "suitable": [None, True, None]})
    ds = Dataset({k: v.assign(authority="W2") for k, v in
                  {"persons": persons, "cla_episodes": episodes, "care_leavers": leavers}.items()})
    write_ssda903(ds, tmp_path, years=[2023, 2024, 2025, 2026])

    def read(year, table):
        with open(tmp_path / "W2" / str(year) / f"{table}.csv", newline="") as f:
            return list(csv.DictReader(f))

    assert [(r["PLACE"], r["URN"]) for r in read(2023, "episodes")] == [("H5", "")]
    # the provider registered on 31 March 2024: a same-carer change, still H5 in 2023-24
    assert [(r["PLACE"], r["URN"], r["DEC"]) for r in read(2024, "episodes")] == [
        ("H5", "", "31/03/2024"), ("H5", "SCZ00001", "")]
    assert [(r["PLACE"], r["URN"]) for r in read(2025, "episodes")] == [("K3", "SCZ00001")]
    assert [(r["CHILD"], r["PLACE"], r["URN"], r["PL_POST"]) for r in read(2026, "episodes")] == [
        ("A", "K3", "SCZ00001", "ZZ2 2BB"), ("D", "K2", "", "")]
    assert [(r["CHILD"], r["IN_TOUCH"], r["ACTIV"], r["ACCOM"]) for r in read(2026, "oc3")] == [
        ("B", "NO", "0", "0"), ("C", "RHOM", "0", "0")]
