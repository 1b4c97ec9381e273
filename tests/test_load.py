"""Loading files into the warehouse: detect, read, merge history, check, store in one
transaction; the account in dq_account / dq_issues; cscw load and cscw quality."""

from pathlib import Path

import pandas as pd
import pytest

from csc_workbench.cli import main
from csc_workbench.errors import ConfigError
from csc_workbench.io import load as load_mod
from csc_workbench.io.annex_a import write_annex_a
from csc_workbench.io.load import load_files, quality_report
from csc_workbench.model.dataset import Dataset
from csc_workbench.model.warehouse import load_dataset, read_table
from csc_workbench.quality import ACCOUNT_COLUMNS, ISSUE_COLUMNS

AUTH = "L01"


def month(plan_end: str | None, extra_referral: bool) -> Dataset:
    refs = [("1", "2024-01-05", "6"), ("2", "2024-01-20", "2A")] + ([("3", "2024-02-10", "1A")] if extra_referral else [])
    return Dataset({
        "persons": pd.DataFrame({"authority": AUTH, "child_id": ["1", "2", "3"], "sex": ["F", "M", "F"],
                                 "dob": pd.to_datetime(["2015-01-01", "2016-01-01", "2025-03-01"])}),
        "referrals": pd.DataFrame({"authority": AUTH, "referral_id": [r[0] for r in refs],
                                   "child_id": [r[0] for r in refs], "referral_date": pd.to_datetime([r[1] for r in refs]),
                                   "referral_source": [r[2] for r in refs]}),
        "cp_plans": pd.DataFrame({"authority": AUTH, "cpp_id": ["p"], "child_id": ["1"],
                                  "start_date": pd.to_datetime(["2024-01-15"]),
                                  "end_date": pd.to_datetime([plan_end])}),
    })


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("months")
    return {"jan": write_annex_a(month(None, False), folder / "annex_a_jan.xlsx", pd.Timestamp("2024-01-31")),
            "feb": write_annex_a(month("2024-02-20", True), folder / "annex_a_feb.xlsx", pd.Timestamp("2024-02-29"))}


def test_load_stores_history_account_and_versions(files, tmp_path):
    w = tmp_path / "w.duckdb"
    load_files([files["feb"]], "OTHER", w)  # another authority's data must stay untouched
    account = load_files([files["jan"]], AUTH, w)
    account.check_balanced()
    ds = load_dataset(w, AUTH)
    assert len(ds.referrals) == 2 and pd.isna(ds.cp_plans.iloc[0]["end_date"])
    acc = read_table("dq_account", w, "authority = ?", [AUTH])
    assert list(acc.columns) == ["load_id", "loaded_at"] + ACCOUNT_COLUMNS
    assert set(acc["load_id"]) == {account.load_id}
    lists = acc[acc["file"] == "annex_a_jan.xlsx"].set_index("table")
    assert lists.loc["List 3", "rows_read"] == 2 and lists.loc["List 3", "loaded"] == 2
    issues = read_table("dq_issues", w, "load_id = ?", [account.load_id])
    assert list(issues.columns) == ["load_id", "loaded_at"] + ISSUE_COLUMNS
    versions = read_table("history_versions", w, "authority = ?", [AUTH])
    assert (versions["extract_date"] == pd.Timestamp("2024-01-31")).all()
    assert {"referrals", "cp_plans", "persons"} <= set(versions["table_name"])
    # Child 3 (born 01/03/2025) has no referral in January: no finding yet.
    assert "dob_after_event" not in set(issues["rule"])

    account2 = load_files([files["feb"]], AUTH, w)
    ds = load_dataset(w, AUTH)
    assert len(ds.referrals) == 3  # one record per referral across both months
    assert ds.cp_plans.iloc[0]["end_date"] == pd.Timestamp("2024-02-20")
    assert read_table("dq_account", w)["load_id"].nunique() == 3
    assert len(load_dataset(w, "OTHER").referrals) == 3
    # February's referral of child 3 (10/02/2024) is over 280 days before the birth: a warning,
    # recorded against the merged history, and the row stays loaded.
    warned = read_table("dq_issues", w, "load_id = ?", [account2.load_id])
    dob = warned[warned["rule"] == "dob_after_event"]
    assert dob["row"].tolist() == ["child 3, born 01/03/2025, referral 10/02/2024"]
    assert dob["action"].tolist() == ["warning"] and dob["file"].tolist() == ["(history)"]


def test_an_older_month_loaded_after_a_newer_one_does_not_undo_it(files, tmp_path):
    w = tmp_path / "w.duckdb"
    load_files([files["feb"]], AUTH, w)
    load_files([files["jan"]], AUTH, w)  # January's workbook says the plan is still open
    ds = load_dataset(w, AUTH)
    assert ds.cp_plans.iloc[0]["end_date"] == pd.Timestamp("2024-02-20")
    assert len(ds.referrals) == 3


def test_both_months_in_one_load_are_ordered_by_extract_date(files, tmp_path):
    w = tmp_path / "w.duckdb"
    account = load_files([files["feb"], files["jan"]], AUTH, w)
    account.check_balanced()
    ds = load_dataset(w, AUTH)
    assert ds.cp_plans.iloc[0]["end_date"] == pd.Timestamp("2024-02-20") and len(ds.referrals) == 3


def test_an_error_while_storing_leaves_the_warehouse_as_it_was(files, tmp_path, monkeypatch):
    w = tmp_path / "w.duckdb"
    load_files([files["jan"]], AUTH, w)
    before = {t: read_table(t, w) for t in ("referrals", "cp_plans", "dq_account", "dq_issues", "history_versions")}

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(load_mod, "run_checks", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        load_files([files["feb"]], AUTH, w)
    for table, frame in before.items():
        pd.testing.assert_frame_equal(read_table(table, w), frame, obj=table)


def test_arguments_are_checked():
    with pytest.raises(ConfigError, match="authority"):
        load_files([Path("x.xlsx")], " ")
    with pytest.raises(ConfigError, match="at least one file"):
        load_files([], AUTH)


def test_cli_load_and_quality(files, tmp_path, capsys):
    w = tmp_path / "w.duckdb"
    assert main(["load", "--authority", AUTH, str(files["feb"]), "--warehouse", str(w)]) == 0
    out = capsys.readouterr().out
    assert "List 3" in out and "rows read" in out and "cscw quality --authority L01" in out
    assert main(["quality", "--authority", AUTH, "--warehouse", str(w)]) == 0
    out = capsys.readouterr().out
    assert "Data-quality account" in out and "List 8" in out
    account, counts = quality_report(AUTH, w)
    assert set(account["table"]) >= {"List 1", "List 3", "List 11"}
    assert main(["quality", "--authority", "NOPE", "--warehouse", str(w)]) == 2
    assert "no loads recorded for authority NOPE" in capsys.readouterr().err
    assert main(["quality", "--authority", AUTH, "--warehouse", str(tmp_path / "none.duckdb")]) == 2


def test_undated_workbooks_are_ordered_by_their_data(files, tmp_path):
    import zipfile

    # Copies without the period-end property or a date in the name: the latest event date
    # in each (January: 20/01/2024; February: 20/02/2024) orders them.
    undated = {}
    for key, src in files.items():
        dst = tmp_path / f"export_{key}.xlsx"
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
            for item in zin.namelist():
                data = zin.read(item)
                if item == "docProps/custom.xml":
                    data = data.replace(b"CSCW period end", b"Something else")
                zout.writestr(item, data)
        undated[key] = dst
    w = tmp_path / "w.duckdb"
    load_files([undated["feb"]], AUTH, w)
    load_files([undated["jan"]], AUTH, w)
    assert load_dataset(w, AUTH).cp_plans.iloc[0]["end_date"] == pd.Timestamp("2024-02-20")
    versions = read_table("history_versions", w)
    assert versions["extract_date"].max() == pd.Timestamp("2024-02-20")
