"""Broken SSDA903 inputs (tests/fixtures/bad_inputs/ssda903): each gives a clear account entry
or an InputError naming file, table, row and column; nothing changes on error."""

from pathlib import Path

import pandas as pd
import pytest

from csc_workbench.errors import InputError, WorkbenchError
from csc_workbench.io.ssda903 import read, sniff
from csc_workbench.quality import LoadAccount

BAD = Path(__file__).parent / "fixtures" / "bad_inputs" / "ssda903"


def _load(name):
    account = LoadAccount("B")
    return read([BAD / name], "B", account), account


def _error(name) -> tuple[InputError, LoadAccount]:
    account = LoadAccount("B")
    account.read("earlier.csv", "header", 7)  # a load already in the account must survive
    with pytest.raises(InputError) as err:
        read([BAD / name], "B", account)
    return err.value, account


def _untouched(account):
    s = account.summary()
    return len(s) == 1 and s.iloc[0]["file"] == "earlier.csv" and account.issues().empty


def test_mixed_date_formats_are_read_and_counted_as_fixes():
    ds, account = _load("mixed_date_formats.csv")
    e = ds.cla_episodes.set_index(["child_id", "decom"])
    # Line 3 writes DECOM 2023-06-10 (ISO) among dd/mm/yyyy dates; line 2 writes DEC that way.
    assert e.loc[("A1", pd.Timestamp("2023-05-01")), "dec"] == pd.Timestamp("2023-06-10")
    assert ("A1", pd.Timestamp("2023-06-10")) in e.index
    fixed = account.issues().query("rule == 'mixed_date_formats'")
    assert sorted(zip(fixed["row"], fixed["column"])) == [("2", "DEC"), ("3", "DECOM")]
    assert (fixed["action"] == "fixed").all()
    # Line 6: DECOM 31/02/2024 does not exist: the row is rejected, naming row and column.
    bad = account.issues().query("rule == 'invalid_date'")
    assert bad[["row", "column", "action"]].values.tolist() == [["6", "DECOM", "rejected"]]
    s = account.summary().iloc[0]
    assert (s.rows_read, s.loaded, s.rejected, s.fixed) == (5, 4, 1, 2)


def test_required_column_missing_names_file_table_and_column():
    err, account = _error("missing_required_column.csv")
    assert (Path(err.file).name, err.sheet, err.row, err.column) == (
        "missing_required_column.csv", "episodes", 1, "DECOM")
    assert "required column missing" in str(err) and "missing_required_column.csv" in str(err)
    assert _untouched(account)


def test_duplicate_child_ids_in_header_keep_the_first_and_reject_the_rest():
    ds, account = _load("duplicate_child_ids_header.csv")
    p = ds.persons.set_index("child_id")
    assert sorted(p.index) == ["B1", "B2", "B3"]
    assert p.loc["B1", "sex"] == "M"  # line 2 (SEX 1) kept, line 4 (SEX 2) rejected
    issues = account.issues().set_index("row")
    assert issues.loc["4", "rule"] == "duplicate_child_id" and issues.loc["4", "column"] == "CHILD"
    assert issues.loc["6", "rule"] == "duplicate_row"       # B3 repeated exactly
    assert issues.loc["1", "rule"] == "extra_column" and issues.loc["1", "column"] == "NOTES"
    assert issues.loc["1", "action"] == "warning"           # an extra column is not fatal
    assert account.unbalanced().empty


def test_date_column_full_of_text_is_an_input_error():
    err, account = _error("date_column_text.csv")
    assert (Path(err.file).name, err.sheet, err.row, err.column) == ("date_column_text.csv", "reviews", "2", "REVIEW")
    assert "'see notes'" in str(err)
    assert _untouched(account)


def test_utf16_file_is_read_with_a_warning():
    ds, account = _load("utf16_header.csv")
    assert ds.persons["child_id"].tolist() == ["D1", "D2"]
    assert ds.persons["dob"].tolist() == [pd.Timestamp("2015-02-01"), pd.Timestamp("2016-04-03")]
    assert account.issues()["rule"].tolist() == ["encoding_utf16"]


def test_zero_byte_csv_is_accounted_as_empty():
    ds, account = _load("empty.csv")
    assert all(len(ds[t]) == 0 for t in ds)
    issue = account.issues().iloc[0]
    assert (issue["rule"], issue["action"]) == ("empty_file", "warning")
    assert account.summary().iloc[0]["rows_read"] == 0
    assert not sniff(BAD / "empty.csv")


def test_truncated_xml_is_an_input_error_with_its_line():
    err, account = _error("truncated.xml")
    assert Path(err.file).name == "truncated.xml" and err.row == 3 and err.sheet == "EXPSSDA903"
    assert "not well formed" in str(err)
    assert _untouched(account)


def test_xml_of_another_schema_and_a_csv_of_another_kind_are_refused():
    err, _ = _error("other_schema.xml")
    assert "<Message>" in str(err) and "EXPSSDA903" in str(err)
    err, _ = _error("not_ssda903.csv")
    assert "not an SSDA903 table" in str(err) and err.row == 1
    assert not sniff(BAD / "other_schema.xml") and not sniff(BAD / "not_ssda903.csv")


def test_errors_are_workbench_errors_so_the_cli_prints_one_line():
    err, _ = _error("truncated.xml")
    assert isinstance(err, WorkbenchError) and "\n" not in str(err)


def test_a_bad_file_among_good_ones_loads_nothing(samples_dir):
    good = samples_dir / "ssda903" / "d2i_fake_data" / "header.csv"
    account = LoadAccount("B")
    with pytest.raises(InputError):
        read([good, BAD / "missing_required_column.csv"], "B", account)
    assert account.summary().empty and account.issues().empty


def test_semicolon_separated_file_from_a_spreadsheet_is_read_with_a_warning():
    ds, account = _load("semicolons.csv")
    assert ds.persons[["child_id", "sex"]].values.tolist() == [["S1", "M"], ["S2", "F"]]
    assert ds.persons["dob"].tolist()[1] == pd.Timestamp("2016-04-03")  # 3/4/2016: day first
    assert account.issues()["rule"].tolist() == ["delimiter"]
