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
) -> None:
    """Generate fictional authorities and store them in the warehouse."""
    from .synth.cli import run_synth

    run_synth(authorities=authorities, start=start, end=end, seed=seed, profile=profile, out=out,
              warehouse=warehouse)


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
        app(args=argv, standalone_mode=False)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
