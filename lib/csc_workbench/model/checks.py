"""Data-quality checks on the canonical model, one rule per function (Data to Insight style).

Each rule takes a ``Dataset`` and returns the offending records as a DataFrame with
``FINDING_COLUMNS``: the table, the rule, the column at fault, a record reference an analyst
can search for ("child 123, referral 05/01/2024") and a message. Rules never change or drop
data: ``run_checks`` records their findings as warnings in the load's ``LoadAccount``.

Rules:
- ``end_before_start``: a referral closed, CP / CIN plan ended, looked-after episode
  ceased, missing episode or allocation ended before it began.
- ``icpc_before_s47``: an initial conference dated before the S47 enquiry it followed.
- ``authorised_before_start``: an assessment authorised before it started.
- ``dob_after_event``: a date of birth in the future, or after an event in the child's
  record (work up to 40 weeks before the birth counts as pre-birth work and is not flagged,
  except being looked after, a visit or a health check, which need the child born).
- ``duplicate_child_ids``: the same child ID on two person records.
- ``unknown_codes``: a code outside DfE's lists (``csc_workbench.codes``) or the schema's.
- ``overlapping_cla_episodes``: a child in two placements at once (an episode running past
  the start of the child's next one).
- ``cp_plan_without_icpc``: a CP plan with no initial conference on or up to 14 days before
  its start (a transfer-in conference is the usual innocent reason).
- ``referral_while_cin_open``: a referral while the child's previous CIN episode was open.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from .. import codes
from ..quality import LoadAccount
from .dataset import Dataset
from .schemas import TABLES

FINDING_COLUMNS = ["authority", "table", "rule", "column", "record", "message"]
PRE_BIRTH_DAYS = 280
ICPC_BEFORE_PLAN_DAYS = 14


def _d(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s).dt.strftime("%d/%m/%Y").fillna("(none)")


def _findings(frame: pd.DataFrame, table: str, rule: str, column: str, record: pd.Series,
              message: str | pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"authority": frame["authority"].to_numpy(), "table": table, "rule": rule,
                         "column": column, "record": record.to_numpy(),
                         "message": message.to_numpy() if isinstance(message, pd.Series) else message},
                        columns=FINDING_COLUMNS)


def _none() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="str") for c in FINDING_COLUMNS})


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else _none()


# (table, start column, end column, what the record is called)
PERIODS = (
    ("referrals", "referral_date", "closure_date", "referral"),
    ("cp_plans", "start_date", "end_date", "CP plan"),
    ("cin_plans", "start_date", "end_date", "CIN plan"),
    ("cla_episodes", "decom", "dec", "episode"),
    ("missing", "start_date", "end_date", "missing/away episode"),
    ("allocations", "start_date", "end_date", "allocation"),
)


def end_before_start(ds: Dataset) -> pd.DataFrame:
    parts = []
    for table, start, end, what in PERIODS:  # loop over tables
        f = ds[table]
        bad = f[f[end] < f[start]]
        record = "child " + bad["child_id"] + f", {what} from " + _d(bad[start]) + " to " + _d(bad[end])
        parts.append(_findings(bad, table, "end_before_start", end, record, f"{what} ends before it starts"))
    return _concat(parts)


def icpc_before_s47(ds: Dataset) -> pd.DataFrame:
    ic = ds.icpcs.dropna(subset=["s47_id"])
    s = ds.s47[["authority", "s47_id", "start_date"]]
    m = ic.merge(s, on=["authority", "s47_id"], how="inner")
    bad = m[m["icpc_date"] < m["start_date"]]
    record = "child " + bad["child_id"] + ", ICPC " + _d(bad["icpc_date"]) + ", S47 from " + _d(bad["start_date"])
    return _findings(bad, "icpcs", "icpc_before_s47", "icpc_date", record,
                     "initial conference dated before the S47 enquiry it followed")


def authorised_before_start(ds: Dataset) -> pd.DataFrame:
    a = ds.assessments
    bad = a[a["authorised_date"] < a["start_date"]]
    record = "child " + bad["child_id"] + ", assessment from " + _d(bad["start_date"]) + " authorised " + \
        _d(bad["authorised_date"])
    return _findings(bad, "assessments", "authorised_before_start", "authorised_date", record,
                     "assessment authorised before it started")


# (table, date column, what, pre-birth work possible)
EVENTS = (
    ("contacts", "contact_date", "contact", True),
    ("referrals", "referral_date", "referral", True),
    ("assessments", "start_date", "assessment", True),
    ("s47", "start_date", "S47 enquiry", True),
    ("icpcs", "icpc_date", "ICPC", True),
    ("cp_plans", "start_date", "CP plan", True),
    ("cla_episodes", "decom", "looked-after episode", False),
    ("visits", "visit_date", "visit", False),
    ("health_checks", "check_date", "health check", False),
)


def dob_after_event(ds: Dataset, today: pd.Timestamp | None = None) -> pd.DataFrame:
    today = pd.Timestamp(today or pd.Timestamp.today()).normalize()
    p = ds.persons[["authority", "child_id", "dob"]].dropna(subset=["dob"])
    future = p[p["dob"] > today]
    parts = [_findings(future, "persons", "dob_after_event", "dob",
                       "child " + future["child_id"] + ", born " + _d(future["dob"]), "date of birth in the future")]
    for table, col, what, pre_birth in EVENTS:  # loop over tables
        m = ds[table][["authority", "child_id", col]].merge(p, on=["authority", "child_id"])
        allowance = pd.Timedelta(days=PRE_BIRTH_DAYS if pre_birth else 0)
        bad = m[m[col] < m["dob"] - allowance]
        record = "child " + bad["child_id"] + ", born " + _d(bad["dob"]) + f", {what} " + _d(bad[col])
        parts.append(_findings(bad, table, "dob_after_event", col, record,
                               f"date of birth after the {what}"
                               + (f" (by more than {PRE_BIRTH_DAYS} days of pre-birth work)" if pre_birth else "")))
    return _concat(parts)


def duplicate_child_ids(ds: Dataset) -> pd.DataFrame:
    p = ds.persons
    bad = p[p.duplicated(["authority", "child_id"], keep=False)]
    record = "child " + bad["child_id"] + ", born " + _d(bad["dob"])
    return _findings(bad, "persons", "duplicate_child_ids", "child_id", record,
                     "the same child ID is on more than one person record")


# Code lists beyond the schema's own ``isin`` (DfE's lists in ``csc_workbench.codes``).
CODE_LISTS: dict[tuple[str, str], tuple] = {
    ("persons", "ethnicity"): tuple(codes.ETHNICITY),
    ("contacts", "source"): tuple(codes.REFERRAL_SOURCES),
    ("referrals", "referral_source"): tuple(codes.REFERRAL_SOURCES),
    ("referrals", "primary_need"): tuple(codes.PRIMARY_NEED),
    ("referrals", "closure_reason"): tuple(codes.CLOSURE_REASONS),
    ("cla_episodes", "rne"): tuple(codes.RNE),
    ("cla_episodes", "ls"): tuple(codes.LEGAL_STATUS),
    ("cla_episodes", "cin"): tuple(codes.PRIMARY_NEED),
    ("cla_episodes", "place"): tuple(codes.PLACEMENT_TYPES),
    ("cla_episodes", "place_provider"): tuple(codes.PLACEMENT_PROVIDERS),
    ("cla_episodes", "rec"): tuple(codes.REASON_EPISODE_CEASED),
    ("care_leavers", "in_touch"): tuple(codes.IN_TOUCH),
    ("care_leavers", "activity"): tuple(codes.ACTIVITY) + tuple(codes.ACTIVITY_LEGACY),
    ("care_leavers", "accommodation"): tuple(codes.ACCOMMODATION),
    ("adoptions", "stopped_reason"): ("RD1", "RD2", "RD3", "RD4"),
}


def _code_lists() -> dict[tuple[str, str], tuple]:
    lists = dict(CODE_LISTS)
    for name, table in TABLES.items():
        for col, spec in table.columns.items():
            if spec.isin is not None:
                lists[(name, col)] = tuple(spec.isin)
    return lists


def unknown_codes(ds: Dataset) -> pd.DataFrame:
    parts = []
    for (table, col), allowed in _code_lists().items():  # loop over coded columns
        f = ds[table]
        bad = f[f[col].notna() & ~f[col].isin(allowed)]
        if not len(bad):
            continue
        shown = ", ".join(repr(v) for v in pd.unique(bad[col].astype(str))[:5])
        who = ("child " + bad["child_id"]) if "child_id" in bad else bad[TABLES[table].key[-1]].astype(str)
        parts.append(_findings(bad, table, "unknown_codes", col, who + ", " + col + " " + bad[col].astype(str),
                               f"unknown code in {col} ({shown})"))
    return _concat(parts)


def overlapping_cla_episodes(ds: Dataset) -> pd.DataFrame:
    e = ds.cla_episodes.sort_values(["authority", "child_id", "decom"], kind="stable")
    nxt = e.groupby(["authority", "child_id"], sort=False)["decom"].shift(-1)
    ends = e["dec"].fillna(pd.Timestamp.max.normalize())
    bad_mask = nxt.notna() & (ends > nxt)
    bad = e[bad_mask]
    record = "child " + bad["child_id"] + ", episode from " + _d(bad["decom"]) + " to " + _d(bad["dec"]) + \
        ", next from " + _d(nxt[bad_mask])
    return _findings(bad, "cla_episodes", "overlapping_cla_episodes", "dec", record,
                     "child in two placements at once: the episode runs past the start of the next")


def cp_plan_without_icpc(ds: Dataset, days: int = ICPC_BEFORE_PLAN_DAYS) -> pd.DataFrame:
    plans, ic = ds.cp_plans, ds.icpcs
    # Only where the data carries conferences at all, and from the first one it holds:
    # earlier plans began before the data's coverage of conferences.
    covered = ic.groupby("authority")["icpc_date"].min()
    first = pd.Series(covered.reindex(plans["authority"].to_numpy()).to_numpy(), index=plans.index)
    p = plans[plans["start_date"] >= first]
    if p.empty:
        return _none()
    m = p[["authority", "child_id", "cpp_id", "start_date"]].reset_index().merge(
        ic[["authority", "child_id", "icpc_date"]], on=["authority", "child_id"], how="left")
    ok = (m["icpc_date"] <= m["start_date"]) & (m["icpc_date"] >= m["start_date"] - pd.Timedelta(days=days))
    has = ok.groupby(m["index"]).any()
    bad = p.loc[has[~has].index]
    record = "child " + bad["child_id"] + ", CP plan from " + _d(bad["start_date"])
    return _findings(bad, "cp_plans", "cp_plan_without_icpc", "start_date", record,
                     f"CP plan with no initial conference on or up to {days} days before its start "
                     "(a transfer-in conference?)")


def referral_while_cin_open(ds: Dataset) -> pd.DataFrame:
    r = ds.referrals[["authority", "child_id", "referral_date", "closure_date"]].reset_index()
    m = r.merge(r, on=["authority", "child_id"], suffixes=("", "_prev"))
    open_then = (m["referral_date_prev"] < m["referral_date"]) & (
        m["closure_date_prev"].isna() | (m["closure_date_prev"] > m["referral_date"]))
    hits = m[open_then].drop_duplicates("index")
    record = "child " + hits["child_id"] + ", referral " + _d(hits["referral_date"]) + \
        ", CIN episode open from " + _d(hits["referral_date_prev"])
    return _findings(hits, "referrals", "referral_while_cin_open", "referral_date", record,
                     "referral while the child's previous CIN episode was still open")


RULES: dict[str, Callable[..., pd.DataFrame]] = {
    "end_before_start": end_before_start,
    "icpc_before_s47": icpc_before_s47,
    "authorised_before_start": authorised_before_start,
    "dob_after_event": dob_after_event,
    "duplicate_child_ids": duplicate_child_ids,
    "unknown_codes": unknown_codes,
    "overlapping_cla_episodes": overlapping_cla_episodes,
    "cp_plan_without_icpc": cp_plan_without_icpc,
    "referral_while_cin_open": referral_while_cin_open,
}


def run_checks(ds: Dataset, account: LoadAccount | None = None, file: str = "(history)",
               today: pd.Timestamp | None = None) -> pd.DataFrame:
    """Run every rule; record each finding as a warning in ``account``; return all findings."""
    parts = []
    for name, rule in RULES.items():  # loop over rules
        parts.append(rule(ds, today=today) if name == "dob_after_event" else rule(ds))
    findings = _concat(parts)
    if account is not None and len(findings):
        for (table, rule, column, message), group in findings.groupby(
                ["table", "rule", "column", "message"], sort=False):  # loop over distinct findings
            account.record(file, table, group["record"].to_numpy(), rule, "warning", message, column)
    return findings


def rule_counts(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings per table and rule (what the quality report shows)."""
    if findings.empty:
        return pd.DataFrame(columns=["table", "rule", "count"])
    return findings.groupby(["table", "rule"]).size().rename("count").reset_index()


__all__ = ["FINDING_COLUMNS", "RULES", "run_checks", "rule_counts", *RULES]
