"""Regional comparison: pooled region and England lines, ranks and 'better / worse than
England', on a hand-made measures table (answers worked out by hand)."""

import numpy as np
import pandas as pd
import pytest

from csc_workbench.analysis import regional as rg
from csc_workbench.errors import ConfigError

END = pd.Timestamp("2025-06-30")


def _tidy(rows):
    f = pd.DataFrame(rows, columns=["authority", "measure", "period_type", "numerator", "denominator", "value"])
    return f.assign(breakdown="all", breakdown_value="all", period_end=END, status="ok")


AUTH = pd.DataFrame({"authority": ["A", "B", "C"], "la_name": ["Ashdown", "Brookvale", "Coldmere"],
                     "region_code": ["R1", "R1", "R2"], "region_name": ["North", "North", "South"],
                     "is_synthetic": [True, True, True]})
TIDY = _tidy([
    ("A", "assessment_45wd_pct", "rolling_12m", 80, 100, 80.0),
    ("B", "assessment_45wd_pct", "rolling_12m", 45, 50, 90.0),
    ("C", "assessment_45wd_pct", "rolling_12m", 30, 50, 60.0),
    ("A", "cpp_repeat_pct", "rolling_12m", 10, 50, 20.0),
    ("B", "cpp_repeat_pct", "rolling_12m", 5, 25, 20.0),
    ("C", "cpp_repeat_pct", "rolling_12m", 3, 30, 10.0),
    ("A", "cla_rate", "snapshot", 50, 10_000, 50.0),
    ("B", "cla_rate", "snapshot", 30, 5_000, 60.0),
])


def test_pooled_lines_sum_numerators_over_denominators():
    lines = rg.pooled_lines(TIDY, AUTH).set_index(["measure", "line", "code"])["value"]
    # Region R1 = A + B: (80 + 45) / (100 + 50); R2 = C alone; England = all three.
    assert lines[("assessment_45wd_pct", "region", "R1")] == pytest.approx(125 / 150 * 100)
    assert lines[("assessment_45wd_pct", "region", "R2")] == pytest.approx(60.0)
    assert lines[("assessment_45wd_pct", "england", "SYNTHETIC-ENGLAND")] == pytest.approx(155 / 200 * 100)
    # Not the average of the rates (20, 20, 10 -> 16.7): 18 / 105.
    assert lines[("cpp_repeat_pct", "england", "SYNTHETIC-ENGLAND")] == pytest.approx(18 / 105 * 100)
    # Rates per 10,000: (50 + 30) / 15,000 x 10,000.
    assert lines[("cla_rate", "england", "SYNTHETIC-ENGLAND")] == pytest.approx(80 / 15_000 * 10_000)


def test_rows_not_ok_are_left_out_of_the_pool():
    t = TIDY.copy()
    t.loc[(t["authority"] == "C") & (t["measure"] == "assessment_45wd_pct"), "status"] = "not_available"
    lines = rg.pooled_lines(t, AUTH).set_index(["measure", "line", "code"])["value"]
    assert lines[("assessment_45wd_pct", "england", "SYNTHETIC-ENGLAND")] == pytest.approx(125 / 150 * 100)
    assert ("assessment_45wd_pct", "region", "R2") not in lines.index


def test_compare_ranks_the_run_and_judges_against_england():
    c = rg.compare(TIDY, AUTH, ["A", "B", "C"], "2025-06")
    v = c.values.set_index(["measure", "authority"])
    # Higher is better: B 90 (1st), A 80 (2nd), C 60 (3rd).
    assert v.loc["assessment_45wd_pct", "rank"].to_dict() == {"B": 1, "A": 2, "C": 3}
    # Lower is better, A and B tie on 20%: both 2nd after C's 10%.
    assert v.loc["cpp_repeat_pct", "rank"].to_dict() == {"C": 1, "A": 2, "B": 2}
    # No polarity: highest first (ranks only order the authorities).
    assert v.loc["cla_rate", "rank"].to_dict() == {"B": 1, "A": 2}
    assert v.loc[("cla_rate", "A"), "n_ranked"] == 2
    assert v.loc[("assessment_45wd_pct", "A"), "region_value"] == pytest.approx(125 / 150 * 100)
    assert v.loc[("assessment_45wd_pct", "C"), "region_value"] == pytest.approx(60.0)
    assert v.loc[("assessment_45wd_pct", "C"), "england_value"] == pytest.approx(77.5)
    assert v.loc["assessment_45wd_pct", "vs_england"].to_dict() == {"B": "better", "A": "better", "C": "worse"}
    # England 17.1%: A's 20% repeat plans is worse (low is good); C's 10% better.
    assert v.loc["cpp_repeat_pct", "vs_england"].to_dict() == {"C": "better", "A": "worse", "B": "worse"}
    assert v.loc["cla_rate", "vs_england"].to_dict() == {"B": "higher", "A": "lower"}
    # Key measures first, in KEY_MEASURES order.
    assert list(dict.fromkeys(c.values["measure"])) == ["assessment_45wd_pct", "cpp_repeat_pct", "cla_rate"]


def test_only_the_run_is_ranked_but_all_are_pooled():
    c = rg.compare(TIDY, AUTH, ["A", "C"], "2025-06")
    v = c.values.set_index(["measure", "authority"])
    assert set(c.values["authority"]) == {"A", "C"}
    assert v.loc["assessment_45wd_pct", "rank"].to_dict() == {"A": 1, "C": 2}
    assert v.loc[("assessment_45wd_pct", "A"), "england_value"] == pytest.approx(77.5)  # B still pooled


def test_missing_value_is_not_ranked():
    t = TIDY.copy()
    t.loc[(t["authority"] == "B") & (t["measure"] == "assessment_45wd_pct"), ["value", "status"]] = [np.nan,
                                                                                                   "not_available"]
    v = rg.compare(t, AUTH, ["A", "B", "C"], "2025-06").values.set_index(["measure", "authority"])
    assert pd.isna(v.loc[("assessment_45wd_pct", "B"), "rank"])
    assert v.loc["assessment_45wd_pct", "n_ranked"].iloc[0] == 2
    assert v.loc[("assessment_45wd_pct", "B"), "vs_england"] is None


def test_regional_measures_rejects_bad_input(tmp_path):
    with pytest.raises(ConfigError):
        rg.regional_measures(tmp_path / "w.duckdb", [], "2025-06")
    with pytest.raises(ConfigError):
        rg.regional_measures(tmp_path / "w.duckdb", ["A"], "2025-06", measures=("no_such_measure",))


def test_real_authorities_get_dfe_region_and_england(dfe_dir):
    """A real authority (Sefton, 343, North West) is compared with DfE's published figures:
    England 2024-25 assessments within 45 working days 85.7%, ICPCs within 15 working days
    81.4%, second or subsequent plans 24.5% (the reference README's known checks)."""
    from reference_data import built

    ref, _ = built(dfe_dir)
    auth = pd.DataFrame({"authority": ["343"], "la_name": ["Sefton"], "region_code": ["E12000002"],
                         "region_name": ["North West"], "is_synthetic": [False]})
    tidy = _tidy([("343", "assessment_45wd_pct", "rolling_12m", 800, 1000, 80.0),
                  ("343", "icpc_15wd_pct", "rolling_12m", 90, 100, 90.0),
                  ("343", "cpp_repeat_pct", "rolling_12m", 50, 200, 25.0)])
    c = rg.compare(tidy, auth, ["343"], "2025-06", reference=ref)
    v = c.values.set_index("measure")
    assert v.loc["assessment_45wd_pct", "england_value"] == pytest.approx(85.7)
    assert v.loc["icpc_15wd_pct", "england_value"] == pytest.approx(81.4)
    assert v.loc["cpp_repeat_pct", "england_value"] == pytest.approx(24.5)
    assert v["region_value"].notna().all()  # North West's published values
    assert v.loc["assessment_45wd_pct", "vs_england"] == "worse" and v.loc["icpc_15wd_pct", "vs_england"] == "better"
    sources = set(c.lines["source"])
    assert sources == {"DfE 2024-25"}  # nothing pooled: no fictional authority in the run
