"""Small numbers: what a shared (senior-manager, partner, public) output may show.

Two audiences:

- ``internal``: the performance team; everything is kept.
- ``shared``: DfE's convention for published children's social care statistics. A count of
  1 to 5 is shown as ``c``, and so is any percentage, rate or average derived from 1 to 5
  children (for percentages and rates: the numerator; for averages such as days or
  caseloads: the number of children or cases averaged, i.e. the denominator, and the
  numerator too, to be safe). Zero is shown: DfE shows 0. Breakdowns that identify a
  person (by worker, by child) are dropped altogether.

A suppressed row keeps its place (so a table still has a row for that month or team) with
``status = 'suppressed'`` and value, numerator and denominator all set to NaN, so no later
calculation (a 12-month average, a % change) can bring the hidden number back.

``format_value`` is the one place a number becomes text for display, so "c", "n/a",
percentages and thousands separators look the same in every table, chart tooltip and
workbook.

This is a core module: it must not import from ``measures`` (a later layer), so the unit
of each measure is passed in as a mapping (``{measure id: unit}``, e.g. built from the
catalogue) and the personal breakdowns are listed here; a test checks this list covers
``measures.catalogue.PERSONAL_BREAKDOWNS``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from csc_workbench.errors import ConfigError

AUDIENCES = ("internal", "shared")
SUPPRESSED = "c"
NOT_AVAILABLE = "n/a"
SMALL_MIN, SMALL_MAX = 1, 5

# Breakdowns that identify (or could identify) a person: never in a shared output.
# Must include every name in measures.catalogue.PERSONAL_BREAKDOWNS (tested).
PERSONAL_BREAKDOWNS = ("worker", "child", "child_id", "person_id", "worker_name")

# Units whose value is an average over the denominator (days, caseload): the number
# averaged is the denominator.
AVERAGE_UNITS = ("days", "number")


def _small(x: pd.Series) -> np.ndarray:
    v = pd.to_numeric(x, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return (v >= SMALL_MIN) & (v <= SMALL_MAX)


def suppression_mask(tidy: pd.DataFrame, units: Mapping[str, str] | None = None) -> np.ndarray:
    """True for each tidy row that DfE's convention hides in a shared output.

    With ``units`` (measure id -> unit): a ``count`` is hidden when its value (or
    numerator) is 1-5; a ``pct`` or ``rate`` when its numerator is 1-5; an average
    (``days``, ``number``) when its numerator or denominator is 1-5. A measure missing from
    ``units`` (or no ``units`` at all) gets the cautious rule: hidden when the numerator is
    1-5, or when the denominator is 1-5, or when it has no denominator and its value is 1-5
    (it looks like a count).
    """
    if tidy.empty:
        return np.zeros(0, dtype=bool)
    num_small = _small(tidy["numerator"])
    den_small = _small(tidy["denominator"])
    val_small = _small(tidy["value"])
    no_den = pd.to_numeric(tidy["denominator"], errors="coerce").isna().to_numpy()
    unit = tidy["measure"].map(dict(units or {})).to_numpy(dtype=object)
    is_count = unit == "count"
    is_share = (unit == "pct") | (unit == "rate")
    is_avg = np.isin(unit, AVERAGE_UNITS)
    unknown = ~(is_count | is_share | is_avg)
    return (
        (is_count & (val_small | num_small))
        | (is_share & num_small)
        | (is_avg & (num_small | den_small))
        | (unknown & (num_small | den_small | (no_den & val_small)))
    )


def check_audience(audience: str) -> str:
    if audience not in AUDIENCES:
        raise ConfigError(f"audience must be one of {', '.join(AUDIENCES)}; got {audience!r}")
    return audience


def apply_audience(tidy: pd.DataFrame, audience: str,
                   units: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The tidy table as ``audience`` may see it, with a ``display`` column added.

    ``internal``: every row unchanged. ``shared``: rows of a personal breakdown dropped,
    small numbers suppressed (status 'suppressed'; value, numerator, denominator NaN;
    display 'c'). ``units`` maps measure id -> unit (see ``suppression_mask``).
    Unknown audience -> ConfigError.
    """
    check_audience(audience)
    out = tidy.copy()
    if audience == "shared":
        if "breakdown" in out.columns:
            out = out[~out["breakdown"].isin(PERSONAL_BREAKDOWNS)]
        hide = suppression_mask(out, units)
        if hide.any():
            out = out.astype({"numerator": "float64", "denominator": "float64", "value": "float64"})
            out.loc[hide, ["numerator", "denominator", "value"]] = np.nan
            out.loc[hide, "status"] = "suppressed"
        out = out.reset_index(drop=True)
    unit_of = out["measure"].map(dict(units or {}))
    out["display"] = [format_value(v, u, s) for v, u, s in
                      zip(out["value"], unit_of, out["status"])]
    return out


def format_value(value, unit: str | None, status: str | None = "ok", decimals: int = 1) -> str:
    """A value as text: 'c' (suppressed), 'n/a' (not available or missing), '85.7%',
    '518.3' (rate, days, number: one decimal place), '1,234' (count)."""
    if status == "suppressed":
        return SUPPRESSED
    if status == "not_available" or value is None:
        return NOT_AVAILABLE
    try:
        x = float(value)
    except (TypeError, ValueError):
        return NOT_AVAILABLE
    if math.isnan(x) or math.isinf(x):
        return NOT_AVAILABLE
    if unit == "count" and x.is_integer():
        return f"{int(x):,}"
    text = f"{_round_half_up(x, decimals):,.{decimals}f}"
    return f"{text}%" if unit == "pct" else text


def _round_half_up(x: float, decimals: int) -> Decimal:
    """Round as a spreadsheet does (12.25 -> 12.3, not Python's 12.2), working from the
    shortest decimal form of the float so 0.1 + 0.2 is treated as 0.3."""
    return Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
