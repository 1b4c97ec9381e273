"""Fictional authorities: names, codes, sizes and the levers that shape their figures.

Each authority has a profile: its size (children aged 0-17), and targets for the yearly
figures a performance analyst compares with DfE's tables (referral rate, re-referrals,
timeliness, S47 and conference rates, CP and CLA rates, placement stability, care leavers).
The targets sit inside the range real English authorities show (roughly their 10th-90th
percentiles, 2019-2025, from DfE's CIN census, SSDA903 and LAIT tables in
``../shared/reference/dfe``), so that a year's random variation keeps every yearly figure
inside the 5th-95th percentile range (tests/test_synth_calibration.py checks it).

Codes are ``Z`` + three digits and names are invented, so no authority can be mistaken for
a real council; regions are ``Z12000001``.. ("Fictional ..."), mirroring ONS's E12 codes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..errors import ConfigError

PROFILES = ("region", "national")


@dataclass(frozen=True)
class AuthorityProfile:
    code: str
    name: str
    region_code: str
    region_name: str
    archetype: str
    population: int  # children aged 0-17 in the mid-year before the first financial year
    pop_growth: float  # yearly change in the child population
    referral_rate: float  # referrals per 10,000 children a year
    demand_trend: float  # yearly drift in demand (referrals), e.g. 0.02 = +2% a year
    contact_conversion: float  # share of contacts that become referrals
    rereferral: float  # target % of referrals within 12 months of an earlier one (0-1)
    nfa: float  # share of referrals with no further action
    not_in_need: float  # share of assessments finding no further involvement needed
    assess_45: float  # share of assessments completed within 45 working days
    s47_rate: float  # S47 enquiries per 10,000 children a year
    icpc_per_s47: float  # share of S47 enquiries leading to an initial conference
    icpc_15: float  # share of ICPCs within 15 working days of the strategy discussion
    cpp_per_icpc: float  # share of ICPCs resulting in a plan
    cp_median_days: float  # median length of a CP plan
    repeat_risk: float  # spread of family risk: higher -> more second and subsequent plans
    cla_start_rate: float  # children starting to be looked after per 10,000 a year
    cla_stay: float  # lever on long stays in care (drives the CLA rate at 31 March)
    placement_moves: float  # lever on placement moves (drives 3+ placements in 12 months)
    missing: float  # lever on missing-from-care episodes (share of CLA missing in a year)
    cl_suitable: float  # care leavers in suitable accommodation
    cl_eet: float  # care leavers in education, employment or training
    cl_in_touch: float  # care leavers in touch
    cp_visit_timely: float  # CP visits within 10 working days of the previous one
    cin_visit_timely: float  # CIN visits within 20 working days
    cla_review_timely: float  # CLA reviews on time
    health_checks: float  # annual health assessments done
    dental_checks: float  # annual dental checks done
    uasc_share: float  # share of children starting to be looked after who are UASC
    agency_share: float  # share of worker posts filled by agency staff
    caseload: float  # average caseload per social worker
    wbri_share: float  # share of children White British (ethnicity mix)

    def with_(self, **changes) -> "AuthorityProfile":
        return replace(self, **changes)


# --- fictional names -------------------------------------------------------------------
# Invented compounds: none is (or sounds like) an English council; the test suite checks
# them against DfE's list of the 153 real authorities.
_PREFIXES = ("Bracken", "Wyvern", "Marrow", "Hollow", "Kestrel", "Thistle", "Heron", "Ember",
             "Otter", "Larch", "Briar", "Rowan", "Alder", "Tansy", "Sorrel", "Linnet", "Quill",
             "Bramble", "Juniper", "Merrow", "Nettle", "Pewter", "Rill", "Plover", "Sedge",
             "Teasel", "Umber", "Vetch", "Yarrow", "Burdock", "Cobble", "Dapple", "Fallow",
             "Gorse", "Harrow", "Ivel")
_SUFFIXES = ("fold", "shire", "dale", "mere", "by", "combe", "leigh", "wick", "stow", "thorpe",
             "moor", "vale", "bourne", "holt", "ney", "worth", "field", "mouth")

REGION_AUTHORITY_NAMES = ("Brackenfold", "Wyvernshire", "Marrowdale", "Hollowmere", "Kestrelby",
                          "Thistlecombe", "Heronmouth", "Emberleigh")

REGIONS = (
    ("Z12000001", "Fictional Midmarch"), ("Z12000002", "Fictional Northlands"),
    ("Z12000003", "Fictional Westreach"), ("Z12000004", "Fictional Eastholm"),
    ("Z12000005", "Fictional Southvale"), ("Z12000006", "Fictional Fenlands"),
    ("Z12000007", "Fictional Capital North"), ("Z12000008", "Fictional Capital South"),
    ("Z12000009", "Fictional Coastlands"),
)
# Authorities per synthetic region in the national profile (153 in all, shaped like England's
# regions: one large region, a metropolitan pair, several mid-sized).
NATIONAL_REGION_SIZES = (14, 24, 15, 11, 19, 10, 14, 19, 27)


def authority_code(i: int) -> str:
    return f"Z{i + 1:03d}"


def authority_name(i: int) -> str:
    """The i-th fictional authority name (the region profile's eight come first)."""
    if i < len(REGION_AUTHORITY_NAMES):
        return REGION_AUTHORITY_NAMES[i]
    j = i - len(REGION_AUTHORITY_NAMES)
    # Walk prefixes and suffixes with co-prime strides so neighbours differ in both parts.
    p = _PREFIXES[(j * 7) % len(_PREFIXES)]
    s = _SUFFIXES[(j * 5 + j // len(_PREFIXES)) % len(_SUFFIXES)]
    name = p + s
    if name in REGION_AUTHORITY_NAMES:
        name = p + "-on-" + s.capitalize()
    return name


# --- region profile: eight archetypes --------------------------------------------------
# Hand-set so the region shows the variety an analyst meets: a big city with high demand,
# a stable good authority, a struggling one, a small shire, a coastal town with many
# children in care, a large low-rate county, a high-demand/low-CLA borough, an improver.
_BASE = dict(
    pop_growth=-0.003, demand_trend=0.01, contact_conversion=0.42, rereferral=0.20, nfa=0.05,
    not_in_need=0.33, assess_45=0.86, s47_rate=190, icpc_per_s47=0.32, icpc_15=0.82,
    cpp_per_icpc=0.87, cp_median_days=200, repeat_risk=0.95, cla_start_rate=27, cla_stay=1.0,
    placement_moves=1.0, missing=1.0, cl_suitable=0.88, cl_eet=0.55, cl_in_touch=0.92,
    cp_visit_timely=0.90, cin_visit_timely=0.85, cla_review_timely=0.90, health_checks=0.90,
    dental_checks=0.80, uasc_share=0.10, agency_share=0.15, caseload=17.0, wbri_share=0.75,
)

_ARCHETYPES = (
    ("city_high_demand", dict(population=148_000, referral_rate=700, rereferral=0.23, assess_45=0.80,
                              s47_rate=250, icpc_per_s47=0.30, cla_start_rate=29, cla_stay=1.0,
                              wbri_share=0.45, uasc_share=0.14, agency_share=0.22, caseload=19.0)),
    ("stable_good", dict(population=61_000, referral_rate=470, rereferral=0.16, assess_45=0.93,
                         s47_rate=150, icpc_15=0.92, repeat_risk=0.75, cla_start_rate=21, cla_stay=0.85,
                         placement_moves=0.8, cl_suitable=0.93, cp_visit_timely=0.95,
                         agency_share=0.06, caseload=15.0)),
    ("struggling", dict(population=44_000, referral_rate=640, rereferral=0.25, assess_45=0.75,
                        s47_rate=235, icpc_15=0.72, repeat_risk=1.2, cla_start_rate=36, cla_stay=1.3,
                        placement_moves=1.25, missing=1.3, cl_suitable=0.82, cl_eet=0.47,
                        cp_visit_timely=0.80, cin_visit_timely=0.72, cla_review_timely=0.80,
                        health_checks=0.82, dental_checks=0.62, agency_share=0.32, caseload=21.0)),
    ("small_shire", dict(population=26_000, referral_rate=400, rereferral=0.18, assess_45=0.89,
                         s47_rate=125, icpc_per_s47=0.36, cla_start_rate=19, cla_stay=0.85,
                         wbri_share=0.92, uasc_share=0.07, caseload=15.5)),
    ("coastal_high_cla", dict(population=54_000, referral_rate=610, rereferral=0.22, s47_rate=225,
                              cla_start_rate=38, cla_stay=1.35, placement_moves=1.2, missing=1.2,
                              cl_suitable=0.85, wbri_share=0.88, dental_checks=0.70)),
    ("county_low_rate", dict(population=122_000, referral_rate=400, rereferral=0.19, assess_45=0.88,
                             s47_rate=135, icpc_per_s47=0.30, cla_start_rate=19, cla_stay=0.9,
                             wbri_share=0.86, uasc_share=0.12)),
    ("high_demand_low_cla", dict(population=86_000, referral_rate=780, rereferral=0.22, assess_45=0.84,
                                 s47_rate=290, icpc_per_s47=0.30, cla_start_rate=22, cla_stay=0.8,
                                 cp_median_days=185, wbri_share=0.55, contact_conversion=0.35)),
    ("improving", dict(population=71_000, referral_rate=560, rereferral=0.21, assess_45=0.85,
                       s47_rate=200, cla_start_rate=28, cla_stay=1.05, cl_suitable=0.90,
                       demand_trend=-0.01, agency_share=0.18)),
)


def _jitter(rng: np.random.Generator, value: float, rel: float) -> float:
    return float(value * (1 + rel * rng.uniform(-1, 1)))


def region_profiles(n: int, seed: int) -> list[AuthorityProfile]:
    """n authorities in one fictional region; beyond eight, archetypes repeat with new names
    and jittered levels."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 7]))
    code, region = REGIONS[0]
    out = []
    for i in range(n):
        archetype, levels = _ARCHETYPES[i % len(_ARCHETYPES)]
        params = {**_BASE, **levels}
        if i >= len(_ARCHETYPES):  # a second lap: vary sizes and levels a little
            params["population"] = int(params["population"] * rng.uniform(0.7, 1.3))
            for k in ("referral_rate", "s47_rate", "cla_start_rate"):
                params[k] = _jitter(rng, params[k], 0.08)
        out.append(AuthorityProfile(code=authority_code(i), name=authority_name(i), region_code=code,
                                    region_name=region, archetype=archetype, **params))
    return out


def _between(u: float, lo: float, hi: float) -> float:
    return lo + (hi - lo) * u


def national_profiles(n: int, seed: int) -> list[AuthorityProfile]:
    """153 (or n) authorities with realistic sizes: populations add up to about 12 million.

    Sizes follow England's spread (log-normal, 5th-95th percentile about 26k-180k); levels are
    drawn around England's medians with a shared 'pressure' factor, so an authority under
    pressure tends to have more re-referrals, slower assessments and more children in care.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 11]))
    total = 153
    pops = np.exp(rng.normal(11.03, 0.62, total))
    pops = np.clip(pops, 9_000, 360_000)
    pops = pops / pops.sum() * 12_000_000
    region_of = np.repeat(np.arange(len(REGIONS)), NATIONAL_REGION_SIZES)
    out = []
    for i in range(n):
        j = i % total
        pressure = float(np.clip(rng.normal(0, 1), -1.8, 1.8))

        def u(weight=0.6):  # a quantile in [0.1, 0.9], tilted by pressure
            z = weight * pressure + np.sqrt(1 - weight ** 2) * rng.normal()
            return float(np.clip(0.5 + 0.22 * z, 0.1, 0.9))

        rcode, rname = REGIONS[region_of[j]]
        london = rname.startswith("Fictional Capital")
        params = dict(_BASE)
        params.update(
            population=int(round(pops[j] * (1 + 0.1 * (i // total)))),
            referral_rate=_between(u(0.4), 330, 750),
            rereferral=_between(u(), 0.155, 0.255),
            assess_45=_between(1 - u(), 0.72, 0.94),
            s47_rate=_between(u(0.4), 120, 300),
            icpc_per_s47=_between(u(0.2), 0.25, 0.40),
            icpc_15=_between(1 - u(), 0.66, 0.94),
            repeat_risk=_between(u(), 0.75, 1.2),
            cla_start_rate=_between(u(0.5), 18, 40),
            cla_stay=_between(u(0.5), 0.8, 1.35),
            placement_moves=_between(u(), 0.8, 1.3),
            missing=_between(u(), 0.75, 1.3),
            cl_suitable=_between(1 - u(), 0.82, 0.94),
            cl_eet=_between(1 - u(), 0.46, 0.64),
            cp_visit_timely=_between(1 - u(), 0.80, 0.96),
            cin_visit_timely=_between(1 - u(), 0.72, 0.92),
            dental_checks=_between(1 - u(), 0.62, 0.90),
            agency_share=_between(u(), 0.04, 0.30),
            caseload=_between(u(), 14.5, 21.0),
            wbri_share=_between(rng.random(), 0.35, 0.6) if london else _between(rng.random(), 0.6, 0.94),
            uasc_share=_between(rng.random(), 0.04, 0.2),
            demand_trend=float(rng.uniform(-0.02, 0.03)),
        )
        out.append(AuthorityProfile(code=authority_code(i), name=authority_name(i), region_code=rcode,
                                    region_name=rname, archetype="national", **params))
    return out


def profiles_for(profile: str, n_authorities: int, seed: int) -> list[AuthorityProfile]:
    if profile not in PROFILES:
        raise ConfigError(f"unknown profile {profile!r}: expected one of {', '.join(PROFILES)}")
    if n_authorities < 1:
        raise ConfigError(f"number of authorities must be at least 1, got {n_authorities}")
    if n_authorities > 999:
        raise ConfigError(f"at most 999 synthetic authorities (codes Z001-Z999), got {n_authorities}")
    if profile == "region":
        return region_profiles(n_authorities, seed)
    return national_profiles(n_authorities, seed)
