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
                   units: Mapping[str, str] | None = None, display: bool = True) -> pd.DataFrame:
    """The tidy table as ``audience`` may see it, with a ``display`` column added.

    ``internal``: every row unchanged. ``shared``: rows of a personal breakdown dropped,
    small numbers suppressed (status 'suppressed'; value, numerator, denominator NaN;
    display 'c'). ``units`` maps measure id -> unit (see ``suppression_mask``).
    ``display=False`` leaves out the display column (callers that format fewer rows later).
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
    if display:
        unit_of = out["measure"].map(dict(units or {})).to_numpy(dtype=object)
        out["display"] = format_values(out["value"], unit_of, out["status"].to_numpy(dtype=object))
    return out


def format_value(value, unit: str | None, status: str | None = "ok", decimals: int = 1) -> str:
    """A value as text: 'c' (suppressed), 'n/a' (not available or missing), '85.7%',
    '518.3' (rate, days, number: one decimal place), '1,234' (count). Halves round away
    from zero, as in a spreadsheet (12.25 -> 12.3)."""
    if status == "suppressed":
        return SUPPRESSED
    if status == "not_available" or value is None:
        return NOT_AVAILABLE
    try:
        x = float(value)
    except (TypeError, ValueError):
        return NOT_AVAILABLE
    if not math.isfinite(x):
        return NOT_AVAILABLE
    if unit == "count" and x.is_integer():
        return f"{int(x):,}"
    scale = 10.0 ** decimals
    # The float is first rounded to 9 significant places after the point, so 1.05 stored
    # as 1.04999999... still rounds as 1.05 would.
    rounded = math.copysign(math.floor(round(abs(x) * scale, 9 - decimals) + 0.5), x) / scale
    text = f"{rounded + 0.0:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return f"{text}%" if unit == "pct" else text


def format_values(values, units, statuses=None, decimals: int = 1) -> np.ndarray:
    """``format_value`` over aligned arrays (``units`` or ``statuses`` may be one string);
    each distinct (unit, value) is formatted once."""
    v = pd.to_numeric(pd.Series(np.asarray(values, dtype=object).ravel()), errors="coerce") \
        .to_numpy(dtype="float64", na_value=np.nan)
    n = len(v)
    u = np.full(n, units, dtype=object) if np.ndim(units) == 0 \
        else np.asarray(units, dtype=object).ravel()
    s = np.full(n, "ok" if statuses is None else statuses, dtype=object) if np.ndim(statuses) == 0 \
        else np.asarray(statuses, dtype=object).ravel()
    out = np.full(n, NOT_AVAILABLE, dtype=object)
    out[s == "suppressed"] = SUPPRESSED
    shown = np.flatnonzero(np.isfinite(v) & (s != "suppressed") & (s != "not_available"))
    if len(shown):
        pairs = pd.MultiIndex.from_arrays([pd.Series(u[shown], dtype=object).fillna(""), v[shown]])
        codes, uniques = pd.factorize(pairs)
        texts = np.array([format_value(x, unit or None, "ok", decimals) for unit, x in uniques],
                         dtype=object)
        out[shown] = texts[codes]
    return out
