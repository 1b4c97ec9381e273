"""One small synthetic warehouse for the monthly pack's tests, built once per test process.

Two fictional authorities (a large one and a small one, whose small numbers exercise
suppression) from April 2023 to March 2025, stored with ``save_dataset`` and their measures
computed, in a temporary folder removed when the process ends. Building it takes about ten
seconds, so every test module asks ``small_region()`` for the same one.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

MONTH = "2025-03"
AUTHORITIES = ("Z001", "Z002")


@functools.lru_cache(maxsize=1)
def small_region() -> Path:
    from csc_workbench.measures.store import ensure_measures
    from csc_workbench.model.warehouse import save_dataset
    from csc_workbench.synth import generate

    folder = Path(tempfile.mkdtemp(prefix="cscw-monthly-pack-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "warehouse.duckdb"
    dataset, _ = generate(n_authorities=2, start="2023-04", end=MONTH, seed=7)
    save_dataset(dataset, path)
    for code in AUTHORITIES:
        ensure_measures(code, path)
    return path
