"""Shared helpers for the packs tests: a tiny warehouse and the fixture notebook."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from csc_workbench.model.dataset import Dataset
from csc_workbench.model.warehouse import save_dataset

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
FIXTURE_NB = FIXTURES / "fixture_pack.ipynb"
CODES = ("E1", "E2", "E3")


def child_ids(code: str) -> list[str]:
    return [f"{code}C{n:04d}" for n in range(3)]


# Dates of birth away from month boundaries (the leak scan ignores those by design).
DOBS = ["2015-03-14", "2012-11-23", "2019-07-09"]
WORKER_NAMES = {"E1": "Alex Example", "E2": "Sam Placeholder", "E3": "Jo Fictional"}


def make_warehouse(path: Path, codes=CODES) -> Path:
    """Three fictional authorities with data from January 2024 to June 2025."""
    auth = pd.DataFrame({"authority": list(codes), "la_name": [f"Fictional {c}" for c in codes],
                         "region_code": "R1", "region_name": "Test region", "is_synthetic": True})
    persons, refs, workers = [], [], []
    for code in codes:
        persons.append(pd.DataFrame({"authority": code, "child_id": child_ids(code), "dob": pd.to_datetime(DOBS)}))
        refs.append(pd.DataFrame({"authority": code, "referral_id": [f"R{code}{n}" for n in range(3)],
                                  "child_id": child_ids(code),
                                  "referral_date": pd.to_datetime(["2024-01-10", "2024-09-05", "2025-06-20"])}))
        workers.append(pd.DataFrame({"authority": code, "worker_id": [f"W{code}1"],
                                     "worker_name": [WORKER_NAMES.get(code, f"Worker {code}")]}))
    ds = Dataset({"authorities": auth, "persons": pd.concat(persons), "referrals": pd.concat(refs),
                  "workers": pd.concat(workers)})
    save_dataset(ds, path)
    return path
