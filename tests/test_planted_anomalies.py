"""The packs must find what a good analyst would: every anomaly the synthetic generator
plants (an S47 surge, one team's timeliness collapsing after a restructure, a cluster of
repeat plans, a month of unrecorded visits, a jump in children coming into care) is flagged
by the SPC layer on the measure it was planted in, in the direction planted; and stable
series do not flood with false alarms."""

import pandas as pd
import pytest

from csc_workbench.assessment.spc import find_planted, flag_rates, spc_flags
from csc_workbench.measures import catalogue, compute_measures
from csc_workbench.synth import generate


@pytest.fixture(scope="module")
def region():
    # The default region's authorities (smallest ~13,000 children, largest ~120,000) over the
    # usual history; a fixed end month so the test does not move with the calendar.
    ds, manifest = generate(n_authorities=8, start="2019-04", end="2025-09", seed=2024, workers=2)
    manifest = pd.DataFrame(manifest)
    planted = manifest[manifest["kind"] == "anomaly"]
    measures = sorted(set(planted["measure"]) | {"referrals", "contacts", "assessments", "icpc",
                                                 "referral_to_assessment_pct", "icpc_15wd_pct"})
    tidy = compute_measures(ds, measures=measures, periods=["month", "snapshot"])  # visits are stock
    flags = spc_flags(tidy[tidy["breakdown"].isin(["all", "team"])], catalogue())
    return manifest, planted, flags


def test_every_planted_anomaly_is_flagged_in_its_direction(region):
    _, planted, flags = region
    assert len(planted) >= 5 * 8  # five kinds of anomaly in each of the 8 authorities
    found = find_planted(flags, planted)
    missed = found[~found["detected_in_direction"]]
    assert missed.empty, "SPC missed planted anomalies:\n" + missed[
        ["authority", "anomaly_id", "measure", "breakdown_value", "first_month", "last_month"]].to_string()


def test_stable_series_do_not_flood_with_false_alarms(region):
    manifest, _, flags = region
    monthly = flags[(flags["breakdown"] == "all") & (flags["period_type"] == "month")]
    rates = flag_rates(monthly, manifest)  # series with a planted anomaly are left out
    point_rate = float(rates["point_rate"].iloc[0])
    latest_rate = float(rates["latest_point_rate"].iloc[0])
    print(f"false alarms on unplanted monthly series: {point_rate:.1%} of points, "
          f"{latest_rate:.1%} of latest points")
    # Independent random series of this length flag about 7% of points under the four
    # rules (see tests/test_assessment_spc.py); seasonality adds a little. A flood would be
    # a quarter or more of all points. (The latest-point rate is printed: over a few dozen
    # series it is too noisy to bound tightly.)
    assert point_rate < 0.15
