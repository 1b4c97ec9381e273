"""Broken CIN census inputs (tests/fixtures/bad_inputs/cin/): each either loads with a clear
account entry or raises one InputError naming file, element, line and column, and a load
that raises leaves the caller's account untouched."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from csc_workbench.errors import InputError
from csc_workbench.io import cin_census
from csc_workbench.quality import LoadAccount

BAD = Path(__file__).parent / "fixtures" / "bad_inputs" / "cin"
GOOD = BAD / "utf16.xml"


def raises(name: str) -> InputError:
    acc = LoadAccount("901")
    with pytest.raises(InputError) as info:
        cin_census.read([BAD / name], "901", acc)
    assert acc.summary().empty and acc.issues().empty  # nothing recorded
    err = info.value
    assert err.file == str(BAD / name) and name in str(err)
    assert "\n" not in str(err)  # one line for the CLI
    return err


def loads(name: str):
    acc = LoadAccount("901")
    ds = cin_census.read([BAD / name], "901", acc)
    acc.check_balanced()
    return ds, acc, acc.issues()


def test_empty_file():
    err = raises("empty.xml")
    assert "empty" in err.message


def test_truncated_xml_names_the_child_and_line():
    err = raises("truncated.xml")
    assert "not well-formed" in err.message and "truncated" in err.message
    assert err.sheet.startswith("Message/Children/Child[2]")
    assert err.row == 29  # the end of the file, inside <PersonBirthDate> of the second child
    assert err.column is not None


def test_xml_of_another_schema():
    err = raises("other_schema.xml")
    assert "not a CIN census" in err.message and "<EXPSSDA903>" in err.message
    assert err.sheet == "EXPSSDA903" and err.row == 2


def test_message_of_another_collection():
    err = raises("other_message.xml")
    assert "SCHOOL CENSUS SPR" in err.message and err.column == "Collection"


def test_not_xml_at_all():
    err = raises("not_xml.xml")
    assert "not well-formed" in err.message and err.row == 1


def test_no_children():
    err = raises("no_children.xml")
    assert "no <Child>" in err.message and err.sheet == "Message/Children"


def test_missing_file():
    acc = LoadAccount("901")
    with pytest.raises(InputError, match="does not exist"):
        cin_census.read([BAD / "nope.xml"], "901", acc)


def test_a_failing_file_in_a_batch_changes_nothing():
    acc = LoadAccount("901")
    acc.read("earlier.xml", "persons", 3)  # what the caller had before
    acc.loaded("earlier.xml", "persons", 3)
    before = acc.summary().copy()
    with pytest.raises(InputError):
        cin_census.read([GOOD, BAD / "truncated.xml"], "901", acc)
    pd.testing.assert_frame_equal(acc.summary(), before)
    assert acc.issues().empty


def test_date_column_full_of_text():
    ds, acc, iss = loads("date_text.xml")
    by = iss.set_index(["table", "column", "rule"])["action"]
    assert by[("referrals", "CINreferralDate", "bad_date")] == "rejected"
    assert by[("referrals", "CINreferralDate", "date_format")] == "fixed"  # 01/07/2024 is read
    assert by[("referrals", "CINclosureDate", "bad_date")] == "warning"
    assert by[("assessments", "AssessmentActualStartDate", "bad_date")] == "rejected"
    assert by[("assessments", "AssessmentAuthorisationDate", "bad_date")] == "warning"
    assert by[("persons", "PersonBirthDate", "bad_date")] == "warning"
    assert ds.referrals["referral_date"].tolist() == [pd.Timestamp("2024-07-01")]
    # The assessment of the rejected episode is kept, without its referral.
    assert ds.assessments["referral_id"].isna().all() and len(ds.assessments) == 1
    rows = iss[(iss["rule"] == "bad_date") & (iss["action"] == "rejected")]["row"].tolist()
    assert rows == ["Child[1]/CINdetails[1], line 20", "Child[1]/CINdetails[2]/Assessments[1], line 34"]


def test_duplicate_child_ids_are_merged_and_counted():
    ds, acc, iss = loads("duplicate_child_ids.xml")
    assert sorted(ds.persons["child_id"]) == ["D1", "D2"]
    # D1's later <Child> wins for the child's details; both its episodes are kept, once each.
    assert ds.persons.set_index("child_id").loc["D1", "ethnicity"] == "WIRI"
    assert sorted(ds.referrals.loc[ds.referrals["child_id"] == "D1", "referral_date"].dt.strftime("%Y-%m-%d")) == [
        "2024-05-01", "2025-01-20"]
    dup = iss[iss["rule"] == "duplicate_in_file"]
    assert dup[["table", "row", "action"]].values.tolist() == [
        ["persons", "Child[1], line 13", "fixed"], ["referrals", "Child[1]/CINdetails[1], line 20", "fixed"]]
    s = acc.summary().set_index("table")
    assert (s.loc["persons", "rows_read"], s.loc["persons", "loaded"], s.loc["persons", "fixed"]) == (3, 3, 1)


def test_utf16_file_loads_like_its_utf8_twin(tmp_path):
    twin = tmp_path / "utf8.xml"
    twin.write_text(GOOD.read_text(encoding="utf-16").replace('encoding="UTF-16"', 'encoding="utf-8"'),
                    encoding="utf-8")
    assert cin_census.sniff(GOOD)
    a, _, iss = loads("utf16.xml")
    b = cin_census.read([twin], "901", LoadAccount("901"))
    assert iss.empty
    for table in ("persons", "referrals", "assessments"):
        pd.testing.assert_frame_equal(a[table], b[table])
    assert a.assessments["factors"].tolist() == ["3A,4B"] and len(a.persons) == 2


def test_required_elements_missing():
    ds, acc, iss = loads("missing_required.xml")
    got = iss[["table", "column", "rule", "action"]].values.tolist()
    assert ["persons", "LAchildID", "missing_child_id", "rejected"] in got
    assert ["referrals", "LAchildID", "missing_child_id", "rejected"] in got  # the nameless child's episode
    assert ["assessments", "LAchildID", "missing_child_id", "rejected"] in got
    assert ["referrals", "CINreferralDate", "required_missing", "rejected"] in got
    assert ["s47", "S47ActualStartDate", "required_missing", "rejected"] in got
    assert ["referrals", "ReferralNFA", "required_missing", "warning"] in got
    # The conference of the rejected S47 is still a conference of M2's.
    assert ds.icpcs[["child_id", "icpc_date"]].values.tolist() == [["M2", pd.Timestamp("2024-06-28")]]
    s = acc.summary().set_index("table")
    assert (s.loc["referrals", "rows_read"], s.loc["referrals", "loaded"], s.loc["referrals", "rejected"]) == (3, 1, 2)
