"""Shared test fixtures."""

from pathlib import Path

import pytest

from csc_workbench.config import reference_dir as _reference_dir


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
