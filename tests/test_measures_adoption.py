"""Adoption measures against hand-worked answers."""

import pytest

from measures_support import approx, dataset, figure, row, run


@pytest.fixture(scope="module")
def out():
    ds = dataset(
        adoptions=[
            # A1: 10 Jan 2022 -> 1 Oct 2022 = 21 (rest of Jan) + 28+31+30+31+30+31+31+30 + 1 = 264 days.
            # A2: 1 Jun -> 1 Sep 2022 = 30 + 31 + 31 = 92 days.
            {"child_id": "ad1", "entered_care_date": "2022-01-10", "decision_date": "2022-03-01",
             "placement_order_date": "2022-06-01", "match_date": "2022-09-01", "placed_date": "2022-10-01",
             "adoption_order_date": "2023-05-15"},
            # No recorded entry to care: the period of care starting 1 Nov 2021 is used.
            # A1: 1 Nov 2021 -> 1 Jun 2022 = 30+31+31+28+31+30+31 = 212 days. A2: matched before the order: 0.
            {"child_id": "ad2", "decision_date": "2022-02-01", "placement_order_date": "2022-05-01",
             "match_date": "2022-04-20", "placed_date": "2022-06-01", "adoption_order_date": "2023-09-01"},
            # No placement order: out of A2. A1: 1 Feb -> 1 Dec 2022 = 28+31+30+31+30+31+31+30+31+30 = 303.
            {"child_id": "ad3", "entered_care_date": "2022-02-01", "decision_date": "2022-03-01",
             "match_date": "2022-11-01", "placed_date": "2022-12-01", "adoption_order_date": "2024-01-10"},
            # Waiting: placement order, not placed.
            {"child_id": "wt1", "decision_date": "2023-08-01", "placement_order_date": "2023-10-01"},
            # Plan stopped on 5 Jan 2024.
            {"child_id": "wt2", "decision_date": "2023-08-01", "placement_order_date": "2023-10-01",
             "stopped_date": "2024-01-05"},
            # Placed on the month end: no longer waiting at 31 Jan.
            {"child_id": "wt3", "decision_date": "2023-08-01", "placement_order_date": "2023-10-01",
             "placed_date": "2024-01-31"},
        ],
        cla_episodes=[{"child_id": "ad2", "decom": "2021-11-01", "dec": "2023-09-01", "rne": "S", "ls": "C2",
                       "place": "A5", "rec": "E11"}],
    )
    return run(ds, ["adoptions", "adoption_a1_days", "adoption_a2_days", "adoption_waiting"],
               first="2023-04", last="2024-03")


def test_adoptions_in_the_year(out):
    # Financial year 2023-24: ad1 (May 2023), ad2 (Sep 2023), ad3 (Jan 2024) = 3.
    assert figure(out, "adoptions", "year", "2024-03")[0] == 3
    assert figure(out, "adoptions", "ytd", "2023-12")[0] == 2


def test_a1_average_days_care_to_adopters(out):
    # (264 + 212 + 303) / 3 = 779 / 3 = 259.67
    num, den, value = figure(out, "adoption_a1_days", "year", "2024-03")
    assert (num, den) == (779, 3) and approx(value, 779 / 3)


def test_a2_average_days_order_to_match(out):
    # ad1 92, ad2 0 (matched before the order), ad3 left out: (92 + 0) / 2 = 46.
    num, den, value = figure(out, "adoption_a2_days", "year", "2024-03")
    assert (num, den) == (92, 2) and approx(value, 46.0)


def test_children_waiting(out):
    # 31 Dec 2023: wt1, wt2, wt3. 31 Jan 2024: wt1 only (wt2 stopped, wt3 placed on 31 Jan).
    assert figure(out, "adoption_waiting", "snapshot", "2023-12")[0] == 3
    assert figure(out, "adoption_waiting", "snapshot", "2024-01")[0] == 1


def test_average_with_no_adoptions_is_empty_not_zero(out):
    # June 2023: no adoption order -> no average (value missing), status ok.
    r = row(out, "adoption_a1_days", "month", "2023-06")
    assert r["denominator"] == 0 and r["value"] != r["value"] and r["status"] == "ok"
