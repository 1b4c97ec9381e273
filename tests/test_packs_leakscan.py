"""Leak scan (packs.leakscan): planted identifiers are found, clean files give no hit."""

import datetime as dt

import nbformat
import openpyxl
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from openpyxl.comments import Comment

from csc_workbench.packs.leakscan import identifiers_from_warehouse, scan_outputs
from packs_helpers import child_ids, make_warehouse


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return make_warehouse(tmp_path_factory.mktemp("wh") / "wh.duckdb")


def test_identifiers_cover_ids_dates_and_names_of_the_authorities(warehouse):
    ids = identifiers_from_warehouse(warehouse, ["E1"])
    assert set(child_ids("E1")) <= ids
    assert not set(child_ids("E2")) & ids  # only the authorities asked for
    assert {"2015-03-14", "14/03/2015", "14/3/2015", "14 March 2015", "14 Mar 2015"} <= ids
    assert "Alex Example" in ids and "Sam Placeholder" not in ids
    assert len(identifiers_from_warehouse(warehouse)) > len(ids)


IDS = {"E1C0001", "12345", "Alex Example", "O'Brien Smith", "2015-03-14", "2019-07-09"}


def _values(hits):
    return sorted({h.value for h in hits})


def test_planted_leaks_in_html_are_found(tmp_path):
    page = tmp_path / "pack.html"
    page.write_text(
        "<table><tr><td>e1c0001</td></tr></table>"              # case differs
        "<p>Allocated to Alex\n   Example.</p>"                 # name split over lines
        "<p>Worker O&#x27;Brien Smith</p>"                       # entity-escaped apostrophe
        '<script>var d = [{"dob": "2015-03-14T00:00:00"}]</script>'  # a date inside chart data
        "<p>Born 9 July 2019; child 12345.</p>")
    hits = scan_outputs([page], IDS)
    assert _values(hits) == ["12345", "2015-03-14", "2019-07-09", "Alex Example", "E1C0001", "O'Brien Smith"]
    assert all(h.path == page for h in hits)


def test_planted_leaks_in_xlsx_are_found(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Scorecard"
    ws["A1"], ws["B2"], ws["C3"] = "Measure", 12345, dt.datetime(2015, 3, 14)
    ws["D4"] = "ok"
    ws["D4"].comment = Comment("checked with Alex Example", "analyst")
    wb.create_sheet("E1C0001")
    path = tmp_path / "scorecard.xlsx"
    wb.save(path)
    hits = scan_outputs([path], IDS)
    assert _values(hits) == ["12345", "2015-03-14", "Alex Example", "E1C0001"]
    where = {h.value: h.where for h in hits}
    assert where["12345"] == "sheet 'Scorecard' B2" and where["2015-03-14"] == "sheet 'Scorecard' C3"


def test_planted_leaks_in_notebooks_are_found_in_outputs(tmp_path):
    cell = new_code_cell("show()", outputs=[
        new_output("display_data", data={"text/html": "<td>E1C0001</td>", "text/plain": "x"}),
        new_output("stream", name="stdout", text="dob 14/03/2015\n")])
    path = tmp_path / "run.ipynb"
    nbformat.write(new_notebook(cells=[cell]), path)
    hits = scan_outputs([tmp_path], IDS)  # a folder is scanned recursively
    assert _values(hits) == ["2015-03-14", "E1C0001"]
    assert {h.where for h in hits} == {"cell 0"}


def test_clean_files_give_no_hit(tmp_path):
    (tmp_path / "pack.html").write_text(
        "<p>412345 referrals; rate 12345.6; 3,12345 contacts; E1C00012 and XE1C0001 are other codes.</p>"
        "<p>Samuel Leeds and Alexander Examples are not the workers. Sam.</p>"
        "<p>Period 1 March 2015 to 31 March 2015; month end 2019-07-31; 2015-03-140 is not a date.</p>"
        '<script>var t = 1426291200000; var s = "20150314";</script>')
    wb = openpyxl.Workbook()
    wb.active.append(["Referrals", 412, 12345.5, dt.datetime(2015, 3, 31)])
    wb.save(tmp_path / "scorecard.xlsx")
    nbformat.write(new_notebook(cells=[new_code_cell("x", outputs=[
        new_output("stream", name="stdout", text="123456 and 0.12345\n")])]), tmp_path / "run.ipynb")
    assert scan_outputs([tmp_path], IDS) == []


def test_short_numeric_ids_match_whole_tokens_only(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<p>41234 1234 12.123 123.5 A123 3,123 t<=.123?</p>")
    assert scan_outputs([page], {"123"}) == []
    # Punctuation other than a decimal point or thousands comma separates tokens, so an
    # ID joined to another code by a hyphen is still reported (safer to read a false alarm).
    page.write_text("<p>child (123) seen; ref 123-456</p>")
    hits = scan_outputs([page], {"123"})
    assert [h.value for h in hits] == ["123", "123"]


def test_identifiers_with_separators(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<p>ID A01-000123, postcode ls1  4ap</p>")
    assert _values(scan_outputs([page], {"A01-000123", "LS1 4AP", "000124"})) == ["A01-000123", "LS1 4AP"]


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        scan_outputs([tmp_path / "nope"], IDS)
