"""The measures back-test: the synthetic region's measures for a fixed seed and month, kept as
a signed-off CSV in ``tests/signed_off/``. Any change that moves a number fails
``tests/test_measures_backtest.py`` until the CSV is re-signed (``tools/sign_off_measures.py``)
and committed in the same commit, with the reason in the commit message.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .catalogue import TIDY_COLUMNS
from .engine import compute_measures

SEED = 2024
N_AUTHORITIES = 8
START = "2019-04"
END = "2025-03"  # fixed, so the synthetic data do not move with the calendar
MONTH = "2025-03"
KEY = ["authority", "measure", "breakdown", "breakdown_value", "period_type", "period_end"]
# Worker-level rows are left out to keep the file small; the team rows cover the same events.
BREAKDOWNS_LEFT_OUT = ("worker",)
DECIMALS = 9


def signed_off_path(repo_root: Path) -> Path:
    return repo_root / "tests" / "signed_off" / f"measures_region_seed{SEED}_{MONTH}.csv"


def backtest_frame() -> pd.DataFrame:
    """Compute the back-test table from the synthetic region (needs csc_workbench.synth)."""
    from ..synth import generate  # type: ignore[attr-defined]

    ds, _ = generate(n_authorities=N_AUTHORITIES, start=START, end=END, seed=SEED, profile="region")
    out = compute_measures(ds, first_month=MONTH, last_month=MONTH)
    return normalise(out)


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[~frame["breakdown"].isin(BREAKDOWNS_LEFT_OUT)][TIDY_COLUMNS].copy()
    out["period_end"] = pd.to_datetime(out["period_end"]).dt.strftime("%Y-%m-%d")
    for c in ("numerator", "denominator", "value"):
        out[c] = out[c].astype(float).round(DECIMALS)
    return out.sort_values(KEY).reset_index(drop=True)


def read_signed_off(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={c: "str" for c in KEY + ["status"]}, keep_default_na=False,
                        na_values={"numerator": [""], "denominator": [""], "value": [""]})
    return normalise(frame)


def differences(current: pd.DataFrame, signed: pd.DataFrame) -> pd.DataFrame:
    """Rows that differ: missing on either side, another status, or another number."""
    both = signed.merge(current, on=KEY, how="outer", suffixes=("_signed", "_now"), indicator=True)
    missing = both["_merge"] != "both"
    changed = np.zeros(len(both), dtype=bool)
    for c in ("numerator", "denominator", "value"):
        a, b = both[f"{c}_signed"].astype(float), both[f"{c}_now"].astype(float)
        changed |= ~((a.isna() & b.isna()) | np.isclose(a, b, rtol=0, atol=10 ** -(DECIMALS - 2)))
    changed |= both["status_signed"].fillna("") != both["status_now"].fillna("")
    return both[missing | changed]
