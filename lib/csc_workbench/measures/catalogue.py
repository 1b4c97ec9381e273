"""The measure catalogue: one definition per measure, registered in one place.

Each measure in INDICATORS.md has a ``MeasureDef`` (id as in INDICATORS.md, title, unit,
polarity, area, definition, what it tells us, fields it needs, the periods and breakdowns
that apply) and one small function that computes it. Later layers (assessment, packs,
exploration) read only this metadata and the tidy table; they never re-derive a measure.

The tidy table (``TIDY_COLUMNS``) is the contract between the measures engine and every
later layer: one row per authority x measure x breakdown x breakdown value x period type x
period end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

UNITS = ("count", "pct", "rate", "days", "number")
POLARITIES = ("high", "low", "none", "range")
AREAS = (
    "front_door", "assessment", "child_protection", "children_in_need", "looked_after",
    "care_leavers", "adoption", "workforce",
)
AREA_TITLES = {
    "front_door": "Front door", "assessment": "Assessment",
    "child_protection": "Section 47 and child protection", "children_in_need": "Children in need",
    "looked_after": "Children looked after", "care_leavers": "Care leavers",
    "adoption": "Adoption", "workforce": "Workforce",
}
PERIOD_TYPES = ("month", "rolling_6m", "rolling_12m", "snapshot", "ytd", "quarter", "year")
FLOW_PERIODS = ("month", "rolling_6m", "rolling_12m", "ytd", "quarter", "year")
STOCK_PERIODS = ("snapshot",)

# The breakdown of a total row.
TOTAL = "all"
BREAKDOWNS = ("all", "team", "worker", "category", "age_band", "placement_type", "outcome",
              "duration_band", "reason", "sex", "ethnicity")
# Breakdowns that identify individuals or could: dropped from shared outputs.
PERSONAL_BREAKDOWNS = ("worker",)
# A worker's figures are read for the month, the rolling 12 months and at the month end
# (supervision and caseload reviews); computing every period type for every worker would
# double the table for no reader.
BREAKDOWN_PERIODS = {"worker": ("month", "rolling_12m", "snapshot")}

TIDY_COLUMNS = [
    "authority", "measure", "breakdown", "breakdown_value", "period_type", "period_end",
    "numerator", "denominator", "value", "status",
]
STATUSES = ("ok", "not_available", "suppressed")
# The warehouse keeps one more column beside the tidy ones: why a row is not available,
# or what was left out of it as a data-quality error ("2 ICPCs dated before their S47").
# CSV, JSON and CLI outputs keep exactly TIDY_COLUMNS.
NOTE_COLUMN = "note"
WAREHOUSE_COLUMNS = TIDY_COLUMNS + [NOTE_COLUMN]
KINDS = ("flow", "stock", "manual")  # manual: entered by hand (assessment.manual)


@dataclass(frozen=True)
class MeasureDef:
    id: str
    title: str
    unit: str
    polarity: str
    area: str
    definition: str
    tells_us: str
    needs: tuple[str, ...]  # "table.field" the measure cannot do without
    periods: tuple[str, ...] = FLOW_PERIODS
    breakdowns: tuple[str, ...] = (TOTAL,)
    kind: str = "flow"  # flow (events in a period) or stock (state at the period end)
    seeds: str = ""  # which scorecards show it (INDICATORS.md)
    dfe_measure: str | None = None  # LAIT measure_short it is benchmarked against, if any
    function: Callable | None = field(default=None, compare=False, repr=False)
    # Engine options (``measures.engine.DEFAULT_OPTIONS``) the measure reads, e.g. the
    # assessment clock or a local visiting standard: documented here so packs can say which
    # standard a figure uses.
    options: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        assert self.unit in UNITS, self.unit
        assert self.polarity in POLARITIES, self.polarity
        assert self.area in AREAS, self.area
        assert set(self.periods) <= set(PERIOD_TYPES), self.periods
        assert set(self.breakdowns) <= set(BREAKDOWNS) and TOTAL in self.breakdowns, self.breakdowns
        assert self.kind in KINDS, self.kind


CATALOGUE: dict[str, MeasureDef] = {}


def register(defn: MeasureDef) -> MeasureDef:
    if defn.id in CATALOGUE:
        raise ValueError(f"measure {defn.id!r} registered twice")
    CATALOGUE[defn.id] = defn
    return defn
