"""Properties that must hold for any data (hypothesis): flows add up over months, the rolling
12 months ending in March is the financial year, percentages are percentages, and the order of
input rows changes nothing."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csc_workbench.measures import catalogue, compute_measures
from csc_workbench.model.dataset import Dataset

FIRST, LAST = "2021-04", "2024-03"
BASE = pd.Timestamp("2020-10-01")
MEASURES = ["referrals", "rereferral_pct", "referral_nfa_pct", "assessments", "assessment_45wd_pct",
            "assessment_bands", "assessments_open_over_45wd", "cpp", "cpp_starts", "cpp_repeat_pct",
            "cpp_repeat_2y_pct", "cpp_ended_2y_pct", "cpp_open_2y_pct", "cla", "cla_starts", "cla_ceased",
            "cla_3plus_placements_pct", "cla_missing_pct", "contact_decision_1wd_pct"]
# Counts of events (additive over months).
FLOW_COUNTS = ["referrals", "assessments", "cpp_starts", "cla_starts", "cla_ceased"]
# Flow measures whose numerator and denominator add over months (not distinct-child measures).
ADDITIVE = FLOW_COUNTS + ["rereferral_pct", "referral_nfa_pct", "assessment_45wd_pct", "cpp_repeat_pct",
                          "cpp_repeat_2y_pct", "cpp_ended_2y_pct", "contact_decision_1wd_pct"]

day = st.integers(0, 3 * 365 + 200)
child = st.integers(0, 7)


@st.composite
def datasets(draw):
    refs = draw(st.lists(st.tuples(child, day, st.booleans()), max_size=30))
    assessments = draw(st.lists(st.tuples(child, day, st.one_of(st.none(), st.integers(-5, 90))), max_size=20))
    plans = draw(st.lists(st.tuples(child, day, st.one_of(st.none(), st.integers(-10, 900)),
                                    st.integers(0, 2)), max_size=15))
    episodes = draw(st.lists(st.tuples(child, day, st.one_of(st.none(), st.integers(0, 400)),
                                       st.sampled_from(["S", "P", "L", "B", "T"]),
                                       st.sampled_from(["C2", "V2", "V3"])), max_size=15))
    missing = draw(st.lists(st.tuples(child, day, st.sampled_from(["M", "A"])), max_size=10))
    contacts = draw(st.lists(st.tuples(child, day, st.integers(-2, 5)), max_size=15))

    def d(n):
        return BASE + pd.Timedelta(days=n)

    tables = {
        "referrals": pd.DataFrame([{"referral_id": f"r{i}", "child_id": f"c{c}", "referral_date": d(t), "nfa": nfa}
                                   for i, (c, t, nfa) in enumerate(refs)]),
        "assessments": pd.DataFrame([{"assessment_id": f"a{i}", "child_id": f"c{c}", "start_date": d(t),
                                      "authorised_date": None if L is None else d(t + L)}
                                     for i, (c, t, L) in enumerate(assessments)]),
        "cp_plans": pd.DataFrame([{"cpp_id": f"p{i}", "child_id": f"c{c}", "start_date": d(t),
                                   "end_date": None if L is None else d(t + L), "previous_plans": n,
                                   "initial_category": "NEG"} for i, (c, t, L, n) in enumerate(plans)]),
        "cla_episodes": pd.DataFrame([{"child_id": f"c{c}", "decom": d(t), "dec": None if L is None else d(t + L),
                                       "rne": rne, "ls": ls, "place": "U4"} for c, t, L, rne, ls in episodes]),
        "missing": pd.DataFrame([{"child_id": f"c{c}", "start_date": d(t), "kind": k} for c, t, k in missing]),
        "contacts": pd.DataFrame([{"contact_id": f"k{i}", "child_id": f"c{c}", "contact_date": d(t),
                                   "decision_date": d(t + L)} for i, (c, t, L) in enumerate(contacts)]),
    }
    keys = {"referrals": ["child_id", "referral_date"], "assessments": ["child_id", "start_date"],
            "cp_plans": ["child_id", "start_date"], "cla_episodes": ["child_id", "decom"],
            "missing": ["child_id", "start_date", "kind"], "contacts": ["child_id", "contact_date"]}
    out = {}
    for name, frame in tables.items():
        if len(frame):
            out[name] = frame.drop_duplicates(keys[name]).assign(authority="P01")
    # One referral on the first day so that every data set spans the same months.
    anchor = pd.DataFrame([{"authority": "P01", "referral_id": "anchor", "child_id": "z",
                            "referral_date": pd.Timestamp("2021-04-01")}])
    out["referrals"] = pd.concat([out.get("referrals", anchor.iloc[:0]), anchor], ignore_index=True)
    return out


def _compute(tables) -> pd.DataFrame:
    return compute_measures(Dataset(tables), measures=MEASURES, first_month=FIRST, last_month=LAST,
                            options={"strict": True})


def _totals(out: pd.DataFrame) -> pd.DataFrame:
    return out[out["breakdown"] == "all"].set_index(["measure", "period_type", "period_end"]).sort_index()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_flows_add_up_and_percentages_are_percentages(tables):
    out = _compute(tables)
    tot = _totals(out)
    months = pd.DatetimeIndex(sorted(out["period_end"].unique()))
    available = set(out.loc[out["status"] == "ok", "measure"])
    for m in ADDITIVE:
        if m not in available:  # the data set had no such records: not available, nothing to add
            continue
        monthly = tot.loc[(m, "month")]
        for end in months[months >= pd.Timestamp("2022-03-31")]:
            window = monthly.loc[(monthly.index > end - pd.DateOffset(months=12)) & (monthly.index <= end)]
            assert len(window) == 12
            r12 = tot.loc[(m, "rolling_12m", end)]
            # 12 monthly counts add up to the rolling 12 months (numerators and denominators).
            assert r12["numerator"] == window["numerator"].sum(), (m, end)
            if m not in FLOW_COUNTS:
                assert r12["denominator"] == window["denominator"].sum(), (m, end)
    # The rolling 12 months ending in March is the financial year, for every flow measure.
    for m in MEASURES:
        if catalogue()[m].kind != "flow" or m not in available:
            continue
        for end in (pd.Timestamp("2022-03-31"), pd.Timestamp("2023-03-31"), pd.Timestamp("2024-03-31")):
            a, b = tot.loc[(m, "rolling_12m", end)], tot.loc[(m, "year", end)]
            assert (a["numerator"], a["value"]) == (b["numerator"], b["value"]) or (
                np.isnan(a["value"]) and np.isnan(b["value"])), (m, end)
            assert a["denominator"] == b["denominator"] or (np.isnan(a["denominator"]) and np.isnan(b["denominator"]))
    # Percentages lie in [0, 100] and numerator <= denominator.
    pct = out[out["measure"].map(lambda m: catalogue()[m].unit == "pct") & (out["status"] == "ok")]
    assert (pct["numerator"] <= pct["denominator"]).all()
    vals = pct["value"].dropna()
    assert ((vals >= 0) & (vals <= 100)).all()
    assert (out.loc[out["status"] == "ok", "numerator"] >= 0).all()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets(), st.randoms(use_true_random=False))
def test_shuffling_input_rows_changes_nothing(tables, rnd):
    before = _compute(tables)
    shuffled = {}
    for name, frame in tables.items():
        order = list(range(len(frame)))
        rnd.shuffle(order)
        shuffled[name] = frame.iloc[order].reset_index(drop=True)
    after = _compute(shuffled)
    key = ["measure", "breakdown", "breakdown_value", "period_type", "period_end"]
    pd.testing.assert_frame_equal(before.sort_values(key).reset_index(drop=True),
                                  after.sort_values(key).reset_index(drop=True))
