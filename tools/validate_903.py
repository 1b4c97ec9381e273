#!/usr/bin/env python3
"""Run Data to Insight's SSDA903 validator (PyPI ``csc-validator-be-903``) on one year's
SSDA903 CSV tables, optionally with the previous year's for the year-on-year rules, and
print the findings by rule: code, type, count, an example (table, row, child) and, for
allow-listed rules, why the rule cannot apply to synthetic data.

The validator pins pandas 1.x, so it runs in its own virtual environment,
``.venv-validators`` at the repository root, created on first use with
``pip install csc-validator-be-cin csc-validator-be-903``.

Exit status: 0 when every error-type finding is allow-listed (``tools/validator_allowlist_903.yaml``),
1 when there are unexplained error findings, 2 for bad arguments or a broken environment.

    python tools/validate_903.py out/Z01/2024 --previous out/Z01/2023

Types: Data to Insight's rules carry no type; a rule whose message starts "WARNING" is a
warning, every other rule an error (the strict reading: DfE treats them as errors unless an
authority asks for a bypass).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from validators_venv import VENV  # noqa: E402
from validators_venv import ensure as venv_python  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
INNER = Path(__file__).with_name("_validate_903_inner.py")
ALLOWLIST = Path(__file__).with_name("validator_allowlist_903.yaml")


def load_allowlist(path: Path = ALLOWLIST) -> dict[str, str]:
    data = yaml.safe_load(path.read_text()) if path.exists() else {}
    rules = (data or {}).get("rules", {}) or {}
    return {str(code): str(reason) for code, reason in rules.items()}


def guess_year(folder: Path) -> int | None:
    for part in (folder.name, folder.parent.name):
        m = re.search(r"(?<!\d)(20\d\d)(?!\d)", part)
        if m:
            return int(m.group(1))
    return None


def run_validator(folder: Path, year: int, previous: Path | None = None, la: str = "E09000027",
                  venv_path: Path = VENV) -> dict:
    """Findings as the inner script reports them (``ruleset``, ``findings``, ``failed_to_run``)."""
    cmd = [str(venv_python(venv_path)), str(INNER), str(folder), "--year", str(year), "--la", la]
    if previous:
        cmd += ["--previous", str(previous)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"validator failed: {done.stderr.strip().splitlines()[-1:] or done.returncode}")
    return json.loads(done.stdout)


def classify(result: dict, allow: dict[str, str]) -> list[dict]:
    rows = []
    for f in result["findings"]:
        kind = "warning" if f["message"].strip().upper().startswith("WARNING") else "error"
        rows.append({**f, "type": kind, "allowed": allow.get(f["code"])})
    return rows


def report(rows: list[dict], result: dict, out=None) -> int:
    """Print findings by rule; return the number of unexplained error findings."""
    out = out or sys.stdout
    print(f"ruleset {result['ruleset']}", file=out)
    unexplained = 0
    for r in rows:
        ex = r["example"] or {}
        status = "allowed" if r["allowed"] else ("UNEXPLAINED" if r["type"] == "error" else "")
        print(f"{r['code']:>9}  {r['type']:<7}  {r['count']:>5}  {status:<11}  e.g. {ex.get('table')} row "
              f"{ex.get('row')} child {ex.get('child')}: {r['message'][:110]}", file=out)
        if r["allowed"]:
            print(f"{'':>9}  reason: {r['allowed']}", file=out)
        if r["type"] == "error" and not r["allowed"]:
            unexplained += r["count"]
    if result.get("failed_to_run"):
        print(f"rules that failed to run on this data: {', '.join(result['failed_to_run'])}", file=out)
    print(f"{sum(r['count'] for r in rows)} findings, {unexplained} unexplained error findings", file=out)
    return unexplained


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path, help="folder of one year's SSDA903 CSV tables")
    ap.add_argument("--previous", type=Path, help="folder of the previous year's tables")
    ap.add_argument("--year", type=int, help="year ending 31 March (default: from the folder name)")
    ap.add_argument("--la", default="E09000027", help="local authority code the validator assumes")
    ap.add_argument("--allowlist", type=Path, default=ALLOWLIST)
    ap.add_argument("--venv", type=Path, default=VENV)
    args = ap.parse_args(argv)
    if not args.folder.is_dir():
        print(f"not a folder: {args.folder}", file=sys.stderr)
        return 2
    year = args.year or guess_year(args.folder)
    if year is None:
        print("cannot tell the collection year from the folder name: give --year", file=sys.stderr)
        return 2
    try:
        result = run_validator(args.folder, year, args.previous, args.la, args.venv)
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    unexplained = report(classify(result, load_allowlist(args.allowlist)), result)
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
