"""The measures table in the warehouse: stored, read back by authority-month, recomputed only
when the data changes; and the ``cscw measures`` command."""

import csv
import io
import json

import openpyxl
import pandas as pd
import pytest

from csc_workbench.cli import main
from csc_workbench.errors import ConfigError
from csc_workbench.measures.catalogue import TIDY_COLUMNS, WAREHOUSE_COLUMNS
from csc_workbench.measures.store import ensure_measures, read_measures
from csc_workbench.model.warehouse import connect, save_dataset

from measures_support import dataset


def _data(extra_referral=False):
    refs = [{"referral_id": "r1", "child_id": "a", "referral_date": "2023-04-12"},
            {"referral_id": "r2", "child_id": "a", "referral_date": "2024-01-15"},
            {"referral_id": "r3", "child_id": "b", "referral_date": "2024-01-20"}]
    if extra_referral:
        refs.append({"referral_id": "r4", "child_id": "c", "referral_date": "2024-01-22"})
    return dataset(
        referrals=refs,
        assessments=[{"assessment_id": "a1", "child_id": "a", "referral_id": "r2", "start_date": "2024-01-16",
                      "authorised_date": "2024-01-16", "team_id": "T1"}],
        cp_plans=[{"cpp_id": "p1", "child_id": "b", "start_date": "2024-01-25", "initial_category": "NEG"}],
        population=[{"year": 2023, "population_0_17": 20_000}],
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """Shared by the read-only tests (computing every measure takes a moment)."""
    path = tmp_path_factory.mktemp("wh") / "w.duckdb"
    save_dataset(_data(), path)
    return path


@pytest.fixture()
def fresh_warehouse(tmp_path):
    path = tmp_path / "w.duckdb"
    save_dataset(_data(), path)
    return path


def _value(frame, measure, period_type, breakdown="all"):
    r = frame[(frame["measure"] == measure) & (frame["period_type"] == period_type)
              & (frame["breakdown"] == breakdown)]
    assert len(r) == 1
    return r.iloc[0]


def test_stored_once_then_read_by_authority_month(fresh_warehouse):
    warehouse = fresh_warehouse
    assert ensure_measures("T01", warehouse) is True
    assert ensure_measures("T01", warehouse) is False  # nothing changed: the cache holds
    jan = read_measures("T01", warehouse, month="2024-01")
    assert list(jan.columns) == WAREHOUSE_COLUMNS
    assert set(jan["period_end"]) == {pd.Timestamp("2024-01-31")}
    # January: r2, r3 = 2 referrals; r2 is a re-referral (r1 in April 2023, within 12 months).
    assert _value(jan, "referrals", "month")["numerator"] == 2
    assert _value(jan, "rereferral_pct", "month")["value"] == 50.0
    assert _value(jan, "cpp", "snapshot")["numerator"] == 1
    snap = read_measures("T01", warehouse, month="2024-01", period_type="snapshot")
    assert set(snap["period_type"]) == {"snapshot"}
    # Not-available rows are stored with their reason.
    contacts = jan[jan["measure"] == "contacts"]
    assert (contacts["status"] == "not_available").all() and contacts["note"].str.contains("contacts.").all()


def test_recomputed_when_the_data_changes(fresh_warehouse):
    warehouse = fresh_warehouse
    ensure_measures("T01", warehouse)
    save_dataset(_data(extra_referral=True), warehouse)
    assert ensure_measures("T01", warehouse) is True
    jan = read_measures("T01", warehouse, month="2024-01")
    assert _value(jan, "referrals", "month")["numerator"] == 3
    with connect(warehouse, read_only=True) as con:
        n_cache = con.execute("SELECT count(*) FROM measures_cache WHERE authority = 'T01'").fetchone()[0]
        n_rows = con.execute("SELECT count(*) FROM measures WHERE authority = 'T01'").fetchone()[0]
    assert n_cache == 1
    assert n_rows == len(read_measures("T01", warehouse))  # replaced, not appended


def test_unknown_authority(warehouse):
    with pytest.raises(ConfigError, match="unknown authority 'ZZZ'.*T01"):
        ensure_measures("ZZZ", warehouse)


def test_cli_prints_exactly_the_tidy_columns(warehouse, capsys):
    assert main(["measures", "--authority", "T01", "--month", "2024-01", "--warehouse", str(warehouse)]) == 0
    text = capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == TIDY_COLUMNS
    body = pd.read_csv(io.StringIO(text))
    assert set(body["period_end"]) == {"2024-01-31"}
    assert set(body["period_type"]) == {"month", "rolling_6m", "quarter", "ytd", "year", "snapshot"}
    r = body[(body["measure"] == "referrals") & (body["period_type"] == "month") & (body["breakdown"] == "all")]
    assert r["numerator"].tolist() == [2]


def test_cli_period_and_json(warehouse, capsys):
    assert main(["measures", "--authority", "T01", "--month", "2024-01", "--period", "snapshot",
                 "--format", "json", "--warehouse", str(warehouse)]) == 0
    records = json.loads(capsys.readouterr().out)
    assert records and all(list(r) == TIDY_COLUMNS for r in records)
    assert {r["period_type"] for r in records} == {"snapshot"}


def test_cli_writes_the_xlsx_scorecard(warehouse, tmp_path, capsys):
    out = tmp_path / "card.xlsx"
    assert main(["measures", "--authority", "T01", "--month", "2024-01", "--format", "xlsx", "--output", str(out),
                 "--warehouse", str(warehouse)]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Scorecard", "Breakdowns", "Definitions", "Tidy"]
    ws = wb["Scorecard"]
    assert "T01" in ws["A1"].value and "January 2024" in ws["A1"].value
    header = [c.value for c in ws[4]]
    assert header[:4] == ["Measure", "Unit", "Good is", "Month"]
    found = {}
    for r in ws.iter_rows(min_row=5):
        if r[-1].value == "rereferral_pct":
            found = {"month": r[3].value, "format": r[3].number_format}
    # 50% stored as a fraction with a percentage format.
    assert found == {"month": 0.5, "format": "0.0%"}
    tidy_sheet = wb["Tidy"]
    assert [c.value for c in tidy_sheet[1]] == TIDY_COLUMNS


@pytest.mark.parametrize("args,message", [
    (["--authority", "ZZZ", "--month", "2024-01"], "unknown authority 'ZZZ'"),
    (["--authority", "T01", "--month", "2019-01"], "no data for T01 in 2019-01"),
    (["--authority", "T01", "--month", "January"], "YYYY-MM"),
    (["--authority", "T01", "--month", "2024-01", "--period", "weekly"], "--period must be one of"),
    (["--authority", "T01", "--month", "2024-01", "--format", "xlsx"], "needs --output"),
])
def test_cli_errors_are_one_line_exit_2(warehouse, capsys, args, message):
    assert main(["measures", *args, "--warehouse", str(warehouse)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
