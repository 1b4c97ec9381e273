"""Back-test: the synthetic region's measures (seed 2024, March 2025) must match the signed-off
CSV exactly. A change that moves any number fails here until the CSV is re-signed with
``tools/sign_off_measures.py --reason "..."`` and committed in the same commit, the reason in
the commit message."""

from pathlib import Path

import pytest

from csc_workbench.measures import backtest

try:
    from csc_workbench.synth import generate  # noqa: F401
except ImportError:
    generate = None

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(generate is None, reason="csc_workbench.synth.generate does not exist yet (synthetic "
                    "generator on another branch); the back-test runs once it is merged")
def test_measures_match_the_signed_off_csv():
    path = backtest.signed_off_path(REPO)
    assert path.exists(), (f"{path.relative_to(REPO)} is missing: run `python tools/sign_off_measures.py "
                           "--reason '...'` and commit it with the reason")
    diff = backtest.differences(backtest.backtest_frame(), backtest.read_signed_off(path))
    assert diff.empty, (f"{len(diff)} measure rows differ from the signed-off CSV (first 20 below). If the change "
                        "is intended, re-sign with tools/sign_off_measures.py and commit with the reason.\n"
                        + diff.head(20).to_string())


def test_differences_catch_a_moved_number():
    # The comparison itself must fail on a changed value, a changed status and a missing row.
    import pandas as pd

    base = pd.DataFrame([{"authority": "A", "measure": "m", "breakdown": "all", "breakdown_value": "all",
                          "period_type": "month", "period_end": "2025-03-31", "numerator": 1.0,
                          "denominator": 2.0, "value": 50.0, "status": "ok"},
                         {"authority": "A", "measure": "n", "breakdown": "all", "breakdown_value": "all",
                          "period_type": "month", "period_end": "2025-03-31", "numerator": None,
                          "denominator": None, "value": None, "status": "not_available"}])
    signed = backtest.normalise(base)
    assert backtest.differences(signed, signed).empty
    moved = base.copy()
    moved.loc[0, "value"] = 50.0001
    assert len(backtest.differences(backtest.normalise(moved), signed)) == 1
    status = base.copy()
    status.loc[1, "status"] = "ok"
    assert len(backtest.differences(backtest.normalise(status), signed)) == 1
    assert len(backtest.differences(backtest.normalise(base.iloc[:1]), signed)) == 1
