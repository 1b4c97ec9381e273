"""Reading one Annex A workbook into canonical tables, accounting for every row.

For each list sheet: find the header row, match headers to fields by meaning, drop blank
rows, parse every field, then reject the rows that cannot be loaded (no child ID, a
required date missing or unreadable, a duplicate) with a reason and the Excel row number.
Cells that are unreadable but not essential are blanked and recorded as fixed. Lists are
then mapped to canonical tables:

- List 1 -> contacts; List 3 and List 6 -> referrals (one row per CIN episode: List 3 gives
  source, NFA and the number of referrals in the last 12 months; List 6 primary need and
  closure), List 6's "last seen" -> visits (typed by case status);
- List 4 -> assessments; List 5 -> s47 and icpcs;
- List 7 -> cp_plans, the last statutory visit -> visits (CP), the latest review -> cp_reviews;
- List 8 -> cla_episodes (see ``_cla``), the last social work visit -> visits (CLA), the
  latest review -> cla_reviews, health and dental dates -> health_checks, the counts of
  placements and missing / absent episodes -> cla_snapshots;
- List 9 -> care_leavers (status as at the extract date); List 10 -> adoptions;
- every child list -> persons; allocated teams and workers -> teams and workers (worker
  names are kept only in ``workers.worker_name``; ids are stable pseudonyms);
- Lists 2 and 11 are read and accounted for as "not used" (see ``spec``).

Assessments, S47s, ICPCs and CP plans are linked to the CIN episode (referral) open for the
child on that date, because Annex A does not carry the link.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ...calendar import age_in_years
from ...errors import InputError
from ...model.dataset import Dataset
from ...quality import LoadAccount
from . import cells
from .spec import CODESETS, LISTS, REQUIRED_LISTS, Field, ListSpec
from .workbook import Sheet, Workbook, read_workbook

HEADER_SEARCH_ROWS = 10
# The 2023 List 9 added these columns; their absence marks the older layout, not a fault.
LIST9_2023_FIELDS = ("uasc", "pa", "pathway_plan_date", "latest_contact_date")

# Lists whose rows are one record each (a CIN episode, a plan, a period of care, a care
# leaver, an adoption decision): two different rows for the same record mean the export
# duplicated the child, and the loader cannot know which row is right.
ONE_ROW_PER_RECORD = {6: ("child_id", "cin_start"), 7: ("child_id", "start_date"),
                      8: ("child_id", "cla_start"), 9: ("child_id",), 10: ("child_id", "decision_date")}
# Lists of events where a second row for the same child and day is possible in practice
# but the model holds one record per child per day: the later rows are rejected.
ONE_PER_DAY = {1: ("child_id", "contact_date"), 3: ("child_id", "referral_date"),
               4: ("child_id", "start_date"), 5: ("child_id", "s47_start")}


@dataclass
class ListRows:
    spec: ListSpec
    sheet: str
    frame: pd.DataFrame  # parsed fields, "_row" (Excel row) and "_src" ("List 3 row 7")


# -- ids ---------------------------------------------------------------------------------------
def record_id(child_ids: pd.Series, dates: pd.Series, suffix: pd.Series | str | None = None) -> pd.Series:
    """Stable record id "<child>:<yyyy-mm-dd>" (natural keys are child and date)."""
    out = child_ids.astype(str) + ":" + pd.to_datetime(dates).dt.strftime("%Y-%m-%d")
    if suffix is not None:
        out = out + ":" + (suffix if isinstance(suffix, str) else suffix.astype(str))
    return out.astype("str")


def _stable_ids(prefix: str, names: pd.Series, authority: str) -> pd.Series:
    # Hash per distinct name (a handful of teams / workers), mapped back vectorised.
    distinct = pd.unique(names.dropna())
    ids = {n: prefix + hashlib.sha1(f"{authority}|{cells.clean_text(n).lower()}".encode()).hexdigest()[:10]
           for n in distinct}
    return names.map(ids).astype("str")


def team_id_for(names: pd.Series, authority: str) -> pd.Series:
    """Stable team id from a team name (same name, same id, month after month)."""
    return _stable_ids("T", names, authority)


def worker_id_for(names: pd.Series, authority: str) -> pd.Series:
    """Stable pseudonymous worker id from a worker's name; the name itself is kept only in
    ``workers.worker_name``."""
    return _stable_ids("W", names, authority)


# -- sheets ------------------------------------------------------------------------------------
def _list_number(title: str) -> int | None:
    m = re.match(r"^\s*list\s*0*(\d{1,2})\b", cells.clean_text(title).lower())
    if m and 1 <= int(m.group(1)) <= 11:
        return int(m.group(1))
    return None


def _map_sheets(wb: Workbook, file: str, account: LoadAccount) -> dict[int, Sheet]:
    found: dict[int, Sheet] = {}
    for sheet in wb.sheets:  # loop over sheets
        n = _list_number(sheet.title)
        if n is None:
            account.record(file, sheet.title, ["-"], "not_a_list", "warning",
                           "sheet is not one of Annex A's Lists 1 to 11: not read")
        elif n in found:
            account.record(file, sheet.title, ["-"], "second_sheet_for_list", "warning",
                           f"a second sheet for List {n} (the first, {found[n].title!r}, is read): not read")
        else:
            found[n] = sheet
    for n in REQUIRED_LISTS:
        if n not in found:
            raise InputError(
                f"the sheet for List {n} ({LISTS[n].title}) is missing: an Annex A workbook has "
                f"sheets 'List 1' to 'List 11' (keep a list's header row even when it has no rows)",
                file=wb.path, sheet=f"List {n}")
    for n, spec in LISTS.items():
        if n not in found and not spec.used:
            account.record(file, spec.sheet, ["-"], "list_absent", "warning",
                           f"List {n} ({spec.title}) is not in the workbook; it is not used")
    return found


def _match_headers(headers: list, spec: ListSpec) -> dict[str, int]:
    """Field name -> column index, matching by meaning; each header used once, the field
    with fewest candidate headers first so that specific fields are not starved."""
    normed = [cells.norm_header(h) if h is not None else "" for h in headers]
    cands: dict[str, list[int]] = {}
    for f in spec.fields:
        inc = re.compile(f.pattern)
        exc = re.compile(f.exclude) if f.exclude else None
        cands[f.name] = [j for j, h in enumerate(normed) if h and inc.search(h) and not (exc and exc.search(h))]
    order = sorted(range(len(spec.fields)), key=lambda i: (len(cands[spec.fields[i].name]), i))
    assigned: dict[str, int] = {}
    used: set[int] = set()
    for i in order:
        f = spec.fields[i]
        for j in cands[f.name]:
            if j not in used:
                assigned[f.name] = j
                used.add(j)
                break
    return assigned


def _find_header(sheet: Sheet, spec: ListSpec, path: Path) -> tuple[int, dict[str, int]]:
    grid = sheet.grid
    if grid.empty or cells.blank_cells(grid.to_numpy()).all():
        raise InputError("the sheet is empty: it needs at least its header row", file=path, sheet=sheet.title)
    best, best_map = -1, {}
    for r in range(min(HEADER_SEARCH_ROWS, len(grid))):
        mapping = _match_headers(grid.iloc[r].tolist(), spec)
        if len(mapping) > len(best_map):
            best, best_map = r, mapping
    if len(best_map) < 2 or (spec.used and "child_id" not in best_map):
        examples = ", ".join(repr(f.header) for f in spec.fields[:1] + spec.fields[5:7])
        raise InputError(f"no header row found in the first {HEADER_SEARCH_ROWS} rows (expected headers such as "
                         f"{examples})", file=path, sheet=sheet.title)
    return best, best_map


# -- parsing one list --------------------------------------------------------------------------
class _Rows:
    """Row bookkeeping for one sheet: which rows are rejected, with reasons."""

    def __init__(self, frame: pd.DataFrame, file: str, sheet: str, account: LoadAccount):
        self.frame, self.file, self.sheet, self.account = frame, file, sheet, account
        self.rejected = pd.Series(False, index=frame.index)

    def reject(self, mask: pd.Series, rule: str, message: str, column: str | None = None) -> None:
        mask = mask & ~self.rejected
        self.account.record_mask(self.file, self.sheet, self.frame, mask, rule, "rejected", message, column)
        self.rejected |= mask

    def fix(self, mask: pd.Series, rule: str, message: str, column: str | None = None) -> None:
        self.account.record_mask(self.file, self.sheet, self.frame, mask & ~self.rejected, rule, "fixed",
                                 message, column)


def _sample(values: pd.Series, mask: pd.Series, n: int = 3) -> str:
    distinct = pd.unique(values[mask].astype(str))
    shown = ", ".join(repr(v) for v in distinct[:n])
    return shown + (f" and {len(distinct) - n} more" if len(distinct) > n else "")


def _parse(f: Field, raw: pd.Series, rows: _Rows, path: Path) -> pd.Series | None:
    """Parse one column; records rejections (required fields) and fixes (others)."""
    kind = f.kind
    errors = cells.excel_errors(raw)
    if errors.any():
        if f.required:
            rows.reject(errors, "excel_error", f"{f.header!r} holds an Excel error ({_sample(raw, errors)})", f.header)
        else:
            rows.fix(errors, "excel_error", f"Excel error {_sample(raw, errors)} read as blank", f.header)
        raw = raw.where(~errors, None)
    blank = cells.is_blank(raw)
    if blank.all() and kind not in ("id", "ignore"):
        # An empty column (common: optional columns a system does not fill) needs no parsing.
        if f.required:
            rows.reject(blank, "required_date_missing", f"no {f.header!r}", f.header)
        return pd.Series(pd.NA, index=raw.index, dtype=_empty_dtype(kind))
    if kind == "id":
        out = cells.ids(raw)
        rows.reject(out.isna(), "no_child_id", "no Child Unique ID", f.header)
        return out
    if kind == "date":
        out, bad = cells.dates(raw)
        n_bad = int((bad & ~rows.rejected).sum())
        if n_bad >= 2 and out[~rows.rejected].notna().sum() == 0:
            first = rows.frame.loc[bad & ~rows.rejected, "_row"].iloc[0]
            raise InputError(
                f"the column holds no dates ({_sample(raw, bad & ~rows.rejected)}): dates must be Excel dates, "
                f"serial numbers or dd/mm/yyyy text", file=path, sheet=rows.sheet, row=int(first), column=f.header)
        if f.required:
            if bad.any():
                rows.reject(bad, "not_a_date", f"{f.header!r} is not a date ({_sample(raw, bad)})", f.header)
            rows.reject(blank, "required_date_missing", f"no {f.header!r}", f.header)
        elif bad.any():
            rows.fix(bad, "not_a_date", f"not a date ({_sample(raw, bad)}): left blank", f.header)
        return out
    if kind == "int":
        out, bad = cells.ints(raw)
        if bad.any():
            rows.fix(bad, "not_a_count", f"not a whole number ({_sample(raw, bad)}): left blank", f.header)
        return out
    if kind == "bool":
        out, bad = cells.bools(raw, CODESETS["yes_no"])
        if bad.any():
            rows.fix(bad, "unknown_code", f"not Yes / No / Unknown ({_sample(raw, bad)}): left blank", f.header)
        return out
    if kind.startswith("code:"):
        out, bad = cells.code_values(raw, CODESETS[kind[5:]])
        if bad.any():
            rows.fix(bad, "unknown_code", f"unknown code ({_sample(raw, bad)}): left blank", f.header)
        return out
    if kind == "name":
        return cells.names(raw)
    if kind == "text":
        return cells.text_values(raw)
    return None  # ignore


def read_list(sheet: Sheet, spec: ListSpec, path: Path, account: LoadAccount) -> ListRows:
    """Parse one list sheet; every non-blank row is counted and ends loaded or rejected."""
    file = path.name
    if not spec.used:
        return _read_unused_list(sheet, spec, path, account)
    hrow, mapping = _find_header(sheet, spec, path)
    headers = sheet.grid.iloc[hrow].tolist()
    header_ref = [hrow + 1]

    for f in spec.fields:
        if f.name in mapping:
            continue
        if f.required:
            found = ", ".join(repr(cells.clean_text(h)) for h in headers if h is not None and str(h).strip())
            raise InputError(f"required column {f.header!r} not found (headers: {found})", file=path,
                             sheet=sheet.title, row=hrow + 1, column=f.header)
        older_list9 = spec.number == 9 and f.name in LIST9_2023_FIELDS and not any(
            name in mapping for name in LIST9_2023_FIELDS)
        if spec.used and f.kind != "ignore" and not older_list9:
            account.record(file, sheet.title, header_ref, "column_missing", "warning",
                           f"column {f.header!r} not found: left blank", f.header)
    matched = set(mapping.values())
    for j, h in enumerate(headers):
        if j not in matched and h is not None and str(h).strip():
            account.record(file, sheet.title, header_ref, "unknown_column", "warning",
                           f"column {cells.clean_text(h)!r} is not a List {spec.number} column: not read",
                           cells.clean_text(h))

    body = sheet.grid.iloc[hrow + 1:]
    nonblank = ~cells.blank_cells(body.to_numpy()).all(axis=1) if len(body) else np.zeros(0, dtype=bool)
    body = body[nonblank]
    frame = pd.DataFrame({"_row": body.index + 1}, index=body.index)
    frame["_src"] = f"{sheet.title} row " + frame["_row"].astype(str)
    account.read(file, sheet.title, len(frame))

    if frame.empty:  # a list with only its header row: nothing to parse
        for f in spec.fields:
            if f.kind != "ignore":
                frame[f.name] = pd.Series(dtype=_empty_dtype(f.kind))
        account.loaded(file, sheet.title, 0)
        return ListRows(spec, sheet.title, frame)
    rows = _Rows(frame, file, sheet.title, account)
    # Formulas without a saved value that could not be evaluated.
    unresolved = sheet.unresolved[sheet.unresolved["r"].isin(body.index)] if len(sheet.unresolved) else None
    col_to_field = {j: spec.field(name) for name, j in mapping.items()}
    raw_cols = {}
    for name, j in mapping.items():  # loop over columns
        raw_cols[name] = body[j].copy() if j in body.columns else pd.Series(None, index=body.index, dtype=object)
    if unresolved is not None and len(unresolved):
        for c, group in unresolved.groupby("c"):  # loop over the columns holding such formulas
            f = col_to_field.get(int(c))
            if f is None:
                continue
            mask = frame.index.isin(group["r"])
            mask = pd.Series(mask, index=frame.index)
            formulas = ", ".join(pd.unique(group["formula"])[:3])
            message = (f"formula ({formulas}) has no saved value and is not simple cell arithmetic: "
                       f"open the workbook in Excel and save it so the values are stored")
            if f.required:
                rows.reject(mask, "formula_without_value", message, f.header)
            else:
                rows.fix(mask, "formula_without_value", message + "; left blank", f.header)
            raw_cols[f.name] = raw_cols[f.name].where(~mask, None)

    for f in spec.fields:  # loop over columns
        if f.name in raw_cols and f.kind != "ignore":
            frame[f.name] = _parse(f, raw_cols[f.name], rows, path)
    for f in spec.fields:
        if f.name not in frame.columns and f.kind != "ignore":
            frame[f.name] = pd.Series(pd.NA, index=frame.index, dtype=_empty_dtype(f.kind))

    _reject_duplicates(spec, rows, path)
    kept = frame[~rows.rejected].copy()
    account.loaded(file, sheet.title, len(kept))
    return ListRows(spec, sheet.title, kept)


def _read_unused_list(sheet: Sheet, spec: ListSpec, path: Path, account: LoadAccount) -> ListRows:
    """Lists 2 and 11: every row counted and accounted as not used. Their layout is not
    checked (no measure depends on them), so an odd or empty sheet does not stop a load."""
    grid = sheet.grid
    nonblank = pd.Series(~cells.blank_cells(grid.to_numpy()).all(axis=1) if len(grid) else np.zeros(0, dtype=bool),
                         index=grid.index)
    try:
        hrow = _find_header(sheet, spec, path)[0]
    except InputError:
        hrow = int(np.flatnonzero(nonblank.to_numpy())[0]) if nonblank.any() else 0
    body = nonblank.iloc[hrow + 1:]
    frame = pd.DataFrame({"_row": body.index[body.to_numpy()] + 1})
    account.read(path.name, sheet.title, len(frame))
    account.record_mask(path.name, sheet.title, frame, np.ones(len(frame), bool), "not_used", "rejected",
                        f"not loaded: {spec.not_used_reason}")
    account.loaded(path.name, sheet.title, 0)
    return ListRows(spec, sheet.title, frame.iloc[0:0])


def _empty_dtype(kind: str) -> str:
    return {"date": "datetime64[us]", "int": "Int64", "bool": "boolean"}.get(kind, "str")


def _reject_duplicates(spec: ListSpec, rows: _Rows, path: Path) -> None:
    key = ONE_ROW_PER_RECORD.get(spec.number) or ONE_PER_DAY.get(spec.number)
    if not key:
        return
    live = rows.frame[~rows.rejected]
    fields = [f.name for f in spec.fields if f.kind != "ignore" and f.name in live.columns]
    dup_key = live.duplicated(list(key), keep=False)
    if not dup_key.any():
        return
    exact = live.duplicated(fields, keep="first")
    first_row = live.groupby(list(fields), dropna=False, sort=False)["_row"].transform("first")
    mask = pd.Series(False, index=rows.frame.index)
    mask[exact[exact].index] = True
    if mask.any():
        refs = first_row[mask[live.index]]
        for first, group in refs.groupby(refs):  # loop over distinct originals (few)
            m = pd.Series(rows.frame.index.isin(group.index), index=rows.frame.index)
            rows.reject(m, "exact_duplicate", f"exact duplicate of row {int(first)}")
    live = rows.frame[~rows.rejected]
    clash = live.duplicated(list(key), keep=False)
    if not clash.any():
        return
    what = " and ".join(spec.field(k).header for k in key)
    if spec.number in ONE_ROW_PER_RECORD:
        clashing = live[clash].sort_values("_row")
        group = clashing.groupby(list(key), sort=False).ngroup()
        others = clashing[group == group.iloc[0]]
        first = others.iloc[0]
        row_list = ", ".join(str(int(r)) for r in others["_row"])
        raise InputError(
            f"rows {row_list} are the same record (same {what}: {first['child_id']}"
            + (f", {first[key[1]]:%d/%m/%Y}" if len(key) > 1 else "")
            + ") with different details; the export has duplicated this child (often a join to a table "
              "with several rows per child, such as disabilities): fix the export or keep one row",
            file=path, sheet=rows.sheet, row=int(first["_row"]), column="Child Unique ID")
    later = live.duplicated(list(key), keep="first")
    rows.reject(pd.Series(rows.frame.index.isin(later[later].index), index=rows.frame.index),
                "second_record_same_day",
                f"a second row with the same {what}: the workbench holds one per child per day (the first row is kept)")


# -- canonical tables --------------------------------------------------------------------------
def _coalesce(*series: pd.Series) -> pd.Series:
    out = series[0]
    for s in series[1:]:
        out = out.where(out.notna(), s)
    return out


def _link_referrals(events: pd.DataFrame, date_col: str, referrals: pd.DataFrame) -> pd.Series:
    """The CIN episode (referral) open for the child on the event date, if any."""
    if events.empty or referrals.empty:
        return pd.Series(pd.NA, index=events.index, dtype="str")
    ev = pd.DataFrame({"child_id": events["child_id"].astype(str), "_d": events[date_col],
                       "_i": np.arange(len(events))}).dropna(subset=["_d"]).sort_values("_d")
    rf = referrals[["child_id", "referral_date", "closure_date", "referral_id"]].copy()
    rf["child_id"] = rf["child_id"].astype(str)
    rf = rf.sort_values("referral_date")
    m = pd.merge_asof(ev, rf, left_on="_d", right_on="referral_date", by="child_id", direction="backward")
    ok = m["referral_id"].notna() & (m["closure_date"].isna() | (m["closure_date"] >= m["_d"]))
    out = pd.Series(pd.NA, index=np.arange(len(events)), dtype="str")
    out[m.loc[ok, "_i"].to_numpy()] = m.loc[ok, "referral_id"].to_numpy()
    out.index = events.index
    return out


def _cla(l8: pd.DataFrame, authority: str) -> pd.DataFrame:
    """Looked-after episodes as much as Annex A carries them.

    List 8 gives one row per child: when the period of care started, when the current legal
    status and the current placement started, and the latest placement's details. SSDA903
    starts a new episode whenever the legal status or the placement changes, so the child's
    episodes are rebuilt from those three dates: one from the period start (reason for new
    episode S), one from the legal status start (L), one from the placement start (P; B when
    both changed that day), each running to the next (ceased X1), the last with List 8's
    ceased date and reason. A date that is blank or not after the period start marks no
    change. Each episode carries what List 8 says held then: the legal status from its start
    date on, the placement's details from theirs; the rest (category of need, the
    placement's details before it began, the legal status before it) is not known. So
    writing the episodes as List 8 again gives the same three dates. Episodes Annex A does
    not show (moves before the current placement) are filled in by months merged in history
    (see ``history``).
    """
    start = l8["cla_start"].astype("datetime64[us]")
    ls_start = l8["ls_start"].astype("datetime64[us]").where(l8["ls_start"] > start)
    pl_start = l8["placement_start"].astype("datetime64[us]").where(l8["placement_start"] > start)
    # Up to three episodes per child, one frame per kind of start (loop over three kinds).
    starts = pd.concat([
        pd.DataFrame({"_i": np.arange(len(l8)), "decom": start.to_numpy()}),
        pd.DataFrame({"_i": np.arange(len(l8)), "decom": ls_start.to_numpy()}),
        pd.DataFrame({"_i": np.arange(len(l8)), "decom": pl_start.to_numpy()})], ignore_index=True)
    starts = starts.dropna(subset=["decom"]).drop_duplicates(["_i", "decom"])
    starts = starts.sort_values(["_i", "decom"], kind="stable").reset_index(drop=True)
    row = l8.iloc[starts["_i"].to_numpy()].reset_index(drop=True)
    decom = starts["decom"]
    is_ls, is_pl = decom.eq(ls_start.iloc[starts["_i"]].to_numpy()), decom.eq(pl_start.iloc[starts["_i"]].to_numpy())
    rne = np.select([is_ls & is_pl, is_pl, is_ls], ["B", "P", "L"], "S")
    nxt = decom.groupby(starts["_i"]).shift(-1)
    latest = nxt.isna()
    ls_known = ls_start.iloc[starts["_i"]].isna().to_numpy() | (decom >= ls_start.iloc[starts["_i"]].to_numpy())
    pl_known = pl_start.iloc[starts["_i"]].isna().to_numpy() | (decom >= pl_start.iloc[starts["_i"]].to_numpy())
    out = pd.DataFrame({
        "authority": authority, "child_id": row["child_id"], "decom": decom, "rne": rne,
        "ls": row["ls"].where(ls_known), "cin": row["cin"].where(latest),
        "place": row["place"].where(pl_known), "place_provider": row["place_provider"].where(pl_known),
        "dec": row["dec"].where(latest, nxt), "rec": row["rec"].where(latest, "X1"),
        "pl_post": row["pl_post"].where(pl_known), "urn": row["urn"].where(pl_known),
        "team_id": row["team_id"].where(latest), "worker_id": row["worker_id"].where(latest),
    })
    return out


def _extract_from_data(tables: dict[str, pd.DataFrame]) -> pd.Timestamp | None:
    cols = {"contacts": ["contact_date"], "referrals": ["referral_date", "closure_date"],
            "assessments": ["start_date", "authorised_date"], "s47": ["start_date"], "icpcs": ["icpc_date"],
            "cp_plans": ["start_date", "end_date"], "visits": ["visit_date"], "cp_reviews": ["review_date"],
            "cla_episodes": ["decom", "dec"], "cla_reviews": ["review_date"], "health_checks": ["check_date"],
            "adoptions": ["decision_date", "placement_order_date", "match_date", "placed_date",
                          "adoption_order_date", "stopped_date"]}
    today = pd.Timestamp.today().normalize()
    latest = [tables[t][c].max() for t, cs in cols.items() if t in tables for c in cs
              if len(tables[t]) and c in tables[t].columns]
    latest = [d for d in latest if pd.notna(d) and d <= today]
    return max(latest) if latest else None


def extract_date_of(wb: Workbook) -> pd.Timestamp | None:
    """The date the workbook was extracted, when it says so: our writer's document property,
    or a date in the file name (``..._2024-03-31.xlsx``, ``..._2024-03.xlsx`` = month end)."""
    value = wb.properties.get("period_end")
    if value:
        try:
            return pd.Timestamp(str(value)).normalize()
        except ValueError:
            pass
    return extract_date_from_name(wb.path.name)


def extract_date_from_name(name: str) -> pd.Timestamp | None:
    m = re.search(r"(20\d\d)[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)", name)
    if m:
        try:
            return pd.Timestamp(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    m = re.search(r"(20\d\d)[-_.](0[1-9]|1[0-2])(?!\d)", name)
    if m:
        return pd.Period(f"{m.group(1)}-{m.group(2)}", "M").to_timestamp(how="end").normalize()
    return None


def _person_frames(lists: dict[int, ListRows]) -> pd.DataFrame:
    frames = []
    for n, lr in lists.items():  # loop over lists
        f = lr.frame
        cols = {c: f[c] for c in ("child_id", "sex", "ethnicity", "dob", "disabled", "uasc") if c in f.columns}
        part = pd.DataFrame(cols)
        part["_src"] = f["_src"]
        part["_list"] = n
        frames.append(part)
    if not frames:
        return pd.DataFrame(columns=["child_id", "_src"])
    return pd.concat(frames, ignore_index=True)


def _persons(lists: dict[int, ListRows], authority: str, file: str, account: LoadAccount) -> pd.DataFrame:
    allp = _person_frames(lists)
    if allp.empty:
        return pd.DataFrame()
    for col in ("sex", "ethnicity", "dob", "disabled", "uasc"):
        if col not in allp.columns:
            allp[col] = pd.NA
    allp = allp.sort_values(["_list"], kind="stable")
    g = allp.groupby("child_id", sort=False)
    persons = g[["sex", "ethnicity", "dob", "disabled"]].first()
    persons["uasc"] = g["uasc"].max()
    persons = persons.reset_index()
    persons.insert(0, "authority", authority)
    for col, header in (("dob", "Date of Birth"), ("sex", "Gender"), ("ethnicity", "Ethnicity")):
        n = g[col].nunique()
        conflicted = n[n > 1].index
        if len(conflicted):
            refs = allp[allp["child_id"].isin(conflicted) & allp[col].notna()]
            text = "child " + refs["child_id"] + " (" + refs.groupby("child_id")["_src"].transform(
                lambda s: ", ".join(s)) + ")"
            account.record(file, "persons", pd.unique(text), "conflicting_person_details", "warning",
                           f"the same Child Unique ID has different {header} values in different lists: "
                           f"the first list's value is used", header)
    return persons


def build_dataset(lists: dict[int, ListRows], authority: str, extract: pd.Timestamp | None,
                  file: str, account: LoadAccount) -> tuple[Dataset, pd.Timestamp]:
    t: dict[str, pd.DataFrame] = {}
    A = authority

    # Teams and workers first: every list refers to them by id.
    named = [lr.frame[["team", "worker"]] for lr in lists.values() if "team" in lr.frame.columns]
    named = pd.concat(named, ignore_index=True) if named else pd.DataFrame(columns=["team", "worker"])
    for lr in lists.values():
        if "team" in lr.frame.columns:
            lr.frame["team_id"] = team_id_for(lr.frame["team"], A)
            worker = lr.frame["pa"].where(lr.frame["pa"].notna(), lr.frame["worker"]) if "pa" in lr.frame else lr.frame["worker"]
            lr.frame["worker_name"] = worker
            lr.frame["worker_id"] = worker_id_for(worker, A)
        else:
            lr.frame["team_id"] = pd.Series(pd.NA, index=lr.frame.index, dtype="str")
            lr.frame["worker_id"] = pd.Series(pd.NA, index=lr.frame.index, dtype="str")
    teams = pd.DataFrame({"team_name": pd.unique(named["team"].dropna())})
    teams["team_id"] = team_id_for(teams["team_name"], A)
    teams["authority"] = A
    t["teams"] = teams
    pairs = pd.concat([lr.frame[["worker_name", "team_id"]] for lr in lists.values() if "worker_name" in lr.frame],
                      ignore_index=True) if any("worker_name" in lr.frame for lr in lists.values()) else \
        pd.DataFrame(columns=["worker_name", "team_id"])
    pairs = pairs.dropna(subset=["worker_name"])
    if len(pairs):
        # A worker's team: the one they appear with most often in this extract.
        counts = pairs.groupby(["worker_name", "team_id"], dropna=False).size().rename("n").reset_index()
        counts = counts.sort_values(["worker_name", "n"], ascending=[True, False], kind="stable")
        workers = counts.drop_duplicates("worker_name")[["worker_name", "team_id"]]
    else:
        workers = pd.DataFrame(columns=["worker_name", "team_id"])
    workers = workers.assign(authority=A, worker_id=worker_id_for(workers["worker_name"], A))
    t["workers"] = workers

    def get(n: int) -> pd.DataFrame:
        return lists[n].frame if n in lists else pd.DataFrame()

    # List 1: contacts
    l1 = get(1)
    if len(l1):
        t["contacts"] = pd.DataFrame({
            "authority": A, "contact_id": record_id(l1["child_id"], l1["contact_date"]),
            "child_id": l1["child_id"], "contact_date": l1["contact_date"], "source": l1["source"]})

    # Lists 3 and 6: one row per CIN episode (referral)
    l3, l6 = get(3), get(6)
    r3 = pd.DataFrame({"child_id": l3["child_id"], "referral_date": l3["referral_date"],
                       "referral_source": l3["referral_source"], "nfa": l3["nfa"],
                       "previous_referrals_12m": l3["previous_referrals_12m"],
                       "team_id": l3["team_id"], "worker_id": l3["worker_id"]}) if len(l3) else None
    r6 = pd.DataFrame({"child_id": l6["child_id"], "referral_date": l6["cin_start"],
                       "primary_need": l6["primary_need"], "closure_date": l6["closure_date"],
                       "closure_reason": l6["closure_reason"],
                       "team_id": l6["team_id"], "worker_id": l6["worker_id"]}) if len(l6) else None
    if r3 is not None and r6 is not None:
        refs = r3.merge(r6, on=["child_id", "referral_date"], how="outer", suffixes=("_3", "_6"))
        # List 6 shows who holds the case now; List 3 who took the referral.
        for col in ("team_id", "worker_id"):
            refs[col] = _coalesce(refs[f"{col}_6"], refs[f"{col}_3"])
            refs = refs.drop(columns=[f"{col}_3", f"{col}_6"])
    else:
        refs = r3 if r3 is not None else r6
    if refs is not None:
        refs["authority"] = A
        refs["referral_id"] = record_id(refs["child_id"], refs["referral_date"])
        t["referrals"] = refs
    referrals = t.get("referrals", pd.DataFrame()).reindex(
        columns=["child_id", "referral_date", "closure_date", "referral_id"])
    referrals["closure_date"] = pd.to_datetime(referrals["closure_date"]).astype("datetime64[us]")

    visits = []
    if len(l6):
        kind = l6["case_status"].map({"cla": "CLA", "cp": "CP", "cin": "CIN", "assessment": "assessment",
                                      "closed": "CIN"}).fillna("CIN")
        seen = l6["last_seen"].notna()
        # "Last seen" is the child's, repeated on each of their referrals: one visit, typed by
        # the open case's status (a closed referral's row says nothing about the visit's type).
        last = pd.DataFrame({"child_id": l6.loc[seen, "child_id"], "visit_date": l6.loc[seen, "last_seen"],
                             "kind": kind[seen], "seen": True, "closed": l6.loc[seen, "case_status"].eq("closed")})
        visits.append(last.sort_values("closed", kind="stable")
                      .drop_duplicates(["child_id", "visit_date"]).drop(columns="closed"))

    # List 4: assessments
    l4 = get(4)
    if len(l4):
        t["assessments"] = pd.DataFrame({
            "authority": A, "assessment_id": record_id(l4["child_id"], l4["start_date"]),
            "child_id": l4["child_id"], "referral_id": _link_referrals(l4, "start_date", referrals),
            "start_date": l4["start_date"], "authorised_date": l4["authorised_date"],
            "outcome": l4["requires_support"].map({True: "cin", False: "nfa"}).astype("str"),
            "child_seen": l4["child_seen"], "team_id": l4["team_id"], "worker_id": l4["worker_id"]})

    # List 5: section 47 enquiries and their initial conferences
    l5 = get(5)
    if len(l5):
        s47_id = record_id(l5["child_id"], l5["s47_start"])
        ref_id = _link_referrals(l5, "s47_start", referrals)
        t["s47"] = pd.DataFrame({"authority": A, "s47_id": s47_id, "child_id": l5["child_id"],
                                 "referral_id": ref_id, "start_date": l5["s47_start"],
                                 "icpc_not_required": l5["icpc_not_required"],
                                 "team_id": l5["team_id"], "worker_id": l5["worker_id"]})
        held = l5["icpc_date"].notna()
        t["icpcs"] = pd.DataFrame({"authority": A, "icpc_id": record_id(l5["child_id"], l5["icpc_date"])[held],
                                   "child_id": l5["child_id"][held], "referral_id": ref_id[held],
                                   "s47_id": s47_id[held], "icpc_date": l5["icpc_date"][held],
                                   "cp_plan": l5["icpc_plan"][held], "team_id": l5["team_id"][held],
                                   "worker_id": l5["worker_id"][held]})

    # List 7: child protection plans, their last visit and latest review
    l7 = get(7)
    if len(l7):
        cpp_id = record_id(l7["child_id"], l7["start_date"])
        t["cp_plans"] = pd.DataFrame({
            "authority": A, "cpp_id": cpp_id, "child_id": l7["child_id"],
            "referral_id": _link_referrals(l7, "start_date", referrals), "start_date": l7["start_date"],
            "end_date": l7["end_date"], "initial_category": l7["initial_category"],
            "latest_category": l7["latest_category"], "previous_plans": l7["previous_plans"],
            "team_id": l7["team_id"], "worker_id": l7["worker_id"]})
        rv = l7["review_date"].notna()
        t["cp_reviews"] = pd.DataFrame({"authority": A, "cpp_id": cpp_id[rv], "child_id": l7["child_id"][rv],
                                        "review_date": l7["review_date"][rv]})
        v = l7["last_visit"].notna()
        visits.append(pd.DataFrame({"child_id": l7.loc[v, "child_id"], "visit_date": l7.loc[v, "last_visit"],
                                    "kind": "CP", "seen_alone": l7.loc[v, "seen_alone"]}))

    # List 8: children looked after
    l8 = get(8)
    if len(l8):
        t["cla_episodes"] = _cla(l8, A)
        rv = l8["review_date"].notna()
        t["cla_reviews"] = pd.DataFrame({"authority": A, "child_id": l8["child_id"][rv],
                                         "review_date": l8["review_date"][rv]})
        v = l8["sw_visit"].notna()
        visits.append(pd.DataFrame({"child_id": l8.loc[v, "child_id"], "visit_date": l8.loc[v, "sw_visit"],
                                    "kind": "CLA"}))
        checks = [pd.DataFrame({"child_id": l8.loc[l8[c].notna(), "child_id"], "check_date": l8.loc[l8[c].notna(), c],
                                "kind": k}) for c, k in (("health_check", "health"), ("dental_check", "dental"))]
        t["health_checks"] = pd.concat(checks, ignore_index=True).assign(authority=A)
        counts = l8[["placements_12m", "missing_12m", "away_12m"]]
        has = counts.notna().any(axis=1)
        if has.any():
            t["cla_snapshots"] = pd.DataFrame({"authority": A, "child_id": l8.loc[has, "child_id"],
                                               "snapshot_date": pd.NaT, **{c: counts.loc[has, c] for c in counts}})

    if visits:
        vis = pd.concat(visits, ignore_index=True)
        # List 6's "last seen" types its visit by today's case status; when List 7 or 8 shows a
        # visit to the child that day it is the same visit (a plan may have ended since), so it
        # is kept once, with List 7/8's type, and marked seen.
        from_l6 = pd.Series(np.arange(len(vis)) < (len(visits[0]) if len(l6) else 0), index=vis.index)
        key = vis["child_id"].astype(str) + "|" + vis["visit_date"].astype(str)
        same = from_l6 & key.isin(key[~from_l6])
        if same.any():
            vis.loc[~from_l6 & key.isin(key[same]), "seen"] = True
            vis, from_l6 = vis[~same], from_l6[~same]
        # List 6's "last seen" bounds what Lists 7 and 8 say: their statutory visit after the
        # day the child was last seen was a visit where the child was not seen; and a "last
        # seen" after the child's statutory visit of the type List 6 gives it cannot be that
        # type of visit (List 7/8 would show it), so it is kept as a CIN visit.
        def latest(rows: pd.Series, by: list[str]) -> pd.Series:
            last = vis.loc[rows].groupby(by, as_index=False)["visit_date"].max()
            return vis[by].merge(last, how="left", on=by)["visit_date"].set_axis(vis.index)

        if len(vis):
            vis.loc[~from_l6 & (vis["visit_date"] > latest(from_l6, ["child_id"])), "seen"] = False
            vis.loc[from_l6 & vis["kind"].isin(["CP", "CLA"])
                    & (vis["visit_date"] > latest(~from_l6, ["child_id", "kind"])), "kind"] = "CIN"
        vis = vis.groupby(["child_id", "visit_date", "kind"], sort=False, as_index=False).first()
        vis["visit_id"] = record_id(vis["child_id"], vis["visit_date"], vis["kind"])
        vis["authority"] = A
        t["visits"] = vis

    # List 10: adoption
    l10 = get(10)
    if len(l10):
        t["adoptions"] = pd.DataFrame({"authority": A, "child_id": l10["child_id"], **{
            c: l10[c] for c in ("entered_care_date", "decision_date", "placement_order_date", "match_date",
                                "placed_date", "adoption_order_date", "stopped_date", "stopped_reason",
                                "ffa_date")}})

    t["persons"] = _persons(lists, A, file, account)

    extract = extract or _extract_from_data(t) or pd.Timestamp.today().normalize()
    if "cla_snapshots" in t:
        t["cla_snapshots"]["snapshot_date"] = extract

    # List 9: care leavers, their status as at the extract date
    l9 = get(9)
    if len(l9):
        age = pd.Series(age_in_years(l9["dob"], pd.Series([extract] * len(l9))), index=l9.index)
        t["care_leavers"] = pd.DataFrame({
            "authority": A, "child_id": l9["child_id"], "status_date": extract,
            "age": age.round().astype("Int64"), "eligibility": l9["eligibility"], "in_touch": l9["in_touch"],
            "activity": l9["activity"], "accommodation": l9["accommodation"],
            "suitable": l9["suitable"].map({"1": True, "2": False}).astype("boolean"),
            "latest_contact_date": l9["latest_contact_date"], "pathway_plan_date": l9["pathway_plan_date"],
            "team_id": l9["team_id"], "worker_id": l9["worker_id"]})

    return Dataset({k: v for k, v in t.items() if len(v)}), extract


def read_file(path: Path, authority: str, account: LoadAccount) -> tuple[Dataset, pd.Timestamp]:
    """One Annex A workbook -> (canonical tables, the extract date they describe)."""
    path = Path(path)
    wb = read_workbook(path)
    sheets = _map_sheets(wb, path.name, account)
    lists: dict[int, ListRows] = {}
    for n in sorted(sheets):  # loop over lists
        lr = read_list(sheets[n], LISTS[n], path, account)
        if LISTS[n].used:
            lists[n] = lr
    return build_dataset(lists, authority, extract_date_of(wb), path.name, account)
