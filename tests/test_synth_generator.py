"""The generator: deterministic, fictional, sized like England, with visible planted anomalies
and (on request) a documented handful of data-quality errors."""

import re

import numpy as np
import pandas as pd
import pytest

from csc_workbench.calendar import working_days_between
from csc_workbench.synth import MANIFEST_KEYS, authority_profiles, parse_range
from csc_workbench.synth import _util as U
from csc_workbench.errors import ConfigError
from synth_fixtures import _generate, synth_data, synth_manifest, synth_pair  # noqa: F401  (fixtures)
from csc_workbench import calendar


# ---- determinism ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shire():
    return authority_profiles(8, seed=5)[3]  # the small shire: quick to generate


def test_same_seed_same_tables_different_seed_different(shire):
    a, ma = _generate([shire], "2023-10", "2024-03", seed=11)
    b, mb = _generate([shire], "2023-10", "2024-03", seed=11)
    c, _ = _generate([shire], "2023-10", "2024-03", seed=12)
    for name, frame in a.items():
        pd.testing.assert_frame_equal(frame, b[name], obj=name)
    assert ma == mb
    assert not a.referrals.equals(c.referrals)
    assert len(a.referrals) != len(c.referrals) or not a.referrals["referral_date"].equals(c.referrals["referral_date"])


def test_working_day_helpers_agree_with_the_calendar():
    days = np.arange(U.day("2022-05-25"), U.day("2023-05-12"))
    for n in (0, 1, 15, 45):
        mine = U.wd_add(days, n).astype("datetime64[D]")
        theirs = calendar.add_working_days(days.astype("datetime64[D]"), n).astype("datetime64[D]")
        assert (mine == theirs).all(), n
    ends = days + 40
    assert (U.wd_between(days, ends) == working_days_between(days.astype("datetime64[D]"),
                                                              ends.astype("datetime64[D]"))).all()
    # 2022-06-02/03 (Jubilee) are not working days; Friday 2022-06-03 -> next working day Monday 6th
    assert str(U.next_wd(np.array([U.day("2022-06-02")]))[0].astype("datetime64[D]")) == "2022-06-06"


# ---- fictional names and codes, sizes ------------------------------------------------------

def test_codes_and_names_cannot_be_mistaken_for_real_councils(reference_dir):
    real = pd.read_csv(reference_dir / "dfe" / "la_reference_2024_from_dfe_population_file.csv")
    real_names = {n.strip().lower() for n in real["la_name"]}
    lait = pd.read_csv(reference_dir / "dfe" / "lait_la_code_list.csv")
    real_names |= {n.strip().lower() for n in lait["la_name"]}
    real_codes = set(real["old_la_code"].astype(str)) | set(real["new_la_code"]) | set(real["region_code"])
    for profile, n in (("region", 8), ("national", 153)):
        profs = authority_profiles(n, seed=1, profile=profile)
        codes = [p.code for p in profs]
        names = [p.name for p in profs]
        assert len(set(codes)) == n and len(set(names)) == n
        assert all(re.fullmatch(r"Z\d{3}", c) for c in codes)
        assert not {c for c in codes} & real_codes
        assert not {nm.lower() for nm in names} & real_names, set(nm for nm in names if nm.lower() in real_names)
        for p in profs:
            assert p.region_code.startswith("Z12") and p.region_name.startswith("Fictional ")
            assert p.region_code not in real_codes


def test_synthetic_postcodes_and_urns_are_not_real_looking_places(synth_data):
    e = synth_data.cla_episodes
    posts = pd.concat([e["home_post"], e["pl_post"]]).dropna()
    assert posts.str.startswith("ZZ99 ").all()  # the pseudo-postcode area: no real address
    assert synth_data["authorities"]["is_synthetic"].all()


def test_national_profile_is_england_sized():
    profs = authority_profiles(153, seed=3, profile="national")
    pops = np.array([p.population for p in profs])
    assert 11.5e6 < pops.sum() < 12.5e6
    referrals = sum(p.population * p.referral_rate / 10_000 for p in profs)
    assert 600_000 < referrals < 700_000
    assert pops.min() < 25_000 and pops.max() > 150_000
    assert len({p.region_code for p in profs}) == 9
    region = authority_profiles(8, seed=3)
    rp = [p.population for p in region]
    assert min(rp) <= 30_000 and max(rp) >= 140_000 and len({p.archetype for p in region}) == 8


@pytest.mark.parametrize("kwargs,message", [
    (dict(n_authorities=0), "at least 1"),
    (dict(profile="county"), "unknown profile"),
])
def test_bad_profile_arguments(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        authority_profiles(**{"n_authorities": 2, **kwargs})


@pytest.mark.parametrize("start,end,message", [
    ("2024-05", "2024-01", "before start"),
    ("2024-13", "2024-12", "YYYY-MM"),
    ("April 2024", None, "YYYY-MM"),
    ("2019-04", "2999-01", "not complete"),
])
def test_bad_months(start, end, message):
    with pytest.raises(ConfigError, match=message):
        parse_range(start, end)


# ---- planted anomalies ---------------------------------------------------------------------

def _months(series):
    return series.dt.to_period("M")


def _window(d):
    return pd.period_range("2021-04", "2025-03", freq="M")


def test_manifest_format_and_placement(synth_manifest, synth_data):
    assert synth_manifest
    last = pd.Period("2025-03", "M")
    for row in synth_manifest:
        assert tuple(row) == MANIFEST_KEYS
        assert row["kind"] == "anomaly" and row["direction"] in ("up", "down")
        first_m, last_m = pd.Period(row["first_month"], "M"), pd.Period(row["last_month"], "M")
        assert first_m <= last_m <= last - 2  # never in the last two months
        assert first_m >= last - 23  # within the last two years
        assert row["breakdown"] in ("all", "team")
        assert row["measure"] in {"s47", "assessment_45wd_pct", "cpp_repeat_pct", "cpp_visits_timely_pct",
                                  "cin_visits_timely_pct", "cla_starts"}
    per_la = {}
    for row in synth_manifest:
        per_la.setdefault(row["authority"], set()).add(row["anomaly_id"].split("-", 1)[1].split("-T")[0])
    for code, ids in per_la.items():
        assert ids == {"s47-surge", "restructure", "repeat-cluster", "visits-gap", "cla-jump"}, code
    # different months in different authorities
    firsts = {(r["authority"], r["measure"]): r["first_month"] for r in synth_manifest}
    assert any(firsts[("Z003", m)] != firsts[("Z004", m)] for m in ("s47", "cla_starts", "cpp_repeat_pct"))
    # the restructured team exists in the teams table
    teams = set(zip(synth_data.teams.authority, synth_data.teams.team_id))
    for r in synth_manifest:
        if r["breakdown"] == "team":
            assert (r["authority"], r["breakdown_value"]) in teams


def _plant(manifest, code, measure):
    return next(r for r in manifest if r["authority"] == code and r["measure"] == measure)


def _other_months(counts, first, last, window):
    inside = (counts.index >= first) & (counts.index <= last)
    recent = counts.index >= window[12]  # compare with the same era (demand drifts)
    return counts[~inside & recent], counts[inside]


@pytest.mark.parametrize("code", ["Z003", "Z004"])
def test_s47_surge_is_visible(synth_data, synth_manifest, code):
    d = synth_data.for_authority(code)
    r = _plant(synth_manifest, code, "s47")
    counts = _months(d.s47["start_date"]).value_counts().reindex(_window(d), fill_value=0)
    other, surge = _other_months(counts, pd.Period(r["first_month"]), pd.Period(r["last_month"]), _window(d))
    assert len(surge) == 3
    assert surge.mean() > other.median() * 1.4
    assert (surge > other.quantile(0.75)).sum() >= 2


@pytest.mark.parametrize("code", ["Z003", "Z004"])
def test_restructured_team_timeliness_drops(synth_data, synth_manifest, code):
    d = synth_data.for_authority(code)
    r = _plant(synth_manifest, code, "assessment_45wd_pct")
    a = d.assessments[d.assessments["authorised_date"].notna()].copy()
    a["in45"] = working_days_between(a["start_date"], a["authorised_date"]) <= 45
    a["month"] = _months(a["authorised_date"])
    first, last = pd.Period(r["first_month"]), pd.Period(r["last_month"])
    team = a[a["team_id"] == r["breakdown_value"]]
    by_month = team.groupby("month")["in45"].mean()
    during = by_month[(by_month.index >= first) & (by_month.index <= last)]
    before = by_month[(by_month.index < first) & (by_month.index >= first - 12)]
    assert during.mean() < before.mean() - 0.25
    # the other assessment teams carry on as before
    others = a[(a["team_id"] != r["breakdown_value"]) & a["team_id"].str.startswith("T")
               & (a["month"] >= first) & (a["month"] <= last)]
    assert others["in45"].mean() > during.mean() + 0.2


@pytest.mark.parametrize("code", ["Z003", "Z004"])
def test_repeat_plan_cluster_is_visible(synth_data, synth_manifest, code):
    d = synth_data.for_authority(code)
    r = _plant(synth_manifest, code, "cpp_repeat_pct")
    p = d.cp_plans.assign(month=_months(d.cp_plans["start_date"]), repeat=d.cp_plans["previous_plans"] > 0)
    by_month = p.groupby("month")["repeat"].agg(["sum", "mean"]).reindex(_window(d), fill_value=0)
    m = pd.Period(r["first_month"])
    other = by_month[(by_month.index != m) & (by_month.index >= _window(d)[12])]
    assert by_month.loc[m, "sum"] >= other["sum"].median() + 0.8 * r["magnitude"]
    assert by_month.loc[m, "mean"] > other["mean"].quantile(0.95)
    # The month's repeat share at least doubles, and clears the upper limit of a control chart
    # (XmR: mean + 2.66 x mean moving range) drawn on the other months: SPC sees it.
    share = by_month["mean"][by_month.index >= _window(d)[12]]
    rest = share.drop(m)
    assert share[m] >= 2 * rest.median()
    assert share[m] > rest.mean() + 2.66 * rest.diff().abs().mean()
    # they are sibling groups whose previous plan ended within two years
    new = p[(p["month"] == m) & p["repeat"]].merge(d.persons[["child_id", "family_id"]], on="child_id")
    assert new["family_id"].value_counts().max() >= 3
    ps = d.cp_plans.sort_values("start_date")
    ps["prev_end"] = ps.groupby("child_id")["end_date"].shift()
    cl = ps[_months(ps["start_date"]).eq(m) & ps["prev_end"].notna()]
    assert ((cl["start_date"] - cl["prev_end"]).dt.days <= 730).sum() >= 0.8 * r["magnitude"]


@pytest.mark.parametrize("code", ["Z003", "Z004"])
def test_visits_gap_is_visible(synth_data, synth_manifest, code):
    d = synth_data.for_authority(code)
    r = _plant(synth_manifest, code, "cpp_visits_timely_pct")
    m = pd.Period(r["first_month"])
    v = d.visits.assign(month=_months(d.visits["visit_date"]))
    for kind in ("CP", "CIN"):
        counts = v[v["kind"] == kind].groupby("month").size().reindex(_window(d), fill_value=0)
        other = counts[(counts.index != m) & (counts.index >= _window(d)[12])]
        assert counts[m] < 0.15 * other.median(), kind
    # at the month end, children on a plan for 10 working days or more with a CP visit in the
    # last 10 working days: the share collapses that month
    def timely(month):
        end = month.end_time.normalize()
        p = d.cp_plans
        on = p[(p["start_date"] <= end - pd.Timedelta(days=14)) & (p["end_date"].isna() | (p["end_date"] > end))]
        cp = v[(v["kind"] == "CP") & (v["visit_date"] <= end)].groupby("child_id")["visit_date"].max()
        last = on["child_id"].map(cp)
        return (working_days_between(last, pd.Series(end, index=last.index)) <= 10).mean()
    assert timely(m) < 0.3 and timely(m - 1) > 0.7 and timely(m + 1) > 0.6


@pytest.mark.parametrize("code", ["Z003", "Z004"])
def test_cla_starts_jump_is_visible(synth_data, synth_manifest, code):
    d = synth_data.for_authority(code)
    r = _plant(synth_manifest, code, "cla_starts")
    e = d.cla_episodes[(d.cla_episodes["rne"] == "S") & ~d.cla_episodes["ls"].isin(["V3", "V4"])]
    counts = _months(e["decom"]).value_counts().reindex(_window(d), fill_value=0)
    other, jump = _other_months(counts, pd.Period(r["first_month"]), pd.Period(r["last_month"]), _window(d))
    assert len(jump) == 2
    assert jump.min() > other.median() + 0.6 * r["magnitude"] / 2
    assert jump.mean() > other.quantile(0.95)


# ---- dirty data ----------------------------------------------------------------------------

def test_dirty_output_holds_the_documented_errors(shire):
    ds, manifest = _generate([shire], "2023-04", "2024-03", seed=21, dirty=True)
    dq = [r for r in manifest if r["kind"] == "data_quality"]
    kinds = {r["anomaly_id"].split("-dq-")[1]: r for r in dq}
    assert set(kinds) == {"icpc_before_s47", "assessment_authorised_before_start", "cpp_end_before_start",
                          "duplicate_child_id", "cla_episode_overlap", "missing_dob"}
    for r in dq:
        assert tuple(r) == MANIFEST_KEYS and r["child_id"] and r["table"] in ds
    c = kinds["icpc_before_s47"]["child_id"]
    i = ds.icpcs.merge(ds.s47[["s47_id", "start_date"]], on="s47_id")
    bad = i[i["icpc_date"] < i["start_date"]]
    assert list(bad["child_id"]) == [c]
    a = ds.assessments
    assert list(a.loc[a["authorised_date"] < a["start_date"], "child_id"]) == [kinds["assessment_authorised_before_start"]["child_id"]]
    p = ds.cp_plans
    assert list(p.loc[p["end_date"] < p["start_date"], "child_id"]) == [kinds["cpp_end_before_start"]["child_id"]]
    dup = ds.persons["child_id"].value_counts()
    assert list(dup[dup > 1].index) == [kinds["duplicate_child_id"]["child_id"]]
    born_missing = ds.persons[ds.persons["dob"].isna() & ds.persons["expected_dob"].isna()]
    assert list(born_missing["child_id"]) == [kinds["missing_dob"]["child_id"]]
    e = ds.cla_episodes.sort_values(["child_id", "decom"])
    nxt = e.groupby("child_id")["decom"].shift(-1)
    assert list(e.loc[e["dec"] > nxt, "child_id"]) == [kinds["cla_episode_overlap"]["child_id"]]


def test_clean_output_has_none_of_those_errors(synth_data):
    d = synth_data
    i = d.icpcs.merge(d.s47[["authority", "s47_id", "start_date"]], on=["authority", "s47_id"])
    assert not (i["icpc_date"] < i["start_date"]).any()
    assert not (d.assessments["authorised_date"] < d.assessments["start_date"]).any()
    assert not (d.cp_plans["end_date"] < d.cp_plans["start_date"]).any()
    assert not d.persons.duplicated(["authority", "child_id"]).any()
    assert (d.persons["dob"].notna() | d.persons["expected_dob"].notna()).all()
