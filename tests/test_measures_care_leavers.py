"""Care leaver measures against hand-worked answers."""

import pytest

from measures_support import approx, dataset, figure, run


def rec(child, date, age, in_touch="YES", activity=None, suitable=None, accommodation=None,
        eligibility="former_relevant", plan=None, team="PA"):
    return {"child_id": child, "status_date": date, "age": age, "in_touch": in_touch, "activity": activity,
            "suitable": suitable, "accommodation": accommodation, "eligibility": eligibility,
            "pathway_plan_date": plan, "team_id": team}


@pytest.fixture(scope="module")
def out():
    ds = dataset(
        persons=[{"child_id": "y9", "dob": "2004-01-18", "death_date": "2024-01-10"}],
        care_leavers=[
            rec("y1", "2024-01-10", 19, activity="F2", suitable=True, accommodation="U", plan="2023-12-01"),
            # Not in touch: stays in the denominator with no activity or accommodation.
            rec("y2", "2024-01-20", 20, in_touch="NO", plan="2023-07-31"),
            rec("y3", "2024-01-25", 21, in_touch="DIED"),                     # died: out of the cohort
            rec("y4", "2024-01-15", 19, in_touch="NREQ", activity="F4"),       # home 6 months+: out
            rec("y5", "2024-01-05", 19, accommodation="G", activity="F4", plan="2023-08-01"),  # abroad: out
            rec("y6", "2024-01-12", 18, activity="F1", suitable=True, plan="2024-01-12"),       # 18: not in it
            rec("y7", "2024-01-30", 21, activity="G5", suitable=False),       # NEET, unsuitable
            rec("y8", "2024-01-08", 19, eligibility="qualifying", activity="F1", suitable=True),  # not eligible
            # y9 died on 10 Jan, before the 20th birthday record (the record was still made).
            rec("y9", "2024-01-18", 20, activity="F1", suitable=True),
        ],
    )
    return run(ds, ["care_leavers", "cl_suitable_accom_pct", "cl_eet_pct", "cl_in_touch_pct", "cl_pathway_plan_pct"],
               first="2023-04", last="2024-01")


def test_cohort_19_to_21_excludes_died_home_and_abroad(out):
    # January cohort: y1, y2, y7 (y3 died, y4 home 6 months+, y5 abroad, y6 is 18, y8 qualifying only,
    # y9 died before the birthday). Suitable: y1 -> 1 of 3.
    num, den, value = figure(out, "cl_suitable_accom_pct", "month", "2024-01")
    assert (num, den) == (1, 3) and approx(value, 100 / 3)


def test_education_employment_training_not_in_touch_stay_in(out):
    # EET: y1 (F2). y2 not in touch stays in the denominator. y7 NEET (G5). 1 of 3.
    assert figure(out, "cl_eet_pct", "month", "2024-01")[:2] == (1, 3)


def test_in_touch(out):
    # In touch: y1, y7; y2 not. 2 of 3.
    assert figure(out, "cl_in_touch_pct", "month", "2024-01")[:2] == (2, 3)


def test_care_leavers_at_month_end(out):
    # 31 Jan 2024: relevant / former relevant, alive: y1, y2, y4, y5, y6, y7 = 6
    # (y3 died, y8 qualifying, y9 died 10 Jan).
    assert figure(out, "care_leavers", "snapshot", "2024-01")[0] == 6
    assert figure(out, "care_leavers", "snapshot", "2024-01", "team", "PA")[0] == 6


def test_pathway_plans_up_to_date(out):
    # Plans dated after 31 Jul 2023 (6 months before 31 Jan 2024): y1 (1 Dec), y5 (1 Aug), y6 (12 Jan).
    # y2's plan is exactly 6 months old: not up to date. y4, y7 have none. 3 of 6.
    assert figure(out, "cl_pathway_plan_pct", "snapshot", "2024-01")[:2] == (3, 6)


def test_cohort_counts_one_status_per_birthday_whatever_updates_follow():
    # z1: the 19th-birthday record (OC3: unsuitable) and two later updates at 19 (pathway plan
    # reviews, suitable): one cohort member, with the birthday's status.
    # z2: monthly extracts only, both at age 20, no record on the birthday: the first counts.
    # z3: a record at 19 whose date is not the birthday, then the birthday record itself
    # (dated later in the data): the birthday record counts.
    ds = dataset(
        persons=[{"child_id": "z1", "dob": "2004-06-10"}, {"child_id": "z2", "dob": "2003-05-02"},
                 {"child_id": "z3", "dob": "2004-07-20"}],
        care_leavers=[
            rec("z1", "2023-06-10", 19, activity="G5", suitable=False, accommodation="U"),
            rec("z1", "2023-08-01", 19, activity="F2", suitable=True, accommodation="U"),
            rec("z1", "2023-12-01", 19, activity="F2", suitable=True, accommodation="U"),
            rec("z2", "2023-05-31", 20, activity="F1", suitable=True, accommodation="U"),
            rec("z2", "2023-06-30", 20, activity="G4", suitable=False, accommodation="U"),
            rec("z3", "2023-07-01", 19, activity="G4", suitable=False, accommodation="U"),
            rec("z3", "2023-07-20", 19, activity="F2", suitable=True, accommodation="U"),
        ],
    )
    out = run(ds, ["cl_suitable_accom_pct", "cl_eet_pct"], first="2023-04", last="2024-01")
    # Financial year to January 2024: z1 (birthday: unsuitable, NEET), z2 (31 May: suitable,
    # F1), z3 (birthday 20 Jul: suitable, F2). Suitable 2 of 3; EET 2 of 3.
    assert figure(out, "cl_suitable_accom_pct", "ytd", "2024-01")[:2] == (2, 3)
    assert figure(out, "cl_eet_pct", "ytd", "2024-01")[:2] == (2, 3)
    # Each member counts in the month of the record that stands for the birthday.
    assert figure(out, "cl_suitable_accom_pct", "month", "2023-06")[:2] == (0, 1)
    assert figure(out, "cl_suitable_accom_pct", "month", "2023-05")[:2] == (1, 1)
    assert figure(out, "cl_suitable_accom_pct", "month", "2023-07")[:2] == (1, 1)
