"""The published-statistics pack's library (presentation.published): figures against the
values DfE publishes, ranks and quartiles against a hand check from DfE's raw files,
suppressed values, polarity words, chart specs, and a missing or renamed file."""

import shutil
import statistics

import altair as alt
import pandas as pd
import pytest

from csc_workbench.config import dfe_dir
from csc_workbench.errors import ConfigError
from csc_workbench.presentation import published as P
from published_helpers import c1_rereferrals_2025, hand_rank, number, raw_rows, reference_warehouse


@pytest.fixture(scope="module")
def wh():
    return reference_warehouse()


@pytest.fixture(scope="module")
def sefton(wh):
    return P.build_pack("343", warehouse=wh)


@pytest.fixture(scope="module")
def sefton_2024_first(wh):
    return P.build_pack("Sefton", year=2024, release="first", warehouse=wh)


def _row(pack, measure):
    return pack.summary.set_index("measure").loc[measure]


# --------------------------------------------------------------------------------------------
# Figures DfE publishes
# --------------------------------------------------------------------------------------------
def test_figures_as_first_published(sefton_2024_first):
    cpp = _row(sefton_2024_first, "cpp_rate")
    assert cpp["year"] == 2024 and cpp["la_value"] == 51.5  # 278 / 53,970 x 10,000
    assert cpp["release"] == "CIN 2024 release"
    referrals = _row(sefton_2024_first, "referral_rate")
    assert referrals["england"] == 518.3  # 621,880 / 11,998,646 x 10,000


def test_figures_from_the_latest_release_match_lait(wh):
    """The latest release revises 2023-24's rate on newer population estimates: DfE's
    own LAIT prints the revised figure."""
    lait = {(r["measure_short"], r["years"], r["la_number"]): r["value"]
            for r in raw_rows("lait_csc_indicators_long_2016_2025.csv") if r["measure_short"] == "CPP_rate"}
    pack = P.build_pack("343", year=2024, warehouse=wh)
    cpp = _row(pack, "cpp_rate")
    assert cpp["la_value"] == float(lait[("CPP_rate", "2024", "343")]) == 51.3
    assert cpp["england"] == float(lait[("CPP_rate", "2024", "970")])
    assert cpp["release"] == "CIN 2025 release"


def test_england_2025_timeliness_and_repeat_plans(sefton):
    assert _row(sefton, "icpc_15wd_pct")["england"] == 81.4
    assert _row(sefton, "cpp_repeat_pct")["england"] == 24.5
    assert _row(sefton, "icpc_15wd_pct")["year"] == 2025


def test_suppressed_value_is_c_never_zero(sefton):
    raw = [r for r in raw_rows("d5_cpps_at31march_by_duration_2013_to_2025.csv")
           if r["time_period"] == "2025" and r["old_la_code"] == "343"]
    assert raw and raw[0]["2_years_or_more_percent"] == "c"  # DfE suppressed it
    row = _row(sefton, "cpp_open_2y_pct")
    assert row["la_status"] == "suppressed" and pd.isna(row["la_value"]) and pd.isna(row["rank"])
    frame = P.summary_frame(sefton).set_index("Measure")
    assert frame.loc["Plans open at 31 March for 2 years or more", "Sefton"] == "c"
    # In the trend chart the year is a gap marked "c", not a point at zero.
    spec = P.trend_spec(sefton, "cpp_open_2y_pct")
    la_2025 = [d for d in spec["data"]["values"] if d["line"] == "Sefton" and d["year"] == "2024-25"]
    assert la_2025 == [{"year": "2024-25", "line": "Sefton", "value": None, "shown": "",
                        "release": "CIN 2025 release"}]
    marks = [layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "text" and "data" in layer
             and any(v.get("text") == "c" for v in layer["data"]["values"])]
    assert marks and {"year": "2024-25", "text": "c", "release": "CIN 2025 release"} in marks[0]["data"]["values"]
    # Suppressed neighbours: listed with "c", no bar.
    nb = P.neighbour_spec(sefton, "cpp_open_2y_pct")["data"]["values"]
    wigan = next(d for d in nb if d["name"] == "Wigan")
    assert wigan["value"] is None and wigan["shown"] == "c"


def test_not_available_shows_dfe_symbol(sefton):
    row = _row(sefton, "cla_ceased_cao_pct")
    assert row["la_status"] == "not_available"
    assert P.summary_frame(sefton).set_index("Measure").loc[
        "Ceased to be looked after: child arrangements order", "Sefton"] == "x"
    assert "not published by DfE" in P.narrative(sefton, "cla_ceased_cao_pct")


# --------------------------------------------------------------------------------------------
# Ranks and quartiles, checked by hand from the raw files
# --------------------------------------------------------------------------------------------
def test_rank_and_quartile_low_is_good_by_hand(sefton):
    rank, n, quartile = hand_rank(c1_rereferrals_2025(), "343", low_is_good=True)
    row = _row(sefton, "rereferral_pct")
    assert (row["rank"], row["n_ranked"], row["quartile"]) == (rank, n, quartile)
    shown = P.summary_frame(sefton).set_index("Measure").loc["Re-referrals within 12 months"]
    assert shown["Rank"] == f"{rank} of {n}"
    assert shown["Quartile"] == f"Q{quartile}" + {1: " (best)", 4: " (worst)"}.get(quartile, "")
    assert shown["Compared to middle 50%"] == "Higher (worse)"


def test_rank_and_quartile_high_is_good_by_hand(sefton):
    rows = raw_rows("lait_csc_indicators_long_2016_2025.csv")
    values = {r["la_number"]: number(r["value"]) for r in rows
              if r["measure_short"] == "CP_conf_15days" and r["years"] == "2025"
              and int(r["la_number"]) < 970 and number(r["value"]) is not None}
    rank, n, quartile = hand_rank(values, "343", low_is_good=False)
    row = _row(sefton, "icpc_15wd_pct")
    assert (row["rank"], row["n_ranked"], row["quartile"]) == (rank, n, quartile)
    assert row["mid50_judgement"] == "better"


# --------------------------------------------------------------------------------------------
# Narrative: polarity words, three years, neighbours worth a visit
# --------------------------------------------------------------------------------------------
def test_narrative_uses_dfe_polarity_words(sefton):
    low_good = P.narrative(sefton, "rereferral_pct")  # 26.2% against England 22.6%, low is good
    assert "worse than England (22.6%)" in low_good and "better than" not in low_good.split("markedly")[0]
    assert "lower is better" in low_good
    high_good = P.narrative(sefton, "icpc_15wd_pct")  # 91.1% against 81.4%, high is good
    assert "better than England (81.4%)" in high_good and "an improvement" in high_good
    context = P.narrative(sefton, "cpp_rate")  # DfE gives no polarity: no better / worse words
    assert "higher than England (40.6 per 10,000)" in context
    assert "better" not in context and "worse" not in context
    # INDICATORS.md calls missing episodes low-is-good; DfE gives no polarity, and DfE's is used.
    missing = P.narrative(sefton, "cla_missing_pct")
    assert "better" not in missing and "worse" not in missing


def test_narrative_three_years_by_hand(sefton):
    rows = _c1_rereferrals_by_year()
    then, now = rows["2022"], rows["2025"]
    text = P.narrative(sefton, "rereferral_pct")
    assert f"Since 2021-22 it has risen by {now - then:.1f} percentage points from {then:g}%" in text
    assert "a deterioration" in text


def _c1_rereferrals_by_year() -> dict[str, float]:
    rows = raw_rows("c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv")
    return {r["time_period"]: number(r["rereferral_percent"]) for r in rows if r["old_la_code"] == "343"}


def test_neighbours_worth_a_visit_by_hand(sefton):
    sn = next(r for r in raw_rows("sn_model_2025_wide.csv") if r["old_la_code"] == "343")
    neighbours = [sn[f"SN_{i}"] for i in range(1, 11)]
    names = {r["old_la_code"]: r["la_name"] for r in raw_rows("la_reference_2024_from_dfe_population_file.csv")}
    values = c1_rereferrals_2025()
    p25, _, p75 = statistics.quantiles(list(values.values()), n=4, method="inclusive")
    gap = 0.5 * (p75 - p25)  # "markedly": at least half England's interquartile range ahead
    better = sorted((values[c], names[c]) for c in neighbours if values[c] <= values["343"] - gap)[:3]
    assert len(better) == 3
    expected = ", ".join(f"{n} ({v:g}%)" for v, n in better[:2]) + f" and {better[2][1]} ({better[2][0]:g}%)"
    assert f"Among its statistical neighbours, {expected} do markedly better" in P.narrative(sefton, "rereferral_pct")


def test_authority_best_among_neighbours(sefton):
    # Sefton's CP reviews on time (99.3%) are the best of its group.
    assert "Sefton has the best figure among its statistical neighbours" in P.narrative(sefton, "cpp_reviews_timely_pct")
    assert P.neighbour_title(sefton, "cpp_reviews_timely_pct") == "Sefton is the best of 11 with its neighbours"


def test_suppressed_authority_narrative(sefton):
    text = P.narrative(sefton, "cpp_open_2y_pct")
    assert text.startswith("Sefton's share of open plans that had lasted 2 years or more for 2024-25 is "
                           "suppressed by DfE")
    assert "not ranked" in text and "5 neighbours' figures are suppressed" in text


# --------------------------------------------------------------------------------------------
# Authorities, years, releases, files
# --------------------------------------------------------------------------------------------
def test_old_code_new_code_and_name_give_the_same_pack(wh, sefton):
    for text in ("E08000014", "sefton"):
        other = P.build_pack(text, warehouse=wh)
        assert other.code == "343" and other.name == "Sefton"
        pd.testing.assert_frame_equal(other.summary, sefton.summary)


def test_unknown_authority_and_year(wh):
    with pytest.raises(ConfigError, match="unknown authority 'Narnia'"):
        P.build_pack("Narnia", warehouse=wh)
    with pytest.raises(ConfigError, match="no published figures for 2040"):
        P.build_pack("343", year=2040, warehouse=wh)
    with pytest.raises(ConfigError, match="release must be"):
        P.build_pack("343", release="second", warehouse=wh)


def test_year_caps_each_measure_at_its_latest_up_to_it(wh):
    pack = P.build_pack("343", year=2023, warehouse=wh)
    assert set(pack.summary["year"]) == {2023}
    assert _row(pack, "cpp_rate")["year_label"] == "2022-23"
    assert _row(pack, "Work_Force_Agecy_Rate")["year_label"] == "Sep 2023"


def test_every_authority_has_a_pack_summary(wh):
    """All 153 authorities resolve and build (the batch relies on it); a smaller one with
    many suppressed figures among them."""
    from csc_workbench.reference import read_reference

    codes = read_reference(wh)["ref_authorities"]["old_la_code"].tolist()
    assert len(codes) == 153
    scilly = P.build_pack("Isles of Scilly", warehouse=wh)
    assert scilly.code == "420" and (scilly.summary["la_status"] != "ok").any()
    for measure in scilly.summary["measure"]:
        P.narrative(scilly, measure)
        P.measure_chart(scilly, measure)


def test_missing_or_renamed_file_is_named(tmp_path):
    folder = tmp_path / "dfe"
    folder.mkdir()
    for f in dfe_dir().iterdir():
        name = f.name
        if name.startswith("c1_children_in_need_referrals_and_rereferrals"):
            name = "c1_children_in_need_referrals_2013_to_2025.csv"  # renamed by a user
        (folder / name).symlink_to(f)
    pack = P.build_pack("343", warehouse=tmp_path / "w.duckdb", folder=folder)
    (message,) = pack.missing_files
    assert "missing file 'c1_children_in_need_referrals_and_rereferrals*.csv'" in message
    assert "c1_children_in_need_referrals_2013_to_2025.csv" in message  # the likely rename
    assert message.replace("'", "&#x27;") in str(P.intro(pack))
    # Its measures fall back on LAIT where DfE's tool has them; the release says so.
    assert _row(pack, "rereferral_pct")["release"] == "LAIT 2016-2025"
    shutil.rmtree(folder)
    with pytest.raises(ConfigError, match="reference folder not found"):
        P.build_pack("343", warehouse=tmp_path / "w2.duckdb", folder=folder)


# --------------------------------------------------------------------------------------------
# Charts and tables
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("measure", ["rereferral_pct", "cpp_open_2y_pct"])
def test_chart_specs_are_valid_vega_lite(sefton, measure):
    chart = P.measure_chart(sefton, measure)
    alt.HConcatChart.from_dict(chart.to_dict())  # validates against the Vega-Lite schema
    html = chart._repr_mimebundle_()["text/html"]
    assert "vegaEmbed" in html and "altair-viz" in html


def test_trend_chart_values_and_releases(sefton_2024_first):
    values = P.trend_spec(sefton_2024_first, "cpp_rate")["data"]["values"]
    la = {d["year"]: (d["value"], d["release"]) for d in values if d["line"] == "Sefton"}
    assert la["2023-24"] == (51.5, "CIN 2024 release")
    assert la["2022-23"] == (62.1, "CIN 2023 release")
    assert "2024-25" not in la  # the pack is for 2023-24
    eng = {d["year"]: d["value"] for d in values if d["line"] == "England"}
    assert eng["2023-24"] == 41.6
    assert "2023-24: CIN 2024 release" in P.sources_line(sefton_2024_first, "cpp_rate")


def test_neighbour_chart_highlights_the_authority_in_rank_order(sefton):
    spec = P.neighbour_spec(sefton, "rereferral_pct")
    rows = spec["data"]["values"]
    values = [r["value"] for r in rows]
    assert values == sorted(values)  # low is good: best (lowest) first
    assert len(rows) == 11 and [r["name"] for r in rows].count("Sefton") == 1
    bar = spec["layer"][0]
    assert bar["encoding"]["color"]["condition"]["test"] == 'datum.who === "Sefton"'
    assert {r["line"] for layer in spec["layer"][2:] for r in layer["data"]["values"]} == {"North West", "England"}


def test_summary_table_reads_like_the_sefton_scorecard(sefton):
    frame = P.summary_frame(sefton)
    assert list(frame.columns) == ["Area", "Measure", "Good is", "Year", "Sefton", "Stat. neighbours", "North West",
                                   "England", "Compared to middle 50%", "Rank", "Quartile", "Release"]
    assert len(frame) == len(P.PACK_MEASURES)
    text = str(P.summary_table(sefton))
    for raw in ("nan", "NaN", "None", "la_value", "sn_average", "mid50", "_pct"):
        assert raw not in text, raw
    row = frame.set_index("Measure").loc["Children on a child protection plan per 10,000 children"]
    assert (row["Sefton"], row["Stat. neighbours"], row["North West"], row["England"]) == ("71.6", "52.0", "50.9", "40.6")
    assert row["Compared to middle 50%"] == "Higher" and row["Good is"] == "-"
    assert P.ATTRIBUTION in str(P.about(sefton))


def test_formatting():
    assert P.fmt_value(1234.0, "count") == "1,234"
    assert P.fmt_value(26.2, "pct") == "26.2%" and P.fmt_value(10.0, "pct") == "10%"
    assert P.fmt_value(float("nan"), "pct") == ""
    assert [P.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111, 112, 113, 123)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th", "112th", "113th", "123rd"]
    assert P.year_label(2025) == "2024-25" and P.year_label(2025, "Annual (end of Sept)") == "Sep 2025"
    assert P.symbol_text("suppressed", "c") == "c" and P.symbol_text("not_available", "-") == "x"
    assert P.symbol_text("not_available", "z") == "z"
