#!/usr/bin/env python3
"""Generate a fresh synthetic set, write its statutory files and run both of Data to
Insight's validators on every file; print the findings by rule.

    PYTHONPATH=lib python tools/validate_synthetic.py [--authorities 8] [--start 2019-04]
        [--end YYYY-MM] [--seed 2024] [--profile region] [--out DIR] [--jobs 2]

Every complete collection year of every authority is validated: the CIN census XML with
``csc-validator-be-cin`` (tools/validate_cin.py's driver, the year's ruleset) and the SSDA903
return with ``csc-validator-be-903`` (tools/validate_903.py's runner, with the previous year's
return for the year-on-year rules). Both run in their own virtual environment,
``.venv-validators`` (pandas 1.x), created on first use.

Findings are grouped by validator and rule: type (error / warning; ``crashed`` for a rule
that raised inside the validator), how many findings in how many files, an example, and
for allow-listed rules the reason the rule cannot apply to synthetic data
(tools/validator_allowlist.yaml for the CIN census, tools/validator_allowlist_903.yaml for
SSDA903). Exit status 0 when every error-type finding is allow-listed, 1 when one is not,
2 when the validators cannot run.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lib"))


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


validate_cin = _tool("validate_cin")
validate_903 = _tool("validate_903")


def write_fresh_set(out: Path, authorities: int, start: str, end: str | None, seed: int, profile: str) -> dict:
    """Generate the authorities one at a time and write their statutory files under ``out``."""
    from csc_workbench.synth import iter_authorities
    from csc_workbench.synth.statutory import write_statutory_files

    written = defaultdict(list)
    for ds, _ in iter_authorities(authorities, start, end, seed, profile):  # loop over authorities
        for kind, paths in write_statutory_files(ds, out).items():
            written[kind] += paths
    return written


def cin_jobs(folder: Path) -> list[dict]:
    jobs = []
    for path in sorted(folder.glob("cin_census_*.xml")):
        authority, year = path.stem.split("_")[-2], int(path.stem.split("_")[-1])
        jobs.append({"format": "CIN census", "authority": authority, "year": year, "path": path})
    return jobs


def ssda903_jobs(folder: Path) -> list[dict]:
    jobs = []
    for year_dir in sorted(folder.glob("*/*")):
        if year_dir.is_dir() and year_dir.name.isdigit():
            previous = year_dir.parent / str(int(year_dir.name) - 1)
            jobs.append({"format": "SSDA903", "authority": year_dir.parent.name, "year": int(year_dir.name),
                         "path": year_dir, "previous": previous if previous.is_dir() else None})
    return jobs


def run_job(job: dict, python: Path, venv: Path) -> list[dict]:
    """The job's findings as rows: rule, type, count, message, example."""
    if job["format"] == "CIN census":
        result = validate_cin.validate_file(python, job["path"], validate_cin.ruleset_for(job["year"]))
        rows = [{"rule": f["rule"], "type": f["type"], "count": f["count"], "message": f["message"],
                 "example": f["example"]} for f in result["findings"]]
    else:
        result = validate_903.run_validator(job["path"], job["year"], job["previous"], venv_path=venv)
        rows = []
        for f in validate_903.classify(result, {}):
            ex = f["example"] or {}
            rows.append({"rule": f["code"], "type": f["type"], "count": f["count"], "message": f["message"],
                         "example": f"{ex.get('table')} row {ex.get('row')} child {ex.get('child')}"})
        rows += [{"rule": code, "type": "crashed", "count": 0, "message": "the rule raised inside the validator",
                  "example": ""} for code in result.get("failed_to_run", [])]
    return [{**r, "format": job["format"], "authority": job["authority"], "year": job["year"],
             "ruleset": result["ruleset"]} for r in rows]


def report(findings: list[dict], jobs: list[dict], allow: dict[str, dict[str, str]], out=sys.stdout) -> int:
    """Print findings by validator and rule, then a line per authority; return the number
    of unexplained error-type findings."""
    unexplained = 0
    n_files = defaultdict(int)
    for j in jobs:
        n_files[j["format"]] += 1
    for fmt in ("CIN census", "SSDA903"):
        rows = [f for f in findings if f["format"] == fmt]
        print(f"\n{fmt}: {n_files[fmt]} files, {len({r['rule'] for r in rows})} rules with findings", file=out)
        by_rule = defaultdict(list)
        for r in rows:
            by_rule[(r["rule"], r["type"])].append(r)
        if by_rule:
            print(f"  {'rule':<10} {'type':<8} {'count':>7} {'files':>6}  status       example / message", file=out)
        for (rule, kind), rs in sorted(by_rule.items(), key=lambda kv: (kv[0][1] != "error", kv[0][0])):
            reason = allow[fmt].get(rule)
            count = sum(r["count"] for r in rs)
            if kind == "error" and not reason:
                status = "UNEXPLAINED"
                unexplained += count
            else:
                status = "allowed" if reason else ""
            years = sorted({r["year"] for r in rs})
            print(f"  {rule:<10} {kind:<8} {count:>7} {len(rs):>6}  {status:<11}  {rs[0]['authority']} "
                  f"{rs[0]['year']}: {rs[0]['example']}", file=out)
            print(f"  {'':<37}{rs[0]['message'][:100]} (years {years[0]}-{years[-1]})", file=out)
            if reason:
                print(f"  {'':<37}allowed: {' '.join(reason.split())[:160]}", file=out)
    print("\nUnexplained error-type findings by authority and year (CIN census + SSDA903):", file=out)
    cells = defaultdict(int)
    for f in findings:
        if f["type"] == "error" and not allow[f["format"]].get(f["rule"]):
            cells[(f["authority"], f["year"])] += f["count"]
    years = sorted({j["year"] for j in jobs})
    print("  " + "auth  " + " ".join(f"{y:>5}" for y in years), file=out)
    for authority in sorted({j["authority"] for j in jobs}):
        print("  " + f"{authority:<5} " + " ".join(f"{cells[(authority, y)]:>5}" for y in years), file=out)
    return unexplained


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--authorities", "-n", type=int, default=8)
    ap.add_argument("--start", default="2019-04")
    ap.add_argument("--end", default=None)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--profile", default="region")
    ap.add_argument("--out", type=Path, help="keep the files here (default: a temporary folder, removed)")
    ap.add_argument("--jobs", type=int, default=2, help="validator runs at a time")
    ap.add_argument("--venv", type=Path, default=validate_903.VENV)
    args = ap.parse_args(argv)

    from csc_workbench.errors import WorkbenchError

    out = args.out or Path(tempfile.mkdtemp(prefix="cscw-validate-"))
    started = time.perf_counter()
    try:
        try:
            written = write_fresh_set(out, args.authorities, args.start, args.end, args.seed, args.profile)
        except WorkbenchError as exc:
            print(f"validate_synthetic: {exc}", file=sys.stderr)
            return 2
        jobs = cin_jobs(out / "cin_census") + ssda903_jobs(out / "ssda903")
        print(f"{args.authorities} synthetic authorities ({args.profile}, seed {args.seed}) written to {out} in "
              f"{time.perf_counter() - started:.0f} s: {len(written['cin_census'])} CIN census files, "
              f"{len({p.parent for p in written['ssda903']})} SSDA903 returns")
        if not jobs:
            print("no complete collection year to validate: give an earlier --start", file=sys.stderr)
            return 2
        try:
            python = validate_903.venv_python(args.venv)
        except Exception as exc:  # noqa: BLE001 (any failure to build the environment)
            print(f"cannot create the validators' environment {args.venv}: {exc}", file=sys.stderr)
            return 2
        allow = {"CIN census": validate_cin.load_allowlist(validate_cin.DEFAULT_ALLOWLIST),
                 "SSDA903": validate_903.load_allowlist()}
        findings = []
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:  # each job is a subprocess
            try:
                for rows in pool.map(lambda j: run_job(j, python, args.venv), jobs):
                    findings += rows
            except (RuntimeError, OSError) as exc:
                print(f"a validator failed to run: {exc}", file=sys.stderr)
                return 2
        unexplained = report(findings, jobs, allow)
        errors = sum(f["count"] for f in findings if f["type"] == "error")
        print(f"\n{len(jobs)} files validated ({sum(j['format'] == 'CIN census' for j in jobs)} CIN census, "
              f"{sum(j['format'] == 'SSDA903' for j in jobs)} SSDA903 returns; {len(set(j['authority'] for j in jobs))} "
              f"authorities, years {min(j['year'] for j in jobs)}-{max(j['year'] for j in jobs)}) in "
              f"{time.perf_counter() - started:.0f} s: {errors} error-type findings, {unexplained} unexplained: "
              f"{'FAIL' if unexplained else 'PASS'}")
        return 1 if unexplained else 0
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
