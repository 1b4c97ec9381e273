"""tools/validate_903.py: Data to Insight's 903 validator on the writer's output.

The runner's own logic is tested always. Running the validator needs its own virtual
environment (.venv-validators, pandas 1.x), which ``make test`` creates before the tests
(``python tools/validators_venv.py`` by hand); the tests that run it are skipped only when a
bare ``pytest`` runs without it."""

import csv
import importlib.util
import shutil
from pathlib import Path

import pytest

from csc_workbench.io.ssda903 import write_ssda903

REPO = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("validate_903", REPO / "tools" / "validate_903.py")
validate_903 = importlib.util.module_from_spec(spec)
spec.loader.exec_module(validate_903)

needs_venv = pytest.mark.skipif(not (validate_903.VENV / "bin" / "python").exists(),
                                reason="run `make test` or `python tools/validators_venv.py` once to create .venv-validators")


def test_allowlist_gives_a_reason_for_every_rule():
    allow = validate_903.load_allowlist()
    assert allow and all(len(reason) > 40 for reason in allow.values())
    assert "392c" in allow  # fictional postcodes
    assert "101" not in allow and "503A" not in allow  # rules synthetic data must pass


def test_unexplained_errors_fail_and_allowed_or_warning_findings_do_not(capsys):
    result = {"ruleset": "lac2024_25", "failed_to_run": [], "findings": [
        {"code": "392c", "message": "Postcode(s) provided are invalid.", "count": 4, "example": None},
        {"code": "EPI", "message": "WARNING: Episodes need to be loaded", "count": 2, "example": None},
        {"code": "101", "message": "The child's sex is not valid.", "count": 3,
         "example": {"table": "Header", "row": 0, "child": "C1"}},
    ]}
    rows = validate_903.classify(result, {"392c": "fictional postcodes"})
    assert [(r["code"], r["type"], bool(r["allowed"])) for r in rows] == [
        ("392c", "error", True), ("EPI", "warning", False), ("101", "error", False)]
    assert validate_903.report(rows, result) == 3
    out = capsys.readouterr().out
    assert "UNEXPLAINED" in out and "Header row 0 child C1" in out and "fictional postcodes" in out
    assert validate_903.report(rows[:2], result) == 0


def test_year_from_folder_name():
    assert validate_903.guess_year(Path("out/Z01/2024")) == 2024
    assert validate_903.guess_year(Path("somewhere/else")) is None


@pytest.fixture(scope="module")
def realistic_returns(tmp_path_factory):
    from ssda903_realistic import realistic_dataset

    out = tmp_path_factory.mktemp("v")
    write_ssda903(realistic_dataset(), out, years=[2024, 2025])
    return out / "Z01"


@needs_venv
@pytest.mark.slow
def test_writer_output_for_the_realistic_authority_has_no_unexplained_errors(realistic_returns):
    result = validate_903.run_validator(realistic_returns / "2025", 2025, realistic_returns / "2024")
    rows = validate_903.classify(result, validate_903.load_allowlist())
    unexplained = [r["code"] for r in rows if r["type"] == "error" and not r["allowed"]]
    assert result["ruleset"] == "lac2024_25"
    assert unexplained == []


@needs_venv
@pytest.mark.slow
def test_the_validator_run_catches_a_broken_return(realistic_returns, tmp_path):
    broken = tmp_path / "2025"
    shutil.copytree(realistic_returns / "2025", broken)
    rows = list(csv.reader(open(broken / "header.csv")))
    rows[1][1] = "X"        # an invalid sex code (rule 101)
    rows[2][3] = "NOPE"     # an invalid ethnicity (rule 103)
    csv.writer(open(broken / "header.csv", "w", newline="")).writerows(rows)
    result = validate_903.run_validator(broken, 2025)
    rows = validate_903.classify(result, validate_903.load_allowlist())
    unexplained = {r["code"] for r in rows if r["type"] == "error" and not r["allowed"]}
    assert {"101", "103"} <= unexplained
