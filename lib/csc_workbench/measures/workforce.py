"""Workforce: caseloads from case allocations. Everything else about the workforce (agency
staff, supervision, vacancies) is entered by hand (the manual measures file)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .catalogue import STOCK_PERIODS
from .engine import Windowed, measure
from .grid import days, period_column

AREA = "workforce"


def _caseloads(ctx) -> pd.DataFrame:
    """Cases held by each worker at each month end (distinct children allocated), with the
    worker's team (the allocation's team, else the worker's team)."""

    def build():
        a = ctx.table("allocations")
        w = ctx.table("workers")
        # Identifiers are integer codes here (-1 = not recorded).
        worker_team = pd.Series(w["team_id"].to_numpy(), index=w["worker_id"].to_numpy())
        worker_team = worker_team[~worker_team.index.duplicated()]
        own = worker_team.reindex(a["worker_id"].to_numpy()).fillna(-1).to_numpy(dtype=np.int64)
        team = pd.Series(np.where(a["team_id"].to_numpy() >= 0, a["team_id"].to_numpy(), own))
        x = ctx.grid.expand(days(a["start_date"]), days(a["end_date"]))
        rows = x["row"].to_numpy()
        f = pd.DataFrame({"k": x["k"].to_numpy(), "worker": a["worker_id"].to_numpy()[rows],
                          "child_id": a["child_id"].to_numpy()[rows], "team": team.to_numpy()[rows]})
        f = f.drop_duplicates(["k", "worker", "child_id"])
        per_worker = f.groupby(["k", "worker"], sort=False).agg(num=("child_id", "size"), team=("team", "last"))
        out = per_worker.reset_index()
        out["period_type"] = period_column("snapshot", len(out))
        out["den"] = 1.0
        return out

    return ctx.cached("caseloads", build)


_NOTE = ("Counts the children allocated to each worker at the period end (case allocations open then); a worker "
         "counts in the team of the allocation, else their own team.")


@measure(id="caseload_avg", title="Average caseload", unit="number", polarity="range", area=AREA, kind="stock",
         periods=STOCK_PERIODS,
         definition="Children allocated at the period end / workers holding at least one case at the period end. "
                    + _NOTE,
         tells_us="Whether workloads let social workers know their children well; judged against a target range "
                  "per team, since very low caseloads can also signal idle capacity.",
         needs=("allocations.start_date", "allocations.worker_id"), breakdowns=("all", "team"), seeds="RO15 11.x, SF17")
def caseload_avg(ctx) -> Windowed:
    return Windowed(_caseloads(ctx))


@measure(id="caseload_max", title="Largest caseload", unit="number", polarity="range", area=AREA, kind="stock",
         periods=STOCK_PERIODS,
         definition="The most children allocated to one worker at the period end. " + _NOTE,
         tells_us="Whether any one worker carries an unmanageable number of children, even when the average "
                  "looks fine.",
         needs=("allocations.start_date", "allocations.worker_id"), breakdowns=("all", "team"), seeds="RO15 11.x, SF17")
def caseload_max(ctx) -> Windowed:
    return Windowed(_caseloads(ctx), agg="max")
