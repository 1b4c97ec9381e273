"""Loading DfE's published files: figures checked against values DfE itself publishes
(quoted in ../shared/reference/README.md), suppression kept, every row accounted for."""

import math

import pytest

from csc_workbench.reference import benchmark_summary, pick_release, resolve_authority
from csc_workbench.reference import sources
from csc_workbench.quality import LoadAccount
from reference_data import built, value


@pytest.fixture(scope="module")
def ref(dfe_dir):
    return built(dfe_dir)


@pytest.fixture(scope="module")
def bench(ref):
    return ref[0]["ref_benchmarks"]


def test_sefton_cp_rate_2023_24_as_first_published(bench):
    # 278 children on a plan at 31 March 2024 / 53,970 children (population in the 2024
    # release) x 10,000 = 51.51 -> 51.5
    row = value(bench, "cpp_rate", "343", 2024, "CIN 2024 release")
    assert len(row) == 1
    r = row.iloc[0]
    assert (r["numerator"], r["denominator"], r["value"]) == (278, 53970, 51.5)
    first = pick_release(bench, "first")
    assert value(first, "cpp_rate", "343", 2024)["value"].tolist() == [51.5]
    # the 2025 release revised the population to 54,154: 278 / 54,154 x 10,000 = 51.3
    latest = pick_release(bench, "latest")
    assert value(latest, "cpp_rate", "343", 2024)["value"].tolist() == [51.3]
    # England in the same release: 41.6 (README)
    assert value(first, "cpp_rate", "E92000001", 2024)["value"].tolist() == [41.6]


def test_england_referral_rate_2023_24(bench):
    # 621,880 / 11,998,646 x 10,000 = 518.29 -> 518.3
    r = value(bench, "referral_rate", "E92000001", 2024, "CIN 2024 release").iloc[0]
    assert (r["numerator"], r["denominator"], r["value"]) == (621880, 11998646, 518.3)
    assert r["geography"] == "england"


@pytest.mark.parametrize("measure,expected", [
    ("assessment_45wd_pct", 85.7), ("icpc_15wd_pct", 81.4), ("cpp_repeat_pct", 24.5)])
def test_england_2025_published_percentages(bench, measure, expected):
    rows = value(pick_release(bench), measure, "E92000001", 2025)
    assert rows["value"].tolist() == [expected]
    assert rows["status"].tolist() == ["ok"]


def test_repeat_plans_keep_numerator_and_denominator(bench):
    # D3 England 2025: 15,130 second or subsequent plans of 61,840 starting
    r = value(bench, "cpp_repeat_pct", "E92000001", 2025).iloc[0]
    assert (r["numerator"], r["denominator"]) == (15130, 61840)
    assert r["release"] == "CIN 2025 release"


def test_suppressed_values_stay_suppressed(bench):
    # D5: Sefton's plans lasting 2 years or more at 31 March 2025 are printed as "c"
    r = value(bench, "cpp_open_2y_pct", "343", 2025).iloc[0]
    assert r["status"] == "suppressed" and r["symbol"] == "c"
    assert math.isnan(r["value"])
    sup = bench[bench["status"] == "suppressed"]
    assert len(sup) > 1000 and sup["value"].isna().all()
    assert (sup["symbol"] == "c").all()
    na = bench[bench["status"] == "not_available"]
    assert na["value"].isna().all() and set(na["symbol"]) <= {"x", "z", "u", "-", "k"}


def test_cla_releases_each_kept(bench):
    # Sefton looked after at 31 March 2023: 611 children; rate 114 per 10,000 in all three
    # releases, on populations 53,435 (2023), 53,399 (2024) and 53,472 (2025)
    rows = value(bench, "cla_rate", "343", 2023).sort_values("release_year")
    assert rows["release"].tolist() == ["CLA 2023 release (as first published)",
                                        "CLA 2024 release (as first published)", "CLA 2025 release"]
    assert rows["denominator"].tolist() == [53435, 53399, 53472]
    assert rows["numerator"].tolist() == [611, 611, 611]
    assert rows["value"].tolist() == [114, 114, 114]


def test_dfe_files_reproduce_lait(ref, dfe_dir):
    """Every figure we build from DfE's release files equals LAIT's (DfE's own tool) for
    the latest release wherever both publish it: the column mapping and the recomputed
    rates are right."""
    bench = pick_release(ref[0]["ref_benchmarks"])
    bench = bench[~bench["release"].str.startswith("LAIT")]
    _, lait = sources.lait_long(dfe_dir, LoadAccount("test"))
    lait = lait[lait["status"] == "ok"]
    m = bench[bench["status"] == "ok"].merge(
        lait, left_on=["lait_measure", "code", "year"], right_on=["measure_short", "code", "year"],
        suffixes=("", "_lait"))
    assert m["measure"].nunique() >= 30
    assert len(m) > 30000
    diff = m[(m["value"] - m["value_lait"]).abs() > 1e-9]
    assert diff.empty, diff[["measure", "code", "year", "value", "value_lait"]].head()


def test_every_row_accounted_for(ref):
    tables, account = ref
    assert (account.files["status"] == "loaded").all(), account.missing
    account.account.check_balanced()
    s = account.summary()
    sn21 = s[s["key"] == "sn_model_2021"].iloc[0]
    # 159 data rows, 3 of them empty (",,,,"): loaded 156, rejected 3 with a reason
    assert (sn21["rows_read"], sn21["loaded"], sn21["rejected"]) == (159, 156, 3)
    issues = account.account.issues()
    assert (issues.loc[issues["action"] == "rejected", "rule"] == "blank_row").all()


def test_stat_neighbours_and_authorities(ref):
    t = ref[0]
    sn = t["ref_stat_neighbours"]
    s25 = sn[(sn["code"] == "343") & (sn["model"] == "2025")]
    # sn_model_2025_wide.csv, Sefton: 344 Wirral is the first neighbour
    assert s25["neighbour_rank"].tolist() == list(range(1, 11))
    assert s25["neighbour_code"].iat[0] == "344"
    assert sn.groupby(["model", "code"]).size().eq(10).all()
    assert set(sn["closeness"]) <= {"Extremely close", "Very close", "Close", "Somewhat close", "Not close"}
    a = t["ref_authorities"]
    assert len(a) == 153 and a["old_la_code"].is_unique
    sefton = a[a["old_la_code"] == "343"].iloc[0]
    assert (sefton["new_la_code"], sefton["region_code"], sefton["lait_region"]) == (
        "E08000014", "E12000002", "North West")


def test_population(ref):
    pop = ref[0]["ref_population"]
    ons = pop[(pop["release"] == "ONS mid-year estimates") & (pop["code"] == "343")]
    # mid-2023 estimate in the ONS file: 54,154; the 2024 CLA release used 53,970
    assert ons.set_index("year").loc[2023, "population_0_17"] == 54154
    cla24 = pop[(pop["release"] == "CLA 2024 release") & (pop["code"] == "343")]
    assert cla24.set_index("year").loc[2023, "population_0_17"] == 53970
    eng = pop[(pop["geography"] == "england") & (pop["release"] == "ONS mid-year estimates")]
    assert eng.set_index("year").loc[2024, "population_0_17"] == 12183016


def test_measures_table(ref):
    m = ref[0]["ref_measures"].set_index("measure")
    assert m.loc["cpp_repeat_pct", "polarity"] == "low"
    assert m.loc["icpc_rate", "in_indicators"] == False  # noqa: E712 - our id, not INDICATORS'
    assert m.loc["rereferral_pct", "lait_measure"] == "ReReferral"
    assert m.loc["Work_Force_Agecy_Rate", "year_type"] == "Annual (end of Sept)"
    assert m.loc["cla_missing_pct", "dfe_polarity"] == "none"  # INDICATORS says low
    bench = ref[0]["ref_benchmarks"]
    assert set(bench["measure"]) <= set(m.index)
    assert (bench["polarity"].isin(["high", "low", "none"])).all()


def test_resolve_sefton(ref):
    a = ref[0]["ref_authorities"]
    lookup = ref[0]["ref_area_lookup"]
    assert resolve_authority("343", a) == "343"
    assert resolve_authority("E08000014", a) == "343"
    assert resolve_authority("sefton", a) == "343"
    assert resolve_authority("SEFTON", a) == "343"
    assert resolve_authority("Bristol", a) == "801"  # "Bristol, City of"
    assert resolve_authority("E07000117", a, lookup) == "888"  # Burnley district -> Lancashire


def test_sefton_summary_2024_first_published(ref):
    t = ref[0]
    s = benchmark_summary(t["ref_benchmarks"], t["ref_stat_neighbours"], t["ref_authorities"], "343",
                          year=2024, release="first", measures=t["ref_measures"]).set_index("measure")
    # Sefton's own 2023-24 figures as its November 2024 scorecard shows them (rounded there):
    # ICPC within 15 working days 94, NW 82, England 80; CIN rate 453, England 333
    r = s.loc["icpc_15wd_pct"]
    assert (r["la_value"], r["region"], r["england"]) == (93.7, 81.5, 79.7)
    c = s.loc["cin_rate"]
    assert round(c["la_value"]) == 453 and round(c["england"]) == 333
    assert s.loc["cpp_rate", "la_value"] == 51.5
    assert s.loc["cpp_rate", "release"] == "CIN 2024 release"
    assert s["n_ranked"].max() <= 153
