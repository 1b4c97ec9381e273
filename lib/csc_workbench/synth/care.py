"""Looked-after children: periods of care, SSDA903 episodes, and what hangs off them.

A *period of care* (start, end, how it ended) is decided first (``outcomes``), from the
child's age and the route into care, so that the family's journey knows when the CIN
episode can close. ``episodes`` then turns every period into an SSDA903 episode chain:
legal-status changes and placement moves are events on the period's timeline; each event
day starts a new episode whose reason for new episode (RNE) says what changed:

- S: started to be looked after (first episode of a period);
- P: new placement with a new carer; T: placement change with the same carer (a foster
  placement made long-term, or placed for adoption with the foster carer);
- L: legal status only; B: legal status and placement together; U: legal status and a
  same-carer placement change together.

Episodes chain without gaps (DEC of one = DECOM of the next, REC = X1) and the last takes
the period's reason for ceasing. The rules DfE's SSDA903 validation checks are respected
by construction: police protection at most 72 hours and EPOs under 21 days, placed with
parents only under a care order, no one over 18, semi-independent living from 16, a
placement order before a placement for adoption, a special guardianship order to former
foster carers only from a foster placement, the reason for a placement change on the
episode before it, short breaks (V3/V4) on their own.
"""

from __future__ import annotations

import numpy as np

from . import _util as U

YEAR = 365.25
HOME, ADOPT, SGO, CAO, LT, INDEP, OTHER = range(7)

# Outcome of a period of care by age at the start (rows: under 1, 1-4, 5-9, 10-15, 16-17,
# UASC) and outcome (HOME, ADOPT, SGO, CAO, LT = until 18, INDEP = independent living at
# 16-17, OTHER). Shaped on DfE's children ceasing to be looked after by reason and age.
OUTCOME_P = np.array([
    [0.20, 0.30, 0.19, 0.02, 0.19, 0.00, 0.10],
    [0.30, 0.19, 0.19, 0.03, 0.20, 0.00, 0.09],
    [0.37, 0.02, 0.15, 0.03, 0.35, 0.00, 0.08],
    [0.47, 0.00, 0.05, 0.02, 0.34, 0.02, 0.10],
    [0.42, 0.00, 0.01, 0.00, 0.32, 0.15, 0.10],
    [0.00, 0.00, 0.00, 0.00, 0.85, 0.05, 0.10],
])

ROUTE_EMERGENCY, ROUTE_S20, ROUTE_AFTER_ASSESS, ROUTE_AFTER_CP, ROUTE_AFTER_CIN, ROUTE_UASC, ROUTE_LEGACY = range(7)


def _age(dob, at):
    return (at - dob) / YEAR


def outcomes(rng: np.random.Generator, dob, start, route, u_out, z, prof) -> dict:
    """How and when each period of care ends (siblings pass the same ``u_out`` and ``z``)."""
    n = len(dob)
    age = _age(dob, start)
    band = np.digitize(age, [1, 5, 10, 16])
    band = np.where(route == ROUTE_UASC, 5, band)
    probs = OUTCOME_P.copy()
    probs[:, LT] *= prof.cla_stay
    outcome = U.inverse_cdf(probs, band, u_out)
    d18 = U.add_years(dob, 18)
    remand = (route == ROUTE_AFTER_ASSESS) & (age >= 12) & (rng.random(n) < 0.05)
    outcome = np.where(remand, OTHER, outcome)

    def ln(median, sigma, lo, hi):
        return np.clip(np.round(np.exp(np.log(median) + sigma * z)), lo, hi).astype(np.int64)

    # Adoption: decision, placement order, match, placed, order (DfE A1/A2 timescales).
    decision = start + U.lognormal_days(rng, 170, 0.35, n, lo=30)
    po = decision + U.lognormal_days(rng, 105, 0.45, n, lo=14)
    match = po + U.lognormal_days(rng, 140, 0.6, n, lo=14)
    placed = match + rng.integers(7, 50, n)
    order = placed + U.lognormal_days(rng, 230, 0.3, n, lo=75)
    # not on 31 March: DfE counts a child whose care ends that day as looked after all year
    # (OC2), which an adoption in the year (AD1) contradicts
    march31 = (U.month_index(order) % 12 == 2) & ((order - U.month_start_day(U.month_index(order))) == 30)
    order = np.where(march31, order + 1, order)
    adopt = outcome == ADOPT
    stopped = adopt & (rng.random(n) < 0.12)
    stopped_day = np.where(stopped, decision + rng.integers(60, 300, n), U.NEVER)
    outcome = np.where(stopped, np.where(rng.random(n) < 0.6, LT, SGO), outcome)
    adopt = outcome == ADOPT
    ffa = adopt & (age < 1) & (rng.random(n) < 0.2)

    indep_end = U.add_years(dob, 16) + rng.integers(90, 700, n)
    end = np.select(
        [outcome == HOME, adopt, outcome == SGO, outcome == CAO, outcome == LT, outcome == INDEP],
        [start + ln(150, 1.15, 3, 3650), order, start + ln(430, 0.5, 100, 3650), start + ln(320, 0.5, 90, 3000),
         d18, np.maximum(indep_end, start + 30)],
        start + ln(140, 1.0, 3, 3000))
    end = np.where(remand, start + rng.integers(10, 90, n), end)
    end = np.where(stopped & (outcome == SGO), np.maximum(end, stopped_day + 60), end)
    end = np.maximum(end, start + 2)  # no episode lasts under 24 hours
    aged_out = end >= d18
    end = np.minimum(end, d18)
    outcome = np.where(aged_out & ~adopt, LT, outcome)

    u = rng.random(n)
    rec = np.select(
        [outcome == HOME, adopt, outcome == SGO, outcome == CAO, outcome == LT, outcome == INDEP, remand,
         route == ROUTE_UASC],
        [np.where(u < 0.88, "E4A", "E13"), np.where(u < 0.7, "E11", "E12"), "SGO", "CAO", "AGE18",
         np.where(u < 0.7, "E5", "E6"), "E14", np.where(u < 0.45, "E3", np.where(u < 0.9, "E8", "E15"))],
        np.where(u < 0.10, "E3", np.where(u < 0.22, "E13", np.where(u < 0.223, "E2", "E8"))))
    rec = np.where((outcome == LT) & ~aged_out, "E8", rec)
    gone = adopt | np.isin(outcome, [SGO, CAO]) | np.isin(rec, ["E3", "E2", "E15"])
    return dict(
        outcome=outcome.astype(np.int64), end=end.astype(np.int64), rec=rec.astype(object), gone=gone,
        remand=remand, ffa=ffa,
        decision_day=np.where(adopt | stopped, decision, U.NEVER),
        po_day=np.where(adopt, po, U.NEVER), match_day=np.where(adopt, match, U.NEVER),
        placed_day=np.where(adopt, placed, U.NEVER), stopped_day=stopped_day,
    )


# ---- placement types ------------------------------------------------------------------
PLACE_BANDS = ("U6", "U3", "K2", "H5", "S1", "R3")
# rows: under 1, 1-4, 5-9, 10-15, 16-17, UASC under 16, UASC 16+
PLACE_P = np.array([
    [0.64, 0.26, 0.00, 0.00, 0.00, 0.10],
    [0.68, 0.30, 0.02, 0.00, 0.00, 0.00],
    [0.65, 0.26, 0.07, 0.00, 0.02, 0.00],
    [0.56, 0.15, 0.26, 0.00, 0.03, 0.00],
    [0.34, 0.08, 0.18, 0.40, 0.00, 0.00],
    [0.85, 0.00, 0.15, 0.00, 0.00, 0.00],
    [0.33, 0.00, 0.02, 0.65, 0.00, 0.00],
])
FOSTER = np.array(["U1", "U2", "U3", "U4", "U5", "U6"])
RPC_CODES = np.array(["CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ", "PLACE", "OTHER"])
RPC_P = np.array([30, 3, 2, 2, 2, 14, 9, 9, 14, 10, 5])


SUPPORTED_FROM = U.day("2024-03-31")  # the last day of the 2023-24 return


def _place_band(age, uasc):
    band = np.digitize(age, [1, 5, 10, 16])
    return np.where(uasc, np.where(age >= 16, 6, 5), band)


def episodes(rng: np.random.Generator, per: dict, prof, extract_end: int) -> tuple[dict, dict]:
    """SSDA903 episodes for every period of care.

    ``per`` columns: kid, dob, start, end, outcome, rec, route, remand, po_day, placed_day,
    ffa, uasc, cin (N1..N8), home_post. Returns (episodes, placements).
    """
    n = len(per["start"])
    start, end, dob = per["start"], per["end"], per["dob"]
    pid = np.arange(n)
    age0 = _age(dob, start)
    d16 = U.add_years(dob, 16)
    adopt = per["outcome"] == ADOPT
    u = rng.random((n, 8))

    # -- legal status timeline ------------------------------------------------------------
    route = per["route"]
    first_ls = np.select(
        [per["remand"], route == ROUTE_EMERGENCY, route == ROUTE_AFTER_CP, np.isin(route, [ROUTE_S20, ROUTE_UASC]),
         route == ROUTE_LEGACY],
        ["J1", np.where(u[:, 0] < 0.6, "L1", "L2"), np.where(u[:, 0] < 0.75, "C1", "V2"), "V2",
         np.where(u[:, 0] < 0.65, "C1", "V2")],
        np.where(u[:, 0] < 0.4, "C1", "V2")).astype(object)
    first_ls = np.where(adopt & (first_ls == "V2"), "C1", first_ls)
    emergency = np.isin(first_ls, ["L1", "L2"])
    em_len = np.where(first_ls == "L1", rng.integers(1, 3, n), rng.integers(3, 11, n))
    main_ls = np.where(emergency, np.where(adopt | (u[:, 1] < 0.75), "C1", "V2"), first_ls)
    convert = (main_ls == "V2") & ~per["uasc"] & ~per["remand"] & (u[:, 2] < 0.12) & (age0 < 15)
    conv_day = start + rng.integers(60, 300, n)
    on_c1 = (main_ls == "C1") | convert
    c1_from = np.where(convert, conv_day, start)
    c2_day = c1_from + U.lognormal_days(rng, 290, 0.3, n, lo=90)
    ls_ev = [
        (pid, start, first_ls),
        (pid[emergency], (start + em_len)[emergency], main_ls[emergency]),
        (pid[convert], conv_day[convert], np.full(convert.sum(), "C1", dtype=object)),
        (pid[on_c1 & ~adopt], c2_day[on_c1 & ~adopt], np.full((on_c1 & ~adopt).sum(), "C2", dtype=object)),
        (pid[adopt], per["po_day"][adopt], np.full(adopt.sum(), "E1", dtype=object)),
    ]
    lp = np.concatenate([e[0] for e in ls_ev])
    ld = np.concatenate([e[1] for e in ls_ev]).astype(np.int64)
    lc = np.concatenate([e[2] for e in ls_ev]).astype(object)
    ok = (ld == start[lp]) | (ld < end[lp])
    lp, ld, lc = lp[ok], ld[ok], lc[ok]

    # -- placement timeline ---------------------------------------------------------------
    uasc = per["uasc"]
    # moves stop once a child is placed for adoption or goes home to parents
    p1 = (per["outcome"] == HOME) & np.isin(main_ls, ["C1"]) & (u[:, 3] < 0.3) & (end - start > 120)
    p1_day = np.where(p1, end - rng.integers(30, np.maximum(31, np.minimum(180, end - start - 60))), U.NEVER)
    stop = np.minimum.reduce([end, np.where(adopt, per["placed_day"], U.NEVER), p1_day])
    horizon = np.minimum(stop, extract_end + 400)
    years = np.maximum(horizon - start, 0) / YEAR
    rate = np.array([0.34, 0.4, 0.47, 0.9, 1.0, 0.68, 0.77])[_place_band(age0, uasc)] * prof.placement_moves
    # a few children move far more often than most (placement breakdowns cluster)
    instability = rng.gamma(0.6, 1 / 0.6, n)
    n_moves = rng.poisson(rate * instability * years)
    early = (rng.random(n) < np.where(emergency, 0.5, 0.22) * prof.placement_moves) & ~per["ffa"]
    mp, _ = U.expand(n_moves)
    move_day = start[mp] + 14 + np.floor(rng.random(len(mp)) * np.maximum(stop[mp] - start[mp] - 15, 0)).astype(np.int64)
    early_day = start + rng.integers(3, 60, n)
    semi = np.isin(per["outcome"], [LT, INDEP]) & ~uasc & (u[:, 4] < 0.55)
    semi_day = d16 + rng.integers(0, 300, n)
    semi &= (semi_day > start + 14) & (semi_day < stop)
    pl_ev_p = np.concatenate([pid, mp, pid[early], pid[semi], pid[p1], pid[adopt]])
    pl_ev_d = np.concatenate([start, move_day, early_day[early], semi_day[semi], p1_day[p1], per["placed_day"][adopt]])
    kind = np.concatenate([np.zeros(n), np.ones(len(mp)), np.ones(early.sum()), np.full(semi.sum(), 2),
                           np.full(p1.sum(), 3), np.full(adopt.sum(), 4)]).astype(np.int64)
    ok = (pl_ev_d == start[pl_ev_p]) | ((pl_ev_d > start[pl_ev_p]) & (pl_ev_d < end[pl_ev_p]))
    ok &= (kind >= 3) | (pl_ev_d < stop[pl_ev_p]) | (pl_ev_d == start[pl_ev_p])
    pl_ev_p, pl_ev_d, kind = pl_ev_p[ok], pl_ev_d[ok], kind[ok]
    order = np.lexsort((-kind, pl_ev_d, pl_ev_p))
    pl_ev_p, pl_ev_d, kind = pl_ev_p[order], pl_ev_d[order], kind[order]
    # one placement change a day: keep the most specific (adoption > home > semi > move)
    first_of_day = np.r_[True, (pl_ev_p[1:] != pl_ev_p[:-1]) | (pl_ev_d[1:] != pl_ev_d[:-1])]
    pl_ev_p, pl_ev_d, kind = pl_ev_p[first_of_day], pl_ev_d[first_of_day], kind[first_of_day]
    # once semi-independent, ordinary moves stay semi-independent (or residential)
    semi_seen = _group_cummax((kind == 2).astype(np.int64), pl_ev_p)

    npl = len(pl_ev_p)
    age_at = _age(dob[pl_ev_p], pl_ev_d)
    pband = _place_band(age_at, uasc[pl_ev_p])
    ptype = np.asarray(PLACE_BANDS)[U.pick_rows(rng, PLACE_P, pband)].astype(object)
    ptype = np.where((ptype == "H5") & (age_at < 16), "U6", ptype)
    ptype = np.where((ptype == "S1") & (age_at < 5), "U6", ptype)
    ptype = np.where((ptype == "R3") & ((kind != 0) | (age_at > 0.5)), "U6", ptype)
    ptype = np.where(semi_seen.astype(bool) & (kind == 1), np.where(rng.random(npl) < 0.8, "H5", "K2"), ptype)
    ptype = np.where(kind == 2, "H5", ptype)
    ptype = np.where(kind == 3, "P1", ptype)
    ffa_p = per["ffa"][pl_ev_p]
    ptype = np.where((kind == 0) & ffa_p, "U5", ptype)
    # placed for adoption: with the current foster carer (A5, a same-carer change) only when
    # the placement before was foster care; otherwise with new adopters (A6)
    same_period_prev = np.r_[False, pl_ev_p[1:] == pl_ev_p[:-1]]
    prev_type = _prev(ptype, None)
    prev_foster = same_period_prev & np.isin(prev_type, FOSTER)
    ptype = np.where(kind == 4, np.where(prev_foster & (ffa_p | (rng.random(npl) < 0.15)), "A5", "A6"), ptype)
    # supported accommodation is Ofsted-registered (K3, with a URN) from 31 March 2024, when
    # DfE replaced the semi-independent code H5 (no URN: not registered)
    ptype = np.where((ptype == "H5") & (pl_ev_d >= SUPPORTED_FROM), "K3", ptype)
    # placement provider, Ofsted URN and postcode
    in_house = rng.random(npl) < 0.55
    prov = np.select(
        [ptype == "P1", np.isin(ptype, ["U3", "U1"]), np.isin(ptype, ["U6", "U5", "U4"]),
         np.isin(ptype, ["A5", "A6"]), ptype == "K2", np.isin(ptype, ["H5", "K3"])],
        ["PR0", "PR1", np.where(in_house, "PR1", np.where(rng.random(npl) < 0.8, "PR4", "PR5")),
         U.pick(rng, ["PR1", "PR2", "PR5"], [5, 3, 2], npl), U.pick(rng, ["PR4", "PR1", "PR5"], [75, 20, 5], npl),
         U.pick(rng, ["PR4", "PR1"], [8, 2], npl)],
        "PR4").astype(object)
    urn = _urns(rng, ptype, prov, per["home_post"][pl_ev_p])
    pl_post = _postcodes(rng.integers(0, 10**6, npl))
    home_post = _postcodes(per["home_post"])
    # a new placement is somewhere else: never the previous placement's or the home postcode
    for _ in range(3):
        clash = (pl_post == home_post[pl_ev_p]) | (same_period_prev & (pl_post == _prev(pl_post, None)))
        if not clash.any():
            break
        pl_post[clash] = _postcodes(rng.integers(0, 10**6, clash.sum()))
    pl_post = np.where(ptype == "P1", home_post[pl_ev_p], pl_post)

    # same-carer re-designation: a foster placement made long-term (T), or placed for adoption
    # with the foster carer (A5, T)
    nxt_day = np.r_[pl_ev_d[1:], 0]
    same_next = np.r_[pl_ev_p[1:] == pl_ev_p[:-1], False]
    pl_end = np.where(same_next, nxt_day, end[pl_ev_p])
    longterm = np.isin(ptype, ["U6", "U3"]) & (pl_end - pl_ev_d > 400) & (rng.random(npl) < 0.4)
    lt_day = pl_ev_d + rng.integers(270, 380, npl)
    longterm &= lt_day < pl_end - 20
    t_p = pl_ev_p[longterm]
    t_d = lt_day[longterm]
    t_type = np.where(ptype[longterm] == "U6", "U4", "U1").astype(object)
    # semi-independent placements still open when the providers registered carry on as
    # supported accommodation: a same-carer change on that day
    recode = (ptype == "H5") & (pl_ev_d < SUPPORTED_FROM) & (pl_end > SUPPORTED_FROM)
    r_p = pl_ev_p[recode]
    r_urn = (_urns(rng, np.full(len(r_p), "K3", dtype=object), prov[recode], per["home_post"][r_p])
             if len(r_p) else np.array([], dtype=object))
    # A5 (placed with own foster carer) is a same-carer change: carry the carer's details over.
    prev_idx = np.maximum(np.arange(npl) - 1, 0)
    a5 = (ptype == "A5") & (kind == 4)
    pl_post = np.where(a5, pl_post[prev_idx], pl_post)
    rne_pl = np.where(a5, "T", "P").astype(object)

    placements = dict(period=np.concatenate([pl_ev_p, t_p, r_p]),
                      day=np.concatenate([pl_ev_d, t_d, np.full(len(r_p), SUPPORTED_FROM)]),
                      place=np.concatenate([ptype, t_type, np.full(len(r_p), "K3", dtype=object)]).astype(object),
                      provider=np.concatenate([prov, prov[longterm], prov[recode]]).astype(object),
                      urn=np.concatenate([urn, urn[longterm], r_urn]).astype(object),
                      pl_post=np.concatenate([pl_post, pl_post[longterm], pl_post[recode]]).astype(object),
                      change=np.concatenate([rne_pl, np.full(len(t_p) + len(r_p), "T", dtype=object)]))
    o = np.lexsort((placements["day"], placements["period"]))
    placements = U.take(placements, o)

    # -- merge timelines into episodes -----------------------------------------------------
    ev_p = np.concatenate([lp, placements["period"]])
    ev_d = np.concatenate([ld, placements["day"]])
    is_ls = np.concatenate([np.ones(len(lp), bool), np.zeros(len(placements["day"]), bool)])
    ls_val = np.concatenate([lc, np.full(len(placements["day"]), None, dtype=object)])
    pl_idx = np.concatenate([np.full(len(lp), -1), np.arange(len(placements["day"]))])
    o = np.lexsort((ev_d, ev_p))
    ev_p, ev_d, is_ls, ls_val, pl_idx = ev_p[o], ev_d[o], is_ls[o], ls_val[o], pl_idx[o]
    new_ep = np.r_[True, (ev_p[1:] != ev_p[:-1]) | (ev_d[1:] != ev_d[:-1])]
    ep_no = np.cumsum(new_ep) - 1
    n_ep = ep_no[-1] + 1 if len(ep_no) else 0
    ep_p = ev_p[new_ep]
    ep_d = ev_d[new_ep]
    has_ls = np.zeros(n_ep, bool)
    has_ls[ep_no[is_ls]] = True
    ls_at = np.full(n_ep, None, dtype=object)
    ls_at[ep_no[is_ls]] = ls_val[is_ls]
    has_pl = np.zeros(n_ep, bool)
    has_pl[ep_no[~is_ls]] = True
    pl_at = np.full(n_ep, -1)
    pl_at[ep_no[~is_ls]] = pl_idx[~is_ls]
    ls_f = _ffill(ls_at, ep_p)
    pl_f = _ffill_int(pl_at, ep_p)
    first = np.r_[True, ep_p[1:] != ep_p[:-1]]
    last = np.r_[ep_p[1:] != ep_p[:-1], True]
    change = np.where(has_pl, placements["change"][np.maximum(pl_f, 0)], "")
    rne = np.select([first, has_ls & has_pl & (change == "T"), has_ls & has_pl, has_pl & (change == "T"), has_pl],
                    ["S", "U", "B", "T", "P"], "L").astype(object)
    dec = np.where(last, end[ep_p], np.r_[ep_d[1:], 0])
    rec = np.where(last, per["rec"][ep_p], "X1").astype(object)
    place = placements["place"][pl_f]
    rec = _resolve_rec(rng, rec, place, last)
    next_rne = _next(rne, "")
    rpc = np.where(~last & np.isin(next_rne, ["P", "B", "T", "U"]),
                   np.where(np.isin(next_rne, ["T", "U"]), "CARPL", U.pick(rng, RPC_CODES, RPC_P, n_ep)), None)
    rpc = np.where(np.isin(_next(place, ""), ["A5", "A6"]) & (rpc != None), "PLACE", rpc)  # noqa: E711
    open_ = dec > extract_end
    eps = dict(
        period=ep_p, kid=per["kid"][ep_p], decom=ep_d, rne=rne, ls=ls_f, cin=per["cin"][ep_p],
        place=place, place_provider=placements["provider"][pl_f], dec=np.where(open_, U.NEVER, dec),
        rec=np.where(open_, None, rec), reason_place_change=np.where(open_, None, rpc),
        home_post=home_post[ep_p], pl_post=placements["pl_post"][pl_f], urn=placements["urn"][pl_f],
    )
    return eps, placements


def _next(arr, fill):
    """Each row's following row (``fill`` for the last)."""
    out = np.empty(len(arr), dtype=object)
    out[:-1] = arr[1:]
    if len(arr):
        out[-1] = fill
    return out


def _prev(arr, fill):
    out = np.empty(len(arr), dtype=object)
    out[1:] = arr[:-1]
    if len(arr):
        out[0] = fill
    return out


def _group_cummax(values, groups):
    """Cumulative max of values within runs of equal ``groups`` (rows sorted by group)."""
    out = np.zeros(len(values), dtype=values.dtype)
    if not len(values):
        return out
    # offset each group so a plain cumulative max cannot leak across groups
    base = groups.astype(np.int64) * 2
    return np.maximum.accumulate(values + base) - base


def _ffill(values, groups):
    """Forward-fill ``None`` within groups (rows sorted by group; first of group is set)."""
    idx = np.where(values != None, np.arange(len(values)), 0)  # noqa: E711
    idx = np.maximum.accumulate(idx)
    return values[idx]


def _ffill_int(values, groups):
    idx = np.where(values >= 0, np.arange(len(values)), 0)
    idx = np.maximum.accumulate(idx)
    return values[idx]


def _resolve_rec(rng, rec, place, last):
    """Reasons that depend on the final placement: SGO to former foster carers, child
    arrangements orders, and leaving care at 18 (staying put only from foster care)."""
    n = len(rec)
    u = rng.random(n)
    kin = np.isin(place, ["U1", "U2", "U3"])
    foster = np.isin(place, ["U4", "U5", "U6"])
    # SGO to the former foster carers (a relative or friend: E45, other: E46), or to other
    # carers (a relative or friend: E47, other: E48); DfE retired E43/E44 in 2014-15
    sgo = np.where(kin, "E45", np.where(foster, "E46", np.where(u < 0.7, "E47", "E48")))
    cao = np.full(n, "E41")
    age18 = np.where((kin | foster) & (u < 0.5), "E17", np.where(u < 0.75, "E5", np.where(u < 0.82, "E6", "E8")))
    rec = np.where(rec == "SGO", sgo, rec)
    rec = np.where(rec == "CAO", cao, rec)
    rec = np.where(rec == "AGE18", age18, rec)
    return rec.astype(object)


_POST_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))


def _postcodes(seeds: np.ndarray) -> np.ndarray:
    """Fictional postcodes in the 'ZZ99' pseudo-area (never a real address): ZZ99 3AB."""
    seeds = np.asarray(seeds, dtype=np.int64)
    digit = (seeds % 9 + 1).astype(str)
    a = _POST_LETTERS[(seeds // 9) % len(_POST_LETTERS)]
    b = _POST_LETTERS[(seeds // 180) % len(_POST_LETTERS)]
    return np.char.add(np.char.add(np.char.add("ZZ99 ", digit), a), b).astype(object)


def _urns(rng, ptype, prov, seed):
    """Fictional Ofsted URNs ('SCZ' + 5 digits: no real URN starts SCZ); none where DfE
    expects none (placed with parents, hospitals, custody, other; semi-independent living,
    which was not registered)."""
    n = len(ptype)
    pool = np.select([prov == "PR1", np.isin(ptype, ["A5", "A6"])],
                     [rng.integers(0, 3, n), 100 + rng.integers(0, 8, n)], 200 + rng.integers(0, 60, n))
    num = (np.asarray(seed) // 1000 * 7 + pool * 131) % 100000
    urn = np.char.add("SCZ", np.char.zfill(num.astype(str), 5)).astype(object)
    return np.where(np.isin(ptype, ["P1", "P3", "R1", "R2", "R5", "Z1", "H5"]), None, urn)


# ---- regular sequences (reviews, visits, checks) ----------------------------------------

def regular(rng, a, b, lo, hi, late_p=0.0, late_lo=None, late_hi=None, first=None, unit="days", cap=400):
    """Event days for each window [a, b): the first at ``first`` (or a + interval), then
    every interval drawn from [lo, hi] (late ones from [late_lo, late_hi] with ``late_p``).

    With unit="wd" intervals count working days from ``a`` (a visit every 10 working days).
    Returns (window index, day). Vectorised: a fixed number of draws per window, trimmed.
    """
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    span = np.maximum(b - a, 0)
    if unit == "wd":
        span = np.maximum(U.wd_between(a, np.maximum(a, b)), 0)
    n = np.minimum(np.ceil(span / lo).astype(np.int64) + 1, cap)
    n = np.where(span > 0, n, 0)
    parent, pos = U.expand(n)
    step = rng.integers(lo, hi + 1, len(parent))
    if late_p:
        late = rng.random(len(parent)) < late_p
        step = np.where(late, rng.integers(late_lo, late_hi + 1, len(parent)), step)
    if first is not None:
        step = np.where(pos == 0, np.asarray(first)[parent], step)
    off = U.grouped_cumsum(step, n)
    # working-day offsets count from the first working day on or after the window start
    day = U.wd_add(U.next_wd(a[parent]), off) if unit == "wd" else a[parent] + off
    ok = day < b[parent]
    return parent[ok], day[ok]


def reviews(rng, per, prof, extract_end):
    """CLA reviews: first within 20 working days, second within 3 months, then 6-monthly."""
    start, end = per["start"], np.minimum(per["end"], extract_end + 1)
    n = len(start)
    t = prof.cla_review_timely
    first = np.where(rng.random(n) < t, U.wd_add(start, rng.integers(10, 21, n)), U.wd_add(start, rng.integers(21, 36, n)))
    second = first + np.where(rng.random(n) < t, rng.integers(55, 92, n), rng.integers(92, 125, n))
    p, d = regular(rng, second, end, 150, 182, 1 - t, 183, 215)
    rp = np.concatenate([np.arange(n), np.arange(n), p])
    rd = np.concatenate([first, second, d])
    ok = rd < end[rp]
    rp, rd = rp[ok], rd[ok]
    under4 = rd < U.add_years(per["dob"][rp], 4)
    code = np.where(under4, "PN0", U.pick(rng, ["PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"],
                                          [55, 10, 10, 8, 7, 5, 5], len(rp)))
    return dict(period=rp, day=rd, participation=code.astype(object))


def cla_visits(rng, per, placements, data_start, extract_end):
    """Social worker visits: within a week of every placement, then 6-weekly in the first
    year and 12-weekly after (the national minimum; most authorities visit more often)."""
    start, end = per["start"], np.minimum(per["end"], extract_end + 1)
    lo = np.maximum(start, data_start - 120)
    y1 = np.minimum(end, start + 365)
    p1, d1 = regular(rng, np.maximum(start, lo), np.maximum(np.maximum(start, lo), y1), 18, 40, 0.06, 43, 65)
    y2a = np.maximum(start + 365, lo)
    p2, d2 = regular(rng, y2a, np.maximum(y2a, end), 35, 80, 0.06, 85, 110)
    pp = placements["period"]
    pd_ = placements["day"] + np.where(rng.random(len(pp)) < 0.9, rng.integers(0, 6, len(pp)), rng.integers(6, 15, len(pp)))
    ok = (pd_ < end[pp]) & (pd_ >= lo[pp])
    vp = np.concatenate([p1, p2, pp[ok]])
    vd = np.concatenate([d1, d2, pd_[ok]])
    return dict(period=vp, day=vd)


def missing(rng, per, prof, data_start, extract_end):
    """Missing / away-from-placement episodes: mostly teenagers, concentrated in a few children.

    A child's chance of going missing depends on their age *at the time* (from 12, and a
    little from 8), so a child who came into care young starts going missing as a teenager;
    the share of looked-after children who go missing then stays level as the children in
    care are replaced, instead of drifting with the ages they had when the data began.
    """
    start, end = per["start"], np.minimum(per["end"], extract_end)
    n = len(start)
    w0 = np.maximum(start, data_start - 365)
    u = rng.random(n)  # the child's propensity: who goes missing at all
    rate = rng.gamma(0.8, 4.0, n)  # episodes a year for those who do
    at8, at12 = U.add_years(per["dob"], 8), U.add_years(per["dob"], 12)
    spans = []
    for lo, hi, share in ((at8, at12, 0.07), (at12, np.full(n, U.NEVER), 0.36)):  # two age bands
        a = np.maximum(w0, lo)
        b = np.minimum(end, hi)
        take = (u < share * prof.missing) & (b > a)
        spans.append((np.flatnonzero(take), a[take], b[take]))
    idx = np.concatenate([x[0] for x in spans])
    a = np.concatenate([x[1] for x in spans])
    b = np.concatenate([x[2] for x in spans])
    count = rng.poisson(rate[idx] * (b - a) / YEAR)
    k, _ = U.expand(count)
    parent = idx[k]
    s = a[k] + np.floor(rng.random(len(k)) * np.maximum(b[k] - a[k] - 1, 0)).astype(np.int64)
    dur = U.pick(rng, [0, 1, 2, 3, 5], [30, 40, 15, 10, 5], len(parent))
    e = s + dur
    o = np.lexsort((s, parent))
    parent, s, e = parent[o], s[o], e[o]
    same = np.r_[False, parent[1:] == parent[:-1]]
    # an episode starting before an earlier one (kept or not) has ended is dropped: compare
    # with the latest end so far, not only the previous episode's (DfE rule 574)
    lo = e.min() if len(e) else 0
    base = parent.astype(np.int64) * ((e.max() - lo + 1) if len(e) else 1)  # parents ascending
    latest_end = np.maximum.accumulate(e - lo + base) - base + lo
    prev_end = np.r_[-1, latest_end[:-1]]
    ok = ~same | (s > prev_end + 1)
    ok &= (e < end[parent]) & (s >= start[parent])
    # none running over the night semi-independent placements became supported accommodation
    # (a same-carer change on 31 March 2024): a missing period open at the year end must not
    # start in an episode that ends (DfE rule 575)
    ok &= ~((s <= SUPPORTED_FROM) & (e > SUPPORTED_FROM))
    parent, s, e = parent[ok], s[ok], e[ok]
    kind = np.where(rng.random(len(parent)) < 0.8, "M", "A")
    return dict(period=parent, kind=kind.astype(object), start=s, end=e)


COVID_DENTAL = (U.day("2020-03-23"), U.day("2021-06-30"))


def health_checks(rng, per, prof, data_start, extract_end):
    """Initial health assessment within 20 working days, then yearly (6-monthly under 5);
    dental checks yearly, far fewer while dentists were closed in 2020-21."""
    start, end = per["start"], np.minimum(per["end"], extract_end + 1)
    n = len(start)
    first = U.wd_add(start, rng.integers(5, 26, n))
    hp, hd = regular(rng, first, end, 300, 365, 0.1, 366, 420, first=np.zeros(n, dtype=np.int64))
    young = hd < U.add_years(per["dob"][hp], 5)
    extra = young & (rng.random(len(hp)) < 0.8)
    hp = np.concatenate([hp, hp[extra]])
    hd = np.concatenate([hd, hd[extra] + 182])
    keep = (rng.random(len(hp)) < prof.health_checks) & (hd < end[hp]) & (hd >= data_start - 400)
    hp, hd = hp[keep], hd[keep]
    dp, dd = regular(rng, start + rng.integers(30, 150, n), end, 270, 365, 0.15, 366, 460,
                     first=np.zeros(n, dtype=np.int64))
    age_ok = dd >= U.add_years(per["dob"][dp], 1)
    covid = (dd >= COVID_DENTAL[0]) & (dd <= COVID_DENTAL[1])
    keep = age_ok & (rng.random(len(dp)) < np.where(covid, prof.dental_checks * 0.45, prof.dental_checks))
    keep &= dd >= data_start - 400
    dp, dd = dp[keep], dd[keep]
    return dict(period=np.concatenate([hp, dp]), day=np.concatenate([hd, dd]),
                kind=np.concatenate([np.full(len(hp), "health"), np.full(len(dp), "dental")]).astype(object))


def oc2(rng, per, health, years, prof):
    """SSDA903 OC2: children looked after continuously for 12 months at 31 March (DfE's
    reading: in care from 1 April, a period ending on 31 March itself included)."""
    rows = []
    hk = health["period"]
    for y in years:
        m31 = U.day(f"{y}-03-31")
        cohort = np.flatnonzero((per["start"] <= U.day(f"{y - 1}-04-01")) & (per["end"] >= m31))
        if not len(cohort):
            continue
        in_year = (health["day"] > m31 - 365) & (health["day"] <= m31)
        had_h = np.zeros(len(per["start"]), bool)
        had_d = np.zeros(len(per["start"]), bool)
        had_h[hk[in_year & (health["kind"] == "health")]] = True
        had_d[hk[in_year & (health["kind"] == "dental")]] = True
        age = _age(per["dob"][cohort], m31)
        k = len(cohort)
        sdq_due = (age >= 4) & (age < 17)
        sdq = np.where(sdq_due & (rng.random(k) < 0.78), np.clip(np.round(rng.normal(14.5, 6.5, k)), 0, 40), -1)
        rows.append(dict(period=cohort, year=np.full(k, y), health_check=had_h[cohort], teeth_check=had_d[cohort],
                         immunisations=rng.random(k) < 0.86, sdq=sdq.astype(np.int64),
                         convicted=np.where(age >= 10, rng.random(k) < 0.025, False),
                         convicted_known=age >= 10,
                         substance=rng.random(k) < np.where(age >= 12, 0.06, 0.0)))
    return U.concat(rows)


ACCOM_SUITABLE_17 = (["B", "D", "E", "U", "T", "K", "Y"], [28, 30, 12, 10, 6, 6, 8])
ACCOM_SUITABLE_18 = (["Z", "U", "D", "B", "E", "T", "K", "Y"], [18, 30, 16, 15, 7, 3, 5, 6])
ACCOM_UNSUITABLE = (["S", "V", "W", "X", "K", "U"], [22, 18, 14, 22, 12, 12])


def care_leavers(rng, per, last_rec, prof, data_start, extract_end):
    """Status at each 17th..21st birthday after leaving care aged 16 or over (relevant and
    former relevant young people), within the data window."""
    n = len(per["start"])
    kid = per["kid"]
    # the child's last period of care decides (a child back in care is not a care leaver)
    o = np.lexsort((per["start"], kid))
    last = np.zeros(n, bool)
    last[o] = np.r_[kid[o][1:] != kid[o][:-1], True]
    end = per["end"]
    age_end = _age(per["dob"], end)
    eligible = last & (end <= extract_end) & (age_end >= 16) & (end - per["start"] >= 91)
    eligible &= ~np.isin(last_rec, ["E2", "E3", "E11", "E12", "E15", "E41", "E43", "E44", "E45", "E46", "E47", "E48"])
    idx = np.flatnonzero(eligible)
    pp = np.tile(idx, 5)
    age = np.repeat(np.arange(17, 22), len(idx))
    bday = np.concatenate([U.add_years(per["dob"][idx], a) for a in range(17, 22)])
    o = np.lexsort((age, pp))
    pp, age, bday = pp[o], age[o], bday[o]
    ok = (bday > end[pp]) & (bday >= data_start) & (bday <= extract_end)
    pp, age, bday = pp[ok], age[ok], bday[ok]
    m = len(pp)
    person = rng.standard_normal(n)[pp] * 0.9
    uasc = per["uasc"][pp]
    in_touch_p = max(prof.cl_in_touch, prof.cl_suitable + 0.04)
    u = rng.random(m) - 0.05 * person
    status = np.where(u < in_touch_p, "YES", U.pick(rng, ["NO", "REFU", "RHOM", "NREQ"], [45, 25, 20, 10], m))
    # a very few die (after 18); later birthdays then have no record
    died_person = rng.random(n) < 0.003
    died = died_person[pp] & (age >= 19)
    first_died = died & np.r_[True, ~(died[:-1] & (pp[1:] == pp[:-1]))]
    after_death = died & ~first_died
    status = np.where(first_died, "DIED", status)
    keep = ~after_death
    yes = status == "YES"
    p_suit = min(0.99, prof.cl_suitable / in_touch_p)
    suitable = rng.random(m) < p_suit + 0.03 * person
    s17 = U.pick(rng, *ACCOM_SUITABLE_17, m)
    s18 = U.pick(rng, *ACCOM_SUITABLE_18, m)
    uns = U.pick(rng, *ACCOM_UNSUITABLE, m)
    accom = np.where(suitable, np.where(age == 17, s17, s18), uns)
    abroad = yes & (rng.random(m) < np.where(uasc, 0.05, 0.006))
    accom = np.where(abroad, "G", accom)
    suit_flag = suitable.astype(object)  # abroad too: DfE's ACCOM G1 / G2
    p_eet = min(0.97, prof.cl_eet / in_touch_p)
    eet = rng.random(m) < p_eet + 0.04 * person
    eet_code = np.where(age >= 18, U.pick(rng, ["F1", "P1", "F2", "P2", "F4", "P4"], [10, 2, 28, 6, 40, 14], m),
                        U.pick(rng, ["F2", "P2", "F4", "P4"], [62, 8, 20, 10], m))
    neet = U.pick(rng, ["G4", "G5", "G6"], [25, 60, 15], m)
    activity = np.where(eet, eet_code, neet)
    contact = bday - rng.integers(0, 56, m)
    pathway = bday - rng.integers(0, 170, m)
    out = dict(period=pp, day=bday, age=age, in_touch=status.astype(object),
               activity=np.where(yes, activity, None).astype(object),
               accommodation=np.where(yes, accom, None).astype(object),
               suitable=np.where(yes, suit_flag, None).astype(object),
               contact=np.where(yes, contact, U.NEVER), pathway=np.where(yes, pathway, U.NEVER),
               eligibility=np.where(age < 18, "relevant", "former_relevant").astype(object))
    out = U.take(out, keep)
    # date of death (per period of care; the caller maps it to the child)
    death = np.full(n, U.NEVER, dtype=np.int64)
    fd = first_died[keep]
    who = out["period"][fd]
    death[who] = np.maximum(out["day"][fd] - rng.integers(10, 300, fd.sum()), end[who] + 1)
    return _pathway_reviews(rng, per, out, death, data_start, extract_end), death


def _pathway_reviews(rng, per, rec: dict, death, data_start, extract_end) -> dict:
    """Pathway plans reviewed about every six months from leaving care to 22 (late for a few
    young people), each review also a care-leaver record dated that day (as a monthly Annex A
    List 9 extract shows it), carrying the status of the nearest birthday record. Birthday
    records take the latest review before them as their pathway plan date.

    Young people the authority is not in touch with have no plan date recorded."""
    if not len(rec["period"]):
        return rec
    who = np.unique(rec["period"])
    dob, left = per["dob"][who], per["end"][who]
    # a personal adviser and a plan go on after 21 for most (support lasts to 25 if wanted):
    # plans are reviewed until the year the 21st-birthday status covers is over
    stop = np.minimum.reduce([U.add_years(dob, 22), np.full(len(who), extract_end + 1), death[who]])
    diligent = rng.random(len(who)) < 0.9
    first = rng.integers(20, 150, len(who))
    parts = []
    for mask, late_p, late_hi in ((diligent, 0.03, 240), (~diligent, 0.5, 330)):
        i = np.flatnonzero(mask)
        p, d = regular(rng, left[i], stop[i], 120, 182, late_p, 183, late_hi, first=first[i])
        parts.append((who[i][p], d))
    rp = np.concatenate([x[0] for x in parts])
    rd = np.concatenate([x[1] for x in parts])
    # birthday records: the latest review on or before the birthday, else one made before leaving
    key_r = rp.astype(np.int64) * (1 << 24) + rd
    o = np.argsort(key_r)
    key_r = key_r[o]
    key_b = rec["period"].astype(np.int64) * (1 << 24) + rec["day"]
    j = np.searchsorted(key_r, key_b, side="right") - 1
    found = (j >= 0) & ((key_r[np.maximum(j, 0)] >> 24) == rec["period"])
    latest = np.where(found, key_r[np.maximum(j, 0)] & ((1 << 24) - 1), rec["day"] - rng.integers(0, 170, len(j)))
    yes_b = rec["in_touch"] == "YES"
    rec["pathway"] = np.where(yes_b, latest, U.NEVER)
    # review records in the window, with the status of the latest birthday record before them
    # (or the first one after, for reviews before the first birthday record)
    keep = (rd >= data_start) & (rd <= extract_end)
    rp, rd = rp[keep], rd[keep]
    ob = np.argsort(key_b)
    kb = key_b[ob]
    key = rp.astype(np.int64) * (1 << 24) + rd
    j = np.searchsorted(kb, key, side="right") - 1
    before = (j >= 0) & ((kb[np.maximum(j, 0)] >> 24) == rp)
    j = np.where(before, j, np.minimum(j + 1, len(kb) - 1))
    src = ob[j]
    same_day = rec["day"][src] == rd  # a birthday record already says it
    rp, rd, src = rp[~same_day], rd[~same_day], src[~same_day]
    status = rec["in_touch"][src]
    dead = status == "DIED"
    rp, rd, src, status = rp[~dead], rd[~dead], src[~dead], status[~dead]
    m = len(rp)
    dob_r = per["dob"][rp]
    age = np.floor((rd - dob_r) / YEAR).astype(np.int64)
    age = np.where(U.add_years(dob_r, age + 1) <= rd, age + 1, np.where(U.add_years(dob_r, age) > rd, age - 1, age))
    yes = status == "YES"
    accom = rec["accommodation"][src]
    # independent living (Z) is not open to under-18s: a status carried back from the 18th
    # birthday takes a 17-year-old's kind of accommodation
    accom = np.where((age < 18) & (accom == "Z"), U.pick(rng, *ACCOM_SUITABLE_17, m), accom)
    upd = dict(period=rp, day=rd, age=age, in_touch=status, activity=rec["activity"][src],
               accommodation=accom, suitable=rec["suitable"][src],
               contact=np.where(yes, rd - rng.integers(0, 21, m), U.NEVER), pathway=np.where(yes, rd, U.NEVER),
               eligibility=np.where(age < 18, "relevant", "former_relevant").astype(object))
    both = U.concat([rec, upd])
    o = np.lexsort((both["day"], both["period"]))
    return U.take(both, o)


def adoptions(rng, per, extract_end):
    """One row per adoption decision: the dates of the adoption journey so far."""
    has = per["decision_day"] < U.NEVER
    idx = np.flatnonzero(has & (per["decision_day"] <= extract_end))

    def cut(col):
        v = per[col][idx]
        return np.where(v <= extract_end, v, U.NEVER)

    adopted = np.isin(per["rec"][idx], ["E11", "E12"]) & (per["end"][idx] <= extract_end)
    stopped = cut("stopped_day")
    return dict(period=idx, entered=per["start"][idx], decision=cut("decision_day"), po=cut("po_day"),
                match=cut("match_day"), placed=cut("placed_day"),
                order=np.where(adopted, per["end"][idx], U.NEVER), stopped=stopped,
                stopped_reason=np.where(stopped < U.NEVER, U.pick(rng, ["RD1", "RD2", "RD3", "RD4"], [3, 2, 3, 2], len(idx)),
                                        None).astype(object),
                ffa=np.where(per["ffa"][idx], per["start"][idx], U.NEVER))


def short_breaks(rng, kid, win_start, win_end, extract_end):
    """Short breaks for disabled children on CIN plans: a series of individual breaks (V3)
    or an agreed series recorded as one episode (V4). Each break is its own period of care."""
    n = len(kid)
    # a child's breaks are all of one kind (DfE rule 426: never V3 and V4 in one year)
    uk, which = np.unique(kid, return_inverse=True)
    v3 = (rng.random(len(uk)) < 0.6)[which]
    a = win_start + rng.integers(14, 60, n)
    b = np.minimum(win_end - 2, extract_end)
    p3, d3 = regular(rng, a[v3], b[v3], 25, 60)
    k3 = kid[v3][p3]
    e3 = d3 + rng.integers(1, 4, len(d3))
    ok = e3 < b[v3][p3]
    k3, d3, e3 = k3[ok], d3[ok], e3[ok]
    v4 = ~v3 & (a < b - 30)
    k4 = kid[v4]
    d4 = a[v4]
    e4 = np.minimum(d4 + rng.integers(180, 366, v4.sum()), win_end[v4] - 2)
    kk = np.concatenate([k3, k4])
    dd = np.concatenate([d3, d4])
    ee = np.concatenate([e3, e4])
    ls = np.concatenate([np.full(len(k3), "V3"), np.full(len(k4), "V4")]).astype(object)
    place = np.where(rng.random(len(kk)) < 0.5, "K2", "U6").astype(object)
    open_ = ee > extract_end
    return dict(kid=kk, decom=dd, dec=np.where(open_, U.NEVER, ee), ls=ls, place=place,
                rec=np.where(open_, None, "E4A").astype(object))


def legacy_entries(rng, prof, first_day, last_day, scale):
    """Children who came into care before the simulated journeys begin (long stays, future
    care leavers): entry days and ages, by DfE's age mix of children starting care."""
    lam = prof.cla_start_rate * prof.population / 10_000 / 365.25 * scale
    n = rng.poisson(lam * max(last_day - first_day, 0))
    entry = np.sort(rng.integers(first_day, last_day, n))
    band = U.pick(rng, np.arange(5), [0.19, 0.15, 0.17, 0.37, 0.12], n)
    lo = np.array([0.01, 1, 5, 10, 16])[band]
    hi = np.array([1, 5, 10, 16, 17.8])[band]
    age = rng.uniform(lo, hi)
    dob = entry - np.round(age * YEAR).astype(np.int64)
    return entry.astype(np.int64), dob
