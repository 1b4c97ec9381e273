"""Measures entered by hand: definitions, CSV validation, conversion to tidy rows."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assessment_helpers import mdef
from csc_workbench.assessment.manual import (MANUAL_KIND, load_manual, load_manual_definitions,
                                             parse_period, parse_periods, read_manual_csv,
                                             register_manual_measures)
from csc_workbench.config import REPO_ROOT
from csc_workbench.errors import ConfigError
from csc_workbench.measures.catalogue import TIDY_COLUMNS

DEFS_PATH = REPO_ROOT / "params" / "manual_measures.yaml"
HEADER = "authority,measure,period,value,numerator,denominator,commentary\n"


@pytest.fixture
def catalogue():
    cat = {"a45": mdef("a45")}  # a computed measure
    register_manual_measures(cat, DEFS_PATH)
    return cat


def write(tmp_path: Path, text: str, name="E1.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# ---- definitions --------------------------------------------------------------------------

def test_shipped_manual_definitions():
    defs = {d.id: d for d in load_manual_definitions(DEFS_PATH)}
    # The seeds' hand-entered measures are all there (SF24 6, SF17, CE16, RO15 7.10-7.11, 12.x).
    for mid in ("agency_sw_pct", "audits_good_pct", "supervision_timely_pct",
                "complaints_stage1_pct", "pep_pct", "pep_uptodate_pct",
                "cla_review_participation_4_11_pct", "cla_review_participation_12_17_pct"):
        assert mid in defs, mid
    agency = defs["agency_sw_pct"]
    assert (agency.unit, agency.polarity, agency.area, agency.kind) == ("pct", "low", "workforce", "manual")
    assert agency.periods == ("month", "quarter", "year")
    assert agency.needs == ()
    assert defs["pep_pct"].area == "looked_after"
    assert all(d.kind == MANUAL_KIND and d.definition and d.tells_us for d in defs.values())


def test_registration_is_idempotent_and_refuses_clashes():
    cat = {}
    first = register_manual_measures(cat, DEFS_PATH)
    assert register_manual_measures(cat, DEFS_PATH) == first
    assert len(cat) == len(first)
    clash = {"agency_sw_pct": mdef("agency_sw_pct")}
    with pytest.raises(ConfigError, match="agency_sw_pct: id already used by a flow measure"):
        register_manual_measures(clash, DEFS_PATH)


@pytest.mark.parametrize("text,message", [
    ("measures:\n  x: {title: X, unit: pct, polarity: high, area: workforce, definition: d}\n",
     "measures.x.tells_us: is required"),
    ("measures:\n  x: {title: X, unit: percent, polarity: high, area: workforce, definition: d, "
     "tells_us: t}\n", "measures.x.unit: must be one of"),
    ("measures:\n  x: {title: X, unit: pct, polarity: high, area: voice, definition: d, "
     "tells_us: t}\n", "measures.x.area: must be one of"),
    ("measures:\n  x: {title: X, unit: pct, polarity: high, area: workforce, definition: d, "
     "tells_us: t, periods: [rolling_12m]}\n", "measures.x.periods"),
    ("measures:\n  x: {title: X, unit: pct, polarity: high, area: workforce, definition: d, "
     "tells_us: t, owner: me}\n", "measures.x.owner: unknown setting"),
])
def test_bad_definitions(tmp_path, text, message):
    path = tmp_path / "manual_measures.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message.replace(".", r"\.").replace("[", r"\[")):
        load_manual_definitions(path)


# ---- periods ------------------------------------------------------------------------------

@pytest.mark.parametrize("text,ptype,end", [
    ("2024-09", "month", "2024-09-30"),
    ("2024-02", "month", "2024-02-29"),
    ("2017-Q1", "quarter", "2017-06-30"),   # April-June 2017
    ("2017-Q2", "quarter", "2017-09-30"),   # SF17 "Q2": July-September 2017
    ("2017-Q3", "quarter", "2017-12-31"),
    ("2017-Q4", "quarter", "2018-03-31"),   # January-March 2018
    ("2015-16", "year", "2016-03-31"),
    ("2015/16", "year", "2016-03-31"),
    ("1999/00", "year", "2000-03-31"),
    ("2011-12", "month", "2011-12-31"),     # reads as a month; the year is 2011/12
    ("2011/12", "year", "2012-03-31"),
])
def test_parse_period(text, ptype, end):
    assert parse_period(text) == (ptype, pd.Timestamp(end))
    t, e, problem = parse_periods(pd.Series([text]))
    assert (t.iloc[0], e.iloc[0], problem.iloc[0]) == (ptype, pd.Timestamp(end), None)


@pytest.mark.parametrize("text", ["2024-13", "2024-Q5", "2015-17", "Sep-24", "2024", ""])
def test_bad_periods(text):
    with pytest.raises(ValueError):
        parse_period(text)
    _, _, problem = parse_periods(pd.Series([text]))
    assert problem.iloc[0] is not None


# ---- the CSV ------------------------------------------------------------------------------

def test_csv_to_tidy_rows(tmp_path, catalogue):
    path = write(tmp_path, HEADER +
                 "E1,agency_sw_pct,2024-09,28,,,Down from 30% in January\n"
                 "E1,supervision_timely_pct,2017-Q2,,45,100,\n"
                 "E1,audits_good_pct,2017-Q2,66.7,2,3,\"Audit of 3 cases, 2 good\"\n"
                 "E1,pdp_pct,2015-16,69,,,\n"
                 "E1,compliments,2015-16,,61,,\n"
                 "E1,iro_caseload_avg,2017-09,,750,10,\n"
                 "E1,pep_pct,2024-10,,,,System problem: not reported this month\n")
    data = read_manual_csv(path, catalogue, authority="E1")
    tidy = data.tidy
    assert list(tidy.columns) == TIDY_COLUMNS
    assert tidy["period_type"].tolist() == ["month", "quarter", "quarter", "year", "year", "month",
                                            "month"]
    assert tidy["period_end"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-09-30", "2017-09-30", "2017-09-30", "2016-03-31", "2016-03-31", "2017-09-30",
        "2024-10-31"]
    # 45 of 100 -> 45%; 2/3 entered as 66.7 kept as entered; 61 compliments; 750 / 10 = 75.
    assert tidy["value"].tolist()[:6] == [28.0, 45.0, 66.7, 69.0, 61.0, 75.0]
    assert np.isnan(tidy["value"].iloc[6])
    assert tidy["status"].tolist() == ["ok"] * 6 + ["not_available"]
    assert (tidy["breakdown"] == "all").all() and (tidy["breakdown_value"] == "all").all()
    assert tidy["numerator"].iloc[1] == 45 and tidy["denominator"].iloc[1] == 100
    # Commentary is kept apart, one row per measure and period that has some.
    com = data.commentary
    assert com["measure"].tolist() == ["agency_sw_pct", "audits_good_pct", "pep_pct"]
    assert com["commentary"].iloc[1] == "Audit of 3 cases, 2 good"
    assert com["period_end"].iloc[0] == pd.Timestamp("2024-09-30")


def test_load_manual_missing_file_is_empty(tmp_path, catalogue):
    data = load_manual("E9", catalogue, tmp_path)
    assert data.tidy.empty and list(data.tidy.columns) == TIDY_COLUMNS
    assert data.commentary.empty


def test_load_manual_reads_authority_file(tmp_path, catalogue):
    write(tmp_path, HEADER + "E1,agency_sw_pct,2024-09,28,,,\n", name="E1.csv")
    assert load_manual("E1", catalogue, tmp_path).tidy["value"].tolist() == [28.0]


@pytest.mark.parametrize("rows,row,column,problem", [
    ("E1,agency_sw_pct,2024-09,28,,,\nE1,nope_pct,2024-09,28,,,\n", 3, "measure",
     "unknown measure id 'nope_pct'"),
    ("E1,a45,2024-09,28,,,\n", 2, "measure", "computed from the case data"),
    ("E1,agency_sw_pct,Sep-24,28,,,\n", 2, "period", "must be YYYY-MM"),
    ("E1,agency_sw_pct,2015-17,28,,,\n", 2, "period", "second year must follow"),
    ("E1,agency_sw_pct,2024-09,101,,,\n", 2, "value", "outside 0-100"),
    ("E1,agency_sw_pct,2024-09,,6,5,\n", 2, "numerator", "greater than the denominator"),
    ("E1,agency_sw_pct,2024-09,,6,0,\n", 2, "denominator", "is zero"),
    ("E1,agency_sw_pct,2024-09,,6,,\n", 2, "denominator", "is needed with a numerator"),
    ("E1,agency_sw_pct,2024-09,,,6,\n", 2, "numerator", "is needed with a denominator"),
    ("E1,agency_sw_pct,2024-09,abc,,,\n", 2, "value", "'abc' is not a number"),
    ("E1,agency_sw_pct,2024-09,-3,,,\n", 2, "value", "is negative"),
    ("E1,agency_sw_pct,2024-09,,,,\n", 2, "value", "needs a value"),
    ("E1,agency_sw_pct,2024-09,50,2,3,\n", 2, "value", "does not match"),
    ("E1,compliments,2024-09,2.5,,,\n", 2, "value", "whole number"),
    ("E1,agency_sw_pct,2024-09,28,,,\nE1,agency_sw_pct,2024-09,29,,,\n", 3, "period",
     "entered twice"),
    ("E2,agency_sw_pct,2024-09,28,,,\n", 2, "authority", "'E2' in the file for authority 'E1'"),
    (",agency_sw_pct,2024-09,28,,,\n", 2, "authority", "is empty"),
])
def test_bad_rows_name_file_row_and_column(tmp_path, catalogue, rows, row, column, problem):
    path = write(tmp_path, HEADER + rows)
    with pytest.raises(ConfigError) as err:
        read_manual_csv(path, catalogue, authority="E1")
    message = str(err.value)
    assert message.startswith(f"E1.csv, row {row}, column {column!r}: "), message
    assert problem in message, message


def test_period_the_measure_is_not_entered_by(tmp_path):
    cat = {}
    register_manual_measures(cat, DEFS_PATH)
    cat["agency_sw_pct"] = mdef("agency_sw_pct", periods=("month",), kind="manual")
    path = write(tmp_path, HEADER + "E1,agency_sw_pct,2017-Q2,28,,,\n")
    with pytest.raises(ConfigError, match=r"row 2, column 'period': agency_sw_pct is not entered "
                                          r"by quarter"):
        read_manual_csv(path, cat)


def test_bad_columns(tmp_path, catalogue):
    path = write(tmp_path, "authority,measure,month,value\nE1,agency_sw_pct,2024-09,28\n")
    with pytest.raises(ConfigError, match=r"E1.csv, row 1, column 'month': unknown column"):
        read_manual_csv(path, catalogue)
    path = write(tmp_path, "authority,measure,value\nE1,agency_sw_pct,28\n")
    with pytest.raises(ConfigError, match=r"row 1, column 'period': required column missing"):
        read_manual_csv(path, catalogue)


def test_value_with_percent_sign_and_spaces(tmp_path, catalogue):
    path = write(tmp_path, HEADER + "E1, agency_sw_pct , 2024-09 , 28% ,,,\n")
    tidy = read_manual_csv(path, catalogue).tidy
    assert tidy["value"].tolist() == [28.0]
    assert tidy["measure"].tolist() == ["agency_sw_pct"]


def test_shipped_example_file_validates(catalogue):
    data = load_manual("example", catalogue, REPO_ROOT / "params" / "manual")
    assert len(data.tidy) == 10
    # 20 of 25 complaints resolved at stage 1 = 80% (CE16 Q4).
    row = data.tidy[data.tidy["measure"] == "complaints_stage1_pct"].iloc[0]
    assert (row["period_type"], row["value"]) == ("year", 80.0)
    assert row["period_end"] == pd.Timestamp("2016-03-31")
