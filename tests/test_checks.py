"""Canonical data-quality rules: one test each, with records that must and must not be found."""

import pandas as pd

from csc_workbench.model import checks
from csc_workbench.model.dataset import Dataset
from csc_workbench.quality import LoadAccount

A = "Q01"


def ds(**tables) -> Dataset:
    return Dataset({name: pd.DataFrame(rows).assign(authority=A) for name, rows in tables.items()})


def found(findings: pd.DataFrame, table: str | None = None) -> list[str]:
    f = findings if table is None else findings[findings["table"] == table]
    return sorted(f["record"])


def test_end_before_start_in_every_table_with_a_period():
    d = ds(referrals=[{"referral_id": "r1", "child_id": "A", "referral_date": "2024-01-10", "closure_date": "2024-01-09"},
                      {"referral_id": "r2", "child_id": "B", "referral_date": "2024-01-10", "closure_date": "2024-01-10"}],
           cp_plans=[{"cpp_id": "p", "child_id": "C", "start_date": "2024-02-01", "end_date": "2023-02-01"},
                     {"cpp_id": "q", "child_id": "D", "start_date": "2024-02-01"}],
           cla_episodes=[{"child_id": "E", "decom": "2024-03-05", "dec": "2024-03-04"}],
           cin_plans=[{"cin_plan_id": "c", "child_id": "F", "start_date": "2024-01-02", "end_date": "2024-01-01"}],
           missing=[{"child_id": "G", "kind": "M", "start_date": "2024-01-02", "end_date": "2023-12-31"}])
    f = checks.end_before_start(d)
    assert found(f) == ["child A, referral from 10/01/2024 to 09/01/2024", "child C, CP plan from 01/02/2024 to 01/02/2023",
                        "child E, episode from 05/03/2024 to 04/03/2024",
                        "child F, CIN plan from 02/01/2024 to 01/01/2024",
                        "child G, missing/away episode from 02/01/2024 to 31/12/2023"]
    assert set(f["rule"]) == {"end_before_start"}
    assert set(f["table"]) == {"referrals", "cp_plans", "cla_episodes", "cin_plans", "missing"}


def test_icpc_dated_before_its_s47():
    d = ds(s47=[{"s47_id": "s1", "child_id": "A", "start_date": "2024-01-10"},
                {"s47_id": "s2", "child_id": "B", "start_date": "2024-01-10"}],
           icpcs=[{"icpc_id": "i1", "child_id": "A", "s47_id": "s1", "icpc_date": "2024-01-09"},
                  {"icpc_id": "i2", "child_id": "B", "s47_id": "s2", "icpc_date": "2024-01-10"},
                  {"icpc_id": "i3", "child_id": "C", "icpc_date": "2020-01-01"}])  # no S47 to compare
    assert found(checks.icpc_before_s47(d)) == ["child A, ICPC 09/01/2024, S47 from 10/01/2024"]


def test_assessment_authorised_before_it_started():
    d = ds(assessments=[{"assessment_id": "a", "child_id": "A", "start_date": "2024-01-10", "authorised_date": "2024-01-08"},
                        {"assessment_id": "b", "child_id": "B", "start_date": "2024-01-10", "authorised_date": "2024-01-10"},
                        {"assessment_id": "c", "child_id": "C", "start_date": "2024-01-10"}])
    assert found(checks.authorised_before_start(d)) == ["child A, assessment from 10/01/2024 authorised 08/01/2024"]


def test_date_of_birth_in_the_future_or_after_an_event():
    d = ds(persons=[{"child_id": "A", "dob": "2024-06-01"}, {"child_id": "B", "dob": "2023-01-01"},
                    {"child_id": "C", "dob": "2023-06-01"}],
           referrals=[{"referral_id": "r", "child_id": "B", "referral_date": "2022-03-31"},  # 276 days before: pre-birth
                      {"referral_id": "s", "child_id": "B", "referral_date": "2022-03-01"}],  # 306 days before
           cla_episodes=[{"child_id": "C", "decom": "2023-05-31"}],                          # looked after unborn
           visits=[{"visit_id": "v", "child_id": "C", "visit_date": "2023-06-01", "kind": "CLA"}])
    f = checks.dob_after_event(d, today=pd.Timestamp("2024-01-01"))
    assert found(f) == ["child A, born 01/06/2024", "child B, born 01/01/2023, referral 01/03/2022",
                        "child C, born 01/06/2023, looked-after episode 31/05/2023"]


def test_duplicate_child_ids():
    d = Dataset({"persons": pd.DataFrame({"authority": A, "child_id": ["A", "A", "B"],
                                          "dob": ["2015-01-01", "2016-01-01", "2015-01-01"]})})
    assert found(checks.duplicate_child_ids(d)) == ["child A, born 01/01/2015", "child A, born 01/01/2016"]


def test_unknown_codes_from_schemas_and_dfe_lists():
    d = ds(persons=[{"child_id": "A", "ethnicity": "WBRI"}, {"child_id": "B", "ethnicity": "XXXX"}],
           referrals=[{"referral_id": "r", "child_id": "A", "referral_date": "2024-01-01", "primary_need": "N1",
                       "referral_source": "6"},
                      {"referral_id": "s", "child_id": "B", "referral_date": "2024-01-01", "primary_need": "PSRMEM"}],
           cla_episodes=[{"child_id": "C", "decom": "2024-01-01", "place": "U6", "ls": "Z9"}])
    f = checks.unknown_codes(d)
    assert found(f) == ["child B, ethnicity XXXX", "child B, primary_need PSRMEM", "child C, ls Z9"]
    assert "'PSRMEM'" in f[f["column"] == "primary_need"]["message"].iloc[0]
    # Schema isin lists count too (a canonical frame built without validation).
    raw = Dataset({"cp_plans": pd.DataFrame({"authority": [A], "cpp_id": ["p"], "child_id": ["D"],
                                             "start_date": [pd.Timestamp("2024-01-01")], "initial_category": ["ABUSE"]})})
    assert found(checks.unknown_codes(raw)) == ["child D, initial_category ABUSE"]


def test_child_in_two_placements_at_once():
    d = ds(cla_episodes=[
        {"child_id": "A", "decom": "2024-01-01"}, {"child_id": "A", "decom": "2024-02-01"},           # both open
        {"child_id": "B", "decom": "2024-01-01", "dec": "2024-02-05"}, {"child_id": "B", "decom": "2024-02-01"},
        {"child_id": "C", "decom": "2024-01-01", "dec": "2024-02-01"}, {"child_id": "C", "decom": "2024-02-01"}])
    assert found(checks.overlapping_cla_episodes(d)) == [
        "child A, episode from 01/01/2024 to (none), next from 01/02/2024",
        "child B, episode from 01/01/2024 to 05/02/2024, next from 01/02/2024"]


def test_cp_plan_without_an_initial_conference():
    d = ds(icpcs=[{"icpc_id": "i", "child_id": "A", "icpc_date": "2024-01-10"},
                  {"icpc_id": "j", "child_id": "C", "icpc_date": "2024-01-01"}],
           cp_plans=[{"cpp_id": "a", "child_id": "A", "start_date": "2024-01-10"},   # conference that day
                     {"cpp_id": "b", "child_id": "B", "start_date": "2024-03-01"},   # none: transfer in?
                     {"cpp_id": "c", "child_id": "C", "start_date": "2024-02-01"},   # conference 31 days before
                     {"cpp_id": "d", "child_id": "D", "start_date": "2023-06-01"}])  # before the data's conferences
    assert found(checks.cp_plan_without_icpc(d)) == ["child B, CP plan from 01/03/2024", "child C, CP plan from 01/02/2024"]
    assert checks.cp_plan_without_icpc(ds(cp_plans=[{"cpp_id": "x", "child_id": "X", "start_date": "2024-01-01"}])).empty


def test_referral_while_a_cin_episode_is_open():
    d = ds(referrals=[
        {"referral_id": "1", "child_id": "A", "referral_date": "2024-01-01"},
        {"referral_id": "2", "child_id": "A", "referral_date": "2024-02-01"},                         # first still open
        {"referral_id": "3", "child_id": "B", "referral_date": "2024-01-01", "closure_date": "2024-02-01"},
        {"referral_id": "4", "child_id": "B", "referral_date": "2024-02-01"},                         # closed that day
        {"referral_id": "5", "child_id": "C", "referral_date": "2024-01-01", "closure_date": "2024-03-01"},
        {"referral_id": "6", "child_id": "C", "referral_date": "2024-02-01"}])
    assert found(checks.referral_while_cin_open(d)) == [
        "child A, referral 01/02/2024, CIN episode open from 01/01/2024",
        "child C, referral 01/02/2024, CIN episode open from 01/01/2024"]


def test_run_checks_records_warnings_and_counts_rules():
    d = ds(assessments=[{"assessment_id": "a", "child_id": "A", "start_date": "2024-01-10",
                         "authorised_date": "2024-01-08"}],
           referrals=[{"referral_id": "r", "child_id": "A", "referral_date": "2024-01-10", "closure_date": "2024-01-01"}])
    account = LoadAccount(A)
    findings = checks.run_checks(d, account, today=pd.Timestamp("2024-06-01"))
    assert len(findings) == 2
    issues = account.issues()
    assert set(issues["action"]) == {"warning"} and set(issues["file"]) == {"(history)"}
    assert sorted(issues["rule"]) == ["authorised_before_start", "end_before_start"]
    s = account.summary().set_index("table")
    assert s.loc["assessments", "warnings"] == 1 and s.loc["referrals", "warnings"] == 1
    account.check_balanced()
    assert checks.rule_counts(findings).set_index("rule")["count"].to_dict() == {
        "authorised_before_start": 1, "end_before_start": 1}
    assert checks.run_checks(Dataset(), LoadAccount(A)).empty
