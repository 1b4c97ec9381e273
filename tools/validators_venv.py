"""The Data to Insight validators' own virtual environment (.venv-validators).

The CIN census and SSDA903 validators pin pandas 1.x, which the workbench cannot share, so
they live in an environment of their own beside the repository's. ``make test`` creates it
(once, about 20 seconds) so that the tests which run our writers' output through the
validators run in CI too; ``python tools/validators_venv.py`` creates it by hand.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV = Path(os.environ.get("CSCW_VALIDATOR_VENV", REPO / ".venv-validators"))
PACKAGES = ["csc-validator-be-cin", "csc-validator-be-903"]


def ensure(path: Path = VENV) -> Path:
    """The validators' python, creating the environment if it is missing."""
    python = path / "bin" / "python"
    if not python.exists():
        print(f"creating {path} (pip install {' '.join(PACKAGES)}) ...", file=sys.stderr)
        venv.EnvBuilder(with_pip=True, clear=True).create(path)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PACKAGES], check=True)
    return python


if __name__ == "__main__":
    print(ensure())
