"""A small hand-made, realistic looked-after population for one fictional authority.

Eleven children whose journeys an SSDA903 analyst would recognise: long-term fostering with
moves, adoption (placement order, match, placed with / not with the foster carers,
fostering for adoption), special guardianship, a return home after an emergency protection
order, a UASC teenager, short breaks, a residential placement with missing periods, and
care leavers at 19 and 20. Used to check that the writer's returns pass Data to Insight's
validator (tools/validate_903.py) and in the loader's round-trip tests.
All postcodes (ZZ...) and URNs (SC9000xx) are fictional.
"""

from __future__ import annotations

import pandas as pd

from csc_workbench.model.dataset import Dataset

AUTHORITY = "Z01"
YEARS = [2022, 2023, 2024, 2025, 2026]

# child, sex, dob, ethnicity, uasc
PERSONS = [
    ("C001", "F", "2012-05-10", "WBRI", False),
    ("C002", "M", "2018-02-14", "WIRI", False),
    ("C003", "F", "2007-09-01", "BAFR", True),
    ("C004", "M", "2005-01-20", "MWBC", False),
    ("C005", "F", "2010-03-03", "AIND", False),
    ("C006", "M", "2009-07-07", "WBRI", False),
    ("C007", "F", "2006-11-11", "WBRI", False),
    ("C008", "M", "2015-04-04", "MWAS", False),
    ("C009", "F", "2022-08-08", "WBRI", False),
    ("C010", "M", "2013-10-10", "BCRB", False),
    ("C011", "F", "2004-06-20", "BAFR", False),
]

# child, DECOM, RNE, LS, CIN, PLACE, PLACE_PROVIDER, DEC, REC, REASON_PLACE_CHANGE, HOME_POST, PL_POST, URN
EPISODES = [
    # Long-term fostering after an interim care order; moved to an agency carer.
    ("C001", "2019-06-03", "S", "C1", "N1", "U6", "PR1", "2020-01-15", "X1", None, "ZZ1 1AA", "ZZ2 2BB", "SC900001"),
    ("C001", "2020-01-15", "L", "C2", "N1", "U6", "PR1", "2021-09-01", "X1", "CARPL", "ZZ1 1AA", "ZZ2 2BB", "SC900001"),
    ("C001", "2021-09-01", "P", "C2", "N1", "U4", "PR4", None, None, None, "ZZ1 1AA", "ZZ3 3CC", "SC900002"),
    # Adoption: foster care, placement order, placed with adopters (not the foster carers).
    ("C002", "2021-11-20", "S", "C1", "N1", "U6", "PR1", "2022-08-01", "X1", None, "ZZ4 4DD", "ZZ2 2BB", "SC900001"),
    ("C002", "2022-08-01", "L", "E1", "N1", "U6", "PR1", "2022-11-15", "X1", "CARPL", "ZZ4 4DD", "ZZ2 2BB", "SC900001"),
    ("C002", "2022-11-15", "P", "E1", "N1", "A6", "PR1", "2023-06-20", "E12", None, "ZZ4 4DD", "ZZ5 5EE", "SC900003"),
    # UASC teenager: children's home, then agency foster care; staying put at 18.
    ("C003", "2022-10-05", "S", "V2", "N8", "K2", "PR4", "2023-05-02", "X1", "CARPL", None, "ZZ6 6FF", "SC900004"),
    ("C003", "2023-05-02", "P", "V2", "N8", "U4", "PR4", "2025-09-01", "E17", None, None, "ZZ7 7GG", "SC900005"),
    # Long-term foster care to 18, staying put: a care leaver afterwards.
    ("C004", "2016-03-01", "S", "C2", "N1", "U4", "PR1", "2023-01-20", "E17", None, "ZZ8 8HH", "ZZ9 9JJ", "SC900006"),
    # Short breaks (series of individual episodes, V3).
    ("C005", "2023-05-05", "S", "V3", "N2", "U6", "PR1", "2023-05-07", "E4A", None, None, None, "SC900007"),
    ("C005", "2023-08-10", "S", "V3", "N2", "U6", "PR1", "2023-08-14", "E4A", None, None, None, "SC900007"),
    ("C005", "2024-02-16", "S", "V3", "N2", "U6", "PR1", "2024-02-18", "E4A", None, None, None, "SC900007"),
    # Family and friends foster care ending in a special guardianship order to the carers.
    ("C006", "2021-02-01", "S", "V2", "N4", "U3", "PR1", "2021-06-01", "X1", None, "ZZ3 4EF", "ZZ4 5GH", "SC900008"),
    ("C006", "2021-06-01", "L", "C2", "N4", "U3", "PR1", "2023-07-01", "E45", None, "ZZ3 4EF", "ZZ4 5GH", "SC900008"),
    # Residential placement to 18, missing episodes, then supported independent living.
    ("C007", "2022-01-10", "S", "C1", "N5", "K2", "PR4", "2022-03-01", "X1", None, "ZZ5 6JK", "ZZ6 7LM", "SC900009"),
    ("C007", "2022-03-01", "L", "C2", "N5", "K2", "PR4", "2024-11-11", "E5", None, "ZZ5 6JK", "ZZ6 7LM", "SC900009"),
    # Emergency protection order, interim care order, placed with parents, then home.
    ("C008", "2022-09-01", "S", "L2", "N1", "U6", "PR1", "2022-09-10", "X1", None, "ZZ7 8NP", "ZZ8 9QR", "SC900010"),
    ("C008", "2022-09-10", "L", "C1", "N1", "U6", "PR1", "2023-01-20", "X1", "CARPL", "ZZ7 8NP", "ZZ8 9QR", "SC900010"),
    ("C008", "2023-01-20", "P", "C1", "N1", "P1", "PR0", "2023-10-01", "E4A", None, "ZZ7 8NP", "ZZ7 8NP", None),
    # Baby: fostering for adoption, then placed for adoption with the same carers, adopted.
    ("C009", "2023-02-14", "S", "C1", "N1", "U5", "PR1", "2023-07-01", "X1", "CARPL", "ZZ9 1ST", "ZZ1 2UV", "SC900011"),
    ("C009", "2023-07-01", "U", "E1", "N1", "A5", "PR1", "2024-02-15", "E11", None, "ZZ9 1ST", "ZZ1 2UV", "SC900011"),
    # Long-term foster care with a move, then the same carers become long-term carers.
    ("C010", "2020-05-05", "S", "V2", "N5", "U6", "PR4", "2020-09-09", "X1", None, "ZZ2 3WX", "ZZ3 4YZ", "SC900012"),
    ("C010", "2020-09-09", "L", "C2", "N5", "U6", "PR4", "2022-03-03", "X1", "CHILD", "ZZ2 3WX", "ZZ3 4YZ", "SC900012"),
    ("C010", "2022-03-03", "P", "C2", "N5", "U6", "PR4", "2023-12-12", "X1", "CARPL", "ZZ2 3WX", "ZZ4 5AB", "SC900013"),
    ("C010", "2023-12-12", "T", "C2", "N5", "U4", "PR4", None, None, None, "ZZ2 3WX", "ZZ4 5AB", "SC900013"),
    # Accommodated at 15, moved, left care at 18 for supported accommodation: a care leaver.
    ("C011", "2019-09-01", "S", "V2", "N8", "U6", "PR4", "2020-01-01", "X1", "CARPL", "ZZ5 1AA", "ZZ6 1BB", "SC900014"),
    ("C011", "2020-01-01", "P", "V2", "N8", "U4", "PR4", "2022-06-20", "E5", None, "ZZ5 1AA", "ZZ6 2CC", "SC900015"),
]

# child, decision, placement order, match, placed, adoption order, entered care, ffa
ADOPTIONS = [
    ("C002", "2022-05-10", "2022-08-01", "2022-10-01", "2022-11-15", "2023-06-20", "2021-11-20", None),
    ("C009", "2023-05-01", "2023-07-01", "2023-06-15", "2023-07-01", "2024-02-15", "2023-02-14", "2023-02-14"),
]

# child, kind, start, end
MISSING = [
    ("C007", "M", "2023-02-01", "2023-02-03"),
    ("C007", "A", "2023-07-15", "2023-07-16"),
    ("C007", "M", "2024-03-30", "2024-04-02"),
    ("C010", "A", "2023-05-05", "2023-05-06"),
]

# child, birthday, age, in touch, activity, accommodation, suitable
CARE_LEAVERS = [
    ("C004", "2023-01-20", 18, "YES", "F2", "Z", True),  # left care on this birthday: not in OC3
    ("C004", "2024-01-20", 19, "YES", "F2", "Z", True),
    ("C004", "2025-01-20", 20, "YES", "F4", "U", True),
    ("C004", "2026-01-20", 21, "YES", "F4", "U", True),
    ("C011", "2022-06-20", 18, "YES", "G5", "D", True),  # left care on this birthday: not in OC3
    ("C011", "2023-06-20", 19, "YES", "G5", "D", True),
    ("C011", "2024-06-20", 20, "YES", "P4", "E", False),
    ("C011", "2025-06-20", 21, "YES", "F4", "U", True),
]


def _frame(rows, columns) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def _reviews(episodes: pd.DataFrame, persons: pd.DataFrame) -> pd.DataFrame:
    """Reviews at DfE's cadence: within 20 working days of entering care, 3 months later,
    then every 6 months while looked after (not for short breaks)."""
    eps = episodes[~episodes["ls"].isin(["V3", "V4"])]
    periods = eps.groupby("child_id").agg(start=("decom", "min"), end=("dec", "max"),
                                          open=("dec", lambda s: s.isna().any()))
    periods.loc[periods["open"], "end"] = pd.Timestamp("2026-03-31")
    offsets = [pd.DateOffset(days=14), pd.DateOffset(months=3, days=14)] + \
              [pd.DateOffset(months=3 + 6 * k, days=14) for k in range(1, 20)]
    periods = periods.reset_index()
    rows = pd.concat([pd.DataFrame({"child_id": periods["child_id"], "review_date": periods["start"] + off,
                                    "end": periods["end"]}) for off in offsets])
    rows = rows[rows["review_date"] < rows["end"]]
    dob = persons.set_index("child_id")["dob"]
    under4 = rows["review_date"] < rows["child_id"].map(dob) + pd.DateOffset(years=4)
    rows["participation"] = under4.map({True: "PN0", False: "PN1"})
    return rows.drop(columns="end").sort_values(["child_id", "review_date"]).reset_index(drop=True)


def realistic_dataset(authority: str = AUTHORITY) -> Dataset:
    persons = _frame(PERSONS, ["child_id", "sex", "dob", "ethnicity", "uasc"])
    persons["dob"] = pd.to_datetime(persons["dob"])
    episodes = _frame(EPISODES, ["child_id", "decom", "rne", "ls", "cin", "place", "place_provider", "dec", "rec",
                                 "reason_place_change", "home_post", "pl_post", "urn"])
    for c in ("decom", "dec"):
        episodes[c] = pd.to_datetime(episodes[c])
    adoptions = _frame(ADOPTIONS, ["child_id", "decision_date", "placement_order_date", "match_date",
                                   "placed_date", "adoption_order_date", "entered_care_date", "ffa_date"])
    missing = _frame(MISSING, ["child_id", "kind", "start_date", "end_date"])
    leavers = _frame(CARE_LEAVERS, ["child_id", "status_date", "age", "in_touch", "activity", "accommodation",
                                    "suitable"])
    leavers["eligibility"] = "former_relevant"

    # Annual outcomes for every child looked after at 31 March (the writer keeps those DfE
    # collects: looked after continuously for 12 months); yearly health assessments.
    at_31_march = []
    for year in YEARS:
        ye = pd.Timestamp(year, 3, 31)
        there = episodes[(episodes["decom"] <= ye) & (episodes["dec"].isna() | (episodes["dec"] > ye))]
        at_31_march.append(pd.DataFrame({"child_id": there["child_id"].unique(), "year": year}))
    outcomes = pd.concat(at_31_march, ignore_index=True)
    outcomes = outcomes.assign(health_check=True, teeth_check=True, immunisations=True, sdq_score=12,
                               convicted=False, substance_misuse=outcomes["child_id"].eq("C007"))
    checks = outcomes.assign(check_date=pd.to_datetime(outcomes["year"].astype(str) + "-01-15"), kind="health")
    reviews = _reviews(episodes, persons)
    tables = {"persons": persons, "cla_episodes": episodes, "adoptions": adoptions, "missing": missing,
              "care_leavers": leavers, "cla_outcomes": outcomes, "cla_reviews": reviews,
              "health_checks": checks[["child_id", "check_date", "kind"]]}
    return Dataset({name: frame.assign(authority=authority) for name, frame in tables.items()})
