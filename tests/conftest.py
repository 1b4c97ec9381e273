"""Shared test fixtures, and the property tests' profiles."""

import os
from pathlib import Path

import pytest
from hypothesis import settings

from csc_workbench.config import reference_dir as _reference_dir

# The suite's property tests draw the same examples on every run, so CI passes or fails on
# the code, not on the draw. HYPOTHESIS_PROFILE=explore draws new, more examples each run: use
# it to hunt for bugs, then pin what it finds as a hand-built test.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False, max_examples=200)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """../shared/reference (CI has it beside the clone); tests that need it fail if absent."""
    path = _reference_dir()
    assert path.is_dir(), f"reference material not found at {path} (expected ../shared/reference)"
    return path


@pytest.fixture(scope="session")
def samples_dir(reference_dir) -> Path:
    return reference_dir / "samples"


@pytest.fixture(scope="session")
def dfe_dir(reference_dir) -> Path:
    return reference_dir / "dfe"
