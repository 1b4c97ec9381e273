"""Looked-after measures against hand-worked answers. Short breaks (V3/V4) are left out."""

import pytest

from measures_support import approx, dataset, figure, row, run


def ep(child, decom, dec=None, rne="S", ls="C2", place="U4", provider="PR1", rec=None):
    return {"child_id": child, "decom": decom, "dec": dec, "rne": rne, "ls": ls, "place": place,
            "place_provider": provider, "rec": rec if rec else ("X1" if dec else None)}


# ---- counts, starts, ceased, reasons, placement mix ---------------------------------------------

@pytest.fixture(scope="module")
def stock():
    ds = dataset(
        persons=[
            {"child_id": "L1", "dob": "2010-05-05"}, {"child_id": "L2", "dob": "2014-01-01", "uasc": True},
            {"child_id": "L3", "dob": "2012-01-01", "uasc": True}, {"child_id": "L4", "dob": "2011-01-01"},
            {"child_id": "L5", "dob": "2013-01-01"}, {"child_id": "L6", "dob": "2015-01-01"},
            {"child_id": "L7", "dob": "2020-03-01"}, {"child_id": "L8", "dob": "2006-02-10"},
            {"child_id": "L9", "dob": "2007-06-01"}, {"child_id": "L10", "dob": "2009-01-01"},
        ],
        cla_episodes=[
            ep("L1", "2023-04-03", "2023-08-01", ls="C1"),
            ep("L1", "2023-08-01", "2023-10-01", rne="P", place="U6", provider="PR4"),
            ep("L1", "2023-10-01", "2024-01-10", rne="L", place="U6", provider="PR4"),
            ep("L1", "2024-01-10", rne="P", place="K2", provider="PR4"),
            # Short breaks: left out, even when spanning a month end.
            ep("L2", "2024-01-20", "2024-02-02", ls="V3", rec="E8"),
            ep("L5", "2023-05-01", "2023-05-03", ls="V4", rec="E8"),
            ep("L3", "2023-12-01", place="U4", provider="PR1"),
            # L4: a period of care lasting under a day, then a new one.
            ep("L4", "2023-06-01", "2023-06-01", ls="V2", rec="E4A"),
            ep("L4", "2023-09-01", "2023-12-01", ls="V2"),
            ep("L4", "2023-12-01", rne="P", ls="V2", place="U6", provider="PR5"),
            ep("L6", "2022-01-10", "2024-02-15", place="U3", rec="E45"),             # special guardianship
            ep("L7", "2021-05-01", "2023-06-01"),
            ep("L7", "2023-06-01", "2024-02-20", rne="B", ls="E1", place="A5", rec="E11"),  # adopted
            ep("L8", "2022-04-01", "2024-02-10", provider="PR4", rec="E17"),         # left on 18th birthday
            ep("L9", "2023-03-01", "2024-02-05", ls="V2", place="P1", provider="PR0", rec="E13"),  # left at 16
            ep("L10", "2022-01-01", "2023-05-01"),
            ep("L10", "2023-05-01", "2023-11-01", rne="P", place="U6", provider="PR4"),
            ep("L10", "2023-11-01", rne="P", place="K2", provider="PR4"),
        ],
        population=[{"year": 2023, "population_0_17": 40_000}],
    )
    return run(ds, ["cla", "cla_rate", "cla_starts", "cla_ceased", "cla_ceased_reason_pct", "cla_placement_mix_pct",
                    "cla_stayed_to_18_pct", "cla_uasc", "cla_uasc_starts"], first="2023-04", last="2024-03")


def test_looked_after_at_month_end_leaves_out_short_breaks(stock):
    # 31 Jan 2024: L1, L3, L4, L6, L7, L8, L9, L10 = 8. L2 (V3, 20 Jan - 2 Feb) is left out.
    assert figure(stock, "cla", "snapshot", "2024-01")[0] == 8
    # 8 / 40,000 x 10,000 = 2.0
    assert approx(figure(stock, "cla_rate", "snapshot", "2024-01")[2], 2.0)
    # 31 Mar 2024, after four left in February: L1, L3, L4, L10 = 4.
    assert figure(stock, "cla", "snapshot", "2024-03")[0] == 4
    # 16+ at 31 Jan: L8 (17) and L9 (16).
    assert figure(stock, "cla", "snapshot", "2024-01", "age_band", "16+")[0] == 2


def test_starts_count_periods_of_care_not_episodes(stock):
    # April 2023: L1 (its later P and L episodes continue the same period). May: L5 is a short break: 0.
    assert figure(stock, "cla_starts", "month", "2023-04")[0] == 1
    assert figure(stock, "cla_starts", "month", "2023-05")[0] == 0
    # L4: a period of care on 1 June (ended the same day) and another on 1 September.
    assert figure(stock, "cla_starts", "month", "2023-06")[0] == 1
    assert figure(stock, "cla_starts", "month", "2023-09")[0] == 1
    # Year to date to March 2024: L1, L4 (twice), L3 = 4.
    assert figure(stock, "cla_starts", "ytd", "2024-03")[0] == 4


def test_ceased_and_permanence(stock):
    # February 2024: L6 (SGO E45), L7 (adopted E11), L8 (E17), L9 (E13) = 4.
    assert figure(stock, "cla_ceased", "month", "2024-02")[0] == 4
    # Permanence: adoption + special guardianship = 2 of 4.
    num, den, value = figure(stock, "cla_ceased_reason_pct", "month", "2024-02")
    assert (num, den) == (2, 4) and approx(value, 50.0)
    assert figure(stock, "cla_ceased_reason_pct", "month", "2024-02", "reason", "adoption")[:2] == (1, 4)
    assert figure(stock, "cla_ceased_reason_pct", "month", "2024-02", "reason", "special guardianship")[:2] == (1, 4)
    assert figure(stock, "cla_ceased_reason_pct", "month", "2024-02", "reason", "other")[:2] == (2, 4)


def test_placement_mix(stock):
    # 31 Jan 2024 (8 children): in-house foster L3 (U4 PR1), L6 (U3 PR1); IFA L4 (U6 PR5), L8 (U4 PR4);
    # residential L1, L10 (K2); placed with parents L9 (P1); other L7 (A5).
    def share(group):
        return figure(stock, "cla_placement_mix_pct", "snapshot", "2024-01", "placement_type", group)[:2]
    assert share("in-house foster") == (2, 8)
    assert share("independent fostering agency") == (2, 8)
    assert share("residential") == (2, 8)
    assert share("placed with parents") == (1, 8)
    assert share("other") == (1, 8)


def test_left_care_at_16_plus_having_stayed_to_18(stock):
    # Ceased in February aged 16+: L8 (ceased on his 18th birthday: stayed), L9 (16: not). 1 of 2.
    assert figure(stock, "cla_stayed_to_18_pct", "month", "2024-02")[:2] == (1, 2)


def test_unaccompanied_children(stock):
    # L3 is UASC and looked after at 31 Jan; L2 is UASC but on short breaks only.
    assert figure(stock, "cla_uasc", "snapshot", "2024-01")[0] == 1
    assert figure(stock, "cla_uasc_starts", "month", "2023-12")[0] == 1


# ---- three or more placements -----------------------------------------------------------------

def test_three_or_more_placements_in_12_months():
    ds = dataset(
        cla_episodes=[
            # P1: placements 3 Apr 2023 (S), 1 Aug (P), 10 Jan 2024 (P); the L episode is not a placement.
            ep("P1", "2023-04-03", "2023-08-01"),
            ep("P1", "2023-08-01", "2023-10-01", rne="P"),
            ep("P1", "2023-10-01", "2024-01-10", rne="L"),
            ep("P1", "2024-01-10", rne="P"),
            ep("P3", "2023-12-01"),
            # P4: a placement under 24 hours (1 Jun 2023, ended the same day) does not count.
            ep("P4", "2023-06-01", "2023-06-01", ls="V2", rec="E4A"),
            ep("P4", "2023-09-01", "2023-12-01"),
            ep("P4", "2023-12-01", rne="P"),
            # P10: the placement open at the window start counts (1 Jan 2022 - 1 May 2023).
            ep("P10", "2022-01-01", "2023-05-01"),
            ep("P10", "2023-05-01", "2023-11-01", rne="P"),
            ep("P10", "2023-11-01", rne="P"),
        ],
    )
    out = run(ds, "cla_3plus_placements_pct", first="2023-04", last="2024-04")
    # 31 Mar 2024 (12 months from 1 Apr 2023): P1 3, P3 1, P4 2 (not 3), P10 3 (Jan 2022 placement open on
    # 1 Apr 2023). 2 of 4.
    assert figure(out, "cla_3plus_placements_pct", "snapshot", "2024-03")[:2] == (2, 4)
    # 30 Apr 2024 (from 1 May 2023): P10's first placement ended on 1 May, so it no longer counts: 2.
    # P1: 3 Apr 2023 placement ran to 1 Aug, still counts: 3. 1 of 4.
    assert figure(out, "cla_3plus_placements_pct", "snapshot", "2024-04")[:2] == (1, 4)


# ---- long-term stability --------------------------------------------------------------------

def test_long_term_placement_stability_and_a_child_turning_16():
    ds = dataset(
        persons=[{"child_id": "S7", "dob": "2020-03-01"}, {"child_id": "S11", "dob": "2012-01-01"},
                 {"child_id": "S12", "dob": "2010-01-01"}, {"child_id": "S13", "dob": "2007-06-01"},
                 {"child_id": "S14", "dob": "2012-01-01"}],
        cla_episodes=[
            # Placed for adoption 1 Jun 2023; with the placement before it (from 1 May 2021) over 2 years.
            ep("S7", "2021-05-01", "2023-06-01"), ep("S7", "2023-06-01", rne="P", ls="E1", place="A5"),
            ep("S11", "2021-01-15"),                                        # same placement 3 years
            ep("S12", "2021-03-01", "2023-03-01"), ep("S12", "2023-03-01", rne="P"),  # moved 11 months ago
            ep("S13", "2020-01-01"),                                        # turns 16 on 1 Jun 2023
            ep("S14", "2021-08-01"),                                        # 2.5 years on 1 Feb 2024
        ],
    )
    out = run(ds, "cla_stability_pct", first="2023-04", last="2024-02")
    # 31 Jan 2024, under 16 and looked after since 31 Jul 2021 or before: S7, S11, S12 (S13 is 16; S14
    # reaches 2.5 years on 1 Feb). In the same placement 2 years (or adoptive placement with the one before):
    # S7, S11. 2 of 3.
    assert figure(out, "cla_stability_pct", "snapshot", "2024-01")[:2] == (2, 3)
    # 29 Feb 2024: S14 joins, in the same placement since 1 Aug 2021: 3 of 4.
    assert figure(out, "cla_stability_pct", "snapshot", "2024-02")[:2] == (3, 4)
    # 31 May 2023: S13 is 15, looked after since 2020 in one placement: 1 of 1 (the others are not yet
    # 2.5 years in care). 30 June 2023: S13 is 16: no child counts.
    assert figure(out, "cla_stability_pct", "snapshot", "2023-05")[:2] == (1, 1)
    assert figure(out, "cla_stability_pct", "snapshot", "2023-06")[:2] == (0, 0)


# ---- reviews, visits, health --------------------------------------------------------------------

def test_reviews_within_timescale():
    ds = dataset(
        cla_episodes=[ep("R1", "2024-01-02"), ep("R2", "2024-01-02"),
                      ep("R3", "2024-01-10", "2024-01-12", ls="V3", rec="E8")],
        cla_reviews=[
            # From Tue 2 Jan: 3-5 Jan = 3, 8-12 = 8, 15-19 = 13, 22-26 = 18, 29 = 19, Tue 30 = 20 working days.
            {"child_id": "R1", "review_date": "2024-01-30"},  # first within 20 working days: on time
            {"child_id": "R1", "review_date": "2024-04-30"},  # second within 3 months of the first: on time
            {"child_id": "R1", "review_date": "2024-10-31"},  # third due by 30 Oct (6 months): late
            {"child_id": "R2", "review_date": "2024-01-31"},  # 21 working days: late
            {"child_id": "R3", "review_date": "2024-01-15"},  # short breaks: outside a period of care
        ],
    )
    out = run(ds, "cla_reviews_timely_pct", first="2023-04", last="2024-10")
    r = row(out, "cla_reviews_timely_pct", "month", "2024-01")
    assert (r["numerator"], r["denominator"]) == (1, 2)
    assert r["note"] == "1 reviews outside a period of care left out"
    assert figure(out, "cla_reviews_timely_pct", "month", "2024-04")[:2] == (1, 1)
    assert figure(out, "cla_reviews_timely_pct", "month", "2024-10")[:2] == (0, 1)


def _visit_data():
    def v(child, date):
        return {"visit_id": child + date, "child_id": child, "visit_date": date, "kind": "CLA", "seen": True}
    return dataset(
        cla_episodes=[ep("V1", "2024-03-20"), ep("V2", "2024-03-28"), ep("V3", "2023-01-10"),
                      ep("V4", "2023-10-01"), ep("V5", "2023-10-01"),
                      ep("V6", "2023-06-01", "2024-03-15"), ep("V6", "2024-03-15", rne="P")],
        visits=[v("V3", "2024-01-15"), v("V4", "2024-02-01"), v("V5", "2024-02-20"), v("V6", "2024-03-01")],
    )


@pytest.mark.parametrize("standard,expected", [
    # At 31 Mar 2024. National: V1 placed 20 Mar, no visit by 27 Mar: late. V2 placed 28 Mar: first visit
    # not due until 4 Apr. V3 (placement over a year old at its last visit, 15 Jan): 12 weeks -> 8 Apr.
    # V4 (first year, visited 1 Feb): 6 weeks -> 14 Mar: late. V5 (20 Feb): 6 weeks -> 2 Apr. V6 moved on
    # 15 Mar with no visit since: due 22 Mar: late. In time: V2, V3, V5 = 3 of 6.
    ("national", (3, 6)),
    # Local 4-weekly: V3 due 12 Feb, V5 due 19 Mar: late. Only V2 = 1 of 6.
    ("local", (1, 6)),
])
def test_visits_within_timescale(standard, expected):
    out = run(_visit_data(), "cla_visits_timely_pct", first="2023-04", last="2024-03", cla_visit_standard=standard)
    assert figure(out, "cla_visits_timely_pct", "snapshot", "2024-03")[:2] == expected


def test_health_and_dental_checks_in_last_12_months():
    ds = dataset(
        cla_episodes=[ep("H1", "2023-03-31"), ep("H2", "2023-04-01"), ep("H3", "2020-01-01")],
        health_checks=[
            {"child_id": "H1", "check_date": "2023-04-01", "kind": "health"},
            {"child_id": "H1", "check_date": "2023-03-31", "kind": "dental"},  # 12 months and a day before
            {"child_id": "H3", "check_date": "2024-02-01", "kind": "health"},
            {"child_id": "H3", "check_date": "2023-06-01", "kind": "dental"},
            {"child_id": "H2", "check_date": "2024-03-01", "kind": "health"},
        ],
    )
    out = run(ds, ["cla_health_pct", "cla_dental_pct"], first="2023-04", last="2024-03")
    # 31 Mar 2024: looked after 12 months or more: H1 (since 31 Mar 2023), H3. H2 (1 Apr 2023) not yet.
    assert figure(out, "cla_health_pct", "snapshot", "2024-03")[:2] == (2, 2)
    assert figure(out, "cla_dental_pct", "snapshot", "2024-03")[:2] == (1, 2)


# ---- missing and away ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def missing():
    ds = dataset(
        cla_episodes=[ep("M1", "2023-01-01"), ep("M2", "2023-06-01", "2024-01-01", rec="E8"),
                      ep("M3", "2024-01-31"), ep("M4", "2023-11-01"),
                      ep("M5", "2024-01-14", "2024-01-16", ls="V3", rec="E8")],
        missing=[
            {"child_id": "M1", "kind": "M", "start_date": "2023-08-01"},
            {"child_id": "M1", "kind": "M", "start_date": "2024-01-10"},
            {"child_id": "M3", "kind": "A", "start_date": "2024-01-31"},
            {"child_id": "M4", "kind": "M", "start_date": "2023-12-30", "end_date": "2024-01-02"},
            {"child_id": "M5", "kind": "M", "start_date": "2024-01-15"},
        ],
    )
    return run(ds, ["cla_missing_pct", "cla_away_pct"], first="2023-01", last="2024-01")


def test_children_looked_after_who_went_missing(missing):
    # January 2024: looked after at some time: M1, M2 (ceased 1 Jan), M3 (started 31 Jan), M4 = 4
    # (M5 short breaks left out). Missing episode starting in January: M1. 1 of 4.
    assert figure(missing, "cla_missing_pct", "month", "2024-01")[:2] == (1, 4)
    # December 2023: M1, M2, M4; M4 went missing on 30 Dec. 1 of 3.
    assert figure(missing, "cla_missing_pct", "month", "2023-12")[:2] == (1, 3)
    # Year to date (April 2023 - January 2024): M1 (twice, counted once), M4: 2 of 4 children.
    assert figure(missing, "cla_missing_pct", "ytd", "2024-01")[:2] == (2, 4)
    assert figure(missing, "cla_missing_pct", "rolling_12m", "2024-01")[:2] == (2, 4)


def test_children_looked_after_who_were_away(missing):
    # January: M3 away on the day care began. 1 of 4.
    assert figure(missing, "cla_away_pct", "month", "2024-01")[:2] == (1, 4)


def test_episode_ending_before_it_starts_is_left_out():
    ds = dataset(cla_episodes=[ep("E1", "2023-10-01"),
                               # Ceased before it began: a data error, not a period of care.
                               ep("E2", "2023-10-05", "2023-09-01", rec="E8")])
    out = run(ds, ["cla", "cla_starts", "cla_ceased"], first="2023-04", last="2023-12")
    assert figure(out, "cla", "snapshot", "2023-10")[0] == 1
    assert figure(out, "cla_starts", "month", "2023-10")[0] == 1
    assert figure(out, "cla_ceased", "month", "2023-09")[0] == 0
