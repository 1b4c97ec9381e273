"""The monthly batch: every notebook for every authority, in parallel, published safely.

``run_batch`` checks everything it can before running anything (month, authorities, data
for the month, notebooks' parameters), then runs each notebook with papermill *inside* a
worker process (a local process pool, or a Dask cluster given its address) and renders
it to offline HTML. One failing notebook never stops the others: it is kept under
``outputs/<month>/failed/`` with its error, never published, and the run's exit status
is non-zero; ``retry_failed`` reruns only those.

Publishing is atomic. A notebook runs in a hidden staging folder; only when it succeeded
and its page rendered are its files renamed into ``outputs/<month>/<authority>/`` (a
rename within one file system is atomic), the page last. A killed run leaves at most
staging debris, which the next run of the month clears, never a half-written pack where
a reader would look. Two runs of the same month at once are refused (a lock file).

Layout::

    outputs/<month>/index.html                                  every pack and its status
    outputs/<month>/run_manifest.json                           inputs' hashes, versions, outcome
    outputs/<month>/<authority>/<authority>_<month>_<notebook>_<audience>.html   (and .ipynb)
    outputs/<month>/region/...                                  notebooks run once per run
    outputs/<month>/failed/<authority>/<notebook>_<audience>.ipynb (and .error.txt)

Published statistics (``published=True``, ``cscw run --published``): the yearly
benchmarking pack for real authorities, from DfE's files in the warehouse's reference
tables (loaded once, up front, if they are not there), for every authority in
``ref_authorities``; filed by year, not month::

    outputs/published/<year>/index.html                         every authority by region
    outputs/published/<year>/<code>/<code>_<year>_published_benchmarks_<audience>.html
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import shutil
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..calendar import parse_month
from ..errors import ConfigError
from . import index as index_mod
from . import manifest as mf
from .kernels import no_main_module
from .params import BatchConfig, NotebookSpec, load_config, resolve_notebooks
from .render import AUDIENCES, NotebookFailed, atomic_write_text, execute_notebook, export_html

REGION = "region"  # folder and authority label for notebooks run once per run
PUBLISHED_NOTEBOOK = "published_benchmarks"  # the default notebook of a published run
PUBLISHED_DIR = "published"  # outputs/published/<year>/
STAGING = ".staging"
LOCK = ".run.lock"
# Tables whose event dates say which months an authority has data for.
EVENT_DATES = {"contacts": "contact_date", "referrals": "referral_date", "assessments": "start_date",
               "s47": "start_date", "cp_plans": "start_date", "cla_episodes": "decom"}


# --------------------------------------------------------------------------------------
# Tasks and results (plain data: they travel to worker processes and Dask workers)
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Task:
    key: str
    authority: str  # an authority code, or REGION for run-scoped notebooks
    notebook: str
    audience: str
    month: str
    template: str
    parameters: dict
    staging: str  # this task's private staging folder
    publish_dir: str
    failed_dir: str
    stem: str  # published file name without extension
    output_dir_param: bool
    timeout: int | None


@dataclass
class TaskResult:
    key: str
    authority: str
    notebook: str
    audience: str
    status: str  # "ok" or "failed"
    duration_s: float
    parameters: dict
    template: str
    html: str | None = None  # paths relative to the month folder
    ipynb: str | None = None
    extra_files: list[str] = field(default_factory=list)
    bytes: int | None = None
    charts: int | None = None
    warnings: int | None = None
    sha256: str | None = None
    error: str | None = None
    error_file: str | None = None
    worker: str | None = None
    browser: str | None = None  # published runs: "ok" or what the offline browser check found


@dataclass
class BatchResult:
    month: str
    run_id: str
    month_dir: Path
    results: list[TaskResult]
    manifest_path: Path
    index_path: Path

    @property
    def failed(self) -> list[TaskResult]:
        return [r for r in self.results if r.status != "ok"]

    @property
    def ok(self) -> list[TaskResult]:
        return [r for r in self.results if r.status == "ok"]

    @property
    def browser_failed(self) -> list[TaskResult]:
        return [r for r in self.results if r.browser not in (None, "ok")]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.browser_failed else 0


# --------------------------------------------------------------------------------------
# Worker side
# --------------------------------------------------------------------------------------
def warm_worker() -> str:
    """Do the once-per-process work up front: imports, the page template, the Vega bundle
    and the kernel fork server (which imports the notebooks' libraries once)."""
    from . import kernels, render

    render._exporter()
    render.vega_bundle()
    if kernels.forking_enabled():
        kernels.start_fork_server()
    return f"{os.uname().nodename}:{os.getpid()}"


def _rel(path: Path, month_dir: Path) -> str:
    return os.path.relpath(path, month_dir)


def _remove(paths) -> None:
    for p in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(p)


def run_task(task: Task) -> TaskResult:
    """Run one notebook and publish or quarantine it. Never raises for a notebook's own
    failure: that is a result (so one failure does not stop the batch)."""
    started = time.perf_counter()
    staging = Path(task.staging)
    publish_dir, failed_dir = Path(task.publish_dir), Path(task.failed_dir)
    month_dir = publish_dir.parent
    out_dir = staging / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    params = dict(task.parameters)
    if task.output_dir_param:
        params["output_dir"] = str(out_dir)
    work_ipynb = staging / f"{task.stem}.ipynb"
    work_html = staging / f"{task.stem}.html"
    final_html = publish_dir / f"{task.stem}.html"
    final_ipynb = publish_dir / f"{task.stem}.ipynb"
    failed_stem = f"{task.notebook}_{task.audience}"
    failed_ipynb = failed_dir / f"{failed_stem}.ipynb"
    failed_error = failed_dir / f"{failed_stem}.error.txt"
    result = TaskResult(key=task.key, authority=task.authority, notebook=task.notebook, audience=task.audience,
                        status="failed", duration_s=0.0, parameters=task.parameters, template=task.template,
                        worker=f"{os.uname().nodename}:{os.getpid()}")
    try:
        execute_notebook(Path(task.template), work_ipynb, params, cwd=Path(task.template).parent,
                         execution_timeout=task.timeout)
        rendered = export_html(work_ipynb, work_html, task.audience)
        # Publish: extra files and the notebook first, the page (what readers open) last.
        publish_dir.mkdir(parents=True, exist_ok=True)
        extras = []
        for src in sorted(p for p in out_dir.rglob("*") if p.is_file()):
            dest = publish_dir / src.relative_to(out_dir)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dest)
            extras.append(_rel(dest, month_dir))
        os.replace(work_ipynb, final_ipynb)
        os.replace(work_html, final_html)
        _remove([failed_ipynb, failed_error])  # an earlier failure is now superseded
        result.status = "ok"
        result.html, result.ipynb, result.extra_files = _rel(final_html, month_dir), _rel(final_ipynb, month_dir), extras
        result.bytes, result.charts, result.warnings, result.sha256 = (
            rendered.bytes, rendered.charts, rendered.warnings, rendered.sha256)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a result
        error = exc.error if isinstance(exc, NotebookFailed) else f"{type(exc).__name__}: {exc}"
        failed_dir.mkdir(parents=True, exist_ok=True)
        header = (f"{task.notebook} for {task.authority}, {task.month}, audience {task.audience}\n"
                  f"template: {task.template}\n\n")
        atomic_write_text(failed_error, header + error + "\n")
        if work_ipynb.exists():
            os.replace(work_ipynb, failed_ipynb)
        else:
            _remove([failed_ipynb])
        # Never leave an older version of this pack published as if it were this run's.
        _remove([final_html, final_ipynb])
        with contextlib.suppress(OSError):
            publish_dir.rmdir()  # only if now empty
        result.error = error.strip().splitlines()[-1][:500] if error.strip() else type(exc).__name__
        result.error_file = _rel(failed_error, month_dir)
        result.ipynb = _rel(failed_ipynb, month_dir) if failed_ipynb.exists() else None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        result.duration_s = round(time.perf_counter() - started, 3)
    return result


# --------------------------------------------------------------------------------------
# Checks before running
# --------------------------------------------------------------------------------------
def _resolve_warehouse(warehouse: Path | None) -> Path:
    from ..model.warehouse import default_path

    path = Path(warehouse) if warehouse is not None else default_path()
    if not path.exists():
        raise ConfigError(f"no warehouse at {path}: run `cscw synth` (or load data) first, or pass --warehouse")
    return path.resolve()


def authority_names(warehouse: Path, codes: list[str]) -> dict[str, str]:
    from ..model.warehouse import connect

    with connect(warehouse, read_only=True) as con:
        rows = con.execute('SELECT authority, la_name FROM "authorities" WHERE authority IN (SELECT unnest(?))',
                           [list(codes)]).fetchall()
    return {code: name for code, name in rows if name}


def check_authorities_and_month(warehouse: Path, authorities: str | list[str] | None, month: str) -> list[str]:
    """The authority codes to run, after checking each is in the warehouse and has data
    for ``month`` (its event dates span that month). One clear error otherwise."""
    from ..model.warehouse import connect, list_tables

    month_end = parse_month(month)
    month_start = month_end.replace(day=1)
    with connect(warehouse, read_only=True) as con:
        tables = set(list_tables(con))
        if "authorities" not in tables:
            raise ConfigError(f"{warehouse}: the warehouse has no 'authorities' table: load or synthesise data first")
        known = [r[0] for r in con.execute('SELECT DISTINCT authority FROM "authorities" ORDER BY 1').fetchall()]
        if not known:
            raise ConfigError(f"{warehouse}: table 'authorities' is empty: load or synthesise data first")
        if authorities in (None, "all", ["all"]):
            chosen = known
        else:
            if isinstance(authorities, str):
                authorities = [a.strip() for a in authorities.split(",") if a.strip()]
            unknown = [a for a in authorities if a not in known]
            if unknown:
                raise ConfigError(f"unknown authority {', '.join(unknown)}: the warehouse {warehouse.name} holds "
                                  f"{', '.join(known)}")
            chosen = list(dict.fromkeys(authorities))
        parts = [f'SELECT authority, "{col}" AS d FROM "{t}"' for t, col in EVENT_DATES.items() if t in tables]
        spans = {}
        if parts:
            sql = (f"SELECT authority, min(d), max(d) FROM ({' UNION ALL '.join(parts)}) "
                   f"WHERE authority IN (SELECT unnest(?)) GROUP BY authority")
            spans = {a: (lo, hi) for a, lo, hi in con.execute(sql, [chosen]).fetchall()}
    import pandas as pd

    lacking = []
    for code in chosen:
        lo, hi = spans.get(code, (None, None))
        if lo is None or pd.Timestamp(lo) > month_end or pd.Timestamp(hi) < month_start:
            span = f"{pd.Timestamp(lo):%Y-%m} to {pd.Timestamp(hi):%Y-%m}" if lo is not None else "no events"
            lacking.append(f"{code} ({span})")
    if lacking:
        raise ConfigError(f"no data for {month} in the warehouse for: {'; '.join(lacking)}")
    return chosen


# --------------------------------------------------------------------------------------
# Published statistics: real authorities, from the reference tables
# --------------------------------------------------------------------------------------
def published_reference(warehouse: Path | None) -> Path:
    """The warehouse holding DfE's reference tables. If they are not there they are loaded
    once, here, from DfE's files (``config.dfe_dir()``), so that no notebook parses the
    CSVs; ``cscw reference --folder`` loads another folder."""
    from ..model.warehouse import connect, default_path, list_tables
    from ..reference import load_reference
    from ..reference.build import REFERENCE_TABLES

    path = Path(warehouse) if warehouse is not None else default_path()
    have: set[str] = set()
    if path.exists():
        with connect(path, read_only=True) as con:
            have = set(list_tables(con))
    if not set(REFERENCE_TABLES) <= have:
        load_reference(None, path)
    return path.resolve()


def published_year(warehouse: Path, year: int | None) -> int:
    """The year (ending 31 March) a published run is filed under: the one asked for,
    checked against the years DfE's files hold, or the latest with authority figures."""
    from ..presentation.published import latest_year

    latest = latest_year(warehouse)
    if year is None:
        return latest
    from ..model.warehouse import connect

    with connect(warehouse, read_only=True) as con:
        first = con.execute("SELECT min(year) FROM ref_benchmarks WHERE geography = 'la' AND status = 'ok'"
                            ).fetchone()[0]
    if not first or not (int(first) <= int(year) <= latest):
        raise ConfigError(f"--year {year}: DfE's published files in the warehouse hold {first} to {latest} "
                          f"(years ending 31 March)")
    return int(year)


def check_published_authorities(warehouse: Path, authorities: str | list[str] | None
                                ) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """The authorities of a published run as DfE's old codes, with their names and regions:
    ``all`` (the 153 in ``ref_authorities``), or each given as an old code (343), new code
    (E08000014) or name ("Sefton"). Unknown ones are one clear error, naming near matches."""
    from ..model.warehouse import connect, list_tables
    from ..reference import UnknownAuthority, resolve_authority

    with connect(warehouse, read_only=True) as con:
        auth = con.sql('SELECT * FROM "ref_authorities" ORDER BY old_la_code').df()
        lookup = con.sql('SELECT * FROM "ref_area_lookup"').df() if "ref_area_lookup" in list_tables(con) else None
    if auth.empty:
        raise ConfigError(f"{warehouse}: no authorities in ref_authorities: run `cscw reference`")
    if authorities in (None, "all", ["all"]):
        chosen = auth["old_la_code"].astype("str").tolist()
    else:
        if isinstance(authorities, str):
            authorities = [a.strip() for a in authorities.split(",") if a.strip()]
        chosen, problems = [], []
        for text in authorities:
            try:
                chosen.append(resolve_authority(text, auth, lookup))
            except UnknownAuthority as exc:
                problems.append(str(exc))
        if problems:
            raise ConfigError("; ".join(problems))
        chosen = list(dict.fromkeys(chosen))
    rows = auth.set_index("old_la_code")
    names = {c: str(rows.at[c, "la_name"]) for c in chosen}
    regions = {c: str(rows.at[c, "region_name"]) for c in chosen}
    return chosen, names, regions


def _browser_check(results: list[TaskResult], month_dir: Path) -> None:
    """Open every published page offline in headless Chromium (one browser for all) and
    record what it found on each result: "ok", or the problems (charts not drawn,
    requests that tried to leave, script errors)."""
    from .browser import check_many

    done = [r for r in results if r.status == "ok" and r.html]
    for r, check in zip(done, check_many([month_dir / r.html for r in done])):
        r.browser = "ok" if check.ok else "; ".join(check.problems())[:500]


def ensure_measures_for(warehouse: Path, authorities: list[str] | None = None) -> None:
    """Make each authority's stored measures current before any notebook starts: the
    notebooks only read the warehouse (many at once), and only one process may write a
    DuckDB file. Recomputes only an authority whose data or measures code changed.
    ``None``: every authority in the warehouse (a regional page pools them all)."""
    from ..measures.store import ensure_measures
    from ..model.warehouse import connect

    if authorities is None:
        with connect(warehouse, read_only=True) as con:
            authorities = [r[0] for r in con.execute("SELECT authority FROM authorities ORDER BY authority").fetchall()]
    for code in authorities:
        ensure_measures(code, warehouse)


@contextlib.contextmanager
def _month_lock(outputs: Path, month: str):
    """Refuse a second run of the same month while one is writing it."""
    import fcntl

    outputs.mkdir(parents=True, exist_ok=True)
    with open(outputs / f".{month}{LOCK}", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(f"another `cscw run` is writing {outputs / month} right now; "
                              f"wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# --------------------------------------------------------------------------------------
# Planning
# --------------------------------------------------------------------------------------
def _make_task(spec: NotebookSpec, authority: str, audience: str, month: str, warehouse: Path,
               month_dir: Path, staging_root: Path, timeout: int, run_authorities: list[str], *,
               period: str | None = None, extra: dict | None = None) -> Task:
    """``period`` names the files when it is not the month (a published run's year);
    ``extra`` adds parameters, each only if the notebook declares it."""
    params = {"authority": authority if authority != REGION else "", "month": month, "audience": audience,
              "warehouse": str(warehouse), **spec.parameters}
    params.update({k: v for k, v in (extra or {}).items() if k in spec.declared})
    if spec.scope == "run":
        params["authorities"] = list(run_authorities)
    folder = authority
    period = month if period is None else period
    stem = f"{folder}_{period}_{spec.name}_{audience}"
    return Task(
        key=mf.pack_key(folder, spec.name, audience), authority=folder, notebook=spec.name, audience=audience,
        month=period, template=str(spec.path), parameters=params,
        staging=str(staging_root / f"{folder}__{spec.name}__{audience}"),
        publish_dir=str(month_dir / folder), failed_dir=str(month_dir / "failed" / folder), stem=stem,
        output_dir_param=spec.wants_output_dir, timeout=spec.timeout or timeout)


def plan_tasks(specs: list[NotebookSpec], authorities: list[str], audience: str, month: str, warehouse: Path,
               month_dir: Path, staging_root: Path, timeout: int, *, period: str | None = None,
               extra: dict[str, dict] | None = None) -> list[Task]:
    """One task per notebook and authority (run-scoped notebooks: one per run).
    ``extra``: per authority, parameters added where the notebook declares them."""
    return [_make_task(spec, authority, audience, month, warehouse, month_dir, staging_root, timeout, authorities,
                       period=period, extra=(extra or {}).get(authority))
            for spec in specs for authority in ([REGION] if spec.scope == "run" else authorities)]


# --------------------------------------------------------------------------------------
# Executors
# --------------------------------------------------------------------------------------
def _progress(enabled: bool):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[status]}"), TimeElapsedColumn(),
                    console=Console(stderr=True), disable=not enabled, transient=False)


def _failed_result(task: Task, error: str) -> TaskResult:
    return TaskResult(key=task.key, authority=task.authority, notebook=task.notebook, audience=task.audience,
                      status="failed", duration_s=0.0, parameters=task.parameters, template=task.template,
                      error=error[:500])


def _run_local(tasks: list[Task], workers: int, on_done) -> list[TaskResult]:
    # spawn, not fork: a forked copy of a parent holding DuckDB handles, threads or a
    # progress display is unsafe; each worker starts clean and warms itself up once.
    ctx = multiprocessing.get_context("spawn")
    results = []
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=warm_worker) as pool:
        # Workers start as tasks are submitted; they need nothing from the caller's script
        # (an unguarded script would otherwise run again in each of them).
        with no_main_module():
            futures = {pool.submit(run_task, t): t for t in tasks}
        for fut in cf.as_completed(futures):
            task = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # a worker process died (e.g. killed for memory)
                res = _failed_result(task, f"worker process failed: {type(exc).__name__}: {exc}")
            results.append(res)
            on_done(res)
    return results


def _run_dask(tasks: list[Task], address: str, on_done) -> list[TaskResult]:
    from distributed import Client, as_completed

    results = []
    with Client(address, set_as_default=False) as client:
        client.run(warm_worker)
        futures = {client.submit(run_task, t, key=f"cscw-{uuid.uuid4().hex[:8]}-{t.key.replace('/', '-')}",
                                 pure=False): t for t in tasks}
        for fut in as_completed(list(futures), loop=client.loop):
            task = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:
                res = _failed_result(task, f"Dask task failed: {type(exc).__name__}: {exc}")
            results.append(res)
            on_done(res)
    return results


# --------------------------------------------------------------------------------------
# The batch
# --------------------------------------------------------------------------------------
def run_batch(month: str | None, authorities: str | list[str] | None = "all", notebooks: list[str] | None = None,
              audience: str | None = None, workers: int | None = None, dask_address: str | None = None,
              retry_failed: bool = False, outputs: Path = Path("outputs"), warehouse: Path | None = None, *,
              params_file: Path | None = None, notebook_dir: Path | None = None,
              progress: bool = True, published: bool = False, year: int | None = None,
              release: str = "latest", browser_check: bool = False) -> BatchResult:
    """Run the month's notebooks for the authorities and publish them under ``outputs/<month>``.

    ``published=True``: the published-statistics pack (default notebook
    ``published_benchmarks``) for real authorities from the reference tables (``all``: the
    153 in ``ref_authorities``; codes, new codes or names otherwise), for ``year`` (default:
    the latest published) and ``release`` (``latest`` or ``first``), under
    ``outputs/published/<year>``; no month. ``browser_check``: open every published page
    offline in Chromium afterwards; a page that fails makes the exit code 1.

    Raises ``ConfigError`` (exit 2 at the CLI) before running anything if the month, an
    authority, the data for the month, the params file or a notebook parameter is wrong.
    Returns a ``BatchResult``; its ``exit_code`` is 1 if any notebook failed.
    """
    cfg: BatchConfig = load_config(params_file)
    audience = audience or cfg.audience or "shared"
    if audience not in AUDIENCES:
        raise ConfigError(f"audience must be one of {', '.join(AUDIENCES)}, got {audience!r}")
    outputs = Path(outputs).resolve()
    names_of: dict[str, str] = {}
    regions_of: dict[str, str] = {}
    if published:
        if month:
            raise ConfigError("published statistics are yearly: give --year (default the latest), not --month")
        if release not in ("latest", "first"):
            raise ConfigError(f"--release must be latest or first, got {release!r}")
        wh = published_reference(warehouse)
        year = published_year(wh, year)
        month, period = "", str(year)
        month_dir = outputs / PUBLISHED_DIR / period
        lock_name = f"{PUBLISHED_DIR}-{period}"
        notebooks = notebooks or [PUBLISHED_NOTEBOOK]
    else:
        if month is None:
            raise ConfigError("give --month YYYY-MM (or --published for the published-statistics packs)")
        try:
            parse_month(month)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        month = period = lock_name = str(month)
        wh = _resolve_warehouse(warehouse)
        month_dir = outputs / month

    def check(codes) -> list[str]:
        if not published:
            return check_authorities_and_month(wh, codes, month)
        chosen, names, regions = check_published_authorities(wh, codes)
        names_of.update(names)
        regions_of.update(regions)
        return chosen

    def extra() -> dict[str, dict]:
        return {c: {"year": year, "release": release, "authority_name": n} for c, n in names_of.items()}

    previous = mf.read_manifest(month_dir) if month_dir.exists() else None
    workers = workers or cfg.workers or os.cpu_count() or 1
    if workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {workers}")
    run_id = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
    staging_root = month_dir / STAGING / run_id

    if retry_failed:
        # Rerun exactly the packs the manifest records as failed, rebuilt from the current
        # notebooks and params (the fix is usually there), with their own audience.
        if previous is None:
            raise ConfigError(f"--retry-failed: no run manifest in {month_dir}; run the month first")
        failed = [p for p in previous["packs"].values() if p["status"] != "ok"]
        specs = resolve_notebooks(cfg, list(dict.fromkeys(p["notebook"] for p in failed)), notebook_dir) if failed else []
        by_name = {s.name: s for s in specs}
        codes = sorted({a for p in failed for a in
                        ([p["authority"]] if p["authority"] != REGION else p["parameters"].get("authorities") or [])})
        run_authorities = check(codes) if codes else []
        tasks = []
        for p in failed:
            spec = by_name[p["notebook"]]
            scope_authorities = p["parameters"].get("authorities") or run_authorities
            tasks.append(_make_task(spec, p["authority"], p["audience"], month, wh, month_dir, staging_root,
                                    cfg.timeout, scope_authorities, period=period,
                                    extra=extra().get(p["authority"])))
        audiences = sorted({t.audience for t in tasks})
    else:
        specs = resolve_notebooks(cfg, notebooks, notebook_dir)
        run_authorities = check(authorities)
        tasks = plan_tasks(specs, run_authorities, audience, month, wh, month_dir, staging_root, cfg.timeout,
                           period=period, extra=extra() if published else None)
        audiences = [audience]

    with _month_lock(outputs, lock_name):
        shutil.rmtree(month_dir / STAGING, ignore_errors=True)  # debris of a killed run
        if not published:
            ensure_measures_for(wh)
        manifest = mf.read_manifest(month_dir) or mf.new_manifest(period)
        if published:
            manifest.update({"kind": "published", "year": year})
        inputs = {str(s.path): mf.sha256_file(s.path) for s in specs}
        if cfg.source is not None:
            inputs[str(cfg.source)] = mf.sha256_file(cfg.source)
        run = {
            "run_id": run_id, "started": mf.now_iso(), "finished": None, "argv": sys.argv,
            "month": period, "audience": audiences, "authorities": run_authorities,
            "authority_names": (names_of if published else
                                authority_names(wh, run_authorities) if run_authorities else {}),
            "notebooks": [s.name for s in specs], "workers": workers,
            "executor": f"dask:{dask_address}" if dask_address else f"process-pool:{workers}",
            "retry_failed": retry_failed, "warehouse": str(wh), "warehouse_sha256": mf.sha256_file(wh),
            "params_file": str(cfg.source) if cfg.source else None, "inputs": inputs,
            "versions": mf.package_versions(), "outcome": None,
        }
        if published:
            run.update({"authority_regions": regions_of, "year": year, "release": release})
        results: list[TaskResult] = []
        if tasks:
            with _progress(progress) as bar:
                job = bar.add_task(f"{month} packs", total=len(tasks), status="")
                failures = [0]

                def on_done(res: TaskResult) -> None:
                    failures[0] += res.status != "ok"
                    bar.update(job, advance=1, status=f"[red]{failures[0]} failed" if failures[0] else "")
                    if res.status != "ok":
                        bar.console.print(f"[red]failed[/red] {res.key}: {res.error}")

                if dask_address:
                    results = _run_dask(tasks, dask_address, on_done)
                else:
                    results = _run_local(tasks, min(workers, len(tasks)), on_done)
        shutil.rmtree(month_dir / STAGING, ignore_errors=True)
        if browser_check and results:
            _browser_check(results, month_dir)

        order = {t.key: i for i, t in enumerate(tasks)}
        results.sort(key=lambda r: order[r.key])
        run["finished"] = mf.now_iso()
        run["outcome"] = {"ok": sum(r.status == "ok" for r in results),
                          "failed": sum(r.status != "ok" for r in results)}
        if browser_check:
            run["outcome"]["browser_failed"] = sum(r.browser not in (None, "ok") for r in results)
        manifest["runs"].append(run)
        for res in results:
            manifest["packs"][res.key] = {"run_id": run_id, **asdict(res)}
        manifest_path = mf.write_manifest(month_dir, manifest)
        index_path = index_mod.write_index(month_dir, manifest)
    return BatchResult(month=period, run_id=run_id, month_dir=month_dir, results=results,
                       manifest_path=manifest_path, index_path=index_path)
