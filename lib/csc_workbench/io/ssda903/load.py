"""Load SSDA903 returns (CSV tables or XML, one or several years) into the canonical model.

``read(paths, authority, account)`` reads every file, cleans each table (``clean``), works
out each return's collection year, merges the years into one history with DfE's episode
fixes (``fixes``), and maps the result into canonical tables. Every row read is accounted
for: loaded (possibly merged with the same record from another year's return, or fixed)
or rejected with a reason and its row reference.

Collection year of a return (year ending 31 March): a ``YEAR`` column (liia-tools), else a
year in the file or folder name (``2024/episodes.csv``, ``SSDA903_2020_header.csv``), else
inferred from the data: the year holding the latest episode start of the files in the same
folder (an account warning says so).

Mapping (DfE item -> canonical column):
- header: SEX 1/2 (M/F/U from 2024-25) -> persons.sex M/F; ETHNIC; DOB. A child in the uasc
  table (or with UASC 1 in the XML) has persons.uasc True, every other child False. UPN,
  MOTHER and MC_DOB are not held.
- episodes -> cla_episodes (after the fixes); reviews -> cla_reviews (REVIEW, REVIEW_CODE as
  participation); missing -> missing (MISSING M/A as kind, MIS_START, MIS_END).
- oc2 -> cla_outcomes for the return's year (SDQ_SCORE, CONVICTED, HEALTH_CHECK,
  IMMUNISATIONS, TEETH_CHECK, SUBSTANCE_MISUSE as 0/1 -> False/True).
- oc3 -> care_leavers: status_date = the young person's birthday in the collection year
  (29 February birthdays fall on 28 February in other years), age = that birthday's age,
  IN_TOUCH, ACTIV, ACCOM split into the accommodation letter and suitable (1 = suitable,
  2 = not suitable). "0" in ACTIV or ACCOM is DfE's "not applicable": read as blank.
- adoptions, one row per child and decision that the child should be placed for adoption
  (DfE's definitions in the 903 guide):
  decision_date = placed_for_adoption DATE_PLACED ("date of the decision that the child
  should be placed for adoption") or ad1 DATE_INT (the same decision, returned for children
  adopted in the year); stopped_date / stopped_reason = DATE_PLACED_CEASED /
  REASON_PLACED_CEASED; match_date = ad1 DATE_MATCH; from the episodes:
  placement_order_date = DECOM of the first episode with legal status E1 (placement order
  granted), placed_date = DECOM of the first episode with placement A3-A6 (placed for
  adoption), ffa_date = DECOM of the first U2/U5 placement (foster carers who are approved
  adopters), adoption_order_date = DEC of the episode ending E11/E12 (adopted),
  entered_care_date = DECOM of the episode that started the period of care (RNE S) in which
  the decision fell. Each episode event belongs to the latest decision on or before it (or
  the first decision, if it came before any). A child with such events but no decision gets
  one row with a blank decision date (warning ``adoption_without_decision``).
- previous_permanence, sw_episodes and DoLo are not held: their rows are rejected with the
  reason ``not_in_canonical_model``.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import InputError
from ...model.dataset import Dataset
from ...quality import LoadAccount
from .clean import clean_table
from .dates import birthday_in_year, year_ending
from .fixes import fix_episodes, merge_returns, record
from .read_raw import read_csv, read_xml
from .spec import (
    ACCOM_LETTERS, COLUMNS, DATE_COLUMNS, FFA_PLACEMENTS, PLACED_FOR_ADOPTION, PLACEMENT_ORDER_LS,
    SEX_CODES,
)

KIND = "ssda903"
_YEAR_SOURCES = [("episodes", "DECOM"), ("missing", "MIS_START"), ("placed_for_adoption", "DATE_PLACED"),
                 ("ad1", "DATE_MATCH"), ("reviews", "REVIEW")]


def expand(paths) -> list[Path]:
    """Files to read: the paths given, with folders replaced by the CSV and XML files in them."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in (".csv", ".xml")))
        elif p.exists():
            files.append(p)
        else:
            raise InputError("file not found", file=p)
    # A file named twice (directly and through its folder) is read once.
    seen: set[Path] = set()
    return [f for f in files if not (f.resolve() in seen or seen.add(f.resolve()))]


def _is_xml(path: Path) -> bool:
    if path.suffix.lower() == ".xml":
        return True
    head = path.open("rb").read(64).lstrip(b"\xef\xbb\xbf \r\n\t")
    return head.startswith(b"<")


def _empty(table: str) -> pd.DataFrame:
    cols = {c: pd.Series(dtype="datetime64[us]" if c in DATE_COLUMNS[table] else object) for c in COLUMNS[table]}
    meta = {"_file": pd.Series(dtype=object), "_row": pd.Series(dtype=object), "_year": pd.Series(dtype="Int64"),
            "_la": pd.Series(dtype=object), "_order": pd.Series(dtype="int64"), "_group": pd.Series(dtype=object)}
    return pd.DataFrame({**cols, **meta})


def _loaded(account: LoadAccount, table: str, *frames: pd.DataFrame) -> None:
    """Count as loaded the rows that reached the canonical model (``frames`` carry _file)."""
    rows = pd.concat([f[["_file"]] for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else None
    if rows is None:
        return
    for file, n in rows.groupby("_file", sort=False).size().items():
        account.loaded(file, table, n)


def _dedupe(frame: pd.DataFrame, key: list[str], account: LoadAccount, table: str, rule: str,
            message: str, column: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Same record twice in one return: the later row is rejected. Same record in several
    returns: the latest return's row is kept and the others are ``merged`` (loaded)."""
    frame = frame.sort_values("_rank", kind="stable")
    clash = frame.duplicated(key + ["_rank"], keep="first").to_numpy()
    record(account, frame, clash, rule, "rejected", message, column, table=table)
    frame = frame[~clash]
    repeat = frame.duplicated(key, keep="last").to_numpy()
    return frame[~repeat], frame[repeat]


def _assign_years(tables: dict[str, pd.DataFrame], account: LoadAccount) -> None:
    """Fill ``_year`` where neither a YEAR column nor the path gave it, per folder (or XML
    file): the year holding the latest date of the first source table that has dates."""
    unknown_groups = set()
    for t in tables.values():
        unknown_groups |= set(t.loc[t["_year"].isna(), "_group"])
    for group in sorted(unknown_groups):
        year = None
        for table, col in _YEAR_SOURCES:
            t = tables[table]
            dates = t.loc[(t["_group"] == group) & t["_year"].isna(), col].dropna()
            if len(dates):
                year, source = int(year_ending(pd.Series([dates.max()])).iloc[0]), f"{table} {col}"
                break
        if year is None:
            continue
        for table, t in tables.items():
            mask = (t["_group"] == group) & t["_year"].isna()
            if mask.any():
                t.loc[mask, "_year"] = year
                for file in t.loc[mask, "_file"].unique():
                    account.record(file, table, "-", "collection_year_inferred", "warning",
                                   f"collection year not in a YEAR column or the file/folder name: taken as "
                                   f"the year ending 31 March {year}, which holds the latest {source}")


def read_tables(paths, account: LoadAccount) -> dict[str, pd.DataFrame]:
    """Read and clean every file: one frame per SSDA903 table (all files, all years)."""
    raws: dict[str, list] = defaultdict(list)
    groups: dict[str, str] = {}
    for order, path in enumerate(expand(paths)):
        xml = _is_xml(path)
        found = [r for r in (read_xml(path) if xml else [read_csv(path)]) if r is not None]
        if not found:
            account.read(str(path), "unknown", 0)
            account.record(str(path), "unknown", "-", "empty_file", "warning", "file is empty: nothing to read")
            continue
        groups[str(path)] = str(path) if xml else str(path.parent)
        for raw in found:
            raw.order = order
            raws[raw.table].append(raw)
    tables = {}
    for table in COLUMNS:
        frame = clean_table(raws[table], account) if raws.get(table) else None
        if frame is None or frame.empty:
            frame = _empty(table)
        frame["_group"] = frame["_file"].map(groups).astype(object)
        tables[table] = frame
    _assign_years(tables, account)
    for t in tables.values():
        t["_rank"] = t["_year"].fillna(0).astype("int64") * 100_000 + t["_order"].astype("int64")
    return tables


def read(paths: list[Path], authority: str, account: LoadAccount) -> Dataset:
    """Load SSDA903 files (CSV tables and/or XML; one or several years) for ``authority``.

    Raises ``InputError`` (file, table, row, column) for a file that cannot be read at all;
    otherwise every row is accounted for in ``account``. A load is all or nothing: on error
    nothing is returned and ``account`` is left as it was."""
    final_account, account = account, LoadAccount(account.authority)
    dataset = _read(paths, authority, account)
    final_account.merge(account)
    return dataset


def _read(paths, authority: str, account: LoadAccount) -> Dataset:
    tables = read_tables(paths, account)
    out: dict[str, pd.DataFrame] = {}

    # Episodes: merge the returns, then DfE's fixes.
    ep = tables["episodes"].copy()
    kept, merged_ep = merge_returns(ep, account)
    fixed = fix_episodes(kept, account, authority)
    _loaded(account, "episodes", fixed, merged_ep)
    _warn(account, "episodes", fixed, fixed["DEC"] < fixed["DECOM"], "end_before_start",
          "DEC is before DECOM", "DEC")
    out["cla_episodes"] = pd.DataFrame({
        "authority": authority, "child_id": fixed["CHILD"], "decom": fixed["DECOM"], "rne": fixed["RNE"],
        "ls": fixed["LS"], "cin": fixed["CIN"], "place": fixed["PLACE"], "place_provider": fixed["PLACE_PROVIDER"],
        "dec": fixed["DEC"], "rec": fixed["REC"], "reason_place_change": fixed["REASON_PLACE_CHANGE"],
        "home_post": fixed["HOME_POST"], "pl_post": fixed["PL_POST"], "urn": fixed["URN"]})

    persons, header_kept = _persons(tables, account, authority)
    out["persons"] = persons
    out["cla_reviews"] = _reviews(tables, account, authority)
    out["missing"] = _missing(tables, account, authority)
    out["cla_outcomes"] = _outcomes(tables, account, authority)
    out["care_leavers"] = _care_leavers(tables, account, authority)
    out["adoptions"] = _adoptions(tables, fixed, account, authority)

    known = set(persons["child_id"])
    for table in ("episodes", "reviews", "missing", "oc2", "oc3", "ad1", "placed_for_adoption"):
        t = tables[table]
        if len(t) and len(tables["header"]):
            _warn(account, table, t, ~t["CHILD"].isin(known), "child_not_in_header",
                  "child not in any header table loaded", "CHILD")
    dob = persons.drop_duplicates("child_id").set_index("child_id")["dob"]
    child_dob = pd.Series(dob.reindex(fixed["CHILD"]).to_numpy(), index=fixed.index)
    _warn(account, "episodes", fixed, fixed["DECOM"] < child_dob, "dob_after_event",
          "episode starts before the child's date of birth", "DECOM")
    _warn(account, "header", header_kept, header_kept["DOB"] > pd.Timestamp.today(), "dob_in_future",
          "date of birth is in the future", "DOB")
    return Dataset(out)


def _warn(account, table, frame, mask, rule, message, column=None) -> None:
    record(account, frame, np.asarray(pd.Series(mask).fillna(False), dtype=bool), rule, "warning", message,
           column, table=table)


def _persons(tables, account, authority):
    h = tables["header"]
    kept, merged = _dedupe(h, ["CHILD"], account, "header", "duplicate_child_id",
                           "child ID already in this header table (earlier row kept)", "CHILD")
    _loaded(account, "header", kept, merged)
    # A child's date of birth changing between returns is worth a look.
    both = merged.merge(kept[["CHILD", "SEX", "DOB"]], on="CHILD", suffixes=("", "_latest"))
    _warn(account, "header", both, (both["DOB"] != both["DOB_latest"]) & both["DOB"].notna(),
          "dob_changed_between_returns", "date of birth differs from the latest return's", "DOB")

    u = tables["uasc"]
    in_header = u["CHILD"].isin(kept["CHILD"])
    record(account, u, ~in_header.to_numpy(), "child_not_in_header", "rejected",
           "UASC row for a child not in any header table: nothing to attach it to", "CHILD", table="uasc")
    u = u[in_header]
    u_kept, u_merged = _dedupe(u, ["CHILD"], account, "uasc", "duplicate_child_id",
                               "child ID already in this uasc table", "CHILD")
    _loaded(account, "uasc", u_kept, u_merged)
    persons = pd.DataFrame({
        "authority": authority, "child_id": kept["CHILD"], "sex": kept["SEX"].map(SEX_CODES),
        "ethnicity": kept["ETHNIC"], "dob": kept["DOB"], "uasc": kept["CHILD"].isin(u_kept["CHILD"]),
    })
    return persons, kept


def _reviews(tables, account, authority):
    r = tables["reviews"]
    kept, merged = _dedupe(r, ["CHILD", "REVIEW"], account, "reviews", "duplicate_review",
                           "a review for this child on this date is already in this return", "REVIEW")
    _loaded(account, "reviews", kept, merged)
    return pd.DataFrame({"authority": authority, "child_id": kept["CHILD"], "review_date": kept["REVIEW"],
                         "participation": kept["REVIEW_CODE"]})


def _missing(tables, account, authority):
    m = tables["missing"]
    kept, merged = _dedupe(m, ["CHILD", "MIS_START", "MISSING"], account, "missing", "duplicate_missing",
                           "this missing/away period is already in this return", "MIS_START")
    _loaded(account, "missing", kept, merged)
    _warn(account, "missing", kept, kept["MIS_END"] < kept["MIS_START"], "end_before_start",
          "MIS_END is before MIS_START", "MIS_END")
    return pd.DataFrame({"authority": authority, "child_id": kept["CHILD"], "kind": kept["MISSING"],
                         "start_date": kept["MIS_START"], "end_date": kept["MIS_END"]})


def _flag(s: pd.Series) -> pd.Series:
    return s.map({"1": True, "0": False}).astype("boolean")


def _outcomes(tables, account, authority):
    o = tables["oc2"]
    no_year = o["_year"].isna().to_numpy()
    record(account, o, no_year, "unknown_collection_year", "rejected",
           "the return's collection year is unknown (no YEAR column, no year in the file or folder "
           "name, no dates to infer it from)", table="oc2")
    o = o[~no_year]
    kept, merged = _dedupe(o, ["CHILD", "_year"], account, "oc2", "duplicate_child_id",
                           "child ID already in this OC2 table", "CHILD")
    _loaded(account, "oc2", kept, merged)
    return pd.DataFrame({
        "authority": authority, "child_id": kept["CHILD"], "year": kept["_year"],
        "health_check": _flag(kept["HEALTH_CHECK"]), "teeth_check": _flag(kept["TEETH_CHECK"]),
        "immunisations": _flag(kept["IMMUNISATIONS"]),
        "sdq_score": pd.to_numeric(kept["SDQ_SCORE"]).astype("Int64"),
        "convicted": _flag(kept["CONVICTED"]), "substance_misuse": _flag(kept["SUBSTANCE_MISUSE"]),
    })


def _care_leavers(tables, account, authority):
    c = tables["oc3"]
    no_year = c["_year"].isna().to_numpy()
    record(account, c, no_year, "unknown_collection_year", "rejected",
           "the return's collection year is unknown, so the birthday the status refers to is unknown",
           table="oc3")
    c = c[~no_year].copy()
    if len(c):
        c["status_date"] = birthday_in_year(c["DOB"], c["_year"])
        c["age"] = (c["status_date"].dt.year - c["DOB"].dt.year).astype("Int64")
    else:
        c["status_date"] = pd.Series(dtype="datetime64[us]")
        c["age"] = pd.Series(dtype="Int64")
    _warn(account, "oc3", c, ~c["age"].isin([17, 18, 19, 20, 21]), "care_leaver_age",
          "young person was not 17 to 21 in the collection year", "DOB")
    kept, merged = _dedupe(c, ["CHILD", "status_date"], account, "oc3", "duplicate_child_id",
                           "child ID already in this OC3 table", "CHILD")
    _loaded(account, "oc3", kept, merged)
    activity = kept["ACTIV"].where(kept["ACTIV"] != "0")
    accom = kept["ACCOM"].where(kept["ACCOM"] != "0")
    parts = accom.str.extract(r"^([A-Z])([12])$")
    malformed = accom.notna() & parts[0].isna()
    _warn(account, "oc3", kept, malformed, "unknown_code",
          "ACCOM should be a letter and 1 (suitable) or 2 (not suitable); set to blank", "ACCOM")
    _warn(account, "oc3", kept, parts[0].notna() & ~parts[0].isin(list(ACCOM_LETTERS)), "unknown_code",
          "ACCOM letter not in DfE's list; kept as written", "ACCOM")
    return pd.DataFrame({
        "authority": authority, "child_id": kept["CHILD"], "status_date": kept["status_date"],
        "age": kept["age"], "in_touch": kept["IN_TOUCH"], "activity": activity,
        "accommodation": parts[0], "suitable": parts[1].map({"1": True, "2": False}).astype("boolean"),
    })


def _event_starts(cla: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    """First episode of each run of consecutive episodes meeting ``mask`` (a new period of
    care, RNE S, starts a new run)."""
    same_child = cla["child_id"].eq(cla["child_id"].shift())
    continues = same_child & mask.shift(fill_value=False) & cla["rne"].ne("S")
    return cla[mask & ~continues]


def _attach(decisions: pd.DataFrame, events: pd.DataFrame, name: str) -> pd.DataFrame:
    """Add column ``name``: the first event date belonging to each decision (the latest
    decision on or before the event, else the child's first decision)."""
    d = decisions[decisions["decision_date"].notna()].sort_values("decision_date")
    e = events.sort_values("date")
    back = pd.merge_asof(e, d[["child_id", "decision_date"]], left_on="date", right_on="decision_date",
                         by="child_id", direction="backward")
    fwd = pd.merge_asof(e, d[["child_id", "decision_date"]], left_on="date", right_on="decision_date",
                        by="child_id", direction="forward")
    e = e.assign(decision_date=back["decision_date"].fillna(fwd["decision_date"]).to_numpy())
    first = e.dropna(subset=["decision_date"]).groupby(["child_id", "decision_date"], as_index=False)["date"].min()
    return decisions.merge(first.rename(columns={"date": name}), on=["child_id", "decision_date"], how="left")


def _adoptions(tables, cla_fixed, account, authority):
    p = tables["placed_for_adoption"]
    p_kept, p_merged = _dedupe(p, ["CHILD", "DATE_PLACED"], account, "placed_for_adoption",
                               "duplicate_decision", "this decision is already in this return", "DATE_PLACED")
    _loaded(account, "placed_for_adoption", p_kept, p_merged)
    a = tables["ad1"]
    a_kept, a_merged = _dedupe(a, ["CHILD", "DATE_INT"], account, "ad1", "duplicate_decision",
                               "this adoption is already in this return", "DATE_INT")
    _loaded(account, "ad1", a_kept, a_merged)

    dec = pd.merge(
        p_kept[["CHILD", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"]].rename(columns={
            "CHILD": "child_id", "DATE_PLACED": "decision_date", "DATE_PLACED_CEASED": "stopped_date",
            "REASON_PLACED_CEASED": "stopped_reason"}),
        a_kept[["CHILD", "DATE_INT", "DATE_MATCH"]].rename(columns={
            "CHILD": "child_id", "DATE_INT": "decision_date", "DATE_MATCH": "match_date"}),
        on=["child_id", "decision_date"], how="outer")
    dec["child_id"] = dec["child_id"].astype(str)
    dec["decision_date"] = dec["decision_date"].astype("datetime64[us]")

    cla = pd.DataFrame({"child_id": cla_fixed["CHILD"].astype(str), "decom": cla_fixed["DECOM"], "dec": cla_fixed["DEC"],
                        "rne": cla_fixed["RNE"], "ls": cla_fixed["LS"], "place": cla_fixed["PLACE"],
                        "rec": cla_fixed["REC"], "_file": cla_fixed["_file"], "_row": cla_fixed["_row"]})
    events = {
        "placement_order_date": _event_starts(cla, cla["ls"].isin(PLACEMENT_ORDER_LS)),
        "placed_date": _event_starts(cla, cla["place"].isin(PLACED_FOR_ADOPTION)),
        "ffa_date": _event_starts(cla, cla["place"].isin(FFA_PLACEMENTS)),
    }
    events = {k: v[["child_id", "decom", "_file", "_row"]].rename(columns={"decom": "date"}) for k, v in events.items()}
    orders = cla[cla["rec"].isin(["E11", "E12"]) & cla["dec"].notna()]
    events["adoption_order_date"] = orders[["child_id", "dec", "_file", "_row"]].rename(columns={"dec": "date"})
    # Only FFA placements on an adoption journey count (most U2/U5 children have a decision).
    adoption_events = pd.concat([events[k] for k in ("placement_order_date", "placed_date", "adoption_order_date")])
    orphans = adoption_events[~adoption_events["child_id"].isin(dec["child_id"])]
    _warn(account, "episodes", orphans, np.ones(len(orphans), bool), "adoption_without_decision",
          "adoption event (placement order, placed for adoption or adopted) but no decision that the "
          "child should be placed for adoption in any return")
    no_decision = pd.DataFrame({"child_id": pd.Series(orphans["child_id"].unique(), dtype=str)})
    dec = pd.concat([dec, no_decision], ignore_index=True)
    for name, ev in events.items():
        ev = ev[ev["child_id"].isin(dec["child_id"])]
        dec = _attach(dec, ev, name)
        # Children with no decision at all: their first event of each kind.
        undecided = dec["decision_date"].isna()
        first = ev.groupby("child_id")["date"].min()
        if undecided.any():
            dec.loc[undecided, name] = first.reindex(dec.loc[undecided, "child_id"]).to_numpy()

    # Entered care: start of the period of care the decision (or first event) falls in.
    anchor = dec["decision_date"].fillna(dec[list(events)].min(axis=1))
    starts = cla[cla["rne"].eq("S")][["child_id", "decom"]].sort_values("decom")
    probe = pd.DataFrame({"child_id": dec["child_id"], "anchor": anchor, "_i": np.arange(len(dec))})
    probe = probe.dropna(subset=["anchor"]).sort_values("anchor")
    hit = pd.merge_asof(probe, starts, left_on="anchor", right_on="decom", by="child_id", direction="backward")
    dec["entered_care_date"] = pd.Series(hit["decom"].to_numpy(), index=hit["_i"].to_numpy()).reindex(
        np.arange(len(dec))).to_numpy()
    dec["authority"] = authority
    return dec
