"""Streaming loader for the CIN census XML (collection years 2017 to 2026).

One pass of ``lxml.etree.iterparse`` over ``<Child>`` elements: each child is read into
flat record tuples and its element dropped, so the XML tree is never held (a large
authority's file is hundreds of MB). Every ``_CHUNK`` children the tuples become compact
Arrow-string frames; every ``_BATCH_ROWS`` records (and at the end) one vectorised pandas
pass turns them into canonical rows and accounts for them. Memory is therefore the loaded
rows plus a bounded working set, whatever the size of the files
(``benchmarks/bench_load_cin.py``).

Decisions a user of the account should know:

* A record is **rejected** only when it is unusable: its child has no ``LAchildID``, or a
  date that identifies it (``CINreferralDate``, ``AssessmentActualStartDate``,
  ``S47ActualStartDate``, ``CPPstartDate``, ``CINPlanStartDate``, ``CPPreviewDate``, the
  ``DateOfInitialCPC`` of an ICPC) is missing or cannot be read.
* An optional date that cannot be read is loaded as null, with a warning.
* Codes: where the canonical model has a closed list (sex, CP category) an unknown code is
  loaded as null with a warning; elsewhere (referral source, primary need, closure reason,
  ethnicity, disability, assessment factors) the code is kept as written (trimmed,
  upper-case) with a warning, so nothing the council wrote is lost and measures can still
  group on it.
* Dates written as ``dd/mm/yyyy`` or with a time part, ``Sex`` written as a GenderCurrent
  number (or the reverse) and labels such as "Female" are read and counted as **fixed**.
* Several files (census years) are merged into one history: the same record (its natural
  key, ``schemas.TABLES[...].key``: child and date) seen more than once is one record, the
  later census year's version winning (within one file, the later occurrence). Each
  superseded copy is counted as **fixed** (rule ``superseded_by_later_file`` or
  ``duplicate_in_file``) against the row it came from. So for every table:
  rows in the dataset = sum(loaded) - (superseded + duplicate) fixes.
* A ``DateOfInitialCPC`` at CINdetails level on the same day as one in a ``Section47`` of
  the child is the same conference: merged (fixed, rule ``duplicate_in_file``).
* The census has no team or worker: ``team_id`` / ``worker_id`` are null. It has no
  assessment outcome, child-seen flag or UASC flag either (null).
* Elements the canonical model does not hold (UPN, FormerUPN, UPNunknown,
  AssessmentInternalReviewDate, PreProceedingsandFGDM) are read past; any other unexpected
  element gets one warning per element name per file.

Ids are stable across files and loads: ``{child}/{yyyymmdd}`` of the record's own date
(referral date for ``referral_id``, start date for ``assessment_id``, ``s47_id``,
``cpp_id``, ``cin_plan_id``; conference date for ``icpc_id``). Assessments, S47s, ICPCs,
CIN plans and CP plans carry the ``referral_id`` of the ``<CINdetails>`` block they sit in.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from lxml import etree

from ... import codes
from ...errors import InputError
from ...model.dataset import Dataset
from ...model.schemas import TABLES
from ...quality import LoadAccount
from . import _codes as C

KIND = "cin_census"

_TABLES = ("persons", "referrals", "assessments", "s47", "icpcs", "cp_plans", "cp_reviews", "cin_plans")

# Raw record layouts (tuples appended while streaming; one tuple per record). Where a
# record is in the file is kept as integers (child ``_child``, its CINdetails ``_k``, the
# block's position ``_j`` among its siblings, review ``_kr``, source ``_line``): the row
# reference text ("Child[12]/CINdetails[2]/Assessments[1], line 345") is only built for
# rows the account mentions.
_RAW_COLUMNS = {
    "persons": ("_child", "child_id", "sex_tag", "sex", "ethnicity", "dob", "expected_dob",
                "death_date", "disabilities", "n_cin", "_line"),
    "referrals": ("_child", "_k", "_ref", "referral_date", "referral_source", "primary_need",
                  "closure_date", "closure_reason", "icpc_date", "icpc_line", "nfa", "_line"),
    "assessments": ("_child", "_k", "_j", "_ref", "start_date", "authorised_date", "factors", "_line"),
    "cin_plans": ("_child", "_k", "_j", "_ref", "start_date", "end_date", "_line"),
    "s47": ("_child", "_k", "_j", "_ref", "_s47", "start_date", "icpc_target_date", "icpc_date", "icpc_line",
            "icpc_not_required", "_line"),
    "cp_plans": ("_child", "_k", "_j", "_ref", "_cpp", "start_date", "end_date", "initial_category",
                 "latest_category", "previous_plans", "_line"),
    "cp_reviews": ("_child", "_k", "_j", "_kr", "_cpp", "review_date", "_line"),
}

# Elements each block may carry (anything else is reported once per file).
_KNOWN = {
    "Child": {"ChildIdentifiers", "ChildCharacteristics", "CINdetails"},
    "ChildIdentifiers": {"LAchildID", "PersonBirthDate", "ExpectedPersonBirthDate", "GenderCurrent", "Sex",
                         "PersonDeathDate"} | C.NOT_CARRIED["ChildIdentifiers"],
    "ChildCharacteristics": {"Ethnicity", "Disabilities"},
    "CINdetails": {"CINreferralDate", "ReferralSource", "PrimaryNeedCode", "CINclosureDate", "ReasonForClosure",
                   "DateOfInitialCPC", "ReferralNFA", "Assessments", "CINPlanDates", "Section47",
                   "ChildProtectionPlans"} | C.NOT_CARRIED["CINdetails"],
    "Assessments": {"AssessmentActualStartDate", "AssessmentAuthorisationDate",
                    "FactorsIdentifiedAtAssessment"} | C.NOT_CARRIED["Assessments"],
    "CINPlanDates": {"CINPlanStartDate", "CINPlanEndDate"},
    "Section47": {"S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC", "ICPCnotRequired"},
    "ChildProtectionPlans": {"CPPstartDate", "CPPendDate", "InitialCategoryOfAbuse", "LatestCategoryOfAbuse",
                             "NumberOfPreviousCPP", "Reviews"},
}
_BLOCK_TABLE = {"Child": "persons", "ChildIdentifiers": "persons", "ChildCharacteristics": "persons",
                "CINdetails": "referrals", "Assessments": "assessments", "CINPlanDates": "cin_plans",
                "Section47": "s47", "ChildProtectionPlans": "cp_plans"}


# ---------------------------------------------------------------------------------------
# sniffing
# ---------------------------------------------------------------------------------------
_CIN_HINTS = re.compile(r"<(?:\w+:)?Collection>\s*CIN\s*</|<(?:\w+:)?CINdetails\b|<(?:\w+:)?LAchildID\b")


def _decode_head(head: bytes) -> str:
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                     (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(enc, errors="ignore")
    if head[:2] == b"<\x00":
        return head.decode("utf-16-le", errors="ignore")
    if head[:2] == b"\x00<":
        return head.decode("utf-16-be", errors="ignore")
    return head.decode("utf-8", errors="ignore")


def sniff(path: Path) -> bool:
    """True if the file looks like a CIN census return: a ``<Message>`` whose first KB has
    ``<Collection>CIN</Collection>``, a ``<CINdetails>`` or a ``<LAchildID>``. Cheap: reads
    1 KB; never raises on unreadable or binary files."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError:
        return False
    text = _decode_head(head)
    return bool(re.search(r"<(?:\w+:)?Message\b", text)) and bool(_CIN_HINTS.search(text))


# ---------------------------------------------------------------------------------------
# streaming pass
# ---------------------------------------------------------------------------------------
@dataclass
class _Raw:
    """Records extracted from one file, as tuples in the layouts of ``_RAW_COLUMNS``."""

    rows: dict = field(default_factory=lambda: {t: [] for t in _RAW_COLUMNS})
    header: dict | None = None
    header_row: str | None = None
    n_child: int = 0
    n_cindetails: int = 0  # counted at each flush
    any_child_id: bool = False
    unknown: dict = field(default_factory=dict)  # (table, element) -> [first row, count]


def _txt(el) -> str | None:
    t = el.text
    if t is None:
        return None
    t = t.strip()
    return t or None


def _unknown(raw: _Raw, block: str, tag: str, row: str) -> None:
    key = (_BLOCK_TABLE[block], f"{block}/{tag}")
    hit = raw.unknown.get(key)
    if hit is None:
        raw.unknown[key] = [row, 1]
    else:
        hit[1] += 1


def _report_unknown(el, fields: dict, block: str, raw: _Raw, path: str) -> None:
    """Slow path, only when a block holds an element its layout does not have."""
    for f in el:
        if f.tag not in _KNOWN[block]:
            _unknown(raw, block, f.tag, f"{path}/{f.tag}, line {f.sourceline}")


def _strip_namespaces(el) -> None:
    for e in el.iter():
        if isinstance(e.tag, str) and "}" in e.tag:
            e.tag = e.tag.rpartition("}")[2]


# The hot loop. Text is taken as written (trimmed later, vectorised, in ``_frame``); leaf
# elements are collected with dict comprehensions, and only blocks get Python-level work.
_K_IDENT, _K_CHARS = _KNOWN["ChildIdentifiers"], _KNOWN["ChildCharacteristics"]
_K_CIN, _K_ASS, _K_S47 = _KNOWN["CINdetails"], _KNOWN["Assessments"], _KNOWN["Section47"]
_K_CPP, _K_CINP = _KNOWN["ChildProtectionPlans"], _KNOWN["CINPlanDates"]


def _read_child(el, n: int, raw: _Raw) -> None:
    """Extract one <Child> into record tuples."""
    rows = raw.rows
    ident = chars = {}
    disabilities = None
    k = 0
    for sub in el:
        t = sub.tag
        if t == "CINdetails":
            k += 1
            _read_cindetails(sub, n, k, raw)
        elif t == "ChildIdentifiers":
            ident = {f.tag: f.text for f in sub}
            if ident.keys() - _K_IDENT:
                _report_unknown(sub, ident, "ChildIdentifiers", raw, f"Child[{n}]/ChildIdentifiers")
        elif t == "ChildCharacteristics":
            chars = {f.tag: f.text for f in sub}
            if "Disabilities" in chars:
                disabilities = ",".join([d.text or "" for d in sub.find("Disabilities")])
            if chars.keys() - _K_CHARS:
                _report_unknown(sub, chars, "ChildCharacteristics", raw, f"Child[{n}]/ChildCharacteristics")
        else:
            _unknown(raw, "Child", t, f"Child[{n}]/{t}, line {sub.sourceline}")
    sex_tag = "Sex" if "Sex" in ident else "GenderCurrent" if "GenderCurrent" in ident else None
    rows["persons"].append((
        n, ident.get("LAchildID"), sex_tag, ident.get(sex_tag) if sex_tag else None, chars.get("Ethnicity"),
        ident.get("PersonBirthDate"), ident.get("ExpectedPersonBirthDate"), ident.get("PersonDeathDate"),
        disabilities, k, el.sourceline,
    ))


def _read_cindetails(el, n: int, k: int, raw: _Raw) -> None:
    rows = raw.rows
    r = len(rows["referrals"])
    f: dict = {}
    ja = jp = js = jc = 0
    for sub in el:
        t = sub.tag
        if not len(sub):
            f[t] = sub.text
        elif t == "Assessments":
            ja += 1
            a = {x.tag: x.text for x in sub}
            factors = None
            if "FactorsIdentifiedAtAssessment" in a:
                factors = ",".join([y.text or "" for y in sub.find("FactorsIdentifiedAtAssessment")])
            if a.keys() - _K_ASS:
                _report_unknown(sub, a, "Assessments", raw, f"Child[{n}]/CINdetails[{k}]/Assessments[{ja}]")
            rows["assessments"].append((n, k, ja, r, a.get("AssessmentActualStartDate"),
                                        a.get("AssessmentAuthorisationDate"), factors, sub.sourceline))
        elif t == "Section47":
            js += 1
            x = {y.tag: y.text for y in sub}
            line = sub.find("DateOfInitialCPC").sourceline if "DateOfInitialCPC" in x else 0
            if x.keys() - _K_S47:
                _report_unknown(sub, x, "Section47", raw, f"Child[{n}]/CINdetails[{k}]/Section47[{js}]")
            rows["s47"].append((n, k, js, r, len(rows["s47"]), x.get("S47ActualStartDate"), x.get("InitialCPCtarget"),
                                x.get("DateOfInitialCPC"), line, x.get("ICPCnotRequired"), sub.sourceline))
        elif t == "ChildProtectionPlans":
            jc += 1
            c = len(rows["cp_plans"])
            p = {y.tag: y.text for y in sub}
            if "Reviews" in p:
                rows["cp_reviews"].extend([(n, k, jc, kr, c, y.text, y.sourceline)
                                           for kr, y in enumerate(sub.find("Reviews"), 1)])
            if p.keys() - _K_CPP:
                _report_unknown(sub, p, "ChildProtectionPlans", raw,
                                f"Child[{n}]/CINdetails[{k}]/ChildProtectionPlans[{jc}]")
            rows["cp_plans"].append((n, k, jc, r, c, p.get("CPPstartDate"), p.get("CPPendDate"),
                                     p.get("InitialCategoryOfAbuse"), p.get("LatestCategoryOfAbuse"),
                                     p.get("NumberOfPreviousCPP"), sub.sourceline))
        elif t == "CINPlanDates":
            jp += 1
            p = {y.tag: y.text for y in sub}
            if p.keys() - _K_CINP:
                _report_unknown(sub, p, "CINPlanDates", raw, f"Child[{n}]/CINdetails[{k}]/CINPlanDates[{jp}]")
            rows["cin_plans"].append((n, k, jp, r, p.get("CINPlanStartDate"), p.get("CINPlanEndDate"),
                                      sub.sourceline))
        else:  # a block the layout does not have (or a known leaf holding elements)
            f[t] = sub.text
    line = el.find("DateOfInitialCPC").sourceline if "DateOfInitialCPC" in f else 0
    if f.keys() - _K_CIN:
        _report_unknown(el, f, "CINdetails", raw, f"Child[{n}]/CINdetails[{k}]")
    rows["referrals"].append((n, k, r, f.get("CINreferralDate"), f.get("ReferralSource"), f.get("PrimaryNeedCode"),
                              f.get("CINclosureDate"), f.get("ReasonForClosure"), f.get("DateOfInitialCPC"), line,
                              f.get("ReferralNFA"), el.sourceline))


def _root_tag(path: Path, label: str) -> tuple[str, int]:
    try:
        for _, el in etree.iterparse(str(path), events=("start",), huge_tree=True):
            return etree.QName(el).localname, el.sourceline or 1
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, label, "Message") from None
    raise InputError("the file has no XML root element", file=label)


def _syntax_error(exc: etree.XMLSyntaxError, label: str, where: str) -> InputError:
    line, col = exc.position if exc.position else (None, None)
    msg = str(exc.msg if hasattr(exc, "msg") else exc)
    return InputError(
        f"the XML is not well-formed ({msg}): the file may be truncated, corrupted, or not XML",
        file=label, sheet=where, row=line or None, column=f"character {col}" if col else None)


# Raw records gathered before a vectorised pass turns them into canonical rows: bounds the
# raw text held in memory, however large the files.
_BATCH_ROWS = 200_000

# Children read between two conversions of their records to compact frames: bounds the
# Python objects held while streaming, whatever the size of the file.
_CHUNK = 20_000


def _stream(path: Path, label: str, flush) -> _Raw:
    """Stream one file; ``flush(raw)`` is called every ``_CHUNK`` children and at the end
    to take the records read so far."""
    raw = _Raw()
    n = 0
    where = "Message"
    try:
        for _, el in etree.iterparse(str(path), events=("end",), tag=("{*}Header", "{*}Child"),
                                     huge_tree=True, remove_comments=True, remove_pis=True):
            if "}" in el.tag:
                _strip_namespaces(el)
            if el.tag == "Header":
                raw.header = {}
                raw.header_row = f"Header, line {el.sourceline}"
                for block in el:
                    for leaf in block:
                        if isinstance(leaf.tag, str):
                            raw.header.setdefault(leaf.tag, _txt(leaf))
                where = "Message/Children"
                continue
            n += 1
            where = f"Message/Children/Child[{n + 1}] (after Child[{n}])"
            _read_child(el, n, raw)
            el.clear()
            parent = el.getparent()
            while el.getprevious() is not None:
                del parent[0]
            if n % _CHUNK == 0:
                flush(raw)
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, label, where) from None
    raw.n_child = n
    flush(raw)
    return raw


# ---------------------------------------------------------------------------------------
# vectorised conversion of one file's records
# ---------------------------------------------------------------------------------------
_ORDINALS = {"_child", "_k", "_j", "_kr", "_ref", "_s47", "_cpp", "n_cin", "_line", "icpc_line"}
_EMPTY = {t: pd.DataFrame({c: pd.Series(dtype="int64" if c in _ORDINALS else "str") for c in cols})
          for t, cols in _RAW_COLUMNS.items()}


def _frame(raw: _Raw, table: str, file: pd.Categorical, offsets: dict[str, int]) -> pd.DataFrame:
    """Records of ``table`` read since the last flush, as a frame: block ordinals shifted
    by ``offsets`` so they stay unique across files, text held as compact (Arrow) strings,
    the file as a one-byte category (``file`` is a length-1 categorical)."""
    cols = _RAW_COLUMNS[table]
    data = raw.rows[table]
    if not data:
        return _EMPTY[table].assign(_file=file[:0])
    df = pd.DataFrame.from_records(data, columns=cols)
    for col in cols:
        if col in _ORDINALS:
            df[col] = df[col].astype("int64") + offsets.get(col, 0)
        elif col == "sex_tag":
            df[col] = df[col].astype("str")
        else:  # text as written: trim it, and an element with only whitespace is empty
            v = df[col].astype("str").str.strip()
            df[col] = v.mask(v == "")
    df["_file"] = file.repeat(len(df))
    return df


class _Load:
    """Turns the raw records of all files into canonical-shaped frames in one vectorised
    pass, accounting every row against the file it came from (column ``_file``)."""

    def __init__(self, frames: dict[str, pd.DataFrame], labels: list[str], acc: LoadAccount):
        self.frames, self.labels, self.acc = frames, labels, acc
        self.n_child = max((int(df["_child"].max()) for df in frames.values() if len(df)), default=0)

    # -- account helpers ------------------------------------------------------------------
    def _mark(self, table: str, df: pd.DataFrame, mask, rule: str, action: str, message: str,
              column: str | None = None) -> np.ndarray:
        """Record ``rule`` for rows not already rejected; returns the mask applied."""
        if not len(df):
            return np.zeros(0, dtype=bool)
        mask = np.asarray(mask, dtype=bool) & ~df["_rejected"].to_numpy()
        if mask.any():
            _record_by_file(self.acc, table, df, mask, rule, action, message, column)
        if action == "rejected":
            df["_rejected"] = df["_rejected"].to_numpy() | mask
        return mask

    def _dates(self, table: str, df: pd.DataFrame, col: str, element: str, required: bool) -> None:
        if not len(df):
            return
        raw = df[col]
        parsed, fixed, bad = _parse_dates(raw)
        df[col] = parsed
        self._mark(table, df, fixed, "date_format", "fixed",
                   f"{element} written in a non-standard form (e.g. dd/mm/yyyy or with a time): read as a date",
                   element)
        if required:
            self._mark(table, df, raw.isna(), "required_missing", "rejected",
                       f"{element} is missing: the record cannot be placed in time", element)
            self._mark(table, df, bad, "bad_date", "rejected",
                       f"{element} is not a date between 1900 and 2100: the record cannot be placed in time",
                       element)
        else:
            self._mark(table, df, bad, "bad_date", "warning",
                       f"{element} is not a date between 1900 and 2100: loaded as blank", element)

    def _codes(self, table: str, df: pd.DataFrame, col: str, element: str, allowed, keep_unknown: bool) -> None:
        if not len(df):
            return
        s = df[col].astype("str").str.strip().str.upper()
        s = s.mask(s == "", None)
        unknown = s.notna() & ~s.isin(list(allowed))
        if keep_unknown:
            self._mark(table, df, unknown, "unknown_code", "warning",
                       f"{element} code is not in DfE's code set: loaded as written", element)
        else:
            self._mark(table, df, unknown, "unknown_code", "warning",
                       f"{element} code is not in DfE's code set: loaded as blank", element)
            s = s.mask(unknown, None)
        df[col] = s

    def _yes_no(self, table: str, df: pd.DataFrame, col: str, element: str, required: bool) -> None:
        if not len(df):
            return
        s = df[col].astype("str").str.strip().str.upper()
        mapped = s.map(C.YES_NO)
        if required:
            self._mark(table, df, s.isna(), "required_missing", "warning",
                       f"{element} is missing: loaded as blank", element)
        self._mark(table, df, s.notna() & mapped.isna(), "unknown_code", "warning",
                   f"{element} is not 0/1/true/false: loaded as blank", element)
        df[col] = mapped.astype("boolean")

    # -- per table ------------------------------------------------------------------------
    def run(self) -> dict[str, pd.DataFrame]:
        f = self.frames
        for table, df in f.items():
            df["_rejected"] = np.zeros(len(df), dtype=bool)
        persons = f["persons"]
        persons["child_id"] = persons["child_id"].astype("str").str.strip()
        # child ordinal -> child id (None where the child has none), for every sub-table
        ids = np.full(self.n_child + 1, None, dtype=object)
        ids[persons["_child"].to_numpy(dtype=int)] = persons["child_id"].to_numpy(dtype=object)
        for table, df in f.items():
            if table != "persons":
                df["child_id"] = ids[df["_child"].to_numpy(dtype=int)] if len(df) else pd.Series(dtype=object)
            message = ("the <Child> has no LAchildID: its records cannot be attributed to a child"
                       if table == "persons" else
                       "the <Child> this record sits in has no LAchildID: it cannot be attributed to a child")
            self._mark(table, df, df["child_id"].isna().to_numpy(), "missing_child_id", "rejected", message,
                       "LAchildID")
            self._count(table, df, self.acc.read)

        self._persons(persons)
        self._referrals(f["referrals"])
        for table, start, end, start_el, end_el in (
                ("assessments", "start_date", "authorised_date", "AssessmentActualStartDate",
                 "AssessmentAuthorisationDate"),
                ("cin_plans", "start_date", "end_date", "CINPlanStartDate", "CINPlanEndDate"),
                ("s47", "start_date", "icpc_target_date", "S47ActualStartDate", "InitialCPCtarget"),
                ("cp_plans", "start_date", "end_date", "CPPstartDate", "CPPendDate")):
            self._dates(table, f[table], start, start_el, required=True)
            self._dates(table, f[table], end, end_el, required=False)
        self._dates("cp_reviews", f["cp_reviews"], "review_date", "CPPreviewDate", required=True)
        f["cin_plans"]["cin_plan_id"] = _ids(f["cin_plans"]["child_id"], f["cin_plans"]["start_date"])
        self._assessments(f["assessments"])
        self._s47(f["s47"])
        self._cp_plans(f["cp_plans"])
        f["icpcs"] = self._icpcs(f["referrals"], f["s47"])
        self._link()

        out = {}
        for table in _TABLES:
            df = f.pop(table)
            keep = df[~df["_rejected"].to_numpy()]
            keep = keep[[c for c in keep.columns if c in TABLES[table].columns or c in _LOCATION]]
            keep = keep.astype({c: "int32" for c in _LOCATION[1:] if c in keep.columns})
            self._count(table, keep, self.acc.loaded)
            out[table] = keep.reset_index(drop=True)
        f.clear()
        return out

    def _count(self, table: str, df: pd.DataFrame, add) -> None:
        """Add each file's number of rows (zero included, so every file has every table)."""
        n = df["_file"].value_counts()
        for label in self.labels:
            add(label, table, int(n.get(label, 0)))

    def _persons(self, df: pd.DataFrame) -> None:
        t = "persons"
        tag, val = df["sex_tag"], df["sex"].astype("str").str.strip().str.upper()
        gender = val.map(C.GENDER_CURRENT_TO_SEX)
        letter = val.where(val.isin(["M", "F", "U"]))
        label = val.map(C.SEX_LABELS)
        is_gc = (tag == "GenderCurrent").to_numpy()
        sex = pd.Series(np.where(is_gc, gender, letter), index=df.index, dtype="object")
        # The other layout's code (Sex written as 1/2, GenderCurrent as M/F) or a label: readable.
        other = pd.Series(np.where(is_gc, letter, gender), index=df.index, dtype="object")
        alt = other.combine_first(label)
        fixed = sex.isna() & alt.notna()
        self._mark(t, df, fixed, "sex_code_layout", "fixed",
                   "sex written in another layout's code or as a label (e.g. <Sex>1</Sex>): read as M/F/U",
                   "Sex")
        sex = sex.combine_first(alt)
        self._mark(t, df, val.isna(), "required_missing", "warning",
                   "GenderCurrent/Sex is missing: loaded as blank", "Sex")
        self._mark(t, df, val.notna() & sex.isna(), "unknown_code", "warning",
                   "GenderCurrent/Sex code is not M/F/U or 1/2/0/9: loaded as blank", "Sex")
        df["sex"] = sex
        self._codes(t, df, "ethnicity", "Ethnicity", codes.ETHNICITY, keep_unknown=True)
        for col, el in (("dob", "PersonBirthDate"), ("expected_dob", "ExpectedPersonBirthDate"),
                        ("death_date", "PersonDeathDate")):
            self._dates(t, df, col, el, required=False)
        dis = _code_list(df["disabilities"])
        tokens = _tokens(dis)
        listed = dis.notna()
        other = (tokens != "NONE").groupby(level=0).any().reindex(df.index, fill_value=False)
        has_none = (tokens == "NONE").groupby(level=0).any().reindex(df.index, fill_value=False)
        unknown = (~tokens.isin(C.DISABILITIES)).groupby(level=0).any().reindex(df.index, fill_value=False)
        self._mark(t, df, unknown, "unknown_code", "warning",
                   "Disability code is not in DfE's code set: counted as a disability", "Disability")
        self._mark(t, df, has_none & other, "none_with_other", "warning",
                   "Disabilities has NONE and other codes: counted as disabled", "Disability")
        disabled = pd.Series(other.to_numpy(), index=df.index, dtype="boolean").where(listed)
        df["disabled"] = disabled
        self._mark(t, df, df["n_cin"].to_numpy() == 0, "no_cin_episode", "warning",
                   "the child has no <CINdetails> (the census requires at least one)", "CINdetails")

    def _referrals(self, df: pd.DataFrame) -> None:
        t = "referrals"
        self._dates(t, df, "referral_date", "CINreferralDate", required=True)
        self._dates(t, df, "closure_date", "CINclosureDate", required=False)
        self._codes(t, df, "referral_source", "ReferralSource", codes.REFERRAL_SOURCES, keep_unknown=True)
        self._codes(t, df, "primary_need", "PrimaryNeedCode", codes.PRIMARY_NEED, keep_unknown=True)
        self._codes(t, df, "closure_reason", "ReasonForClosure", codes.CLOSURE_REASONS, keep_unknown=True)
        self._yes_no(t, df, "nfa", "ReferralNFA", required=True)
        df["referral_id"] = _ids(df["child_id"], df["referral_date"])

    def _assessments(self, df: pd.DataFrame) -> None:
        fac = _code_list(df["factors"])
        unknown = (~_tokens(fac).isin(C.ASSESSMENT_FACTORS)).groupby(level=0).any().reindex(df.index, fill_value=False)
        self._mark("assessments", df, unknown, "unknown_code", "warning",
                   "AssessmentFactors has a code not in DfE's code set: loaded as written", "AssessmentFactors")
        df["factors"] = fac
        df["assessment_id"] = _ids(df["child_id"], df["start_date"])

    def _s47(self, df: pd.DataFrame) -> None:
        self._yes_no("s47", df, "icpc_not_required", "ICPCnotRequired", required=True)
        df["s47_id"] = _ids(df["child_id"], df["start_date"])

    def _cp_plans(self, df: pd.DataFrame) -> None:
        t = "cp_plans"
        for col, el in (("initial_category", "InitialCategoryOfAbuse"), ("latest_category", "LatestCategoryOfAbuse")):
            self._codes(t, df, col, el, codes.CP_CATEGORIES, keep_unknown=False)
        n = pd.to_numeric(df["previous_plans"], errors="coerce")
        bad = df["previous_plans"].notna() & (n.isna() | (n < 0) | (n % 1 != 0))
        self._mark(t, df, bad, "bad_number", "warning",
                   "NumberOfPreviousCPP is not a whole number of 0 or more: loaded as blank", "NumberOfPreviousCPP")
        df["previous_plans"] = n.mask(bad).astype("Int64")
        df["cpp_id"] = _ids(df["child_id"], df["start_date"])

    def _icpcs(self, refs: pd.DataFrame, s47: pd.DataFrame) -> pd.DataFrame:
        """One row per DateOfInitialCPC element: CINdetails-level first, then S47-level, so
        that when both record the same conference the S47 one (which knows its S47) wins."""
        cols = ["_file", "_child", "_k", "_ref", "child_id", "icpc_date", "icpc_line"]
        a = refs.loc[(refs["icpc_line"] > 0).to_numpy(), cols].assign(_s47=-1, _j=0, _src=0)
        b = s47.loc[(s47["icpc_line"] > 0).to_numpy(), cols + ["_s47", "_j"]].assign(_src=1)
        a["_pos"], b["_pos"] = a.index.to_numpy(), b.index.to_numpy()
        # Keep file order; within a file CINdetails-level conferences before S47-level ones.
        df = (pd.concat([a, b], ignore_index=True).sort_values(["_file", "_src", "_pos"], kind="stable")
              .drop(columns=["_pos"]).rename(columns={"icpc_line": "_line"}).reset_index(drop=True))
        df["_rejected"] = np.zeros(len(df), dtype=bool)
        self._count("icpcs", df, self.acc.read)
        self._mark("icpcs", df, df["child_id"].isna(), "missing_child_id", "rejected",
                   "the <Child> this conference sits in has no LAchildID", "LAchildID")
        self._dates("icpcs", df, "icpc_date", "DateOfInitialCPC", required=True)
        df["icpc_id"] = _ids(df["child_id"], df["icpc_date"])
        df["_s47"] = df["_s47"].astype(int)
        return df

    def _link(self) -> None:
        """Fill referral_id / s47_id / cpp_id from the block each record sits in."""
        f = self.frames
        refs = f["referrals"]
        ref_ids = _lookup(refs, "_ref", "referral_id")
        for table in ("assessments", "s47", "cin_plans", "cp_plans", "icpcs"):
            df = f[table]
            df["referral_id"] = ref_ids[df["_ref"].to_numpy(dtype=int)] if len(df) else None
            orphan = df["referral_id"].isna().to_numpy()
            self._mark(table, df, orphan, "parent_rejected", "warning",
                       "the <CINdetails> this record sits in was rejected: loaded without its referral", "CINdetails")
        icpcs = f["icpcs"]
        s47_ids = _lookup(f["s47"], "_s47", "s47_id")
        idx = icpcs["_s47"].to_numpy(dtype=int)
        icpcs["s47_id"] = np.where(idx >= 0, s47_ids[np.maximum(idx, 0)], None) if len(icpcs) else None
        self._mark("icpcs", icpcs, (idx >= 0) & icpcs["s47_id"].isna().to_numpy(), "parent_rejected", "warning",
                   "the <Section47> this conference sits in was rejected: loaded without its S47", "Section47")
        reviews = f["cp_reviews"]
        cpp_ids = _lookup(f["cp_plans"], "_cpp", "cpp_id")
        reviews["cpp_id"] = cpp_ids[reviews["_cpp"].to_numpy(dtype=int)] if len(reviews) else None
        self._mark("cp_reviews", reviews, reviews["cpp_id"].isna().to_numpy(), "parent_rejected", "warning",
                   "the <ChildProtectionPlans> this review sits in was rejected: loaded without its plan",
                   "ChildProtectionPlans")



def _unknown_elements(raw: _Raw, label: str, acc: LoadAccount) -> None:
    for (table, element), (row, count) in raw.unknown.items():
        acc.record(label, table, [row], "unknown_element", "warning",
                   f"element <{element.rpartition('/')[2]}> is not part of the CIN census layout: "
                   f"ignored ({count} occurrence{'s' if count > 1 else ''} in the file, first shown)",
                   column=element)


def _lookup(df: pd.DataFrame, index_col: str, id_col: str) -> np.ndarray:
    """Array mapping a block's ordinal to its id (None if the block was rejected)."""
    n = int(df[index_col].max()) + 1 if len(df) else 1
    out = np.full(n, None, dtype=object)
    ok = ~df["_rejected"].to_numpy()
    out[df.loc[ok, index_col].to_numpy(dtype=int)] = df.loc[ok, id_col].to_numpy(dtype=object)
    return out


def _code_list(joined: pd.Series) -> pd.Series:
    """Codes joined by commas as read ("AUT,\n  LD,") -> "AUT,LD"; null if there are none."""
    s = joined.astype("str").str.upper().str.replace(r"\s+", "", regex=True)
    s = s.str.replace(r",{2,}", ",", regex=True).str.strip(",")
    return s.mask(s == "")


def _tokens(joined: pd.Series) -> pd.Series:
    """Comma-joined codes -> one code per row, indexed by the original row (nulls dropped)."""
    ex = joined.dropna().str.split(",").explode()
    return ex[ex.notna() & (ex != "")]


def _ids(child: pd.Series, date: pd.Series) -> pd.Series:
    """Stable id ``{child}/{yyyymmdd}``; null where either part is null."""
    d = pd.to_datetime(date)
    ymd = (d.dt.year * 10000 + d.dt.month * 100 + d.dt.day).astype("Int64").astype("str")
    return child.astype("str") + "/" + ymd


_EARLIEST, _LATEST = pd.Timestamp("1900-01-01"), pd.Timestamp("2100-12-31")


def _parse_dates(raw: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse xs:date strings. Returns (dates, fixed mask, unreadable mask). Non-ISO forms
    councils' systems produce (dd/mm/yyyy, a time or time-zone suffix) are read and flagged."""
    s = raw.astype("str")
    d = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
    miss = d.isna() & s.notna()
    fixed = pd.Series(False, index=s.index)
    if miss.any():
        alt = s[miss]
        iso = pd.to_datetime(alt.str.extract(r"^(\d{4}-\d{2}-\d{2})", expand=False), format="%Y-%m-%d",
                             errors="coerce")
        uk = pd.to_datetime(alt.str.extract(r"^(\d{1,2}/\d{1,2}/\d{4})\b", expand=False), format="%d/%m/%Y",
                            errors="coerce")
        got = iso.combine_first(uk)
        d = d.astype("datetime64[us]")
        d[miss] = got.astype("datetime64[us]")
        fixed = miss & d.notna()
    d = d.astype("datetime64[us]")
    # A year like 1066 or 2999 is a typing error, and outside what the warehouse's
    # nanosecond timestamps hold: treat it as unreadable.
    d = d.where((d >= _EARLIEST) & (d <= _LATEST))
    fixed = fixed & d.notna()
    bad = s.notna() & d.isna()
    return d, fixed, bad


# ---------------------------------------------------------------------------------------
# header, census year, several files
# ---------------------------------------------------------------------------------------
def _collection_year(d: pd.Timestamp) -> int:
    return d.year + (1 if d.month >= 4 else 0)


def _census_year(raw: _Raw, label: str, authority: str, acc: LoadAccount, latest) -> int | None:
    h = raw.header
    row = raw.header_row or "Message"
    warn = lambda rule, msg, col=None: acc.record(label, "header", [row], rule, "warning", msg, col)  # noqa: E731
    if h is None:
        warn("header_missing", "the file has no <Header>: census year taken from its latest date")
        h = {}
    collection = h.get("Collection")
    if collection is not None and collection.upper() != "CIN":
        warn("header_collection", f"<Collection> is {collection!r}, not CIN: loaded as a CIN census", "Collection")
    lea = h.get("LEA")
    if lea is not None and lea != authority:
        warn("header_lea", f"<LEA> is {lea!r} but the file is being loaded for authority {authority!r}", "LEA")
    year = None
    y = h.get("Year")
    if y is not None:
        if re.fullmatch(r"\d{4}", y):
            year = int(y)
        else:
            warn("header_year", f"<Year> {y!r} is not a year", "Year")
    ref = h.get("ReferenceDate")
    ref_date = None
    if ref is not None:
        parsed, _, bad = _parse_dates(pd.Series([ref], dtype="object"))
        ref_date = None if bad.iloc[0] else parsed.iloc[0]
        if ref_date is None or pd.isna(ref_date):
            warn("header_reference_date", f"<ReferenceDate> {ref!r} is not a date", "ReferenceDate")
            ref_date = None
    if ref_date is not None and year is not None and ref_date != pd.Timestamp(year, 3, 31):
        warn("header_reference_date",
             f"<ReferenceDate> {ref} is not 31 March of the collection <Year> {year}: census year taken as {year}",
             "ReferenceDate")
    if year is None and ref_date is not None:
        year = _collection_year(ref_date)
    if year is None:
        if latest is not None and not pd.isna(latest):
            year = _collection_year(latest)
            warn("header_year", f"no usable <Year> or <ReferenceDate>: census year inferred as {year} "
                                "from the latest referral or closure date", "Year")
    return year


def read(paths: list[Path], authority: str, account: LoadAccount) -> Dataset:
    """Load one authority's CIN census files (any years, 2017-2026 layouts) into one history.

    Raises ``InputError`` (naming file, element, line) for a file that is missing, empty,
    not well-formed XML, or not a CIN census; then nothing is added to ``account``.
    """
    local = LoadAccount(authority)
    paths = [Path(p) for p in paths]
    labels: list[str] = []
    for path in paths:  # the same file given twice is accounted twice
        label = str(path)
        while label in labels:
            label += "'"
        labels.append(label)
    file_dtype = pd.CategoricalDtype(labels)
    files: list[tuple[str, _Raw]] = []
    pending: dict[str, list[pd.DataFrame]] = {t: [] for t in _RAW_COLUMNS}
    n_pending = 0
    outputs: dict[str, list[pd.DataFrame]] = {t: [] for t in _TABLES}
    offsets = {"_child": 0, "_ref": 0, "_s47": 0, "_cpp": 0}

    def process() -> None:
        """The vectorised pass over the records read so far (whole children only)."""
        nonlocal n_pending
        frames = {t: pd.concat(p, ignore_index=True) for t, p in pending.items()}
        for p in pending.values():
            p.clear()
        n_pending = 0
        out = _Load(frames, labels[: len(files) + 1], local).run()
        for t in _TABLES:
            outputs[t].append(out.pop(t))

    def flush(raw: _Raw) -> None:
        nonlocal n_pending
        for table in _RAW_COLUMNS:
            frame = _frame(raw, table, file, offsets)
            pending[table].append(frame)
            n_pending += len(frame)
            if table == "persons":
                raw.any_child_id = raw.any_child_id or bool(frame["child_id"].notna().any())
        raw.n_cindetails += len(raw.rows["referrals"])
        for col, table in (("_ref", "referrals"), ("_s47", "s47"), ("_cpp", "cp_plans")):
            offsets[col] += len(raw.rows[table])
        raw.rows = {t: [] for t in _RAW_COLUMNS}
        if n_pending >= _BATCH_ROWS:  # bounds the raw text held, however large the files
            process()

    for i, (path, label) in enumerate(zip(paths, labels)):
        file = pd.Categorical.from_codes([i], dtype=file_dtype)
        raw = _check_and_stream(path, label, flush)
        offsets["_child"] += raw.n_child
        files.append((label, raw))
        _unknown_elements(raw, label, local)
    if n_pending or not outputs["persons"]:
        process()
    out = {t: pd.concat(parts, ignore_index=True) for t, parts in outputs.items()}
    del outputs

    refs = out["referrals"]
    latest = (refs.groupby("_file", observed=True)[["referral_date", "closure_date"]].max().max(axis=1)
              if len(refs) else pd.Series(dtype="datetime64[us]"))
    years = {label: _census_year(raw, label, authority, local, latest.get(label)) for label, raw in files}
    counts = pd.Series(list(years.values()), dtype="object").value_counts()
    for label, y in years.items():
        if y is not None and counts.get(y, 0) > 1:
            local.record(label, "header", ["Header"], "same_census_year", "warning",
                         f"more than one file for census year {y}: the one later in the list wins")
    # Precedence: census year, then position in the list; a file whose year is unknown
    # even from its dates comes first (lowest precedence).
    order = sorted(range(len(labels)), key=lambda i: (years[labels[i]] if years[labels[i]] is not None else -1, i))
    rank = np.empty(len(labels), dtype="int64")
    rank[order] = np.arange(len(labels))  # file code -> precedence
    # Table by table, letting go of each intermediate as soon as it is used.
    merged = {t: _merge(t, out.pop(t), rank, local) for t in _TABLES}
    _derive_and_check(merged, local)
    ds = Dataset({t: _canonical(t, merged.pop(t), authority) for t in _TABLES if len(merged[t])})
    account.merge(local)
    return ds


def _check_and_stream(path: Path, label: str, flush) -> _Raw:
    if not path.is_file():
        raise InputError("the file does not exist", file=label)
    if path.stat().st_size == 0:
        raise InputError("the file is empty (0 bytes): expected a CIN census XML file", file=label)
    root, line = _root_tag(path, label)
    if root != "Message":
        raise InputError(f"not a CIN census file: the root element is <{root}>, a CIN census starts with "
                         "<Message> holding <Header> and <Children>", file=label, sheet=root, row=line)
    raw = _stream(path, label, flush)
    h = raw.header or {}
    if (h.get("Collection") or "CIN").upper() != "CIN" and not raw.n_cindetails:
        raise InputError(f"not a CIN census file: <Collection> is {h.get('Collection')!r} and there is no "
                         "<CINdetails>", file=label, sheet="Header/CollectionDetails/Collection",
                         column="Collection")
    if raw.n_child == 0:
        raise InputError("the file has no <Child> records: a CIN census return lists at least one child",
                         file=label, sheet="Message/Children")
    if not raw.n_cindetails and not raw.any_child_id:
        raise InputError("not a CIN census file: its <Child> records have no <ChildIdentifiers>/<LAchildID> "
                         "and no <CINdetails>", file=label, sheet="Message/Children/Child[1]", column="LAchildID")
    return raw


# The element holding each table's dated natural key, for row references in the account.
_KEY_ELEMENT = {"persons": "LAchildID", "referrals": "CINreferralDate", "assessments": "AssessmentActualStartDate",
                "s47": "S47ActualStartDate", "icpcs": "DateOfInitialCPC", "cp_plans": "CPPstartDate",
                "cp_reviews": "CPPreviewDate", "cin_plans": "CINPlanStartDate"}


def _merge(table: str, df: pd.DataFrame, rank: np.ndarray, acc: LoadAccount) -> pd.DataFrame:
    """Keep one row per natural key: the last by (census year rank, position in its file)."""
    if not len(df):
        return df
    ranks = rank[df["_file"].cat.codes.to_numpy()]
    if (np.diff(ranks) < 0).any():  # files not given oldest first: put them in census-year order
        df = df.take(np.argsort(ranks, kind="stable")).reset_index(drop=True)
    key = [k for k in TABLES[table].key if k != "authority"]
    dup = df.duplicated(key, keep="last").to_numpy()
    if dup.any():
        codes = pd.Series(df["_file"].cat.codes.to_numpy(), index=df.index)
        same = (codes.groupby([df[k] for k in key], sort=False).transform("last") == codes).to_numpy()
        what = "child" if table == "persons" else "record (same child and date)"
        _record_by_file(acc, table, df, dup & same, "duplicate_in_file", "fixed",
                        f"the same {what} appears more than once in the file: merged, the later one kept"
                        + (" (the child's CIN episodes are all kept)" if table == "persons" else ""),
                        _KEY_ELEMENT[table])
        _record_by_file(acc, table, df, dup & ~same, "superseded_by_later_file", "fixed",
                        f"the same {what} is in a later census file: merged, the later version kept",
                        _KEY_ELEMENT[table])
        df = df[~dup].reset_index(drop=True)
    return df


def _derive_and_check(m: dict, acc: LoadAccount) -> None:
    """Fill derived fields and record the checks a performance team runs (warnings only)."""
    icpcs, plans = m["icpcs"], m["cp_plans"]
    if len(icpcs):
        conf = pd.MultiIndex.from_frame(icpcs[["child_id", "icpc_date"]])
        started = (conf.isin(pd.MultiIndex.from_frame(plans[["child_id", "start_date"]])) if len(plans)
                   else np.zeros(len(icpcs), dtype=bool))
        icpcs["cp_plan"] = pd.array(started, dtype="boolean")
        if len(m["s47"]):
            starts = m["s47"].set_index("s47_id")["start_date"]
            s47_start = pd.Series(starts.reindex(icpcs["s47_id"].to_numpy()).to_numpy(), index=icpcs.index)
            _warn_by_file(acc, "icpcs", icpcs, (icpcs["icpc_date"] < s47_start).to_numpy(), "icpc_before_s47",
                          "the initial conference is dated before its S47 enquiry started", "DateOfInitialCPC")
    checks = (
        ("referrals", "closure_date", "referral_date", "end_before_start",
         "CINclosureDate is before CINreferralDate", "CINclosureDate"),
        ("assessments", "authorised_date", "start_date", "authorised_before_start",
         "AssessmentAuthorisationDate is before AssessmentActualStartDate", "AssessmentAuthorisationDate"),
        ("cin_plans", "end_date", "start_date", "end_before_start",
         "CINPlanEndDate is before CINPlanStartDate", "CINPlanEndDate"),
        ("cp_plans", "end_date", "start_date", "end_before_start", "CPPendDate is before CPPstartDate", "CPPendDate"),
        ("persons", "death_date", "dob", "death_before_birth", "PersonDeathDate is before PersonBirthDate",
         "PersonDeathDate"),
    )
    for table, end, start, rule, msg, col in checks:
        df = m[table]
        if len(df):
            _warn_by_file(acc, table, df, (df[end] < df[start]).to_numpy(), rule, msg, col)
    if len(m["referrals"]):
        ref_date = m["referrals"].set_index("referral_id")["referral_date"]
        for table, col, el in (("assessments", "start_date", "AssessmentActualStartDate"),
                               ("s47", "start_date", "S47ActualStartDate"),
                               ("cin_plans", "start_date", "CINPlanStartDate"),
                               ("cp_plans", "start_date", "CPPstartDate")):
            df = m[table]
            if len(df):
                referred = ref_date.reindex(df["referral_id"].to_numpy()).to_numpy()
                _warn_by_file(acc, table, df, (df[col].to_numpy() < referred), "before_referral",
                              f"{el} is before the CINreferralDate of its episode", el)
    persons = m["persons"]
    if len(persons):
        today = pd.Timestamp.today().normalize()
        _warn_by_file(acc, "persons", persons, (persons["dob"] > today).to_numpy(), "dob_in_future",
                      "PersonBirthDate is in the future", "PersonBirthDate")


# Columns that locate a row in its file (for the account), kept until the dataset is built.
_LOCATION = ("_file", "_child", "_k", "_j", "_kr", "_src", "_line")

_BLOCK = {"assessments": "Assessments", "cin_plans": "CINPlanDates", "s47": "Section47",
          "cp_plans": "ChildProtectionPlans", "cp_reviews": "ChildProtectionPlans"}


def _row_refs(table: str, df: pd.DataFrame) -> np.ndarray:
    """The XML path and line of each row, e.g. "Child[12]/CINdetails[2]/Assessments[1], line 345"."""
    ref = "Child[" + df["_child"].astype("str") + "]"
    if table != "persons":
        ref = ref + "/CINdetails[" + df["_k"].astype("str") + "]"
    if table in _BLOCK:
        ref = ref + f"/{_BLOCK[table]}[" + df["_j"].astype("str") + "]"
    if table == "cp_reviews":
        ref = ref + "/Reviews/CPPreviewDate[" + df["_kr"].astype("str") + "]"
    if table == "icpcs":
        in_s47 = "/Section47[" + df["_j"].astype("str") + "]"
        ref = ref + in_s47.where(df["_src"].to_numpy() == 1, "") + "/DateOfInitialCPC"
    return (ref + ", line " + df["_line"].astype("str")).to_numpy(dtype=object)


def _record_by_file(acc: LoadAccount, table: str, df: pd.DataFrame, mask, rule: str, action: str, message: str,
                    column: str | None) -> None:
    """Record ``rule`` for the masked rows, against the file each came from."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    hit = df[mask]
    rows = pd.Series(_row_refs(table, hit), index=hit.index)
    for label, part in rows.groupby(hit["_file"].to_numpy(), sort=False):
        acc.record(label, table, part.to_numpy(), rule, action, message, column)


def _warn_by_file(acc: LoadAccount, table: str, df: pd.DataFrame, mask, rule: str, message: str, column: str) -> None:
    _record_by_file(acc, table, df, mask, rule, "warning", message, column)


def _canonical(table: str, df: pd.DataFrame, authority: str) -> pd.DataFrame:
    spec = TABLES[table]
    if not len(df):
        return spec.empty()
    cols = {c: df[c] for c in spec.columns if c in df.columns}
    out = pd.DataFrame(cols)
    out.insert(0, "authority", authority)
    return out
