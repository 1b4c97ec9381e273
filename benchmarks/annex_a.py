"""Benchmark: writing and loading a large authority's Annex A workbook.

Prints rows per second for 1x and 4x the size and their ratio (1.0 = cost grows linearly
with the rows), measured in one run. Run: ``PYTHONPATH=lib python benchmarks/annex_a.py``.
"""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from csc_workbench.io import annex_a
from csc_workbench.model.dataset import Dataset
from csc_workbench.quality import LoadAccount

END = pd.Timestamp("2024-03-31")


def dataset(children: int, seed: int = 1) -> Dataset:
    """One year of front-door and CIN work for ``children`` children (four list rows each)."""
    rng = np.random.default_rng(seed)
    kids = np.array([f"C{i}" for i in range(children)])
    day = pd.Timestamp("2023-04-01") + pd.to_timedelta(rng.integers(0, 365, children), unit="D")
    team = rng.choice(["Duty", "Locality 1", "Locality 2", "Disability"], children)
    worker = np.char.add("Worker ", rng.integers(0, 60, children).astype(str))
    teams = pd.DataFrame({"team_name": pd.unique(team)})
    teams["team_id"] = annex_a.team_id_for(teams["team_name"], "BEN")
    workers = pd.DataFrame({"worker_name": pd.unique(worker)})
    workers["worker_id"] = annex_a.worker_id_for(workers["worker_name"], "BEN")
    team_id = annex_a.team_id_for(pd.Series(team), "BEN")
    worker_id = annex_a.worker_id_for(pd.Series(worker), "BEN")
    return Dataset({
        "persons": pd.DataFrame({"authority": "BEN", "child_id": kids, "sex": rng.choice(["M", "F"], children),
                                 "ethnicity": rng.choice(["WBRI", "APKN", "BAFR"], children),
                                 "dob": pd.Timestamp("2008-01-01") + pd.to_timedelta(rng.integers(0, 5000, children), unit="D")}),
        "contacts": pd.DataFrame({"authority": "BEN", "contact_id": kids, "child_id": kids, "contact_date": day,
                                  "source": rng.choice(["6", "2A", "1A"], children)}),
        "referrals": pd.DataFrame({"authority": "BEN", "referral_id": kids, "child_id": kids, "referral_date": day,
                                   "referral_source": "6", "nfa": False, "previous_referrals_12m": 0,
                                   "team_id": team_id, "worker_id": worker_id}),
        "assessments": pd.DataFrame({"authority": "BEN", "assessment_id": kids, "child_id": kids, "start_date": day,
                                     "authorised_date": day + pd.Timedelta(days=20), "outcome": "cin",
                                     "team_id": team_id, "worker_id": worker_id}),
        "teams": teams.assign(authority="BEN"), "workers": workers.assign(authority="BEN"),
    })


def measure(children: int, folder: Path) -> dict:
    ds = dataset(children)
    rows = 4 * children  # Lists 1, 3, 4 and 6
    t = time.perf_counter()
    path = annex_a.write_annex_a(ds, folder / f"annex_a_{children}.xlsx", END)
    write = time.perf_counter() - t
    t = time.perf_counter()
    account = LoadAccount("BEN")
    back = annex_a.read([path], "BEN", account)
    read = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    account.check_balanced()
    assert len(back.referrals) == children
    return {"rows": rows, "write_rows_per_s": rows / write, "read_rows_per_s": rows / read, "read_peak_mb": peak}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        small, large = measure(5_000, Path(tmp)), measure(20_000, Path(tmp))
    for name, m in (("1x", small), ("4x", large)):
        print(f"{name}: {m['rows']:>7,} list rows  write {m['write_rows_per_s']:>9,.0f} rows/s  "
              f"read {m['read_rows_per_s']:>9,.0f} rows/s  process peak RSS so far {m['read_peak_mb']:,.0f} MB")
    print(f"rows/s 4x / 1x: write {large['write_rows_per_s'] / small['write_rows_per_s']:.2f}, "
          f"read {large['read_rows_per_s'] / small['read_rows_per_s']:.2f} (1.0 = linear)")


if __name__ == "__main__":
    main()
