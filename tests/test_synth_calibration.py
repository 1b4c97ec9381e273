"""Synthetic authorities look like real ones: each yearly figure lies inside the range real
English authorities show (5th to 95th percentile of all LA-years 2019-2025) in DfE's tables.

The real ranges are computed here from the published files in ``../shared/reference/dfe``;
the synthetic figures with deliberately plain pandas (not the measures engine), for a clean
financial year (2022-23: after the first year, whose re-referrals lack earlier history, and
before the planted anomalies of the last two years).

A small authority's yearly figure carries sampling noise (36 care leavers, 120 children in
care), as real small authorities' do. So a figure passes when it is consistent with the real
range: its value +/- 2 standard errors (binomial for percentages, Poisson for rates)
overlaps the 5th-95th percentile range. With the hundreds or thousands of records behind most
figures the margin is a point or two; a miscalibrated generator still fails.
"""

import numpy as np
import pandas as pd
import pytest

from csc_workbench.calendar import working_days_between
from synth_fixtures import synth_data, synth_manifest, synth_pair  # noqa: F401  (fixtures)

YEARS = range(2019, 2026)
FY = 2023  # April 2022 - March 2023


def _la(df):
    df = df[(df["geographic_level"] == "Local authority") & df["time_period"].isin(YEARS)].copy()
    df["old_la_code"] = pd.to_numeric(df["old_la_code"], errors="coerce")
    return df


def _num(s):
    return pd.to_numeric(s, errors="coerce")  # 'c', 'x', 'z', 'low' -> NaN


def _pct_range(values):
    v = _num(pd.Series(values)).dropna()
    assert len(v) > 300, "too few LA-years read: has the file layout changed?"
    return float(np.percentile(v, 5)), float(np.percentile(v, 95))


@pytest.fixture(scope="module")
def real_ranges(dfe_dir):
    read = lambda name: _la(pd.read_csv(dfe_dir / name, encoding="utf-8-sig", low_memory=False))  # noqa: E731
    pop = read("ons_mid-year_population_estimates_2012_to_2024.csv")
    pop = pop.assign(pop=_num(pop["population_estimate"]))[["time_period", "old_la_code", "pop"]]
    # DfE divides a year ending 31 March Y by the mid-(Y-1) estimate
    pop = pop.assign(time_period=pop["time_period"] + 1)

    def rate(df, col):
        m = df.merge(pop, on=["time_period", "old_la_code"])
        return _num(m[col]) / m["pop"] * 10_000

    c1 = read("c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv")
    c4 = read("c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv")
    d3 = read("d3_cpps_subsequent_plan_2013_to_2025.csv")
    d5 = read("d5_cpps_at31march_by_duration_2013_to_2025.csv")
    cla = read("cla_number_and_rate_per_10k_children.csv")
    stab = read("la_cla_placement_stability.csv")
    leav = read("la_care_leavers_accommodation_suitability.csv")
    lait = pd.read_csv(dfe_dir / "lait_csc_indicators_long_2016_2025.csv")
    lait = lait[(lait["la_number"] < 900) & lait["years"].isin(YEARS)]
    return {
        "referral_rate": _pct_range(rate(c1, "referral_count")),
        "rereferral_pct": _pct_range(c1["rereferral_percent"]),
        "assessment_45wd_pct": _pct_range(lait.loc[lait["measure_short"] == "Continue_Assess_Comp", "value"]),
        "s47_rate": _pct_range(rate(c4, "Section47")),
        "icpc_rate": _pct_range(rate(c4, "ICPC")),
        "cpp_rate_31mar": _pct_range(rate(d5, "CPP_At31")),
        "cpp_repeat_pct": _pct_range(d3["CPP_subsequent_percent"]),
        "cla_rate_31mar": _pct_range(cla.loc[cla["population_type"].str.startswith("Children looked after on 31 March"),
                                             "rate_per_10000"]),
        "cla_3plus_placements_pct": _pct_range(stab.loc[(stab["cla_group"] == "CLA on 31 March") & (
            stab["placement_stability"] == "With 3 or more placements during the year"), "children_percent"]),
        "cl_suitable_accom_pct": _pct_range(leav.loc[(leav["care_leaver_age"] == "19 to 21 years") & (
            leav["breakdown"] == "Accommodation considered suitable"), "care_leaver_percent"]),
    }


def test_real_ranges_are_read_correctly(real_ranges):
    # anchors from the published national figures (README: England 2023-24 referral rate 518)
    lo, hi = real_ranges["referral_rate"]
    assert lo < 518 < hi and 250 < lo < 400 and 750 < hi < 1000
    lo, hi = real_ranges["rereferral_pct"]
    assert 10 < lo < 16 and 26 < hi < 33
    lo, hi = real_ranges["cla_rate_31mar"]
    assert 25 < lo < 45 and 120 < hi < 170


MIN_DENOMINATOR = 30  # smaller samples say nothing about calibration
RATES = ("referral_rate", "s47_rate", "icpc_rate", "cpp_rate_31mar", "cla_rate_31mar")


def synthetic_year(d, fy):
    """The year's figures for one authority, computed from the canonical tables, with the
    denominator of each percentage (rates: the referrals, enquiries... counted)."""
    a, b = pd.Timestamp(fy - 1, 4, 1), pd.Timestamp(fy, 3, 31)
    pop = d.population.set_index("year")["population_0_17"][fy - 1]
    out, n = {}, {}
    r = d.referrals
    in_year = r[r["referral_date"].between(a, b)]
    out["referral_rate"] = len(in_year) / pop * 10_000
    n["referral_rate"] = len(in_year)
    s = r[["child_id", "referral_date"]].sort_values(["child_id", "referral_date"])
    s["previous"] = s.groupby("child_id")["referral_date"].shift()
    s = s[s["referral_date"].between(a, b)]
    out["rereferral_pct"] = (s["previous"] >= s["referral_date"] - pd.DateOffset(months=12)).mean() * 100
    n["rereferral_pct"] = len(s)
    x = d.assessments[d.assessments["authorised_date"].between(a, b)]
    out["assessment_45wd_pct"] = (working_days_between(x["start_date"], x["authorised_date"]) <= 45).mean() * 100
    n["assessment_45wd_pct"] = len(x)
    n["s47_rate"] = d.s47["start_date"].between(a, b).sum()
    out["s47_rate"] = n["s47_rate"] / pop * 10_000
    n["icpc_rate"] = d.icpcs["icpc_date"].between(a, b).sum()
    out["icpc_rate"] = n["icpc_rate"] / pop * 10_000
    p = d.cp_plans
    on_plan = (p["start_date"] <= b) & (p["end_date"].isna() | (p["end_date"] > b))
    n["cpp_rate_31mar"] = p.loc[on_plan, "child_id"].nunique()
    out["cpp_rate_31mar"] = n["cpp_rate_31mar"] / pop * 10_000
    started = p[p["start_date"].between(a, b)]
    out["cpp_repeat_pct"] = (started["previous_plans"] > 0).mean() * 100
    n["cpp_repeat_pct"] = len(started)
    e = d.cla_episodes[~d.cla_episodes["ls"].isin(["V3", "V4"])]
    looked_after = e[(e["decom"] <= b) & (e["dec"].isna() | (e["dec"] > b))]
    n["cla_rate_31mar"] = looked_after["child_id"].nunique()
    out["cla_rate_31mar"] = n["cla_rate_31mar"] / pop * 10_000
    # placements during the year: new placements (RNE S, P, B) starting in the year, plus the
    # placement a child was already in on 1 April
    new = e[e["rne"].isin(["S", "P", "B"]) & e["decom"].between(a, b)].groupby("child_id").size()
    in_care_1apr = set(e.loc[(e["decom"] < a) & (e["dec"].isna() | (e["dec"] >= a)), "child_id"])
    kids = looked_after["child_id"].unique()
    n_placements = new.reindex(kids, fill_value=0) + pd.Series(kids, index=kids).isin(in_care_1apr).astype(int)
    out["cla_3plus_placements_pct"] = (n_placements >= 3).mean() * 100
    n["cla_3plus_placements_pct"] = len(kids)
    c = d.care_leavers
    c = c[c["status_date"].between(a, b) & c["age"].between(19, 21)]
    c = c[~c["in_touch"].isin(["DIED", "RHOM", "NREQ"]) & (c["accommodation"].fillna("") != "G")]
    out["cl_suitable_accom_pct"] = c["suitable"].fillna(False).astype(bool).mean() * 100
    n["cl_suitable_accom_pct"] = len(c)
    return out, n


def standard_error(measure, value, n):
    if measure in RATES:
        return value / np.sqrt(max(n, 1))
    p = value / 100
    return 100 * np.sqrt(max(p * (1 - p), 0.01 * 0.99) / n)


def test_standard_error_is_a_small_margin_for_large_samples():
    # 500 children in care, 10% with 3+ placements: +/- 2 se is +/- 2.7 points
    assert 2 * standard_error("cla_3plus_placements_pct", 10.0, 500) == pytest.approx(2.68, abs=0.01)
    # 4,000 referrals at 600 per 10,000: +/- 19
    assert 2 * standard_error("referral_rate", 600.0, 4000) == pytest.approx(18.97, abs=0.01)


def test_every_yearly_figure_is_inside_the_real_range(synth_data, real_ranges):
    failures, checked = [], set()
    for code in synth_data.authorities():
        figures, counts = synthetic_year(synth_data.for_authority(code), FY)
        for measure, value in figures.items():
            n = counts[measure]
            if n < MIN_DENOMINATOR:
                continue
            checked.add(measure)
            lo, hi = real_ranges[measure]
            margin = 2 * standard_error(measure, value, n)
            if value + margin < lo or value - margin > hi:
                failures.append(f"{code} {measure} = {value:.1f} (+/- {margin:.1f}, n={n}), "
                                f"real 5th-95th percentile {lo:.1f}-{hi:.1f}")
    assert not failures, "\n".join(failures)
    assert checked == set(real_ranges), f"never checked: {set(real_ranges) - checked}"


def test_authorities_differ_as_their_profiles_say(synth_data):
    # the 'struggling' authority is slower, re-refers more and has more children in care than
    # the 'small shire' one
    struggling = synthetic_year(synth_data.for_authority("Z003"), FY)[0]
    shire = synthetic_year(synth_data.for_authority("Z004"), FY)[0]
    assert struggling["assessment_45wd_pct"] < shire["assessment_45wd_pct"] - 5
    assert struggling["cla_rate_31mar"] > shire["cla_rate_31mar"] * 1.4
    assert struggling["referral_rate"] > shire["referral_rate"] * 1.3
