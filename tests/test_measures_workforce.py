"""Caseloads from case allocations, against hand-worked answers."""

from measures_support import approx, dataset, figure, run


def test_caseload_average_and_maximum_by_team():
    ds = dataset(
        workers=[{"worker_id": "w3", "team_id": "T2"}],
        allocations=[
            {"child_id": "a", "worker_id": "w1", "team_id": "T1", "start_date": "2023-10-01"},
            # The same child allocated twice to w1 (two rows): one case.
            {"child_id": "a", "worker_id": "w1", "team_id": "T1", "start_date": "2023-12-01"},
            {"child_id": "b", "worker_id": "w1", "team_id": "T1", "start_date": "2023-11-01"},
            {"child_id": "c", "worker_id": "w1", "team_id": "T1", "start_date": "2024-01-31"},
            {"child_id": "d", "worker_id": "w2", "team_id": "T1", "start_date": "2023-06-01"},
            # w3's allocations carry no team: the worker's team (T2) is used.
            {"child_id": "e", "worker_id": "w3", "start_date": "2023-06-01"},
            {"child_id": "f", "worker_id": "w3", "start_date": "2023-06-01", "end_date": "2024-03-01"},
            # Ended on the month end: not held at 31 Jan.
            {"child_id": "g", "worker_id": "w4", "team_id": "T2", "start_date": "2023-06-01",
             "end_date": "2024-01-31"},
        ],
    )
    out = run(ds, ["caseload_avg", "caseload_max"], first="2023-06", last="2024-01")
    # 31 Jan 2024: w1 holds a, b, c = 3; w2 holds d = 1; w3 holds e, f = 2. 6 cases / 3 workers = 2.0.
    num, den, value = figure(out, "caseload_avg", "snapshot", "2024-01")
    assert (num, den) == (6, 3) and approx(value, 2.0)
    assert figure(out, "caseload_max", "snapshot", "2024-01")[2] == 3
    # Team T1: (3 + 1) / 2 = 2.0, largest 3. Team T2: w3 only (w4's case ended): 2 / 1, largest 2.
    assert figure(out, "caseload_avg", "snapshot", "2024-01", "team", "T1")[:2] == (4, 2)
    assert figure(out, "caseload_avg", "snapshot", "2024-01", "team", "T2")[:2] == (2, 1)
    assert figure(out, "caseload_max", "snapshot", "2024-01", "team", "T2")[2] == 2
    # 31 Dec 2023: w1 a, b = 2; w2 1; w3 2; w4 1: 6 / 4 = 1.5.
    assert approx(figure(out, "caseload_avg", "snapshot", "2023-12")[2], 1.5)
