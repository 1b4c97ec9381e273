"""Families and their journeys through children's social care, episode by episode.

The unit of simulation is the *family* (a household of siblings): families are referred,
assessed, enquired into, conferenced and put on plans together, which is how sibling groups
appear in real data. A family's referrals are sequential: the next referral comes after the
previous CIN episode closed (a re-referral), so CIN episodes of a child never overlap.

The loop runs over *episode rank* (first referral, second, ...: at most ``MAX_RANK``), each
step vectorised over every family still active; nothing loops over children. Each step:

1. finds the family's children eligible at the referral date (born or due within 28 weeks,
   under 18, not adopted or otherwise gone) and which of them are included;
2. draws the family-level pathway (NFA, assessment length, S47, conference, CP plan with
   its review conferences, CIN plan, becoming looked after) from the authority's levers;
3. derives each included child's records (siblings share dates, with small differences);
4. closes each child's CIN episode after their last activity, and schedules the family's
   next referral (a gap after the latest closure) if the family comes back.

Timing uses working days where the statutory clock does (assessment 45 working days,
conference 15 working days from the strategy discussion).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import _util as U
from . import care
from .profiles import AuthorityProfile

MAX_RANK = 14
# Referrals by calendar month (relative): Easter and the summer holidays quieter, autumn term
# busiest, December quiet. Shaped on the seasonal pattern of referrals in monthly scorecards.
MONTH_FACTOR = np.array([1.03, 1.02, 1.07, 0.90, 1.03, 1.06, 1.01, 0.76, 1.05, 1.08, 1.10, 0.86])
MONTH_FACTOR = MONTH_FACTOR / MONTH_FACTOR.mean()
YEAR = 365.25

REFERRAL_SOURCES = np.array(["1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F",
                             "4", "5A", "5B", "5C", "5D", "6", "7", "8", "9", "10"])
REFERRAL_SOURCE_P = np.array([4, 1, 1, 1.5, 17, 1.5, 2, 2.5, 1, 1, 3, 5.5,
                              2.5, 4, 3, 2, 3.5, 30, 1.5, 4, 1.5, 1])
NEEDS = np.array(["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9"])
NEED_P = np.array([0.55, 0.045, 0.04, 0.09, 0.165, 0.03, 0.005, 0.03, 0.045])
CP_CATS = np.array(["NEG", "EMO", "PHY", "SAB", "MUL"])
CP_CAT_P = np.array([0.49, 0.37, 0.07, 0.04, 0.03])
FACTORS = np.array(["1B", "2B", "3A", "3B", "3C", "4A", "4B", "5A", "6A", "8F", "10A", "11A", "14A",
                    "15A", "18B", "19B", "20", "24A"])
FACTOR_P = np.array([6, 8, 9, 14, 4, 7, 12, 2, 2, 0.3, 2, 1.5, 3, 3, 4, 2, 5, 2])

# Family kinds: ordinary families, unaccompanied asylum-seeking children (arrive alone and
# are looked after at once), and the planted sibling groups of the repeat-plan cluster.
KIND_FAMILY, KIND_UASC, KIND_CLUSTER = 0, 1, 2

# Where a looked-after period began (the route shapes legal status and outcome).
ROUTE_EMERGENCY, ROUTE_S20, ROUTE_AFTER_ASSESS, ROUTE_AFTER_CP, ROUTE_AFTER_CIN, ROUTE_UASC, ROUTE_LEGACY = range(7)
# What happened after a CP plan ended.
POST_STEPDOWN, POST_CLOSE, POST_CLA = 0, 1, 2


@dataclass
class Levers:
    """Per-episode probabilities derived from an authority profile (see ``levers``)."""

    p_nfa: float
    p_s47: float
    p_icpc: float
    p_cpp: float
    p_cin_plan: float
    p_cla_direct: float
    p_cla_assess: float
    p_cla_after_cp: float
    p_cla_after_cin: float
    s47_family: float  # share of (non-NFA) family referrals with an S47 enquiry, on average
    q: float  # chance a family is referred again
    w_short: float  # share of re-referrals that come soon after closure
    not_in_need: float
    assess_45: float
    icpc_15: float
    cp_median: float
    cp_review_timely: float = 0.93


@dataclass
class Plants:
    """Anomalies that change how the pathway is drawn (the generator plants the others)."""

    s47_months: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))
    s47_mult: float = 1.0
    restructure_team: int = -1  # assessment team (index) whose timeliness drops
    restructure_from: int = U.NEVER  # day from which assessments started are slower
    restructure_to: int = U.NEVER
    restructure_late: float = 0.0  # share of that team's assessments then late


@dataclass
class Families:
    arrival: np.ndarray
    kind: np.ndarray
    n_kids: np.ndarray
    kid0: np.ndarray
    area: np.ndarray
    risk: np.ndarray
    q: np.ndarray
    eth: np.ndarray
    post: np.ndarray
    # forced pathways (the planted cluster): -1 = not forced
    force_next: np.ndarray  # absolute day of the next referral after rank 0
    force_cp_end: np.ndarray  # day the first plan should end

    def __len__(self):
        return len(self.arrival)


@dataclass
class Kids:
    fam: np.ndarray
    dob: np.ndarray
    sex: np.ndarray
    disabled: np.ndarray
    uasc: np.ndarray
    exit: np.ndarray  # day after which the child is no longer part of the family's referrals
    death: np.ndarray

    def __len__(self):
        return len(self.fam)


def levers(p: AuthorityProfile, cla_scale: float) -> Levers:
    """Turn an authority's targets into per-episode probabilities.

    Rates per referral come straight from the targets (S47 rate / referral rate, allowing
    for NFA referrals and siblings left out of an enquiry). The re-referral target sets how
    often a family comes back and how soon.
    """
    p_nfa = p.nfa
    s47_per_ref = p.s47_rate / p.referral_rate
    # Family risk multiplies each family's chances (capped at 0.95), and families with an
    # enquiry are riskier than most, so solve for the base chances on the risk distribution
    # itself. / 0.93: siblings sometimes left out of an enquiry.
    risk = _RISK_Z
    risk = np.exp(p.repeat_risk * risk - p.repeat_risk ** 2 / 2)
    p_s47 = _solve(lambda x: np.minimum(0.95, x * risk).mean(), s47_per_ref / (1 - p_nfa) / 0.93)
    w = np.minimum(0.95, p_s47 * risk)
    p_icpc = _solve(lambda x: (np.minimum(0.95, x * np.sqrt(risk)) * w).sum() / w.sum(), p.icpc_per_s47 / 0.985)
    # Re-referral within 12 months = chance of a next referral x chance it is soon.
    q = float(np.clip(0.22 + 1.3 * p.rereferral, 0.3, 0.65))
    w_short = float(np.clip((p.rereferral - 0.01) / (q * 0.58), 0.15, 0.97))
    return Levers(
        p_nfa=p_nfa, p_s47=p_s47, p_icpc=p_icpc, s47_family=min(0.9, s47_per_ref / (1 - p_nfa) / 0.93), p_cpp=p.cpp_per_icpc, p_cin_plan=0.46,
        p_cla_direct=0.0075 * cla_scale, p_cla_assess=0.0085 * cla_scale,
        p_cla_after_cp=min(0.5, 0.11 * cla_scale), p_cla_after_cin=min(0.3, 0.035 * cla_scale),
        q=q, w_short=w_short, not_in_need=p.not_in_need, assess_45=p.assess_45,
        icpc_15=p.icpc_15, cp_median=p.cp_median_days,
    )


_RISK_Z = np.random.default_rng(12345).standard_normal(20_000)  # fixed draws: levers are deterministic


def _solve(f, target, lo=0.0, hi=5.0):
    """x with f(x) = target for increasing f (bisection); capped where unreachable."""
    for _ in range(50):
        mid = (lo + hi) / 2
        if f(mid) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


# ---- families and their children ------------------------------------------------------

def make_families(rng: np.random.Generator, arrivals: np.ndarray, kind: np.ndarray, prof: AuthorityProfile,
                  lev: Levers, n_areas: int, cluster_children: int = 0) -> tuple[Families, Kids]:
    n = len(arrivals)
    n_kids = np.where(kind == KIND_FAMILY, U.pick(rng, [1, 2, 3, 4, 5, 6], [.45, .27, .15, .08, .03, .02], n), 1)
    n_cl = int((kind == KIND_CLUSTER).sum())
    if n_cl:  # the planted sibling groups hold exactly the planted number of children
        sizes = np.full(n_cl, cluster_children // n_cl)
        sizes[: cluster_children % n_cl] += 1
        n_kids[kind == KIND_CLUSTER] = sizes
    # Age of the eldest child at the first referral (CIN census age mix: many teenagers,
    # many babies, some unborn).
    band = U.pick(rng, np.arange(5), [0.15, 0.19, 0.23, 0.32, 0.11], n)
    lo = np.array([-0.45, 1, 5, 10, 16])[band]
    hi = np.array([1, 5, 10, 16, 17.9])[band]
    eldest = rng.uniform(lo, hi)
    eldest = np.where(kind == KIND_UASC, rng.uniform(13.8, 17.8, n) ** 1.0, eldest)
    eldest = np.where(kind == KIND_CLUSTER, rng.uniform(6, 12, n), eldest)
    fam_idx, pos = U.expand(n_kids)
    gaps = np.where(pos == 0, 0.0, 1.0 + rng.gamma(2.0, 0.9, len(fam_idx)))
    age = eldest[fam_idx] - U.grouped_cumsum(gaps, n_kids)
    # the planted cluster's children are all born before their first plan (so every one of
    # their second plans is a repeat)
    age = np.where(kind[fam_idx] == KIND_CLUSTER, rng.uniform(1.5, 13.5, len(fam_idx)), age)
    dob = arrivals[fam_idx] - np.round(age * YEAR).astype(np.int64)
    uasc = kind[fam_idx] == KIND_UASC
    sex = np.where(rng.random(len(fam_idx)) < np.where(uasc, 0.92, 0.515), "M", "F")
    disabled = rng.random(len(fam_idx)) < 0.04
    kids = Kids(fam=fam_idx, dob=dob, sex=sex, disabled=disabled, uasc=uasc,
                exit=np.full(len(fam_idx), U.NEVER, dtype=np.int64),
                death=np.full(len(fam_idx), U.NEVER, dtype=np.int64))
    kid0 = np.cumsum(n_kids) - n_kids
    # Family risk: log-normal with mean 1; its spread makes plans cluster in some families,
    # which is what produces second and subsequent plans.
    sigma = prof.repeat_risk
    risk = np.exp(sigma * rng.standard_normal(n) - sigma ** 2 / 2)
    q = np.clip(lev.q * rng.uniform(0.55, 1.45, n), 0.0, 0.9)
    eth = ethnicity(rng, prof, n, kind)
    fams = Families(arrival=arrivals.astype(np.int64), kind=kind, n_kids=n_kids, kid0=kid0,
                    area=rng.integers(0, n_areas, n), risk=risk, q=q, eth=eth,
                    post=rng.integers(0, 10**6, n),
                    force_next=np.full(n, -1, dtype=np.int64), force_cp_end=np.full(n, -1, dtype=np.int64))
    return fams, kids


ETHNIC_OTHER = np.array(["WIRI", "WOTH", "WROM", "WIRT", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN",
                         "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "NOBT", "REFU"])
ETHNIC_OTHER_P = np.array([1, 9, 1, 0.3, 6, 2.5, 3, 6, 2.5, 6, 2.5, 2.5, 2.5, 6, 2, 0.4, 3.5, 1.2, 0.5])
UASC_ETH = np.array(["OOTH", "BAFR", "AOTH", "BOTH", "WOTH"])


def ethnicity(rng, prof: AuthorityProfile, n: int, kind: np.ndarray) -> np.ndarray:
    other = U.pick(rng, ETHNIC_OTHER, ETHNIC_OTHER_P, n)
    eth = np.where(rng.random(n) < prof.wbri_share, "WBRI", other)
    return np.where(kind == KIND_UASC, U.pick(rng, UASC_ETH, [4, 3, 2, 1, 1], n), eth)


# ---- the episode loop -----------------------------------------------------------------

def run(rng: np.random.Generator, fams: Families, kids: Kids, prof: AuthorityProfile, lev: Levers,
        plants: Plants, n_assess_teams: int, end: int) -> tuple[dict, dict]:
    """Simulate every family's referrals up to ``end``.

    Returns (child-episode columns, CP review rows). Child episodes carry every date of the
    episode; dates after ``end`` are kept here (the caller turns them into 'still open').
    """
    dob18 = U.add_years(kids.dob, 18)
    active = np.arange(len(fams))
    ref = fams.arrival.copy()
    eps, reviews = [], []
    offset = 0
    for rank in range(MAX_RANK):
        keep = ref <= end
        active, ref = active[keep], ref[keep]
        if not len(active):
            break
        out = _step(rng, fams, kids, dob18, prof, lev, plants, n_assess_teams, active, ref, rank)
        if out is None:
            break
        ce, rv, fam_end, fam_ids = out
        rv["ce_index"] = rv["ce_index"] + offset
        offset += len(ce["kid"])
        eps.append(ce)
        reviews.append(rv)
        # Does the family come back? Gap from the last closure: some soon (re-referral within
        # the year), most much later.
        q = fams.q[fam_ids]
        cont = rng.random(len(fam_ids)) < q
        short = rng.random(len(fam_ids)) < lev.w_short
        gap = np.where(short, 7 + rng.exponential(95, len(fam_ids)), 40 + rng.exponential(820, len(fam_ids)))
        nxt = fam_end + np.round(gap).astype(np.int64)
        # Re-referrals follow the school year too: some due in a quiet month (August,
        # December, Easter) arrive a few weeks later instead.
        quiet = rng.random(len(nxt)) > MONTH_FACTOR[U.month_index(nxt) % 12] / MONTH_FACTOR.max()
        nxt = np.where(quiet, nxt + rng.integers(14, 40, len(nxt)), nxt)
        # Referrals arrive on working days, mostly (police referrals at weekends do happen).
        nxt = np.where(rng.random(len(nxt)) < 0.93, U.next_wd(nxt), nxt)
        forced = fams.force_next[fam_ids] >= 0
        if rank == 0 and forced.any():
            nxt = np.where(forced, np.maximum(fams.force_next[fam_ids], fam_end + 1), nxt)
            cont = cont | forced
        if rank >= 1:
            cont = cont & (fams.kind[fam_ids] != KIND_CLUSTER)
        active, ref = fam_ids[cont], nxt[cont]
    return U.concat(eps), U.concat(reviews)


def _step(rng, fams: Families, kids: Kids, dob18, prof, lev: Levers, plants: Plants, n_assess_teams,
          active, ref, rank):
    # 1. children in each referral ---------------------------------------------------------
    fam_counts = fams.n_kids[active]
    parent, pos = U.expand(fam_counts)
    kid = fams.kid0[active][parent] + pos
    r = ref[parent]
    dob = kids.dob[kid]
    prebirth = dob > r
    eligible = (dob <= r + 196) & (r < dob18[kid]) & (r < kids.exit[kid])
    eligible &= ~prebirth | (rng.random(len(kid)) < 0.8)
    prio = np.where(eligible, rng.random(len(kid)), -1.0)
    best = U.group_max(prio, parent, len(active), -1.0)
    is_index = eligible & (prio == best[parent])
    kind_p = fams.kind[active][parent]
    all_in = kind_p == KIND_CLUSTER
    included = eligible & (is_index | all_in | (rng.random(len(kid)) < 0.72))
    has_kid = np.zeros(len(active), dtype=bool)
    has_kid[parent[included]] = True
    if not has_kid.any():
        return None
    # Families with nobody left to refer drop out of the chain.
    remap = np.cumsum(has_kid) - 1
    fam_ids, ref = active[has_kid], ref[has_kid]
    sel = included
    kid, parent, is_index, prebirth = kid[sel], remap[parent[sel]], is_index[sel], prebirth[sel]
    nF, nC = len(fam_ids), len(kid)
    kind = fams.kind[fam_ids]
    uasc_f = kind == KIND_UASC
    cluster_f = kind == KIND_CLUSTER
    risk = fams.risk[fam_ids]

    # 2. family-level pathway --------------------------------------------------------------
    nfa = (rng.random(nF) < lev.p_nfa) & ~uasc_f & ~cluster_f
    assessed = ~nfa
    start_wd = U.next_wd(ref)
    ass_start = U.wd_add(start_wd, U.pick(rng, [0, 0, 1, 2, 3, 5], [.3, .15, .25, .15, .1, .05], nF))
    team = fams.area[fam_ids] % n_assess_teams
    p_late = np.full(nF, 1 - lev.assess_45)
    hit = (team == plants.restructure_team) & (ass_start >= plants.restructure_from) & (ass_start < plants.restructure_to)
    p_late = np.where(hit, np.maximum(p_late, plants.restructure_late), p_late)
    late = rng.random(nF) < p_late
    same_day = rng.random(nF) < 0.035
    on_time_wd = np.where(same_day, 0, 1 + np.floor(44.99 * rng.beta(2.4, 1.25, nF)).astype(np.int64))
    late_wd = 46 + np.minimum(rng.geometric(1 / 17, nF), 160)
    ass_wd = np.where(late, late_wd, on_time_wd)
    ass_auth = U.wd_add(ass_start, ass_wd)

    p_s47 = np.minimum(0.95, lev.p_s47 * risk)
    s47 = assessed & ~uasc_f & ((rng.random(nF) < p_s47) | cluster_f)
    # Planted surge: in the surge months enough extra referrals go to a strategy discussion
    # to multiply enquiries by s47_mult; the extra ones rarely reach conference.
    surge = np.isin(U.month_index(ref), plants.s47_months)
    b = lev.s47_family
    extra_p = (plants.s47_mult - 1) * b / max(1 - b, 0.05)
    extra = surge & assessed & ~uasc_f & ~s47 & (rng.random(nF) < extra_p)
    s47 |= extra
    s47_start = U.wd_add(start_wd, U.pick(rng, [0, 1, 2], [.6, .3, .1], nF))
    p_icpc = np.minimum(0.95, lev.p_icpc * np.sqrt(risk))
    p_icpc = np.where(extra, 0.1 * p_icpc, p_icpc)
    cla_direct = (rng.random(nF) < lev.p_cla_direct) & assessed & ~cluster_f
    cla_direct |= uasc_f
    icpc = s47 & ~cla_direct & ((rng.random(nF) < p_icpc) | cluster_f)
    timely = rng.random(nF) < lev.icpc_15
    icpc_wd = np.where(timely, rng.integers(6, 16, nF), rng.integers(16, 32, nF))
    icpc_wd = np.where(cluster_f, rng.integers(7, 12, nF), icpc_wd)
    icpc_day = U.wd_add(s47_start, icpc_wd)
    s47_concluded = U.wd_add(s47_start, rng.integers(3, 16, nF))
    cpp = icpc & ((rng.random(nF) < lev.p_cpp) | cluster_f)

    # CP plans end at a review conference (first within 3 months, then 6-monthly), unless the
    # child becomes looked after first.
    post_cp = U.pick(rng, [POST_STEPDOWN, POST_CLOSE, POST_CLA],
                     [0.64 * (1 - lev.p_cla_after_cp), 0.36 * (1 - lev.p_cla_after_cp), lev.p_cla_after_cp], nF)
    post_cp = np.where(cluster_f, POST_CLOSE, post_cp)
    cp_len = U.lognormal_days(rng, lev.cp_median, 0.6, nF, lo=25, hi=1600)
    cp_start = icpc_day
    n_rev = 12
    rev_timely = rng.random((nF, n_rev)) < lev.cp_review_timely
    first = np.where(rev_timely[:, 0], rng.integers(55, 91, nF), rng.integers(91, 120, nF))
    later = np.where(rev_timely[:, 1:], rng.integers(150, 183, (nF, n_rev - 1)), rng.integers(183, 215, (nF, n_rev - 1)))
    offs = np.cumsum(np.column_stack([first, later]), axis=1)
    rev_days = U.next_wd(cp_start[:, None] + offs)
    target = cp_start + cp_len
    forced_end = fams.force_cp_end[fam_ids]
    target = np.where((rank == 0) & (forced_end >= 0), forced_end, target)
    k_end = np.argmax(rev_days >= target[:, None], axis=1)
    k_end = np.where((rev_days >= target[:, None]).any(axis=1), k_end, n_rev - 1)
    cp_end = np.where(post_cp == POST_CLA, np.maximum(target, cp_start + 14),
                      rev_days[np.arange(nF), k_end])
    cp_end = np.where(cpp, cp_end, U.NEVER)
    cat0 = U.pick(rng, CP_CATS, CP_CAT_P, nF)
    cat1 = np.where(rng.random(nF) < 0.1, U.pick(rng, CP_CATS, CP_CAT_P, nF), cat0)
    stepdown = cpp & (post_cp == POST_STEPDOWN)
    sd_start = cp_end + 1
    sd_end = sd_start + U.lognormal_days(rng, 125, 0.6, nF, lo=28, hi=900)

    # Needs: disabled children's families often have N2 and long CIN plans.
    need = U.pick(rng, NEEDS, NEED_P, nF)
    any_disabled = np.zeros(nF, dtype=bool)
    any_disabled[parent[kids.disabled[kid]]] = True
    need = np.where(any_disabled & (rng.random(nF) < 0.5), "N2", need)
    need = np.where(uasc_f, "N8", need)
    need = np.where(cpp & np.isin(need, ["N2", "N7", "N8", "N9"]), "N1", need)

    cin_plan = assessed & ~cpp & ~cla_direct & ((rng.random(nF) < lev.p_cin_plan) | (need == "N2"))
    cin_plan &= ~cluster_f
    cin_start = U.next_wd(ass_auth + rng.integers(0, 8, nF))
    cin_len = U.lognormal_days(rng, 190, 0.75, nF, lo=28, hi=2200)
    cin_len = np.where(need == "N2", cin_len * 3, cin_len)
    cin_end = cin_start + cin_len
    cla_after_cin = cin_plan & (rng.random(nF) < lev.p_cla_after_cin)
    cla_after_assess = assessed & ~cpp & ~cla_direct & ~cin_plan & (rng.random(nF) < lev.p_cla_assess / 0.5)
    cla_after_assess &= ~cluster_f
    cla_after_cp = cpp & (post_cp == POST_CLA)
    cla_f = cla_direct | cla_after_cp | cla_after_cin | cla_after_assess
    cla_start_f = np.select(
        [cla_direct, cla_after_cp, cla_after_cin, cla_after_assess],
        [ref + rng.integers(0, 3, nF), cp_end, cin_end, ass_auth + rng.integers(0, 21, nF)], U.NEVER)
    route_f = np.select(
        [uasc_f, cla_direct & (rng.random(nF) < 0.35), cla_direct, cla_after_cp, cla_after_cin, cla_after_assess],
        [ROUTE_UASC, ROUTE_EMERGENCY, ROUTE_S20, ROUTE_AFTER_CP, ROUTE_AFTER_CIN, ROUTE_AFTER_ASSESS], -1)
    outcome_f = np.select(
        [nfa, cpp, cla_f, cin_plan, s47, rng.random(nF) < lev.not_in_need / (1 - 0.46)],
        ["", "cp", "cla", "cin", "nfa", "nfa"], "early_help")

    # 3. child-level records --------------------------------------------------------------
    P = parent
    cdob = kids.dob[kid]
    c18 = dob18[kid]
    some = rng.random(nC)
    lead = is_index | cluster_f[P]
    c_ass = assessed[P]
    jitter = np.where(rng.random(nC) < 0.8, 0, rng.integers(1, 3, nC))
    c_ass_start = U.wd_add(ass_start[P], jitter)
    c_ass_wd = np.where(rng.random(nC) < 0.85, ass_wd[P], np.maximum(0, ass_wd[P] + rng.integers(-3, 4, nC)))
    c_ass_auth = U.wd_add(c_ass_start, c_ass_wd)
    born_s47 = cdob <= s47_start[P]
    c_s47 = s47[P] & born_s47 & (lead | (some < 0.93)) & (s47_start[P] < c18)
    c_icpc = c_s47 & icpc[P] & (icpc_day[P] < c18 - 30)
    c_cpp = c_icpc & cpp[P] & (lead | (rng.random(nC) < 0.97))
    c_cp_end = np.where(c_cpp, np.minimum(cp_end[P], c18 - 1), U.NEVER)
    c_sd = c_cpp & stepdown[P] & (sd_start[P] < c18 - 28)
    c_sd_end = np.where(c_sd, np.minimum(sd_end[P], c18 - 1), U.NEVER)
    c_cin = cin_plan[P] & (cdob <= cin_start[P]) & (lead | (rng.random(nC) < 0.9)) & (cin_start[P] < c18 - 28)
    c_cin_end = np.where(c_cin, np.minimum(cin_end[P], c18 - 1), U.NEVER)
    c_cla = cla_f[P] & (cdob <= cla_start_f[P] - 1) & (cla_start_f[P] < c18 - 14)
    c_cla &= lead | (rng.random(nC) < 0.9)
    c_cla &= np.where(cla_after_cp[P], c_cpp | (rng.random(nC) < 0.3), True)
    c_cla &= np.where(cla_after_cin[P], c_cin | (rng.random(nC) < 0.3), True)
    c_cla_start = np.where(c_cla, cla_start_f[P], U.NEVER)
    # A plan ending because the child became looked after ends that day; siblings not taken
    # into care stay on the plan until the conference that ends it.
    # Looked-after periods: outcome and length by the child's age (siblings share the draw).
    u_out = rng.random(nF)[P]
    z_len = rng.standard_normal(nF)[P]
    period = care.outcomes(rng, cdob[c_cla], c_cla_start[c_cla], route_f[P][c_cla], u_out[c_cla],
                           z_len[c_cla], prof)
    c_cla_end = np.full(nC, U.NEVER, dtype=np.int64)
    c_cla_end[c_cla] = period["end"]
    # A child whose CIN plan ended because they came into care: that plan's end is the start.
    # Closure: after the last activity; after care ends at home, support continues a while.
    last = np.maximum.reduce([
        np.where(c_ass, c_ass_auth, ref[P]),
        np.where(c_s47, np.where(c_icpc, icpc_day[P], s47_concluded[P]), 0),
        np.where(c_cpp, c_cp_end, 0), np.where(c_sd, c_sd_end, 0), np.where(c_cin, c_cin_end, 0),
        np.where(c_cla, c_cla_end, 0),
    ])
    lag = np.where(nfa[P], 0, np.where(c_cpp | c_cin | c_sd, rng.integers(0, 21, nC), rng.integers(0, 6, nC)))
    home = np.zeros(nC, dtype=bool)
    home[c_cla] = period["outcome"] == care.HOME
    lag = np.where(home, rng.integers(14, 120, nC), lag)
    perm = np.zeros(nC, dtype=bool)
    perm[c_cla] = np.isin(period["outcome"], [care.ADOPT, care.SGO, care.CAO, care.LT, care.INDEP, care.OTHER])
    lag = np.where(perm, 0, lag)
    closure = np.minimum(last + lag, np.maximum(c18 - 1, last))
    closure = np.where(c_cla & ~home, np.maximum(c_cla_end, last), closure)

    # Children adopted, under a special guardianship or child arrangements order, moved to
    # another authority or who died leave the family's story.
    gone = np.zeros(nC, dtype=bool)
    gone[c_cla] = period["gone"]
    kids.exit[kid[gone]] = c_cla_end[gone]
    died = np.zeros(nC, dtype=bool)
    died[c_cla] = period["rec"] == "E2"
    kids.death[kid[died]] = c_cla_end[died]

    fam_end = U.group_max(closure, P, nF, 0)

    n_f = rng.integers(1, 4, nC)
    factors = _factors(rng, nC, n_f)
    ce = dict(
        kid=kid, fam=fam_ids[P], rank=np.full(nC, rank), is_index=is_index, prebirth=prebirth,
        ref=ref[P], source=U.pick(rng, REFERRAL_SOURCES, REFERRAL_SOURCE_P, nF)[P], nfa=nfa[P],
        need=np.where(nfa[P], "", need[P]), team_area=fams.area[fam_ids][P],
        ass=c_ass, ass_start=c_ass_start, ass_auth=c_ass_auth, outcome=outcome_f[P],
        ass_seen=rng.random(nC) < 0.965, factors=np.where(outcome_f[P] == "nfa", np.where(some < 0.5, "21", factors), factors),
        s47=c_s47, s47_start=s47_start[P], s47_concluded=s47_concluded[P], icpc=c_icpc, icpc_day=icpc_day[P],
        icpc_target=U.wd_add(s47_start[P], 15),
        cpp=c_cpp, cp_start=cp_start[P], cp_end=c_cp_end, cat0=cat0[P], cat1=cat1[P],
        cin=c_cin, cin_start=cin_start[P], cin_end=c_cin_end,
        sd=c_sd, sd_start=sd_start[P], sd_end=c_sd_end,
        cla=c_cla, cla_start=c_cla_start, cla_end=c_cla_end, route=route_f[P],
        closure=closure,
        cluster=cluster_f[P],
    )
    # Looked-after period details ride along as p_* columns (defaults where no period).
    for k, v in period.items():
        if v.dtype == bool:
            col = np.zeros(nC, dtype=bool)
        elif v.dtype == object:
            col = np.full(nC, None, dtype=object)
        else:
            col = np.full(nC, U.NEVER, dtype=np.int64)
        col[c_cla] = v
        ce["p_" + k] = col
    # CP review conferences, per child on the plan (siblings' conferences are held together).
    cp_children = np.flatnonzero(c_cpp)
    # expand each child's plan to the family's review days before (or on) the plan end
    counts = np.full(len(cp_children), n_rev)
    ci, kk = U.expand(counts)
    child = cp_children[ci]
    day_ = rev_days[P[child], kk]
    ok = day_ <= c_cp_end[child]
    rv = dict(ce_index=child[ok], day=day_[ok])
    return ce, rv, fam_end, fam_ids


def _factors(rng, n, n_f):
    """1-3 factors identified at assessment, comma-separated, no repeats."""
    picks = U.pick(rng, np.arange(len(FACTORS)), FACTOR_P, n * 3).reshape(n, 3)
    a, b, c = FACTORS[picks[:, 0]], FACTORS[picks[:, 1]], FACTORS[picks[:, 2]]
    two = np.where(b != a, np.char.add(np.char.add(a.astype(str), ","), b.astype(str)), a)
    three = np.where((c != a) & (c != b), np.char.add(np.char.add(two.astype(str), ","), c.astype(str)), two)
    return np.select([n_f == 1, n_f == 2], [a, two], three).astype(object)
