"""History across extracts: each month's Annex A (or a year's return) merged into what the
warehouse already holds for the authority.

Rules (issue: history across months):

- The same record seen twice is one record: records are identified by their table's natural
  key (``schemas.TABLES[name].key``), e.g. a referral by child and referral date.
- A record that changed keeps its latest version: versions are ordered by extract date
  (then by load order), and for each field the latest version that has a value wins. A field
  the latest extract leaves blank keeps its earlier value, because extracts differ in what
  they carry (List 3 gives a referral's source, List 6 its closure, the CIN census its
  primary need), so a blank is "not said here", not "removed". The price: a value wrongly
  recorded and later deleted at source stays.
- Nothing older is lost: a record absent from the new extract (it fell out of the 6 or 12
  month window) stays as it was.
- Looked-after episodes are kept in sequence: an open episode followed by a later one for
  the same child is closed on the day the next begins, and an episode running past the
  next one's start is cut back to it (DfE's SSDA903 episode fixes). Monthly Annex A extracts
  need this: List 8 shows only the current placement, so the episode seen last month is
  still open in history when this month shows the child in a new placement. Every such fix
  is recorded in the data-quality account.

``versions`` (table ``history_versions`` in the warehouse) records, per record, the extract
date of the latest version merged, so that loading an older month after a newer one does
not overwrite newer versions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..model.dataset import Dataset
from ..model.schemas import DATE, TABLES, conform
from ..quality import LoadAccount

VERSION_COLUMNS = ["authority", "table_name", "record_key", "extract_date"]
HISTORY_FILE = "(history)"
_OLDEST = pd.Timestamp("1900-01-01")


def record_keys(name: str, frame: pd.DataFrame) -> pd.Series:
    """One string per row identifying the record within its authority ("<child>|<date>")."""
    parts = []
    for col in TABLES[name].key[1:]:  # loop over key columns
        s = frame[col]
        if TABLES[name].columns[col].dtype == DATE:
            parts.append(pd.to_datetime(s).dt.strftime("%Y-%m-%d").fillna(""))
        else:
            parts.append(s.astype("str").fillna(""))
    if not parts:
        return pd.Series("", index=frame.index, dtype="str")
    out = parts[0]
    for p in parts[1:]:
        out = out + "|" + p
    return out.astype("str")


def empty_versions() -> pd.DataFrame:
    return pd.DataFrame({"authority": pd.Series(dtype="str"), "table_name": pd.Series(dtype="str"),
                         "record_key": pd.Series(dtype="str"), "extract_date": pd.Series(dtype="datetime64[us]")})


def _merge_table(name: str, old: pd.DataFrame, new: pd.DataFrame, old_v: pd.Series, new_v: pd.Timestamp):
    key = list(TABLES[name].key)
    both = pd.concat([old.assign(_v=old_v.to_numpy(), _o=0), new.assign(_v=new_v, _o=1)], ignore_index=True)
    both["_v"] = pd.to_datetime(both["_v"]).astype("datetime64[us]")
    # Oldest first, so that ``last`` (which skips missing values) takes each field from the
    # newest version that has it.
    both = both.sort_values(["_v", "_o"], kind="stable")
    grouped = both.groupby(key, sort=False, dropna=False)
    merged = grouped.last().reset_index()
    merged["_v"] = grouped["_v"].max().to_numpy()
    return merged


def merge_history(history: Dataset, incoming: Dataset, *, account: LoadAccount | None = None,
                  history_versions: pd.DataFrame | None = None, incoming_version: pd.Timestamp | None = None,
                  file: str = HISTORY_FILE) -> tuple[Dataset, pd.DataFrame]:
    """Merge ``incoming`` (one extract, or several already merged) into ``history``.

    ``history_versions`` gives the extract date of each stored record (``VERSION_COLUMNS``);
    records without one count as older than any extract. ``incoming_version`` is the
    incoming extract's date (default: now, i.e. load order decides). Returns the merged
    dataset and the versions to store with it.
    """
    incoming_version = pd.Timestamp(incoming_version) if incoming_version is not None else pd.Timestamp.now()
    if history_versions is None or history_versions.empty:
        history_versions = empty_versions()
    out: dict[str, pd.DataFrame] = {}
    versions = []
    for name in TABLES:  # loop over tables
        old, new = history[name], incoming[name]
        hv = history_versions[history_versions["table_name"] == name]
        if not len(new):
            # Nothing new for this table: it stays as stored, with its stored versions.
            out[name] = old
            if len(old):
                versions.append(hv[VERSION_COLUMNS])
            continue
        dup = new.duplicated(list(TABLES[name].key), keep="first")
        if dup.any() and account is not None:
            # A loader should not pass two rows for one record; if it does, they are merged like
            # two versions (later rows win field by field), and the account says so.
            refs = pd.DataFrame({"_row": record_keys(name, new[dup]).to_numpy()})
            account.record_mask(file, name, refs, np.ones(len(refs), bool), "duplicate_record_merged", "fixed",
                                "the same record twice in one extract: merged, the later row's values winning")
        old_keys = record_keys(name, old)
        lookup = pd.Series(pd.to_datetime(hv["extract_date"]).to_numpy(),
                           index=pd.MultiIndex.from_arrays([hv["authority"].astype(str), hv["record_key"].astype(str)]))
        lookup = lookup[~lookup.index.duplicated(keep="last")]
        idx = pd.MultiIndex.from_arrays([old["authority"].astype(str), old_keys.astype(str)])
        old_v = pd.Series(lookup.reindex(idx).to_numpy(), index=old.index).fillna(_OLDEST)
        merged = _merge_table(name, old, new, old_v, incoming_version)
        frame = conform(name, merged[TABLES[name].column_names])
        out[name] = frame
        versions.append(pd.DataFrame({"authority": frame["authority"], "table_name": name,
                                      "record_key": record_keys(name, frame),
                                      "extract_date": merged["_v"].to_numpy()}))
    out["cla_episodes"] = close_overlapping_episodes(out["cla_episodes"], account, file)
    vers = pd.concat(versions, ignore_index=True) if versions else empty_versions()
    vers["extract_date"] = pd.to_datetime(vers["extract_date"]).astype("datetime64[us]")
    vers.loc[vers["extract_date"] <= _OLDEST, "extract_date"] = pd.NaT
    return Dataset(out, conformed=True), vers


def close_overlapping_episodes(episodes: pd.DataFrame, account: LoadAccount | None = None,
                               file: str = HISTORY_FILE) -> pd.DataFrame:
    """Keep each child's looked-after episodes in sequence (see module docstring)."""
    if len(episodes) < 2:
        return episodes
    e = episodes.sort_values(["authority", "child_id", "decom"], kind="stable").reset_index(drop=True)
    nxt = e.groupby(["authority", "child_id"], sort=False)["decom"].shift(-1)
    open_superseded = e["dec"].isna() & nxt.notna()
    overrun = e["dec"].notna() & nxt.notna() & (e["dec"] > nxt)
    fix = open_superseded | overrun
    if not fix.any():
        return episodes
    if account is not None:
        ref = pd.DataFrame({"_row": "child " + e["child_id"] + " episode from "
                            + e["decom"].dt.strftime("%d/%m/%Y")})
        account.record_mask(file, "cla_episodes", ref, open_superseded, "open_episode_closed_by_next", "fixed",
                            "an open episode followed by a later one for the same child: closed on the day the "
                            "next began", "dec")
        account.record_mask(file, "cla_episodes", ref, overrun, "episode_overlaps_next", "fixed",
                            "an episode ending after the next one began: cut back to the next one's start", "dec")
    e.loc[fix, "dec"] = nxt[fix]
    e.loc[fix & e["rec"].isna(), "rec"] = "X1"
    return e.astype({c: episodes[c].dtype for c in episodes.columns})[list(episodes.columns)]
