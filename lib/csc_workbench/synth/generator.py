"""One fictional authority, end to end: demand -> journeys -> care -> workforce -> tables.

``generate_authority`` is the unit of work: it needs nothing but the profile, the months
and a seed, so authorities can be generated in parallel and streamed into the warehouse.

Demand: new families are referred at a daily rate shaped by the authority's referral rate,
seasonality (Easter and summer school holidays and December lower, September to November
higher), weekends and bank holidays, the spring 2020 lockdown, and a gentle yearly trend.
Re-referrals come from the families' own chains (``journeys``). Journeys start three years
before the first month (a burn-in) so that the first month already has open cases, children
on plans and repeat plans; children who came into care long before are added as a legacy
cohort (long stays, and the care leavers of the years covered). The families' referrals are
then thinned at random so each year's referrals match the target rate.

The result keeps what an extract covering the months would hold: CIN episodes open on or
after the first day (with their earlier modules), looked-after periods of those episodes
(and the care histories of young people who are care leavers in the window), everything
dated up to the last day; later dates are "not yet" (nulls).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from ..model.dataset import Dataset
from ..model.schemas import BOOL, DATE, INT, STR, TABLES
from . import _util as U
from . import care
from . import journeys as J
from . import plants as P
from . import workforce as W
from .profiles import AuthorityProfile

BURN_IN_DAYS = 3 * 365
KIDS_PER_EPISODE = 1.45  # children in a family's referral, on average (calibrated)
SURPLUS = 1.25  # arrivals drawn above target, then thinned to the target exactly
N_AREAS = 60

MONTH_FACTOR = J.MONTH_FACTOR
COVID = ((U.day("2020-03-23"), U.day("2020-05-31"), 0.72), (U.day("2020-06-01"), U.day("2020-06-30"), 0.88),
         (U.day("2021-01-05"), U.day("2021-03-07"), 0.9))


def intensity(days: np.ndarray, first_day: int, prof: AuthorityProfile) -> np.ndarray:
    """Expected child referrals on each day."""
    years = (days - first_day) / 365.25
    pop = prof.population * (1 + prof.pop_growth) ** years
    per_day = pop * prof.referral_rate / 10_000 / 365.25 * (1 + prof.demand_trend) ** years
    month = U.month_index(days) % 12
    f = MONTH_FACTOR[month]
    wd = U.is_wd(days)
    weekend = ~wd
    # working days carry the referrals; weekends and bank holidays a few (police)
    f = f * np.where(weekend, 0.12, 1.0) / ((5 * 1.0 + 2 * 0.12) / 7)
    for a, b, k in COVID:
        f = np.where((days >= a) & (days <= b), f * k, f)
    return per_day * f


def _renewal_keep(ce: dict, fams: J.Families, lam: np.ndarray, t0: int, de: int, drawn: np.ndarray) -> np.ndarray:
    """Share of the families arriving on each day (from ``t0``) to keep so that child
    referrals run at ``lam`` from the first simulated day, with no drift.

    Referrals are new families plus families coming back, and the families coming back build
    up for years after the simulation starts (nobody is due back on day one). Renewal
    equation: referrals(t) = new(t) + sum over s < t of referrals(s) x h(t - s), where h is the
    return kernel (children in a family's next referral, per child of this referral, by the
    gap in days), measured on the simulated families themselves. Wanting referrals = lam gives
    the new families needed each day; the families drawn (``drawn`` a day) are thinned to it.
    Thinning families at random does not change the kernel, so the target holds.
    """
    n_days = len(lam)
    fam_ref = ce["is_index"] & (fams.kind[ce["fam"]] == J.KIND_FAMILY)
    # one row per family referral: (family, rank) keys, sorted, with the children in each
    key = ce["fam"].astype(np.int64) * J.MAX_RANK + ce["rank"]
    fk = np.sort(key[fam_ref])
    ref = ce["ref"][fam_ref][np.argsort(key[fam_ref], kind="stable")]
    ks = np.sort(key)
    size = (np.searchsorted(ks, fk, side="right") - np.searchsorted(ks, fk, side="left")).astype(np.float64)
    rank = fk % J.MAX_RANK
    # the family's next referral (rank + 1), if it came
    nxt = np.minimum(np.searchsorted(fk, fk + 1), len(fk) - 1)
    has_next = (fk[nxt] == fk + 1) if len(fk) else np.zeros(0, bool)
    gap = np.where(has_next, ref[nxt] - ref, -1)
    # kernel in 14-day bins of the gap; each bin counts only referrals followed up past it
    width = 14
    n_bins = n_days // width + 1
    full = np.clip((de - ref + 1) // width, 0, n_bins)  # whole bins of follow-up
    b = np.where(has_next, gap // width, -1)
    ok = (b >= 0) & (b < full)
    num = np.bincount(b[ok], weights=size[nxt][ok], minlength=n_bins)[:n_bins]
    exposure = np.cumsum(np.bincount(full, weights=size, minlength=n_bins + 1)[::-1])[::-1][1:n_bins + 1]
    h_bin = np.divide(num, exposure, out=np.zeros(n_bins), where=exposure > 0.02 * size.sum())
    h = np.repeat(h_bin / width, width)[:n_days]
    returning = np.convolve(lam, h)[:n_days]
    returning = np.r_[0.0, returning[:-1]]  # nobody comes back the day they were referred
    kids_first = size[rank == 0].mean() if (rank == 0).any() else KIDS_PER_EPISODE
    # families come back on working days mostly, so compare weekly averages: new families
    # make up the rest of each week, on lam's own days
    week = np.ones(7) / 7
    share_new = 1 - np.convolve(returning, week, "same") / np.maximum(np.convolve(lam, week, "same"), 1e-9)
    need = lam * np.clip(share_new, 0.0, 1.0) / kids_first
    return np.clip(need / np.maximum(drawn, 1e-9), 0.0, 1.0)


def cla_scale(prof: AuthorityProfile) -> float:
    """Lever on the routes into care so that starts match the target rate (calibrated)."""
    non_uasc = prof.cla_start_rate * (1 - prof.uasc_share)
    return non_uasc / prof.referral_rate * 10_000 / 500 * 1.35


def generate_authority(prof: AuthorityProfile, first_month: pd.Period, last_month: pd.Period, seed,
                       dirty: bool = False) -> tuple[Dataset, list[dict]]:
    rng = np.random.default_rng(seed)
    ds = U.day(first_month.start_time)
    de = U.day(last_month.end_time.normalize())
    t0 = ds - BURN_IN_DAYS
    m_first, m_last = int(U.month_index(ds)), int(U.month_index(de))
    teams = W.make_teams(prof.population)
    plan = P.plan(rng, prof, m_first, m_last, teams)
    lev = J.levers(prof, cla_scale(prof))

    # -- demand: families arriving -------------------------------------------------------------
    days = np.arange(t0, de + 1)
    lam = intensity(days, ds, prof)
    # Drawn above what is needed at every day (see _renewal_keep): early in the burn-in few
    # families are due back yet, so new families carry nearly all the demand.
    ramp = 1 - np.exp(-(days - t0) / 900.0)
    fam_rate = lam / KIDS_PER_EPISODE * (1 - lev.q * 0.7 * ramp) * SURPLUS
    arrivals = np.repeat(days, rng.poisson(fam_rate))
    uasc_rate = prof.uasc_share * prof.cla_start_rate * prof.population / 10_000 / 365.25
    uasc = np.repeat(days, rng.poisson(np.full(len(days), uasc_rate)))
    jump = []
    for m in plan.cla_months:
        d0 = int(U.month_start_day(m))
        d1 = int(U.month_start_day(m + 1))
        jump.append(U.next_wd(rng.integers(d0, d1 - 3, plan.cla_extra)))
    jump = np.concatenate(jump) if jump else np.array([], dtype=np.int64)
    n_cl = int(np.ceil(plan.cluster_children / 4)) if plan.cluster_month is not None else 0
    cl_arrive = np.array([], dtype=np.int64)
    if n_cl:
        m0 = int(U.month_start_day(plan.cluster_month))
        cl_arrive = U.next_wd(m0 - rng.integers(450, 650, n_cl))
    all_arr = np.concatenate([arrivals, uasc, jump, cl_arrive]).astype(np.int64)
    kind = np.concatenate([np.full(len(arrivals), J.KIND_FAMILY), np.full(len(uasc) + len(jump), J.KIND_UASC),
                           np.full(n_cl, J.KIND_CLUSTER)])
    fams, kids = J.make_families(rng, all_arr, kind, prof, lev, N_AREAS, plan.cluster_children)
    if n_cl:
        cl = np.flatnonzero(kind == J.KIND_CLUSTER)
        fams.force_cp_end[cl] = cl_arrive + rng.integers(90, 200, n_cl)
        m0 = int(U.month_start_day(plan.cluster_month))
        fams.force_next[cl] = U.wd_add(U.next_wd(np.full(n_cl, m0)), rng.integers(0, 3, n_cl))
        fams.q[cl] = 0.0

    ce, rv = J.run(rng, fams, kids, prof, lev, plan.plants, teams.n_assess, de)

    # -- thin ordinary families so the referrals match the target, day by day -----------------
    p_keep = _renewal_keep(ce, fams, lam, t0, de, fam_rate)
    ordinary = fams.kind == J.KIND_FAMILY
    u = rng.random(len(fams))
    keep_fam = ~ordinary | (u < p_keep[np.clip(fams.arrival - t0, 0, len(days) - 1)])
    keep = keep_fam[ce["fam"]]
    new_index = np.cumsum(keep) - 1
    ce = U.take(ce, keep)
    rv_keep = keep[rv["ce_index"]]
    rv = dict(ce_index=new_index[rv["ce_index"][rv_keep]], day=rv["day"][rv_keep])

    # -- children in care since before the journeys began --------------------------------------
    fams, kids, ce = _add_legacy(rng, prof, fams, kids, ce, ds, t0, de)
    n_ce = len(ce["kid"])
    ce["id"] = np.arange(n_ce)

    tables = _assemble(rng, prof, plan, teams, fams, kids, ce, rv, ds, de, t0)
    manifest = list(plan.manifest)
    if dirty:
        manifest += P.make_dirty(rng, tables, prof.code)
    for frame in tables.values():
        if "authority" not in frame:
            frame.insert(0, "authority", prof.code)
    tables["authorities"] = pd.DataFrame({"authority": [prof.code], "la_name": [prof.name],
                                          "region_code": [prof.region_code], "region_name": [prof.region_name],
                                          "is_synthetic": [True],
                                          "data_from": [first_month.start_time],
                                          "data_to": [last_month.end_time.normalize()]})
    out = {name: _conform(name, frame) for name, frame in tables.items()}
    return Dataset(out, conformed=True), manifest


def _add_legacy(rng, prof, fams: J.Families, kids: J.Kids, ce: dict, ds, t0, de):
    entry, dob = care.legacy_entries(rng, prof, ds - 17 * 365, t0, 0.9)
    n = len(entry)
    route = np.full(n, care.ROUTE_LEGACY)
    per = care.outcomes(rng, dob, entry, route, rng.random(n), rng.standard_normal(n), prof)
    end = per["end"]
    age_end = (end - dob) / care.YEAR
    keep = (end >= ds) | ((age_end >= 16) & (end >= ds - 5 * 365) & (end - entry >= 91))
    entry, dob = entry[keep], dob[keep]
    per = U.take(per, keep)
    end = per["end"]
    n = len(entry)
    f0, k0 = len(fams), len(kids)
    fams = J.Families(
        arrival=np.r_[fams.arrival, entry], kind=np.r_[fams.kind, np.full(n, 3)], n_kids=np.r_[fams.n_kids, np.ones(n, int)],
        kid0=np.r_[fams.kid0, k0 + np.arange(n)], area=np.r_[fams.area, rng.integers(0, N_AREAS, n)],
        risk=np.r_[fams.risk, np.ones(n)], q=np.r_[fams.q, np.zeros(n)],
        eth=np.r_[fams.eth, J.ethnicity(rng, prof, n, np.zeros(n, int))], post=np.r_[fams.post, rng.integers(0, 10**6, n)],
        force_next=np.r_[fams.force_next, np.full(n, -1)], force_cp_end=np.r_[fams.force_cp_end, np.full(n, -1)])
    kids = J.Kids(fam=np.r_[kids.fam, f0 + np.arange(n)], dob=np.r_[kids.dob, dob],
                  sex=np.r_[kids.sex, np.where(rng.random(n) < 0.55, "M", "F")],
                  disabled=np.r_[kids.disabled, rng.random(n) < 0.06], uasc=np.r_[kids.uasc, np.zeros(n, bool)],
                  exit=np.r_[kids.exit, np.full(n, U.NEVER)], death=np.r_[kids.death, np.full(n, U.NEVER)])
    home = per["outcome"] == care.HOME
    closure = np.where(home, np.minimum(end + rng.integers(14, 120, n), U.add_years(dob, 18) - 1), end)
    closure = np.maximum(closure, end)
    died = per["rec"] == "E2"
    kids.death[k0 + np.flatnonzero(died)] = end[died]
    rows = {}
    for k, v in ce.items():
        if v.dtype == bool:
            rows[k] = np.zeros(n, dtype=bool)
        elif v.dtype.kind in "iu":
            rows[k] = np.full(n, U.NEVER, dtype=v.dtype)
        else:
            rows[k] = np.full(n, None, dtype=object)
    rows.update(kid=k0 + np.arange(n), fam=f0 + np.arange(n), rank=np.zeros(n, int), is_index=np.ones(n, bool),
                ref=entry - rng.integers(0, 45, n), source=U.pick(rng, J.REFERRAL_SOURCES, J.REFERRAL_SOURCE_P, n),
                need=U.pick(rng, ["N1", "N4", "N5", "N8"], [70, 8, 17, 5], n), team_area=fams.area[f0:],
                outcome=np.full(n, "cla", dtype=object), cla=np.ones(n, bool), cla_start=entry, cla_end=end,
                route=route[:n], closure=closure)
    for k, v in per.items():
        rows["p_" + k] = v
    for k in ce:
        ce[k] = np.concatenate([ce[k].astype(object) if rows[k].dtype == object and ce[k].dtype != object else ce[k],
                                rows[k]])
    return fams, kids, ce


def _cin_code(need):
    need = np.asarray(need, dtype=object)
    return np.where(np.isin(need, ["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"]), need, "N1").astype(object)


def _assemble(rng, prof, plan: P.Plan, teams: W.Teams, fams: J.Families, kids: J.Kids, ce: dict, rv: dict,
              ds: int, de: int, t0: int) -> dict[str, pd.DataFrame]:
    kid = ce["kid"]
    dob = kids.dob[kid]
    area = fams.area[ce["fam"]]
    closure = ce["closure"]
    ce_keep = (closure >= ds) & (ce["ref"] <= de)

    # -- periods of care and SSDA903 episodes --------------------------------------------------
    pi = np.flatnonzero(ce["cla"] & (ce["cla_start"] <= de))
    per = dict(ce=pi, kid=kid[pi], dob=dob[pi], start=ce["cla_start"][pi], end=ce["cla_end"][pi],
               outcome=ce["p_outcome"][pi], rec=ce["p_rec"][pi], route=ce["route"][pi].astype(np.int64),
               remand=ce["p_remand"][pi].astype(bool), po_day=ce["p_po_day"][pi], placed_day=ce["p_placed_day"][pi],
               decision_day=ce["p_decision_day"][pi], match_day=ce["p_match_day"][pi],
               stopped_day=ce["p_stopped_day"][pi], ffa=ce["p_ffa"][pi].astype(bool), uasc=kids.uasc[kid[pi]],
               cin=_cin_code(ce["need"][pi]), home_post=fams.post[ce["fam"][pi]])
    eps, placements = care.episodes(rng, per, prof, de)
    n_per = len(pi)
    last_ep = np.r_[eps["period"][1:] != eps["period"][:-1], True] if len(eps["period"]) else np.array([], bool)
    per_rec = np.full(n_per, None, dtype=object)
    per_rec[eps["period"][last_ep]] = eps["rec"][last_ep]
    per_rec = np.where(per["end"] <= de, per_rec, None)
    cl, death_by_period = care.care_leavers(rng, per, per_rec, prof, ds, de)
    has_cl = np.zeros(n_per, bool)
    has_cl[cl["period"]] = True
    per_keep = ce_keep[pi] | has_cl
    dead = death_by_period < U.NEVER
    kids.death[per["kid"][dead]] = np.minimum(kids.death[per["kid"][dead]], death_by_period[dead])

    # closure reason from how care ended
    rec_ce = np.full(len(kid), None, dtype=object)
    rec_ce[pi] = per_rec

    # -- short breaks for disabled children on CIN plans ----------------------------------------
    sb = np.flatnonzero(ce["cin"] & (ce["need"] == "N2") & kids.disabled[kid] & ce_keep
                        & (rng.random(len(kid)) < 0.35) & (ce["cin_end"] - ce["cin_start"] > 90))
    breaks = care.short_breaks(rng, kid[sb], ce["cin_start"][sb], np.minimum(ce["cin_end"][sb], closure[sb]), de)

    # -- workforce ----------------------------------------------------------------------------
    seg = _segments(ce, kids, teams, area, per, has_cl, cl, ds, de)
    overlap = np.clip(np.minimum(seg["b"], de + 1) - np.maximum(seg["a"], ds), 0, None)
    load = np.bincount(seg["team"], weights=overlap, minlength=len(teams.team_id)) / max(de + 1 - ds, 1)
    boost = None
    if plan.restructure_team is not None:
        boost = (plan.restructure_team, int(plan.plants.restructure_from) + 30, 0.55)
    staff = W.make_staff(rng, teams, load, prof.caseload, prof.agency_share, t0 - 365, de, boost)
    sk, sa, sb_, st = W.split_reallocations(rng, seg["kid"], seg["a"], seg["b"], seg["team"])
    alloc = W.allocate(rng, staff, sk, sa, sb_, st, t0 - 365)
    look = W.Lookup(alloc)

    def who(k, d):
        tm, tn = look.at(k, d)
        return _team_ids(teams, tm), _worker_ids(tn)

    out: dict[str, pd.DataFrame] = {}
    # -- referrals -----------------------------------------------------------------------------
    r = np.flatnonzero(ce_keep)
    prev12 = _previous_within(kid, ce["ref"], 365)
    cr = _closure_reason(ce, rec_ce)
    tm, wk = who(kid[r], ce["ref"][r])
    out["referrals"] = dict(
        referral_id=U.ids("R", ce["id"][r], 8), child_id=_child_ids(kid[r]), referral_date=ce["ref"][r],
        referral_source=ce["source"][r], nfa=ce["nfa"][r], primary_need=np.where(ce["nfa"][r], None, ce["need"][r]),
        closure_date=np.where(closure[r] <= de, closure[r], U.NEVER),
        closure_reason=np.where(closure[r] <= de, cr[r], None), previous_referrals_12m=prev12[r],
        team_id=tm, worker_id=wk)
    # -- assessments ---------------------------------------------------------------------------
    a = np.flatnonzero(ce_keep & ce["ass"] & (ce["ass_start"] <= de))
    done = ce["ass_auth"][a] <= de
    tm, wk = who(kid[a], ce["ass_start"][a])
    out["assessments"] = dict(
        assessment_id=U.ids("A", ce["id"][a], 8), child_id=_child_ids(kid[a]), referral_id=U.ids("R", ce["id"][a], 8),
        start_date=ce["ass_start"][a], authorised_date=np.where(done, ce["ass_auth"][a], U.NEVER),
        outcome=np.where(done, ce["outcome"][a], None), child_seen=ce["ass_seen"][a],
        factors=np.where(done, ce["factors"][a], None), team_id=tm, worker_id=wk)
    # -- S47 and conferences -------------------------------------------------------------------
    s = np.flatnonzero(ce_keep & ce["s47"] & (ce["s47_start"] <= de))
    icpc_held = ce["icpc"][s] & (ce["icpc_day"][s] <= de)
    concluded = ~ce["icpc"][s] & (ce["s47_concluded"][s] <= de)
    tm, wk = who(kid[s], ce["s47_start"][s])
    out["s47"] = dict(
        s47_id=U.ids("S", ce["id"][s], 8), child_id=_child_ids(kid[s]), referral_id=U.ids("R", ce["id"][s], 8),
        start_date=ce["s47_start"][s], icpc_target_date=ce["icpc_target"][s],
        icpc_not_required=np.where(icpc_held, False, np.where(concluded, True, None)), team_id=tm, worker_id=wk)
    i = np.flatnonzero(ce_keep & ce["icpc"] & (ce["icpc_day"] <= de))
    tm, wk = who(kid[i], ce["icpc_day"][i])
    out["icpcs"] = dict(
        icpc_id=U.ids("I", ce["id"][i], 8), child_id=_child_ids(kid[i]), referral_id=U.ids("R", ce["id"][i], 8),
        s47_id=U.ids("S", ce["id"][i], 8), icpc_date=ce["icpc_day"][i], cp_plan=ce["cpp"][i], team_id=tm, worker_id=wk)
    # -- CP plans and reviews ------------------------------------------------------------------
    every_plan = np.flatnonzero(ce["cpp"])
    prev_plans = _previous_count(kid[every_plan], ce["cp_start"][every_plan])
    ancient = rng.random(len(kids)) < 0.1  # plans before any history we simulate
    prev_plans = prev_plans + ancient[kid[every_plan]]
    prev_of = np.zeros(len(kid), np.int64)
    prev_of[every_plan] = prev_plans
    c = np.flatnonzero(ce_keep & ce["cpp"] & (ce["cp_start"] <= de))
    tm, wk = who(kid[c], ce["cp_start"][c])
    out["cp_plans"] = dict(
        cpp_id=U.ids("P", ce["id"][c], 8), child_id=_child_ids(kid[c]), referral_id=U.ids("R", ce["id"][c], 8),
        start_date=ce["cp_start"][c], end_date=np.where(ce["cp_end"][c] <= de, ce["cp_end"][c], U.NEVER),
        initial_category=ce["cat0"][c], latest_category=ce["cat1"][c], previous_plans=prev_of[c],
        team_id=tm, worker_id=wk)
    rk = ce_keep[rv["ce_index"]] & (rv["day"] <= de)
    rci = rv["ce_index"][rk]
    out["cp_reviews"] = dict(cpp_id=U.ids("P", ce["id"][rci], 8), child_id=_child_ids(kid[rci]), review_date=rv["day"][rk])
    # -- CIN plans (after assessment, and stepping down from a CP plan) ------------------------
    n1 = np.flatnonzero(ce_keep & ce["cin"] & (ce["cin_start"] <= de))
    n2 = np.flatnonzero(ce_keep & ce["sd"] & (ce["sd_start"] <= de))
    cin_rows = np.r_[n1, n2]
    cin_start = np.r_[ce["cin_start"][n1], ce["sd_start"][n2]]
    cin_end = np.r_[ce["cin_end"][n1], ce["sd_end"][n2]]
    out["cin_plans"] = dict(
        cin_plan_id=np.r_[U.ids("N", ce["id"][n1], 8).to_numpy(), U.ids("M", ce["id"][n2], 8).to_numpy()],
        child_id=_child_ids(kid[cin_rows]), referral_id=U.ids("R", ce["id"][cin_rows], 8),
        start_date=cin_start, end_date=np.where(cin_end <= de, cin_end, U.NEVER))

    # -- looked-after tables -------------------------------------------------------------------
    ek = per_keep[eps["period"]] & (eps["decom"] <= de)
    e = U.take(eps, ek)
    sbk = breaks["decom"] <= de
    b = U.take(breaks, sbk)
    ep_kid = np.r_[e["kid"], b["kid"]]
    ep_decom = np.r_[e["decom"], b["decom"]]
    tm, wk = who(ep_kid, ep_decom)
    nb = len(b["kid"])
    out["cla_episodes"] = dict(
        child_id=_child_ids(ep_kid), decom=ep_decom, rne=np.r_[e["rne"], np.full(nb, "S", dtype=object)],
        ls=np.r_[e["ls"], b["ls"]], cin=np.r_[e["cin"], np.full(nb, "N2", dtype=object)],
        place=np.r_[e["place"], b["place"]],
        place_provider=np.r_[e["place_provider"], np.full(nb, "PR1", dtype=object)],
        dec=np.r_[e["dec"], b["dec"]], rec=np.r_[e["rec"], b["rec"]],
        reason_place_change=np.r_[e["reason_place_change"], np.full(nb, None, dtype=object)],
        home_post=np.r_[e["home_post"], np.full(nb, None, dtype=object)],
        pl_post=np.r_[e["pl_post"], np.full(nb, None, dtype=object)],
        urn=np.r_[e["urn"], U.ids("SCZ9", b["kid"] % 9000, 4).to_numpy(dtype=object)],
        team_id=tm, worker_id=wk)
    kp = np.flatnonzero(per_keep)
    sub = {k: v[kp] for k, v in per.items()}
    rvw = care.reviews(rng, sub, prof, de)
    out["cla_reviews"] = dict(child_id=_child_ids(sub["kid"][rvw["period"]]), review_date=rvw["day"],
                              participation=rvw["participation"])
    ms = care.missing(rng, sub, prof, ds, de)
    out["missing"] = dict(child_id=_child_ids(sub["kid"][ms["period"]]), kind=ms["kind"], start_date=ms["start"],
                          end_date=ms["end"])
    hc = care.health_checks(rng, sub, prof, ds, de)
    hk = hc["day"] <= de
    out["health_checks"] = dict(child_id=_child_ids(sub["kid"][hc["period"][hk]]), check_date=hc["day"][hk],
                                kind=hc["kind"][hk])
    fy0 = pd.Timestamp(np.datetime64(ds, "D")).year + 1
    years = [y for y in range(fy0 - 1, pd.Timestamp(np.datetime64(de, "D")).year + 1)
             if ds <= U.day(f"{y}-03-31") <= de]
    o2 = care.oc2(rng, sub, hc, years, prof)
    if o2:
        out["cla_outcomes"] = dict(child_id=_child_ids(sub["kid"][o2["period"]]), year=o2["year"],
                                   health_check=o2["health_check"], teeth_check=o2["teeth_check"],
                                   immunisations=o2["immunisations"],
                                   sdq_score=np.where(o2["sdq"] >= 0, o2["sdq"], None).astype(object),
                                   convicted=np.where(o2["convicted_known"], o2["convicted"], None).astype(object),
                                   substance_misuse=o2["substance"])
    clk = per["kid"][cl["period"]]
    tm, wk = who(clk, cl["day"])
    out["care_leavers"] = dict(
        child_id=_child_ids(clk), status_date=cl["day"], age=cl["age"], eligibility=cl["eligibility"],
        in_touch=cl["in_touch"], activity=cl["activity"], accommodation=cl["accommodation"], suitable=cl["suitable"],
        latest_contact_date=cl["contact"], pathway_plan_date=cl["pathway"], team_id=tm, worker_id=wk)
    ad = care.adoptions(rng, sub, de)
    out["adoptions"] = dict(
        child_id=_child_ids(sub["kid"][ad["period"]]), entered_care_date=ad["entered"], decision_date=ad["decision"],
        placement_order_date=ad["po"], match_date=ad["match"], placed_date=ad["placed"],
        adoption_order_date=ad["order"], stopped_date=ad["stopped"], stopped_reason=ad["stopped_reason"],
        ffa_date=ad["ffa"])

    # -- visits ----------------------------------------------------------------------------------
    out["visits"] = _visits(rng, prof, plan, ce, ce_keep, kids, sub, placements, per_keep, ds, de, who)

    # -- contacts --------------------------------------------------------------------------------
    contacts, extra_kids = _contacts(rng, prof, ce, ce_keep, kids, staff, teams, ds, de)
    out["contacts"] = contacts

    # -- persons ---------------------------------------------------------------------------------
    used = np.zeros(len(kids), bool)
    for name, cols in out.items():
        if "child_id" in cols:
            k = cols["child_id"].attrs["kid"]
            used[k[k < len(kids)]] = True  # front-door-only children are added below
    used_idx = np.flatnonzero(used)
    out["persons"] = _persons(rng, kids, fams, used_idx, extra_kids, de)

    # -- workforce tables ------------------------------------------------------------------------
    ak = used[alloc["kid"]] & (alloc["end"] > ds - 365) & (alloc["start"] <= de)
    al = U.take(alloc, ak)
    out["allocations"] = dict(child_id=_child_ids(al["kid"]), worker_id=_worker_ids(al["tenure"]),
                              team_id=_team_ids(teams, al["team"]), start_date=al["start"],
                              end_date=np.where(al["end"] <= de, al["end"] - 1, U.NEVER))
    wkeep = (staff.ten_end >= ds - 365) & (staff.ten_start <= de)
    wi = np.flatnonzero(wkeep)
    out["workers"] = dict(worker_id=_worker_ids(wi), worker_name=W.worker_names(rng, len(wi)),
                          team_id=teams.team_id[staff.post_team[staff.ten_post[wi]]], agency=staff.ten_agency[wi],
                          start_date=staff.ten_start[wi],
                          end_date=np.where(staff.ten_end[wi] <= de, staff.ten_end[wi], U.NEVER))
    out["teams"] = dict(team_id=teams.team_id, team_name=teams.name,
                        service=np.array(W.SERVICE_CODES, dtype=object)[teams.service])
    y0 = pd.Timestamp(np.datetime64(ds, "D")).year - 1
    y1 = pd.Timestamp(np.datetime64(de, "D")).year
    yrs = np.arange(y0, y1 + 1)
    pops = np.round(prof.population * (1 + prof.pop_growth) ** (yrs - (y0 + 1))).astype(np.int64)
    out["population"] = dict(year=yrs, population_0_17=pops)

    frames = {}
    for name, cols in out.items():
        frames[name] = _to_frame(name, cols)
    frames = _dedupe(frames)
    return frames


# ---- pieces ---------------------------------------------------------------------------------

def _segments(ce, kids, teams: W.Teams, area, per, has_cl, cl, ds, de):
    """Case segments (kid, team, [a, b)) as the work moves between teams."""
    kid = ce["kid"]
    end_ex = ce["closure"] + 1
    further = ce["cin"] | ce["cpp"] | ce["sd"] | ce["cla"]
    next_start = np.minimum.reduce([np.where(ce["cpp"], ce["cp_start"], U.NEVER),
                                    np.where(ce["cin"], ce["cin_start"], U.NEVER),
                                    np.where(ce["cla"], ce["cla_start"], U.NEVER)])
    work_done = np.maximum(ce["ass_auth"] * ce["ass"], np.where(ce["s47"], np.where(ce["icpc"], ce["icpc_day"],
                                                                                        ce["s47_concluded"]), 0))
    hand = np.where(further, np.minimum(np.maximum(work_done, ce["ref"] + 1), next_start), end_ex)
    hand = np.minimum(hand, end_ex)
    assessed = ~ce["nfa"] & (ce["route"] != care.ROUTE_LEGACY)
    disabled_team = (ce["need"] == "N2") & kids.disabled[kid]
    safe_team = np.where(disabled_team, teams.disability, teams.safe(area))
    sg_end = np.where(ce["cla"], np.minimum(ce["cla_start"], end_ex), end_ex)
    home_after = ce["cla"] & (ce["p_outcome"] == care.HOME) & (end_ex > ce["cla_end"])
    parts = [
        (ce["nfa"], ce["ref"], end_ex, np.zeros(len(kid), np.int64)),  # the front door closes NFA referrals
        (assessed, ce["ref"], hand, teams.assess(area)),
        (further & ~ce["cla"] | (ce["cla"] & (ce["cin"] | ce["cpp"])), hand, sg_end, safe_team),
        (ce["cla"], ce["cla_start"], np.minimum(ce["cla_end"], end_ex), teams.cla(area)),
        (home_after, ce["cla_end"], end_ex, safe_team),
    ]
    ks, a_, b_, t_ = [], [], [], []
    for mask, a, b, team in parts:
        m = mask & (b > a)
        ks.append(kid[m])
        a_.append(a[m])
        b_.append(b[m])
        t_.append(np.broadcast_to(team, kid.shape)[m])
    # leaving care: from the end of care to the 21st birthday
    cp = np.unique(cl["period"])
    if len(cp):
        a = per["end"][cp]
        b = np.minimum(U.add_years(per["dob"][cp], 21), de + 1)
        m = b > a
        ks.append(per["kid"][cp][m])
        a_.append(a[m])
        b_.append(b[m])
        t_.append(np.full(m.sum(), teams.care_leavers))
    seg = dict(kid=np.concatenate(ks), a=np.concatenate(a_), b=np.minimum(np.concatenate(b_), de + 400),
               team=np.concatenate(t_).astype(np.int64))
    return seg


CIN, CP, CLA, ASSESS = range(4)
VISIT_KINDS = np.array(["CIN", "CP", "CLA", "assessment"], dtype=object)


def _visits(rng, prof, plan: P.Plan, ce, ce_keep, kids, sub, placements, per_keep, ds, de, who):
    kid = ce["kid"]
    parts = []
    # CP visits: every 10 working days or sooner, mostly
    c = np.flatnonzero(ce_keep & ce["cpp"] & (ce["cp_start"] <= de))
    a = np.maximum(ce["cp_start"][c], ds - 60)
    b = np.minimum(ce["cp_end"][c], de + 1)
    first = np.where(a == ce["cp_start"][c], rng.integers(0, 4, len(c)), rng.integers(1, 9, len(c)))
    p, d = care.regular(rng, a, b, 6, 10, 1 - prof.cp_visit_timely, 11, 20, first=first, unit="wd")
    parts.append((kid[c][p], d, CP))
    # CIN visits: every 20 working days (about 4 weeks), mostly
    n1 = np.flatnonzero(ce_keep & ce["cin"] & (ce["cin_start"] <= de))
    n2 = np.flatnonzero(ce_keep & ce["sd"] & (ce["sd_start"] <= de))
    rows = np.r_[n1, n2]
    s0 = np.r_[ce["cin_start"][n1], ce["sd_start"][n2]]
    s1 = np.r_[ce["cin_end"][n1], ce["sd_end"][n2]]
    a = np.maximum(s0, ds - 60)
    b = np.minimum(s1, de + 1)
    first = np.where(a == s0, rng.integers(0, 8, len(rows)), rng.integers(1, 15, len(rows)))
    p, d = care.regular(rng, a, b, 13, 20, 1 - prof.cin_visit_timely, 21, 40, first=first, unit="wd")
    parts.append((kid[rows][p], d, CIN))
    # assessment visits: the child seen early in the assessment
    x = np.flatnonzero(ce_keep & ce["ass"] & (ce["ass_start"] <= de))
    off = np.where(rng.random(len(x)) < 0.82, rng.integers(0, 6, len(x)), rng.integers(6, 13, len(x)))
    d = np.minimum(U.wd_add(ce["ass_start"][x], off), ce["ass_auth"][x])
    ok = (d <= de) & (d >= kids.dob[kid[x]]) & ce["ass_seen"][x]
    parts.append((kid[x][ok], d[ok], ASSESS))
    # CLA visits
    pk = np.flatnonzero(per_keep)
    pl_keep = per_keep[placements["period"]]
    remap = np.full(len(per_keep), -1)
    remap[pk] = np.arange(len(pk))
    pls = dict(period=remap[placements["period"][pl_keep]], day=placements["day"][pl_keep])
    v = care.cla_visits(rng, sub, pls, ds, de)
    parts.append((sub["kid"][v["period"]], v["day"], CLA))
    vk = np.concatenate([p[0] for p in parts])
    vd = np.concatenate([p[1] for p in parts])
    kind = np.concatenate([np.full(len(p[0]), p[2], dtype=np.int64) for p in parts])
    ok = (vd <= de) & (vd >= kids.dob[vk])
    vk, vd, kind = vk[ok], vd[ok], kind[ok]
    # planted: a month when CP and CIN visits were not recorded
    if plan.visits_month is not None:
        in_month = U.month_index(vd) == plan.visits_month
        lost = in_month & np.isin(kind, [CP, CIN]) & (rng.random(len(vd)) < plan.visits_drop)
        vk, vd, kind = vk[~lost], vd[~lost], kind[~lost]
    # one visit of a kind per child per day
    o = np.lexsort((vd, kind, vk))
    vk, vd, kind = vk[o], vd[o], kind[o]
    dup = np.r_[False, (vk[1:] == vk[:-1]) & (vd[1:] == vd[:-1]) & (kind[1:] == kind[:-1])]
    vk, vd, kind = vk[~dup], vd[~dup], kind[~dup]
    n = len(vk)
    age = (vd - kids.dob[vk]) / 365.25
    seen = np.where(kind == ASSESS, True, rng.random(n) < 0.95)
    alone = seen & (age >= 5) & (rng.random(n) < 0.62)
    _, wk = who(vk, vd)
    return dict(visit_id=U.ids("V", np.arange(n), 9), child_id=_child_ids(vk), visit_date=vd,
                kind=VISIT_KINDS[kind],
                seen=seen, seen_alone=np.where(age >= 2, alone, False), worker_id=wk)


CONTACT_OUTCOMES_OTHER = (["early_help", "advice", "nfa", "other"], [30, 30, 33, 7])


def _contacts(rng, prof, ce, ce_keep, kids: J.Kids, staff: W.Staff, teams: W.Teams, ds, de):
    """Every referral came through a contact; many more contacts did not become referrals."""
    r = np.flatnonzero(ce_keep & (ce["ref"] >= ds) & (ce["ref"] <= de))
    ref = ce["ref"][r]
    back = U.pick(rng, [0, 1, 2], [60, 30, 10], len(r))
    cdate = np.where(U.is_wd(ref), U.wd_add(ref, -back), ref)
    ck = ce["kid"][r]
    n_other = int(round(len(r) * (1 / prof.contact_conversion - 1)))
    od = ref[rng.integers(0, max(len(ref), 1), n_other)] + rng.integers(-40, 41, n_other) if len(ref) else np.array([], int)
    od = np.where(rng.random(n_other) < 0.93, U.next_wd(od), od)
    od = np.clip(od, ds, de)
    known = rng.random(n_other) < 0.4
    # known children: any child already in the data, if under 18 and born on the day
    pool = np.unique(ce["kid"][ce_keep])
    guess = pool[rng.integers(0, max(len(pool), 1), n_other)] if len(pool) else np.zeros(n_other, int)
    d18 = U.add_years(kids.dob[guess], 18)
    ok_known = known & (kids.dob[guess] <= od) & (od < d18)
    # new children, known to the front door only
    n_new = int((~known).sum())
    age = np.concatenate([rng.uniform(0, 5, n_new // 3), rng.uniform(5, 17.9, n_new - n_new // 3)])
    rng.shuffle(age)
    new_dob = od[~known] - np.round(age * 365.25).astype(np.int64)
    new_kid = len(kids) + np.arange(n_new)
    ok_rows = ok_known | ~known
    okid = np.where(known, guess, 0)
    okid[~known] = new_kid
    ock, odt = okid[ok_rows], od[ok_rows]
    outcome_o = U.pick(rng, *CONTACT_OUTCOMES_OTHER, len(ock))
    dec_off = U.pick(rng, [0, 1, 2, 3, 5], [52, 30, 10, 5, 3], len(ock))
    odec = U.wd_add(odt, dec_off)
    kk = np.r_[ck, ock]
    dd = np.r_[cdate, odt]
    outcome = np.r_[np.full(len(ck), "referral", dtype=object), outcome_o.astype(object)]
    dec = np.r_[ref, np.where(odec <= de, odec, U.NEVER)]
    src = np.r_[ce["source"][r].astype(object), U.pick(rng, J.REFERRAL_SOURCES, J.REFERRAL_SOURCE_P, len(ock)).astype(object)]
    o = np.lexsort((np.r_[np.zeros(len(ck)), np.ones(len(ock))], dd, kk))
    kk, dd, outcome, dec, src = kk[o], dd[o], outcome[o], dec[o], src[o]
    dup = np.r_[False, (kk[1:] == kk[:-1]) & (dd[1:] == dd[:-1])]
    kk, dd, outcome, dec, src = kk[~dup], dd[~dup], outcome[~dup], dec[~dup], src[~dup]
    front = np.zeros(len(kk), np.int64)
    post = staff.random_post(rng, front)
    ten = staff.worker_at(post, dd)
    contacts = dict(contact_id=U.ids("K", np.arange(len(kk)), 8), child_id=_child_ids(kk), contact_date=dd,
                    source=src, outcome=outcome, decision_date=dec, team_id=np.full(len(kk), teams.team_id[0]),
                    worker_id=_worker_ids(ten))
    extra = dict(kid=new_kid, dob=new_dob)
    return contacts, extra


def _persons(rng, kids: J.Kids, fams: J.Families, used_idx, extra, de):
    n_new = len(extra["kid"])
    kid = np.r_[used_idx, extra["kid"]]
    dob = np.r_[kids.dob[used_idx], extra["dob"]]
    unborn = dob > de
    sex = np.r_[kids.sex[used_idx], np.where(rng.random(n_new) < 0.51, "M", "F")].astype(object)
    sex = np.where(unborn, "U", sex)
    eth = np.r_[fams.eth[kids.fam[used_idx]], J.ethnicity(rng, FRONT_DOOR_MIX, n_new, np.zeros(n_new, int))].astype(object)
    eth = np.where(unborn, "NOBT", eth)
    death = np.r_[kids.death[used_idx], np.full(n_new, U.NEVER)]
    return dict(child_id=_child_ids(kid), sex=sex, ethnicity=eth, dob=np.where(unborn, U.NEVER, dob),
                expected_dob=np.where(unborn, dob, U.NEVER), death_date=np.where(death <= de, death, U.NEVER),
                disabled=np.r_[kids.disabled[used_idx], rng.random(n_new) < 0.03],
                uasc=np.r_[kids.uasc[used_idx], np.zeros(n_new, bool)],
                family_id=np.r_[U.ids("F", kids.fam[used_idx], 7).to_numpy(), np.full(n_new, None, dtype=object)])


FRONT_DOOR_MIX = SimpleNamespace(wbri_share=0.72)  # children known only to the front door: England-like mix


def _previous_within(kid, day, window):
    """Referrals of the same child in the ``window`` days before each referral."""
    key = kid.astype(np.int64) * W.BIG + day
    o = np.argsort(key, kind="stable")
    ks = key[o]
    lo = np.searchsorted(ks, kid[o].astype(np.int64) * W.BIG + day[o] - window, side="left")
    cnt = np.arange(len(ks)) - lo
    out = np.empty(len(kid), np.int64)
    out[o] = cnt
    return out


def _previous_count(kid, day):
    """Number of earlier plans of the same child."""
    key = kid.astype(np.int64) * W.BIG + day
    o = np.argsort(key, kind="stable")
    ks = kid[o]
    first = np.r_[True, ks[1:] != ks[:-1]]
    grp_start = np.maximum.accumulate(np.where(first, np.arange(len(ks)), 0))
    cnt = np.arange(len(ks)) - grp_start
    out = np.empty(len(kid), np.int64)
    out[o] = cnt
    return out


def _closure_reason(ce, rec_ce):
    rec = rec_ce
    by_rec = np.select([np.isin(rec, ["E11", "E12"]), np.isin(rec, ["E43", "E44", "E45", "E46", "E47", "E48"]),
                        rec == "E41", rec == "E3", rec == "E2", rec == "E7"],
                       ["RC1", "RC4", "RC3", "RC5", "RC2", "RC6"], "RC7")
    further = ce["s47"] | ce["cin"] | ce["cpp"] | ce["sd"] | ce["cla"]
    return np.select([ce["nfa"], ce["cla"], ~further & (ce["outcome"] == "nfa"), ~further & (ce["outcome"] == "early_help")],
                     ["RC7", by_rec, "RC8", "RC9"], "RC7").astype(object)


def _child_ids(kid):
    s = U.ids("C", kid, 7)
    s.attrs["kid"] = np.asarray(kid)  # the child's index, so nobody parses IDs back
    return s


def _worker_ids(tenure):
    tenure = np.asarray(tenure)
    s = U.ids("W", np.maximum(tenure, 0), 5)
    return s.where(tenure >= 0, None)


def _team_ids(teams: W.Teams, team):
    team = np.asarray(team)
    return np.where(team >= 0, teams.team_id[np.maximum(team, 0)], None)


# ---- canonical frames -----------------------------------------------------------------------

def _to_frame(name: str, cols: dict) -> pd.DataFrame:
    """Canonical dtypes straight from arrays (no per-value Python conversions)."""
    spec = TABLES[name].columns
    n = len(next(iter(cols.values())))
    data = {}
    for col, s in spec.items():
        if col == "authority":
            continue
        v = cols.get(col)
        if v is None:
            data[col] = pd.Series(pd.array([None] * n, dtype=s.dtype) if s.dtype != DATE
                                  else np.full(n, np.datetime64("NaT"), dtype="datetime64[us]"))
        elif s.dtype == DATE:
            data[col] = pd.Series(U.to_dates(np.asarray(v)))
        elif s.dtype == STR:
            data[col] = U.str_array(v)
        elif s.dtype in (BOOL, INT):
            arr = np.asarray(v)
            if arr.dtype == object:
                mask = pd.isna(arr)
                filled = np.where(mask, 0, arr).astype(bool if s.dtype == BOOL else np.int64)
            else:
                mask = np.zeros(n, bool)
                filled = arr.astype(bool if s.dtype == BOOL else np.int64)
            cls = pd.arrays.BooleanArray if s.dtype == BOOL else pd.arrays.IntegerArray
            data[col] = pd.Series(cls(filled, mask))
        else:
            data[col] = pd.Series(np.asarray(v, dtype=s.dtype))
    return pd.DataFrame(data)


def _dedupe(frames: dict) -> dict:
    """Natural keys are unique by construction; this guards the rare same-day collisions
    (two siblings' jitter, a reallocation on a visit day) by keeping the first record."""
    for name, frame in frames.items():
        if name in ("visits", "contacts"):  # de-duplicated while built
            continue
        key = [k for k in TABLES[name].key if k != "authority"]
        if key and len(frame):
            dup = frame.duplicated(key)
            if dup.any():
                frames[name] = frame[~dup].reset_index(drop=True)
    return frames


def _conform(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    cols = TABLES[name].column_names
    if "authority" not in frame:
        raise AssertionError(name)
    return frame[cols].reset_index(drop=True)
