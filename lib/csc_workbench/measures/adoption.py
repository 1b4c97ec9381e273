"""Adoption: orders, the A1 and A2 timeliness measures, children waiting."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .catalogue import STOCK_PERIODS
from .derived import last_on_or_before, periods_of_care
from .engine import Flow, Windowed, measure
from .grid import NAT, days, days_between

AREA = "adoption"


def _adopted(ctx) -> pd.DataFrame:
    a = ctx.table("adoptions")
    return a[a["adoption_order_date"].notna().to_numpy()].reset_index(drop=True)


@measure(id="adoptions", title="Children adopted", unit="count", polarity="none", area=AREA,
         definition="Adoption orders granted in the period (the year to date is the ytd period).",
         tells_us="How many children achieved permanence through adoption.",
         needs=("adoptions.adoption_order_date",), seeds="SF17, SO19 LAC6", dfe_measure="No_of LAC Adopted")
def adoptions(ctx) -> Flow:
    a = _adopted(ctx)
    return Flow(pd.DataFrame({"date": a["adoption_order_date"], "_record": a["_record"]}))


def _entered_care(ctx, a: pd.DataFrame) -> np.ndarray:
    """The recorded date the child entered care, else the start of the child's latest period
    of care starting on or before the move to the adopters."""
    recorded = days(a["entered_care_date"])
    poc = periods_of_care(ctx)
    derived = last_on_or_before(a, "placed_date", poc, "start") if len(poc) else np.full(len(a), NAT)
    return np.where(np.isnat(recorded), derived, recorded)


@measure(id="adoption_a1_days", title="Days from entering care to moving in with adopters (A1)", unit="days",
         polarity="low", area=AREA,
         definition="Average over children adopted in the period of the days from entering care (recorded, or "
                    "the start of the period of care) to moving in with the adoptive family. Numerator: total "
                    "days; denominator: adoptions with both dates. A move-in before entering care is left out "
                    "as a data-quality error.",
         tells_us="How long children wait in care for an adoptive home: every month of delay matters for "
                  "attachment.",
         needs=("adoptions.adoption_order_date", "adoptions.placed_date"), seeds="RO15 10.2")
def adoption_a1_days(ctx) -> Flow:
    a = _adopted(ctx)
    entered = _entered_care(ctx, a)
    placed = days(a["placed_date"])
    span = days_between(entered, placed)
    known = ~np.isnan(span)
    valid = known & (span >= 0)
    return Flow(pd.DataFrame({"date": a["adoption_order_date"], "num": np.where(valid, span, 0.0), "den": valid,
                              "dq": known & ~valid, "entered_care": entered, "_record": a["_record"]}),
                dq_label="adoptions moving in before entering care left out (data-quality error)")


@measure(id="adoption_a2_days", title="Days from placement order to match (A2)", unit="days", polarity="low",
         area=AREA,
         definition="Average over children adopted in the period of the days from the placement order to the "
                    "match with adopters; 0 where the match came before the order; children with no placement "
                    "order are left out.",
         tells_us="How quickly the authority finds a family once the court has authorised adoption.",
         needs=("adoptions.adoption_order_date", "adoptions.placement_order_date", "adoptions.match_date"),
         seeds="RO15 10.3")
def adoption_a2_days(ctx) -> Flow:
    a = _adopted(ctx)
    span = days_between(days(a["placement_order_date"]), days(a["match_date"]))
    valid = ~np.isnan(span)
    return Flow(pd.DataFrame({"date": a["adoption_order_date"], "num": np.where(valid, np.maximum(span, 0.0), 0.0),
                              "den": valid, "_record": a["_record"]}))


@measure(id="adoption_waiting", title="Children waiting to be placed for adoption", unit="count", polarity="low",
         area=AREA, kind="stock", periods=STOCK_PERIODS,
         definition="Children with a placement order at the period end who have not yet moved in with adopters, "
                    "and whose plan has not been stopped or completed by an adoption order.",
         tells_us="The queue of children with a court-approved adoption plan still waiting for a family.",
         needs=("adoptions.placement_order_date",), seeds="SF17")
def adoption_waiting(ctx) -> Windowed:
    a = ctx.table("adoptions")
    ends = np.vstack([days(a[c]) for c in ("placed_date", "stopped_date", "adoption_order_date")]).astype("datetime64[D]")
    ends_filled = np.where(np.isnat(ends), np.datetime64("2200-01-01", "D"), ends)
    until = ends_filled.min(axis=0) if len(a) else np.array([], dtype="datetime64[D]")
    until = np.where(until == np.datetime64("2200-01-01", "D"), NAT, until)
    x = ctx.grid.expand(days(a["placement_order_date"]), until)
    child = a["child_id"].to_numpy()[x["row"].to_numpy()]
    f = pd.DataFrame({"period_type": x["period_type"], "k": x["k"], "child_id": child,
                      "_record": a["_record"].to_numpy()[x["row"].to_numpy()]})
    return Windowed(f.drop_duplicates(["k", "child_id"]))
