"""``cscw reference`` and ``cscw benchmarks``: load once, print or write the table, one clear
line and exit status 2 for an unknown authority."""

import io
import shutil

import numpy as np
import pandas as pd
import pytest

from csc_workbench.cli import main
from csc_workbench.model.warehouse import write_table
from csc_workbench.reference import read_reference


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, dfe_dir):
    path = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    assert main(["reference", "--folder", str(dfe_dir), "--warehouse", str(path)]) == 0
    return path


def test_reference_load_writes_tables(warehouse, capsys):
    tables = read_reference(warehouse)
    assert len(tables["ref_authorities"]) == 153
    assert len(tables["ref_benchmarks"]) > 100_000
    assert set(tables["ref_stat_neighbours"]["model"]) == {"2025", "2021"}
    files = tables["ref_files"].set_index("key")
    assert files.loc["c1", "file"] == "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
    assert files.loc["c1", "rows_read"] == files.loc["c1", "loaded"] == 2132


def test_benchmarks_csv_first_published(warehouse, tmp_path, capsys):
    out = tmp_path / "sefton.csv"
    rc = main(["benchmarks", "--authority", "E08000014", "--year", "2024", "--release", "first",
               "--output", str(out), "--warehouse", str(warehouse)])
    assert rc == 0
    t = pd.read_csv(out, dtype={"release": str}).set_index("measure")
    assert t.loc["cpp_rate", "la_value"] == 51.5
    assert t.loc["cpp_rate", "release"] == "CIN 2024 release"
    assert t.loc["referral_rate", "england"] == 518.3


def test_benchmarks_to_screen_latest(warehouse, capsys):
    assert main(["benchmarks", "--authority", "sefton", "--year", "2024", "--warehouse", str(warehouse)]) == 0
    t = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index("measure")
    assert t.loc["cpp_rate", "la_value"] == 51.3  # revised population in the 2025 release


def test_benchmarks_xlsx(warehouse, tmp_path):
    out = tmp_path / "b.xlsx"
    assert main(["benchmarks", "--authority", "343", "--format", "xlsx", "--output", str(out),
                 "--warehouse", str(warehouse)]) == 0
    sheets = pd.read_excel(out, sheet_name=None, engine="openpyxl")
    assert set(sheets) == {"benchmarks", "about"}
    assert "Open Government Licence" in sheets["about"].iloc[0, 0]
    assert (sheets["benchmarks"]["measure"] == "cpp_repeat_pct").any()


def test_unknown_authority_one_line_exit_2(warehouse, capsys):
    assert main(["benchmarks", "--authority", "Sefon", "--warehouse", str(warehouse)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown authority 'Sefon'" in err[0] and "Sefton (343)" in err[0]
    assert main(["benchmarks", "--authority", "343", "--format", "pdf", "--warehouse", str(warehouse)]) == 2


def test_benchmarks_loads_reference_when_absent(tmp_path, dfe_dir, capsys):
    folder = tmp_path / "dfe"
    folder.mkdir()
    for name in ("d3_cpps_subsequent_plan_2013_to_2025.csv", "la_reference_2024_from_dfe_population_file.csv",
                 "sn_model_2025_wide.csv"):
        shutil.copy(dfe_dir / name, folder / name)
    wh = tmp_path / "fresh.duckdb"
    assert main(["benchmarks", "--authority", "343", "--year", "2025", "--folder", str(folder),
                 "--warehouse", str(wh)]) == 0
    t = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index("measure")
    assert t.loc["cpp_repeat_pct", "england"] == 24.5
    assert len(read_reference(wh)["ref_authorities"]) == 153


def test_benchmarks_for_a_synthetic_authority(tmp_path, capsys):
    """No DfE files needed: the warehouse's synthetic authorities and yearly measures."""
    wh = tmp_path / "synthetic.duckdb"
    write_table("authorities", pd.DataFrame({
        "authority": ["S01", "S02"], "la_name": ["Northby", "Southby"], "region_code": ["SR1", "SR1"],
        "region_name": ["Synthshire", "Synthshire"], "is_synthetic": [True, True]}), wh)
    write_table("measures", pd.DataFrame({
        "authority": ["S01", "S02"], "measure": "cpp_repeat_pct", "breakdown": "all",
        "breakdown_value": "all", "period_type": "year", "period_end": pd.Timestamp("2025-03-31"),
        "numerator": [10.0, 30.0], "denominator": [50.0, 50.0], "value": [20.0, 60.0], "status": "ok"}), wh)
    assert main(["benchmarks", "--authority", "Northby", "--warehouse", str(wh),
                 "--folder", str(tmp_path / "no-dfe-files-here")]) == 0
    t = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index("measure")
    r = t.loc["cpp_repeat_pct"]
    # pooled: (10 + 30) / (50 + 50) = 40%
    assert (r["la_value"], r["region"], r["england"], r["release"]) == (20.0, 40.0, 40.0, "synthetic")
    assert r["sn_average"] == 60.0 and r["rank"] == 1  # low is good: 20 beats 60


def test_synthetic_benchmarks_pool_complete_years_and_month_end_stocks_only(tmp_path):
    """The 'year' period type also holds the year to date at every month end: pooling those
    as if they were years multiplied England's counts and broke its rates. Only 31 March
    counts; a stock measure's figure for the year is its 31 March snapshot."""
    from csc_workbench.reference.report import benchmarks_for

    wh = tmp_path / "synthetic.duckdb"
    write_table("authorities", pd.DataFrame({
        "authority": ["S01", "S02"], "la_name": ["Northby", "Southby"], "region_code": ["SR1", "SR1"],
        "region_name": ["Synthshire", "Synthshire"], "is_synthetic": [True, True]}), wh)
    ends = [pd.Timestamp("2024-09-30"), pd.Timestamp("2025-03-31")]
    rows = pd.DataFrame({
        "authority": ["S01", "S01", "S02", "S02", "S01", "S02"],
        "measure": ["referrals"] * 4 + ["cla"] * 2, "breakdown": "all", "breakdown_value": "all",
        "period_type": ["year"] * 4 + ["snapshot"] * 2,
        "period_end": ends + ends + [ends[1], ends[1]],
        "numerator": [50.0, 100.0, 150.0, 300.0, 40.0, 60.0], "denominator": np.nan,
        "value": [50.0, 100.0, 150.0, 300.0, 40.0, 60.0], "status": "ok"})
    write_table("measures", rows, wh)
    t = benchmarks_for("S01", year=2025, warehouse=wh).set_index("measure")
    # 100 + 300 at 31 March 2025; the half-year figures (50, 150) are not a year.
    assert t.loc["referrals", "england"] == 400.0 and t.loc["referrals", "la_value"] == 100.0
    assert t.loc["cla", "england"] == 100.0 and t.loc["cla", "sn_average"] == 60.0
