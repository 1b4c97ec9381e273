"""Deep-dive pages: what a shared page may show (DfE suppression in tables, prose and the
data written into charts; no worker or child tables), and the words of the narratives.
Figures are those worked out by hand in tests/test_analysis_*.py."""

import json

import numpy as np
import pandas as pd
import pytest

from csc_workbench.analysis import assessment_timeliness as at
from csc_workbench.analysis import regional as rg
from csc_workbench.analysis import repeat_cp as rc
from csc_workbench.assessment.targets import load_targets
from csc_workbench.presentation import deep_dives as dd
from csc_workbench.presentation.display import Column, HtmlTable, Prose, count_words, table
from csc_workbench.presentation.regional import RegionalComparisonPage
from deep_dive_cases import assessments_dataset, repeat_plans_dataset
from test_analysis_regional import AUTH, TIDY


@pytest.fixture(scope="module")
def plans():
    return rc.plan_history(repeat_plans_dataset(), "2024-06")


@pytest.fixture(scope="module")
def assessments():
    return at.assessment_history(assessments_dataset(), "2024-05")


def repeat_page(plans, audience):
    return dd.RepeatCPDeepDive("T1", "Testshire", "2024-06", audience, plans, load_targets("T1"))


def timeliness_page(assessments, audience):
    return dd.AssessmentTimelinessDeepDive("T1", "Testshire", "2024-05", audience, assessments, load_targets("T1"))


def chart_numbers(chart, field):
    """Every value of ``field`` in the data a chart writes into the page."""
    spec = chart.to_dict()
    rows = [r for d in spec.get("datasets", {}).values() for r in d]
    return [r[field] for r in rows if field in r]


def test_key_figures_shared_and_internal(plans):
    shared = repeat_page(plans, "shared").key_figures().frame().set_index("")
    june = shared["June 2024"]
    # June: 7 started, 6 repeats (shown); 4 within 2 years and 2 siblings (1-5: c).
    assert june["Plans started"] == "7" and june["Second or subsequent plans (ever)"] == "6"
    assert june["Repeat plans (ever), % of plans started"] == "85.7%"
    assert june["Within 2 years of the previous plan"] == "c" and june["Within 2 years, % of plans started"] == "c"
    assert june["Children in sibling groups"] == "c"
    year = shared["The 12 months to June 2024"]
    assert (year["Plans started"], year["Second or subsequent plans (ever)"]) == ("10", "7")
    assert year["Within 2 years of the previous plan"] == "c"  # 5
    internal = repeat_page(plans, "internal").key_figures().frame().set_index("")
    assert internal.loc["Within 2 years of the previous plan", "June 2024"] == "4"
    assert internal.loc["Within 2 years, % of plans started", "June 2024"] == "57.1%"


def test_team_table_suppressed_in_shared(plans):
    t = repeat_page(plans, "shared").team_table().frame().set_index("Team")
    # 12 months: Safeguarding A 5 started (c), 4 repeats (c); Safeguarding B 4 started (c).
    assert t.loc["Safeguarding A", "Plans started"] == "c" and t.loc["Safeguarding A", "Repeat (ever)"] == "c"
    assert (t.loc["Safeguarding A", "%"] == "c").all()
    i = repeat_page(plans, "internal").team_table().frame().set_index("Team")
    assert i.loc["Safeguarding A", "Plans started"] == "5" and i.loc["Safeguarding A", "Repeat (ever)"] == "4"


@pytest.mark.parametrize("method", ["worker_table", "cohort_list", "sibling_table"])
def test_child_and_worker_tables_refused_on_a_shared_page(plans, method):
    with pytest.raises(dd.InternalOnly):
        getattr(repeat_page(plans, "shared"), method)()


@pytest.mark.parametrize("method", ["worker_table", "open_list"])
def test_timeliness_internal_tables_refused_on_a_shared_page(assessments, method):
    with pytest.raises(dd.InternalOnly):
        getattr(timeliness_page(assessments, "shared"), method)()


def test_internal_tables_show_children_and_workers(plans, assessments):
    cohort = repeat_page(plans, "internal").cohort_list().frame()
    assert sorted(cohort["Child"]) == ["A", "B", "C", "D", "G", "H", "J"]  # the 12 months' repeats
    assert set(cohort.loc[cohort["Child"].isin(["A", "B"]), "Sibling group"]) == {"1"}
    assert cohort.loc[cohort["Child"] == "A", "Previous plan end"].iloc[0] == "15 Feb 2023"
    workers = repeat_page(plans, "internal").worker_table().frame()
    assert "Alex Tester" in set(workers["Worker"])
    open_list = timeliness_page(assessments, "internal").open_list().frame()
    # At risk or overdue only: K8 (o1, overdue) then K10 (o3, at risk); on-track K9 and K13 left out.
    assert open_list["Child"].tolist() == ["K8", "K10"]
    assert open_list["Working days left"].tolist() == ["-3", "7"]
    assert open_list["Due (45 working days)"].tolist() == ["28 May 2024", "11 Jun 2024"]


# Fields whose small whole numbers are positions, not counts of children.
NOT_COUNTS = {"order", "month_pos", "rank"}


def small_numbers(chart) -> list:
    """(field, value) for every whole number 1-5 in the data a chart writes into the page:
    in a shared page any of them could be a suppressed count."""
    spec = chart.to_dict()
    rows = [r for d in spec.get("datasets", {}).values() for r in d]
    return [(k, v) for r in rows for k, v in r.items() if k not in NOT_COUNTS and isinstance(v, (int, float))
            and not isinstance(v, bool) and float(v).is_integer() and 1 <= v <= 5]


def test_shared_chart_data_holds_no_small_counts(plans, assessments):
    page = repeat_page(plans, "shared")
    tpage = timeliness_page(assessments, "shared")
    charts = {"trend": page.trend_chart(), "monthly": page.monthly_chart(), "gap": page.gap_chart(),
              "team": page.team_chart(), "distribution": tpage.distribution_chart(),
              "bands": tpage.bands_trend_chart(), "teams": tpage.team_chart(), "season": tpage.seasonality_chart(),
              "open": tpage.open_chart(), "referral": tpage.referral_chart()}
    for name, chart in charts.items():
        assert not small_numbers(chart), (name, small_numbers(chart))
    # The internal page draws them (so the check above can fail).
    assert small_numbers(repeat_page(plans, "internal").gap_chart())
    assert small_numbers(timeliness_page(assessments, "internal").open_chart())


def test_shared_chart_data_has_no_names_or_ids(plans, assessments):
    text = json.dumps(repeat_page(plans, "shared").team_chart().to_dict())
    text += json.dumps(timeliness_page(assessments, "shared").open_chart().to_dict())
    for secret in ("Alex Tester", "Sam Sample", "K8", '"A"', "2015-03-14"):
        assert secret not in text


def test_bands_table(assessments):
    shared = timeliness_page(assessments, "shared").bands_table().frame().set_index("Working days")["May 2024"]
    assert shared["Assessments completed"] == "7"
    assert shared["0-10"] == "c" and shared["36-45"] == "c" and shared["11-25"] == "0 (0.0%)"
    # Once a band is hidden, "within 45" minus "within 35" would give the 36-45 band away.
    assert shared["Within 45"] == "c" and shared["Within 35"] == "c"
    assert shared["Median working days"] == "42"
    internal = timeliness_page(assessments, "internal").bands_table().frame().set_index("Working days")
    assert internal.loc["0-10", "May 2024"] == "3 (42.9%)"


def test_open_table_totals(assessments):
    t = timeliness_page(assessments, "internal").open_table().frame().set_index("Team")
    assert t.loc["All teams"].tolist() == ["4", "1", "1"]
    s = timeliness_page(assessments, "shared").open_table().frame().set_index("Team")
    assert s.loc["All teams"].tolist() == ["c", "c", "c"]


@pytest.mark.parametrize("current,previous,polarity,expected", [
    (20.6, 23.5, "low", ("down from 23.5%", "an improvement")),  # fewer repeat plans
    (30.1, 21.2, "low", ("up from 21.2%", "a deterioration")),
    (75.8, 65.5, "high", ("up from 65.5%", "an improvement")),  # more assessments in time
    (60.0, 75.0, "high", ("down from 75.0%", "a deterioration")),
    (85.8, 83.7, "high", ("similar to 83.7%", "")),  # under 10% relative: similar (SO19)
    (739.3, 600.0, "none", ("up from 600.0%", "")),  # no polarity: no judgement
])
def test_direction_words_follow_polarity(current, previous, polarity, expected):
    assert dd._direction(current, previous, polarity) == expected


def test_repeat_headline(plans):
    text = repeat_page(plans, "internal").headline().text()
    assert "In the 12 months to June 2024, 7 of the 10 child protection plans that started were for a child who " \
           "had been on a plan before (70.0%)" in text
    assert "5 (50.0% of plans started) followed a plan that had ended within the previous 2 years." in text
    assert "off target" in text  # target 14% or less (params/targets/default.yaml)
    assert "In June 2024, six of the 7 plans that started were repeats; two of them are siblings" in text
    shared = repeat_page(plans, "shared").headline().text()
    assert "A small number (c) followed a plan" in shared
    # The grammar must not give a hidden count away ("was a repeat" would say: one).
    assert "In June 2024, six of the 7 plans that started were repeats" in shared
    assert "two of them" not in shared and "Alex" not in shared


def test_timeliness_headline(assessments):
    text = timeliness_page(assessments, "internal").headline().text()
    # 12 months to May 2024 (data from March): a7 in April plus May's seven; 7 of 8 within 45.
    assert "87.5% of the 8 assessments completed were within 45 working days" in text
    assert "2 assessments were open" not in text
    assert "4 assessments were open; one had already passed 45 working days" not in text
    assert "at the end of May 2024, 4 assessments were open; 1 had already passed 45 working days and 1 more" in text


def test_prose_and_table_escape_html():
    p = Prose(["<script>alert(1)</script> & co"])
    assert "<script>" not in p._repr_html_() and "&lt;script&gt;" in p._repr_html_()
    t = HtmlTable(["Team"], [["<b>x</b>"]])
    assert "<b>x</b>" not in t._repr_html_()


def test_table_formats_by_kind():
    f = pd.DataFrame({"team": ["A", "B"], "n": [3, 120], "pct": [50.0, 12.25], "num": [3, 15],
                      "wd": [2.5, 40.0], "d": pd.to_datetime(["2024-06-03", None])})
    cols = [Column("team", "Team"), Column("n", "N", "count"), Column("pct", "%", "pct", "num"),
            Column("wd", "Days", "wd", "n"), Column("d", "Date", "date")]
    assert table(f, cols, "internal").rows == [["A", "3", "50.0%", "2.5", "3 Jun 2024"],
                                               ["B", "120", "12.3%", "40", ""]]
    assert table(f, cols, "shared").rows[0] == ["A", "c", "c", "c", "3 Jun 2024"]
    assert count_words(3, "shared") == "a small number" and count_words(3, "internal") == "three"


def test_regional_page_suppresses_and_rates():
    comparison = rg.compare(TIDY, AUTH, ["A", "B", "C"], "2025-06")
    shared = RegionalComparisonPage(comparison, "shared", {c: load_targets(c) for c in "ABC"})
    v = shared.values.set_index(["measure", "authority"])
    # B's and C's repeat-plan percentages rest on 5 and 3 children: c.
    assert v.loc[("cpp_repeat_pct", "B"), "display"] == "c" and v.loc[("cpp_repeat_pct", "C"), "display"] == "c"
    assert v.loc[("cpp_repeat_pct", "A"), "display"] == "20.0%"
    # Default targets: 45 working days >= 86 green, >= 83 amber; repeat plans <= 14 green, <= 16 amber.
    assert v.loc[("assessment_45wd_pct", "B"), "rag"] == "green"
    assert v.loc[("assessment_45wd_pct", "A"), "rag"] == "red"
    assert v.loc[("cpp_repeat_pct", "A"), "rag"] == "red"
    assert v.loc[("cpp_repeat_pct", "C"), "rag"] is None  # suppressed: not judged
    chart = shared.ranked_chart("cpp_repeat_pct")
    text = json.dumps(chart.to_dict())
    assert '"bar": 20.0' in text and "10.0" not in text  # C's hidden 10% is not in the page
    assert not small_numbers(chart) or all(k == "rank" for k, _ in small_numbers(chart))
    ranks = v.loc["cpp_repeat_pct", "rank"]
    assert ranks["A"] == 1 and pd.isna(ranks["B"]) and pd.isna(ranks["C"])  # ranked among values shown
    table_rows = shared.table().frame().set_index("Measure")
    row = [r for r in table_rows.index if r.startswith("Assessments completed within 45")][0]
    assert table_rows.loc[row, "Brookvale"] == "90.0%\n1st of 3\non target"
    assert table_rows.loc[row, "England"] == "77.5%"
    internal = RegionalComparisonPage(comparison, "internal", {})
    assert internal.values.set_index(["measure", "authority"]).loc[("cpp_repeat_pct", "C"), "display"] == "10.0%"
    assert "best Coldmere (10.0%)" in internal.headline().text()


def test_regional_table_merges_region_and_england_when_they_are_one():
    one_region = AUTH.assign(region_code="R1", region_name="North")
    page = RegionalComparisonPage(rg.compare(TIDY, one_region, ["A", "B", "C"], "2025-06"), "internal", {})
    t = page.table().frame()
    assert list(t.columns)[-1] == "Region and England" and "England" not in list(t.columns)[:-1]
    row = t[t["Measure"].str.startswith("Assessments completed within 45")].iloc[0]
    assert row["Region and England"] == "77.5%"  # 155 / 200
    title = page.ranked_chart("cla_rate").title.text
    assert title == "Brookvale has the highest rate of children looked after (60.0 per 10,000 children)"


def test_count_phrase_hides_number_and_grammar():
    from csc_workbench.presentation.display import count_phrase

    assert count_phrase(1, "family", "families", "internal") == "one family"
    assert count_phrase(4, "family", "families", "internal") == "four families"
    assert count_phrase(1, "family", "families", "shared") == "a small number of families"
    assert count_phrase(12, "family", "families", "shared") == "12 families"


def test_single_repeat_is_not_given_away_by_grammar(plans):
    """May 2024: J2 is the only plan started (and a repeat)."""
    page = dd.RepeatCPDeepDive("T1", "Testshire", "2024-05", "shared", plans, None)
    text = page.headline().text()
    assert "In May 2024, a small number of the c plans that started were repeats." in text
    internal = dd.RepeatCPDeepDive("T1", "Testshire", "2024-05", "internal", plans, None).headline().text()
    assert "In May 2024, one of the 1 plans that started was a repeat." in internal


def test_complementary_suppression():
    """One hidden team among teams whose total is shown elsewhere: the next smallest
    non-zero team is hidden too, so the total minus the rest gives nothing away."""
    from csc_workbench.presentation.display import hidden_mask, suppress_frame

    assert hidden_mask([40, 3, 25, 0], "shared", complementary=True).tolist() == [False, True, True, False]
    assert hidden_mask([40, 3, 25, 0], "shared").tolist() == [False, True, False, False]
    assert hidden_mask([40, 3, 4, 0], "shared", complementary=True).tolist() == [False, True, True, False]
    assert not hidden_mask([40, 3, 25], "internal", complementary=True).any()
    # Within groups too (bins within a band; bands within a month).
    got = hidden_mask([3, 8, 7, 10, 20], "shared", True, ["a", "a", "a", "b", "b"])
    assert got.tolist() == [True, False, True, False, False]
    f = pd.DataFrame({"team": ["N", "S", "E"], "n": [40, 3, 25], "pct": [50.0, 30.0, 20.0]})
    t = table(f, [Column("team", "Team"), Column("n", "N", "count"), Column("pct", "%", "pct", "n")], "shared",
              complementary=True)
    assert t.rows == [["N", "40", "50.0%"], ["S", "c", "c"], ["E", "c", "c"]]
    chart = suppress_frame(f, "shared", counts=("n",), shares={"pct": "n"}, complementary=True)
    assert chart["n"].isna().tolist() == [False, True, True] and chart["suppressed"].tolist() == [False, True, True]


def test_shared_category_table_is_a_summary(plans):
    # 12 months: 7 repeats; category known 6 (A2, B2, C2, H2, G2, J2), changed 3 (A2, B2, H2).
    t = repeat_page(plans, "shared").category_table().frame()
    assert t["Repeat plans"].tolist() == ["c", "c", "c"]
    i = repeat_page(plans, "internal").category_table().frame()
    assert "Physical abuse" in i.columns and i["Total"].tolist() != []


def test_three_month_blocks_for_small_authorities(plans):
    """Data from April 2023: five whole three-month blocks to June 2024; Apr-Jun 2024 holds
    J2 (May) and the six June repeats."""
    chart = repeat_page(plans, "shared")._quarterly_chart()
    rows = next(iter(chart.to_dict()["datasets"].values()))
    got = {r["label"]: r["repeat_ever"] for r in rows}
    assert got == {"Apr-Jun 23": 0, "Jul-Sep 23": 0, "Oct-Dec 23": 0, "Jan-Mar 24": 0, "Apr-Jun 24": 7}
    assert chart.title.text == "Seven repeat plans started in Apr-Jun 24"
