"""Helpers for the measures tests: build a small Dataset by hand and read one figure back.

Every expected value in the tests is worked out by hand in the test (comments show the
arithmetic and the working-day counts, with the bank holidays named); these helpers only
build inputs and look rows up.
"""

from __future__ import annotations

import math

import pandas as pd

from csc_workbench.measures import compute_measures
from csc_workbench.model.dataset import Dataset

LA = "T01"


def dataset(**tables) -> Dataset:
    """A Dataset for authority T01 from lists of dicts or DataFrames (authority added)."""
    frames = {}
    for name, rows in tables.items():
        frame = pd.DataFrame(rows)
        frame.insert(0, "authority", LA)
        frames[name] = frame
    return Dataset(frames)


def run(ds: Dataset, measures, first="2023-04", last=None, **options) -> pd.DataFrame:
    if isinstance(measures, str):
        measures = [measures]
    return compute_measures(ds, measures=measures, first_month=first, last_month=last,
                            options={"strict": True, **options})


def row(out: pd.DataFrame, measure: str, period_type: str, month: str, breakdown: str = "all",
        value: str = "all") -> pd.Series:
    end = pd.Period(month, "M").to_timestamp(how="end").normalize()
    hit = out[(out["measure"] == measure) & (out["period_type"] == period_type) & (out["period_end"] == end)
              & (out["breakdown"] == breakdown) & (out["breakdown_value"] == value)]
    assert len(hit) == 1, f"expected one row for {measure} {period_type} {month} {breakdown}={value}, got {len(hit)}"
    return hit.iloc[0]


def figure(out, measure, period_type, month, breakdown="all", value="all"):
    """(numerator, denominator, value) with NaN denominators as None."""
    r = row(out, measure, period_type, month, breakdown, value)
    den = None if pd.isna(r["denominator"]) else r["denominator"]
    return r["numerator"], den, r["value"]


def no_row(out, measure, period_type, month, breakdown, value) -> bool:
    end = pd.Period(month, "M").to_timestamp(how="end").normalize()
    hit = out[(out["measure"] == measure) & (out["period_type"] == period_type) & (out["period_end"] == end)
              & (out["breakdown"] == breakdown) & (out["breakdown_value"] == value)]
    return len(hit) == 0


def approx(a, b, tol=1e-9) -> bool:
    return math.isclose(float(a), float(b), rel_tol=0, abs_tol=tol)
