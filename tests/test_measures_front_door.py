"""Front door measures against hand-worked answers.

Bank holidays used here: 2024-03-29 Good Friday, 2024-04-01 Easter Monday.
"""

import pytest

from measures_support import approx, dataset, figure, row, run

FRONT = ["contacts", "contact_to_referral_pct", "contact_decision_1wd_pct", "referrals", "referral_rate",
         "rereferral_pct", "referral_nfa_pct", "referral_to_assessment_pct"]


@pytest.fixture(scope="module")
def out():
    ds = dataset(
        persons=[
            {"child_id": "A", "dob": "2007-12-01"},  # 15 at the first two referrals, 16 at the third
            {"child_id": "B", "dob": "2020-01-01"},
            {"child_id": "C"},                       # no date of birth: age band unknown
            {"child_id": "D", "dob": "2024-01-01"},
        ],
        contacts=[
            # Fri -> Mon: 1 working day. Outcome referral.
            {"contact_id": "k1", "child_id": "A", "contact_date": "2024-01-05", "decision_date": "2024-01-08",
             "outcome": "referral", "team_id": "FD"},
            # No outcome; referred Wed 17 Jan: working days 11,12,15,16,17 Jan = 5 -> within 5: referral.
            # Decided Fri 12 Jan: 2 working days -> not within 1.
            {"contact_id": "k2", "child_id": "E", "contact_date": "2024-01-10", "decision_date": "2024-01-12"},
            # No outcome; referred Fri 2 Feb: 26,29,30,31 Jan, 1,2 Feb = 6 -> not within 5.
            # Decision dated the day BEFORE the contact: left out of the decision measure (data error).
            {"contact_id": "k3", "child_id": "F", "contact_date": "2024-01-25", "decision_date": "2024-01-24"},
            {"contact_id": "k5", "child_id": "G", "contact_date": "2024-01-31", "outcome": "nfa"},
            # Thu 28 Mar -> Tue 2 Apr: 29 Mar and 1 Apr are bank holidays, so 1 working day.
            {"contact_id": "k4", "child_id": "H", "contact_date": "2024-03-28", "decision_date": "2024-04-02",
             "outcome": "advice"},
        ],
        referrals=[
            # A: three referrals in 12 months; the 2nd and 3rd are re-referrals.
            {"referral_id": "rA1", "child_id": "A", "referral_date": "2023-06-01", "team_id": "T1"},
            {"referral_id": "rA2", "child_id": "A", "referral_date": "2023-09-01", "team_id": "T1"},
            {"referral_id": "rA3", "child_id": "A", "referral_date": "2024-01-15", "team_id": "T2"},
            # B: earlier referral on the same date 12 months before: just inside -> re-referral.
            {"referral_id": "rB0", "child_id": "B", "referral_date": "2022-11-15"},
            {"referral_id": "rB1", "child_id": "B", "referral_date": "2023-11-15", "team_id": "T2"},
            # C: earlier referral one day further back: just outside -> not a re-referral.
            {"referral_id": "rC0", "child_id": "C", "referral_date": "2022-11-14"},
            {"referral_id": "rC1", "child_id": "C", "referral_date": "2023-11-15", "team_id": "T2"},
            {"referral_id": "rD1", "child_id": "D", "referral_date": "2024-03-20", "nfa": True, "team_id": "T1"},
            # E and F: the referrals of the contacts above.
            {"referral_id": "rE1", "child_id": "E", "referral_date": "2024-01-17"},
            {"referral_id": "rF1", "child_id": "F", "referral_date": "2024-02-02"},
        ],
        assessments=[
            {"assessment_id": "a1", "child_id": "A", "referral_id": "rA2", "start_date": "2023-09-04"},
            # No referral id: linked to D's latest referral on or before its start (20 Mar).
            {"assessment_id": "a2", "child_id": "D", "start_date": "2024-03-22"},
        ],
        population=[{"year": 2022, "population_0_17": 40_000}, {"year": 2023, "population_0_17": 48_000}],
    )
    return run(ds, FRONT, first="2022-04")


def test_contacts_count_by_month(out):
    # January: k1, k2, k3, k5 = 4; March: k4.
    assert figure(out, "contacts", "month", "2024-01")[0] == 4
    assert figure(out, "contacts", "month", "2024-03")[0] == 1


def test_contact_to_referral_uses_outcome_or_referral_within_5_working_days(out):
    # January: k1 (outcome referral) + k2 (referred 5 working days later) = 2 of 4 contacts.
    num, den, value = figure(out, "contact_to_referral_pct", "month", "2024-01")
    assert (num, den) == (2, 4) and approx(value, 50.0)


def test_contact_decisions_within_1_working_day_across_easter(out):
    # Decided in January: k1 (1 wd, yes), k2 (2 wd, no); k3 decided before its contact: left out.
    r = row(out, "contact_decision_1wd_pct", "month", "2024-01")
    assert (r["numerator"], r["denominator"]) == (1, 2) and approx(r["value"], 50.0)
    assert r["note"].startswith("1 contact decisions dated before the contact")
    # April: k4, Thu 28 Mar -> Tue 2 Apr over Good Friday and Easter Monday = 1 working day.
    assert figure(out, "contact_decision_1wd_pct", "month", "2024-04")[:2] == (1, 1)


def test_referrals_every_referral_counted(out):
    # Rolling 12 months to March 2024 (1 Apr 2023 - 31 Mar 2024): rA1, rA2, rA3, rB1, rC1, rD1, rE1, rF1 = 8.
    assert figure(out, "referrals", "rolling_12m", "2024-03")[0] == 8
    assert figure(out, "referrals", "month", "2023-11")[0] == 2  # rB1, rC1


def test_referrals_by_age_band_child_turning_16(out):
    # A is 15 on 1 Jun and 1 Sep 2023, 16 on 15 Jan 2024; B is 3; D is 0; C, E, F have no birth date.
    assert figure(out, "referrals", "rolling_12m", "2024-03", "age_band", "10-15")[0] == 2
    assert figure(out, "referrals", "rolling_12m", "2024-03", "age_band", "16+")[0] == 1
    assert figure(out, "referrals", "rolling_12m", "2024-03", "age_band", "1-4")[0] == 1
    assert figure(out, "referrals", "rolling_12m", "2024-03", "age_band", "under 1")[0] == 1
    assert figure(out, "referrals", "rolling_12m", "2024-03", "age_band", "unknown")[0] == 3


def test_referrals_by_team(out):
    # T1: rA1, rA2, rD1 = 3; T2: rA3, rB1, rC1 = 3; no team: rE1, rF1 = 2.
    assert figure(out, "referrals", "rolling_12m", "2024-03", "team", "T1")[0] == 3
    assert figure(out, "referrals", "rolling_12m", "2024-03", "team", "T2")[0] == 3
    assert figure(out, "referrals", "rolling_12m", "2024-03", "team", "unknown")[0] == 2


def test_rereferrals_within_12_months(out):
    # Of the 8 referrals in the 12 months to March 2024: rA2 (after rA1), rA3 (after rA2) and rB1 (rB0
    # exactly 12 months before) are re-referrals; rC1 is not (rC0 12 months and a day before). 3 / 8.
    num, den, value = figure(out, "rereferral_pct", "rolling_12m", "2024-03")
    assert (num, den) == (3, 8) and approx(value, 37.5)
    # November 2023 alone: rB1 yes, rC1 no.
    assert figure(out, "rereferral_pct", "month", "2023-11")[:2] == (1, 2)


def test_referral_rate_uses_mid_year_population_before_the_period(out):
    # Year ending 31 March 2024 uses mid-2023 (48,000): 8 / 48,000 x 10,000 = 1.6667.
    num, den, value = figure(out, "referral_rate", "year", "2024-03")
    assert (num, den) == (8, 48_000) and approx(value, 8 / 48_000 * 10_000)
    # Year ending 31 March 2023 uses mid-2022 (40,000): rB0, rC0 = 2 -> 0.5.
    num, den, value = figure(out, "referral_rate", "year", "2023-03")
    assert (num, den) == (2, 40_000) and approx(value, 0.5)
    # A month is annualised x 12: November 2023, 2 / 48,000 x 10,000 x 12 = 5.0.
    assert approx(figure(out, "referral_rate", "month", "2023-11")[2], 5.0)
    # Six months to March 2024 (Oct-Mar): rB1, rC1, rA3, rD1, rE1, rF1 = 6, doubled: 6/48,000 x 10,000 x 2 = 2.5.
    assert approx(figure(out, "referral_rate", "rolling_6m", "2024-03")[2], 2.5)


def test_referral_nfa(out):
    # rD1 is the only NFA referral: 1 of 8.
    assert figure(out, "referral_nfa_pct", "rolling_12m", "2024-03")[:2] == (1, 8)


def test_referral_to_assessment_by_id_or_child_and_date(out):
    # rA2 has a1 by id; rD1 has a2 by child and date. 2 of 8.
    num, den, value = figure(out, "referral_to_assessment_pct", "rolling_12m", "2024-03")
    assert (num, den) == (2, 8) and approx(value, 25.0)
