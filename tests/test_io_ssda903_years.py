"""Several years' SSDA903 returns merged into one history (hand-made two-year returns)."""

import pandas as pd
import pytest

from csc_workbench.io.ssda903 import read
from csc_workbench.quality import LoadAccount

EPISODE_COLS = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
HEADER_COLS = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"


def _write(folder, name, columns, *rows):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("\n".join([columns, *rows]) + "\n")


@pytest.fixture
def two_years(tmp_path):
    y23, y24 = tmp_path / "2023", tmp_path / "2024"
    _write(y23, "header.csv", HEADER_COLS,
           "M1,1,01/01/2012,WBRI,UN5,,", "M2,2,02/02/2013,AIND,UN5,0,", "M3,1,03/03/2014,BCRB,UN5,,")
    _write(y23, "episodes.csv", EPISODE_COLS,
           # M1: open at 31/03/2023 ...
           "M1,01/05/2022,S,C1,N1,U6,PR1,,,,ZZ1 1AA,ZZ2 2BB,SC1",
           # M2: open at 31/03/2023, and not in the 2024 return: no longer looked after.
           "M2,01/06/2022,S,V2,N4,U6,PR1,,,,ZZ3 3CC,ZZ4 4DD,SC2",
           # M3: open; in 2024 the return shows a different next episode but not this one.
           "M3,10/10/2022,S,C1,N1,K2,PR4,,,,ZZ5 5EE,ZZ6 6FF,SC3")
    _write(y23, "oc2.csv", "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,"
           "HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED",
           "M1,01/01/2012,20,,0,,1,1,1,0,,")
    _write(y24, "header.csv", HEADER_COLS, "M1,1,01/01/2012,WOTH,UN5,,", "M3,1,03/03/2014,BCRB,UN5,,")
    _write(y24, "episodes.csv", EPISODE_COLS,
           # ... and closed in the 2024 return: the same episode (same DECOM), now ended.
           "M1,01/05/2022,S,C1,N1,U6,PR1,10/10/2023,E4A,,ZZ1 1AA,ZZ2 2BB,SC1",
           "M3,15/01/2023,P,C1,N1,U4,PR4,,,,ZZ5 5EE,ZZ7 7GG,SC4")
    account = LoadAccount("Y")
    return read([tmp_path], "Y", account), account


def test_the_same_episode_in_two_returns_is_one_episode_with_the_later_end(two_years):
    ds, account = two_years
    e = ds.cla_episodes.set_index(["child_id", "decom"])
    assert e.loc[("M1", pd.Timestamp("2022-05-01")), "dec"] == pd.Timestamp("2023-10-10")
    assert e.loc[("M1", pd.Timestamp("2022-05-01")), "rec"] == "E4A"
    assert (ds.cla_episodes["child_id"] == "M1").sum() == 1
    # Not a fault: both rows are loaded (merged) and no fix is recorded for M1.
    s = account.summary().set_index(["file", "table"])
    eps = s.xs("episodes", level="table")
    assert sorted(zip(eps.index.str[-17:], eps["rows_read"], eps["loaded"], eps["rejected"])) == [
        ("2023/episodes.csv", 3, 3, 0), ("2024/episodes.csv", 2, 2, 0)]
    assert account.unbalanced().empty


def test_a_child_missing_from_the_next_return_is_closed_at_the_year_end(two_years):
    ds, account = two_years
    m2 = ds.cla_episodes.set_index("child_id").loc["M2"]
    assert (m2["dec"], m2["rec"]) == (pd.Timestamp("2023-03-31"), "E99")
    issue = account.issues().query("rule == 'open_episode_closed_at_year_end'")
    assert issue["file"].str.endswith("2023/episodes.csv").all() and issue["row"].tolist() == ["3"]


def test_an_open_episode_followed_in_a_later_return_is_closed_by_the_next_episode(two_years):
    ds, account = two_years
    m3 = ds.cla_episodes[ds.cla_episodes["child_id"] == "M3"].sort_values("decom")
    assert m3["dec"].tolist()[0] == pd.Timestamp("2023-01-15") and m3["rec"].tolist()[0] == "X1"
    assert pd.isna(m3["dec"].tolist()[1])
    assert account.issues().query("rule == 'open_episode_closed_by_next_episode'")["row"].tolist() == ["4"]


def test_persons_take_the_latest_return_and_years_come_from_folder_names(two_years):
    ds, account = two_years
    p = ds.persons.set_index("child_id")
    assert p.loc["M1", "ethnicity"] == "WOTH"  # 2024's value wins over 2023's WBRI
    assert len(p) == 3
    assert ds.cla_outcomes["year"].tolist() == [2023]
    assert not (account.issues()["rule"] == "collection_year_inferred").any()


def test_liia_style_year_column_and_extra_columns(tmp_path):
    _write(tmp_path, "merged.csv", EPISODE_COLS + ",YEAR,NOTE",
           "Q1,01/05/2020,S,C1,N1,U6,PR1,,,,ZZ1 1AA,ZZ2 2BB,SC1,2021,x",
           "Q1,01/05/2020,S,C1,N1,U6,PR1,01/06/2021,E4A,,ZZ1 1AA,ZZ2 2BB,SC1,2022,y")
    account = LoadAccount("Y")
    ds = read([tmp_path / "merged.csv"], "Y", account)
    assert ds.cla_episodes[["dec", "rec"]].values.tolist() == [[pd.Timestamp("2021-06-01"), "E4A"]]
    rules = account.issues()["rule"].tolist()
    assert "extra_column" in rules and "liia_tools_columns" in rules
    assert account.unbalanced().empty
