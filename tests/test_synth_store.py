"""Storing synthetic authorities: the workers' Parquet spool and one bulk load give exactly
the warehouse that storing one authority at a time gives, and a second run replaces those
authorities rather than adding to them."""

import pandas as pd

from csc_workbench.model.schemas import TABLES
from csc_workbench.model.warehouse import load_dataset, read_table
from csc_workbench.synth import parse_range
from csc_workbench.synth.store import PLANTS_TABLE, store_authorities


def _sorted(frame: pd.DataFrame, key) -> pd.DataFrame:
    return frame.sort_values(list(key), kind="stable").reset_index(drop=True)


def test_bulk_load_from_the_workers_equals_one_at_a_time(tmp_path):
    first, last = parse_range("2023-01", "2024-06")
    one, two = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    seen = []
    a = store_authorities(3, first, last, 7, "region", one, workers=1)
    b = store_authorities(3, first, last, 7, "region", two, workers=2, on_authority=seen.append)
    assert [s["authority"] for s in seen] == ["Z001", "Z002", "Z003"]
    assert a["rows"] == b["rows"] and b["load_s"] > 0
    x, y = load_dataset(one), load_dataset(two)
    assert x.authorities() == y.authorities() == ["Z001", "Z002", "Z003"]
    for name, table in TABLES.items():
        key = table.key or table.column_names
        pd.testing.assert_frame_equal(_sorted(y[name], key), _sorted(x[name], key), obj=name)
    assert len(x.visits) > 10_000 and len(x.cla_episodes) > 100  # a real comparison
    plants = [_sorted(read_table(PLANTS_TABLE, w), ["authority", "anomaly_id", "measure"]) for w in (one, two)]
    pd.testing.assert_frame_equal(plants[1], plants[0])
    # a second run replaces those authorities, in one transaction
    store_authorities(3, first, last, 7, "region", two, workers=2)
    assert len(load_dataset(two, tables=["visits"]).visits) == len(x.visits)
    assert len(read_table(PLANTS_TABLE, two)) == len(plants[0])
