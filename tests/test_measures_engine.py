"""The engine: catalogue completeness, periods, the interval join, not-available handling."""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csc_workbench.calendar import PERIOD_TYPES, period_window
from csc_workbench.errors import ConfigError
from csc_workbench.measures import catalogue, compute_measures, tidy
from csc_workbench.measures.catalogue import (AREAS, CATALOGUE, TIDY_COLUMNS, WAREHOUSE_COLUMNS, MeasureDef,
                                              register)
from csc_workbench.measures.grid import Grid
from csc_workbench.model.dataset import Dataset
from csc_workbench.model.schemas import TABLES

from measures_support import dataset, figure, row, run

# Where INDICATORS.md puts two figures in one row, the catalogue registers one measure each.
SPLIT = {"icpc": ["icpc", "icpc_rate"], "cpp": ["cpp", "cpp_rate"], "cin": ["cin", "cin_rate"],
         "cla": ["cla", "cla_rate"], "cla_uasc": ["cla_uasc", "cla_uasc_starts"]}


def _indicator_ids(reference_dir) -> list[str]:
    text = (reference_dir / "INDICATORS.md").read_text()
    ids = []
    for line in text.splitlines():
        m = re.match(r"^\| ([a-z0-9_, ]+) \|", line)
        if m and m.group(1).strip() != "id":
            ids += [i.strip() for i in m.group(1).split(",")]
    ids += re.findall(r"`(caseload_\w+)`", text)
    return ids


def test_every_indicators_measure_is_registered(reference_dir):
    cat = catalogue()
    ids = _indicator_ids(reference_dir)
    assert len(ids) > 50
    missing = [i for i in ids for j in SPLIT.get(i, [i]) if j not in cat]
    assert not missing, f"INDICATORS.md measures not registered: {missing}"


def test_every_definition_is_complete():
    for mid, d in catalogue().items():
        assert isinstance(d, MeasureDef) and d.function is not None, mid
        assert d.title and len(d.definition) > 20 and len(d.tells_us) > 20, mid
        assert d.area in AREAS and d.kind in ("flow", "stock"), mid
        assert d.needs, mid
        for need in d.needs:
            table, field = need.split(".")
            assert field in TABLES[table].columns, f"{mid} needs unknown field {need}"
        if d.unit == "rate":
            assert "population.population_0_17" in d.needs, mid
        if d.kind == "stock":
            assert d.periods == ("snapshot",), mid


def test_windows_agree_with_the_calendar():
    grid = Grid.between("2021-01-31", "2024-12-31")
    for p in PERIOD_TYPES:
        w = grid.windows(p)
        for k, start, end in zip(w.k, w.start, w.end):
            first, last = period_window(p, pd.Timestamp(end))
            assert (pd.Timestamp(start), pd.Timestamp(end)) == (first, last), (p, end)
            assert pd.Timestamp(grid.ends[k]) == last
    # Windows reaching before the grid are not reported: the first rolling 12 months ends Dec 2021.
    assert pd.Timestamp(grid.windows("rolling_12m").end[0]) == pd.Timestamp("2021-12-31")
    # A March year is the full financial year.
    w = grid.windows("year")
    i = list(pd.DatetimeIndex(w.end)).index(pd.Timestamp("2024-03-31"))
    assert pd.Timestamp(w.start[i]) == pd.Timestamp("2023-04-01") and w.months[i] == 12


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1400), st.one_of(st.none(), st.integers(-30, 900))), min_size=1,
                max_size=25))
def test_interval_join_matches_brute_force(intervals):
    grid = Grid.between("2020-01-31", "2022-12-31")
    base = np.datetime64("2019-06-01", "D")
    start = np.array([base + np.timedelta64(s, "D") for s, _ in intervals], dtype="datetime64[D]")
    end = np.array([np.datetime64("NaT") if L is None else base + np.timedelta64(s + L, "D")
                    for s, L in intervals], dtype="datetime64[D]")
    got = grid.expand(start, end, PERIOD_TYPES)
    got_set = set(zip(got["row"], got["period_type"], got["k"]))
    expected = set()
    for p in PERIOD_TYPES:
        w = grid.windows(p)
        for i in range(len(start)):
            for k, ws, we in zip(w.k, w.start, w.end):
                # [start, end) overlaps the window [ws, we]
                if start[i] <= we and (np.isnat(end[i]) or end[i] > ws):
                    expected.add((i, p, k))
    assert got_set == expected
    assert len(got) == len(got_set)


def test_output_has_the_tidy_columns_and_not_available_rows_name_the_field():
    ds = dataset(referrals=[{"referral_id": "r1", "child_id": "a", "referral_date": "2024-01-10"}])
    out = compute_measures(ds, first_month="2023-04", last_month="2024-03")
    assert list(out.columns) == WAREHOUSE_COLUMNS
    assert list(tidy(out).columns) == TIDY_COLUMNS
    # Every registered measure appears, none failed.
    assert set(out["measure"]) == set(CATALOGUE)
    contacts = out[out["measure"] == "contacts"]
    assert (contacts["status"] == "not_available").all()
    assert (contacts["note"] == "not available: needs contacts.contact_date").all()
    # No population: the rate cannot be computed, the count can.
    r = row(out, "referral_rate", "month", "2024-01")
    assert r["status"] == "not_available" and "population.population_0_17" in r["note"]
    assert figure(out, "referrals", "month", "2024-01")[0] == 1
    assert out["period_end"].dtype == "datetime64[us]"
    assert set(out["status"]) <= {"ok", "not_available"}


def test_a_field_entirely_null_is_not_available():
    ds = dataset(referrals=[{"referral_id": "r1", "child_id": "a", "referral_date": "2024-01-10"}],
                 assessments=[{"assessment_id": "a1", "child_id": "a", "start_date": "2024-01-11"}])
    out = run(ds, ["assessment_45wd_pct", "referral_to_assessment_pct"])
    r = row(out, "assessment_45wd_pct", "month", "2024-01")
    assert r["status"] == "not_available" and r["note"] == "not available: needs assessments.authorised_date"
    assert figure(out, "referral_to_assessment_pct", "month", "2024-01")[:2] == (1, 1)


def test_a_failing_measure_is_reported_not_raised():
    def broken(ctx):
        raise RuntimeError("boom")

    register(MeasureDef(id="zz_broken", title="Broken", unit="count", polarity="none", area="workforce",
                        definition="A measure that always fails, for this test.",
                        tells_us="Nothing: it proves one failure does not sink the run.",
                        needs=("referrals.referral_date",), function=broken))
    try:
        ds = dataset(referrals=[{"referral_id": "r1", "child_id": "a", "referral_date": "2024-01-10"}])
        with pytest.warns(RuntimeWarning, match="zz_broken"):
            out = compute_measures(ds, measures=["zz_broken", "referrals"], first_month="2024-01")
        r = row(out, "zz_broken", "month", "2024-01")
        assert r["status"] == "not_available" and "RuntimeError: boom" in r["note"]
        assert figure(out, "referrals", "month", "2024-01")[0] == 1
        with pytest.raises(RuntimeError):
            compute_measures(ds, measures=["zz_broken"], options={"strict": True})
    finally:
        CATALOGUE.pop("zz_broken")


def test_unknown_measure_period_or_option_is_a_config_error():
    ds = dataset(referrals=[{"referral_id": "r1", "child_id": "a", "referral_date": "2024-01-10"}])
    with pytest.raises(ConfigError, match="unknown measure"):
        compute_measures(ds, measures=["no_such_measure"])
    with pytest.raises(ConfigError, match="unknown period"):
        compute_measures(ds, periods=["fortnight"])
    with pytest.raises(ConfigError, match="unknown measure option"):
        compute_measures(ds, options={"assesment_clock": "referral"})


def test_series_runs_from_first_to_last_month_of_data():
    ds = dataset(referrals=[{"referral_id": "r1", "child_id": "a", "referral_date": "2023-06-10"},
                            {"referral_id": "r3", "child_id": "c", "referral_date": "2023-10-05"},
                            {"referral_id": "r2", "child_id": "b", "referral_date": "2024-02-03"}])
    out = compute_measures(ds, measures=["referrals"])
    months = out[(out["period_type"] == "month") & (out["breakdown"] == "all")]["period_end"]
    assert months.min() == pd.Timestamp("2023-06-30") and months.max() == pd.Timestamp("2024-02-29")
    assert len(months) == 9
    # The rolling 12 months would reach back before June 2023: not reported.
    assert out[out["period_type"] == "rolling_12m"].empty
    # first/last month limit what is reported, not what the windows draw on.
    out = compute_measures(ds, measures=["referrals"], first_month="2024-02", last_month="2024-02")
    assert set(out["period_end"]) == {pd.Timestamp("2024-02-29")}
    assert figure(out, "referrals", "rolling_6m", "2024-02")[0] == 2  # September 2023 - February 2024
    # The year to date would start in April 2023, before the data (June 2023): not reported.
    assert out[out["period_type"] == "ytd"].empty


def test_year_is_year_to_date_and_the_full_year_at_march():
    ds = dataset(referrals=[{"referral_id": f"r{i}", "child_id": f"c{i}", "referral_date": d}
                            for i, d in enumerate(["2023-04-01", "2023-09-30", "2024-03-31", "2024-04-01"])])
    out = run(ds, "referrals", first="2023-04", last="2024-04")
    assert figure(out, "referrals", "year", "2024-03")[0] == 3
    assert figure(out, "referrals", "year", "2023-12")[0] == 2
    assert figure(out, "referrals", "ytd", "2023-12")[0] == 2
    assert figure(out, "referrals", "year", "2024-04")[0] == 1  # a new year begins in April
    assert figure(out, "referrals", "quarter", "2024-03")[0] == 1  # January-March
    assert figure(out, "referrals", "rolling_6m", "2024-03")[0] == 1  # October-March


def test_authorities_are_computed_separately():
    frames = {
        "referrals": pd.DataFrame([
            {"authority": "A01", "referral_id": "r1", "child_id": "x", "referral_date": "2024-01-10"},
            {"authority": "A01", "referral_id": "r2", "child_id": "x", "referral_date": "2024-01-20"},
            {"authority": "B02", "referral_id": "r1", "child_id": "x", "referral_date": "2023-02-10"},
            {"authority": "B02", "referral_id": "r3", "child_id": "x", "referral_date": "2024-01-12"},
        ])}
    out = compute_measures(Dataset(frames), measures=["referrals", "rereferral_pct"], first_month="2024-01",
                           last_month="2024-01")
    a = out[out["authority"] == "A01"]
    b = out[out["authority"] == "B02"]
    # A01: two referrals of x in January, the second a re-referral. B02: x's earlier referral is 11 months
    # before (same child id, different authority: not mixed with A01).
    assert figure(a, "rereferral_pct", "month", "2024-01")[:2] == (1, 2)
    assert figure(b, "rereferral_pct", "month", "2024-01")[:2] == (1, 1)
    assert figure(b, "referrals", "month", "2024-01")[0] == 1


def test_worker_breakdown_only_for_month_and_rolling_12_months():
    ds = dataset(assessments=[{"assessment_id": "a", "child_id": "c", "start_date": "2023-05-02",
                               "authorised_date": "2023-05-10", "worker_id": "w9"}],
                 referrals=[{"referral_id": "r", "child_id": "c", "referral_date": "2023-05-01"}])
    out = run(ds, "assessments", first="2022-04", last="2024-03")
    workers = out[out["breakdown"] == "worker"]
    assert set(workers["period_type"]) == {"month", "rolling_12m"}
    assert figure(out, "assessments", "rolling_12m", "2024-03", "worker", "w9")[0] == 1


def test_data_set_with_no_authority_rows_gives_an_empty_table():
    out = compute_measures(Dataset({}))
    assert out.empty and list(out.columns) == WAREHOUSE_COLUMNS


def _referrals_frame(dates):
    import pandas as pd

    return pd.DataFrame({"authority": "A", "referral_id": [f"r{i}" for i in range(len(dates))],
                         "child_id": [f"c{i}" for i in range(len(dates))], "referral_date": dates})


def test_series_start_where_returns_cover_every_event_not_at_old_history():
    """A CIN census carries old referral dates of cases still open; the series must start
    where the front door is complete, not in 2012."""
    import pandas as pd

    from csc_workbench.measures.engine import data_span
    from csc_workbench.model.dataset import Dataset

    old = ["2012-05-03", "2015-02-10", "2018-07-01"]  # three open historic cases
    full = [d.strftime("%Y-%m-%d") for d in pd.date_range("2020-04-01", "2021-03-31", freq="2D")]  # ~15 a month
    ds = Dataset({"referrals": _referrals_frame(old + full)})
    first, last = data_span(ds)
    assert str(first.date()) == "2020-04-30" and str(last.date()) == "2021-03-31"
    # a declared coverage start wins over the heuristic
    ds2 = Dataset({"referrals": _referrals_frame(old + full),
                   "authorities": pd.DataFrame({"authority": ["A"], "la_name": ["Alpha"], "is_synthetic": [True],
                                                "data_from": ["2020-06-01"]})})
    assert str(data_span(ds2)[0].date()) == "2020-06-30"
