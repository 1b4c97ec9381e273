"""The measures engine: every registered measure, every period, one tidy table.

A measure function takes a ``Context`` (one authority's canonical tables, the month grid,
the options) and returns either

* ``Flow``: one row per event with its date, numerator and denominator weights (and a
  data-quality weight for records left out as errors). The engine bins events to months
  once and builds every window (month, rolling 6 / 12 months, quarter, year to date, year)
  from cumulative sums, so 12 monthly counts always add up to the rolling 12 months.
* ``Windowed``: rows already placed in windows (``period_type``, grid month ``k``) with
  their weights: stock measures evaluated at every month end at once, and distinct-children
  measures ("children looked after in the period who went missing") joined onto the windows
  of every period type at once (``Grid.expand``).

The engine then adds the total ("all") and each breakdown, divides, annualises rates and
marks what it could not compute. A measure whose fields are absent for an authority (table
empty or field all null) gives rows with status ``not_available`` and a note naming the
missing field; it never fails the run.

Periods (INDICATORS.md): ``month``; ``rolling_6m`` and ``rolling_12m`` ending at the month
end; ``quarter`` (financial quarter to date); ``ytd`` (financial year to date); ``year``
(the financial year: the full year at March, the year to date in other months, so that a
March pack compares with DfE's years ending 31 March); ``snapshot`` (stock at the month end).
Flow measures take the flow periods; stock measures the snapshot. A window that reaches
back before the first month of data is not reported (its value would be a part-window).
Rates per 10,000 are annualised: a month's rate x 12, a 6-month rate x 2, a year to date
x 12 / months so far.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from ..calendar import age_in_years, last_complete_month, parse_month
from ..errors import ConfigError
from ..model.dataset import Dataset
from ..model.schemas import TABLES
from .catalogue import (BREAKDOWN_PERIODS, CATALOGUE, NOTE_COLUMN, PERIOD_TYPES, TIDY_COLUMNS, TOTAL,
                        WAREHOUSE_COLUMNS, MeasureDef, register)
from .grid import Grid, days

# Options a measure may read (MeasureDef.options), with INDICATORS.md's defaults.
DEFAULT_OPTIONS: dict = {
    # Assessment timeliness clock: "start" (DfE: assessment start date) or "referral"
    # (Working Together: from the referral date).
    "assessment_clock": "start",
    # Child seen during assessment: working days from the assessment start.
    "seen_in_assessment_days": 5,
    # Contacts with no recorded outcome count as going to referral when the same child is
    # referred within this many working days of the contact.
    "contact_referral_days": 5,
    # An ICPC with no S47 id is linked to the same child's latest S47 started at most this
    # many days before it.
    "icpc_link_days": 90,
    # Child protection visits: "10wd" (default), "15wd" or "2w" (14 calendar days).
    "cpp_visit_standard": "10wd",
    # Children in need visits: working days.
    "cin_visit_days": 20,
    # Looked-after visits: "national" (within 1 week of a placement, 6-weekly in the
    # placement's first year, 12-weekly after) or "local" (within 1 week, then every
    # ``cla_visit_local_weeks`` weeks; RO15 uses 4).
    "cla_visit_standard": "national",
    "cla_visit_local_weeks": 4,
    # Care leavers' pathway plan counts as up to date if reviewed within this many months.
    "pathway_plan_months": 6,
    # Restrict the breakdowns computed (None = every breakdown a measure supports).
    "breakdowns": None,
    # First month of complete data (YYYY-MM); default: the first month of the front door.
    "data_start": None,
    # Raise instead of marking a measure not available when its function errors.
    "strict": False,
}

AGE_BANDS = ("under 1", "1-4", "5-9", "10-15", "16+")
UNKNOWN = "unknown"


# ---- what a measure function returns -----------------------------------------------------

@dataclass
class Flow:
    """Events dated in the period: ``frame`` has ``date``, ``num``, optional ``den`` and
    ``dq`` (records left out as data-quality errors), and one column per breakdown."""

    frame: pd.DataFrame
    dq_label: str = ""  # what the ``dq`` column counts, for the note
    # Breakdowns shown as shares of the total: the group's row has numerator = the group's
    # denominator count and denominator = the total's (e.g. plans by category).
    share: tuple[str, ...] = ()
    # Further data-quality columns and their labels, e.g. {"dq_no_s47": "ICPCs with no S47"}.
    more_dq: dict = field(default_factory=dict)

    def dq_labels(self) -> dict:
        return {**({"dq": self.dq_label} if self.dq_label else {}), **self.more_dq}


@dataclass
class Windowed:
    """Rows already placed in windows: ``period_type``, ``k`` (grid month), ``num``,
    optional ``den`` and ``dq``, and one column per breakdown."""

    frame: pd.DataFrame
    dq_label: str = ""
    share: tuple[str, ...] = ()
    agg: str = "sum"  # or "max" (e.g. the largest caseload)
    more_dq: dict = field(default_factory=dict)

    def dq_labels(self) -> dict:
        return {**({"dq": self.dq_label} if self.dq_label else {}), **self.more_dq}


# ---- registration ---------------------------------------------------------------------------

def measure(**fields) -> Callable:
    """Decorator: register the function under a full MeasureDef (one call per figure)."""

    def deco(fn: Callable) -> Callable:
        register(MeasureDef(function=fn, **fields))
        return fn

    return deco


# ---- the per-authority context --------------------------------------------------------------

@dataclass
class Context:
    authority: str
    data: Dataset
    grid: Grid
    options: dict
    cache: dict = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame:
        """The authority's table with identifiers replaced by integer codes (see ``_code_ids``)."""
        if "_coded" not in self.cache:
            self.cache["_coded"], self.cache["_id_labels"] = _code_ids(self.data)
        return self.cache["_coded"][name]

    def id_labels(self, namespace: str) -> np.ndarray:
        self.table("persons")
        return self.cache["_id_labels"][namespace]

    def option(self, name: str):
        return self.options[name]

    def cached(self, key, build: Callable):
        if key not in self.cache:
            self.cache[key] = build()
        return self.cache[key]

    def missing(self, needs: tuple[str, ...]) -> list[str]:
        """Fields a measure needs that this authority's data lacks (empty table or all null)."""
        out = []
        for need in needs:
            table, col = need.split(".")
            frame = self.data[table]
            if not len(frame) or frame[col].isna().all():
                out.append(need)
        return out

    def dob(self, child_ids: pd.Series) -> np.ndarray:
        persons = self.cached("_dob", lambda: pd.Series(
            days(self.table("persons")["dob"]),
            index=self.table("persons")["child_id"].to_numpy()).groupby(level=0).first())
        return persons.reindex(child_ids.to_numpy()).to_numpy().astype("datetime64[D]")

    def person_flag(self, child_ids: pd.Series, column: str) -> np.ndarray:
        p = self.table("persons")
        lookup = pd.Series(p[column].to_numpy(), index=p["child_id"].to_numpy()).groupby(level=0).first()
        return lookup.reindex(child_ids.to_numpy()).to_numpy()

    def age_band(self, child_ids: pd.Series, at) -> np.ndarray:
        age = age_in_years(pd.Series(self.dob(child_ids)), pd.Series(np.asarray(at, dtype="datetime64[D]")))
        return age_band(age)

    def population(self, period_end: np.ndarray) -> np.ndarray:
        """Children 0-17 for each period end: the latest ONS mid-year estimate not later than
        the period (a year ending 31 March Y uses mid-(Y-1), as DfE does). Before the first
        estimate held, the first one is used."""
        pop = self.table("population").dropna(subset=["year", "population_0_17"]).sort_values("year")
        if not len(pop):
            return np.full(len(period_end), np.nan)
        years = pop["year"].to_numpy(dtype=int)
        mid = np.array([np.datetime64(f"{y}-06-30") for y in years], dtype="datetime64[D]")
        idx = np.searchsorted(mid, np.asarray(period_end, dtype="datetime64[D]"), side="right") - 1
        return pop["population_0_17"].to_numpy(dtype=float)[np.clip(idx, 0, None)]


# Identifier columns and the tables that share each namespace. Measures only ever compare
# identifiers, never show them, so they work on integer codes: joins, isin and group-bys on
# integers are several times faster than on strings (and no identifier can leak into output).
_ID_NAMESPACES = {
    "child_id": None,  # every table that has it
    "referral_id": ("referrals", "assessments", "s47", "icpcs", "cp_plans", "cin_plans"),
    "s47_id": ("s47", "icpcs"),
    "cpp_id": ("cp_plans", "cp_reviews"),
    # Teams and workers are breakdowns: the engine turns codes back into ids for output.
    "team_id": None,
    "worker_id": None,
}
# Breakdown -> the identifier namespace its codes belong to.
CODED_BREAKDOWNS = {"team": "team_id", "worker": "worker_id"}


def _code_ids(ds: Dataset) -> tuple[dict[str, pd.DataFrame], dict[str, np.ndarray]]:
    """Each table with its identifier columns as int64 codes (missing -> -1), one shared
    coding per namespace so that codes match across tables; and each namespace's ids."""
    out = {name: frame for name, frame in ds.items()}
    labels: dict[str, np.ndarray] = {}
    for col, names in _ID_NAMESPACES.items():
        names = [n for n in (names or TABLES) if col in TABLES[n].columns and len(out[n])]
        labels[col] = np.array([], dtype=object)
        if not names:
            continue
        codes, uniques = pd.factorize(pd.concat([out[n][col] for n in names], ignore_index=True))
        labels[col] = np.asarray(uniques, dtype=object)
        pos = 0
        for n in names:
            k = len(out[n])
            out[n] = out[n].assign(**{col: codes[pos:pos + k].astype(np.int64)})
            pos += k
    for n in out:  # empty tables get integer id columns too
        for col in _ID_NAMESPACES:
            if col in out[n].columns and not len(out[n]):
                out[n] = out[n].assign(**{col: np.zeros(0, dtype=np.int64)})
        out[n] = out[n].assign(**{RECORD: record_keys(n, len(out[n]))})
    return out, labels


# ---- record keys: which source row an event came from ---------------------------------------
#
# Every coded table carries ``_record``: the table and the row position in the authority's
# Dataset packed into one int64 (table number x 2**32 + row). A measure frame that keeps the
# column (``ctx.table(...)`` rows filtered, sorted or expanded onto windows keep it; a frame
# built column by column adds ``"_record": t["_record"]``) can be traced back to the rows
# behind each number by ``measure_records``, with no second implementation of the measure.
# Frames whose rows are children rather than source rows (merged intervals, distinct
# children in a window) carry ``child_id`` instead; caseloads carry the worker.

RECORD = "_record"
_TABLE_NUMBERS = {name: i for i, name in enumerate(TABLES)}
_TABLE_NAMES = np.array(list(TABLES), dtype=object)
_ROW_BITS = 32


def record_keys(table: str, n: int) -> np.ndarray:
    """Record keys of rows 0..n-1 of ``table``."""
    return (np.int64(_TABLE_NUMBERS[table]) << _ROW_BITS) + np.arange(n, dtype=np.int64)


def split_record_keys(keys) -> tuple[np.ndarray, np.ndarray]:
    """(table name, row position) for each record key."""
    keys = np.asarray(keys, dtype=np.int64)
    return _TABLE_NAMES[keys >> _ROW_BITS], keys & ((1 << _ROW_BITS) - 1)


def age_band(age: np.ndarray) -> pd.Categorical:
    """DfE's age bands (under 1, 1-4, 5-9, 10-15, 16+); unknown age -> 'unknown'."""
    age = np.asarray(age, dtype=float)
    codes = np.full(len(age), len(AGE_BANDS), dtype=np.int8)  # unknown
    for i, (lo, hi) in enumerate(((-1, 1), (1, 5), (5, 10), (10, 16), (16, 200))):
        codes[(age >= lo) & (age < hi)] = i
    return labelled(codes, AGE_BANDS + (UNKNOWN,))


def labelled(codes: np.ndarray, labels) -> pd.Categorical:
    """A categorical breakdown column from integer codes (-1 = not recorded): cheap to build
    and to group, unlike a column of strings."""
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int16), categories=list(labels))


# ---- the span of an authority's data ------------------------------------------------------

# The front door opens the record: its first month is where complete flows begin.
_FRONT_DOOR = (("contacts", "contact_date"), ("referrals", "referral_date"))
_EVENT_DATES = (
    ("contacts", "contact_date"), ("contacts", "decision_date"), ("referrals", "referral_date"),
    ("referrals", "closure_date"), ("assessments", "start_date"), ("assessments", "authorised_date"),
    ("s47", "start_date"), ("icpcs", "icpc_date"), ("cp_plans", "start_date"), ("cp_plans", "end_date"),
    ("cp_reviews", "review_date"), ("cin_plans", "start_date"), ("visits", "visit_date"),
    ("cla_episodes", "decom"), ("cla_episodes", "dec"), ("cla_reviews", "review_date"), ("missing", "start_date"),
    ("health_checks", "check_date"), ("care_leavers", "status_date"), ("adoptions", "placement_order_date"),
    ("adoptions", "adoption_order_date"), ("allocations", "start_date"),
)


def data_span(ds: Dataset, data_start: str | None = None) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """(first, last) month end of an authority's data, or None if it holds no dated events.

    First: where the returns begin to cover every event, so flows are complete. Returns carry
    older dates too (a referral from 2015 still open in the 2019-20 CIN census, a child's
    care history), which must not start the series. In order of preference: the ``data_start``
    option; ``authorities.data_from`` (set by the synthetic generator, or by a loader that
    knows the collection window); else the first month whose front-door volume (contacts or
    referrals) reaches half the median of its last 12 months with data. Without a front door,
    the earliest dated event. Last: the latest dated event, never after the current month (a
    mistyped year must not stretch the series).
    """
    def extreme(pairs, fn):
        vals = [fn(ds[t][c]) for t, c in pairs if len(ds[t]) and ds[t][c].notna().any()]
        return fn(pd.Series(vals)) if vals else None

    last = extreme(_EVENT_DATES, pd.Series.max)
    first = extreme(_EVENT_DATES, pd.Series.min)
    if first is None or last is None:
        return None
    declared = ds["authorities"]["data_from"].dropna() if len(ds["authorities"]) else pd.Series(dtype="datetime64[us]")
    if data_start:
        first = parse_month(data_start)
    elif len(declared):
        first = declared.min()
    else:
        first = _front_door_start(ds) or first
    cap = last_complete_month() + pd.offsets.MonthEnd(1)
    last = min(pd.Timestamp(last), cap)
    return (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).normalize(), (last + pd.offsets.MonthEnd(0)).normalize()


def _front_door_start(ds: Dataset) -> pd.Timestamp | None:
    """First month whose front-door volume reaches half the median of the last 12 months."""
    for table, col in _FRONT_DOOR:
        dates = ds[table][col].dropna()
        if not len(dates):
            continue
        monthly = dates.dt.to_period("M").value_counts().sort_index()
        monthly = monthly.reindex(pd.period_range(monthly.index.min(), monthly.index.max(), freq="M"), fill_value=0)
        typical = monthly.iloc[-12:].median()
        full = monthly[monthly >= 0.5 * typical]
        if len(full):
            return full.index[0].to_timestamp(how="start")
    return None


# ---- assembling tidy rows -------------------------------------------------------------------

@dataclass
class _Rows:
    """Column chunks collected for the output table (one concatenation at the end)."""

    chunks: list = field(default_factory=list)

    def add(self, authority, measure_id, breakdown, values, period_type, period_end, num, den, value,
            status, note):
        n = len(period_end)
        if n:
            self.chunks.append((authority, measure_id, breakdown, period_type, n, np.asarray(values, dtype=object),
                                np.asarray(period_end, dtype="datetime64[D]"), num, den, value, status, note))

    def frame(self) -> pd.DataFrame:
        if not self.chunks:
            return empty_tidy()
        cols = list(zip(*self.chunks))
        counts = np.array(cols[4])
        out = pd.DataFrame({
            "authority": np.repeat(np.array(cols[0], dtype=object), counts),
            "measure": np.repeat(np.array(cols[1], dtype=object), counts),
            "breakdown": np.repeat(np.array(cols[2], dtype=object), counts),
            "breakdown_value": np.concatenate(cols[5]),
            "period_type": np.repeat(np.array(cols[3], dtype=object), counts),
            "period_end": np.concatenate(cols[6]).astype("datetime64[us]"),
            "numerator": np.concatenate([np.asarray(c, dtype=float) for c in cols[7]]),
            "denominator": np.concatenate([np.asarray(c, dtype=float) for c in cols[8]]),
            "value": np.concatenate([np.asarray(c, dtype=float) for c in cols[9]]),
            "status": np.concatenate([np.asarray(c, dtype=object) for c in cols[10]]),
            NOTE_COLUMN: np.concatenate([np.asarray(c, dtype=object) for c in cols[11]]),
        })
        for c in ("authority", "measure", "breakdown", "breakdown_value", "period_type", "status", NOTE_COLUMN):
            out[c] = out[c].astype("str") if c != NOTE_COLUMN else out[c].astype("object").where(
                out[c].notna(), None).astype("str")
        return out


def empty_tidy() -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype="str") for c in WAREHOUSE_COLUMNS})
    out["period_end"] = pd.Series(dtype="datetime64[us]")
    for c in ("numerator", "denominator", "value"):
        out[c] = pd.Series(dtype="float64")
    return out[WAREHOUSE_COLUMNS]


def _labels(series: pd.Series, ids: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(group code per row, label per group). ``ids``: the column holds integer codes into
    these identifiers (team, worker), -1 meaning not recorded."""
    if ids is not None:
        codes = np.asarray(series, dtype=np.int64)
        present, inverse = np.unique(codes, return_inverse=True)
        safe = np.where(present >= 0, present, 0)
        names = ids[safe] if len(ids) else np.full(len(present), UNKNOWN, dtype=object)
        return inverse.astype(np.int64), np.where(present >= 0, names, UNKNOWN).astype(object)
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int64)
        labels = np.append(np.asarray(series.cat.categories, dtype=object), UNKNOWN)
        return np.where(codes < 0, len(labels) - 1, codes), labels
    codes, uniques = pd.factorize(series.astype("object").where(series.notna(), UNKNOWN), sort=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _values(defn: MeasureDef, num: np.ndarray, den: np.ndarray, months: np.ndarray, agg: str):
    """value (and the denominator reported) for the measure's unit."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if defn.unit == "count" or agg == "max":
            return num, np.full(len(num), np.nan)
        if defn.unit == "pct":
            return np.where(den > 0, 100.0 * num / den, np.nan), den
        if defn.unit == "rate":
            scale = 12.0 / months if defn.kind == "flow" else 1.0
            return np.where(den > 0, num / den * 10_000 * scale, np.nan), den
        return np.where(den > 0, num / den, np.nan), den  # days, number: an average


def _notes(dq: dict, n: int) -> np.ndarray:
    """'3 ICPCs dated before their S47 left out; ...' for rows with data-quality errors."""
    out = np.full(n, None, dtype=object)
    for label, counts in dq.items():
        counts = np.asarray(counts)
        has = counts > 0
        if has.any():
            text = np.array(pd.Series(counts[has].astype(np.int64)).astype(str) + f" {label}", dtype=object)
            prev = out[has]
            out[has] = np.where(pd.isna(prev), text, prev.astype(str) + "; " + text)
    return out


def _emit(rows: _Rows, ctx: Context, defn: MeasureDef, breakdown: str, labels: np.ndarray, w, p: str,
          num: np.ndarray, den: np.ndarray, dq: dict, agg: str, share: bool = False) -> None:
    """num/den and each of ``dq`` (label -> counts) are (groups x windows) arrays for the
    windows ``w`` of period type ``p``."""
    G, K = num.shape
    num = np.ascontiguousarray(num).ravel()
    den = np.ascontiguousarray(den).ravel()
    dq = {label: np.ascontiguousarray(c).ravel() for label, c in dq.items()}
    period_end = np.tile(w.end, G)
    months = np.tile(w.months, G)
    values = np.repeat(labels, K)
    if breakdown != TOTAL:  # a group with nothing in a window is left out, not shown as 0
        # (for a share the denominator is the total's, so only the group's own count decides)
        keep = (num != 0) if share else (num != 0) | (np.nan_to_num(den) != 0)
        num, den, period_end, months, values = num[keep], den[keep], period_end[keep], months[keep], values[keep]
        dq = {label: c[keep] for label, c in dq.items()}
    if defn.unit == "rate":
        den = ctx.population(period_end)
    value, den_out = _values(defn, num, den, months, agg)
    n = len(num)
    status = np.full(n, "ok", dtype=object)
    note = _notes(dq, n)
    if defn.unit == "rate" and np.isnan(den).any():
        status[np.isnan(den)] = "not_available"
        note[np.isnan(den)] = "not available: needs population.population_0_17"
    rows.add(ctx.authority, defn.id, breakdown, values, p, period_end, num, den_out, value, status, note)


def _weights(frame: pd.DataFrame, col: str, n: int, default: float | None) -> np.ndarray | None:
    if col in frame.columns:
        return frame[col].to_numpy(dtype=float, na_value=0.0)
    return None if default is None else np.full(n, default)


def _breakdowns(defn: MeasureDef, ctx: Context, frame: pd.DataFrame) -> list[str]:
    wanted = ctx.options.get("breakdowns")
    out = [b for b in defn.breakdowns if b != TOTAL and b in frame.columns and (wanted is None or b in wanted)]
    return [TOTAL] + out  # the total first: share breakdowns divide by it


def _assemble_flow(rows: _Rows, ctx: Context, defn: MeasureDef, res: Flow, ptypes: list[str]) -> None:
    grid = ctx.grid
    f = res.frame
    m, inside = grid.month_index(days(f["date"]) if len(f) else np.array([], dtype="datetime64[D]"))
    n = grid.n
    labels_dq = res.dq_labels()
    weights = {
        "num": _weights(f, "num", len(f), 1.0),
        "den": _weights(f, "den", len(f), 1.0 if defn.unit != "count" else None),
        **{col: _weights(f, col, len(f), 0.0) for col in labels_dq},
    }
    m = m[inside]
    total_den = None
    for b in _breakdowns(defn, ctx, f):
        if b == TOTAL:
            codes, labels = np.zeros(int(inside.sum()), dtype=np.int64), np.array([TOTAL], dtype=object)
        else:
            codes, labels = _labels(f[b][inside], _ids_for(ctx, b, f[b]))
        G = len(labels)
        cum = {}
        for name, wt in weights.items():
            if wt is None:
                continue
            binned = np.bincount(codes * n + m, weights=wt[inside], minlength=G * n).reshape(G, n)
            cum[name] = np.concatenate([np.zeros((G, 1)), np.cumsum(binned, axis=1)], axis=1)
        for p in ptypes:
            w = grid.windows(p)
            if not len(w.k) or p not in BREAKDOWN_PERIODS.get(b, (p,)):
                continue
            sums = {name: c[:, w.k + 1] - c[:, w.start_k] for name, c in cum.items()}
            num = sums["num"]
            den = sums.get("den", np.full(num.shape, np.nan))
            if b in res.share:
                num, den = den, np.broadcast_to(_total_den(cum, w), num.shape)
            dq = {label: sums[col] for col, label in labels_dq.items()}
            _emit(rows, ctx, defn, b, labels, w, p, num, den, dq, "sum", b in res.share)


def _total_den(cum: dict, w) -> np.ndarray:
    c = cum["den"].sum(axis=0)
    return (c[w.k + 1] - c[w.start_k])[None, :]


def _assemble_windowed(rows: _Rows, ctx: Context, defn: MeasureDef, res: Windowed, ptypes: list[str]) -> None:
    grid = ctx.grid
    f = res.frame
    # Only the columns the engine reads: filtering a wide frame per period type would copy
    # the record keys and detail columns kept for ``measure_records``.
    used = ["period_type", "k", "num", "den", *res.dq_labels(), *defn.breakdowns]
    f = f[[c for c in dict.fromkeys(used) if c in f.columns]]
    n = grid.n
    for p in ptypes:
        w = grid.windows(p)
        if not len(w.k):
            continue
        sel = (f["period_type"] == p).to_numpy() if len(f) else np.zeros(0, dtype=bool)
        part = f[sel]
        k = part["k"].to_numpy(dtype=np.int64)
        num_w = _weights(part, "num", len(part), 1.0)
        den_w = _weights(part, "den", len(part), 1.0 if defn.unit != "count" else None)
        labels_dq = res.dq_labels()
        dq_w = {col: _weights(part, col, len(part), 0.0) for col in labels_dq}
        total = None
        for b in _breakdowns(defn, ctx, f):
            if p not in BREAKDOWN_PERIODS.get(b, (p,)):
                continue
            if b == TOTAL:
                codes, labels = np.zeros(len(part), dtype=np.int64), np.array([TOTAL], dtype=object)
            else:
                codes, labels = _labels(part[b], _ids_for(ctx, b, part[b]))
            G = len(labels)
            flat = codes * n + k

            def binned(wt, how="sum"):
                if wt is None:
                    return None
                if how == "max":
                    out = np.zeros(G * n)
                    np.maximum.at(out, flat, wt)
                else:
                    out = np.bincount(flat, weights=wt, minlength=G * n)
                return out.reshape(G, n)[:, w.k]

            num = binned(num_w, res.agg)
            den = binned(den_w)
            dq = {label: binned(dq_w[col]) for col, label in labels_dq.items()}
            if b == TOTAL:
                total = den
            if den is None:
                den = np.full(num.shape, np.nan)
            if b in res.share and total is not None:
                num, den = den, np.broadcast_to(total, num.shape)
            _emit(rows, ctx, defn, b, labels, w, p, num, den, dq, res.agg, b in res.share)


def _ids_for(ctx: Context, breakdown: str, column: pd.Series) -> np.ndarray | None:
    ns = CODED_BREAKDOWNS.get(breakdown)
    if ns is None or not pd.api.types.is_integer_dtype(column.dtype):
        return None
    return ctx.id_labels(ns)


def _not_available(rows: _Rows, ctx: Context, defn: MeasureDef, ptypes: list[str], note: str) -> None:
    for p in ptypes:
        w = ctx.grid.windows(p)
        n = len(w.k)
        nan = np.full(n, np.nan)
        rows.add(ctx.authority, defn.id, TOTAL, np.full(n, TOTAL, dtype=object), p, w.end, nan, nan, nan,
                 np.full(n, "not_available", dtype=object), np.full(n, note, dtype=object))


# ---- entry points -----------------------------------------------------------------------

def _load_measure_modules() -> None:
    # Importing the area modules registers their measures in CATALOGUE.
    from . import (adoption, assessment, care_leavers, child_protection, children_in_need,  # noqa: F401
                   front_door, looked_after, workforce)


def catalogue() -> dict[str, MeasureDef]:
    """Every registered measure (imports the area modules first)."""
    _load_measure_modules()
    return CATALOGUE


def split_by_authority(dataset: Dataset) -> dict[str, Dataset]:
    """One Dataset per authority, splitting each table once (not once per authority)."""
    codes = dataset.authorities()
    parts: dict[str, dict[str, pd.DataFrame]] = {c: {} for c in codes}
    for name, frame in dataset.items():
        if not len(frame):
            continue
        for code, sub in frame.groupby("authority", sort=False):
            parts[code][name] = sub.reset_index(drop=True)
    empty = {name: TABLES[name].empty() for name in TABLES}
    return {c: Dataset({**empty, **tables}, conformed=True) for c, tables in parts.items()}


def authority_context(code: str, ds: Dataset, first_month=None, last_month=None,
                      options: dict | None = None) -> Context | None:
    """The Context the engine evaluates one authority's measures on (its month grid spans
    the data, widened to ``first_month`` / cut at ``last_month``), or None if the data hold
    no dated events in it. Measure results are cached on it: keep it to ask for several
    measures' records (``measure_records``) without recomputing."""
    opts = {**DEFAULT_OPTIONS, **(options or {})}
    span = data_span(ds, opts.get("data_start"))
    if span is None:
        return None
    first, last = span
    lo = parse_month(first_month) if first_month else None
    hi = parse_month(last_month) if last_month else None
    grid_first = min(first, lo) if lo is not None else first
    grid_last = hi if hi is not None else last
    if grid_last < grid_first:
        return None
    return Context(code, ds, Grid.between(grid_first, grid_last), opts)


def compute_authority(code: str, ds: Dataset, measures: list[str], periods: list[str],
                      first_month=None, last_month=None, options: dict | None = None) -> pd.DataFrame:
    """The tidy table (with ``note``) for one authority's Dataset."""
    opts = {**DEFAULT_OPTIONS, **(options or {})}
    ctx = authority_context(code, ds, first_month, last_month, opts)
    if ctx is None:
        return empty_tidy()
    lo = parse_month(first_month) if first_month else None
    hi = parse_month(last_month) if last_month else None
    rows = _Rows()
    for mid in measures:
        defn = CATALOGUE[mid]
        ptypes = [p for p in defn.periods if p in periods]
        if not ptypes:
            continue
        missing = ctx.missing(defn.needs)
        if missing:
            _not_available(rows, ctx, defn, ptypes, "not available: needs " + ", ".join(missing))
            continue
        try:
            res = measure_result(ctx, defn)
            if isinstance(res, Flow):
                _assemble_flow(rows, ctx, defn, res, ptypes)
            else:
                _assemble_windowed(rows, ctx, defn, res, ptypes)
        except Exception as exc:  # one broken measure must not sink a month's packs
            if opts.get("strict"):
                raise
            warnings.warn(f"measure {mid} failed for {code}: {exc!r}", RuntimeWarning, stacklevel=2)
            _not_available(rows, ctx, defn, ptypes, f"not available: error {type(exc).__name__}: {exc}")
    out = rows.frame()
    if lo is not None:
        out = out[out["period_end"] >= lo]
    if hi is not None:
        out = out[out["period_end"] <= hi]
    return out.reset_index(drop=True)


def compute_measures(dataset: Dataset, measures: list[str] | None = None, periods=None,
                     first_month: str | None = None, last_month: str | None = None,
                     options: dict | None = None) -> pd.DataFrame:
    """Every requested measure for every authority in ``dataset``, as one tidy table.

    Columns: ``TIDY_COLUMNS`` plus ``note`` (why a row is not available, or how many records
    were left out of it as data-quality errors). ``period_end`` is the month end. Totals have
    breakdown and breakdown_value ``all``. ``first_month`` / ``last_month`` ('YYYY-MM') limit
    the months reported; windows still draw on all the data (a rolling 12 months in the first
    reported month uses the 11 months before it).
    """
    cat = catalogue()
    ids = list(cat) if measures is None else list(measures)
    unknown = [m for m in ids if m not in cat]
    if unknown:
        raise ConfigError(f"unknown measure(s) {unknown}; see `cscw measures --list`")
    if periods is None:
        periods = list(PERIOD_TYPES)
    elif isinstance(periods, str):
        periods = [periods]
    bad = [p for p in periods if p not in PERIOD_TYPES]
    if bad:
        raise ConfigError(f"unknown period type(s) {bad}; expected {list(PERIOD_TYPES)}")
    opts = {**DEFAULT_OPTIONS, **(options or {})}
    unknown_opts = set(opts) - set(DEFAULT_OPTIONS)
    if unknown_opts:
        raise ConfigError(f"unknown measure option(s) {sorted(unknown_opts)}")
    frames = [compute_authority(code, ds, ids, list(periods), first_month, last_month, opts)
              for code, ds in split_by_authority(dataset).items()]
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_tidy()
    return pd.concat(frames, ignore_index=True)


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Exactly the tidy columns (drops ``note``), for CSV / JSON / CLI output."""
    return frame[TIDY_COLUMNS]


# ---- the records behind a number ------------------------------------------------------------

def measure_result(ctx: Context, defn: MeasureDef) -> Flow | Windowed:
    """The measure function's result for the authority (computed once per Context)."""
    return ctx.cached(("result", defn.function), lambda: defn.function(ctx))


# Columns of a measure frame the engine reads; everything else is detail for the records.
_STRUCTURE = ("date", "period_type", "k", "num", "den", RECORD)
# Detail columns holding integer-coded identifiers, and their namespace.
_CODED_DETAIL = {"child_id": "child_id", "child": "child_id", "referral_id": "referral_id",
                 "s47_id": "s47_id", "cpp_id": "cpp_id", "team_id": "team_id", "worker_id": "worker_id",
                 "team": "team_id", "worker": "worker_id"}
RECORD_FLAGS = ["numerator", "denominator", "in_numerator", "in_denominator", "left_out"]


def _month_end(period_end) -> np.datetime64:
    if isinstance(period_end, str) and len(period_end) == 7:
        stamp = parse_month(period_end)
    else:
        stamp = (pd.Timestamp(period_end) + pd.offsets.MonthEnd(0)).normalize()
    return np.datetime64(stamp.date(), "D")


def window_position(ctx: Context, period_type: str, period_end) -> int:
    """Index of the window of ``period_type`` ending at ``period_end`` in ``ctx.grid``;
    ConfigError if the engine does not report that period (outside the data, or a window
    reaching back before it)."""
    w = ctx.grid.windows(period_type)
    end = _month_end(period_end)
    pos = int(np.searchsorted(w.end, end))
    if pos >= len(w.end) or w.end[pos] != end:
        span = f"{ctx.grid.ends[0]} to {ctx.grid.ends[-1]}" if ctx.grid.n else "no months"
        raise ConfigError(f"{ctx.authority}: no {period_type} period ends on {end} (its data cover {span})")
    return pos


def context_for(dataset, authority: str | None = None, options: dict | None = None) -> Context:
    """A Context for one authority of ``dataset`` (a Dataset, or a Context returned as is)."""
    if isinstance(dataset, Context):
        return dataset
    parts = split_by_authority(dataset)
    if authority is None:
        if len(parts) != 1:
            raise ConfigError(f"the dataset holds {len(parts)} authorities: say which (authority=...)")
        authority = next(iter(parts))
    if authority not in parts:
        raise ConfigError(f"unknown authority {authority!r}: the dataset holds {', '.join(sorted(parts)) or 'none'}")
    ctx = authority_context(authority, parts[authority], options=options)
    if ctx is None:
        raise ConfigError(f"{authority}: the data hold no dated events")
    return ctx


def _row_labels(ctx: Context, breakdown: str, column: pd.Series) -> np.ndarray:
    """The breakdown value of each row, as the tidy table names it."""
    codes, labels = _labels(column, _ids_for(ctx, breakdown, column))
    return np.asarray(labels, dtype=object)[codes] if len(codes) else np.array([], dtype=object)


def _decoded(ctx: Context, name: str, column: pd.Series) -> pd.Series:
    """A detail or breakdown column as an analyst reads it: identifiers as the authority's
    ids, categories as labels, dates as dates."""
    values = column.to_numpy()
    ns = _CODED_DETAIL.get(name)
    if ns is not None and pd.api.types.is_integer_dtype(column.dtype):
        ids = ctx.id_labels(ns)
        codes = np.asarray(values, dtype=np.int64)
        safe = np.clip(codes, 0, max(len(ids) - 1, 0))
        names = ids[safe] if len(ids) else np.full(len(codes), None, dtype=object)
        return pd.Series(np.where(codes >= 0, names, None), dtype="object")
    if ns is not None and column.dtype == object:  # ids that may be missing (None)
        ids = ctx.id_labels(ns)
        out = np.full(len(values), None, dtype=object)
        ok = pd.notna(values)
        if ok.any() and len(ids):
            out[ok] = ids[np.asarray(values[ok], dtype=np.int64)]
        return pd.Series(out, dtype="object")
    if isinstance(column.dtype, pd.CategoricalDtype):
        return pd.Series(np.asarray(column.astype(object).where(column.notna(), None)), dtype="object")
    if values.dtype.kind == "M":
        return pd.Series(values.astype("datetime64[us]"))
    return column.reset_index(drop=True)


def measure_records(dataset, measure_id: str, period_type: str, period_end, options: dict | None = None, *,
                    authority: str | None = None, breakdown: str = TOTAL, breakdown_value: str = TOTAL,
                    uncounted: bool = False) -> pd.DataFrame:
    """The records behind one number of the tidy table: the rows of the measure's own event
    frame (the same frame the engine sums, so the records add up to the tidy numerator and
    denominator exactly) that fall in the window, joined to the source row each came from.

    ``dataset``: a Dataset (one authority, or name it with ``authority``) or a Context from
    ``authority_context`` (keeps the measure results cached between calls). ``period_end``:
    'YYYY-MM' or a date in the month. ``breakdown`` / ``breakdown_value``: one group of a
    breakdown (e.g. team 'T03'); for a breakdown shown as shares of the total (plans by
    category) every record of the window is returned and only the group's count as numerator.

    One row per record (an event dated in the window for a flow, a child or case counted at
    the period end for a stock, a distinct child for "children ... in the period"):
    ``authority``, ``measure``, ``period_type``, ``period_end``; ``child_id`` where known;
    ``event_date`` (flows); the measure's breakdown columns (team, worker, age band, ...)
    and detail columns (e.g. ``working_days``, ``late_by_wd``); the source row's fields
    (``source_table`` names the table, ``source_row`` its position); and ``numerator`` /
    ``denominator`` (the record's weights; the denominator is NaN for counts and for rates,
    whose denominator is the child population), ``in_numerator``, ``in_denominator``,
    ``left_out`` (why a record was left out as a data-quality error, else None). Records
    that count in neither (e.g. children on a plan for under 3 months, not yet due a review)
    are dropped unless ``uncounted``. Child-level: for internal use only.
    """
    ctx = context_for(dataset, authority, options)
    cat = catalogue()
    if measure_id not in cat:
        raise ConfigError(f"unknown measure {measure_id!r}; see `cscw measures --list`")
    defn = cat[measure_id]
    if period_type not in defn.periods:
        raise ConfigError(f"{measure_id} is not reported for period type {period_type!r} "
                          f"(it has {', '.join(defn.periods)})")
    missing = ctx.missing(defn.needs)
    if missing:
        raise ConfigError(f"{measure_id} is not available for {ctx.authority}: needs {', '.join(missing)}")
    res = measure_result(ctx, defn)
    pos = window_position(ctx, period_type, period_end)
    w = ctx.grid.windows(period_type)
    f = res.frame
    if isinstance(res, Flow):
        def months():
            return ctx.grid.month_index(days(f["date"]) if len(f) else np.array([], dtype="datetime64[D]"))
        m, inside = ctx.cached(("months", defn.function), months)
        rows = np.flatnonzero(inside & (m >= w.start_k[pos]) & (m <= w.k[pos]))
    else:
        rows = np.flatnonzero(((f["period_type"] == period_type).to_numpy() & (f["k"].to_numpy() == w.k[pos]))
                              if len(f) else np.zeros(0, dtype=bool))
    part = f.take(rows).reset_index(drop=True)
    n = len(part)
    num = _weights(part, "num", n, 1.0)
    den = _weights(part, "den", n, 1.0 if defn.unit not in ("count", "rate") else None)
    dq = {label: _weights(part, col, n, 0.0) for col, label in res.dq_labels().items()}
    if breakdown != TOTAL:
        if breakdown not in defn.breakdowns or breakdown not in part.columns:
            raise ConfigError(f"{measure_id} has no breakdown {breakdown!r} (it has {', '.join(defn.breakdowns)})")
        in_group = _row_labels(ctx, breakdown, part[breakdown]) == str(breakdown_value)
        if breakdown in res.share:  # the group's count over every record of the window
            num = np.where(in_group, den, 0.0)
        else:
            part, num = part[in_group].reset_index(drop=True), num[in_group]
            den = None if den is None else den[in_group]
            dq = {label: c[in_group] for label, c in dq.items()}
    counted = (num != 0) | (np.zeros(len(num), bool) if den is None else den != 0)
    left_out = np.full(len(num), None, dtype=object)
    for label, c in dq.items():
        hit = c != 0
        left_out = np.where(hit, np.where(pd.isna(left_out), label, left_out.astype(str) + "; " + label), left_out)
    keep = np.ones(len(num), bool) if uncounted else counted | pd.notna(left_out)
    part, num, left_out = part[keep].reset_index(drop=True), num[keep], left_out[keep]
    den = None if den is None else den[keep]
    return _records_frame(ctx, defn, part, num, den, left_out, period_type, w.end[pos], set(res.dq_labels()))


def _records_frame(ctx: Context, defn: MeasureDef, part: pd.DataFrame, num, den, left_out, period_type,
                   period_end, dq_columns: set) -> pd.DataFrame:
    n = len(part)
    structure = set(_STRUCTURE) | dq_columns
    cols: dict = {}
    if "date" in part.columns:
        cols["event_date"] = _decoded(ctx, "date", part["date"])
    for c in part.columns:
        if c not in structure and not c.startswith("_"):
            cols["child_id" if c == "child" else c] = _decoded(ctx, c, part[c])
    if RECORD in part.columns and n:
        tables, pos = split_record_keys(part[RECORD].to_numpy())
        names = pd.unique(tables)
        if len(names) == 1:
            src = ctx.data[names[0]].take(pos).reset_index(drop=True)
        else:  # never in practice: a frame mixing tables gets each row's own fields
            src = pd.concat([ctx.data[t].take(pos[tables == t]).set_axis(np.flatnonzero(tables == t))
                             for t in names]).sort_index().reset_index(drop=True)
        skip = {"authority"} | set(cols)
        skip |= {c for c, b in (("team_id", "team"), ("worker_id", "worker")) if b in cols}
        cols["source_table"] = pd.Series(tables, dtype="object")
        cols["source_row"] = pd.Series(pos)
        for c in src.columns:
            if c not in skip:
                cols[c] = src[c]
    first = [c for c in ("child_id", "event_date") if c in cols]
    num = np.asarray(num, dtype=float)
    den_arr = np.full(n, np.nan) if den is None else np.asarray(den, dtype=float)
    out = pd.DataFrame({
        "authority": np.full(n, ctx.authority, dtype=object), "measure": np.full(n, defn.id, dtype=object),
        "period_type": np.full(n, period_type, dtype=object),
        "period_end": np.full(n, np.datetime64(period_end, "D")).astype("datetime64[us]"),
        **{c: cols[c] for c in first}, **{c: v for c, v in cols.items() if c not in first},
        "numerator": num, "denominator": den_arr, "in_numerator": num != 0,
        "in_denominator": pd.array(den_arr != 0, dtype="boolean") if den is not None
        else pd.array([pd.NA] * n, dtype="boolean"),
        "left_out": pd.Series(left_out, dtype="object"),
    }, index=range(n))
    return out


def records_figure(dataset, measure_id: str, period_type: str, period_end, records: pd.DataFrame,
                   options: dict | None = None, *, authority: str | None = None) -> dict:
    """The numerator, denominator and value that ``records`` (from ``measure_records``) add
    up to, computed as the engine does (a rate's denominator is the child population; the
    largest caseload is a maximum, not a sum)."""
    ctx = context_for(dataset, authority, options)
    defn = catalogue()[measure_id]
    res = measure_result(ctx, defn)
    agg = res.agg if isinstance(res, Windowed) else "sum"
    weights = records["numerator"].to_numpy(dtype=float)
    num = (weights.max() if len(weights) else 0.0) if agg == "max" else weights.sum()
    pos = window_position(ctx, period_type, period_end)
    w = ctx.grid.windows(period_type)
    if defn.unit == "rate":
        den = float(ctx.population(w.end[pos:pos + 1])[0])
    elif defn.unit == "count" or agg == "max":
        den = np.nan
    else:
        den = float(records["denominator"].to_numpy(dtype=float).sum())
    value, den_out = _values(defn, np.array([num]), np.array([den]), w.months[pos:pos + 1], agg)
    return {"numerator": float(num), "denominator": float(den_out[0]), "value": float(value[0])}
