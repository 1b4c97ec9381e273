"""``cscw benchmarks``: the benchmark table for one authority, from the warehouse.

The reference tables are read from the warehouse; if they were never loaded, they are
loaded first from the folder of DfE's files (default ``config.dfe_dir()``). A synthetic
authority (in the warehouse's ``authorities`` table with ``is_synthetic``) is compared
with the other synthetic authorities, from the warehouse's ``measures`` table.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from ..errors import ConfigError
from .build import load_reference, read_reference
from .compare import UnknownAuthority, benchmark_summary, resolve_authority
from .synthetic import synthetic_reference

ATTRIBUTION = ("Contains public sector information licensed under the Open Government Licence "
               "v3.0. Source: DfE / ONS.")
FORMATS = ("csv", "xlsx")


def reference_tables(warehouse: Path | str | None = None, folder: Path | str | None = None
                     ) -> dict[str, pd.DataFrame]:
    """The reference tables, loading them into the warehouse first if they are not there."""
    try:
        return read_reference(warehouse)
    except (KeyError, FileNotFoundError):
        load_reference(folder, warehouse)
        return read_reference(warehouse)


def _warehouse_table(name: str, warehouse, where: str | None = None, params=None, con=None) -> pd.DataFrame | None:
    from ..model.warehouse import connect, list_tables

    def read(c):
        if name not in list_tables(c):
            return None
        sql = f'SELECT * FROM "{name}"' + (f" WHERE {where}" if where else "")
        return c.execute(sql, params or []).df()

    if con is not None:
        return read(con)
    try:
        with connect(warehouse, read_only=True) as c:
            return read(c)
    except FileNotFoundError:
        return None


def synthetic_authorities(warehouse=None, *, con=None) -> pd.DataFrame | None:
    """The warehouse's synthetic authorities (``authorities`` rows with ``is_synthetic``), or None."""
    auth = _warehouse_table("authorities", warehouse, con=con)
    if auth is None or auth.empty or "is_synthetic" not in auth.columns:
        return None
    synth = auth[auth["is_synthetic"].fillna(False).astype(bool)]
    return None if synth.empty else synth


def _synthetic_authority(authority: str, warehouse, con=None) -> tuple[str, pd.DataFrame] | None:
    synth = synthetic_authorities(warehouse, con=con)
    if synth is None:
        return None
    try:
        return resolve_authority(authority, synth), synth
    except UnknownAuthority:
        return None


def synthetic_reference_tables(warehouse=None, measures: pd.DataFrame | None = None, *, con=None
                               ) -> dict[str, pd.DataFrame]:
    """The synthetic authorities' reference tables, pooled over complete financial years, as
    DfE publishes: only the full year at 31 March (the ``year`` period type also holds the
    year to date at every other month end, which must not be pooled as a year), and a stock
    measure's 31 March snapshot as its figure for the year (children looked after, on a
    plan). ConfigError if the warehouse holds no complete year of measures."""
    auth = synthetic_authorities(warehouse, con=con)
    if auth is None:
        raise ConfigError("the warehouse holds no synthetic authorities")
    yearly = _warehouse_table("measures", warehouse, "period_type IN ('year', 'snapshot') AND "
                              "breakdown = 'all' AND month(period_end) = 3 AND day(period_end) = 31", con=con)
    if yearly is None or yearly.empty:
        raise ConfigError("the warehouse has no complete year of measures for its synthetic authorities yet "
                          "(run `cscw measures` first)")
    yearly["period_type"] = "year"
    population = _warehouse_table("population", warehouse, con=con)
    return synthetic_reference(yearly, auth, population, measures)


def benchmarks_for(authority: str, year: int | None = None, release: str = "latest",
                   warehouse: Path | str | None = None, folder: Path | str | None = None,
                   model: str | None = None, measures: pd.DataFrame | None = None) -> pd.DataFrame:
    """``benchmark_summary`` for a real authority (DfE's data) or a synthetic one (the other
    synthetic authorities, pooled over complete financial years: ``synthetic_reference_tables``).
    ``measures`` (measure, unit, polarity, title; optional) names the synthetic measures'
    units where the reference catalogue does not know them."""
    synthetic = _synthetic_authority(str(authority), warehouse)
    if synthetic is not None:
        code, auth = synthetic
        try:
            ref = synthetic_reference_tables(warehouse, measures)
        except ConfigError:
            raise ConfigError(f"synthetic authority {code}: the warehouse has no yearly measures yet "
                              "(run `cscw measures` first)") from None
        return benchmark_summary(ref["ref_benchmarks"], ref["ref_stat_neighbours"], auth, code,
                                 year=year, release="latest", measures=measures)
    ref = reference_tables(warehouse, folder)
    code = resolve_authority(authority, ref["ref_authorities"], ref.get("ref_area_lookup"))
    return benchmark_summary(ref["ref_benchmarks"], ref["ref_stat_neighbours"], ref["ref_authorities"],
                             code, year=year, release=release, model=model,
                             measures=ref["ref_measures"])


def write_benchmarks(frame: pd.DataFrame, fmt: str = "csv", output: Path | str | None = None) -> Path | None:
    """Write the table as CSV (to ``output``, or standard output) or XLSX (to ``output``,
    required). Derived figures (averages, quartile thresholds) are shown to 2 decimals."""
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    shown = frame.copy()
    floats = shown.select_dtypes("float").columns
    shown[floats] = shown[floats].round(2)
    if fmt == "csv":
        if output is None:
            shown.to_csv(sys.stdout, index=False)
            return None
        out = Path(output)
        out.parent.mkdir(parents=True, exist_ok=True)
        shown.to_csv(out, index=False)
        return out
    if output is None:
        raise ConfigError("--format xlsx needs --output FILE.xlsx")
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(out, engine="openpyxl") as xl:
        shown.to_excel(xl, sheet_name="benchmarks", index=False)
        notes = pd.DataFrame({"notes": [
            ATTRIBUTION,
            "Values DfE suppressed (c) or marked not available are shown as such and left out of "
            "averages, ranks and quartiles.",
            "rank: 1 = best by polarity; quartile: 1 = best; mid-50%: England LAs' 25th-75th "
            "percentiles (Excel QUARTILE.INC).",
        ]})
        notes.to_excel(xl, sheet_name="about", index=False)
    return out
