"""Measures entered by hand: audits, agency staff, supervision, complaints, PEPs, ...

The case data cannot give these (SF17, SF24 6, CE16, RO15 7.10-7.11 and 12.x), so an
analyst enters them in a tidy CSV per authority, ``params/manual/<authority>.csv``:

    authority,measure,period,value,numerator,denominator,commentary
    E08000014,agency_sw_pct,2024-09,28,,,"Down from 30% in January"
    E08000014,supervision_timely_pct,2017-Q2,,45,100,
    E08000014,pdp_pct,2015-16,69,,,

``period`` is ``YYYY-MM`` (a month), ``YYYY-Qn`` (a financial quarter: 2017-Q1 is April
to June 2017, 2017-Q4 is January to March 2018) or ``YYYY-YY`` / ``YYYY/YY`` (a financial
year: 2015-16 ends 31 March 2016; write 2011/12 for years up to 2011-12, whose ``YYYY-YY``
form reads as a month). Give ``value``, or ``numerator`` and ``denominator`` (a
percentage is then 100 x numerator / denominator), or both (they must agree to rounding).
A row with only commentary records that the measure could not be reported that period.

The measures' definitions live in ``params/manual_measures.yaml`` and are registered in the
same catalogue as computed measures (``kind='manual'``), so they flow through the same
targets, RAG, direction of travel and scorecard. Commentary is kept apart, per measure and
period, for the scorecard's commentary column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from csc_workbench.config import params_dir
from csc_workbench.errors import ConfigError
from csc_workbench.measures.catalogue import (AREAS, CATALOGUE, POLARITIES, TIDY_COLUMNS, UNITS,
                                              MeasureDef)

MANUAL_KIND = "manual"
MANUAL_PERIODS = ("month", "quarter", "year")
DEFINITION_REQUIRED = ("title", "unit", "polarity", "area", "definition", "tells_us")
DEFINITION_OPTIONAL = ("periods", "seeds")
CSV_REQUIRED = ("authority", "measure", "period")
CSV_OPTIONAL = ("value", "numerator", "denominator", "commentary")
COMMENTARY_COLUMNS = ["authority", "measure", "period", "period_type", "period_end", "commentary"]
# How far an entered value may sit from numerator / denominator (people type 67 for 2/3).
PCT_TOLERANCE = 0.5


# ---- definitions ---------------------------------------------------------------------

def manual_definitions_path() -> Path:
    return params_dir() / "manual_measures.yaml"


def load_manual_definitions(path: str | Path | None = None) -> list[MeasureDef]:
    """The manual measures' MeasureDefs from ``params/manual_measures.yaml``."""
    path = Path(path) if path is not None else manual_definitions_path()
    if not path.is_file():
        raise ConfigError(f"{path}: manual measure definitions not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or set(data) - {"measures"}:
        raise ConfigError(f"{path.name}: (top level): expected one key, 'measures'")
    out = []
    for mid, entry in (data.get("measures") or {}).items():
        where = f"{path.name}: measures.{mid}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: must be a mapping of settings")
        missing = [k for k in DEFINITION_REQUIRED if k not in entry]
        if missing:
            raise ConfigError(f"{where}.{missing[0]}: is required")
        unknown = sorted(set(entry) - set(DEFINITION_REQUIRED) - set(DEFINITION_OPTIONAL))
        if unknown:
            raise ConfigError(f"{where}.{unknown[0]}: unknown setting")
        for key, allowed in (("unit", UNITS), ("polarity", POLARITIES), ("area", AREAS)):
            if entry[key] not in allowed:
                raise ConfigError(f"{where}.{key}: must be one of {', '.join(allowed)}; "
                                  f"got {entry[key]!r}")
        periods = tuple(entry.get("periods", MANUAL_PERIODS))
        bad = [p for p in periods if p not in MANUAL_PERIODS]
        if bad:
            raise ConfigError(f"{where}.periods: a manual measure is entered by "
                              f"{', '.join(MANUAL_PERIODS)}; got {bad[0]!r}")
        out.append(MeasureDef(
            id=mid, title=str(entry["title"]), unit=entry["unit"], polarity=entry["polarity"],
            area=entry["area"], definition=str(entry["definition"]),
            tells_us=str(entry["tells_us"]), needs=(), periods=periods, kind=MANUAL_KIND,
            seeds=str(entry.get("seeds", ""))))
    return out


def register_manual_measures(catalogue: MutableMapping[str, MeasureDef] | None = None,
                             path: str | Path | None = None) -> list[str]:
    """Add the manual measures to ``catalogue`` (default: the global CATALOGUE).

    Idempotent: a definition already registered unchanged is left alone; an id already
    used by a different measure is a ConfigError. Returns the ids registered.
    """
    catalogue = CATALOGUE if catalogue is None else catalogue
    ids = []
    for defn in load_manual_definitions(path):
        existing = catalogue.get(defn.id)
        if existing is not None and existing != defn:
            raise ConfigError(f"manual_measures.yaml: measures.{defn.id}: id already used by a "
                              f"{existing.kind} measure in the catalogue")
        catalogue[defn.id] = defn
        ids.append(defn.id)
    return ids


def catalogue_with_manual() -> Mapping[str, MeasureDef]:
    """The global catalogue: every computed measure plus the manual measures."""
    from csc_workbench.measures import catalogue as computed_catalogue

    computed_catalogue()  # registers the computed measures (imports the area modules)
    if not any(d.kind == MANUAL_KIND for d in CATALOGUE.values()):
        register_manual_measures(CATALOGUE)
    return CATALOGUE


# ---- periods -------------------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})[-/](\d{2})$")


def parse_period(text: str) -> tuple[str, pd.Timestamp]:
    """'2024-09' -> ('month', 2024-09-30); '2017-Q2' -> ('quarter', 2017-09-30);
    '2015-16' or '2015/16' -> ('year', 2016-03-31). ValueError if none of these."""
    text = str(text).strip()
    if m := _MONTH.match(text):
        return "month", pd.Period(text, "M").to_timestamp(how="end").normalize()
    if m := _QUARTER.match(text):
        start_year, q = int(m.group(1)), int(m.group(2))
        end = pd.Period(f"{start_year}-04", "M") + 3 * q - 1
        return "quarter", end.to_timestamp(how="end").normalize()
    if m := _YEAR.match(text):
        start_year, yy = int(m.group(1)), int(m.group(2))
        if (start_year + 1) % 100 != yy:
            raise ValueError(f"financial year {text!r}: the second year must follow the first "
                             f"(e.g. {start_year}-{(start_year + 1) % 100:02d})")
        return "year", pd.Timestamp(start_year + 1, 3, 31)
    raise ValueError(f"period {text!r} must be YYYY-MM (month), YYYY-Qn (financial quarter) "
                     "or YYYY-YY (financial year)")


def parse_periods(periods: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Vectorised ``parse_period``: (period_type, period_end, problem) aligned with the
    input; ``problem`` is None where the period is good, else the message."""
    text = periods.astype(str).str.strip()
    m = text.str.extract(_MONTH).astype("float64")
    q = text.str.extract(_QUARTER).astype("float64")
    y = text.str.extract(_YEAR).astype("float64")
    is_m = m[0].notna()
    is_q = q[0].notna()
    is_y = y[0].notna() & ~is_m
    # Months counted from January 1970 (pandas' monthly period ordinals).
    ordinal = pd.Series(np.select(
        [is_m, is_q, is_y],
        [(m[0] - 1970) * 12 + m[1] - 1,
         (q[0] - 1970) * 12 + 3 + 3 * q[1] - 1,  # April of the first year, then 3 a quarter
         (y[0] + 1 - 1970) * 12 + 2],  # March of the second year
        default=0), index=text.index).astype("int64")
    ends = pd.PeriodIndex.from_ordinals(ordinal.to_numpy(), freq="M").to_timestamp(how="end")
    period_end = pd.Series(ends.normalize(), index=text.index).astype("datetime64[us]")
    period_type = pd.Series(np.select([is_m, is_q, is_y], ["month", "quarter", "year"],
                                      default=""), index=text.index, dtype=object)
    bad_fy = is_y & ((y[0] + 1) % 100 != y[1])
    problem = pd.Series(None, index=text.index, dtype=object)
    problem[~(is_m | is_q | is_y)] = ("period " + text.map(repr) + " must be YYYY-MM (month), "
                                      "YYYY-Qn (financial quarter) or YYYY-YY (financial year)")
    problem[bad_fy] = ("financial year " + text.map(repr) + ": the second year must follow "
                       "the first (e.g. 2015-16)")
    period_end[problem.notna()] = pd.NaT
    problem = pd.Series(np.where(problem.notna(), problem, None), index=text.index, dtype=object)
    return period_type, period_end, problem


# ---- the CSV -------------------------------------------------------------------------

@dataclass
class ManualData:
    """Manual measures as tidy rows, and their commentary kept apart."""

    tidy: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TIDY_COLUMNS))
    commentary: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COMMENTARY_COLUMNS))
    files: tuple[str, ...] = ()


def _bad(path, row, column, problem):
    raise ConfigError(f"{Path(path).name}, row {row}, column {column!r}: {problem}")


def _first(mask: pd.Series | np.ndarray) -> int | None:
    idx = np.flatnonzero(np.asarray(mask, dtype=bool))
    return int(idx[0]) if len(idx) else None


def read_manual_csv(path: str | Path, catalogue: Mapping[str, MeasureDef],
                    authority: str | None = None) -> ManualData:
    """Validate one manual CSV against the catalogue and convert it to tidy rows.

    Errors name the file, the row as a spreadsheet shows it (header = row 1) and the column.
    """
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path.name}: cannot be read as CSV: {exc}") from None
    except pd.errors.EmptyDataError:
        return ManualData(files=(path.name,))
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    for col in raw.columns:
        if col not in CSV_REQUIRED + CSV_OPTIONAL:
            raise ConfigError(f"{path.name}, row 1, column {col!r}: unknown column (expected "
                              f"{', '.join(CSV_REQUIRED + CSV_OPTIONAL)})")
    for col in CSV_REQUIRED:
        if col not in raw.columns:
            raise ConfigError(f"{path.name}, row 1, column {col!r}: required column missing")
    for col in CSV_OPTIONAL:
        if col not in raw.columns:
            raw[col] = ""
    df = raw.apply(lambda s: s.str.strip())
    rows = np.arange(len(df)) + 2  # spreadsheet row numbers: header is row 1

    # authority
    i = _first(df["authority"] == "")
    if i is not None:
        _bad(path, rows[i], "authority", "is empty")
    if authority is not None:
        i = _first(df["authority"] != authority)
        if i is not None:
            _bad(path, rows[i], "authority", f"{df['authority'].iloc[i]!r} in the file for "
                 f"authority {authority!r}")

    # measure: a manual measure in the catalogue
    known = df["measure"].isin(list(catalogue))
    i = _first(~known)
    if i is not None:
        _bad(path, rows[i], "measure", f"unknown measure id {df['measure'].iloc[i]!r}")
    kinds = df["measure"].map({k: d.kind for k, d in catalogue.items()})
    i = _first(kinds != MANUAL_KIND)
    if i is not None:
        _bad(path, rows[i], "measure", f"{df['measure'].iloc[i]!r} is computed from the case data, "
             "not entered by hand (add it to manual_measures.yaml under another id)")
    units = df["measure"].map({k: d.unit for k, d in catalogue.items()})

    # period
    period_type, period_end, problem = parse_periods(df["period"])
    i = _first(problem.notna())
    if i is not None:
        _bad(path, rows[i], "period", problem.iloc[i])
    pairs = pd.MultiIndex.from_arrays([df["measure"], period_type])
    allowed = pd.MultiIndex.from_tuples(
        [(k, p) for k, d in catalogue.items() for p in d.periods]) if catalogue else pairs[:0]
    i = _first(~pairs.isin(allowed))
    if i is not None:
        periods = catalogue[df["measure"].iloc[i]].periods
        _bad(path, rows[i], "period", f"{df['measure'].iloc[i]} is not entered by "
             f"{period_type.iloc[i]} (its periods: {', '.join(periods)})")

    # numbers
    nums = {}
    for col in ("value", "numerator", "denominator"):
        x = pd.to_numeric(df[col].str.replace(",", "", regex=False).str.rstrip("%"), errors="coerce")
        i = _first((df[col] != "") & (x.isna() | ~np.isfinite(x.fillna(0))))
        if i is not None:
            _bad(path, rows[i], col, f"{df[col].iloc[i]!r} is not a number")
        nums[col] = x.astype("float64")
    value, num, den = nums["value"], nums["numerator"], nums["denominator"]
    for col, x in (("value", value), ("numerator", num), ("denominator", den)):
        i = _first(x < 0)
        if i is not None:
            _bad(path, rows[i], col, f"{x.iloc[i]:g} is negative")
    i = _first(den == 0)
    if i is not None:
        _bad(path, rows[i], "denominator", "is zero")
    i = _first(num.notna() & den.isna() & (units != "count"))
    if i is not None:
        _bad(path, rows[i], "denominator", "is needed with a numerator")
    i = _first(den.notna() & num.isna())
    if i is not None:
        _bad(path, rows[i], "numerator", "is needed with a denominator")
    i = _first((units == "pct") & (num > den))
    if i is not None:
        _bad(path, rows[i], "numerator", f"{num.iloc[i]:g} is greater than the denominator "
             f"{den.iloc[i]:g}")

    # value from numerator / denominator where not given, and agreement where both are.
    derived = pd.Series(np.select(
        [units == "pct", units == "count", units.isin(["days", "number"])],
        [100 * num / den, num, num / den], default=np.nan), index=df.index)
    i = _first(value.isna() & num.notna() & (units == "rate"))
    if i is not None:
        _bad(path, rows[i], "value", "a rate must be entered as a value")
    tolerance = np.where(units == "pct", PCT_TOLERANCE, np.maximum(0.05, 0.005 * derived.abs()))
    i = _first(value.notna() & derived.notna() & ((value - derived).abs() > tolerance))
    if i is not None:
        _bad(path, rows[i], "value", f"{value.iloc[i]:g} does not match numerator / denominator "
             f"({num.iloc[i]:g} / {den.iloc[i]:g} gives {derived.iloc[i]:.1f})")
    value = value.fillna(derived)
    i = _first((units == "pct") & ((value < 0) | (value > 100)))
    if i is not None:
        _bad(path, rows[i], "value", f"{value.iloc[i]:g} is outside 0-100 for a percentage")
    i = _first((units == "count") & value.notna() & (value % 1 != 0))
    if i is not None:
        _bad(path, rows[i], "value", f"{value.iloc[i]:g}: a count must be a whole number")
    i = _first(value.isna() & (df["commentary"] == ""))
    if i is not None:
        _bad(path, rows[i], "value", "needs a value, or numerator and denominator "
             "(or commentary saying why there is none)")

    # one row per authority, measure and period
    dup = pd.DataFrame({"a": df["authority"], "m": df["measure"], "t": period_type,
                        "e": period_end}).duplicated()
    i = _first(dup)
    if i is not None:
        _bad(path, rows[i], "period", f"{df['measure'].iloc[i]} {df['period'].iloc[i]} is entered "
             "twice")

    tidy = pd.DataFrame({
        "authority": df["authority"], "measure": df["measure"], "breakdown": "all",
        "breakdown_value": "all", "period_type": period_type, "period_end": period_end,
        "numerator": num, "denominator": den, "value": value,
        "status": np.where(value.notna(), "ok", "not_available"),
    })[TIDY_COLUMNS].reset_index(drop=True)
    has_comment = df["commentary"] != ""
    commentary = pd.DataFrame({
        "authority": df["authority"], "measure": df["measure"], "period": df["period"],
        "period_type": period_type, "period_end": period_end, "commentary": df["commentary"],
    })[has_comment].reset_index(drop=True)
    return ManualData(tidy=tidy, commentary=commentary, files=(path.name,))


def load_manual(authority: str, catalogue: Mapping[str, MeasureDef] | None = None,
                directory: str | Path | None = None) -> ManualData:
    """``params/manual/<authority>.csv`` as ManualData; empty if the authority has no file."""
    catalogue = catalogue_with_manual() if catalogue is None else catalogue
    directory = Path(directory) if directory is not None else params_dir() / "manual"
    path = directory / f"{authority}.csv"
    if not path.is_file():
        return ManualData()
    return read_manual_csv(path, catalogue, authority=authority)
