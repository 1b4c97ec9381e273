"""The canonical model: schemas catch wrong types, unknown codes and duplicate records."""

import pandas as pd
import pandera.errors
import pytest

from csc_workbench.model import schemas
from csc_workbench.model.dataset import Dataset
from csc_workbench.model import warehouse


def test_every_table_has_authority_and_a_key():
    for name, table in schemas.TABLES.items():
        assert table.column_names[0] == "authority", name
        assert table.key[0] == "authority" and all(k in table.columns for k in table.key), name


def test_conform_adds_missing_columns_and_coerces_types():
    df = schemas.conform("referrals", pd.DataFrame({
        "authority": ["A"], "referral_id": ["r1"], "child_id": [123], "referral_date": ["2020-01-02"],
    }))
    assert list(df.columns) == schemas.TABLES["referrals"].column_names
    assert df.loc[0, "child_id"] == "123"
    assert df["referral_date"].dtype == "datetime64[us]"
    assert df["nfa"].isna().all()
    schemas.validate("referrals", df)


def test_conform_rejects_unexpected_columns():
    with pytest.raises(ValueError, match="unexpected columns"):
        schemas.conform("referrals", pd.DataFrame({"authority": ["A"], "surname": ["x"]}))


def test_validate_rejects_unknown_code_and_duplicate_key():
    plans = schemas.conform("cp_plans", pd.DataFrame({
        "authority": ["A", "A"], "cpp_id": ["p1", "p2"], "child_id": ["c1", "c1"],
        "start_date": ["2021-01-01", "2021-01-01"], "initial_category": ["NEG", "ABUSE"],
    }))
    with pytest.raises(pandera.errors.SchemaErrors) as err:
        schemas.validate("cp_plans", plans)
    text = str(err.value)
    assert "ABUSE" in text and "unique" in text.lower()


def test_validate_rejects_missing_required_date():
    refs = schemas.conform("referrals", pd.DataFrame({
        "authority": ["A"], "referral_id": ["r1"], "child_id": ["c1"], "referral_date": [None]}))
    with pytest.raises(pandera.errors.SchemaErrors):
        schemas.validate("referrals", refs)


def test_dataset_has_every_table_and_round_trips_through_the_warehouse(tmp_path):
    ds = Dataset({
        "persons": pd.DataFrame({"authority": ["A", "B"], "child_id": ["1", "1"], "sex": ["F", "M"],
                                 "dob": ["2015-02-28", "2010-06-01"], "disabled": [True, None]}),
        "cp_plans": pd.DataFrame({"authority": ["A"], "cpp_id": ["p"], "child_id": ["1"],
                                  "start_date": ["2022-09-19"], "previous_plans": [2]}),
    })
    assert set(ds) == set(schemas.TABLES)
    ds.validate()
    path = tmp_path / "w.duckdb"
    warehouse.save_dataset(ds, path)
    warehouse.save_dataset(ds.for_authority("A"), path)  # replacing A keeps one copy, B untouched
    back = warehouse.load_dataset(path)
    assert back.authorities() == ["A", "B"]
    assert len(back.persons) == 2 and len(back.cp_plans) == 1
    assert back.cp_plans.loc[0, "previous_plans"] == 2
    pd.testing.assert_frame_equal(back.persons.sort_values("authority").reset_index(drop=True),
                                  ds.persons.sort_values("authority").reset_index(drop=True))


def test_failed_save_leaves_warehouse_unchanged(tmp_path):
    path = tmp_path / "w.duckdb"
    good = Dataset({"persons": pd.DataFrame({"authority": ["A"], "child_id": ["1"]})})
    warehouse.save_dataset(good, path)

    class Boom(Dataset):
        def items(self):
            yield "persons", pd.DataFrame({"authority": ["A"], "child_id": ["2"]}).pipe(lambda f: schemas.conform("persons", f))
            raise RuntimeError("disk full halfway")

    with pytest.raises(RuntimeError):
        warehouse.save_dataset(Boom({"persons": pd.DataFrame({"authority": ["A"], "child_id": ["2"]})}), path)
    assert warehouse.load_dataset(path).persons["child_id"].tolist() == ["1"]


def test_an_older_warehouse_gains_new_columns(tmp_path):
    import duckdb

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE authorities (authority VARCHAR, la_name VARCHAR, region_code VARCHAR, "
                "region_name VARCHAR, is_synthetic BOOLEAN)")
    con.execute("INSERT INTO authorities VALUES ('A', 'Alpha', NULL, NULL, TRUE)")
    con.close()
    back = warehouse.load_dataset(path)  # read-only: columns missing come back null
    assert back["authorities"]["data_from"].isna().all()
    warehouse.save_dataset(Dataset({"persons": pd.DataFrame({"authority": ["A"], "child_id": ["1"]})}), path)
    with warehouse.connect(path, read_only=True) as c:
        cols = {r[0] for r in c.execute("SELECT column_name FROM information_schema.columns "
                                        "WHERE table_name = 'authorities'").fetchall()}
    assert {"data_from", "data_to"} <= cols
