"""Section 47, conference and child protection plan measures against hand-worked answers.

Working days from Tue 2 Jan 2024: 3-5 Jan = 3, 8-12 = 8, 15-19 = 13, 22 = 14, 23 = 15, 24 = 16.
From Wed 20 Dec 2023 (bank holidays 25, 26 Dec and 1 Jan): 21, 22 Dec = 2, 27-29 Dec = 5,
2-5 Jan = 9, 8-12 Jan = 14.
"""

import pytest

from measures_support import approx, dataset, figure, no_row, row, run


@pytest.fixture(scope="module")
def conf():
    ds = dataset(
        s47=[
            {"s47_id": "s1", "child_id": "p1", "start_date": "2024-01-02", "team_id": "CP1"},
            {"s47_id": "s2", "child_id": "p2", "start_date": "2024-01-02", "team_id": "CP1"},
            {"s47_id": "s3", "child_id": "p3", "start_date": "2024-01-15", "team_id": "CP2"},
            {"s47_id": "s4", "child_id": "p4", "start_date": "2023-12-20", "team_id": "CP2"},
            {"s47_id": "s5", "child_id": "p5", "start_date": "2024-01-05", "icpc_not_required": True},
            {"s47_id": "s6", "child_id": "p6", "start_date": "2024-01-25"},  # still open
        ],
        icpcs=[
            # 15 working days after s1: within. Resulted in a plan.
            {"icpc_id": "i1", "child_id": "p1", "s47_id": "s1", "icpc_date": "2024-01-23", "cp_plan": True},
            # 16 working days: not within. No plan.
            {"icpc_id": "i2", "child_id": "p2", "s47_id": "s2", "icpc_date": "2024-01-24", "cp_plan": False},
            # Dated BEFORE its S47 (10 Jan < 15 Jan): left out of both, counted as a data-quality error.
            # Decision not recorded, but a plan started the same day.
            {"icpc_id": "i3", "child_id": "p3", "s47_id": "s3", "icpc_date": "2024-01-10"},
            # No S47 id: linked to p4's S47 of 20 Dec (23 days before): 14 working days, within.
            {"icpc_id": "i4", "child_id": "p4", "icpc_date": "2024-01-12"},
            # No S47 at all for p7: left out, counted as a data-quality error.
            {"icpc_id": "i5", "child_id": "p7", "icpc_date": "2024-01-30", "cp_plan": True},
        ],
        cp_plans=[{"cpp_id": "x3", "child_id": "p3", "start_date": "2024-01-10", "initial_category": "NEG"}],
        population=[{"year": 2023, "population_0_17": 50_000}],
    )
    return run(ds, ["s47", "s47_rate", "s47_to_icpc_pct", "icpc", "icpc_rate", "icpc_15wd_pct",
                    "icpc_to_cpp_pct"], first="2023-04")


def test_s47_count_and_rate(conf):
    # January: s1, s2, s3, s5, s6 = 5 -> 5 / 50,000 x 10,000 x 12 = 12.0.
    assert figure(conf, "s47", "month", "2024-01")[0] == 5
    assert approx(figure(conf, "s47_rate", "month", "2024-01")[2], 12.0)


def test_s47_to_icpc_leaves_open_enquiries_out(conf):
    # January: led to an ICPC s1, s2, s3; concluded without one s5; s6 still open (left out, noted). 3 / 4.
    r = row(conf, "s47_to_icpc_pct", "month", "2024-01")
    assert (r["numerator"], r["denominator"]) == (3, 4) and approx(r["value"], 75.0)
    assert r["note"].startswith("1 enquiries still open")
    # December: s4 led to i4 (linked by child and date).
    assert figure(conf, "s47_to_icpc_pct", "month", "2023-12")[:2] == (1, 1)


def test_icpc_count_and_rate(conf):
    # January: i1..i5 = 5.
    assert figure(conf, "icpc", "month", "2024-01")[0] == 5
    assert approx(figure(conf, "icpc_rate", "month", "2024-01")[2], 12.0)


def test_icpc_within_15_working_days_excludes_icpc_before_s47(conf):
    # Valid: i1 (15, yes), i2 (16, no), i4 (14, yes): 2 of 3. i3 before its S47 and i5 without one are out.
    r = row(conf, "icpc_15wd_pct", "month", "2024-01")
    assert (r["numerator"], r["denominator"]) == (2, 3)
    assert "1 ICPCs dated before their S47 left out" in r["note"]
    assert "1 ICPCs with no S47 found left out" in r["note"]


def test_icpc_to_plan(conf):
    # i1 yes, i2 no, i3 (plan started the same day) yes, i4 no, i5 yes: 3 of 5.
    assert figure(conf, "icpc_to_cpp_pct", "month", "2024-01")[:2] == (3, 5)


@pytest.fixture(scope="module")
def plans():
    ds = dataset(
        cp_plans=[
            # Lasting exactly 729 days (10 Jan 2022 -> 9 Jan 2024) and 730 days (11 Jan 2022 -> 11 Jan 2024).
            {"cpp_id": "Pa", "child_id": "a", "start_date": "2022-01-10", "end_date": "2024-01-09",
             "initial_category": "MUL", "team_id": "CP1"},
            {"cpp_id": "Pb", "child_id": "b", "start_date": "2022-01-11", "end_date": "2024-01-11",
             "initial_category": "NEG", "team_id": "CP1"},
            # Ends before it starts: left out of durations, noted.
            {"cpp_id": "Pc", "child_id": "c", "start_date": "2024-01-20", "end_date": "2024-01-05",
             "initial_category": "NEG"},
            # Open plans, for durations at 31 Dec 2023.
            {"cpp_id": "L1", "child_id": "l1", "start_date": "2021-12-31", "initial_category": "NEG"},  # 730 days
            {"cpp_id": "L2", "child_id": "l2", "start_date": "2022-01-01", "initial_category": "PHY",
             "latest_category": "NEG"},  # 729 days
            {"cpp_id": "L3", "child_id": "l3", "start_date": "2022-10-01", "initial_category": "EMO"},
            {"cpp_id": "L4", "child_id": "l4", "start_date": "2022-09-30", "initial_category": "SAB"},
            # Repeat plans starting February 2024.
            {"cpp_id": "Q1a", "child_id": "q1", "start_date": "2020-03-01", "end_date": "2022-02-15",
             "initial_category": "NEG"},
            {"cpp_id": "Q1b", "child_id": "q1", "start_date": "2024-02-15", "initial_category": "NEG"},
            {"cpp_id": "Q2a", "child_id": "q2", "start_date": "2020-03-01", "end_date": "2022-02-14",
             "initial_category": "NEG"},
            {"cpp_id": "Q2b", "child_id": "q2", "start_date": "2024-02-15", "initial_category": "EMO"},
            {"cpp_id": "Q3", "child_id": "q3", "start_date": "2024-02-20", "previous_plans": 1,
             "initial_category": "EMO"},
            {"cpp_id": "Q4", "child_id": "q4", "start_date": "2024-02-25", "previous_plans": 0,
             "initial_category": "PHY"},
        ],
        referrals=[{"referral_id": "r", "child_id": "a", "referral_date": "2023-04-03"}],
        population=[{"year": 2023, "population_0_17": 50_000}],
    )
    return run(ds, ["cpp", "cpp_rate", "cpp_starts", "cpp_repeat_pct", "cpp_repeat_2y_pct", "cpp_ended_2y_pct",
                    "cpp_open_2y_pct", "cpp_open_15m_pct", "cpp_category_pct"], first="2023-04", last="2024-03")


def test_children_on_a_plan_spanning_period_ends(plans):
    # 31 Dec 2023: Pa, Pb, L1, L2, L3, L4 = 6. 31 Jan 2024: Pa, Pb ended; L1-L4 = 4.
    # 29 Feb 2024: L1-L4 + Q1b, Q2b, Q3, Q4 = 8; 31 Mar 2024: the same 8 (open plans count in each stock).
    assert figure(plans, "cpp", "snapshot", "2023-12")[0] == 6
    assert figure(plans, "cpp", "snapshot", "2024-01")[0] == 4
    assert figure(plans, "cpp", "snapshot", "2024-02")[0] == 8
    assert figure(plans, "cpp", "snapshot", "2024-03")[0] == 8
    # ...but once in starts: February 4, March 0.
    assert figure(plans, "cpp_starts", "month", "2024-02")[0] == 4
    assert figure(plans, "cpp_starts", "month", "2024-03")[0] == 0
    # Rate at 29 Feb 2024: 8 / 50,000 x 10,000 = 1.6 (a stock is not annualised).
    assert approx(figure(plans, "cpp_rate", "snapshot", "2024-02")[2], 1.6)


def test_repeat_plans_ever_and_within_2_years(plans):
    # February starts: Q1b (earlier plan in the data), Q2b (earlier plan), Q3 (previous_plans = 1), Q4: ever 3/4.
    assert figure(plans, "cpp_repeat_pct", "month", "2024-02")[:2] == (3, 4)
    # Within 2 years: Q1a ended 15 Feb 2022, exactly 2 years before Q1b: yes. Q2a ended a day earlier: no.
    # Q3's earlier plan has no date: no. 1 of 4.
    assert figure(plans, "cpp_repeat_2y_pct", "month", "2024-02")[:2] == (1, 4)


def test_plans_ending_after_729_and_730_days(plans):
    # January endings: Pa (729 days, no), Pb (730 days, yes); Pc ends before it starts: out, noted. 1 of 2.
    r = row(plans, "cpp_ended_2y_pct", "month", "2024-01")
    assert (r["numerator"], r["denominator"]) == (1, 2) and approx(r["value"], 50.0)
    assert r["note"].startswith("1 plans ending before they started")


def test_open_plans_two_years_and_fifteen_months(plans):
    # 31 Dec 2023, 6 open: 730 days or more: L1 (730); L2 is 729. 1 of 6.
    assert figure(plans, "cpp_open_2y_pct", "snapshot", "2023-12")[:2] == (1, 6)
    # 15 months or more (started on or before 30 Sep 2022): Pa, Pb, L1, L2, L4 (30 Sep); L3 (1 Oct) not. 5/6.
    assert figure(plans, "cpp_open_15m_pct", "snapshot", "2023-12")[:2] == (5, 6)


def test_open_plans_by_latest_category(plans):
    # 31 Dec 2023: NEG Pb, L1, L2 (latest NEG); MUL Pa; EMO L3; SAB L4. Of 6.
    assert figure(plans, "cpp_category_pct", "snapshot", "2023-12", "category", "NEG")[:2] == (3, 6)
    # L2 started as physical abuse but its latest category is neglect: no PHY plan open at 31 Dec.
    assert no_row(plans, "cpp_category_pct", "snapshot", "2023-12", "category", "PHY")
    assert figure(plans, "cpp_category_pct", "snapshot", "2023-12", "category", "SAB")[:2] == (1, 6)
    assert approx(figure(plans, "cpp_category_pct", "snapshot", "2023-12", "category", "EMO")[2], 100 / 6)


def test_plan_reviews_within_timescale():
    ds = dataset(
        cp_plans=[
            {"cpp_id": "X1", "child_id": "x1", "start_date": "2023-06-15", "initial_category": "NEG"},
            {"cpp_id": "X2", "child_id": "x2", "start_date": "2023-06-15", "initial_category": "NEG"},
            {"cpp_id": "X3", "child_id": "x3", "start_date": "2023-12-15", "initial_category": "NEG"},
            {"cpp_id": "X4", "child_id": "x4", "start_date": "2023-01-10", "initial_category": "NEG"},
        ],
        cp_reviews=[
            # X1: first review exactly 3 months after the start, the next exactly 6 months later: on time.
            {"cpp_id": "X1", "child_id": "x1", "review_date": "2023-09-15"},
            {"cpp_id": "X1", "child_id": "x1", "review_date": "2024-03-15"},
            # X2: first review 3 days late.
            {"cpp_id": "X2", "child_id": "x2", "review_date": "2023-09-18"},
            # X4: reviews matched by child and date (no plan id); next due 5 Apr 2024.
            {"child_id": "x4", "review_date": "2023-04-05"},
            {"child_id": "x4", "review_date": "2023-10-05"},
        ],
        referrals=[{"referral_id": "r", "child_id": "x1", "referral_date": "2023-04-03"}],
    )
    out = run(ds, "cpp_reviews_timely_pct", first="2023-04", last="2024-04")
    # 29 Feb 2024: X3 on its plan under 3 months (not counted); X1 on time, X2 late, X4 on time: 2 of 3.
    assert figure(out, "cpp_reviews_timely_pct", "snapshot", "2024-02")[:2] == (2, 3)
    # 31 Mar 2024: X3 first review was due 15 Mar, none held: late. X1, X4 on time: 2 of 4.
    assert figure(out, "cpp_reviews_timely_pct", "snapshot", "2024-03")[:2] == (2, 4)
    # 30 Apr 2024: X4's review due 5 Apr was not held: only X1 on time. 1 of 4.
    assert figure(out, "cpp_reviews_timely_pct", "snapshot", "2024-04")[:2] == (1, 4)


def _visits_data():
    return dataset(
        cp_plans=[
            {"cpp_id": "V1", "child_id": "v1", "start_date": "2023-11-01", "initial_category": "NEG"},
            {"cpp_id": "V2", "child_id": "v2", "start_date": "2023-11-01", "initial_category": "NEG"},
            {"cpp_id": "V3", "child_id": "v3", "start_date": "2024-01-24", "initial_category": "NEG"},
            {"cpp_id": "V4", "child_id": "v4", "start_date": "2023-11-01", "initial_category": "NEG"},
            {"cpp_id": "V5", "child_id": "v5", "start_date": "2023-11-01", "initial_category": "NEG"},
        ],
        visits=[
            # To Wed 31 Jan 2024 from Wed 17 Jan: 18,19,22-26,29,30,31 = 10 working days; 14 calendar days.
            {"visit_id": "1", "child_id": "v1", "visit_date": "2024-01-17", "kind": "CP", "seen": True},
            # From Tue 16 Jan: 11 working days; 15 days.
            {"visit_id": "2", "child_id": "v2", "visit_date": "2024-01-16", "kind": "CP", "seen": True},
            # v4: the last visit did not see the child; the one before (Wed 10 Jan) is 15 working days, 21 days.
            {"visit_id": "3", "child_id": "v4", "visit_date": "2024-01-10", "kind": "CP", "seen": True},
            {"visit_id": "4", "child_id": "v4", "visit_date": "2024-01-30", "kind": "CP", "seen": False},
            # v5: Saturday 20 Jan -> 31 Jan: 22-26, 29-31 = 8 working days; 11 days. A CIN visit does not count.
            {"visit_id": "5", "child_id": "v5", "visit_date": "2024-01-20", "kind": "CP", "seen": True},
            {"visit_id": "6", "child_id": "v2", "visit_date": "2024-01-30", "kind": "CIN", "seen": True},
        ],
        referrals=[{"referral_id": "r", "child_id": "v1", "referral_date": "2023-04-03"}],
    )


@pytest.mark.parametrize("standard,expected", [
    # v3 has been on a plan 5 working days (25,26,29,30,31 Jan) / 7 days: not yet due a visit, left out.
    ("10wd", (2, 4)),   # v1 (10), v5 (8) in time; v2 (11), v4 (15) not.
    ("15wd", (4, 4)),   # v1, v2, v4 (15), v5.
    ("2w", (2, 4)),     # v1 (14 days), v5 (11); v2 (15), v4 (21) not.
])
def test_plan_visits_within_the_standard(standard, expected):
    out = run(_visits_data(), "cpp_visits_timely_pct", first="2023-04", last="2024-01",
              cpp_visit_standard=standard)
    assert figure(out, "cpp_visits_timely_pct", "snapshot", "2024-01")[:2] == expected
