"""Targets from YAML and the three RAG schemes, each boundary worked out by hand."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assessment_helpers import indicator_catalogue, mdef
from csc_workbench.assessment.manual import load_manual_definitions
from csc_workbench.assessment.targets import evaluate_rag, load_targets, read_targets_file
from csc_workbench.config import REPO_ROOT
from csc_workbench.errors import ConfigError

CAT = {
    "a45": mdef("a45", "pct", "high"),
    "reref": mdef("reref", "pct", "low"),
    "s47_rate": mdef("s47_rate", "rate", "none"),
    "caseload_avg": mdef("caseload_avg", "number", "range", area="workforce"),
    "a1_days": mdef("a1_days", "days", "low", periods=("month", "rolling_12m")),
    "stock": mdef("stock", "pct", "high", periods=("snapshot",), kind="stock"),
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def rag_of(tmp_path, entry_yaml, measure, values, bench=None):
    write(tmp_path, "default.yaml", f"measures:\n  {measure}:\n" + entry_yaml)
    targets = load_targets(None, CAT, tmp_path)
    out = evaluate_rag([measure] * len(values), values, targets, bench)
    return out


# ---- the shipped default.yaml ------------------------------------------------------------

def test_default_targets_use_real_measure_ids(reference_dir):
    catalogue = indicator_catalogue(reference_dir)
    for d in load_manual_definitions(REPO_ROOT / "params" / "manual_measures.yaml"):
        catalogue[d.id] = d
    targets = load_targets("no_such_authority", catalogue, REPO_ROOT / "params" / "targets")
    assert targets.files == ("default.yaml",)
    assert targets.similar_band == 0.10
    assert len(targets.rules) >= 30
    # RO15 3.3 as shipped: 86% target, amber down to 83%.
    rule = targets.rule("assessment_45wd_pct")
    assert (rule.scheme, rule.target, rule.amber, rule.polarity) == ("tolerance", 86, 83, "high")
    assert {r.scheme for r in targets.rules.values()} == {"tolerance", "bands", "mid50"}


# ---- tolerance ---------------------------------------------------------------------------

def test_tolerance_high_is_good(tmp_path):
    # RO15 3.3: target 86%, amber 83% to under 86%, red under 83%.
    out = rag_of(tmp_path, "    scheme: tolerance\n    target: 86\n    amber: 83\n", "a45",
                 [90, 86, 85.9, 83, 82.9, np.nan])
    assert out["rag"].tolist() == ["green", "green", "amber", "amber", "red", None]
    assert out["rag_label"].tolist()[:5] == ["On target", "On target", "Within tolerance",
                                             "Within tolerance", "Off target"]
    assert out["target"].tolist() == [86.0] * 6
    assert out["target_text"].iloc[0] == "\u2265 86.0% (amber \u2265 83.0%)"


def test_tolerance_low_is_good(tmp_path):
    # RO15 2.8: target 23%, amber to 26%, red above 26%.
    out = rag_of(tmp_path, "    scheme: tolerance\n    target: 23\n    amber: 26\n", "reref",
                 [20, 23, 23.1, 26, 26.1])
    assert out["rag"].tolist() == ["green", "green", "amber", "amber", "red"]


def test_target_without_tolerance_is_green_or_red(tmp_path):
    # SF24 7: target 90%, no tolerance.
    out = rag_of(tmp_path, "    scheme: tolerance\n    target: 90\n", "a45", [90, 89.99, 95])
    assert out["rag"].tolist() == ["green", "red", "green"]


def test_range_plus_minus_around_a_target(tmp_path):
    # RO15 4.3: green within +/-5 of 158.8, amber within +/-15, red beyond.
    entry = ("    scheme: tolerance\n    target: 158.8\n    green_within: 5\n"
             "    amber_within: 15\n")
    values = [158.8, 163.8, 153.8, 163.9, 173.8, 143.8, 173.9, 143.7]
    out = rag_of(tmp_path, entry, "s47_rate", values)
    assert out["rag"].tolist() == ["green", "green", "green", "amber", "amber", "amber", "red", "red"]
    assert out["target"].iloc[0] == 158.8
    assert out["target_text"].iloc[0] == "158.8 \u00b1 5.0 (amber \u00b1 15.0)"


def test_caseload_range_only_above_counts(tmp_path):
    # RO15 11.4: 16-22 green; amber up to 1% above the range (22.22); red beyond. Below the
    # range is not a problem (RO15 shows 4.3 as green).
    entry = ("    scheme: tolerance\n    target_range: [16, 22]\n    amber_within_pct: 1\n"
             "    sides: above\n")
    out = rag_of(tmp_path, entry, "caseload_avg", [4.3, 16, 22, 22.1, 22.22, 22.23])
    assert out["rag"].tolist() == ["green", "green", "green", "amber", "amber", "red"]
    assert out["target_low"].tolist()[0] == 16 and out["target_high"].tolist()[0] == 22
    assert np.isnan(out["target"].iloc[0])


def test_range_both_sides(tmp_path):
    # 16-22 with a 1% margin each side: amber from 15.84 up and to 22.22.
    entry = "    scheme: tolerance\n    target_range: [16, 22]\n    amber_within_pct: 1\n"
    out = rag_of(tmp_path, entry, "caseload_avg", [15.9, 15.84, 15.8, 19, 22.3])
    assert out["rag"].tolist() == ["amber", "amber", "red", "green", "red"]


# ---- bands -------------------------------------------------------------------------------

def test_bands_high_is_good(tmp_path):
    # SF17 assessments within 45 days: RI 75-80, good 81-89, outstanding 90+.
    entry = "    scheme: bands\n    ri: 75\n    good: 81\n    outstanding: 90\n    target: 81\n"
    out = rag_of(tmp_path, entry, "a45", [95, 90, 89.9, 81, 80.5, 75, 74.9])
    assert out["rag"].tolist() == ["outstanding", "outstanding", "good", "good", "ri", "ri",
                                   "inadequate"]
    assert out["rag_label"].tolist()[-2:] == ["Requires improvement", "Inadequate"]
    assert out["target"].iloc[0] == 81  # the year-end target, for the chart line


def test_bands_low_is_good(tmp_path):
    # CE16 15 repeat referrals: RI 25-30, good 20-24, outstanding below 20.
    entry = "    scheme: bands\n    ri: 30\n    good: 24\n    outstanding: 19.9\n"
    out = rag_of(tmp_path, entry, "reref", [12, 19.9, 20, 24, 24.5, 30, 30.1])
    assert out["rag"].tolist() == ["outstanding", "outstanding", "good", "good", "ri", "ri",
                                   "inadequate"]
    assert out["target_text"].iloc[0] == ("RI \u2264 30.0%, good \u2264 24.0%, "
                                          "outstanding \u2264 19.9%")


def test_bands_without_ri_floor(tmp_path):
    entry = "    scheme: bands\n    good: 81\n    outstanding: 90\n"
    out = rag_of(tmp_path, entry, "a45", [10, 85])
    assert out["rag"].tolist() == ["ri", "good"]


# ---- mid50 -------------------------------------------------------------------------------

BENCH = pd.DataFrame({"measure": ["a45", "reref", "s47_rate"], "england_p25": [80, 20, 150],
                      "england_p75": [88, 25, 210]})


def test_mid50_high_is_good(tmp_path):
    out = rag_of(tmp_path, "    scheme: mid50\n", "a45", [90, 88, 80, 79.9, 84], BENCH)
    assert out["rag_position"].tolist() == ["above", "within", "within", "below", "within"]
    assert out["rag"].tolist() == ["green", "amber", "amber", "red", "amber"]
    assert out["rag_label"].iloc[0] == "Better than the middle 50% of England"
    assert out["rag_label"].iloc[3] == "Worse than the middle 50% of England"


def test_mid50_low_is_good(tmp_path):
    out = rag_of(tmp_path, "    scheme: mid50\n", "reref", [26, 22, 19], BENCH)
    assert out["rag"].tolist() == ["red", "amber", "green"]


def test_mid50_polarity_none_gives_position_only(tmp_path):
    out = rag_of(tmp_path, "    scheme: mid50\n", "s47_rate", [293, 180], BENCH)
    assert out["rag_position"].tolist() == ["above", "within"]
    assert out["rag"].tolist() == [None, None]
    assert out["rag_label"].tolist() == ["Above the middle 50% of England",
                                         "Within the middle 50% of England"]


def test_mid50_without_benchmark(tmp_path):
    out = rag_of(tmp_path, "    scheme: mid50\n", "a45", [90], None)
    assert out["rag"].tolist() == [None]
    assert out["rag_label"].tolist() == ["No England benchmark"]


def test_measure_without_target_has_no_rag(tmp_path):
    write(tmp_path, "default.yaml", "measures:\n  a45:\n    scheme: tolerance\n    target: 86\n")
    out = evaluate_rag(["a45", "reref"], [90, 10], load_targets(None, CAT, tmp_path))
    assert out["rag"].tolist() == ["green", None]
    assert out["rag_scheme"].tolist() == ["tolerance", None]


# ---- authority overrides ------------------------------------------------------------------

def test_authority_file_overrides_default(tmp_path):
    write(tmp_path, "default.yaml", """
defaults:
  similar_band: 0.1
measures:
  a45: {scheme: tolerance, target: 86, amber: 83}
  reref: {scheme: tolerance, target: 23, amber: 26, similar_band: 0.05}
  a1_days: {scheme: tolerance, target: 487, amber: 511}
""")
    write(tmp_path, "E08000014.yaml", """
defaults:
  similar_band: 0.2
measures:
  a45: {scheme: bands, ri: 75, good: 81, outstanding: 90}
  a1_days: null
""")
    t = load_targets("E08000014", CAT, tmp_path)
    assert t.files == ("default.yaml", "E08000014.yaml")
    assert t.rule("a45").scheme == "bands" and t.rule("a45").target is None
    assert t.rule("a45").source == "E08000014.yaml"
    assert t.rule("reref").target == 23
    assert t.rule("a1_days") is None
    assert t.similar_band == 0.2
    assert t.similar_band_for("reref") == 0.05
    assert t.similar_band_for("a45") == 0.2
    # Another authority only gets the defaults.
    other = load_targets("E09000001", CAT, tmp_path)
    assert other.rule("a45").scheme == "tolerance" and other.rule("a1_days") is not None


def test_polarity_override_lets_a_context_measure_have_a_target(tmp_path):
    # RO15 2.4 judges the referral rate "low is good" though DfE gives no polarity.
    entry = "    scheme: tolerance\n    polarity: low\n    target: 600\n    amber: 650\n"
    out = rag_of(tmp_path, entry, "s47_rate", [590, 640, 700])
    assert out["rag"].tolist() == ["green", "amber", "red"]


# ---- bad YAML ----------------------------------------------------------------------------

@pytest.mark.parametrize("text,key,problem", [
    ("measures:\n  nope: {scheme: tolerance, target: 1}\n", "measures.nope", "unknown measure"),
    ("measures:\n  a45: {scheme: traffic, target: 1}\n", "measures.a45.scheme", "must be one of"),
    ("measures:\n  a45: {scheme: tolerance, target: 86, amber: 88}\n", "measures.a45.amber",
     "at or below the target"),
    ("measures:\n  reref: {scheme: tolerance, target: 23, amber: 20}\n", "measures.reref.amber",
     "at or above the target"),
    ("measures:\n  a45: {scheme: tolerance, target: '86%'}\n", "measures.a45.target",
     "must be a number"),
    ("measures:\n  a45: {scheme: tolerance, target: true}\n", "measures.a45.target",
     "must be a number"),
    ("measures:\n  a45: {scheme: tolerance}\n", "measures.a45.target", "is required"),
    ("measures:\n  a45: {scheme: bands, ri: 75, good: 90, outstanding: 81}\n", "measures.a45",
     "must rise"),
    ("measures:\n  reref: {scheme: bands, ri: 20, good: 24, outstanding: 30}\n", "measures.reref",
     "must fall"),
    ("measures:\n  a45: {scheme: bands, ri: 75, outstanding: 90}\n", "measures.a45.good",
     "is required"),
    ("measures:\n  a45: {scheme: tolerance, target: 86, colour: red}\n", "measures.a45.colour",
     "is not a setting"),
    ("measures:\n  s47_rate: {scheme: tolerance, target: 158.8, amber: 150}\n", "measures.s47_rate",
     "needs polarity high or low"),
    ("measures:\n  s47_rate: {scheme: bands, good: 1, outstanding: 2}\n", "measures.s47_rate",
     "bands need polarity"),
    ("measures:\n  stock: {scheme: tolerance, target: 90, period: month}\n",
     "measures.stock.period", "not computed for 'month'"),
    ("measures:\n  a45: {scheme: tolerance, target: 90, period: weekly}\n",
     "measures.a45.period", "must be one of"),
    ("measures:\n  caseload_avg: {scheme: tolerance, target_range: [22, 16]}\n",
     "measures.caseload_avg.target_range", "is above high"),
    ("measures:\n  caseload_avg: {scheme: tolerance, target_range: 16-22}\n",
     "measures.caseload_avg.target_range", "must be [low, high]"),
    ("measures:\n  s47_rate: {scheme: tolerance, target: 158.8, green_within: 15, amber_within: 5}\n",
     "measures.s47_rate.amber_within", "at least green_within"),
    ("measures:\n  s47_rate: {scheme: tolerance, target: 158.8, green_within: 5, amber: 150}\n",
     "measures.s47_rate.amber", "cannot be used with a range"),
    ("measures:\n  caseload_avg: {scheme: tolerance, target_range: [16, 22], sides: up}\n",
     "measures.caseload_avg.sides", "must be one of"),
    ("measures:\n  a45: {scheme: tolerance, target: 90, similar_band: 10}\n",
     "measures.a45.similar_band", "is a fraction"),
    ("defaults:\n  similar: 0.1\n", "defaults.similar", "unknown setting"),
    ("targets:\n  a45: {}\n", "targets", "unknown top-level key"),
    ("measures:\n  a45: 86\n", "measures.a45", "must be a mapping"),
])
def test_bad_targets_name_file_key_and_problem(tmp_path, text, key, problem):
    write(tmp_path, "default.yaml", text)
    with pytest.raises(ConfigError) as err:
        load_targets(None, CAT, tmp_path)
    message = str(err.value)
    assert message.startswith(f"default.yaml: {key}: "), message
    assert problem in message, message


def test_bad_authority_file_is_named(tmp_path):
    write(tmp_path, "default.yaml", "measures:\n  a45: {scheme: tolerance, target: 86}\n")
    write(tmp_path, "E1.yaml", "measures:\n  a46: {scheme: tolerance, target: 86}\n")
    with pytest.raises(ConfigError, match=r"^E1\.yaml: measures\.a46: unknown measure"):
        load_targets("E1", CAT, tmp_path)


def test_invalid_yaml_is_a_config_error(tmp_path):
    path = write(tmp_path, "default.yaml", "measures:\n  a45: [unclosed\n")
    with pytest.raises(ConfigError, match="default.yaml: not valid YAML"):
        read_targets_file(path, CAT)


def test_readme_examples_are_valid(reference_dir, tmp_path):
    """Every example block in params/targets/README.md (after the format outline) loads."""
    import re

    catalogue = indicator_catalogue(reference_dir)
    text = (REPO_ROOT / "params" / "targets" / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 5
    for block in blocks[1:]:
        folder = tmp_path / str(abs(hash(block)))
        folder.mkdir()
        (folder / "default.yaml").write_text("measures:\n" + block)
        targets = load_targets(None, catalogue, folder)
        assert targets.rules, block
    # One spot check of what the README promises the scorecard prints.
    (tmp_path / "default.yaml").write_text(
        "measures:\n  caseload_avg: {scheme: tolerance, target_range: [16, 22], "
        "amber_within_pct: 1, sides: above}\n")
    rule = load_targets(None, catalogue, tmp_path).rule("caseload_avg")
    assert rule.target_text() == "16.0\u201322.0 (amber +1%), only above counts"
    assert rule.target_text() in text
