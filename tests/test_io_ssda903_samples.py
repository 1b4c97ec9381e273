"""Every SSDA903 sample in ../shared/reference/samples/ssda903 loads with a balanced account.

Expected numbers are worked out independently of the loader: by counting lines with the
csv module, elements with lxml, and, for liia-tools' fixes file, by hand (see the comments).
"""

import csv
from datetime import datetime

import pandas as pd
import pytest
from lxml import etree

from csc_workbench.io.ssda903 import read, sniff
from csc_workbench.quality import LoadAccount

FAKE_TABLES = ["header", "episodes", "reviews", "uasc", "oc2", "oc3", "ad1", "placed_for_adoption",
               "missing", "previous_permanence", "sw_episodes", "DoLo"]


@pytest.fixture(scope="module")
def ssda903_dir(samples_dir):
    return samples_dir / "ssda903"


def _rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _summary(account):
    s = account.summary()
    s["name"] = s["file"].map(lambda f: f.rsplit("/", 1)[-1])
    return s.set_index(["name", "table"])


@pytest.fixture(scope="module")
def fake_csv(ssda903_dir):
    account = LoadAccount("FAKE")
    paths = [ssda903_dir / "d2i_fake_data" / f"{t}.csv" for t in FAKE_TABLES]
    return read(paths, "FAKE", account), account


def test_every_sample_is_recognised_as_ssda903(ssda903_dir):
    files = sorted(p for p in ssda903_dir.rglob("*") if p.is_file())
    assert len(files) == 15
    assert all(sniff(p) for p in files)


def test_fake_csv_set_account_balances_per_file_and_table(fake_csv, ssda903_dir):
    ds, account = fake_csv
    assert account.unbalanced().empty
    s = _summary(account)
    # rows read = the data lines in each file (csv module count)
    expected_tables = {"DoLo.csv": "dolo"}
    for t in FAKE_TABLES:
        name = f"{t}.csv"
        n = len(_rows(ssda903_dir / "d2i_fake_data" / name))
        row = s.loc[(name, expected_tables.get(name, t))]
        assert row["rows_read"] == n, name
        assert row["rows_read"] == row["loaded"] + row["rejected"], name


def test_fake_csv_loads_all_2675_children(fake_csv, ssda903_dir):
    ds, account = fake_csv
    header = _rows(ssda903_dir / "d2i_fake_data" / "header.csv")
    assert len({r["CHILD"] for r in header}) == 2675
    assert ds.persons["child_id"].nunique() == 2675
    assert len(ds.persons) == 2675
    assert ds.persons["sex"].value_counts().to_dict() == {
        "F": sum(r["SEX"] == "2" for r in header), "M": sum(r["SEX"] == "1" for r in header)}
    uasc = {r["CHILD"] for r in _rows(ssda903_dir / "d2i_fake_data" / "uasc.csv")}
    assert set(ds.persons.loc[ds.persons["uasc"], "child_id"]) == uasc
    # Every episode row is loaded (some fixed), none rejected.
    assert len(ds.cla_episodes) == len(_rows(ssda903_dir / "d2i_fake_data" / "episodes.csv")) == 5050


def test_fake_csv_rejections_are_exactly_the_duplicates_and_tables_not_carried(fake_csv, ssda903_dir):
    ds, account = fake_csv
    reviews = _rows(ssda903_dir / "d2i_fake_data" / "reviews.csv")
    exact = len(reviews) - len({tuple(r.values()) for r in reviews})
    same_day = len({tuple(r.values()) for r in reviews}) - len({(r["CHILD"], r["REVIEW"]) for r in reviews})
    issues = account.issues()
    rejected = issues[issues["action"] == "rejected"].groupby(["table", "rule"]).size().to_dict()
    assert rejected == {
        ("reviews", "duplicate_row"): exact,
        ("reviews", "duplicate_review"): same_day,
        ("previous_permanence", "not_in_canonical_model"): 2675,
        ("sw_episodes", "not_in_canonical_model"): 1,
        ("dolo", "not_in_canonical_model"): 1,
    }
    assert (exact, same_day) == (2, 12)
    assert len(ds.cla_reviews) == len(reviews) - exact - same_day


def test_fake_csv_overlaps_are_fixed_and_counted(fake_csv, ssda903_dir):
    """Independent count: sort each child's episodes by DECOM; an episode ending after the
    next one starts is cut back; an open episode followed by another is closed."""
    ds, account = fake_csv
    eps = sorted(_rows(ssda903_dir / "d2i_fake_data" / "episodes.csv"),
                 key=lambda r: (r["CHILD"], datetime.strptime(r["DECOM"], "%d/%m/%Y")))
    overlap = closed = 0
    for a, b in zip(eps, eps[1:]):
        if a["CHILD"] != b["CHILD"]:
            continue
        if not a["DEC"]:
            closed += 1
        elif datetime.strptime(a["DEC"], "%d/%m/%Y") > datetime.strptime(b["DECOM"], "%d/%m/%Y"):
            overlap += 1
    fixed = account.issues().query("action == 'fixed' and table == 'episodes'").groupby("rule").size()
    assert fixed["episode_overlap_cut_back"] == overlap
    assert fixed["open_episode_closed_by_next_episode"] + fixed["open_episode_closed_before_new_period"] == closed
    # After the fixes no child is in two episodes at once.
    e = ds.cla_episodes.sort_values(["child_id", "decom"])
    same = e["child_id"].eq(e["child_id"].shift(-1))
    assert not (same & (e["dec"].isna() | (e["dec"] > e["decom"].shift(-1)))).any()


def test_fake_csv_collection_year_and_care_leaver_birthdays(fake_csv, ssda903_dir):
    ds, account = fake_csv
    # Latest DECOM is 31/03/2018, so the return is for the year ending 31 March 2018.
    assert set(ds.cla_outcomes["year"]) == {2018}
    assert account.issues().query("rule == 'collection_year_inferred'")["message"].str.contains("2018").all()
    cl = ds.care_leavers.set_index("child_id")
    # 197474 born 30/03/2001: 17th birthday 30/03/2018; ACCOM "01" is malformed -> blank.
    assert cl.loc["197474", "status_date"] == pd.Timestamp("2018-03-30") and cl.loc["197474", "age"] == 17
    assert pd.isna(cl.loc["197474", "accommodation"])
    # 244935 born 01/04/2001: the birthday in April 2017-March 2018 is 01/04/2017, aged 16 (flagged).
    assert cl.loc["244935", "status_date"] == pd.Timestamp("2017-04-01") and cl.loc["244935", "age"] == 16
    # 880820: ACCOM K1 = ordinary lodgings, suitable.
    assert (cl.loc["880820", "accommodation"], cl.loc["880820", "suitable"]) == ("K", True)
    assert (cl.loc["864948", "accommodation"], cl.loc["864948", "suitable"]) == ("T", False)
    ages = account.issues().query("rule == 'care_leaver_age'")
    assert len(ages) == 3  # DOBs 01/04/2001, 01/04/2001 and 03/04/2001: 16 in 2017-18


def test_fake_csv_adoption_decisions(fake_csv):
    ds, _ = fake_csv
    a = ds.adoptions.set_index(["child_id", "decision_date"])
    # placed_for_adoption 988635: decided 22/11/2015, ceased 07/04/2017 (reason XXX kept);
    # ad1 988635: DATE_INT 22/11/2015 (same decision), matched 22/11/2015.
    row = a.loc[("988635", pd.Timestamp("2015-11-22"))]
    assert row["stopped_date"] == pd.Timestamp("2017-04-07") and row["stopped_reason"] == "XXX"
    assert row["match_date"] == pd.Timestamp("2015-11-22")


def test_fake_xml_loads_with_a_balanced_account(ssda903_dir):
    path = ssda903_dir / "d2i_fake_data" / "fake_903.xml"
    account = LoadAccount("FAKE")
    ds = read([path], "FAKE", account)
    assert account.unbalanced().empty
    root = etree.parse(str(path)).getroot()
    s = _summary(account)
    assert s.loc[("fake_903.xml", "header"), "rows_read"] == len(root.findall("CHILD")) == 253
    assert s.loc[("fake_903.xml", "episodes"), "rows_read"] == len(root.findall("CHILD/EPISODE")) == 459
    assert s.loc[("fake_903.xml", "reviews"), "rows_read"] == len(root.findall("CHILD/HEADER/AREVIEW"))
    assert s.loc[("fake_903.xml", "missing"), "loaded"] == len(root.findall("CHILD/HEADER/AMISSING")) == 6
    assert len(ds.persons) == 253 and len(ds.cla_episodes) == 459
    assert ds.persons["uasc"].sum() == len(root.findall("CHILD/HEADER/DUC")) == 12
    # Row references are XML paths: an issue on the third child's second episode reads CHILD[3]/EPISODE[2].
    refs = account.issues().query("table == 'episodes' and row != '-'")["row"]
    assert refs.str.fullmatch(r"CHILD\[\d+\]/EPISODE\[\d+\]").all()
    first = root.find("CHILD")
    assert ds.persons.set_index("child_id").loc[first.findtext("HEADER/CHILDID"), "dob"] == pd.Timestamp(
        datetime.strptime(first.findtext("HEADER/DOB"), "%d/%m/%Y"))


def test_liia_2020_episodes_overlaps_cut_back(ssda903_dir):
    account = LoadAccount("L")
    ds = read([ssda903_dir / "liia_tools_SSDA903_2020_episodes.csv"], "L", account)
    assert account.unbalanced().empty
    e = ds.cla_episodes.set_index(["child_id", "decom"])["dec"]
    # 689661: 02/12/2018-16/05/2019 overlaps 11/12/2018 -> ends 11/12/2018;
    # 11/12/2018-18/07/2019 overlaps 16/05/2019 -> ends 16/05/2019; the last is untouched.
    assert e[("689661", pd.Timestamp("2018-12-02"))] == pd.Timestamp("2018-12-11")
    assert e[("689661", pd.Timestamp("2018-12-11"))] == pd.Timestamp("2019-05-16")
    assert e[("689661", pd.Timestamp("2019-05-16"))] == pd.Timestamp("2019-09-26")
    assert e[("249901", pd.Timestamp("2019-04-10"))] == pd.Timestamp("2019-06-24")
    fixes = account.issues().query("action == 'fixed'")
    assert sorted(fixes["row"]) == ["2", "3"] and set(fixes["rule"]) == {"episode_overlap_cut_back"}


# liia-tools' test file for its episode fixes: each CHILD names the rule it exercises.
# Worked by hand (YEAR = the return; each LA's latest return: Barking and Dagenham 2022,
# Newham 2023, Sutton 2022):
D = lambda s: pd.Timestamp(s)  # noqa: E731
EXPECTED_FIXED_EPISODES = {
    # child, DECOM: (DEC, REC)
    ("NORULE_BAD", D("2015-06-19")): (D("2016-07-26"), "X1"),
    ("NORULE_BAD", D("2016-07-26")): (D("2021-12-12"), "E17"),
    ("NORULE_NEW", D("2022-02-01")): (D("2022-07-10"), "E17"),
    ("NORULE_NEW", D("2022-10-23")): (pd.NaT, None),          # open in Newham's latest return
    ("NORULE_SUT", D("2017-12-15")): (pd.NaT, None),          # open in Sutton's latest return
    # RULE_1: open in 2018; the next episode (RNE T) continues care -> DEC = next DECOM, X1.
    ("RULE1_BAD", D("2016-01-13")): (D("2017-08-20"), "X1"),
    ("RULE1_BAD", D("2017-08-20")): (D("2019-06-21"), "X1"),
    ("RULE1_BAD", D("2019-06-21")): (D("2019-07-23"), "E6"),
    # RULE_1A: open in 2017; next episode starts a new period (S, 20/04/2017):
    # DEC = min(31/03/2017, 19/04/2017) = 31/03/2017, REC E99.
    ("RULE1A_BAD", D("2016-01-22")): (D("2016-10-24"), "X1"),
    ("RULE1A_BAD", D("2016-10-24")): (D("2017-03-31"), "E99"),
    ("RULE1A_BAD", D("2017-04-20")): (D("2017-06-13"), "E8"),
    # RULE_2: open in 2020, child not in later returns -> closed 31/03/2020, E99.
    ("RULE2_BAD", D("2019-05-10")): (D("2020-03-31"), "E99"),
    # RULE_3: the open 27/09/2016 episode repeats the 23/09/2016 one (same RNE, LS, PLACE,
    # provider, postcode, URN) -> removed.
    ("RULE3_BAD", D("2016-09-23")): (D("2017-05-30"), "E2"),
    # RULE_3A: the open 22/03/2018 episode (2018 return) follows one from the 2019 return -> removed.
    ("RULE3A_BAD", D("2017-11-25")): (D("2018-01-25"), "X1"),
    ("RULE3A_BAD", D("2018-01-25")): (D("2018-05-16"), "E45"),
    # RULE_4: 23/11/2018 ends 24/12/2018 but the next (2020 return) starts 20/12/2018 -> cut
    # back; the open 24/12/2018 episode (2019) follows one from 2020 -> removed (RULE_3A).
    ("RULE4_BAD", D("2018-11-23")): (D("2018-12-20"), "X1"),
    ("RULE4_BAD", D("2018-12-20")): (D("2019-08-19"), "X1"),
    ("RULE4_BAD", D("2019-08-19")): (D("2019-10-01"), "E4A"),
    # RULE_5: X1 on 29/03/2020 but the next episode (2022 return) starts 02/04/2020 -> DEC 02/04/2020.
    ("RULE5_BAD", D("2019-11-06")): (D("2020-04-02"), "X1"),
    ("RULE5_BAD", D("2020-04-02")): (pd.NaT, None),
}


def test_liia_fixes_input_gives_the_hand_worked_history(ssda903_dir):
    account = LoadAccount("L")
    ds = read([ssda903_dir / "liia_tools_SSDA903_episodes_for_testing_fixes_INPUT.csv"], "L", account)
    assert account.unbalanced().empty
    got = {(r.child_id, r.decom): (r.dec, None if pd.isna(r.rec) else r.rec)
           for r in ds.cla_episodes.itertuples()}
    assert set(got) == set(EXPECTED_FIXED_EPISODES)
    for key, (dec, rec) in EXPECTED_FIXED_EPISODES.items():
        assert (pd.isna(got[key][0]) and pd.isna(dec)) or got[key][0] == dec, key
        assert got[key][1] == rec, key


def test_liia_fixes_input_account_names_each_rule_and_row(ssda903_dir):
    account = LoadAccount("L")
    read([ssda903_dir / "liia_tools_SSDA903_episodes_for_testing_fixes_INPUT.csv"], "L", account)
    issues = account.issues()
    by_rule = issues[issues["action"] != "warning"].set_index("row")["rule"].to_dict()
    # CSV line numbers (header = line 1) of the rows each rule touched.
    assert by_rule == {
        "15": "duplicate_episode",                      # RULE3_BAD 27/09/2016
        "18": "episode_replaced_in_later_return",       # RULE3A_BAD 22/03/2018
        "21": "episode_replaced_in_later_return",       # RULE4_BAD 24/12/2018
        "7": "open_episode_closed_by_next_episode",     # RULE1_BAD 13/01/2016
        "11": "open_episode_closed_before_new_period",  # RULE1A_BAD 24/10/2016
        "13": "open_episode_closed_at_year_end",        # RULE2_BAD 10/05/2019
        "19": "episode_overlap_cut_back",               # RULE4_BAD 23/11/2018
        "23": "x1_gap_closed",                          # RULE5_BAD 06/11/2019
    }
    s = account.summary().iloc[0]
    assert (s.rows_read, s.loaded, s.rejected, s.fixed) == (23, 20, 3, 5)
