"""Shared synthetic data for the synth tests: generated once per session.

Two contrasting authorities (the region's 'struggling' and 'small_shire' archetypes, 44k and
26k children) over four financial years: small enough to be quick, long enough to hold a
clean year (before the planted anomalies, which sit in the last two years) and the plants.
"""

import pandas as pd
import pytest

from csc_workbench.synth import authority_profiles, parse_range
from csc_workbench.synth.generator import generate_authority
from csc_workbench.model.dataset import Dataset

START, END = "2021-04", "2025-03"
SEED = 31


def _generate(profiles, start=START, end=END, seed=SEED, dirty=False):
    import numpy as np

    first, last = parse_range(start, end)
    seeds = np.random.SeedSequence(seed).spawn(len(profiles))
    parts = [generate_authority(p, first, last, s, dirty=dirty) for p, s in zip(profiles, seeds)]
    return Dataset.concat([p[0] for p in parts]), [r for p in parts for r in p[1]]


@pytest.fixture(scope="session")
def synth_pair():
    profs = authority_profiles(8, seed=SEED)
    return _generate([profs[2], profs[3]])


@pytest.fixture(scope="session")
def synth_data(synth_pair):
    return synth_pair[0]


@pytest.fixture(scope="session")
def synth_manifest(synth_pair):
    return synth_pair[1]
