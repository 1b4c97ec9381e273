"""Explain this number: the records behind a figure add up to the tidy table's figure for
every measure (property test on a synthetic authority), the records of a hand-built case are
the right ones, and the decomposition of a change is worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csc_workbench.analysis.explain import (decompose_change, describe_change, explain, explain_records,
                                            previous_period_end)
from csc_workbench.errors import ConfigError
from csc_workbench.measures import catalogue, compute_measures
from csc_workbench.measures.engine import (authority_context, measure_records, records_figure,
                                           split_by_authority)
from explore_support import month_end, synthetic
from measures_support import dataset

MEASURES = sorted(m for m, d in catalogue().items() if d.kind != "manual")


@pytest.fixture(scope="module")
def contexts():
    ds, _ = synthetic()
    return {code: authority_context(code, part) for code, part in split_by_authority(ds).items()}


@pytest.fixture(scope="module")
def tidy():
    return synthetic()[1]


# ---- explain = the tidy table, for every measure --------------------------------------------

def _same(a, b) -> bool:
    return (np.isnan(a) and np.isnan(b)) or np.isclose(a, b, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("measure", MEASURES)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pick=st.floats(0, 1, exclude_max=True))
def test_records_add_up_to_the_tidy_figure(measure, pick, contexts, tidy):
    rows = tidy[(tidy["measure"] == measure) & (tidy["status"] == "ok")]
    assert len(rows), f"{measure}: no figures in the synthetic data to explain"
    row = rows.iloc[int(pick * len(rows))]
    ctx = contexts[row["authority"]]
    rec = measure_records(ctx, measure, row["period_type"], row["period_end"], breakdown=row["breakdown"],
                          breakdown_value=row["breakdown_value"])
    fig = records_figure(ctx, measure, row["period_type"], row["period_end"], rec)
    where = f"{measure} {row['authority']} {row['period_type']} {row['period_end']:%Y-%m} " \
            f"{row['breakdown']}={row['breakdown_value']}"
    for col in ("numerator", "denominator", "value"):
        assert _same(fig[col], row[col]), f"{where}: {col} from records {fig[col]} != tidy {row[col]}"
    # Every record says who or what it is: a source row, or a child, or a worker (caseloads).
    if len(rec):
        assert {"source_row", "child_id", "worker"} & set(rec.columns), f"{where}: records name nothing"
        assert (rec["period_end"] == row["period_end"]).all()


def test_every_measure_has_records_that_name_a_source_row_or_a_child(contexts, tidy):
    ctx = contexts["Z001"]
    unnamed = []
    for measure in MEASURES:
        rows = tidy[(tidy["measure"] == measure) & (tidy["status"] == "ok") & (tidy["authority"] == "Z001")
                    & (tidy["numerator"] > 0)]
        row = rows.iloc[len(rows) // 2]
        rec = measure_records(ctx, measure, row["period_type"], row["period_end"])
        if "source_row" not in rec.columns and "child_id" not in rec.columns:
            unnamed.append(measure)
    # Caseloads are counted per worker: their records are workers, not source rows.
    assert unnamed == ["caseload_avg", "caseload_max"]


def test_the_explanation_matches_the_tidy_row_and_its_previous_month(contexts, tidy):
    e = explain(contexts["Z001"], "assessment_45wd_pct", "month", "2024-09")
    now = tidy[(tidy["authority"] == "Z001") & (tidy["measure"] == "assessment_45wd_pct")
               & (tidy["breakdown"] == "all") & (tidy["period_type"] == "month")].set_index("period_end")
    assert e.figure["numerator"] == now.loc[month_end("2024-09"), "numerator"]
    assert e.previous_figure["denominator"] == now.loc[month_end("2024-08"), "denominator"]
    assert e.previous_end == month_end("2024-08")
    for by in ("team", "worker", "age_band"):
        d = e.decompose(by)
        assert np.isclose(d["contribution"].sum(), e.change), by
        assert np.isclose(d["rate_effect"].sum() + d["mix_effect"].sum(), e.change), by
    # The team split agrees with the tidy table's team rows.
    teams = tidy[(tidy["authority"] == "Z001") & (tidy["measure"] == "assessment_45wd_pct")
                 & (tidy["breakdown"] == "team") & (tidy["period_type"] == "month")
                 & (tidy["period_end"] == month_end("2024-09"))].set_index("breakdown_value")
    d = e.decompose("team").set_index("team")
    for team, r in teams.iterrows():
        assert d.loc[team, "numerator"] == r["numerator"] and d.loc[team, "denominator"] == r["denominator"]


def test_records_of_a_share_breakdown_hold_the_whole_denominator(contexts, tidy):
    ctx = contexts["Z001"]
    rows = tidy[(tidy["authority"] == "Z001") & (tidy["measure"] == "cpp_category_pct")
                & (tidy["breakdown"] == "category") & (tidy["period_end"] == month_end("2024-09"))]
    r = rows.iloc[0]
    rec = measure_records(ctx, "cpp_category_pct", "snapshot", "2024-09", breakdown="category",
                          breakdown_value=r["breakdown_value"])
    assert rec["denominator"].sum() == r["denominator"]  # every child on a plan
    assert rec.loc[rec["in_numerator"], "category"].eq(r["breakdown_value"]).all()
    assert rec["in_numerator"].sum() == r["numerator"]


def test_unknown_period_and_breakdown_are_refused(contexts):
    ctx = contexts["Z001"]
    with pytest.raises(ConfigError, match="no month period ends on 2030-01-31"):
        measure_records(ctx, "referrals", "month", "2030-01")
    with pytest.raises(ConfigError, match="has no breakdown 'worker'"):
        measure_records(ctx, "referrals", "month", "2024-09", breakdown="worker", breakdown_value="W1")
    with pytest.raises(ConfigError, match="not reported for period type 'snapshot'"):
        measure_records(ctx, "referrals", "snapshot", "2024-09")


# ---- a hand-built case ------------------------------------------------------------------------

def test_assessment_records_say_how_late_each_one_was():
    # Working days from the start (not counted) to authorisation; Monday 26 August 2024 is
    # the summer bank holiday.
    # a1: Mon 15 Jul -> Fri 13 Sep: 16-19 Jul 4, five full weeks 22 Jul-23 Aug 25, 27-30 Aug 4,
    #     2-6 Sep 5, 9-13 Sep 5 = 43: within 45.
    # a2: Mon 1 Jul -> Fri 6 Sep: 2-5 Jul 4, seven full weeks 8 Jul-23 Aug 35, 27-30 Aug 4,
    #     2-6 Sep 5 = 48: late by 3.
    # a3: authorised (9 Sep) before its start (10 Sep): left out as a data-quality error.
    # a4: authorised in August: not in September's figure.
    ds = dataset(
        referrals=[{"referral_id": "r0", "child_id": "c0", "referral_date": "2024-04-01"}],
        assessments=[
            {"assessment_id": "a1", "child_id": "c1", "start_date": "2024-07-15", "authorised_date": "2024-09-13",
             "team_id": "T1", "worker_id": "W1"},
            {"assessment_id": "a2", "child_id": "c2", "start_date": "2024-07-01", "authorised_date": "2024-09-06",
             "team_id": "T2", "worker_id": "W2"},
            {"assessment_id": "a3", "child_id": "c3", "start_date": "2024-09-10", "authorised_date": "2024-09-09",
             "team_id": "T2", "worker_id": "W2"},
            {"assessment_id": "a4", "child_id": "c4", "start_date": "2024-07-01", "authorised_date": "2024-08-20",
             "team_id": "T1", "worker_id": "W1"},
        ])
    rec = explain_records(ds, "assessment_45wd_pct", "month", "2024-09").set_index("assessment_id")
    assert sorted(rec.index) == ["a1", "a2", "a3"]
    assert rec.loc["a1", "working_days"] == 43 and pd.isna(rec.loc["a1", "late_by_wd"])
    assert rec.loc["a2", "working_days"] == 48 and rec.loc["a2", "late_by_wd"] == 3
    assert rec.loc["a1", "in_numerator"] and not rec.loc["a2", "in_numerator"] and rec.loc["a2", "in_denominator"]
    assert "authorised before the clock start" in rec.loc["a3", "left_out"]
    assert not rec.loc["a3", "in_denominator"]
    assert rec.loc["a2", "child_id"] == "c2" and rec.loc["a2", "team"] == "T2" and rec.loc["a2", "worker"] == "W2"
    assert rec.loc["a2", "start_date"] == pd.Timestamp("2024-07-01")
    assert rec.loc["a2", "authorised_date"] == pd.Timestamp("2024-09-06")
    # 1 of 2 within 45 working days, as the engine says.
    tidy = compute_measures(ds, measures=["assessment_45wd_pct"], periods=["month"])
    sept = tidy[(tidy["period_end"] == month_end("2024-09")) & (tidy["breakdown"] == "all")].iloc[0]
    assert (sept["numerator"], sept["denominator"], sept["value"]) == (1, 2, 50)
    fig = records_figure(ds, "assessment_45wd_pct", "month", "2024-09", rec)
    assert (fig["numerator"], fig["denominator"], fig["value"]) == (1, 2, 50)
    # Team T2's figure: a2 only (a3 is left out).
    t2 = measure_records(ds, "assessment_45wd_pct", "month", "2024-09", breakdown="team", breakdown_value="T2")
    assert t2.loc[t2["in_denominator"].astype(bool), "assessment_id"].tolist() == ["a2"]


# ---- the decomposition, worked by hand ---------------------------------------------------------

class _Def:
    def __init__(self, unit):
        self.unit = unit


def _records(groups: dict) -> tuple[pd.DataFrame, pd.Series]:
    """One record per (group, numerator weight, denominator weight) triple."""
    rows = [(g, n, d) for g, pairs in groups.items() for n, d in pairs]
    frame = pd.DataFrame(rows, columns=["g", "numerator", "denominator"])
    return frame, frame["g"]


def _group(n_in: int, n_out: int) -> list:
    return [(1.0, 1.0)] * n_in + [(0.0, 1.0)] * n_out


def test_shift_share_of_a_percentage():
    # Before: A 8 of 10, B 1 of 10 -> 9 / 20 = 45%. After: A 4 of 5, B 6 of 15 -> 10 / 20 = 50%.
    # Contributions 100 x (N_g1 / D1 - N_g0 / D0): A 100 x (4/20 - 8/20) = -20, B 100 x (6/20 - 1/20) = +25.
    # A's rate stayed at 80% (rate effect 0); its share fell from 50% to 25%: mix -0.25 x 80 = -20.
    # B's rate rose 10% -> 40%: rate (40 - 10) x (0.5 + 0.75) / 2 = 18.75; mix (0.75 - 0.5) x (10 + 40) / 2 = 6.25.
    prev, g0 = _records({"A": _group(8, 2), "B": _group(1, 9)})
    cur, g1 = _records({"A": _group(4, 1), "B": _group(6, 9)})
    d = decompose_change(cur, prev, g1, g0, _Def("pct"), {"numerator": 10, "denominator": 20, "value": 50.0},
                         {"numerator": 9, "denominator": 20, "value": 45.0}, by="team").set_index("team")
    assert list(d.index) == ["B", "A"]  # largest contribution first
    assert np.isclose(d.loc["A", "contribution"], -20) and np.isclose(d.loc["B", "contribution"], 25)
    assert np.isclose(d.loc["A", "rate_effect"], 0) and np.isclose(d.loc["A", "mix_effect"], -20)
    assert np.isclose(d.loc["B", "rate_effect"], 18.75) and np.isclose(d.loc["B", "mix_effect"], 6.25)
    assert np.isclose(d.loc["B", "value_previous"], 10) and np.isclose(d.loc["B", "value"], 40)
    assert np.isclose(d.loc["A", "share_previous"], 50) and np.isclose(d.loc["A", "share"], 25)


def test_a_new_group_contributes_all_by_mix():
    # Before: A 5 of 10 = 50%. After: A 5 of 10, C (new) 10 of 10 -> 15 / 20 = 75% (+25 points).
    # A: 100 x (5/20 - 5/10) = -25, all mix (its share fell from 100% to 50% at 50%).
    # C: 100 x 10/20 = +50, all mix (share 0 -> 50% at its rate, 100%).
    prev, g0 = _records({"A": _group(5, 5)})
    cur, g1 = _records({"A": _group(5, 5), "C": _group(10, 0)})
    d = decompose_change(cur, prev, g1, g0, _Def("pct"), {"numerator": 15, "denominator": 20, "value": 75.0},
                         {"numerator": 5, "denominator": 10, "value": 50.0}, by="team").set_index("team")
    assert np.isclose(d.loc["C", "contribution"], 50) and np.isclose(d.loc["C", "rate_effect"], 0)
    assert np.isclose(d.loc["A", "contribution"], -25) and np.isclose(d.loc["A", "mix_effect"], -25)
    assert pd.isna(d.loc["C", "value_previous"])


def test_counts_and_rates_split_by_group():
    # Counts: A 3 -> 5 (+2), B 4 -> 1 (-3).
    prev, g0 = _records({"A": [(1.0, np.nan)] * 3, "B": [(1.0, np.nan)] * 4})
    cur, g1 = _records({"A": [(1.0, np.nan)] * 5, "B": [(1.0, np.nan)] * 1})
    d = decompose_change(cur, prev, g1, g0, _Def("count"), {"numerator": 6, "denominator": np.nan, "value": 6},
                         {"numerator": 7, "denominator": np.nan, "value": 7}, by="team").set_index("team")
    assert d.loc["A", "contribution"] == 2 and d.loc["B", "contribution"] == -3
    # Rates (a month, annualised x 12): before 5 events, population 1,000 -> 5 x 120 = 600;
    # after 8 events, population 2,000 -> 8 x 60 = 480. A 2 -> 4: 4 x 60 - 2 x 120 = 0;
    # B 3 -> 4: 4 x 60 - 3 x 120 = -120; together -120 = 480 - 600.
    prev, g0 = _records({"A": [(1.0, np.nan)] * 2, "B": [(1.0, np.nan)] * 3})
    cur, g1 = _records({"A": [(1.0, np.nan)] * 4, "B": [(1.0, np.nan)] * 4})
    d = decompose_change(cur, prev, g1, g0, _Def("rate"), {"numerator": 8, "denominator": 2000, "value": 480.0},
                         {"numerator": 5, "denominator": 1000, "value": 600.0}, by="team").set_index("team")
    assert np.isclose(d.loc["A", "contribution"], 0) and np.isclose(d.loc["B", "contribution"], -120)
    assert np.isclose(d.loc["B", "value_previous"], 360) and np.isclose(d.loc["B", "value"], 240)


def test_previous_periods():
    assert previous_period_end("month", "2024-09-30") == month_end("2024-08")
    assert previous_period_end("rolling_12m", "2024-01-31") == month_end("2023-12")
    assert previous_period_end("quarter", "2024-09-30") == month_end("2024-06")
    assert previous_period_end("ytd", "2024-09-30") == month_end("2023-09")


def test_a_shared_text_never_names_a_worker(contexts):
    e = explain(contexts["Z001"], "assessment_45wd_pct", "month", "2024-09")
    with pytest.raises(ConfigError, match="cannot name workers"):
        describe_change(e, "worker", audience="shared")
    text = describe_change(e, "team", audience="shared")
    top = e.decompose("team").iloc[0]
    assert f"team {top['team']}" in text and "Assessments completed within 45 working days" in text
