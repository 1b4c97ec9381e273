"""Benchmarks for synthetic authorities: region and "England" pooled as DfE pools
(sum of numerators over sum of denominators), neighbours by similarity. Answers by hand."""

import numpy as np
import pandas as pd
import pytest

from csc_workbench.errors import InputError
from csc_workbench.reference import (
    benchmark_summary, la_series, synthetic_benchmarks, synthetic_reference, synthetic_stat_neighbours,
)

AUTH = pd.DataFrame({"authority": ["A01", "A02", "A03", "A04"],
                     "la_name": ["Aville", "Bton", "Cfield", "Dmouth"],
                     "region_code": ["R1", "R1", "R2", "R2"],
                     "region_name": ["North", "North", "South", "South"]})
POP = pd.DataFrame({"authority": ["A01", "A02", "A03", "A04"], "year": 2023,
                    "population_0_17": [10_000, 20_000, 5_000, 15_000]})


def _m(authority, measure, numerator, denominator, value, status="ok", period_type="year",
       period_end="2024-03-31", breakdown="all"):
    return {"authority": authority, "measure": measure, "breakdown": breakdown,
            "breakdown_value": "all" if breakdown == "all" else "x", "period_type": period_type,
            "period_end": pd.Timestamp(period_end), "numerator": numerator, "denominator": denominator,
            "value": value, "status": status}


YM = pd.DataFrame([
    # second or subsequent plans: A01 10/40, A02 3/60 (suppressed for readers), A03 12/48,
    # A04 not computable
    _m("A01", "cpp_repeat_pct", 10, 40, 25.0),
    _m("A02", "cpp_repeat_pct", 3, 60, 5.0, status="suppressed"),
    _m("A03", "cpp_repeat_pct", 12, 48, 25.0),
    _m("A04", "cpp_repeat_pct", np.nan, np.nan, np.nan, status="not_available"),
    # looked after at 31 March (a count)
    _m("A01", "cla", 100, np.nan, 100), _m("A02", "cla", 200, np.nan, 200),
    _m("A03", "cla", 50, np.nan, 50), _m("A04", "cla", 150, np.nan, 150),
    # referral rate with no denominator: the population (mid-2023 for 2023-24) fills it
    _m("A01", "referral_rate", 50, np.nan, 50.0), _m("A02", "referral_rate", 30, np.nan, 15.0),
    _m("A03", "referral_rate", 20, np.nan, 40.0), _m("A04", "referral_rate", 30, np.nan, 20.0),
    # rows that are not the financial year, total breakdown: ignored
    _m("A01", "cla", 999, np.nan, 999, period_type="month", period_end="2024-02-29"),
    _m("A01", "cla", 7, np.nan, 7, breakdown="team"),
    # an earlier year
    _m("A01", "cla", 90, np.nan, 90, period_end="2023-03-31"),
    _m("A02", "cla", 210, np.nan, 210, period_end="2023-03-31"),
])


@pytest.fixture(scope="module")
def bench():
    return synthetic_benchmarks(YM, AUTH, POP)


def _get(b, measure, geography, code, year=2024):
    r = b[(b["measure"] == measure) & (b["geography"] == geography) & (b["code"] == code) & (b["year"] == year)]
    assert len(r) == 1, r
    return r.iloc[0]


def test_own_values_kept_with_status(bench):
    a2 = _get(bench, "cpp_repeat_pct", "la", "A02")
    assert a2["status"] == "suppressed" and a2["symbol"] == "c" and np.isnan(a2["value"])
    a4 = _get(bench, "cpp_repeat_pct", "la", "A04")
    assert a4["status"] == "not_available" and np.isnan(a4["value"])
    a1 = _get(bench, "cpp_repeat_pct", "la", "A01")
    assert (a1["value"], a1["numerator"], a1["denominator"]) == (25.0, 10, 40)
    assert set(bench["release"]) == {"synthetic"}


def test_region_and_england_pooled(bench):
    # North: (10 + 3) / (40 + 60) = 13%; the suppressed A02 still counts in the total
    assert _get(bench, "cpp_repeat_pct", "region", "R1")["value"] == pytest.approx(13.0)
    # South: A03 only (A04 not computable): 12 / 48 = 25%
    assert _get(bench, "cpp_repeat_pct", "region", "R2")["value"] == pytest.approx(25.0)
    # England: (10 + 3 + 12) / (40 + 60 + 48) = 25 / 148 = 16.89%, not the mean of 25, 5, 25
    eng = _get(bench, "cpp_repeat_pct", "england", "SYNTHETIC-ENGLAND")
    assert eng["value"] == pytest.approx(2500 / 148)
    assert (eng["numerator"], eng["denominator"]) == (25, 148)
    # counts add up
    assert _get(bench, "cla", "region", "R1")["value"] == 300
    assert _get(bench, "cla", "england", "SYNTHETIC-ENGLAND")["value"] == 500
    assert _get(bench, "cla", "england", "SYNTHETIC-ENGLAND", 2023)["value"] == 300  # 90 + 210
    # rates over populations: North (50 + 30) / (10,000 + 20,000) x 10,000 = 26.67
    assert _get(bench, "referral_rate", "region", "R1")["value"] == pytest.approx(80 / 30_000 * 10_000)
    assert _get(bench, "referral_rate", "la", "A02")["denominator"] == 20_000


def test_only_yearly_totals_used(bench):
    assert not ((bench["value"] == 999) | (bench["value"] == 7)).any()
    assert set(bench["year"]) == {2023, 2024}


def test_summary_for_a_synthetic_authority():
    ref = synthetic_reference(YM, AUTH, POP)
    s = benchmark_summary(ref["ref_benchmarks"], ref["ref_stat_neighbours"], AUTH, "Cfield").set_index("measure")
    r = s.loc["cpp_repeat_pct"]
    assert r["la_value"] == 25.0 and r["region"] == pytest.approx(25.0)
    assert r["england"] == pytest.approx(2500 / 148)
    # published LA values 25 (A01) and 25 (A03); A02 suppressed and A04 not available are out
    assert r["n_ranked"] == 2 and r["rank"] == 1
    series = la_series(ref, "A01", "cla")
    assert series["year"].tolist() == [2023, 2024] and series["la_value"].tolist() == [90.0, 100.0]
    assert series["england"].tolist() == [300.0, 500.0]


def test_neighbours_by_similarity():
    # CLA rates 10, 11, 50, 52 per 10,000 (no population): A01's nearest is A02, then A03, A04
    auth = pd.DataFrame({"authority": ["A01", "A02", "A03", "A04"], "la_name": list("ABCD"),
                         "region_code": ["R2", "R1", "R1", "R1"], "region_name": "x"})
    ym = pd.DataFrame([_m(a, "cla_rate", np.nan, np.nan, v) for a, v in
                       zip(["A01", "A02", "A03", "A04"], [10, 11, 50, 52])])
    sn = synthetic_stat_neighbours(auth, ym)
    got = sn.groupby("code")["neighbour_code"].apply(list).to_dict()
    assert got == {"A01": ["A02", "A03", "A04"], "A02": ["A01", "A03", "A04"],
                   "A03": ["A04", "A02", "A01"], "A04": ["A03", "A02", "A01"]}
    assert set(sn["model"]) == {"synthetic"}
    assert sn.groupby("code")["neighbour_rank"].apply(list).eq([[1, 2, 3]] * 4).all()
    # with nothing to compare, the same region comes first, then code order
    flat = synthetic_stat_neighbours(auth, None, n=2)
    assert flat[flat["code"] == "A02"]["neighbour_code"].tolist() == ["A03", "A04"]
    assert flat[flat["code"] == "A01"]["neighbour_code"].tolist() == ["A02", "A03"]


def test_bad_input_named():
    with pytest.raises(InputError, match="status"):
        synthetic_benchmarks(YM.drop(columns="status"), AUTH)
    with pytest.raises(InputError, match="A03"):
        synthetic_benchmarks(YM, AUTH[AUTH["authority"] != "A03"])
