"""Synthetic authorities as statutory files: LEA codes no real council uses, complete
collection years only, the Annex A month."""

import csv

import pandas as pd
import pytest

from csc_workbench.model.dataset import Dataset
from csc_workbench.synth.statutory import FREE_LEA_CODES, annex_a_month, complete_years, lea_code


def test_lea_codes_are_three_digits_distinct_and_deterministic():
    assert lea_code("Z001") == "944" and lea_code("Z002") == "945" and lea_code("Z044") == "999"
    assert lea_code("Z027") == "971" and lea_code("Z036") == "991"  # 970 and 980-990 are LAIT's
    assert lea_code("Z045") == "100" and lea_code("Z145") == "001"
    codes = [lea_code(f"Z{i:03d}") for i in range(1, 244)]
    assert len(set(codes)) == 243 and all(len(c) == 3 and c.isdigit() for c in codes)
    assert lea_code("Z244") == lea_code("Z001")  # beyond 243 they repeat; file names keep the Z code
    for bad in ("E09000027", "Z000", "935", "Zabc"):
        with pytest.raises(ValueError):
            lea_code(bad)


def test_no_synthetic_lea_code_is_a_real_authority(dfe_dir):
    real = set()
    for name, col in (("la_reference_2024_from_dfe_population_file.csv", "old_la_code"),
                      ("lait_la_code_list.csv", "la_number")):
        with open(dfe_dir / name, encoding="utf-8-sig") as fh:
            real |= {int(r[col]) for r in csv.DictReader(fh) if (r[col] or "").strip().isdigit()}
    assert len(real) > 150
    assert not real & set(FREE_LEA_CODES)


def _covering(start, end):
    return Dataset({"authorities": pd.DataFrame({"authority": ["Z001"], "la_name": ["A"], "is_synthetic": [True],
                                                 "data_from": [pd.Timestamp(start)],
                                                 "data_to": [pd.Timestamp(end)]})})


@pytest.mark.parametrize("start,end,years", [
    ("2019-04-01", "2026-10-31", [2020, 2021, 2022, 2023, 2024, 2025, 2026]),
    ("2019-04-02", "2026-03-31", [2021, 2022, 2023, 2024, 2025, 2026]),  # April 2019 not whole
    ("2019-03-01", "2020-03-30", []),  # ends a day short of 31 March 2020
    ("2023-02-01", "2024-05-31", [2024]),
    ("2024-01-01", "2024-02-29", []),
])
def test_only_whole_collection_years_are_written(start, end, years):
    assert complete_years(_covering(start, end), "Z001") == years


def test_annex_a_is_for_the_last_complete_month_covered():
    assert annex_a_month(_covering("2019-04-01", "2026-10-31"), "Z001") == pd.Timestamp("2026-10-31")
    assert annex_a_month(_covering("2019-04-01", "2026-10-30"), "Z001") == pd.Timestamp("2026-09-30")
