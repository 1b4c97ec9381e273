"""``cscw``: the workbench's command line. A thin entry point: logic lives in the library.

Errors about input or arguments are printed as one line and exit with status 2, never as
a traceback (``WorkbenchError``). Each command imports what it needs lazily so that
``cscw --help`` is instant.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from .errors import WorkbenchError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Children's social care performance workbench.")

WAREHOUSE_OPT = typer.Option(None, "--warehouse", help="DuckDB warehouse (default data/warehouse.duckdb or $CSCW_WAREHOUSE)")


def _fail(message: str) -> None:
    raise WorkbenchError(message)


@app.command()
def synth(
    authorities: int = typer.Option(8, "--authorities", "-n", help="Number of fictional authorities"),
    start: str = typer.Option("2019-04", help="First month of history (YYYY-MM)"),
    end: Optional[str] = typer.Option(None, help="Last month (YYYY-MM); default the last complete month"),
    seed: int = typer.Option(2024, help="Random seed: the same seed gives the same data"),
    profile: str = typer.Option("region", help="region (default: 8 varied authorities) or national (153, realistic sizes)"),
    out: Optional[Path] = typer.Option(None, help="Also write the statutory files (Annex A, CIN census, SSDA903) here"),
    warehouse: Optional[Path] = WAREHOUSE_OPT,
    workers: int = typer.Option(1, "--workers", "-w", help="Generate authorities in this many processes"),
) -> None:
    """Generate fictional authorities and store them in the warehouse."""
    from .synth.cli import run_synth

    run_synth(authorities=authorities, start=start, end=end, seed=seed, profile=profile, out=out,
              warehouse=warehouse, workers=workers)


@app.command()
def summary(warehouse: Optional[Path] = WAREHOUSE_OPT) -> None:
    """Print a short summary per authority (children, referrals, plans, looked after)."""
    from rich.console import Console
    from rich.table import Table

    from .model.warehouse import load_dataset

    ds = load_dataset(warehouse, tables=["persons", "contacts", "referrals", "assessments", "s47",
                                         "cp_plans", "cla_episodes", "care_leavers"])
    s = ds.summary()
    table = Table(title="Authorities in the warehouse")
    for col in s.columns:
        table.add_column(col, justify="left" if col == "authority" else "right")
    for row in s.itertuples(index=False):
        table.add_row(*[f"{v:,}" if isinstance(v, int) else str(v) for v in row])
    Console().print(table)


@app.command()
def reference(
    folder: Optional[Path] = typer.Option(None, "--folder", help="Folder of DfE's published files (default ../shared/reference/dfe or $CSCW_REFERENCE/dfe)"),
    warehouse: Optional[Path] = WAREHOUSE_OPT,
) -> None:
    """Load DfE's published statistics, populations and statistical neighbours into the warehouse."""
    from .reference import load_reference

    typer.echo(str(load_reference(folder, warehouse)))


@app.command()
def benchmarks(
    authority: str = typer.Option(..., "--authority", help="Old LA code (343), new code (E08000014) or name"),
    year: Optional[int] = typer.Option(None, "--year", help="Year ending 31 March (default: each measure's latest)"),
    fmt: str = typer.Option("csv", "--format", help="csv or xlsx"),
    output: Optional[Path] = typer.Option(None, "--output", help="File to write (default: CSV to the screen)"),
    release: str = typer.Option("latest", "--release", help="latest, first (as first published) or a release name"),
    folder: Optional[Path] = typer.Option(None, "--folder", help="DfE files to load if the warehouse has none"),
    warehouse: Optional[Path] = WAREHOUSE_OPT,
) -> None:
    """Published benchmarks for one authority: statistical neighbours, region, England, rank, quartile."""
    from .reference.report import benchmarks_for, write_benchmarks

    table = benchmarks_for(authority, year=year, release=release, warehouse=warehouse, folder=folder)
    written = write_benchmarks(table, fmt, output)
    if written is not None:
        typer.echo(f"wrote {len(table)} measures to {written}", err=True)


@app.command()
def measures(
    authority: Optional[str] = typer.Option(None, "--authority", help="Authority code in the warehouse"),
    month: Optional[str] = typer.Option(None, "--month", help="Month to report (YYYY-MM)"),
    period: Optional[str] = typer.Option(
        None, "--period", help="month | rolling_6m | rolling_12m | snapshot | ytd | quarter | year (default: all)"),
    fmt: str = typer.Option("csv", "--format", help="csv | xlsx | json"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file (needed for xlsx)"),
    list_measures: bool = typer.Option(False, "--list", help="List the measure catalogue and exit"),
    warehouse: Optional[Path] = WAREHOUSE_OPT,
) -> None:
    """Print or write the measures of one authority for one month (tidy columns; XLSX scorecard).

    Computes and stores the authority's measures first if its data (or the code) changed.
    """
    from .measures.export import run_measures_command

    text = run_measures_command(authority, month, period, fmt, output, warehouse, list_measures)
    if text is not None:
        sys.stdout.write(text)
    elif output is not None:
        typer.echo(f"wrote {output}", err=True)


@app.command()
def run(
    month: Optional[str] = typer.Option(None, "--month", help="Month to report on (YYYY-MM)"),
    authorities: str = typer.Option("all", "--authorities", help="all, or authority codes separated by commas"),
    notebooks: Optional[str] = typer.Option(None, "--notebooks",
                                            help="Notebook names separated by commas (default: params/batch.yaml)"),
    audience: Optional[str] = typer.Option(None, "--audience", help="shared (aggregates only) or internal"),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Parallel processes (default: cores)"),
    dask: Optional[str] = typer.Option(None, "--dask", help="Run on this Dask scheduler (e.g. tcp://host:8786)"),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="Rerun only the packs that failed last time"),
    outputs: Path = typer.Option(Path("outputs"), "--outputs", help="Output folder"),
    params: Optional[Path] = typer.Option(None, "--params", help="Params file (default params/batch.yaml)"),
    notebook_dir: Optional[Path] = typer.Option(None, "--notebook-dir", help="Folder of notebook templates"),
    warehouse: Optional[Path] = WAREHOUSE_OPT,
    published: bool = typer.Option(False, "--published",
                                   help="Published-statistics packs for real authorities (DfE's data; no month)"),
    year: Optional[int] = typer.Option(None, "--year", help="With --published: year ending 31 March (default latest)"),
    release: str = typer.Option("latest", "--release", help="With --published: latest or first (as first published)"),
    browser_check: bool = typer.Option(False, "--browser-check",
                                       help="Open every page offline in Chromium afterwards and check it"),
) -> None:
    """Run the monthly packs for every authority and publish them under OUTPUTS/MONTH
    (with --published: the published-statistics packs, under OUTPUTS/published/YEAR)."""
    from .packs.batch import run_batch

    names = [n.strip() for n in notebooks.split(",") if n.strip()] if notebooks else None
    result = run_batch(month, authorities, names, audience, workers, dask_address=dask, retry_failed=retry_failed,
                       outputs=outputs, warehouse=warehouse, params_file=params, notebook_dir=notebook_dir,
                       progress=sys.stderr.isatty(), published=published, year=year, release=release,
                       browser_check=browser_check)
    ok, failed = len(result.ok), len(result.failed)
    typer.echo(f"{ok} pack(s) published, {failed} failed" + (" (kept in failed/, not published)" if failed else ""))
    for r in result.failed:
        typer.echo(f"  failed: {r.key}: {r.error}  [{result.month_dir / r.error_file}]", err=True)
    for r in result.browser_failed:
        typer.echo(f"  browser check failed: {r.key}: {r.browser}", err=True)
    typer.echo(f"index: {result.index_path}")
    if result.exit_code:
        raise typer.Exit(result.exit_code)


@app.command()
def demo(
    month: Optional[str] = typer.Option(None, "--month", help="Month to report (YYYY-MM); default the last complete month"),
    authorities: int = typer.Option(8, "--authorities", "-n", help="Fictional authorities to generate if none exist"),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Parallel processes for the packs"),
    audience: Optional[str] = typer.Option(None, "--audience", help="shared (default in params/batch.yaml) or internal"),
    outputs: Path = typer.Option(Path("outputs"), "--outputs", help="Output folder"),
    warehouse: Optional[Path] = WAREHOUSE_OPT,
) -> None:
    """The main job on synthetic data: generate a region if needed, compute measures, run the packs."""
    from .demo import run_demo

    index = run_demo(month=month, authorities=authorities, workers=workers, warehouse=warehouse,
                     outputs=outputs, audience=audience)
    typer.echo(f"Packs are in {index.parent.resolve()}/ -- open {index.resolve()}")


def _print_frame(frame, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for col in frame.columns:
        numeric = frame[col].dtype.kind in "iuf"
        table.add_column(str(col), justify="right" if numeric else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*[f"{v:,}" if isinstance(v, int) else str(v) for v in row])
    Console().print(table)


@app.command()
def load(
    files: list[Path] = typer.Argument(..., help="Annex A workbooks, CIN census XML, SSDA903 CSV / XML files"),
    authority: str = typer.Option(..., "--authority", "-a", help="Authority code the files belong to"),
    warehouse: Optional[Path] = WAREHOUSE_OPT,
) -> None:
    """Load files into the warehouse (merged into the authority's history) and print the account."""
    from .io.load import load_files

    account = load_files(files, authority, warehouse)
    summary = account.summary().drop(columns=["authority"])
    _print_frame(summary, f"Loaded for {authority} (load {account.load_id})")
    totals = summary[["rows_read", "loaded", "rejected", "fixed", "warnings"]].sum()
    typer.echo(f"rows read {totals.rows_read:,}: loaded {totals.loaded:,}, rejected {totals.rejected:,} "
               f"(fixed {totals.fixed:,}, warnings {totals.warnings:,}); details: cscw quality --authority {authority}")


@app.command()
def quality(
    authority: str = typer.Option(..., "--authority", "-a", help="Authority code"),
    load_id: Optional[str] = typer.Option(None, "--load", help="A load id (default: the latest load)"),
    warehouse: Optional[Path] = WAREHOUSE_OPT,
) -> None:
    """Print the data-quality account and rule counts of an authority's latest load."""
    from .io.load import quality_report

    account, counts = quality_report(authority, warehouse, load_id)
    when = account["loaded_at"].iloc[0]
    _print_frame(account.drop(columns=["load_id", "loaded_at", "authority"]),
                 f"Data-quality account: {authority}, load {account['load_id'].iloc[0]} at {when}")
    if len(counts):
        _print_frame(counts, "Findings by rule")
    else:
        typer.echo("no rejected, fixed or warned rows")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning WorkbenchError into one line and exit status 2."""
    try:
        # Without standalone mode click returns (not raises) the code of a typer.Exit.
        code = app(args=argv, standalone_mode=False)
    except WorkbenchError as exc:
        typer.echo(f"cscw: {exc}", err=True)
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("cscw: interrupted", err=True)
        return 130
    except Exception as exc:  # click usage errors arrive here in non-standalone mode
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            return 2
        if isinstance(exc, click.exceptions.Exit):
            return exc.exit_code
        raise
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
