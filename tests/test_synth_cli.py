"""``cscw synth``: impossible arguments get one line and status 2; a run stores the
authorities and the planted-anomaly manifest in the warehouse."""

import pytest

from csc_workbench.cli import main
from csc_workbench.model.warehouse import load_dataset, read_table


@pytest.mark.parametrize("args,message", [
    (["-n", "0"], "at least 1"),
    (["--start", "2024-05", "--end", "2024-01"], "before start"),
    (["--profile", "county"], "unknown profile"),
    (["--start", "2024-13"], "YYYY-MM"),
    (["--start", "April"], "YYYY-MM"),
    (["--end", "24-01"], "YYYY-MM"),
])
def test_impossible_arguments_exit_2_with_one_line(args, message, capsys, tmp_path):
    code = main(["synth", *args, "--warehouse", str(tmp_path / "w.duckdb")])
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cscw: ") and message in lines[0]
    assert "Traceback" not in err
    assert not (tmp_path / "w.duckdb").exists()  # nothing generated or stored


def test_out_writes_the_statutory_files_of_each_complete_year(capsys, tmp_path):
    out = tmp_path / "out"
    code = main(["synth", "-n", "2", "--start", "2023-02", "--end", "2024-05", "--seed", "5", "--out", str(out),
                 "--warehouse", str(tmp_path / "w.duckdb")])
    assert code == 0, capsys.readouterr().err
    # February 2023 to May 2024 covers one whole collection year: April 2023 to March 2024.
    assert sorted(p.name for p in (out / "cin_census").iterdir()) == [
        "cin_census_Z001_2024.xml", "cin_census_Z002_2024.xml"]
    for authority in ("Z001", "Z002"):
        assert [p.name for p in (out / "ssda903" / authority).iterdir()] == ["2024"]
        tables = {p.name for p in (out / "ssda903" / authority / "2024").iterdir()}
        assert {"header.csv", "episodes.csv", "reviews.csv", "oc3.csv"} <= tables
    head = (out / "cin_census" / "cin_census_Z002_2024.xml").read_text()[:800]
    assert "<LEA>945</LEA>" in head and "<ReferenceDate>2024-03-31</ReferenceDate>" in head
    assert (out / "lea_codes.csv").read_text().splitlines() == [
        "authority,la_name,lea", "Z001,Brackenfold,944", "Z002,Wyvernshire,945"]
    assert "2 CIN census XML, 20 SSDA903 CSV tables" in " ".join(capsys.readouterr().out.split())


def test_a_run_stores_authorities_and_plants(tmp_path, capsys):
    wh = tmp_path / "w.duckdb"
    args = ["synth", "-n", "2", "--start", "2022-01", "--end", "2024-06", "--seed", "3", "--warehouse", str(wh)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Z001" in out and "Z002" in out and "Brackenfold" in out
    ds = load_dataset(wh)
    assert ds.authorities() == ["Z001", "Z002"]
    n_referrals = len(ds.referrals)
    plants = read_table("synth_plants", wh)
    assert set(plants["authority"]) == {"Z001", "Z002"} and len(plants) == 12
    # running again replaces those authorities rather than adding to them
    assert main(args) == 0
    assert len(load_dataset(wh, tables=["referrals"]).referrals) == n_referrals
    assert len(read_table("synth_plants", wh)) == 12
