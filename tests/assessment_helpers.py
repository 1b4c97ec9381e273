"""Hand-made measure definitions and tidy frames for the assessment tests."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from csc_workbench.measures.catalogue import PERIOD_TYPES, TIDY_COLUMNS, MeasureDef

UNIT_WORDS = {"count": "count", "%": "pct", "rate": "rate", "days": "days", "number": "number"}


def mdef(id, unit="pct", polarity="high", area="assessment", periods=PERIOD_TYPES,
         kind="flow", breakdowns=("all",)):
    return MeasureDef(id=id, title=id.replace("_", " ").capitalize(), unit=unit,
                      polarity=polarity, area=area, definition=f"definition of {id}",
                      tells_us=f"what {id} tells us", needs=("t.f",), periods=tuple(periods),
                      breakdowns=tuple(breakdowns), kind=kind)


def indicator_catalogue(reference_dir: Path) -> dict[str, MeasureDef]:
    """Every measure id in INDICATORS.md with the unit and polarity it states (a measure
    listed as 'count, rate' gets the first), plus the caseload measures INDICATORS.md names
    in its workforce section. Built from the reference text, not from our catalogue, so a
    target for a misspelt or invented measure id fails."""
    text = (reference_dir / "INDICATORS.md").read_text(encoding="utf-8")
    out = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 5 or cells[0] in ("id", "---") or not re.fullmatch(r"[a-z0-9_, ]+", cells[0]):
            continue
        unit = UNIT_WORDS[cells[2].split(",")[0].strip()]
        for mid in (x.strip() for x in cells[0].split(",")):
            out[mid] = mdef(mid, unit=unit, polarity=cells[3])
    for mid in ("caseload_avg", "caseload_max"):
        assert f"`{mid}`" in text
        out[mid] = mdef(mid, unit="number", polarity="range", area="workforce")
    return out


def tidy_frame(rows, authority="E1"):
    """rows of (measure, period_type, period_end 'YYYY-MM', value[, numerator, denominator,
    status, breakdown, breakdown_value])."""
    recs = []
    for r in rows:
        measure, pt, month, value = r[:4]
        num = r[4] if len(r) > 4 else np.nan
        den = r[5] if len(r) > 5 else np.nan
        status = r[6] if len(r) > 6 else ("ok" if value == value else "not_available")
        bd = r[7] if len(r) > 7 else "all"
        bv = r[8] if len(r) > 8 else "all"
        recs.append((authority, measure, bd, bv, pt,
                     pd.Period(month, "M").to_timestamp(how="end").normalize(),
                     num, den, value, status))
    df = pd.DataFrame(recs, columns=TIDY_COLUMNS)
    df["period_end"] = df["period_end"].astype("datetime64[us]")
    return df


def monthly(measure, first_month, values, period_type="month", **kw):
    """A monthly series as tidy rows starting at first_month."""
    start = pd.Period(first_month, "M")
    return [(measure, period_type, str(start + i), v) for i, v in enumerate(values)]
