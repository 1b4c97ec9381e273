"""Children in need measures against hand-worked answers.

Working days from Mon 20 Nov 2023 to Wed 31 Jan 2024 (bank holidays 25, 26 Dec, 1 Jan):
21-24 Nov = 4, 27-30 = 8, 1 Dec = 9, 4-8 = 14, 11-15 = 19, 18-22 = 24, 27-29 = 27, 2-5 Jan = 31,
8-12 = 36, 15-19 = 41, 22-26 = 46, 29-31 = 49.
From Wed 3 Jan to Wed 31 Jan: 4,5 = 2, 8-12 = 7, 15-19 = 12, 22-26 = 17, 29,30,31 = 20; from Tue 2 Jan: 21.
From Mon 15 Jan to Wed 31 Jan: 16-19 = 4, 22-26 = 9, 29-31 = 12.
"""

import pytest

from measures_support import approx, dataset, figure, run


@pytest.fixture(scope="module")
def out():
    ds = dataset(
        referrals=[
            {"referral_id": "r1", "child_id": "n1", "referral_date": "2023-10-02"},                 # open
            {"referral_id": "r2", "child_id": "n2", "referral_date": "2023-12-01", "nfa": True},    # NFA: closed
            {"referral_id": "r3", "child_id": "n3", "referral_date": "2023-06-01", "closure_date": "2024-01-31"},
            {"referral_id": "r4", "child_id": "n4", "referral_date": "2023-10-15"},                 # and on a plan
            {"referral_id": "r6", "child_id": "n6", "referral_date": "2024-01-15"},                 # 12 wd open
            {"referral_id": "r7", "child_id": "n7", "referral_date": "2023-11-20"},                 # 49 wd open
        ],
        cp_plans=[
            {"cpp_id": "p4", "child_id": "n4", "start_date": "2023-11-01", "initial_category": "NEG"},
            {"cpp_id": "p8", "child_id": "n8", "start_date": "2023-11-01", "initial_category": "NEG"},  # no referral
        ],
        cla_episodes=[{"child_id": "n5", "decom": "2023-09-01", "rne": "S", "ls": "C2", "place": "U4"}],
        cin_plans=[
            {"cin_plan_id": "c1", "child_id": "n1", "start_date": "2023-11-15"},
            {"cin_plan_id": "c7", "child_id": "n7", "start_date": "2023-12-01", "end_date": "2024-01-10"},
        ],
        visits=[
            {"visit_id": "1", "child_id": "n1", "visit_date": "2024-01-03", "kind": "CIN", "seen": True},  # 20 wd
            {"visit_id": "2", "child_id": "n7", "visit_date": "2024-01-02", "kind": "CIN", "seen": True},  # 21 wd
        ],
        population=[{"year": 2023, "population_0_17": 50_000}],
    )
    return run(ds, ["cin", "cin_rate", "cin_plan_pct", "cin_visits_timely_pct"], first="2023-04", last="2024-01")


def test_children_in_need_include_plans_and_looked_after(out):
    # 31 Jan 2024: n1, n4 (referral and plan: once), n5 (looked after), n6, n7, n8 (plan only) = 6.
    # n2's NFA referral closed the day it was made; n3 closed on 31 Jan, so not open at that month end.
    assert figure(out, "cin", "snapshot", "2024-01")[0] == 6
    # 31 Dec 2023: n1, n3, n4, n5, n7, n8 = 6 (n6 not yet referred).
    assert figure(out, "cin", "snapshot", "2023-12")[0] == 6
    # 6 / 50,000 x 10,000 = 1.2
    assert approx(figure(out, "cin_rate", "snapshot", "2024-01")[2], 1.2)


def test_children_in_need_with_a_plan(out):
    # 31 Jan 2024, not on a plan and not looked after: n1, n6, n7. Open 45 working days or more: n1, n7
    # (n6 only 12). With an open CIN plan: n1 (n7's ended 10 Jan). 1 of 2.
    assert figure(out, "cin_plan_pct", "snapshot", "2024-01")[:2] == (1, 2)


def test_children_in_need_visited_within_20_working_days(out):
    # Open 20 working days or more: n1, n7 (n6 is at 12). n1 seen 20 working days before: yes;
    # n7 21: no. 1 of 2.
    assert figure(out, "cin_visits_timely_pct", "snapshot", "2024-01")[:2] == (1, 2)


def test_visit_standard_is_an_option():
    ds = dataset(
        referrals=[{"referral_id": "r7", "child_id": "n7", "referral_date": "2023-11-20"}],
        visits=[{"visit_id": "2", "child_id": "n7", "visit_date": "2024-01-02", "kind": "CIN", "seen": True}],
    )
    # With a 25 working-day standard, n7's visit 21 working days before 31 Jan is in time.
    out = run(ds, "cin_visits_timely_pct", first="2023-04", last="2024-01", cin_visit_days=25)
    assert figure(out, "cin_visits_timely_pct", "snapshot", "2024-01")[:2] == (1, 1)
