"""Planted anomalies (what a good analyst should spot) and data-quality errors (dirty=True).

Every authority carries five anomalies, each at its own months within the last two years
of data and never in the last two months (so a control chart has points after them):

==================  ============================  =========================================
anomaly id suffix   measure (INDICATORS.md id)    what was planted
==================  ============================  =========================================
``s47-surge``       s47 (breakdown all)           S47 enquiries x1.6 for 3 months (more in a
                                                  small authority; the extra enquiries
                                                  rarely reach conference)
``restructure``     assessment_45wd_pct (team)    one assessment team's assessments mostly
                                                  late (60%) for 6-8 months after a restructure
                                                  (more agency staff in that team too)
``repeat-cluster``  cpp_repeat_pct (all)          sibling groups whose plan ended in the last
                                                  2 years back on plans in one month, sized so
                                                  the month's repeat share at least doubles
                                                  (``cluster_size``)
``visits-gap``      cpp_visits_timely_pct and     CP and CIN visits not recorded for a month
                    cin_visits_timely_pct (all)   (95% of that month's visits missing)
``cla-jump``        cla_starts (all)              1.5 months' worth of extra children (at
                                                  least 12) starting care in each of 2 months
                                                  (a group of UASC arriving)
==================  ============================  =========================================

Manifest rows (one per anomaly and measure; the visits gap has two) are dicts with:
``authority, anomaly_id, kind ('anomaly' | 'data_quality'), measure, breakdown ('all' |
'team'), breakdown_value (team_id or 'all'), first_month, last_month ('YYYY-MM'),
direction ('up' | 'down'; None for data quality), magnitude, magnitude_unit, description,
table, child_id`` (the last two only for data-quality rows).

With ``dirty=True`` a handful of records are corrupted the way real extracts go wrong (see
``DIRTY_KINDS``); each is a manifest row of kind 'data_quality' naming table and child.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import _util as U
from .journeys import Plants

MANIFEST_KEYS = ("authority", "anomaly_id", "kind", "measure", "breakdown", "breakdown_value", "first_month",
                 "last_month", "direction", "magnitude", "magnitude_unit", "description", "table", "child_id")


@dataclass
class Plan:
    plants: Plants = field(default_factory=Plants)
    cluster_month: int | None = None  # month index (months since 1970-01)
    cluster_children: int = 0
    visits_month: int | None = None
    visits_drop: float = 0.95
    cla_months: tuple = ()
    cla_extra: int = 0  # extra children starting care in each jump month
    restructure_team: int | None = None  # team index (Teams)
    manifest: list = field(default_factory=list)


def _ym(month_idx: int) -> str:
    return str(np.datetime64(int(month_idx), "M"))


def row(authority, anomaly_id, measure, first, last, direction, magnitude, unit, description,
        breakdown="all", breakdown_value="all", kind="anomaly", table=None, child_id=None) -> dict:
    return dict(authority=authority, anomaly_id=anomaly_id, kind=kind, measure=measure, breakdown=breakdown,
                breakdown_value=breakdown_value, first_month=first, last_month=last, direction=direction,
                magnitude=magnitude, magnitude_unit=unit, description=description, table=table, child_id=child_id)


REPEAT_SHARE = 0.22  # usual share of CP plans that are second or subsequent (England ~22-24%)


def repeat_share(prof) -> float:
    """The authority's usual share of repeat plans: family risk spread drives it (about 16%
    for the region's steadiest authority, 28% for the struggling one)."""
    return float(np.clip(REPEAT_SHARE * (prof.repeat_risk / 0.95) ** 1.2, 0.1, 0.4))


def cluster_size(prof) -> int:
    """Children in the repeat-plan cluster: enough that the month's repeat share more than
    doubles and stands clear of the month-to-month noise (5 binomial standard errors above
    the usual share: sibling groups make the monthly share noisier than binomial), so a
    control chart sees it in a small authority as in a large one.
    Adding C repeat plans to N plans of which a share r repeat gives (rN + C) / (N + C)."""
    n = max(prof.population / 10_000 * prof.s47_rate * prof.icpc_per_s47 * prof.cpp_per_icpc / 12, 1.0)
    r = repeat_share(prof)
    wanted = min(0.85, max(2.2 * r, r + 5 * np.sqrt(r * (1 - r) / n)))
    # at most three times a month's usual plans: in a very small authority the month's share
    # then rises to about 80%
    return int(max(8, min(3 * n, np.ceil((wanted - r) * n / (1 - wanted)))))


def s47_surge(prof) -> float:
    """The S47 surge multiplier: 60% more enquiries, or more in a small authority, where a
    month's count is small and noisy: at least 4 Poisson standard errors above the usual
    month, so a control chart sees it in a small authority as in a large one."""
    n = max(prof.population / 10_000 * prof.s47_rate / 12, 1.0)
    return float(max(1.6, 1 + 4 / np.sqrt(n)))


def plan(rng, prof, first_month: int, last_month: int, teams) -> Plan:
    """Choose the months of each anomaly (distinct, in the last 24 months, not the last 2)."""
    lo = max(first_month + 12, last_month - 23)
    hi = last_month - 2
    months = np.arange(lo, hi + 1)
    out = Plan()
    if len(months) < 10:  # too little history to plant anomalies SPC could see
        return out
    blocks = [("s47", 3), ("cla", 2), ("cluster", 1), ("visits", 1)]
    order = rng.permutation(len(blocks))
    free = len(months) - sum(b[1] for b in blocks) - (len(blocks) - 1)
    spare = rng.multinomial(free, np.ones(len(blocks) + 1) / (len(blocks) + 1))
    at = lo + spare[0]
    placed = {}
    for k, i in enumerate(order):
        name, width = blocks[i]
        placed[name] = (at, at + width - 1)
        at += width + 1 + spare[k + 1]
    code = prof.code
    # S47 surge
    s0, s1 = placed["s47"]
    out.plants.s47_months = np.arange(s0, s1 + 1)
    out.plants.s47_mult = s47_surge(prof)
    out.manifest.append(row(code, f"{code}-s47-surge", "s47", _ym(s0), _ym(s1), "up",
                            round(out.plants.s47_mult - 1, 2), "relative",
                            f"S47 enquiries about {out.plants.s47_mult - 1:.0%} above normal for three months "
                            "(referrals in these months "
                            "were far more often taken to a strategy discussion); few of the extra enquiries "
                            "led to an initial conference"))
    # Restructure in one assessment team
    r0 = int(rng.integers(lo, hi - 4))
    r1 = int(min(r0 + rng.integers(5, 8), hi))
    team_no = int(rng.integers(0, teams.n_assess))
    out.restructure_team = 1 + team_no
    out.plants.restructure_team = team_no
    # assessments started from a month before are the ones completing late from month r0
    out.plants.restructure_from = int(U.month_start_day(r0)) - 50
    out.plants.restructure_to = int(U.month_start_day(r1 + 1)) - 50
    out.plants.restructure_late = 0.6
    team_id = str(teams.team_id[out.restructure_team])
    drop = round((prof.assess_45 - 0.40) * 100, 1)
    out.manifest.append(row(code, f"{code}-restructure-{team_id}", "assessment_45wd_pct", _ym(r0), _ym(r1), "down",
                            drop, "percentage_points",
                            f"after a restructure, {teams.name[out.restructure_team]} completed only about 40% "
                            f"of assessments within 45 working days (normally about {prof.assess_45:.0%}); "
                            "more agency staff in the team", breakdown="team", breakdown_value=team_id))
    # Cluster of repeat plans
    cm = placed["cluster"][0]
    out.cluster_month = int(cm)
    out.cluster_children = cluster_size(prof)
    out.manifest.append(row(code, f"{code}-repeat-cluster", "cpp_repeat_pct", _ym(cm), _ym(cm), "up",
                            out.cluster_children, "children",
                            "sibling groups whose child protection plans ended within the last two years were "
                            "back on plans in the same month (the month's share of repeat plans at least "
                            "doubles)"))
    # Visits not recorded
    vm = placed["visits"][0]
    out.visits_month = int(vm)
    for measure, what in (("cpp_visits_timely_pct", "child protection"), ("cin_visits_timely_pct", "child in need")):
        out.manifest.append(row(code, f"{code}-visits-gap", measure, _ym(vm), _ym(vm), "down", out.visits_drop,
                                "share_of_visits_removed",
                                f"{what} visits were not recorded for a month (case-recording system outage): "
                                "95% of that month's visits are missing"))
    # Jump in children starting care
    c0, c1 = placed["cla"]
    starts_month = prof.population / 10_000 * prof.cla_start_rate / 12
    out.cla_months = tuple(range(c0, c1 + 1))
    # large enough to clear a control chart's upper limit even in a small authority, where
    # sibling groups entering care together make the monthly count spiky
    out.cla_extra = int(max(12, round(1.5 * starts_month)))
    out.manifest.append(row(code, f"{code}-cla-jump", "cla_starts", _ym(c0), _ym(c1), "up", out.cla_extra * 2,
                            "children",
                            "a jump in children starting to be looked after for two months (a group of "
                            "unaccompanied asylum-seeking children arriving)"))
    return out


# ---- data-quality errors --------------------------------------------------------------

DIRTY_KINDS = {
    "icpc_before_s47": ("icpcs", "icpc_15wd_pct", "an initial conference dated two days before its S47 enquiry started"),
    "assessment_authorised_before_start": ("assessments", "assessment_45wd_pct",
                                           "an assessment authorised three days before it started"),
    "cpp_end_before_start": ("cp_plans", "cpp", "a CP plan whose end date is ten days before its start"),
    "duplicate_child_id": ("persons", "all", "two different children (different date of birth and sex) "
                                            "sharing one child ID"),
    "cla_episode_overlap": ("cla_episodes", "cla", "a looked-after episode that ends ten days after the next one "
                                                   "began (overlapping episodes)"),
    "missing_dob": ("persons", "all", "a child (not unborn) with no date of birth"),
}


def _month(ts) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m")


def make_dirty(rng, tables: dict, code: str) -> list[dict]:
    """Corrupt one record per kind in ``tables`` (in place); return the manifest rows."""
    rows = []

    def note(kind, child, when):
        table, measure, text = DIRTY_KINDS[kind]
        rows.append(row(code, f"{code}-dq-{kind}", measure, _month(when), _month(when), None, 1, "records", text,
                        kind="data_quality", table=table, child_id=str(child)))

    ic = tables["icpcs"]
    s47 = tables["s47"]
    if len(ic):
        m = ic.merge(s47[["s47_id", "start_date"]], on="s47_id", how="inner")
        if len(m):
            r = m.iloc[int(rng.integers(len(m)))]
            i = ic.index[ic["icpc_id"] == r["icpc_id"]][0]
            new = r["start_date"] - pd.Timedelta(days=2)
            if not ((ic["child_id"] == r["child_id"]) & (ic["icpc_date"] == new)).any():
                ic.loc[i, "icpc_date"] = new
                note("icpc_before_s47", r["child_id"], new)
    a = tables["assessments"]
    done = a.index[a["authorised_date"].notna()]
    if len(done):
        i = done[int(rng.integers(len(done)))]
        a.loc[i, "authorised_date"] = a.loc[i, "start_date"] - pd.Timedelta(days=3)
        note("assessment_authorised_before_start", a.loc[i, "child_id"], a.loc[i, "start_date"])
    p = tables["cp_plans"]
    ended = p.index[p["end_date"].notna()]
    if len(ended):
        i = ended[int(rng.integers(len(ended)))]
        p.loc[i, "end_date"] = p.loc[i, "start_date"] - pd.Timedelta(days=10)
        note("cpp_end_before_start", p.loc[i, "child_id"], p.loc[i, "start_date"])
    e = tables["cla_episodes"].sort_values(["child_id", "decom"])
    nxt_same = e["child_id"].shift(-1) == e["child_id"]
    cand = e.index[nxt_same & e["dec"].notna()]
    if len(cand):
        i = cand[int(rng.integers(len(cand)))]
        j = e.index[e.index.get_loc(i) + 1]
        tables["cla_episodes"].loc[i, "dec"] = e.loc[j, "decom"] + pd.Timedelta(days=10)
        note("cla_episode_overlap", e.loc[i, "child_id"], e.loc[j, "decom"])
    persons = tables["persons"]
    born = persons.index[persons["dob"].notna()]
    if len(born) >= 2:
        i, j = rng.choice(born, 2, replace=False)
        dup = persons.loc[[j]].copy()
        dup["child_id"] = persons.loc[i, "child_id"]
        dup["sex"] = "F" if persons.loc[i, "sex"] == "M" else "M"
        dup["dob"] = persons.loc[i, "dob"] + pd.Timedelta(days=400)
        note("duplicate_child_id", persons.loc[i, "child_id"], persons.loc[i, "dob"])
        k = rng.choice(born[(born != i) & (born != j)])
        note("missing_dob", persons.loc[k, "child_id"], persons.loc[k, "dob"])
        persons.loc[k, "dob"] = pd.NaT
        tables["persons"] = pd.concat([persons, dup], ignore_index=True)
    return rows
