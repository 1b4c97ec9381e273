"""Direction of travel, % change and 12-month statistics, checked against Southampton's
September 2019 scorecard (SO19), whose figures are worked by hand in the comments."""

import numpy as np

from csc_workbench.assessment.direction import (direction_of_travel, recent_values,
                                                relative_change, shift_columns,
                                                trailing_window_stats)

# SO19, Aug-18 .. Sep-19 (14 months).
M1_CONTACTS = [1754, 1441, 1620, 1871, 1598, 1715, 1463, 1704, 1572, 1747, 1660, 1861, 1377, 1514]
M2_REFERRALS = [262, 226, 235, 240, 192, 286, 378, 577, 488, 522, 542, 612, 459, 558]
EH4_45WD_PCT = [63, 66, 75, 66, 61, 57, 65, 90, 82, 74, 58, 48, 58, 46]
M6_REREF_PCT = [13, 11, 6, 5, 3, 2, 6, 5, 8, 6, 6, 3, 2, 4]


def test_so19_month_on_month():
    cur = [1514, 558, 46, 4]
    prev = [1377, 459, 58, 2]
    dot = direction_of_travel(cur, prev, ["none", "none", "high", "low"], 0.10)
    # 1514/1377 = +9.95%: under 10%, similar. 558/459 = +21.6% up. 46/58 = -20.7% down, and
    # for a high-is-good measure that is worsening. 4/2 = +100%: for a low-is-good measure,
    # worsening.
    assert dot["direction"].tolist() == ["similar", "up", "down", "up"]
    assert dot["word"].tolist() == ["similar", "up", "worsening", "worsening"]
    assert dot["arrow"].tolist() == ["\u2192", "\u2191", "\u2193", "\u2191"]
    assert dot["label"].tolist() == ["\u2192 similar", "\u2191 up", "\u2193 worsening",
                                     "\u2191 worsening"]
    assert dot["pct_change"].round(2).tolist() == [9.95, 21.57, -20.69, 100.0]
    assert dot["diff"].tolist() == [137, 99, -12, 2]


def test_so19_same_month_last_year():
    cur = [1514, 558, 46, 4]
    year_ago = [1441, 226, 66, 11]
    dot = direction_of_travel(cur, year_ago, ["none", "none", "high", "low"])
    # 73/1441 = +5.1% similar; 332/226 = +146.9%; -20/66 = -30.3%; -7/11 = -63.6% (improving).
    assert dot["direction"].tolist() == ["similar", "up", "down", "down"]
    assert dot["word"].tolist() == ["similar", "up", "worsening", "improving"]
    assert dot["pct_change"].round(1).tolist() == [5.1, 146.9, -30.3, -63.6]


def test_similar_band_edge_and_configurable():
    # Exactly 10% is not "under 10%".
    dot = direction_of_travel([110, 109, 90, 91], [100] * 4, "high", 0.10)
    assert dot["direction"].tolist() == ["up", "similar", "down", "similar"]
    assert dot["word"].tolist() == ["improving", "similar", "worsening", "similar"]
    # A 5% band per row.
    dot = direction_of_travel([107, 107], [100, 100], "high", [0.05, 0.10])
    assert dot["direction"].tolist() == ["up", "similar"]


def test_missing_and_zero_previous():
    dot = direction_of_travel([5, 0, np.nan, 5], [0, 0, 3, np.nan], "low")
    assert dot["direction"].tolist() == ["up", "similar", None, None]
    assert dot["word"].tolist() == ["worsening", "similar", None, None]
    assert np.isnan(dot["pct_change"].iloc[0])  # a rise from 0 has no percentage
    assert dot["pct_change"].iloc[1] == 0
    assert dot["label"].tolist()[2:] == [None, None]
    assert relative_change([5], [0])[0] == np.inf


def test_range_polarity_says_up_or_down():
    dot = direction_of_travel([20, 15], [16, 18], "range")
    assert dot["word"].tolist() == ["up", "down"]


def test_so19_twelve_month_average_and_maximum():
    v = np.array([M1_CONTACTS, M2_REFERRALS, EH4_45WD_PCT, M6_REREF_PCT], dtype=float)
    mean, mx, count = trailing_window_stats(v, 12)
    # Oct-18 .. Sep-19: contacts 19,702 / 12 = 1,641.8 (SO19: 1642), max 1,871;
    # referrals 5,089 / 12 = 424.1 (424), max 612; 45 days 780 / 12 = 65.0, max 90;
    # re-referrals 56 / 12 = 4.67 (4.7%), max 8.
    assert mean[:, -1].round(2).tolist() == [1641.83, 424.08, 65.0, 4.67]
    assert mx[:, -1].tolist() == [1871, 612, 90, 8]
    assert count[:, -1].tolist() == [12] * 4
    # The first column's window holds one value.
    assert mean[0, 0] == 1754 and count[0, 0] == 1


def test_window_ignores_gaps_but_not_hidden_values():
    v = np.array([[1, np.nan, 3, 4], [10, 20, np.nan, 40]])
    blocked = np.array([[False, False, False, False], [False, False, True, False]])
    mean, mx, count = trailing_window_stats(v, 3, blocked)
    # Row 1: windows [1], [1, .], [1, ., 3], [., 3, 4] -> means 1, 1, 2, 3.5.
    assert mean[0].tolist() == [1, 1, 2, 3.5]
    assert mx[0].tolist() == [1, 1, 3, 4]
    # Row 2: column 2 is suppressed, so every window holding it is NaN.
    assert mean[1, :2].tolist() == [10, 15]
    assert np.isnan(mean[1, 2]) and np.isnan(mean[1, 3]) and np.isnan(mx[1, 3])


def test_shift_columns_per_row():
    v = np.array([[1, 2, 3, 4, 5], [10, 20, 30, 40, 50]], dtype=float)
    out = shift_columns(v, np.array([1, 3]))
    assert np.isnan(out[0, 0]) and out[0, 1:].tolist() == [1, 2, 3, 4]
    assert np.isnan(out[1, :3]).all() and out[1, 3:].tolist() == [10, 20]


def test_recent_values():
    v = np.array([M1_CONTACTS], dtype=float)
    assert recent_values(v, 13, 3) == [[1861, 1377, 1514]]
    assert recent_values(v, 13, 14) == [[float(x) for x in M1_CONTACTS]]
    # Before the start of the history: None.
    assert recent_values(v, 1, 3) == [[None, 1754, 1441]]
    v[0, 12] = np.nan
    assert recent_values(v, 13, 2) == [[None, 1514]]


def test_exactly_ten_percent_despite_floating_point():
    # (24.2 - 22.0) / 22.0 is 0.09999999999999987 in floating point.
    dot = direction_of_travel([24.2], [22.0], "low", 0.10)
    assert dot["direction"].tolist() == ["up"] and dot["word"].tolist() == ["worsening"]
