"""Hand-built datasets for the deep-dive tests, with the answers worked out by hand in the
test modules (tests/test_analysis_*.py, tests/test_presentation_deep_dives.py)."""

from __future__ import annotations

import pandas as pd

from csc_workbench.model.dataset import Dataset

AUTH = "T1"


def _frame(rows, columns):
    return pd.DataFrame(rows, columns=columns).assign(authority=AUTH)


def repeat_plans_dataset() -> Dataset:
    """Children and their child protection plans around June 2024 (data from April 2023).

    A, B  siblings (family F1): plans 10 Jan 2022 - 15 Feb 2023, again from 3 Jun 2024
    C     family F2: 1 Mar 2021 - 31 May 2022, again from 3 Jun 2024 (2 years and 3 days)
    H     4 Jan 2021 - 3 Jun 2022, again from 3 Jun 2024 (exactly 2 years: within)
    D     one plan from 10 Jun 2024 with 1 previous plan recorded (count only)
    E     one plan from 12 Jun 2024, no previous plan, no team recorded
    G     a plan from 8 Jan 2024 still open when a second starts on 20 Jun 2024
    J     1 Feb 2024 - 15 Apr 2024, again from 20 May 2024
    """
    persons = _frame([
        ("A", "2015-03-14", "F1"), ("B", "2017-08-22", "F1"), ("C", "2012-10-09", "F2"), ("H", "2010-02-17", None),
        ("D", "2019-05-23", None), ("E", "2020-11-12", None), ("G", "2016-07-19", None), ("J", "2011-09-27", None),
    ], ["child_id", "dob", "family_id"])
    plans = _frame([
        # cpp_id, child, start, end, initial, latest, previous_plans, team, worker
        ("P1", "A", "2022-01-10", "2023-02-15", "NEG", "EMO", 0, "T_A", "W1"),
        ("P2", "A", "2024-06-03", None, "PHY", None, 1, "T_A", "W1"),
        ("P3", "B", "2022-01-10", "2023-02-15", "NEG", "NEG", 0, "T_A", "W1"),
        ("P4", "B", "2024-06-03", None, "PHY", None, 1, "T_A", "W2"),
        ("P5", "C", "2021-03-01", "2022-05-31", "EMO", None, 0, "T_B", "W3"),
        ("P6", "C", "2024-06-03", None, "EMO", None, 1, "T_B", "W3"),
        ("P7", "H", "2021-01-04", "2022-06-03", "SAB", "SAB", 0, "T_B", "W3"),
        ("P8", "H", "2024-06-03", None, "NEG", None, 1, "T_B", "W3"),
        ("P9", "D", "2024-06-10", None, "NEG", None, 1, "T_A", "W2"),
        ("P10", "E", "2024-06-12", None, "EMO", None, 0, None, None),
        ("P11", "G", "2024-01-08", None, "NEG", None, 0, "T_A", "W1"),
        ("P12", "G", "2024-06-20", None, "NEG", None, 0, "T_A", "W1"),
        ("P13", "J", "2024-02-01", "2024-04-15", "NEG", "NEG", 0, "T_B", "W3"),
        ("P14", "J", "2024-05-20", None, "NEG", None, 1, "T_B", "W3"),
    ], ["cpp_id", "child_id", "start_date", "end_date", "initial_category", "latest_category", "previous_plans",
        "team_id", "worker_id"])
    authorities = _frame([("Testshire", "R1", "Test region", True, "2023-04-01", "2024-06-30")],
                         ["la_name", "region_code", "region_name", "is_synthetic", "data_from", "data_to"])
    teams = _frame([("T_A", "Safeguarding A"), ("T_B", "Safeguarding B")], ["team_id", "team_name"])
    workers = _frame([("W1", "Alex Tester"), ("W2", "Sam Sample"), ("W3", "Jo Example")], ["worker_id", "worker_name"])
    return Dataset({"persons": persons, "cp_plans": plans, "authorities": authorities, "teams": teams,
                    "workers": workers})


def assessments_dataset() -> Dataset:
    """Assessments around May 2024, with the Early May (6 May) and Spring (27 May) bank
    holidays and Easter (29 March, 1 April) in the way (data from March 2024)."""
    a = _frame([
        # id, child, referral, start, authorised, team, worker
        ("a1", "K1", "R1", "2024-05-03", "2024-05-07", "TA", "W1"),
        ("a2", "K2", "R2", "2024-05-01", "2024-05-01", "TA", "W1"),
        ("a3", "K3", None, "2024-03-01", "2024-05-03", "TA", "W2"),
        ("a4", "K4", None, "2024-03-01", "2024-05-08", "TB", "W2"),
        ("a5", "K5", None, "2024-03-01", "2024-05-09", "TB", "W3"),
        ("a6", "K6", None, "2024-05-10", "2024-05-09", "TB", "W3"),
        ("a7", "K7", None, "2024-04-02", "2024-04-26", "TA", "W1"),
        ("o1", "K8", None, "2024-03-20", None, "TA", "W1"),
        ("o2", "K9", None, "2024-04-12", None, "TB", "W3"),
        ("o3", "K10", None, "2024-04-05", None, "TB", "W3"),
        ("o4", "K11", "R11", "2024-05-31", "2024-05-31", "TA", "W2"),
        ("o5", "K12", None, "2024-04-01", "2024-05-31", "TB", "W2"),
        ("o6", "K13", "R13", "2024-05-01", "2024-06-03", "TA", "W1"),
    ], ["assessment_id", "child_id", "referral_id", "start_date", "authorised_date", "team_id", "worker_id"])
    refs = _frame([
        ("R1", "K1", "2024-05-02"), ("R2", "K2", "2024-05-01"), ("R3", "K3", "2024-02-28"),
        ("R11", "K11", "2024-06-03"), ("R13", "K13", "2024-04-30"),
    ], ["referral_id", "child_id", "referral_date"])
    persons = _frame([(f"K{i}", "2014-06-11") for i in range(1, 14)], ["child_id", "dob"])
    authorities = _frame([("Testshire", "R1", "Test region", True, "2024-03-01", "2024-06-30")],
                         ["la_name", "region_code", "region_name", "is_synthetic", "data_from", "data_to"])
    teams = _frame([("TA", "Assessment A"), ("TB", "Assessment B")], ["team_id", "team_name"])
    workers = _frame([("W1", "Alex Tester"), ("W2", "Sam Sample"), ("W3", "Jo Example")], ["worker_id", "worker_name"])
    return Dataset({"assessments": a, "referrals": refs, "persons": persons, "authorities": authorities,
                    "teams": teams, "workers": workers})
