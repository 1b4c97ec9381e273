"""The bad-input corpus (tests/fixtures/bad_inputs, top level: Annex A and file detection).

Each file gives one clear line naming the file and, where it applies, the sheet, row and
column; ``cscw load`` exits with status 2 and no traceback; and a warehouse that already
holds an authority's data is left exactly as it was (a load is all or nothing).
"""

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from csc_workbench.cli import main
from csc_workbench.io.annex_a import write_annex_a
from csc_workbench.model.dataset import Dataset

CORPUS = Path(__file__).resolve().parent / "fixtures" / "bad_inputs"
AUTH = "B01"

# file -> fragments the one-line message must contain
EXPECTED = {
    "empty.xlsx": ["empty.xlsx", "empty (0 bytes)"],
    "screenshot.png": ["screenshot.png", "not an Annex A workbook, CIN census XML or SSDA903 file", "PNG image"],
    "letter_renamed.xlsx": ["letter_renamed.xlsx", "Word document"],
    "annex_a_list_4_missing.xlsx": ["annex_a_list_4_missing.xlsx", "sheet/table 'List 4'", "missing"],
    "annex_a_no_referral_date_column.xlsx": ["sheet/table 'List 3', row 1, column 'Date of referral'", "not found"],
    "annex_a_contact_dates_are_text.xlsx": ["sheet/table 'List 1', row 2, column 'Date of Contact'", "no dates",
                                            "'yesterday'"],
    "annex_a_duplicate_child_ids.xlsx": ["sheet/table 'List 8', row 2, column 'Child Unique ID'", "rows 2, 3",
                                         "same record"],
    "annex_a_empty_list_7.xlsx": ["annex_a_empty_list_7.xlsx", "sheet/table 'List 7'", "empty"],
    "annex_a_unicode_text.xlsx": ["annex_a_unicode_text.xlsx", "UTF-16"],
    "contacts_mixed_dates.csv": ["contacts_mixed_dates.csv", "not an Annex A workbook, CIN census XML or SSDA903 file"],
}


def test_corpus_is_complete():
    on_disk = {p.name for p in CORPUS.iterdir() if p.is_file() and p.suffix != ".py"}
    assert set(EXPECTED) <= on_disk


def _snapshot(path: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
        return {n: con.execute(f'SELECT * FROM "{n}"').df() for n in names}
    finally:
        con.close()


@pytest.fixture(scope="module")
def loaded_warehouse(tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("wh")
    good = Dataset({
        "persons": pd.DataFrame({"authority": AUTH, "child_id": ["1", "2"], "sex": ["F", "M"]}),
        "referrals": pd.DataFrame({"authority": AUTH, "referral_id": ["r1", "r2"], "child_id": ["1", "2"],
                                   "referral_date": pd.to_datetime(["2024-01-05", "2024-02-05"]),
                                   "referral_source": ["6", "2A"]}),
    })
    workbook = write_annex_a(good, folder / "good_2024-03.xlsx", pd.Timestamp("2024-03-31"))
    warehouse = folder / "w.duckdb"
    assert main(["load", "--authority", AUTH, str(workbook), "--warehouse", str(warehouse)]) == 0
    snap = _snapshot(warehouse)
    assert len(snap["referrals"]) == 2 and len(snap["dq_account"]) > 0
    return warehouse, snap


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_one_clear_line_exit_2_warehouse_unchanged(name, loaded_warehouse, capsys):
    warehouse, before = loaded_warehouse
    code = main(["load", "--authority", AUTH, str(CORPUS / name), "--warehouse", str(warehouse)])
    out, err = capsys.readouterr()
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cscw: "), err
    assert "Traceback" not in out + err
    for fragment in EXPECTED[name]:
        assert fragment in lines[0], (fragment, lines[0])
    after = _snapshot(warehouse)
    assert after.keys() == before.keys()
    for table in before:
        pd.testing.assert_frame_equal(after[table], before[table], obj=table)


def test_a_bad_file_among_good_ones_loads_nothing(loaded_warehouse, tmp_path, capsys):
    warehouse, before = loaded_warehouse
    more = Dataset({"referrals": pd.DataFrame({"authority": AUTH, "referral_id": ["r3"], "child_id": ["3"],
                                               "referral_date": pd.to_datetime(["2024-03-05"])})})
    good = write_annex_a(more, tmp_path / "more_2024-03.xlsx", pd.Timestamp("2024-03-31"))
    code = main(["load", "--authority", AUTH, str(good), str(CORPUS / "annex_a_duplicate_child_ids.xlsx"),
                 "--warehouse", str(warehouse)])
    assert code == 2 and "annex_a_duplicate_child_ids.xlsx" in capsys.readouterr().err
    after = _snapshot(warehouse)
    for table in before:
        pd.testing.assert_frame_equal(after[table], before[table], obj=table)
