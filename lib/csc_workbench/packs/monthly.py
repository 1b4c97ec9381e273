"""Everything the monthly pack shows for one authority and month, gathered in one call.

``build_monthly_pack(authority, month, audience, warehouse)`` reads the warehouse once
(read-only: packs run in parallel, and only one process may write a DuckDB file) and
returns a ``MonthlyPack``:

* ``scorecard``: ``assessment.build_scorecard`` for the month (one row per measure: values
  by period, direction of travel, target and RAG, benchmarks, SPC, commentary);
* ``history``: ``assessment.build_assessment_table`` over the months the charts show (up to
  36 to the month, never after it), with SPC limits computed from those months;
* ``spc``: the monthly series behind each chart (month, else month end) with those limits;
* ``teams``: the team breakdown at the month and the month before, with team names;
* ``benchmarks``: DfE's published figures for a real authority, or for a fictional one
  the other fictional authorities pooled (``reference.report.benchmarks_for``), for the
  latest financial year that had ended (and, for DfE, been published) by the month;
* the analyst's ``commentary`` for the month (``params/commentary/<authority>/<YYYY-MM>.md``);
* internal audience only: the data-quality account of the latest load, the open
  assessments past 45 working days (child level) and caseloads by worker.

The audience is applied here, before anything reaches a page: for ``shared`` the worker
breakdown is never read, small numbers are suppressed by the assessment layer
(``privacy.apply_audience``), and no child- or worker-level table is read at all.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..calendar import add_working_days, parse_month, working_days_between
from ..config import params_dir
from ..errors import ConfigError
from ..measures.catalogue import AREAS, TIDY_COLUMNS, TOTAL, WAREHOUSE_COLUMNS
from ..privacy import apply_audience, check_audience

HISTORY_MONTHS = 36
COMMENTARY_MAX_CHARS = 20_000
# Breakdowns a pack reads: totals and teams. Workers' figures never leave the warehouse
# for a pack (the internal caseload table is built from allocations, names attached).
PACK_BREAKDOWNS = (TOTAL, "team")
# The columns of the assessment table a page reads per measure (a narrow frame is much
# quicker to slice, dozens of times a pack).
HISTORY_VIEW = ["measure", "breakdown", "period_type", "period_end", "value", "status", "previous_value",
                "year_ago_value", "target", "rag", "rag_label", "spc_value", "spc_mean", "spc_lcl", "spc_ucl",
                "spc_special_cause", "spc_rules", "spc_flag", "spc_label"]
# The SPC columns the charts draw: the monthly series (month, else month end) and its limits.
SPC_VIEW = ["measure", "breakdown", "period_type", "period_end", "value", "mean", "lcl", "ucl", "special_cause",
            "rules", "variation"]


@dataclass
class MonthlyPack:
    """One authority-month, ready to render (see the module docstring)."""

    authority: str
    name: str
    month: str
    month_end: pd.Timestamp
    audience: str
    synthetic: bool
    scorecard: pd.DataFrame
    history: pd.DataFrame
    teams: pd.DataFrame
    spc: pd.DataFrame
    benchmarks: pd.DataFrame | None
    benchmark_year: str | None
    benchmark_source: str
    commentary: str | None
    commentary_file: Path
    first_month: pd.Timestamp | None = None
    load_account: pd.DataFrame | None = None
    dq_rules: pd.DataFrame | None = None
    overdue_assessments: pd.DataFrame | None = None
    worker_caseloads: pd.DataFrame | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def month_label(self) -> str:
        return f"{self.month_end:%B %Y}"

    @property
    def internal(self) -> bool:
        return self.audience == "internal"

    def area_rows(self, area: str) -> pd.DataFrame:
        return self.scorecard[self.scorecard["area"] == area]

    def history_for(self, measure: str) -> pd.DataFrame:
        """One measure's months (breakdown 'all'), oldest first."""
        if "_history_groups" not in self.__dict__:
            h = self.history[self.history["breakdown"] == TOTAL].sort_values(["measure", "period_end"])
            h = h[[c for c in HISTORY_VIEW if c in h.columns]]
            self.__dict__["_history_groups"] = {m: g.reset_index(drop=True) for m, g in h.groupby("measure", sort=False)}
        return self.__dict__["_history_groups"].get(measure, self.history.iloc[0:0])

    def spc_for(self, measure: str) -> pd.DataFrame:
        """One measure's monthly series (breakdown 'all') with SPC mean, limits and flags."""
        if "_spc_groups" not in self.__dict__:
            s = self.spc[self.spc["breakdown"] == TOTAL].sort_values(["measure", "period_end"])
            self.__dict__["_spc_groups"] = {m: g.reset_index(drop=True) for m, g in s.groupby("measure", sort=False)}
        return self.__dict__["_spc_groups"].get(measure, self.spc.iloc[0:0])

    def teams_for(self, measure: str) -> pd.DataFrame:
        """One measure's team rows at the month and the month before."""
        if "_team_groups" not in self.__dict__:
            self.__dict__["_team_groups"] = {m: g for m, g in self.teams.groupby("measure", sort=False)}
        return self.__dict__["_team_groups"].get(measure, self.teams.iloc[0:0])


# --------------------------------------------------------------------------------------
# Small readers
# --------------------------------------------------------------------------------------
def commentary_path(authority: str, month: str, folder: Path | None = None) -> Path:
    base = Path(folder) if folder is not None else params_dir() / "commentary"
    return base / authority / f"{month}.md"


def read_commentary(authority: str, month: str, folder: Path | None = None) -> str | None:
    """The analyst's commentary for the month as written (markdown), or None. Rendering
    escapes any HTML in it (``presentation.sections.safe_markdown``)."""
    path = commentary_path(authority, month, folder)
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8", errors="replace").strip()
    if len(text) > COMMENTARY_MAX_CHARS:
        text = text[:COMMENTARY_MAX_CHARS] + "\n\n(commentary cut short: over 20,000 characters)"
    return text or None


def catalogue_frame(catalogue) -> pd.DataFrame:
    """measure, unit, polarity, title of every measure (for the reference layer, which
    cannot import the measure catalogue)."""
    return pd.DataFrame({"measure": list(catalogue), "unit": [d.unit for d in catalogue.values()],
                         "polarity": [d.polarity for d in catalogue.values()],
                         "title": [d.title for d in catalogue.values()]})


def latest_complete_year(month_end: pd.Timestamp) -> int:
    """The last financial year (named by its end, 2025 = 2024-25) complete at the month."""
    return month_end.year if month_end.month >= 3 else month_end.year - 1


def latest_published_year(month_end: pd.Timestamp) -> int:
    """The last year DfE had published by the month: a year ending in March is published in
    the autumn (children in need and looked-after statistics in November)."""
    return month_end.year if month_end.month >= 11 else month_end.year - 1


def _tables(con) -> set[str]:
    from ..model.warehouse import list_tables

    return set(list_tables(con))


def _authority_row(con, tables: set[str], authority: str, warehouse) -> dict:
    if "authorities" not in tables:
        raise ConfigError(f"{warehouse}: the warehouse has no 'authorities' table: load or synthesise data first")
    frame = con.execute('SELECT * FROM "authorities" WHERE authority = ?', [authority]).df()
    if frame.empty:
        known = [r[0] for r in con.execute('SELECT authority FROM "authorities" ORDER BY 1').fetchall()]
        shown = ", ".join(known[:12]) + (" ..." if len(known) > 12 else "")
        raise ConfigError(f"unknown authority {authority!r}: the warehouse holds {shown or 'no authorities'}")
    return frame.iloc[0].to_dict()


def _read_measures(con, authority: str, first: pd.Timestamp, last: pd.Timestamp) -> pd.DataFrame:
    cols = ", ".join(WAREHOUSE_COLUMNS)
    frame = con.execute(
        f"SELECT {cols} FROM measures WHERE authority = ? AND breakdown IN (SELECT unnest(?)) "
        "AND period_end >= ? AND period_end <= ? ORDER BY measure, breakdown, breakdown_value, period_type, period_end",
        [authority, list(PACK_BREAKDOWNS), first.date(), last.date()]).df()
    frame["period_end"] = pd.to_datetime(frame["period_end"]).astype("datetime64[us]")
    for c in ("numerator", "denominator", "value"):
        frame[c] = frame[c].astype("float64")
    return frame


def _measure_span(con, authority: str) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    lo, hi = con.execute("SELECT min(period_end), max(period_end) FROM measures WHERE authority = ? "
                         "AND breakdown = 'all' AND status = 'ok'", [authority]).fetchone()
    return (pd.Timestamp(lo) if lo is not None else None, pd.Timestamp(hi) if hi is not None else None)


def _team_names(con, tables: set[str], authority: str) -> dict[str, str]:
    if "teams" not in tables:
        return {}
    rows = con.execute('SELECT team_id, team_name FROM "teams" WHERE authority = ?', [authority]).fetchall()
    return {str(t): str(n) for t, n in rows if n}


# --------------------------------------------------------------------------------------
# Internal-only readers (child and worker level)
# --------------------------------------------------------------------------------------
def overdue_assessments(con, tables: set[str], authority: str, month_end: pd.Timestamp,
                        team_names: dict[str, str]) -> pd.DataFrame:
    """Assessments open at the month end and already past 45 working days (the children
    behind ``assessments_open_over_45wd``): child, team, worker, start date and working
    days open, longest first. Internal only."""
    columns = ["Child ID", "Team", "Social worker", "Assessment started", "Working days open"]
    if "assessments" not in tables:
        return pd.DataFrame(columns=columns)
    a = con.execute('SELECT child_id, team_id, worker_id, start_date, authorised_date FROM "assessments" '
                    "WHERE authority = ? AND start_date <= ? AND (authorised_date IS NULL OR authorised_date > ?)",
                    [authority, month_end.date(), month_end.date()]).df()
    if a.empty:
        return pd.DataFrame(columns=columns)
    # The same test as the measure: the first day with 46 working days since the start.
    overdue_from = add_working_days(a["start_date"], 46)
    late = a[pd.to_datetime(overdue_from) <= month_end].copy()
    names = {}
    if "workers" in tables and len(late):
        names = dict(con.execute('SELECT worker_id, worker_name FROM "workers" WHERE authority = ?',
                                 [authority]).fetchall())
    out = pd.DataFrame({
        "Child ID": late["child_id"].astype(str).to_numpy(),
        "Team": late["team_id"].map(team_names).fillna(late["team_id"]).fillna("not recorded").to_numpy(),
        "Social worker": late["worker_id"].map(names).fillna(late["worker_id"]).fillna("not recorded").to_numpy(),
        "Assessment started": pd.to_datetime(late["start_date"]).dt.strftime("%d/%m/%Y").to_numpy(),
        "Working days open": working_days_between(late["start_date"], np.full(len(late), month_end)).astype(int),
    })
    return out.sort_values(["Working days open", "Child ID"], ascending=[False, True]).reset_index(drop=True)


def worker_caseloads(con, tables: set[str], authority: str, month_end: pd.Timestamp,
                     team_names: dict[str, str]) -> pd.DataFrame:
    """Children allocated to each worker at the month end (as ``caseload_avg`` counts them),
    largest first, with team and whether the worker is agency staff. Internal only."""
    columns = ["Social worker", "Team", "Agency", "Children allocated"]
    if not {"allocations", "workers"} <= tables:
        return pd.DataFrame(columns=columns)
    # Open at the month end: started on or before it, not ended by it (as the measures do).
    frame = con.execute(
        # One row per worker (a worker holding cases in two teams is shown in the team holding most).
        'SELECT a.worker_id, any_value(w.worker_name) AS worker_name, '
        'mode(coalesce(a.team_id, w.team_id)) AS team_id, any_value(w.agency) AS agency, '
        'count(DISTINCT a.child_id) AS n FROM "allocations" a LEFT JOIN "workers" w '
        'ON a.authority = w.authority AND a.worker_id = w.worker_id '
        'WHERE a.authority = ? AND a.start_date <= ? AND (a.end_date IS NULL OR a.end_date > ?) '
        'GROUP BY a.worker_id ORDER BY n DESC, worker_name', [authority, month_end.date(), month_end.date()]).df()
    return pd.DataFrame({
        "Social worker": frame["worker_name"].fillna(frame["worker_id"]).fillna("not recorded").to_numpy(),
        "Team": frame["team_id"].map(team_names).fillna(frame["team_id"]).fillna("not recorded").to_numpy(),
        "Agency": np.where(frame["agency"].fillna(False).astype(bool), "yes", "no"),
        "Children allocated": frame["n"].astype(int).to_numpy(),
    })


def load_account(con, tables: set[str], authority: str) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """(account, rule counts) of the authority's latest load, or (None, None) when no load
    was recorded (synthetic data is generated straight into the warehouse)."""
    if not {"dq_account", "dq_issues"} <= tables:
        return None, None
    row = con.execute("SELECT load_id FROM dq_account WHERE authority = ? ORDER BY loaded_at DESC LIMIT 1",
                      [authority]).fetchone()
    if row is None:
        return None, None
    account = con.execute('SELECT "file", "table", rows_read, loaded, rejected, fixed, warnings, loaded_at '
                          'FROM dq_account WHERE authority = ? AND load_id = ? ORDER BY rowid',
                          [authority, row[0]]).df()
    rules = con.execute('SELECT "table", "rule", "action", count(*) AS n FROM dq_issues '
                        'WHERE authority = ? AND load_id = ? GROUP BY ALL ORDER BY "action", n DESC',
                        [authority, row[0]]).df()
    return account, rules


# --------------------------------------------------------------------------------------
# Benchmarks
# --------------------------------------------------------------------------------------
def _benchmarks(con, tables: set[str], authority: str, month_end: pd.Timestamp, warehouse: Path,
                synthetic: bool, measures: pd.DataFrame) -> tuple[pd.DataFrame | None, str]:
    """(benchmark summary, where it comes from). Reads through the pack's connection and
    never writes the warehouse."""
    from ..reference.compare import UnknownAuthority, benchmark_summary, resolve_authority

    if synthetic:
        from ..reference.report import synthetic_authorities

        auth = synthetic_authorities(con=con)
        try:
            ref = synthetic_reference_cached(con, tables, measures)
        except ConfigError:
            return None, "no benchmarks: the warehouse holds no complete year of measures yet"
        code = resolve_authority(authority, auth)
        table = benchmark_summary(ref["ref_benchmarks"], ref["ref_stat_neighbours"], auth, code,
                                  year=latest_complete_year(month_end), release="latest", measures=measures)
        return table, ("the other fictional authorities in the warehouse, pooled as DfE pools authorities (their "
                       "region and 'England' are the same pool; statistical neighbours are the most similar of "
                       "them)")
    from ..reference.build import REFERENCE_TABLES

    if not set(REFERENCE_TABLES) <= tables:
        return None, "DfE's published statistics are not loaded into the warehouse (run `cscw reference`)"
    ref = {t: con.sql(f'SELECT * FROM "{t}"').to_arrow_table().to_pandas() for t in REFERENCE_TABLES}
    try:
        code = resolve_authority(authority, ref["ref_authorities"], ref.get("ref_area_lookup"))
    except UnknownAuthority:
        return None, f"{authority} is not an English local authority in DfE's published statistics"
    bench = ref["ref_benchmarks"]
    bench = bench[bench["year"] <= latest_published_year(month_end)]
    table = benchmark_summary(bench, ref["ref_stat_neighbours"], ref["ref_authorities"], code,
                              measures=ref.get("ref_measures"))
    return table, ("DfE's published statistics. Contains public sector information licensed under the "
                   "Open Government Licence v3.0")


def synthetic_reference_cached(con, tables: set[str], measures: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """``reference.report.synthetic_reference_tables``, kept on disk between packs. Every
    pack of a region pools the same authorities, so it is built once per set of measures:
    the key is every authority's measures cache key (which changes with its data or the
    measures code), the authorities table, the measure units and the reference code."""
    import hashlib
    import pickle

    from ..reference.report import synthetic_reference_tables
    from .render import _cache_dir, atomic_write_bytes

    if "measures_cache" not in tables:
        return synthetic_reference_tables(con=con, measures=measures)
    h = hashlib.sha256()
    for sql in ("SELECT authority, cache_key FROM measures_cache ORDER BY ALL",
                'SELECT authority, la_name, region_code, region_name, is_synthetic FROM "authorities" ORDER BY ALL'):
        h.update(repr(con.execute(sql).fetchall()).encode())
    h.update(pd.util.hash_pandas_object(measures, index=False).to_numpy().tobytes())
    here = Path(__file__).resolve().parents[1] / "reference"
    for name in ("synthetic.py", "compare.py", "report.py", "build.py"):
        h.update((here / name).read_bytes())
    h.update(pd.__version__.encode())
    path = _cache_dir() / f"synthetic-reference-{h.hexdigest()[:24]}.pkl"
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    ref = synthetic_reference_tables(con=con, measures=measures)
    try:
        atomic_write_bytes(path, pickle.dumps(ref, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:  # a read-only cache folder only costs the time to rebuild
        pass
    return ref


def _year_label(table: pd.DataFrame | None) -> str | None:
    if table is None or table.empty or "year" not in table.columns:
        return None
    from ..calendar import financial_year_label

    years = pd.to_numeric(table["year"], errors="coerce").dropna()
    return financial_year_label(int(years.max())) if len(years) else None


# --------------------------------------------------------------------------------------
# The pack
# --------------------------------------------------------------------------------------
def build_monthly_pack(authority: str, month: str, audience: str = "shared",
                       warehouse: str | Path | None = None, *, history_months: int = HISTORY_MONTHS,
                       commentary_dir: str | Path | None = None, targets=None,
                       manual=None) -> MonthlyPack:
    """Gather one authority-month for the monthly pack (see the module docstring).

    ``targets`` / ``manual`` default to the authority's files under ``params/``. Raises
    ``ConfigError`` for a bad month or audience, an unknown authority, a warehouse without
    measures for the authority, or a month outside the authority's data.
    """
    from ..assessment import build_scorecard_and_table, load_manual, load_targets, spc_flags
    from ..assessment.manual import catalogue_with_manual
    from ..model.warehouse import connect, default_path

    timings: dict[str, float] = {}
    started = time.perf_counter()
    check_audience(audience)
    try:
        month_end = parse_month(month)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    month = f"{month_end:%Y-%m}"
    path = Path(warehouse) if warehouse else default_path()
    if not path.exists():
        raise ConfigError(f"no warehouse at {path}: run `cscw synth` (or load data) first")
    first = (pd.Period(month_end, "M") - (history_months - 1)).to_timestamp(how="end").normalize()

    with connect(path, read_only=True) as con:
        tables = _tables(con)
        info = _authority_row(con, tables, authority, path)
        if "measures" not in tables:
            raise ConfigError(f"{path}: no measures computed yet: run `cscw measures --authority {authority} "
                              f"--month {month}` (or `cscw demo`)")
        lo, hi = _measure_span(con, authority)
        if lo is None:
            raise ConfigError(f"no measures for {authority} in {path}: run `cscw measures --authority {authority} "
                              f"--month {month}`")
        if not (lo <= month_end <= hi):
            raise ConfigError(f"no data for {authority} in {month}: its measures run from {lo:%Y-%m} to {hi:%Y-%m}")
        tidy = _read_measures(con, authority, max(first, lo), month_end)
        team_names = _team_names(con, tables, authority)
        catalogue = catalogue_with_manual()
        synthetic = bool(info.get("is_synthetic")) if info.get("is_synthetic") is not None else False
        t = time.perf_counter()
        bench, source = _benchmarks(con, tables, authority, month_end, path, synthetic, catalogue_frame(catalogue))
        timings["benchmarks"] = time.perf_counter() - t
        internal = {}
        if audience == "internal":
            internal["load_account"], internal["dq_rules"] = load_account(con, tables, authority)
            internal["overdue_assessments"] = overdue_assessments(con, tables, authority, month_end, team_names)
            internal["worker_caseloads"] = worker_caseloads(con, tables, authority, month_end, team_names)
    timings["read"] = time.perf_counter() - started - timings["benchmarks"]

    t = time.perf_counter()
    targets = targets if targets is not None else load_targets(authority)
    manual = manual if manual is not None else load_manual(authority)
    totals = tidy[tidy["breakdown"] == TOTAL]
    units = {k: d.unit for k, d in catalogue.items()}
    # SPC once, on the monthly series as the audience may see them (suppressed months are
    # gaps), shared by the scorecard, the assessment table and the charts.
    seen = [totals[TIDY_COLUMNS]]
    manual_tidy = getattr(manual, "tidy", None)
    if manual_tidy is not None and len(manual_tidy):
        seen.append(manual_tidy[manual_tidy["authority"] == authority][TIDY_COLUMNS])
    seen = apply_audience(pd.concat(seen, ignore_index=True), audience, units, display=False)
    spc = spc_flags(seen[seen["period_end"] <= month_end], catalogue)
    scorecard, history = build_scorecard_and_table(totals, catalogue, authority, month, targets,
                                                   benchmark_summary=bench, spc=spc, audience=audience,
                                                   manual=manual)
    history = history[history["period_end"] <= month_end].reset_index(drop=True)
    timings["assessment"] = time.perf_counter() - t

    previous = (pd.Period(month_end, "M") - 1).to_timestamp(how="end").normalize()
    teams = tidy[(tidy["breakdown"] == "team") & tidy["period_end"].isin([previous, month_end])]
    teams = apply_audience(teams.reset_index(drop=True), audience, units)
    teams["team_name"] = teams["breakdown_value"].map(team_names).fillna(teams["breakdown_value"])

    path_c = commentary_path(authority, month, commentary_dir)
    pack = MonthlyPack(
        authority=authority, name=str(info.get("la_name") or authority), month=month, month_end=month_end,
        audience=audience, synthetic=synthetic, scorecard=scorecard, history=history, teams=teams,
        spc=spc[SPC_VIEW].reset_index(drop=True),
        benchmarks=bench, benchmark_year=_year_label(bench), benchmark_source=source,
        commentary=read_commentary(authority, month, commentary_dir), commentary_file=path_c,
        first_month=lo, timings=timings, **internal)
    timings["total"] = time.perf_counter() - started
    return pack


def write_scorecard(pack: MonthlyPack, output_dir: str | Path | None) -> Path | None:
    """The board-paper scorecard workbook (same columns as the page's scorecard, the
    audience's suppression applied) as ``<authority>_<month>_scorecard_<audience>.xlsx`` in
    ``output_dir``; None when no folder is given (a notebook run by hand)."""
    if not output_dir:
        return None
    from ..presentation.scorecard_table import write_scorecard_xlsx

    out = Path(output_dir) / f"{pack.authority}_{pack.month}_scorecard_{pack.audience}.xlsx"
    return write_scorecard_xlsx(pack.scorecard, out, title=f"Children's social care scorecard: {pack.name} "
                                f"({pack.authority}), {pack.month_label}", audience=pack.audience,
                                benchmark_source=pack.benchmark_source)


__all__ = ["MonthlyPack", "build_monthly_pack", "read_commentary", "commentary_path", "write_scorecard",
           "overdue_assessments", "worker_caseloads", "load_account", "HISTORY_MONTHS", "AREAS"]
