"""Where things are: repository root, reference data, params.

Configuration lives apart from code (``params/``); paths can be overridden by environment
variables so the same code runs on an analyst's laptop, in CI and on a batch server.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def reference_dir() -> Path:
    """DfE/ONS reference files and samples: $CSCW_REFERENCE, else ``../shared/reference``
    beside the repository (as in CI). Users point $CSCW_REFERENCE at the folder where they
    downloaded DfE's published files."""
    env = os.environ.get("CSCW_REFERENCE")
    if env:
        return Path(env)
    return (REPO_ROOT / ".." / "shared" / "reference").resolve()


def dfe_dir() -> Path:
    return reference_dir() / "dfe"


def samples_dir() -> Path:
    return reference_dir() / "samples"


def params_dir() -> Path:
    return Path(os.environ.get("CSCW_PARAMS", REPO_ROOT / "params"))
