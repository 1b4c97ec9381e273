"""The run manifest: what a batch ran, on what inputs, with which software, and how it went.

``outputs/<month>/run_manifest.json`` answers the questions an auditor or a colleague asks
about a pack months later: which warehouse (its hash), which params files and notebook
templates (their hashes), which versions of Python and the libraries, how long each
notebook took and whether it succeeded. It also drives ``--retry-failed`` and the index.

Format (``MANIFEST_VERSION`` 1)::

    {"manifest_version": 1, "month": "2025-06",
     "runs": [{"run_id", "started", "finished", "argv", "audience", "authorities", "notebooks",
               "workers", "executor", "retry_failed", "inputs": {path: sha256}, "warehouse",
               "warehouse_sha256", "params_file", "versions": {...}, "outcome": {"ok": n, "failed": n}}],
     "packs": {"<authority>/<notebook>/<audience>": {"authority", "notebook", "audience",
               "status": "ok"|"failed", "run_id", "parameters", "duration_s", "html", "ipynb",
               "extra_files", "bytes", "charts", "warnings", "sha256", "error", "error_file"}}}

``packs`` keeps the latest outcome per authority x notebook x audience across runs of the
month, so an index built after a retry shows every pack.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import sys
from importlib import metadata
from pathlib import Path

from .render import atomic_write_text

MANIFEST_VERSION = 1
MANIFEST_NAME = "run_manifest.json"
VERSIONED = ("pandas", "numpy", "duckdb", "papermill", "nbconvert", "nbclient", "altair",
             "vl-convert-python", "ipykernel", "distributed")


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def workbench_version() -> str:
    try:
        return metadata.version("csc-workbench")
    except metadata.PackageNotFoundError:  # run from a checkout with PYTHONPATH=lib
        import tomllib

        pyproject = Path(__file__).resolve().parents[3] / "pyproject.toml"
        try:
            return tomllib.loads(pyproject.read_text())["project"]["version"] + "+checkout"
        except (OSError, KeyError):
            return "unknown"


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "csc_workbench": workbench_version()}
    for name in VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    out["platform"] = f"{platform.system()} {platform.machine()}"
    out["executable"] = sys.executable
    return out


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")


def pack_key(authority: str, notebook: str, audience: str) -> str:
    return f"{authority}/{notebook}/{audience}"


def manifest_path(month_dir: Path) -> Path:
    return Path(month_dir) / MANIFEST_NAME


def read_manifest(month_dir: Path) -> dict | None:
    path = manifest_path(month_dir)
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("manifest_version") != MANIFEST_VERSION:
        raise ValueError(f"{path}: manifest version {data.get('manifest_version')!r} is not "
                         f"{MANIFEST_VERSION}; rerun the month without --retry-failed")
    return data


def write_manifest(month_dir: Path, manifest: dict) -> Path:
    text = json.dumps(manifest, indent=2, sort_keys=False, default=str)
    return atomic_write_text(manifest_path(month_dir), text + "\n")


def new_manifest(month: str) -> dict:
    return {"manifest_version": MANIFEST_VERSION, "month": month, "runs": [], "packs": {}}
