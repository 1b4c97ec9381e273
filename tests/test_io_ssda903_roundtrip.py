"""Round trip: canonical -> SSDA903 returns (every year) -> loaded back = the same canonical
tables, for what the return carries.

The strategy builds small valid canonical datasets: each child has one or two periods of
care made of consecutive episodes (moves, legal status changes), some an adoption journey
(decision, placement order, match, placed, adopted; or a decision later reversed), reviews
and missing periods inside their care, OC2 outcomes for the years they were looked after
continuously for 12 months (items only at the ages DfE collects them) and care-leaver
statuses at birthdays after leaving care. The synthetic generator is built elsewhere; a
generator-driven variant of this property can reuse ``assert_round_trip``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from csc_workbench.io.ssda903 import read, write_ssda903
from csc_workbench.io.ssda903.write import default_years
from csc_workbench.model.dataset import Dataset
from csc_workbench.quality import LoadAccount

DAY = pd.Timedelta(days=1)
FIRST = pd.Timestamp("2019-04-01")
PLACES = ["U1", "U3", "U4", "U6", "K2", "R1", "P1", "S1"]
PROVIDER = {"P1": "PR0", "R1": "PR3"}


def _ye(date: pd.Timestamp) -> int:
    return date.year + (date.month >= 4)


@st.composite
def child(draw, n: int):
    cid = f"R{n:03d}"
    dob = FIRST - pd.Timedelta(days=draw(st.integers(400, 17 * 365)))
    person = {"child_id": cid, "sex": draw(st.sampled_from("MF")), "dob": dob,
              "ethnicity": draw(st.sampled_from(["WBRI", "AIND", "BCRB", "MWBA", "OOTH"])),
              "uasc": draw(st.booleans())}
    journey = draw(st.sampled_from(["care", "care", "adopted", "reversed", "waiting"]))
    if journey != "care":
        person["dob"] = dob = FIRST - pd.Timedelta(days=draw(st.integers(200, 6 * 365)))
    episodes, adoptions = [], []
    start = FIRST + pd.Timedelta(days=draw(st.integers(0, 4 * 365)))
    home = f"ZZ{n % 9 + 1} {n % 7}AB"

    def add(decom, rne, ls, place, dec=None, rec=None, rpc=None, urn=None):
        episodes.append({"child_id": cid, "decom": decom, "rne": rne, "ls": ls, "cin": "N1", "place": place,
                         "place_provider": PROVIDER.get(place, "PR1"), "dec": dec, "rec": rec,
                         "reason_place_change": rpc, "home_post": home, "pl_post": f"ZZ{len(episodes)} 1CD",
                         "urn": urn or (None if place in ("P1", "R1") else f"SC9{n:03d}{len(episodes)}")})

    periods = []
    if journey == "care":
        for _ in range(draw(st.integers(1, 2))):
            d = start
            k = draw(st.integers(1, 3))
            for i in range(k):
                length = pd.Timedelta(days=draw(st.integers(5, 500)))
                last = i == k - 1
                still_open = last and draw(st.booleans())
                move = draw(st.booleans())
                rne = "S" if i == 0 else ("P" if move else "L")
                place = draw(st.sampled_from(PLACES)) if i == 0 or move else episodes[-1]["place"]
                ls = draw(st.sampled_from(["C1", "C2", "V2"])) if i == 0 or not move else episodes[-1]["ls"]
                if rne == "L":
                    ls = "C2" if episodes[-1]["ls"] != "C2" else "C1"
                if rne == "P" and place == episodes[-1]["place"]:
                    place = "U4" if place != "U4" else "U6"
                if still_open:
                    add(d, rne, ls, place, urn=episodes[-1]["urn"] if rne == "L" else None)
                else:
                    rec = "X1" if not last else draw(st.sampled_from(["E4A", "E8", "E13", "E41"]))
                    add(d, rne, ls, place, d + length, rec, "CARPL" if rec == "X1" else None,
                        urn=episodes[-1]["urn"] if rne == "L" else None)
                d = d + length
            periods.append((start, None if still_open else d))
            if still_open:
                break
            start = d + pd.Timedelta(days=draw(st.integers(30, 400)))
    else:
        decision = start + pd.Timedelta(days=draw(st.integers(30, 120)))
        order = decision + pd.Timedelta(days=draw(st.integers(10, 120)))
        add(start, "S", "C1", "U6", order, "X1")
        row = {"child_id": cid, "decision_date": decision, "entered_care_date": start}
        if journey == "reversed":
            stopped = decision + pd.Timedelta(days=draw(st.integers(5, 60)))
            end = order + pd.Timedelta(days=draw(st.integers(30, 300)))
            add(order, "P", "C1", "U4", end, "E4A")
            row |= {"stopped_date": stopped, "stopped_reason": draw(st.sampled_from(["RD1", "RD3", "RD4"]))}
            periods.append((start, end))
        else:
            placed = order + pd.Timedelta(days=draw(st.integers(20, 200)))
            add(order, "L", "E1", "U6", placed, "X1", "CARPL", urn=episodes[-1]["urn"])
            row["placement_order_date"] = order
            if journey == "waiting":
                add(placed, "P", "E1", "U4")
                periods.append((start, None))
            else:
                match = placed - pd.Timedelta(days=draw(st.integers(1, 15)))
                adopted = placed + pd.Timedelta(days=draw(st.integers(60, 300)))
                add(placed, "P", "E1", "A6", adopted, draw(st.sampled_from(["E11", "E12"])))
                row |= {"match_date": match, "placed_date": placed, "adoption_order_date": adopted}
                periods.append((start, adopted))
        adoptions.append(row)

    def inside(k):
        s, e = periods[k % len(periods)]
        end = e if e is not None else s + pd.Timedelta(days=900)
        return s, end, e is None

    reviews, missing = [], []
    for k in range(draw(st.integers(0, 3))):
        s, e, _ = inside(k)
        reviews.append({"child_id": cid, "review_date": s + pd.Timedelta(days=draw(st.integers(1, 2000))),
                        "participation": draw(st.sampled_from(["PN1", "PN3", "PN6"])), "_end": e})
    for k in range(draw(st.integers(0, 2))):
        s, e, is_open = inside(k)
        m_start = s + pd.Timedelta(days=draw(st.integers(0, 2000)))
        m_end = m_start + pd.Timedelta(days=draw(st.integers(0, 40)))
        missing.append({"child_id": cid, "kind": "M" if k == 0 else "A", "start_date": m_start,
                        "end_date": m_end, "_end": e})
    reviews = [r for r in reviews if r.pop("_end") > r["review_date"]]
    # one review a day (the reader rightly refuses a child's two reviews on one date)
    reviews = list({r["review_date"]: r for r in reviews}.values())
    missing = [m for m in missing if m.pop("_end") >= m["end_date"]]

    # Care-leaver statuses at birthdays (17-21) after leaving care for good.
    leavers = []
    last_end = periods[-1][1]
    if journey == "care" and last_end is not None:
        for age in range(17, 22):
            bday = dob + pd.DateOffset(years=age)
            if bday > last_end and draw(st.booleans()):
                touch = draw(st.sampled_from(["YES", "YES", "NO", "REFU", "DIED", "RHOM"]))
                full = touch not in ("DIED", "RHOM")
                leavers.append({"child_id": cid, "status_date": bday, "age": age, "in_touch": touch,
                                "activity": draw(st.sampled_from(["F1", "P2", "G5"])) if full else None,
                                "accommodation": draw(st.sampled_from(["B", "D", "U", "Z"])) if full else None,
                                "suitable": draw(st.booleans()) if full else None})
    return person, episodes, adoptions, reviews, missing, leavers, periods


def _outcomes(draw, person, periods, last_year):
    """OC2 rows for the years the child was looked after continuously for 12 months at 31
    March (a period running from 1 April before to 31 March); items only at collected ages."""
    rows = []
    for year in range(_ye(FIRST), last_year + 1):
        ys, ye = pd.Timestamp(year - 1, 4, 1), pd.Timestamp(year, 3, 31)
        if not any(s <= ys and (e is None or e >= ye) for s, e in periods):
            continue
        age_end = (ye - person["dob"]).days // 365.25
        age_start = (ys - person["dob"]).days // 365.25
        rows.append({"child_id": person["child_id"], "year": year,
                     "health_check": draw(st.booleans()) if age_end < 5 else None,
                     "teeth_check": draw(st.booleans()), "immunisations": draw(st.booleans()),
                     "sdq_score": draw(st.integers(0, 40)) if 4 <= age_end and age_start < 17 else None,
                     "convicted": draw(st.booleans()) if age_end >= 10 else None,
                     "substance_misuse": draw(st.booleans())})
    return rows


@st.composite
def datasets(draw):
    n = draw(st.integers(1, 5))
    parts = [draw(child(i)) for i in range(n)]
    tables = {k: [] for k in ("persons", "cla_episodes", "adoptions", "cla_reviews", "missing", "care_leavers")}
    for person, episodes, adoptions, reviews, missing, leavers, _ in parts:
        tables["persons"].append(person)
        tables["cla_episodes"] += episodes
        tables["adoptions"] += adoptions
        tables["cla_reviews"] += reviews
        tables["missing"] += missing
        tables["care_leavers"] += leavers
    frames = {k: pd.DataFrame(v) for k, v in tables.items() if v}
    ds = Dataset({k: v.assign(authority="RT1") for k, v in frames.items()})
    last_year = max(default_years(ds))
    outcomes = [r for p in parts for r in _outcomes(draw, p[0], p[6], last_year)]
    if outcomes:
        ds["cla_outcomes"] = pd.DataFrame(outcomes).assign(authority="RT1")
    return ds


CARRIED = {
    "persons": ["child_id", "sex", "dob", "ethnicity", "uasc"],
    "cla_episodes": ["child_id", "decom", "rne", "ls", "cin", "place", "place_provider", "dec", "rec",
                     "reason_place_change", "home_post", "pl_post", "urn"],
    "cla_reviews": ["child_id", "review_date", "participation"],
    "missing": ["child_id", "kind", "start_date", "end_date"],
    "cla_outcomes": ["child_id", "year", "health_check", "teeth_check", "immunisations", "sdq_score", "convicted",
                     "substance_misuse"],
    "care_leavers": ["child_id", "status_date", "age", "in_touch", "activity", "accommodation", "suitable"],
    "adoptions": ["child_id", "entered_care_date", "decision_date", "placement_order_date", "match_date",
                  "placed_date", "adoption_order_date", "stopped_date", "stopped_reason", "ffa_date"],
}


def _canon(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    f = frame[cols].astype(object).where(frame[cols].notna(), None)
    return f.sort_values(cols[:2]).reset_index(drop=True)


def assert_round_trip(original: Dataset, years: list[int], tmp: Path, authority: str) -> Dataset:
    write_ssda903(original, tmp, years=years)
    account = LoadAccount(authority)
    loaded = read([tmp / authority], authority, account)
    assert account.unbalanced().empty
    # A faithful return needs no fix and rejects nothing (the previous-permanence table is
    # written for DfE but not held in the canonical model).
    issues = account.issues()
    issues = issues[issues["rule"] != "not_in_canonical_model"]
    assert not issues["action"].isin(["rejected", "fixed"]).any(), issues[["table", "row", "rule"]]
    for table, cols in CARRIED.items():
        pd.testing.assert_frame_equal(_canon(loaded[table], cols), _canon(original[table], cols), obj=table)
    return loaded


# No shrinking: each example writes and reads several years of files, and shrinking a
# failure would take minutes; the failing example is printed as drawn.
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(datasets())
def test_write_then_read_gives_the_same_canonical_tables(ds):
    with tempfile.TemporaryDirectory() as tmp:
        assert_round_trip(ds, default_years(ds), Path(tmp), "RT1")


def test_round_trip_of_the_hand_made_realistic_authority(tmp_path):
    from ssda903_realistic import realistic_dataset

    ds = realistic_dataset()
    # Only what the return carries: the 18th-birthday statuses of young people who left care
    # on that birthday are not collected, nor placement postcodes and URN for short breaks.
    cl = ds["care_leavers"]
    e = ds["cla_episodes"]
    short = e["ls"].isin(["V3", "V4"])
    ds["cla_episodes"] = e.assign(home_post=e["home_post"].where(~short), pl_post=e["pl_post"].where(~short),
                                  urn=e["urn"].where(~short))
    loaded = write_ssda903(ds, tmp_path, years=list(range(2016, 2027)))
    account = LoadAccount("Z01")
    back = read([tmp_path / "Z01"], "Z01", account)
    issues = account.issues()
    assert account.unbalanced().empty
    assert not issues[issues["rule"] != "not_in_canonical_model"]["action"].isin(["rejected", "fixed"]).any()
    for table in ("persons", "cla_episodes", "cla_reviews", "missing", "adoptions"):
        pd.testing.assert_frame_equal(_canon(back[table], CARRIED[table]), _canon(ds[table], CARRIED[table]),
                                      obj=table)
    assert set(zip(back.care_leavers["child_id"], back.care_leavers["age"])) == {
        (c, a) for c, a in zip(cl["child_id"], cl["age"]) if a != 18}
    assert len(loaded) == 11 * 10
