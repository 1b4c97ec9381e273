"""Ranks, quartiles, statistical-neighbour average and best, mid-50% position: checked on a
small hand-made table whose answers are worked out by hand below (not by the code)."""

import math

import numpy as np
import pandas as pd
import pytest

from csc_workbench.reference import (
    UnknownAuthority, benchmark_summary, la_series, pick_release, resolve_authority,
)

AUTH = pd.DataFrame({
    "old_la_code": ["101", "102", "103", "104", "105", "106", "107"],
    "new_la_code": ["E0000101", "E0000102", "E0000103", "E0000104", "E0000105", "E0000106", "E0000107"],
    "la_name": ["Aston", "Brinton", "Carlow", "Dunmore", "Eastwick", "Fairley", "Glenham"],
    "region_code": ["R1", "R1", "R1", "R2", "R2", "R2", "R2"],
    "region_name": ["North", "North", "North", "South", "South", "South", "South"],
})
SN = pd.DataFrame({
    "code": "102", "neighbour_rank": [1, 2, 3, 4],
    "neighbour_code": ["101", "103", "105", "106"], "closeness": "Close", "model": "2025",
})


def _rows(measure, polarity, cells, year=2024, release="R 2024", release_year=2024):
    """cells: code -> value (number) or symbol ('c', 'x')."""
    out = []
    for code, cell in cells.items():
        geo = "england" if code == "E92000001" else "region" if code.startswith("R") else "la"
        ok = not isinstance(cell, str)
        out.append({
            "measure": measure, "dfe_measure": measure, "lait_measure": None, "year": year,
            "geography": geo, "code": code, "new_code": "", "name": code,
            "value": float(cell) if ok else np.nan,
            "status": "ok" if ok else ("suppressed" if cell == "c" else "not_available"),
            "symbol": "" if ok else cell, "numerator": np.nan, "denominator": np.nan,
            "polarity": polarity, "unit": "pct", "release": release, "release_year": release_year,
            "source_file": "hand.csv",
        })
    return out


# high is good: published LA values 40, 50, 60, 60, 80, 90 (105 suppressed).
HIGH = {"101": 50, "102": 60, "103": 60, "104": 80, "105": "c", "106": 90, "107": 40,
        "R1": 55, "R2": 70, "E92000001": 62}
# low is good: published 5, 10, 20, 30, 40, 50 (106 not available).
LOW = {"101": 10, "102": 20, "103": 30, "104": 40, "105": 50, "106": "x", "107": 5,
       "R1": 15, "R2": 35, "E92000001": 25}
# no polarity, and the authority's own value suppressed.
NONE = {"101": 1, "102": "c", "103": 3, "104": 4, "105": 5, "106": 6, "107": 7,
        "R1": 2, "R2": 5, "E92000001": 4}

REF = pd.DataFrame(_rows("m_high", "high", HIGH) + _rows("m_low", "low", LOW) + _rows("m_none", "none", NONE)
                   # an earlier release of one value and an earlier year
                   + _rows("m_high", "high", {"102": 58}, release="R 2023", release_year=2023)
                   + _rows("m_high", "high", {"101": 45, "102": 52, "103": 61, "E92000001": 57, "R1": 50},
                           year=2023, release="R 2023", release_year=2023))


@pytest.fixture(scope="module")
def summary():
    s = benchmark_summary(REF, SN, AUTH, "102")
    return s.set_index("measure")


def test_high_is_good(summary):
    r = summary.loc["m_high"]
    assert r["year"] == 2024 and r["release"] == "R 2024"
    assert r["la_value"] == 60 and r["la_status"] == "ok"
    # neighbours 101 (50), 103 (60), 105 (suppressed: left out), 106 (90)
    assert r["sn_count"] == 3
    assert r["sn_average"] == pytest.approx(200 / 3)
    assert r["sn_best"] == 90 and r["sn_best_code"] == "106"
    assert r["region"] == 55 and r["region_code"] == "R1" and r["england"] == 62
    # QUARTILE.INC of 40,50,60,60,80,90: p25 at position 1.25 -> 50 + 0.25*10 = 52.5;
    # median at 2.5 -> 60; p75 at 3.75 -> 60 + 0.75*20 = 75
    assert r["england_p25"] == pytest.approx(52.5)
    assert r["england_median"] == pytest.approx(60)
    assert r["england_p75"] == pytest.approx(75)
    assert r["england_top_quartile"] == pytest.approx(75)
    # two LAs (80, 90) are better: rank 3, shared with 103 (also 60)
    assert r["rank"] == 3 and r["n_ranked"] == 6
    assert r["quartile"] == 2  # 60 < 75 but >= the median 60
    assert r["mid50_position"] == "within" and r["mid50_judgement"] == "in range"


def test_low_is_good(summary):
    r = summary.loc["m_low"]
    # neighbours 101 (10), 103 (30), 105 (50), 106 (not available)
    assert r["sn_count"] == 3 and r["sn_average"] == pytest.approx(30)
    assert r["sn_best"] == 10 and r["sn_best_code"] == "101"
    # 5,10,20,30,40,50: p25 = 10 + 0.25*10 = 12.5, median 25, p75 = 30 + 0.75*10 = 37.5
    assert r["england_p25"] == pytest.approx(12.5) and r["england_p75"] == pytest.approx(37.5)
    assert r["england_top_quartile"] == pytest.approx(12.5)  # low is good: the p25
    assert r["rank"] == 3  # 5 and 10 are lower (better)
    assert r["quartile"] == 2
    assert r["mid50_position"] == "within"


def test_low_is_good_outside_the_middle_half():
    s = benchmark_summary(REF, SN, AUTH, "104").set_index("measure")
    r = s.loc["m_low"]  # 40 > p75 37.5
    assert r["mid50_position"] == "above" and r["mid50_judgement"] == "worse"
    assert r["rank"] == 5 and r["quartile"] == 4
    h = s.loc["m_high"]  # 80 > p75 75, high is good
    assert h["mid50_position"] == "above" and h["mid50_judgement"] == "better"
    assert h["rank"] == 2 and h["quartile"] == 1
    g = benchmark_summary(REF, SN, AUTH, "107").set_index("measure").loc["m_low"]  # 5 < p25
    assert g["mid50_position"] == "below" and g["mid50_judgement"] == "better"
    assert g["rank"] == 1 and g["quartile"] == 1
    # no neighbours in the table for 107: nothing to average
    assert g["sn_count"] == 0 and math.isnan(g["sn_average"])


def test_suppressed_own_value_stays_suppressed(summary):
    r = summary.loc["m_none"]
    assert r["la_status"] == "suppressed" and r["la_symbol"] == "c"
    assert math.isnan(r["la_value"])  # never zero
    assert pd.isna(r["rank"]) and pd.isna(r["quartile"]) and r["mid50_position"] is None
    assert r["n_ranked"] == 6
    # neighbours 101 (1), 103 (3), 105 (5), 106 (6) are all published
    assert r["sn_count"] == 4 and r["sn_average"] == pytest.approx(15 / 4)
    assert math.isnan(r["sn_best"])  # no polarity, no "best"


def test_no_polarity_ranks_highest_first_without_judgement():
    r = benchmark_summary(REF, SN, AUTH, "106").set_index("measure").loc["m_none"]
    # published 1,3,4,5,6,7: 6 is second highest; p75 at 3.75 -> 5 + 0.75*1 = 5.75
    assert r["rank"] == 2 and r["rank_order"].startswith("1 = highest")
    assert r["mid50_position"] == "above" and r["mid50_judgement"] is None


def test_earlier_year_and_release():
    s = benchmark_summary(REF, SN, AUTH, "Brinton", year=2023).set_index("measure")
    assert list(s.index) == ["m_high"]
    r = s.loc["m_high"]
    # 2023 (release R 2023): 101 45, 102 52, 103 61 -> 102 second of three
    assert r["la_value"] == 52 and r["rank"] == 2 and r["n_ranked"] == 3
    assert r["sn_average"] == pytest.approx(53) and r["england"] == 57
    latest = pick_release(REF, "latest")
    first = pick_release(REF, "first")
    key = (REF["measure"] == "m_high") & (REF["code"] == "102") & (REF["year"] == 2024)
    assert key.sum() == 2
    pick = lambda f: f[(f["measure"] == "m_high") & (f["code"] == "102") & (f["year"] == 2024)]
    assert pick(latest)["value"].tolist() == [60.0]
    assert pick(first)["value"].tolist() == [58.0]
    only = pick_release(REF, "R 2023")
    assert set(only["release"]) == {"R 2023"}


def test_la_series_over_years():
    ref = {"ref_benchmarks": REF, "ref_stat_neighbours": SN, "ref_authorities": AUTH}
    s = la_series(ref, "E0000102", "m_high")
    assert s["year"].tolist() == [2023, 2024]
    assert s["la_value"].tolist() == [52.0, 60.0]
    assert s["england"].tolist() == [57.0, 62.0]
    assert s["region"].tolist() == [50.0, 55.0]
    assert s["sn_count"].tolist() == [2, 3]  # 2023: 101 and 103 only


def test_resolve_authority_forms():
    assert resolve_authority("102", AUTH) == "102"
    assert resolve_authority(102, AUTH) == "102"
    assert resolve_authority("e0000102", AUTH) == "102"
    assert resolve_authority(" brinton ", AUTH) == "102"
    with pytest.raises(UnknownAuthority, match="did you mean Brinton"):
        resolve_authority("Brintn", AUTH)
    with pytest.raises(UnknownAuthority, match="unknown authority"):
        resolve_authority("Zanzibar", AUTH)
