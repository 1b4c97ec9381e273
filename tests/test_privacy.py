"""Small numbers: DfE suppression for shared outputs, dropped personal breakdowns, display."""

import math

import numpy as np
import pandas as pd
import pytest

from csc_workbench.errors import ConfigError
from csc_workbench.measures.catalogue import PERSONAL_BREAKDOWNS as CATALOGUE_PERSONAL
from csc_workbench.measures.catalogue import TIDY_COLUMNS
from csc_workbench.privacy import (PERSONAL_BREAKDOWNS, apply_audience, format_value,
                                   format_values, suppression_mask)

UNITS = {"referrals": "count", "a45": "pct", "ref_rate": "rate", "a1_days": "days",
         "caseload": "number"}


def _tidy(rows):
    """rows: (measure, breakdown, breakdown_value, numerator, denominator, value)."""
    df = pd.DataFrame(rows, columns=["measure", "breakdown", "breakdown_value", "numerator",
                                     "denominator", "value"])
    df["authority"] = "E1"
    df["period_type"] = "month"
    df["period_end"] = pd.Timestamp("2024-11-30")
    df["status"] = "ok"
    return df[TIDY_COLUMNS]


ROWS = [
    ("referrals", "all", "all", 5, np.nan, 5),          # 0 count 5 -> c
    ("referrals", "team", "North", 6, np.nan, 6),       # 1 count 6 -> shown
    ("referrals", "team", "South", 0, np.nan, 0),       # 2 count 0 -> shown (DfE shows 0)
    ("referrals", "team", "East", 1, np.nan, 1),        # 3 count 1 -> c
    ("a45", "all", "all", 3, 40, 7.5),                  # 4 3 of 40 -> c (numerator 1-5)
    ("a45", "team", "North", 6, 8, 75.0),               # 5 6 of 8 -> shown
    ("a45", "team", "South", 0, 4, 0.0),                # 6 0 of 4 -> shown (numerator 0)
    ("ref_rate", "all", "all", 4, 52000, 0.77),         # 7 rate from 4 referrals -> c
    ("ref_rate", "team", "North", 300, 52000, 57.7),    # 8 shown
    ("a1_days", "all", "all", 1500, 4, 375.0),          # 9 average over 4 children -> c
    ("a1_days", "team", "North", 4000, 10, 400.0),      # 10 shown
    ("referrals", "worker", "J Smith", 40, np.nan, 40), # 11 worker breakdown -> dropped
    ("caseload", "team", "North", 90, 5, 18.0),         # 12 average over 5 workers -> c
]


def test_catalogue_personal_breakdowns_are_all_dropped():
    assert set(CATALOGUE_PERSONAL) <= set(PERSONAL_BREAKDOWNS)


def test_internal_keeps_everything():
    tidy = _tidy(ROWS)
    out = apply_audience(tidy, "internal", UNITS)
    assert len(out) == len(ROWS)
    assert (out["status"] == "ok").all()
    assert out["value"].tolist()[:4] == [5, 6, 0, 1]
    assert out.loc[11, "breakdown_value"] == "J Smith"
    assert out.loc[4, "display"] == "7.5%"


def test_shared_suppresses_small_numbers_and_drops_workers():
    tidy = _tidy(ROWS)
    out = apply_audience(tidy, "shared", UNITS)
    # The worker row is gone; every other row keeps its place.
    assert "worker" not in set(out["breakdown"])
    assert len(out) == len(ROWS) - 1
    hidden = out["status"] == "suppressed"
    expected_hidden = [True, False, False, True, True, False, False, True, False, True, False,
                       True]
    assert hidden.tolist() == expected_hidden
    # Nothing of a suppressed row survives: value, numerator and denominator are NaN.
    assert out.loc[hidden, ["numerator", "denominator", "value"]].isna().all().all()
    assert (out.loc[hidden, "display"] == "c").all()
    # Shown rows keep their numbers.
    shown = out[~hidden]
    assert shown["value"].tolist() == [6, 0, 75.0, 0.0, 57.7, 400.0]
    assert shown["display"].tolist() == ["6", "0", "75.0%", "0.0%", "57.7", "400.0"]
    # The input is not modified.
    assert tidy.loc[0, "value"] == 5


def test_without_units_the_cautious_rule_applies():
    tidy = _tidy([
        ("x", "all", "all", np.nan, np.nan, 3),   # looks like a count of 3 -> c
        ("x", "all", "all", np.nan, np.nan, 30),  # count of 30 -> shown
        ("y", "all", "all", 2, 100, 2.0),         # numerator 2 -> c
        ("z", "all", "all", 100, 3, 33.3),        # denominator 3 -> c
        ("w", "all", "all", 80, 100, 80.0),       # shown
        ("v", "all", "all", 600, 52000, 3.2),     # value 3.2 but has a denominator: shown
    ])
    assert suppression_mask(tidy).tolist() == [True, False, True, True, False, False]


def test_rate_value_between_1_and_5_is_not_a_count():
    # A rate of 3.2 per 10,000 from 600 children is not a small number.
    tidy = _tidy([("ref_rate", "all", "all", 600, 1_875_000, 3.2)])
    assert suppression_mask(tidy, UNITS).tolist() == [False]


def test_unknown_audience_is_a_config_error():
    with pytest.raises(ConfigError, match="audience"):
        apply_audience(_tidy(ROWS), "public", UNITS)


@pytest.mark.parametrize("value,unit,status,text", [
    (85.71, "pct", "ok", "85.7%"),
    (518.26, "rate", "ok", "518.3"),
    (1234, "count", "ok", "1,234"),
    (1234.0, "count", "ok", "1,234"),
    (0, "count", "ok", "0"),
    (12.25, "number", "ok", "12.3"),   # half rounds up, as in a spreadsheet
    (-12.25, "number", "ok", "-12.3"),
    (0.1 + 0.2 + 0.05, "rate", "ok", "0.4"),
    (12345.67, "rate", "ok", "12,345.7"),
    (1.05, "rate", "ok", "1.1"),         # stored as 1.0500000000000000444: still rounds up
    (-0.04, "number", "ok", "0.0"),      # no "-0.0"
    (2.5, "count", "ok", "2.5"),         # a count that is not whole keeps its decimal
    (340.44, "days", "ok", "340.4"),
    (3, "count", "suppressed", "c"),
    (float("nan"), "pct", "suppressed", "c"),
    (None, "pct", "not_available", "n/a"),
    (float("nan"), "pct", "ok", "n/a"),
    (50.0, "pct", "not_available", "n/a"),
    (100.0, "pct", "ok", "100.0%"),
])
def test_format_value(value, unit, status, text):
    assert format_value(value, unit, status) == text


def test_format_values_matches_format_value():
    values = [85.71, 3, 1234, np.nan, 12.25, 0.0, 518.26, 7]
    units = ["pct", "count", "count", "pct", "number", "pct", "rate", "count"]
    statuses = ["ok", "ok", "ok", "ok", "ok", "ok", "ok", "suppressed"]
    assert format_values(values, units, statuses).tolist() == [
        "85.7%", "3", "1,234", "n/a", "12.3", "0.0%", "518.3", "c"]
    assert format_values([1, 2000], "count").tolist() == ["1", "2,000"]


def test_format_value_nan_is_not_zero():
    assert format_value(math.nan, "count", "ok") == "n/a"
