"""Synthetic children's social care data for fictional English authorities.

Real children's data never enters the repository: every test, demo and pack runs on the
fictional authorities made here. ::

    from csc_workbench.synth import generate, iter_authorities

    dataset, manifest = generate(n_authorities=8, start="2019-04", seed=2024)
    for ds, rows in iter_authorities(153, profile="national"):   # one authority at a time
        ...

``generate`` returns a canonical ``Dataset`` (every table of ``model.schemas``) and the
manifest of planted anomalies (see ``synth.plants`` for its format). The same arguments
give identical tables; each authority draws from its own child seed (``SeedSequence.spawn``)
so authorities are independent of each other and of how many are generated.

Profiles: ``region`` (default: eight varied authorities in one fictional region) and
``national`` (153 authorities with England-like sizes, about 12 million children and
650,000 referrals a year, in nine fictional regions).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from ..calendar import last_complete_month
from ..errors import ConfigError
from ..model.dataset import Dataset
from .plants import MANIFEST_KEYS
from .profiles import PROFILES, AuthorityProfile, profiles_for

__all__ = ["generate", "iter_authorities", "authority_profiles", "parse_range", "MANIFEST_KEYS", "PROFILES",
           "AuthorityProfile"]

EARLIEST = pd.Period("2010-04", "M")


def _month(value, what: str) -> pd.Period:
    if isinstance(value, pd.Period):
        return value.asfreq("M")
    if isinstance(value, pd.Timestamp):
        return pd.Period(value, "M")
    text = str(value).strip()
    import re

    if not re.fullmatch(r"\d{4}-\d{2}", text):
        raise ConfigError(f"{what} month must look like YYYY-MM, got {value!r}")
    try:
        return pd.Period(text, "M")
    except (ValueError, TypeError):
        raise ConfigError(f"{what} month must look like YYYY-MM, got {value!r}") from None


def parse_range(start="2019-04", end=None) -> tuple[pd.Period, pd.Period]:
    """Validate the months asked for: (first month, last month) as monthly Periods."""
    first = _month(start, "start")
    last = pd.Period(last_complete_month(), "M") if end is None else _month(end, "end")
    if last < first:
        raise ConfigError(f"end month {last} is before start month {first}")
    if first < EARLIEST:
        raise ConfigError(f"start month {first} is too early: synthetic history begins in {EARLIEST} at the earliest")
    latest = pd.Period(last_complete_month(), "M")
    if last > latest:
        raise ConfigError(f"end month {last} is not complete yet (the last complete month is {latest})")
    return first, last


def authority_profiles(n_authorities: int = 8, seed: int = 2024, profile: str = "region") -> list[AuthorityProfile]:
    return profiles_for(profile, n_authorities, seed)


def iter_authorities(n_authorities: int = 8, start="2019-04", end=None, seed: int = 2024, profile: str = "region",
                     dirty: bool = False, workers: int = 1) -> Iterator[tuple[Dataset, list[dict]]]:
    """Yield (Dataset for one authority, its manifest rows), one authority at a time.

    With ``workers`` > 1 authorities are generated in a process pool (at most ``workers``
    in flight, so memory stays bounded); the order and the data are the same either way.
    """
    first, last = parse_range(start, end)
    profs = profiles_for(profile, n_authorities, seed)
    seeds = np.random.SeedSequence(seed).spawn(len(profs))
    jobs = [(p, first, last, s, dirty) for p, s in zip(profs, seeds)]
    if workers <= 1 or len(jobs) == 1:
        for job in jobs:
            yield _one(job)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending = []
        it = iter(jobs)
        for job in it:
            pending.append(pool.submit(_one, job))
            if len(pending) >= workers:
                yield pending.pop(0).result()
        for fut in pending:
            yield fut.result()


def _one(job):
    from .generator import generate_authority

    prof, first, last, seed, dirty = job
    return generate_authority(prof, first, last, seed, dirty=dirty)


def generate(n_authorities: int = 8, start="2019-04", end=None, seed: int = 2024, profile: str = "region",
             dirty: bool = False, workers: int = 1) -> tuple[Dataset, list[dict]]:
    """Generate ``n_authorities`` fictional authorities from ``start`` to ``end`` (YYYY-MM;
    default the last complete month). Returns (Dataset, manifest rows)."""
    datasets, manifest = [], []
    for ds, rows in iter_authorities(n_authorities, start, end, seed, profile, dirty, workers):
        datasets.append(ds)
        manifest.extend(rows)
    return Dataset.concat(datasets), manifest
