"""Merge several years' SSDA903 episodes into one history and apply DfE's episode fixes.

Each year's return repeats the episodes open on 1 April with their original DECOM, and
writes an episode still open on 31 March without DEC. Merging the years therefore sees the
same episode several times, and sees what a later return says about an episode an earlier
return left open. The fixes follow Social Finance's liia-tools "episodes fix" (stages 1 and
2), which implements DfE's guidance for joining returns, with two deliberate differences
noted below. Every fix is recorded in the data-quality account under these rule names:

Merging
- ``duplicate_episode_start`` (rejected): two different episodes in ONE return with the same
  child and DECOM. The episode with the latest DEC (an ended episode before an open one) is
  kept.
- same (CHILD, DECOM) in several returns: one episode; the latest return's version is kept
  (later returns are the authority's corrected record). Not a fault, so counted as loaded;
  ``episode_revised_in_later_return`` (warning) when a placement field differs.

Stage 1: an episode left open (no DEC) in a return that is not the authority's latest
- ``duplicate_episode`` (rejected; liia RULE_3): the episode before or after it has the same
  RNE, LS, PLACE, PLACE_PROVIDER, PL_POST and URN, so it is the same placement returned twice
  with a different start. The first of a run of such duplicates is kept (liia-tools deletes
  both when both are open; we keep one).
- ``episode_replaced_in_later_return`` (rejected; RULE_3A): the episode before it came from a
  later return, which did not repeat this one: the later return replaced it.
- ``open_episode_closed_by_next_episode`` (fixed; RULE_1): the child's next episode is a
  continuation (RNE not S): DEC = next DECOM, REC = X1.
- ``open_episode_closed_before_new_period`` (fixed; RULE_1A): the next episode starts a new
  period of care (RNE = S): DEC = the earlier of the return's 31 March and the day before the
  next DECOM, REC = E99 (ceased, reason not returned).
- ``open_episode_closed_at_year_end`` (fixed; RULE_2): no later episode, and later returns do
  not show the child: DEC = 31 March of the return's year, REC = E99.
  liia-tools leaves REASON_PLACE_CHANGE = "LIIAF" on RULE_1; we leave it blank (not a DfE code).

Stage 2
- ``open_episode_closed_by_next_episode`` / ``..._before_new_period`` (fixed): an episode still
  open in the latest return followed by a later episode (a child in two open placements at
  once) is closed by the next episode as in stage 1.
- ``episode_overlap_cut_back`` (fixed; RULE_4): DEC after the next episode's DECOM: DEC is
  cut back to the next DECOM. liia-tools does this only when the next episode came from a
  later return; we do it for every overlap, because a child cannot be in two episodes at
  once and every measure counting days or placements needs a consistent history.
- ``x1_gap_closed`` (fixed; RULE_5): REC = X1 (a new episode begins the same day) but the
  next episode, from a later return, starts later: DEC = next DECOM.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...quality import LoadAccount
from .spec import REC_CLOSED_BY_FIX

PLACEMENT_FIELDS = ["RNE", "LS", "PLACE", "PLACE_PROVIDER", "PL_POST", "URN"]
REVISION_FIELDS = ["RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "HOME_POST", "PL_POST", "URN"]
TABLE = "episodes"


def record(account: LoadAccount, frame: pd.DataFrame, mask, rule: str, action: str, message: str,
           column: str | None = None, table: str = TABLE) -> int:
    """Record ``rule`` for the masked rows of a frame that mixes files (``_file`` column)."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return 0
    hit = frame[mask]
    for file, rows in hit.groupby("_file", sort=False):
        account.record_mask(file, table, rows, np.ones(len(rows), bool), rule, action, message, column)
    return int(mask.sum())


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    return a.fillna("\x00").astype(str) == b.fillna("\x00").astype(str)


def _neighbours(ep: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    child = ep["CHILD"]
    return child.eq(child.shift(1)), child.eq(child.shift(-1))


def _year_end(year: pd.Series) -> pd.Series:
    y = year.astype("Float64").fillna(2100).astype("int64")
    return pd.to_datetime(pd.DataFrame({"year": y, "month": 3, "day": 31})).astype("datetime64[us]")


def merge_returns(ep: pd.DataFrame, account: LoadAccount) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per (CHILD, DECOM): conflicts within a return rejected, repeats across returns
    merged (latest return wins). Returns (kept, merged): ``merged`` holds the earlier returns'
    versions, whose information the kept row carries (they count as loaded)."""
    ep = ep.copy()
    ep["_dec_sort"] = ep["DEC"].fillna(pd.Timestamp("1900-01-01"))
    ep = ep.sort_values(["CHILD", "DECOM", "_rank", "_dec_sort"], kind="stable")
    # Within one return: keep the episode that says most (latest DEC), reject the others.
    clash = ep.duplicated(["CHILD", "DECOM", "_rank"], keep="last")
    record(account, ep, clash, "duplicate_episode_start", "rejected",
           "another episode for this child starts the same day in the same return; the one with "
           "the latest DEC was kept", "DECOM")
    ep = ep[~clash.to_numpy()]
    # Across returns: the latest return's version of the episode stands.
    repeat = ep.duplicated(["CHILD", "DECOM"], keep="last").to_numpy()
    later = ep.shift(-1)
    revised = repeat & ~np.logical_and.reduce([_same(ep[c], later[c]).to_numpy() for c in REVISION_FIELDS])
    record(account, ep, revised, "episode_revised_in_later_return", "warning",
           "a later return holds this episode with different placement details; the later version was kept")
    ep = ep.drop(columns="_dec_sort")
    return ep[~repeat], ep[repeat]


def _close_open(ep: pd.DataFrame, target: np.ndarray, account: LoadAccount, cap_at_year_end: bool) -> pd.DataFrame:
    """Close the targeted open episodes using the child's next episode (stage 1 rules 1, 1A, 2)."""
    _, same_next = _neighbours(ep)
    next_decom = ep["DECOM"].shift(-1)
    next_s = same_next & ep["RNE"].shift(-1).eq("S")
    year_end = _year_end(ep["_year"])
    rule2 = target & ~same_next.to_numpy()
    rule1a = target & next_s.to_numpy()
    rule1 = target & same_next.to_numpy() & ~next_s.to_numpy()

    day_before = next_decom - pd.Timedelta(days=1)
    dec_1a = day_before.where(day_before <= year_end, year_end) if cap_at_year_end else day_before
    dec_1a = dec_1a.where(dec_1a >= ep["DECOM"], ep["DECOM"])
    dec_2 = year_end.where(year_end >= ep["DECOM"], ep["DECOM"])
    ep = ep.copy()
    ep.loc[rule1, "DEC"] = next_decom[rule1]
    ep.loc[rule1 & ep["REC"].isna().to_numpy(), "REC"] = "X1"
    ep.loc[rule1a, "DEC"] = dec_1a[rule1a]
    ep.loc[rule1a, "REC"] = REC_CLOSED_BY_FIX
    if cap_at_year_end:
        ep.loc[rule2, "DEC"] = dec_2[rule2]
        ep.loc[rule2, "REC"] = REC_CLOSED_BY_FIX
    record(account, ep, rule1, "open_episode_closed_by_next_episode", "fixed",
           "open episode followed by the child's next episode: DEC set to the next DECOM, REC X1", "DEC")
    record(account, ep, rule1a, "open_episode_closed_before_new_period", "fixed",
           "open episode followed by a new period of care (RNE S): DEC set to the day before it "
           "(at most 31 March of the return's year), REC E99", "DEC")
    if cap_at_year_end:
        record(account, ep, rule2, "open_episode_closed_at_year_end", "fixed",
               "open episode and later returns do not show the child: DEC set to 31 March of the "
               "return's year, REC E99", "DEC")
    return ep


def fix_episodes(ep: pd.DataFrame, account: LoadAccount, authority: str) -> pd.DataFrame:
    """Apply stages 1 and 2 (see the module docstring) to merged episodes. ``ep`` has DfE
    columns (DECOM/DEC as dates) plus ``_year`` (return year), ``_la`` (liia-tools LA column
    or NA), ``_file`` and ``_row``."""
    if ep.empty:
        return ep
    ep = ep.sort_values(["CHILD", "DECOM"], kind="stable").reset_index(drop=True)
    group = ep["_la"].astype(object).where(ep["_la"].notna(), authority)
    latest = ep.groupby(group)["_year"].transform("max")
    open_error = (ep["DEC"].isna() & (ep["_year"] < latest)).fillna(False).to_numpy(bool)

    # Stage 1a: delete duplicated / replaced open episodes.
    same_prev, same_next = _neighbours(ep)
    prev, nxt = ep.shift(1), ep.shift(-1)
    dup_prev = same_prev & np.logical_and.reduce([_same(ep[c], prev[c]) for c in PLACEMENT_FIELDS])
    dup_next = same_next & np.logical_and.reduce([_same(ep[c], nxt[c]) for c in PLACEMENT_FIELDS])
    next_open_error = np.append(open_error[1:], False)
    duplicate = open_error & (dup_prev.to_numpy() | (dup_next.to_numpy() & ~next_open_error))
    replaced = open_error & ~duplicate & (same_prev & (prev["_year"] > ep["_year"])).fillna(False).to_numpy(bool)
    record(account, ep, duplicate, "duplicate_episode", "rejected",
           "open episode duplicating the child's neighbouring episode (same RNE, LS, PLACE, "
           "PLACE_PROVIDER, PL_POST, URN); removed")
    record(account, ep, replaced, "episode_replaced_in_later_return", "rejected",
           "open episode replaced in a later return (the episode before it comes from a later "
           "return that does not hold this one); removed")
    keep = ~(duplicate | replaced)
    ep, open_error = ep[keep].reset_index(drop=True), open_error[keep]

    # Stage 1b: close what is left open in earlier returns.
    ep = _close_open(ep, open_error, account, cap_at_year_end=True)

    # Stage 2: open episodes of the latest return followed by another episode, overlaps, X1 gaps.
    _, same_next = _neighbours(ep)
    ep = _close_open(ep, (same_next & ep["DEC"].isna()).to_numpy(bool), account, cap_at_year_end=False)
    _, same_next = _neighbours(ep)
    next_decom = ep["DECOM"].shift(-1)
    overlap = (same_next & (ep["DEC"] > next_decom)).fillna(False).to_numpy(bool)
    gap = (same_next & ep["REC"].eq("X1") & (ep["DEC"] < next_decom)
           & (ep["_year"] < ep["_year"].shift(-1))).fillna(False).to_numpy(bool)
    ep.loc[overlap | gap, "DEC"] = next_decom[overlap | gap]
    record(account, ep, overlap, "episode_overlap_cut_back", "fixed",
           "episode ends after the child's next episode starts: DEC cut back to the next DECOM", "DEC")
    record(account, ep, gap, "x1_gap_closed", "fixed",
           "REC X1 (new episode the same day) but the next episode, from a later return, starts "
           "later: DEC set to the next DECOM", "DEC")
    return ep
