"""Gathering one authority-month for the monthly pack (packs.monthly) and its sections, on
a small synthetic warehouse (two fictional authorities, April 2023 to March 2025)."""

import re

import numpy as np
import pandas as pd
import pytest

from csc_workbench.errors import ConfigError
from csc_workbench.model.warehouse import connect
from csc_workbench.packs import monthly
from csc_workbench.packs.monthly import build_monthly_pack
from csc_workbench.presentation import sections
from monthly_pack_helpers import MONTH, small_region


@pytest.fixture(scope="module")
def warehouse():
    return small_region()


@pytest.fixture(scope="module")
def packs(warehouse):
    return {(a, aud): build_monthly_pack(a, MONTH, aud, warehouse)
            for a in ("Z001", "Z002") for aud in ("shared", "internal")}


def test_scorecard_history_and_teams_for_the_month(packs):
    p = packs[("Z001", "shared")]
    assert p.name == "Brackenfold" and p.synthetic and p.month_label == "March 2025"
    assert set(p.scorecard["month"]) == {pd.Timestamp("2025-03-31")}
    # Charts never show a month after the pack's; at most 36 months.
    assert p.history["period_end"].max() == pd.Timestamp("2025-03-31")
    assert p.history["period_end"].min() >= pd.Timestamp("2022-04-30")
    assert set(p.teams["breakdown"]) == {"team"}
    assert set(p.teams["period_end"]) <= {pd.Timestamp("2025-02-28"), pd.Timestamp("2025-03-31")}
    assert p.teams["team_name"].str.contains("Team|Door|Hub", regex=True).any()


def test_benchmarks_are_the_last_complete_year_of_the_other_fictional_authority(packs, warehouse):
    p = packs[("Z001", "shared")]
    assert p.benchmark_year == "2024-25"
    b = p.benchmarks.set_index("measure")
    # Two authorities: Z002 is Z001's only neighbour; 'England' pools both (DfE pools numerators
    # over denominators, not averages of rates).
    with connect(warehouse, read_only=True) as con:
        rows = con.execute("SELECT authority, numerator, denominator FROM measures WHERE measure = "
                           "'rereferral_pct' AND period_type = 'year' AND breakdown = 'all' "
                           "AND period_end = '2025-03-31' ORDER BY authority").fetchall()
    (_, n1, d1), (_, n2, d2) = rows
    assert b.loc["rereferral_pct", "england"] == pytest.approx((n1 + n2) / (d1 + d2) * 100)
    assert b.loc["rereferral_pct", "sn_average"] == pytest.approx(n2 / d2 * 100)


def test_shared_pack_suppresses_small_numbers_and_reads_no_child_or_worker_tables(packs):
    shared, internal = packs[("Z002", "shared")], packs[("Z002", "internal")]
    assert shared.overdue_assessments is None and shared.worker_caseloads is None and shared.load_account is None
    # Whatever is 1-5 children internally is 'c' (suppressed) in the shared scorecard.
    i = internal.scorecard.set_index("measure")
    s = shared.scorecard.set_index("measure")
    small = i[(i["unit"] == "count") & i["value"].between(1, 5)].index
    assert len(small), "the small authority should have some counts of 1 to 5"
    assert (s.loc[small, "status"] == "suppressed").all()
    assert s.loc[small, "value"].isna().all()
    assert (shared.teams.loc[shared.teams["status"] == "suppressed", "value"].isna()).all()
    for what in (sections.overdue_assessments, sections.worker_caseloads, sections.data_quality):
        with pytest.raises(PermissionError):
            what(shared)


def test_overdue_assessments_are_the_children_behind_the_measure(packs):
    p = packs[("Z001", "internal")]
    counted = p.scorecard.set_index("measure").loc["assessments_open_over_45wd", "value"]
    assert len(p.overdue_assessments) == counted > 0
    assert (p.overdue_assessments["Working days open"] > 45).all()
    days = p.overdue_assessments["Working days open"].to_numpy()
    assert (np.diff(days) <= 0).all()  # longest waits first


def test_worker_caseloads_average_to_the_measure(packs):
    p = packs[("Z001", "internal")]
    average = p.scorecard.set_index("measure").loc["caseload_avg", "value"]
    assert p.worker_caseloads["Children allocated"].mean() == pytest.approx(average)
    assert p.worker_caseloads["Social worker"].str.len().gt(0).all()


def test_commentary_is_read_for_the_authority_and_month(tmp_path, warehouse):
    folder = tmp_path / "commentary"
    (folder / "Z001").mkdir(parents=True)
    (folder / "Z001" / f"{MONTH}.md").write_text("Referrals **rose** after half term.\n", encoding="utf-8")
    p = build_monthly_pack("Z001", MONTH, "shared", warehouse, commentary_dir=folder)
    assert p.commentary == "Referrals **rose** after half term."
    assert build_monthly_pack("Z002", MONTH, "shared", warehouse, commentary_dir=folder).commentary is None


def test_commentary_with_html_is_escaped():
    out = sections.safe_markdown("Fine **work**.\n\n<script>alert('x')</script>\n\n"
                                 "<img src=x onerror=alert(1)> ![chart](http://example.org/c.png) "
                                 "[intranet](https://intranet.example/p) <b>bold?</b>\n\n# Heading")
    assert "<script" not in out and "&lt;script&gt;alert(" in out
    assert "<img" not in out and "onerror=alert(1)&gt;" in out
    assert "<b>" not in out and "&lt;b&gt;bold?&lt;/b&gt;" in out
    assert "<a " not in out and "intranet (https://intranet.example/p)" in out  # links shown, not followed
    assert "http://example.org/c.png" not in out or "<img" not in out
    assert "<strong>work</strong>" in out and "<h4>Heading</h4>" in out


def test_bad_authority_month_and_audience_are_one_clear_error(warehouse):
    with pytest.raises(ConfigError, match="unknown authority 'Z999'"):
        build_monthly_pack("Z999", MONTH, "shared", warehouse)
    with pytest.raises(ConfigError, match="no data for Z001 in 2030-01"):
        build_monthly_pack("Z001", "2030-01", "shared", warehouse)
    with pytest.raises(ConfigError):
        build_monthly_pack("Z001", "March", "shared", warehouse)
    with pytest.raises(ConfigError, match="audience"):
        build_monthly_pack("Z001", MONTH, "public", warehouse)


def test_sections_render_without_gaps_or_raw_names(packs):
    p = packs[("Z002", "shared")]
    parts = [sections.summary(p), sections.commentary(p), sections.scorecard(p), sections.about(p)]
    for area in monthly.AREAS:
        parts += sections.area(p, area)
    charts = [x for x in parts if hasattr(x, "to_dict")]
    text = "\n".join(str(x) for x in parts if not hasattr(x, "to_dict"))
    assert len(charts) >= 14
    for chart in charts:
        spec = chart.to_dict()
        values = next(layer for layer in spec["layer"] if layer["encoding"].get("y", {}).get("field") == "value")
        assert len(spec["datasets"][values["data"]["name"]]) >= 14  # at least 14 months shown
        assert not re.search(r"\bnan\b|\bNaN\b|\bNone\b", spec["title"]["text"])
    assert not re.search(r"\bnan\b|\bNaN\b|\bNone\b|Traceback", text)
    for raw in ("rolling_12m", "value_month", "dot_month", "spc_flag", "breakdown_value", "special_cause_",
                "not_available", "_pct", "headline_period"):
        assert raw not in text, raw
    # No internal name at all (measure ids, settings, columns) in what a reader sees.
    visible = re.sub(r"<style\b.*?</style>", " ", text, flags=re.S)
    assert re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", visible) == []


def test_definitions_are_written_for_readers():
    titles = {"assessment_45wd_pct": "Assessments completed within 45 working days", "assessments": "Assessments"}
    text = ("As assessment_45wd_pct with a limit of 15 working days (option assessment_days). Assessments "
            "completed / assessments. Option assessment_clock='referral' times from the referral. Standard "
            "(option cpp_visit_standard): 10 working days; option cla_visit_standard='local' uses every "
            "cla_visit_local_weeks weeks / children.")
    assert sections.plain_definition(text, titles) == (
        "As assessments completed within 45 working days with a limit of 15 working days. Assessments completed "
        "/ assessments. Standard: 10 working days / children.")


def test_a_measure_entered_by_quarter_is_written_up_with_its_quarters(tmp_path, warehouse, monkeypatch):
    import shutil

    from csc_workbench.config import params_dir

    params = tmp_path / "params"
    shutil.copytree(params_dir(), params)
    (params / "manual" / "Z001.csv").write_text(
        "authority,measure,period,value,numerator,denominator,commentary\n"
        "Z001,agency_sw_pct,2024-Q3,31,,,\n"
        "Z001,agency_sw_pct,2024-Q4,27,,,Two agency workers replaced by permanent staff\n", encoding="utf-8")
    monkeypatch.setenv("CSCW_PARAMS", str(params))
    p = build_monthly_pack("Z001", MONTH, "shared", warehouse)
    parts = sections.area(p, "workforce")
    html = "\n".join(str(x) for x in parts if not hasattr(x, "to_dict"))
    assert "Social workers who are agency staff" in html
    table = re.search(r'<table class="csc-table">.*?</table>', html, flags=re.S).group(0)
    agency = re.search(r"Social workers who are agency staff.*?</tr>", table, flags=re.S).group(0)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", agency)
    # Oct 24 .. Mar 25: figures only at the quarter ends (December and March).
    assert cells[:6] == ["\u2013", "\u2013", "31.0%", "\u2013", "\u2013", "27.0%"]
    assert "27.0%" in html and "better than" in html  # 27% after 31%, low is good
    assert "Analyst's note:</strong> <p>Two agency workers replaced by permanent staff</p>" in html


def test_data_quality_appendix_shows_the_latest_load_account(tmp_path, warehouse):
    """With the loaders' account in the warehouse (tables dq_account and dq_issues, as
    `cscw load` writes them), the internal appendix shows the latest load and its rule
    counts; the rows behind them (which name children) stay in the warehouse."""
    import shutil

    import duckdb

    copy = tmp_path / "wh.duckdb"
    shutil.copy(warehouse, copy)
    con = duckdb.connect(str(copy))
    con.execute('CREATE TABLE dq_account (load_id VARCHAR, loaded_at TIMESTAMP, authority VARCHAR, "file" VARCHAR, '
                '"table" VARCHAR, rows_read BIGINT, loaded BIGINT, rejected BIGINT, fixed BIGINT, warnings BIGINT)')
    con.execute('CREATE TABLE dq_issues (load_id VARCHAR, loaded_at TIMESTAMP, authority VARCHAR, "file" VARCHAR, '
                '"table" VARCHAR, "row" VARCHAR, "column" VARCHAR, "rule" VARCHAR, "action" VARCHAR, message VARCHAR)')
    con.execute("INSERT INTO dq_account VALUES ('old', '2025-03-01 09:00', 'Z001', 'old.xml', 'referrals', 5, 5, 0, 0, 0),"
                "('L2', '2025-04-02 10:30', 'Z001', 'cin_2025.xml', 'referrals', 120, 117, 3, 1, 2),"
                "('L2', '2025-04-02 10:30', 'Z001', 'cin_2025.xml', 'assessments', 80, 80, 0, 0, 0)")
    con.execute("INSERT INTO dq_issues VALUES "
                "('L2', '2025-04-02 10:30', 'Z001', 'cin_2025.xml', 'referrals', '12', 'referral_date', "
                "'date_in_future', 'rejected', 'child C0000001: referral dated 2031-01-01'),"
                "('L2', '2025-04-02 10:30', 'Z001', 'cin_2025.xml', 'referrals', '13', 'referral_date', "
                "'date_in_future', 'rejected', 'child C0000002: referral dated 2031-01-02'),"
                "('L2', '2025-04-02 10:30', 'Z001', 'cin_2025.xml', 'referrals', '40', 'nfa', 'code_fixed', "
                "'fixed', 'child C0000003: NFA true')")
    con.close()
    p = build_monthly_pack("Z001", MONTH, "internal", copy)
    html = str(sections.data_quality(p))
    assert "Latest load, 02 April 2025 10:30: 200 rows read, 197 loaded, 3 rejected, 1 fixed and 2 warnings." in html
    assert "cin_2025.xml" in html and "old.xml" not in html
    assert re.search(r"date_in_future</td><td[^>]*>rejected</td><td[^>]*>2</td>", html)
    assert "C0000001" not in html  # counts by rule, not the rows
