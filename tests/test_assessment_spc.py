"""SPC (XmR, Making Data Count rules) on hand-built series; each limit worked by hand."""

import numpy as np
import pandas as pd
import pytest

from assessment_helpers import mdef, monthly, tidy_frame
from csc_workbench.assessment.spc import (false_alarm_rate, find_planted, flag_rates, spc_flags,
                                          spc_series, xmr_matrix)

ALT = [10, 12] * 7  # mean 11, every moving range 2


def flagged(df, rule="special_cause"):
    return np.flatnonzero(df[rule].to_numpy()).tolist()


# ---- beyond the limits ---------------------------------------------------------------------

def test_point_beyond_upper_limit():
    df = spc_series(ALT + [20], "high")
    # mean = (70 + 84 + 20) / 15 = 11.6; moving ranges 13 x 2 and |20 - 12| = 8: 34 / 14 =
    # 2.4286; UCL = 11.6 + 2.66 x 2.4286 = 18.06, LCL = 5.14.
    assert df["mean"].iloc[0] == pytest.approx(11.6)
    assert df["ucl"].iloc[0] == pytest.approx(11.6 + 2.66 * 34 / 14)
    assert df["lcl"].iloc[0] == pytest.approx(11.6 - 2.66 * 34 / 14)
    assert df["moving_range"].iloc[14] == 8 and np.isnan(df["moving_range"].iloc[0])
    assert flagged(df) == [14]
    assert flagged(df, "beyond_limits") == [14]
    assert df["rules"].iloc[14] == "beyond_limits"
    assert df["side"].iloc[14] == "high"
    assert df["variation"].iloc[14] == "special_cause_improving"
    assert set(df["variation"].iloc[:14]) == {"common_cause"}


def test_point_just_inside_the_limit_is_not_flagged():
    df = spc_series(ALT + [17], "high")
    # mean = 171 / 15 = 11.4; mR = (26 + 5) / 14 = 2.2143; UCL = 11.4 + 5.89 = 17.29 > 17.
    # 17 is beyond two-thirds (15.33) but alone, so no two-of-three either.
    assert df["ucl"].iloc[0] == pytest.approx(11.4 + 2.66 * 31 / 14)
    assert df["upper_two_thirds"].iloc[0] == pytest.approx(11.4 + 2 / 3 * 2.66 * 31 / 14)
    assert flagged(df) == []


@pytest.mark.parametrize("polarity,variation", [
    ("high", "special_cause_improving"), ("low", "special_cause_concerning"),
    ("none", "special_cause_neither"), ("range", "special_cause_neither")])
def test_variation_follows_polarity(polarity, variation):
    df = spc_series(ALT + [20], polarity)
    assert df["variation"].iloc[14] == variation


def test_point_below_lower_limit_for_low_is_good():
    df = spc_series(ALT + [2], "low")
    # mean = 156 / 15 = 10.4; mR = (26 + 10) / 14 = 2.5714; LCL = 10.4 - 6.84 = 3.56 > 2.
    assert df["lcl"].iloc[0] == pytest.approx(10.4 - 2.66 * 36 / 14)
    assert flagged(df) == [14]
    assert (df["side"].iloc[14], df["variation"].iloc[14]) == ("low", "special_cause_improving")


# ---- shift ---------------------------------------------------------------------------------

def test_shift_of_seven_or_more_on_one_side():
    x = [9, 11] * 4 + [11, 12, 11, 12, 11, 12, 11]
    df = spc_series(x, "low")
    # mean = (80 + 80) / 15 = 10.667. Index 6 is 9 (below); indices 7..14 are all above:
    # a run of 8. mR = (14 + 0 + 6) / 14 = 1.4286: limits 6.87..14.47, two-thirds
    # 8.13..13.20: nothing beyond either.
    assert df["mean"].iloc[0] == pytest.approx(160 / 15)
    assert flagged(df, "shift") == list(range(7, 15))
    assert flagged(df) == list(range(7, 15))
    assert set(df["variation"].iloc[7:]) == {"special_cause_concerning"}  # above, low is good
    assert df["rules"].iloc[7] == "shift"


def test_six_on_one_side_is_not_a_shift():
    x = [9, 11] * 4 + [9] + [11, 12, 11, 12, 11, 12]
    df = spc_series(x, "high")
    # mean = 158 / 15 = 10.533; indices 9..14 above: a run of 6 only.
    assert flagged(df) == []


def test_a_point_on_the_mean_breaks_a_run():
    # mean = 12 (25 points summing 300). Six above, one exactly on the mean, six above.
    x = [13, 13, 13, 13, 13, 13, 12, 13, 13, 13, 13, 13, 13] + [11] * 12
    assert sum(x) / len(x) == 12
    df = spc_series(x, "high")
    assert flagged(df, "shift")[:1] != [0]  # the first 13 points are not one run of 7
    assert not df["shift"].iloc[:13].any()


# ---- trend ---------------------------------------------------------------------------------

def test_six_rising_points_are_a_trend():
    x = [10, 12] * 4 + [10] + [9, 10, 11, 12, 13, 14]
    df = spc_series(x, "high")
    # mean = 167 / 15 = 11.133; mR = 22 / 14 = 1.5714; UCL = 15.31 > 14; two-thirds
    # 13.92: only 14 beyond it. 9, 10, 11, 12, 13, 14 rise 5 times: a trend of 6 points.
    assert df["ucl"].iloc[0] == pytest.approx(167 / 15 + 2.66 * 22 / 14)
    assert flagged(df) == list(range(9, 15))
    assert flagged(df, "trend") == list(range(9, 15))
    # 9, 10 and 11 are below the mean, so for high-is-good those points are concerning even
    # though the trend rises (Making Data Count judges each point by its side of the mean).
    assert df["variation"].iloc[9:].tolist() == ["special_cause_concerning"] * 3 + \
        ["special_cause_improving"] * 3


def test_falling_trend():
    x = [10, 12] * 4 + [12] + [13, 12, 11, 10, 9, 8]
    df = spc_series(x, "low")
    assert flagged(df, "trend") == list(range(9, 15))


def test_five_rising_or_a_repeated_value_is_not_a_trend():
    df = spc_series([10, 12] * 4 + [10] + [9, 10, 11, 11, 12, 13], "high")
    # mean = 154 / 15 = 10.267; the repeated 11 breaks the rise.
    assert flagged(df) == []
    df = spc_series([10, 12] * 4 + [10, 11] + [9, 10, 11, 12, 13], "high")
    assert not df["trend"].any()


# ---- two of three --------------------------------------------------------------------------

def test_two_of_three_beyond_two_thirds_same_side():
    x = [10, 12] * 6 + [17, 11, 17]
    df = spc_series(x, "high")
    # mean = 177 / 15 = 11.8; mR = (22 + 5 + 6 + 6) / 14 = 2.7857; UCL = 19.21 (17 is
    # inside); two-thirds = 11.8 + 4.94 = 16.74 (17 is beyond). Indices 12 and 14 flagged.
    assert df["upper_two_thirds"].iloc[0] == pytest.approx(11.8 + 2 / 3 * 2.66 * 39 / 14)
    assert not df["beyond_limits"].any()
    assert flagged(df) == [12, 14]
    assert flagged(df, "two_of_three") == [12, 14]
    assert df["variation"].iloc[12] == "special_cause_improving"


def test_two_just_inside_two_thirds_is_not_a_signal():
    df = spc_series([10, 12] * 6 + [16.4, 11, 16.4], "high")
    # mean = 175.8 / 15 = 11.72; mR = (22 + 4.4 + 5.4 + 5.4) / 14 = 2.657; two-thirds line
    # = 11.72 + 2/3 x 2.66 x 2.657 = 16.432, just above 16.4.
    assert df["upper_two_thirds"].iloc[0] == pytest.approx(11.72 + 2 / 3 * 2.66 * 37.2 / 14)
    assert flagged(df) == []


def test_two_beyond_two_thirds_on_opposite_sides_is_not_a_signal():
    df = spc_series([10, 12] * 6 + [17, 11, 5], "high")
    # mean = 165 / 15 = 11; two-thirds at 6.06 and 15.94: 17 above, 5 below, no pair.
    assert flagged(df) == []


def test_two_beyond_two_thirds_four_apart_is_not_a_signal():
    df = spc_series([10, 12] * 6 + [17, 11, 11, 17], "high")
    assert not df["two_of_three"].any()


# ---- baseline, recalculation, short and gappy series ---------------------------------------

def test_baseline_fixes_the_limits():
    x = [10, 12] * 6 + [17]
    # All 13 points: mean 149/13 = 11.46, mR 27/12 = 2.25, UCL 17.45: 17 inside.
    assert flagged(spc_series(x, "high")) == []
    # Baseline of the first 12: mean 11, mR 2, UCL 16.32: 17 beyond.
    df = spc_series(x, "high", baseline=12)
    assert df["mean"].iloc[0] == 11 and df["ucl"].iloc[0] == pytest.approx(11 + 2.66 * 2)
    assert flagged(df) == [12]


def test_too_few_points():
    x = [8, 14] * 5 + [40]
    df = spc_series(x, "high")
    assert set(df["variation"]) == {"too_few_points"}
    assert flagged(df) == [] and df["mean"].isna().all()
    # Allowed 8 points: mean 150 / 11 = 13.64, mR 80 / 10 = 8, UCL 34.9 < 40.
    df = spc_series(x, "high", min_points=8)
    assert df["ucl"].iloc[0] == pytest.approx(150 / 11 + 2.66 * 8)
    assert flagged(df) == [10]


def test_missing_values_are_skipped():
    with_gap = spc_series(ALT[:7] + [np.nan] + ALT[7:] + [20], "high")
    without = spc_series(ALT + [20], "high")
    assert with_gap["variation"].iloc[7] is None
    assert not with_gap["special_cause"].iloc[7]
    kept = with_gap.drop(index=7).reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, without)


# ---- the tidy-table function ---------------------------------------------------------------

CAT = {"a45": mdef("a45", "pct", "high"), "cpp": mdef("cpp", "count", "none",
                                                       periods=("snapshot",))}


def test_spc_flags_on_a_tidy_table():
    rows = (monthly("a45", "2023-01", ALT + [20])
            + monthly("a45", "2023-01", [50] * 15, period_type="rolling_12m")
            + monthly("cpp", "2023-01", [9, 11] * 4 + [11, 12, 11, 12, 11, 12, 11],
                      period_type="snapshot")
            + [("a45", "month", "2023-05", 11, np.nan, np.nan, "ok", "team", "North")])
    tidy = tidy_frame(rows)
    out = spc_flags(tidy, CAT)
    # month for a45 (not rolling_12m), snapshot for cpp; the one-point team series is short.
    assert set(zip(out["measure"], out["period_type"], out["breakdown"])) == {
        ("a45", "month", "all"), ("cpp", "snapshot", "all"), ("a45", "month", "team")}
    a45 = out[(out["measure"] == "a45") & (out["breakdown"] == "all")]
    assert a45["period_end"].iloc[-1] == pd.Timestamp("2024-03-31")
    assert a45["special_cause"].tolist() == [False] * 14 + [True]
    assert a45["variation"].iloc[-1] == "special_cause_improving"
    cpp = out[out["measure"] == "cpp"]
    assert np.flatnonzero(cpp["shift"]).tolist() == list(range(7, 15))
    assert set(cpp["variation"].iloc[7:]) == {"special_cause_neither"}  # polarity none
    team = out[out["breakdown"] == "team"]
    assert team["variation"].tolist() == ["too_few_points"]


def test_spc_flags_matches_single_series_and_skips_suppressed():
    x = [10, 12] * 6 + [17, 11, 17]
    rows = monthly("a45", "2022-01", x)
    tidy = tidy_frame(rows)
    tidy.loc[3, ["value", "status"]] = [np.nan, "suppressed"]
    out = spc_flags(tidy, CAT)
    expected = spc_series(np.where(np.arange(15) == 3, np.nan, x), "high")
    for col in ("mean", "ucl"):
        assert out[col].tolist() == pytest.approx(expected[col].tolist(), nan_ok=True), col
    for col in ("special_cause", "variation", "rules"):
        assert out[col].tolist() == expected[col].tolist(), col
    assert flagged(out) == [12, 14]
    assert out["variation"].iloc[3] is None


def test_recalculation_gives_each_phase_its_own_limits():
    x = [10, 12] * 6 + [20, 22] * 6
    tidy = tidy_frame(monthly("a45", "2022-01", x))
    whole = spc_flags(tidy, CAT)
    # One set of limits: mean 16, so the first 12 are all below and the last 12 all above.
    assert whole["shift"].all()
    split = spc_flags(tidy, CAT, recalculate=["2023-01"])
    assert split["phase"].tolist() == [0] * 12 + [1] * 12
    assert split["mean"].iloc[0] == 11 and split["mean"].iloc[-1] == 21
    assert not split["special_cause"].any()
    by_measure = spc_flags(tidy, CAT, recalculate={"a45": ["2023-01"]})
    assert by_measure["phase"].tolist() == split["phase"].tolist()


# ---- planted anomalies ---------------------------------------------------------------------

def test_find_planted():
    months = [str(p) for p in pd.period_range("2023-01", periods=15, freq="M")]
    flags = pd.DataFrame({
        "authority": "E1", "measure": "a45", "breakdown": "all", "breakdown_value": "all",
        "period_end": pd.PeriodIndex(months, freq="M").to_timestamp(how="end").normalize(),
        "special_cause": False, "side": None, "rules": ""})
    flags["side"] = flags["side"].astype(object)
    flags.loc[5, ["special_cause", "side", "rules"]] = [True, "high", "beyond_limits"]   # 2023-06
    flags.loc[11, ["special_cause", "side", "rules"]] = [True, "low", "shift"]           # 2023-12
    flags.loc[12, ["special_cause", "side", "rules"]] = [True, "low", "shift,trend"]     # 2024-01
    manifest = pd.DataFrame([
        ("E1", "A1", "a45", "all", "all", "2023-05", "2023-06", "up"),      # flagged in window
        ("E1", "A2", "a45", "all", "all", "2023-09", "2023-10", "down"),    # 2023-12 = last + 2
        ("E1", "A3", "a45", "all", "all", "2023-08", "2023-08", "down"),    # 2023-12 is last + 4
        ("E1", "A4", "a45", None, None, "2023-06", "2023-06", "down"),      # flagged, but high
        ("E1", "A5", "cpp", "all", "all", "2023-06", "2023-06", "up"),      # no such series
        ("E2", "A6", "a45", "all", "all", "2023-06", "2023-06", "up"),      # other authority
    ], columns=["authority", "anomaly_id", "measure", "breakdown", "breakdown_value",
                "first_month", "last_month", "direction"])
    out = find_planted(flags, manifest)
    assert out["anomaly_id"].tolist() == ["A1", "A2", "A3", "A4", "A5", "A6"]
    assert out["detected"].tolist() == [True, True, False, True, False, False]
    assert out["detected_in_direction"].tolist() == [True, True, False, False, False, False]
    assert out["series_found"].tolist() == [True, True, True, True, False, False]
    assert out["first_flag_month"].iloc[1] == pd.Timestamp("2023-12-31")
    assert out["flagged_points"].tolist() == [1, 1, 0, 1, 0, 0]
    assert out["rules"].iloc[0] == "beyond_limits" and out["rules"].iloc[1] == "shift"
    assert out["breakdown"].iloc[3] == "all"


# ---- false alarms on stable series ---------------------------------------------------------

def test_false_alarm_rate_on_stable_series_is_small():
    for kind, mean in (("normal", 50.0), ("poisson", 20.0)):
        r = false_alarm_rate(n_series=1000, length=36, kind=kind, seed=1, mean=mean)
        # Three-sigma limits: about 0.27% of stable points beyond them.
        assert 0.001 < r["beyond_limits_rate"] < 0.006, r
        # All four rules together flag a few percent of points, and the latest point (what
        # the scorecard shows) in about 1-3% of stable series.
        assert 0.02 < r["point_rate"] < 0.09, r
        assert r["latest_point_rate"] < 0.04, r


def test_a_planted_shift_is_caught():
    rng = np.random.default_rng(7)
    x = rng.normal(50, 5, size=(500, 36))
    x[:, -8:] += 10  # two standard deviations, for the last 8 months
    # Limits from the whole series (the shift inflates them): about 70% of latest points
    # flagged; limits from a 24-month baseline before the change: over 80%.
    res = xmr_matrix(x, np.full(500, 36), "high")
    assert res["special_cause"][:, -1].mean() > 0.6
    res = xmr_matrix(x, np.full(500, 36), "high", baseline=24)
    assert res["special_cause"][:, -1].mean() > 0.8
    assert (res["variation"][:, -1] == "special_cause_improving").mean() > 0.8


def test_flag_rates_leave_out_planted_series():
    stable = monthly("a45", "2022-01", [10, 12] * 7 + [20])           # 1 of 15 flagged, latest
    quiet = monthly("cpp", "2022-01", [10, 12] * 7 + [11], period_type="snapshot")  # none
    planted = [r[:4] + (np.nan, np.nan, "ok", "team", "North")
               for r in monthly("a45", "2022-01", [10] * 7 + [30] * 8)]
    flags = spc_flags(tidy_frame(stable + quiet + planted), CAT)
    manifest = pd.DataFrame({"authority": ["E1"], "measure": ["a45"], "breakdown": ["team"],
                             "breakdown_value": ["North"]})
    rates = flag_rates(flags, manifest)
    assert rates["series"].tolist() == [2] and rates["points"].tolist() == [30]
    assert rates["point_rate"].iloc[0] == pytest.approx(1 / 30)
    assert rates["latest_point_rate"].iloc[0] == pytest.approx(1 / 2)
    assert rates["series_with_any_flag"].iloc[0] == pytest.approx(1 / 2)
    assert rates["beyond_limits_rate"].iloc[0] == pytest.approx(1 / 30)
    by = flag_rates(flags, manifest, by="measure").set_index("measure")
    assert by.loc["a45", "point_rate"] == pytest.approx(1 / 15)
    assert by.loc["cpp", "point_rate"] == 0
    # Without the manifest the planted series counts too (it is flagged).
    assert flag_rates(flags)["series"].iloc[0] == 3
