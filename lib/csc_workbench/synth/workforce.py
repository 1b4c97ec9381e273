"""Teams, workers and case allocations.

Every piece of work sits with a team: the front door (contacts), area assessment teams
(referrals, assessments, S47 enquiries), area safeguarding teams (CIN and CP plans), the
disabled children's team, children-in-care teams, the leaving-care team (personal
advisers). A child's case moves between teams as the work moves on (*segments*), and is
reallocated now and then within a team.

Each team has *posts* sized to its average open caseload; each post is filled by a
sequence of workers over time (permanent staff stay a few years, agency staff months).
A case allocated to a post is held by whoever fills the post, so allocations end when a
worker leaves and the next one takes the case over: caseloads and worker changes arise
from the same mechanism. Worker names are invented (first name + invented surname).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _util as U

AREAS = ("North", "South", "East", "West", "Central", "Coast", "Valley", "City", "Borough", "Rural")

FIRST_NAMES = np.array(["Amira", "Ben", "Chloe", "Dev", "Ella", "Femi", "Grace", "Hassan", "Isla", "Jack",
                        "Kiran", "Lena", "Marcus", "Nadia", "Owen", "Priya", "Quinn", "Rosa", "Sam", "Tariq",
                        "Una", "Vikram", "Wendy", "Yusuf", "Zoe", "Aled", "Bethan", "Ciaran", "Dina", "Eoin"])
SURNAMES = np.array(["Ashgrove", "Bellweather", "Coldharbour", "Dunmore", "Elderfield", "Fairbairn", "Greystoke",
                     "Hollowell", "Inchcape", "Jessop", "Kilbride", "Larkspur", "Merriweather", "Northcott",
                     "Oakenfold", "Pennington", "Quarrie", "Rushbrook", "Stonebridge", "Thistlewood", "Underhill",
                     "Vantongeren", "Whitlock", "Yarwood", "Zellweger", "Brackley", "Culverhouse", "Dorrington"])

SERVICE_FRONT, SERVICE_ASSESS, SERVICE_SAFE, SERVICE_DIS, SERVICE_CLA, SERVICE_CL, SERVICE_ADOPT = range(7)
SERVICE_CODES = ("front_door", "assessment", "cp", "disability", "cla", "care_leavers", "adoption")


@dataclass
class Teams:
    team_id: np.ndarray  # 'T01'..
    name: np.ndarray
    service: np.ndarray  # index into SERVICE_CODES
    n_assess: int
    n_safe: int
    n_cla: int

    def assess(self, area):
        return 1 + area % self.n_assess

    def safe(self, area):
        return 1 + self.n_assess + area % self.n_safe

    @property
    def disability(self):
        return 1 + self.n_assess + self.n_safe

    def cla(self, area):
        return 2 + self.n_assess + self.n_safe + area % self.n_cla

    @property
    def care_leavers(self):
        return 2 + self.n_assess + self.n_safe + self.n_cla


def make_teams(population: int) -> Teams:
    scale = population / 60_000
    n_assess = int(max(2, round(1.5 * scale)))
    n_safe = int(max(2, round(2.2 * scale)))
    n_cla = int(max(1, round(1.2 * scale)))
    names = ["Front Door (MASH)"]
    services = [SERVICE_FRONT]
    names += [f"Assessment Team {AREAS[i % len(AREAS)]}{'' if i < len(AREAS) else ' ' + str(i // len(AREAS) + 1)}"
              for i in range(n_assess)]
    services += [SERVICE_ASSESS] * n_assess
    names += [f"Safeguarding Team {AREAS[i % len(AREAS)]}{'' if i < len(AREAS) else ' ' + str(i // len(AREAS) + 1)}"
              for i in range(n_safe)]
    services += [SERVICE_SAFE] * n_safe
    names += ["Disabled Children's Team"]
    services += [SERVICE_DIS]
    names += [f"Children in Care Team {i + 1}" for i in range(n_cla)]
    services += [SERVICE_CLA] * n_cla
    names += ["Leaving Care Team", "Adoption and Permanence Team"]
    services += [SERVICE_CL, SERVICE_ADOPT]
    ids = np.array([f"T{i + 1:02d}" for i in range(len(names))], dtype=object)
    return Teams(team_id=ids, name=np.array(names, dtype=object), service=np.array(services),
                 n_assess=n_assess, n_safe=n_safe, n_cla=n_cla)


@dataclass
class Staff:
    post_team: np.ndarray  # team index of each post
    team_post0: np.ndarray  # first post of each team
    team_posts: np.ndarray  # number of posts per team
    ten_post: np.ndarray  # tenures (sorted by post, start)
    ten_start: np.ndarray
    ten_end: np.ndarray
    ten_agency: np.ndarray
    ten_key: np.ndarray  # post * BIG + start, for lookups

    def worker_at(self, post: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Tenure (worker) index holding ``post`` on ``day``."""
        i = np.searchsorted(self.ten_key, post * BIG + day, side="right") - 1
        return np.clip(i, 0, len(self.ten_key) - 1)

    def random_post(self, rng, team: np.ndarray) -> np.ndarray:
        return self.team_post0[team] + np.floor(rng.random(len(team)) * self.team_posts[team]).astype(np.int64)


BIG = np.int64(1) << 32


def make_staff(rng, teams: Teams, open_load: np.ndarray, caseload: float, agency_share: float,
               first_day: int, last_day: int, agency_boost: tuple | None = None) -> Staff:
    """Posts per team from its average open cases; tenures filling each post over time.

    ``agency_boost`` = (team index, from day, share): after a restructure the team relies
    more on agency staff (the planted timeliness dip has a visible workforce cause)."""
    n_teams = len(teams.team_id)
    target = np.full(n_teams, caseload)
    target[teams.service == SERVICE_CL] = caseload * 1.3  # personal advisers carry more
    posts = np.maximum(2, np.ceil(open_load / target)).astype(np.int64)
    posts[teams.service == SERVICE_ADOPT] = 3
    team_post0 = np.cumsum(posts) - posts
    post_team = np.repeat(np.arange(n_teams), posts)
    n_posts = len(post_team)
    span = last_day - first_day
    n_ten = np.full(n_posts, int(np.ceil(span / 120)) + 2)
    tp, pos = U.expand(n_ten)
    agency = rng.random(len(tp)) < agency_share
    if agency_boost is not None:
        team, from_day, share = agency_boost
        agency |= (post_team[tp] == team) & (rng.random(len(tp)) < share)
    length = np.where(agency, U.lognormal_days(rng, 230, 0.5, len(tp), lo=30),
                      U.lognormal_days(rng, 1000, 0.6, len(tp), lo=90))
    # vacancy gaps are covered by the next worker starting the day after
    # the first worker in each post started some time before; tenure k starts when k-1 ends
    first_off = -np.floor(rng.random(n_posts) * 900).astype(np.int64)
    before = U.grouped_cumsum(length, n_ten) - length
    start = first_day + first_off[tp] + before
    end = start + length - 1
    if agency_boost is not None:
        team, from_day, share = agency_boost
        agency = np.where((post_team[tp] == team) & (start < from_day), rng.random(len(tp)) < agency_share, agency)
    keep = start <= last_day
    tp, start, end, agency = tp[keep], start[keep], end[keep], agency[keep]
    return Staff(post_team=post_team, team_post0=team_post0, team_posts=posts, ten_post=tp, ten_start=start,
                 ten_end=end, ten_agency=agency, ten_key=tp.astype(np.int64) * BIG + start)


def split_reallocations(rng, kid, a, b, team, rate_per_year=0.5):
    """Split long case segments at random reallocations within the team."""
    years = np.maximum(b - a, 0) / 365.25
    k = rng.poisson(rate_per_year * years * (b - a > 90))
    parent, pos = U.expand(k + 1)
    cut = a[parent] + np.floor(rng.random(len(parent)) * np.maximum(b[parent] - a[parent], 1)).astype(np.int64)
    cut = np.where(pos == 0, a[parent], cut)
    o = np.lexsort((cut, parent))
    parent, cut = parent[o], cut[o]
    nxt = np.r_[cut[1:], 0]
    last = np.r_[parent[1:] != parent[:-1], True]
    seg_end = np.where(last, b[parent], nxt)
    ok = seg_end > cut
    parent, cut, seg_end = parent[ok], cut[ok], seg_end[ok]
    return kid[parent], cut, seg_end, team[parent]


def allocate(rng, staff: Staff, kid, a, b, team, first_day):
    """Allocations (kid, tenure, team, start, end) for case segments [a, b); history before
    ``first_day`` (when the simulated workforce begins) is not allocated."""
    a = np.maximum(a, first_day)
    keep = b > a
    kid, a, b, team = kid[keep], a[keep], b[keep], team[keep]
    post = staff.random_post(rng, team)
    t0 = staff.worker_at(post, a)
    t1 = staff.worker_at(post, np.maximum(a, b - 1))
    n = np.maximum(t1 - t0 + 1, 1)
    parent, pos = U.expand(n)
    ten = t0[parent] + pos
    s = np.maximum(a[parent], staff.ten_start[ten])
    e = np.minimum(b[parent], staff.ten_end[ten] + 1)
    ok = e > s
    parent, ten, s, e = parent[ok], ten[ok], s[ok], e[ok]
    return dict(kid=kid[parent], tenure=ten, team=team[parent], start=s, end=e)


class Lookup:
    """Who held a child's case on a day: allocations sorted by (child, start)."""

    def __init__(self, alloc: dict):
        o = np.lexsort((alloc["start"], alloc["kid"]))
        self.kid = alloc["kid"][o]
        self.start = alloc["start"][o]
        self.end = alloc["end"][o]
        self.tenure = alloc["tenure"][o]
        self.team = alloc["team"][o]
        self.key = self.kid.astype(np.int64) * BIG + self.start

    def at(self, kid, day):
        """(team index, tenure index) or -1 where nobody held the case on that day."""
        if not len(self.key):
            m = np.full(len(kid), -1)
            return m, m
        i = np.searchsorted(self.key, kid.astype(np.int64) * BIG + day, side="right") - 1
        i = np.clip(i, 0, len(self.key) - 1)
        ok = (self.kid[i] == kid) & (self.start[i] <= day) & (day < self.end[i])
        # a piece of work dated on the day a case closed still belongs to its last holder
        ok2 = (self.kid[i] == kid) & (day == self.end[i])
        ok = ok | ok2
        return np.where(ok, self.team[i], -1), np.where(ok, self.tenure[i], -1)


def worker_names(rng, n):
    f = FIRST_NAMES[rng.integers(0, len(FIRST_NAMES), n)]
    s = SURNAMES[rng.integers(0, len(SURNAMES), n)]
    return np.char.add(np.char.add(f.astype(str), " "), s.astype(str)).astype(object)
