"""Hand-made canonical data for the CIN census tests (and the validator check).

``realistic_dataset()`` is a small fictional authority (code 901) whose children's
journeys follow DfE's rules (conference on a weekday and the plan starting that day, no
CIN plan while a CP plan is open, NFA referrals closed the day they are made, ...), across
collection years 2024-2026. It is what ``tools/validate_cin.py`` was run on to show the
writer's output passes Data to Insight's validator.
"""

from __future__ import annotations

import pandas as pd

from csc_workbench.model.dataset import Dataset

AUTHORITY = "901"
T = pd.Timestamp
NA = None


def _frame(columns: str, rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns.split())
    df.insert(0, "authority", AUTHORITY)
    return df


def realistic_dataset() -> Dataset:
    persons = _frame("child_id sex ethnicity dob expected_dob disabled", [
        ("C001", "F", "WBRI", T("2012-06-14"), NA, False),
        ("C002", "M", "AIND", T("2016-02-03"), NA, NA),
        ("C003", "F", "WBRI", T("2024-05-20"), T("2024-05-28"), NA),  # referred before birth
        ("C004", "M", "BCRB", T("2009-09-09"), NA, True),
        ("C005", "F", "MWBC", T("2014-01-27"), NA, False),
        ("C006", "M", "WBRI", T("2018-03-14"), NA, False),
        ("C007", "F", "APKN", T("2008-12-01"), NA, NA),
        ("C008", "M", "WBRI", T("2021-07-07"), NA, False),
        ("C009", "F", "WBRI", T("2011-04-04"), NA, False),
        ("C010", "M", "OOTH", T("2015-05-05"), NA, NA),
        ("C011", "F", "WBRI", T("2017-10-10"), NA, True),
    ])
    referrals = _frame(
        "referral_id child_id referral_date referral_source nfa primary_need closure_date closure_reason", [
            ("R1", "C001", T("2023-05-10"), "2A", False, "N1", T("2025-03-14"), "RC7"),
            ("R2", "C002", T("2023-07-03"), "1A", True, NA, T("2023-07-03"), "RC7"),
            ("R3", "C002", T("2024-11-18"), "6", False, "N4", T("2025-01-10"), "RC8"),
            ("R4", "C003", T("2024-02-12"), "3B", False, "N1", T("2024-10-30"), "RC7"),
            ("R5", "C004", T("2024-06-03"), "1A", False, "N2", NA, NA),
            ("R6", "C005", T("2024-09-02"), "6", False, "N1", T("2024-10-08"), "RC7"),
            ("R7", "C006", T("2023-04-20"), "1C", True, NA, T("2023-04-20"), "RC7"),
            ("R8", "C006", T("2025-01-06"), "5D", False, "N5", NA, NA),
            ("R9", "C007", T("2025-04-07"), "2B", False, "N4", T("2025-05-21"), "RC9"),
            ("R10", "C008", T("2025-08-11"), "3E", False, "N1", NA, NA),
            ("R11", "C009", T("2023-10-02"), "6", False, "N1", T("2024-04-25"), "RC7"),
            ("R12", "C010", T("2026-01-12"), "8", False, "N6", NA, NA),
            ("R13", "C011", T("2024-12-02"), "5C", False, "N1", NA, NA),
        ])
    assessments = _frame("assessment_id child_id referral_id start_date authorised_date factors", [
        ("A1", "C001", "R1", T("2023-05-11"), T("2023-06-20"), "3A,4B"),
        ("A2", "C002", "R3", T("2024-11-19"), T("2025-01-10"), "21"),
        ("A3", "C003", "R4", T("2024-02-13"), T("2024-03-20"), "1B,3B"),
        ("A4", "C004", "R5", T("2024-06-04"), T("2024-07-15"), "6A"),
        ("A5", "C005", "R6", T("2024-09-03"), T("2024-10-08"), "17A"),
        ("A6", "C006", "R8", T("2025-01-07"), T("2025-02-17"), "2B"),
        ("A7", "C007", "R9", T("2025-04-08"), T("2025-05-20"), "4A,15A"),
        ("A8", "C008", "R10", T("2025-08-12"), T("2025-09-22"), "3A"),
        ("A9", "C009", "R11", T("2023-10-03"), T("2023-11-14"), "19C"),
        ("A10", "C010", "R12", T("2026-01-13"), T("2026-02-24"), "14A"),
        ("A11", "C011", "R13", T("2024-12-03"), T("2025-01-20"), "16A"),
    ])
    s47 = _frame("s47_id child_id referral_id start_date icpc_target_date icpc_not_required", [
        ("S1", "C001", "R1", T("2023-05-12"), T("2023-06-02"), False),
        ("S2", "C005", "R6", T("2024-09-03"), T("2024-09-24"), True),
        ("S3", "C006", "R8", T("2025-01-08"), T("2025-01-29"), False),
        ("S4", "C009", "R11", T("2023-10-03"), T("2023-10-24"), False),
    ])
    icpcs = _frame("icpc_id child_id referral_id s47_id icpc_date cp_plan", [
        ("I1", "C001", "R1", "S1", T("2023-06-01"), True),
        ("I2", "C006", "R8", "S3", T("2025-01-28"), True),
        ("I3", "C009", "R11", "S4", T("2023-10-23"), True),
        ("I4", "C011", "R13", NA, T("2024-12-19"), True),  # transferred in: S47 done elsewhere
    ])
    cp_plans = _frame(
        "cpp_id child_id referral_id start_date end_date initial_category latest_category previous_plans", [
            ("P1", "C001", "R1", T("2023-06-01"), T("2024-09-12"), "NEG", "NEG", 0),
            ("P2", "C006", "R8", T("2025-01-28"), NA, "PHY", "EMO", 1),
            ("P3", "C009", "R11", T("2023-10-23"), T("2024-04-25"), "SAB", "SAB", 0),
            ("P4", "C011", "R13", T("2024-12-19"), NA, "NEG", "NEG", 0),
        ])
    cp_reviews = _frame("cpp_id child_id review_date", [
        ("P1", "C001", T("2023-08-31")), ("P1", "C001", T("2024-02-29")), ("P1", "C001", T("2024-08-29")),
        ("P2", "C006", T("2025-04-24")), ("P2", "C006", T("2025-10-23")),
        ("P3", "C009", T("2024-01-18")),
        ("P4", "C011", T("2025-03-13")), ("P4", "C011", T("2025-09-11")),
    ])
    cin_plans = _frame("cin_plan_id child_id referral_id start_date end_date", [
        ("N1", "C001", "R1", T("2024-09-13"), T("2025-03-14")),
        ("N2", "C003", "R4", T("2024-03-21"), T("2024-10-30")),
        ("N3", "C004", "R5", T("2024-07-16"), NA),
        ("N4", "C008", "R10", T("2025-09-23"), NA),
    ])
    return Dataset({"persons": persons, "referrals": referrals, "assessments": assessments, "s47": s47,
                    "icpcs": icpcs, "cp_plans": cp_plans, "cp_reviews": cp_reviews, "cin_plans": cin_plans})


def comparable(ds: Dataset) -> dict[str, pd.DataFrame]:
    """The tables the CIN census carries, with links (referral_id, s47_id, cpp_id) replaced
    by the linked record's date, sorted by natural key: equal for a dataset and its
    written-and-read-back copy, whatever ids each side used."""
    from csc_workbench.io.cin_census import CARRIED
    from csc_workbench.model.schemas import TABLES

    referral_date = ds.referrals.set_index("referral_id")["referral_date"]
    s47_start = ds.s47.set_index("s47_id")["start_date"]
    plan_start = ds.cp_plans.set_index("cpp_id")["start_date"]
    out = {}
    for table, columns in CARRIED.items():
        df = ds[table][columns].copy()
        for link, dates in (("referral_id", referral_date), ("s47_id", s47_start), ("cpp_id", plan_start)):
            if link in df.columns and table != "referrals":
                df[link] = dates.reindex(df[link].to_numpy()).to_numpy()
        key = [k for k in TABLES[table].key if k != "authority"]
        out[table] = df.sort_values(key, ignore_index=True)
    return out
