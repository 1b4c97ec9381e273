#!/usr/bin/env python3
"""Run Data to Insight's CIN census validator on a folder of CIN census XML files.

    python tools/validate_cin.py FOLDER [--allowlist tools/validator_allowlist.yaml]
                                        [--venv .venv-validators] [--ruleset cin2024_25]

The validator (PyPI ``csc-validator-be-cin``) pins pandas 1.x, so it runs in its own
virtual environment, ``.venv-validators`` in the repository root, created on first use
with ``pip install csc-validator-be-cin csc-validator-be-903`` (``--venv`` or
``$CSCW_VALIDATOR_VENV`` point at another one). Each file is validated with the ruleset of
its collection year (``<Year>`` 2025 -> ``cin2024_25``), and the findings are printed by
rule: file, rule code, type (error / warning, DfE's "query"), count, an example location,
and whether the rule is allow-listed (``tools/validator_allowlist.yaml``: rules that
cannot apply to synthetic data, each with its reason).

Exit status: 0 when every error-type finding is allow-listed, 1 when one is not, 2 when
the arguments are wrong or the validator cannot run. A rule that crashes inside the
validator is shown as type ``crashed`` and does not fail the run on its own (it is the
validator's bug, not the data's), but it is listed so nobody mistakes it for a pass.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ALLOWLIST = REPO / "tools" / "validator_allowlist.yaml"
sys.path.insert(0, str(Path(__file__).parent))
from validators_venv import VENV as DEFAULT_VENV  # noqa: E402
from validators_venv import ensure as ensure_venv  # noqa: E402

# Runs inside the validators' environment (pandas 1.x): validates one file and prints one
# JSON object with the findings aggregated by rule.
DRIVER = r'''
import contextlib, importlib, io, json, re, sys
import xml.etree.ElementTree as ET
from cin_validator import cin_validator as cv


def fast_convert(root):
    """The validator's own XML-to-tables conversion (cin_validator.ingress), with each table
    built once from all its rows instead of one pd.concat and one DataFrame per child and
    block (quadratic: hours for a large authority's census). Same code path, same tables:
    tests/test_validate_cin_ingress.py compares the two. CSCW_EXACT_INGRESS=1 uses the
    validator's conversion as it is."""
    import os
    import pandas as real_pd
    import cin_validator.ingress as ing

    if os.environ.get("CSCW_EXACT_INGRESS"):
        return cv.convert_data(root)

    class Rows(list):  # a table's rows (dicts), in order, standing in for a DataFrame
        def __init__(self, rows=(), columns=None):
            super().__init__(rows)
            self.columns = columns

        def __getitem__(self, key):
            if isinstance(key, str):  # a column, as create_Assessments reads factors
                return real_pd.Series([r.get(key) for r in self], dtype=object)
            return list.__getitem__(self, key)

    class Frame:
        @staticmethod
        def from_dict(rows):
            return Rows(rows)

        def __new__(cls, rows=None, columns=None):
            return Rows(rows or [], columns)

    class Pandas:  # pandas as the ingress module sees it
        DataFrame = Frame
        NA = real_pd.NA

        def __getattr__(self, name):
            return getattr(real_pd, name)

        @staticmethod
        def concat(objs, **kwargs):
            first, *rest = objs
            out = first if isinstance(first, Rows) and first.columns is not None else Rows(columns=first.columns)
            for r in rest:
                out.extend(r)
            return out

    # the tables' empty frames (class attributes) keep their real columns
    originals = {k: v for k, v in vars(ing.XMLtoCSV).items() if isinstance(v, real_pd.DataFrame)}
    ing.pd = Pandas()
    try:
        tables = cv.convert_data(root)
    finally:
        ing.pd = real_pd
    out = {}
    for name, t in tables.items():
        if isinstance(t, Rows) and t.columns is not None:
            out[name] = real_pd.concat([originals[name], real_pd.DataFrame(list(t))], ignore_index=True)
        elif isinstance(t, Rows):  # the header: one row, built by from_dict
            out[name] = real_pd.DataFrame.from_dict(list(t))
        else:
            out[name] = t
    return out


if __name__ == "__main__":
    path, ruleset = sys.argv[1], sys.argv[2]
    import cin_validator.rules as rules_pkg
    import pkgutil
    available = sorted(m.name for m in pkgutil.iter_modules(rules_pkg.__path__) if m.name.startswith("cin"))
    if ruleset not in available:
        older = [r for r in available if r <= ruleset]
        ruleset = older[-1] if older else available[0]
    registry = importlib.import_module(f"cin_validator.rules.{ruleset}").registry
    types = {str(r.code): r.rule_type.name for _, r in registry.items()}
    messages = {str(r.code): r.message for _, r in registry.items()}
    root = ET.parse(path).getroot()
    data = cv.process_data(fast_convert(root))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        v = cv.CinValidator(data, registry)
    findings = {}
    full = v.full_issue_df
    for code, grp in full.groupby(full["rule_code"].astype(str)):
        first = grp.iloc[0]
        findings[code] = {
            "count": int(len(grp)),
            "example": f"child {first.get('child_id')}, {first.get('tables_affected')}.{first.get('columns_affected')}, row {first.get('row_id')}",
        }
    multi = v.multichild_issues
    for code in multi["rule_code"].astype(str).unique() if len(multi) else []:
        findings.setdefault(code, {"count": 1, "example": "return level (header or whole-file check)"})
    result = []
    for code, f in sorted(findings.items()):
        result.append({"rule": code, "type": "error" if types.get(code) == "ERROR" else "warning",
                       "message": messages.get(code, ""), **f})
    for line in out.getvalue().splitlines():
        m = re.match(r"Error with rule (\S+): (.*)", line)
        if m:
            result.append({"rule": m.group(1), "type": "crashed", "message": m.group(2), "count": 0,
                           "example": "the rule raised inside the validator"})
    print(json.dumps({"ruleset": ruleset, "findings": result}))
'''


def collection_year(path: Path) -> int | None:
    head = path.read_bytes()[:4096]
    for enc in ("utf-8", "utf-16"):
        text = head.decode(enc, errors="ignore")
        m = re.search(r"<Year>\s*(\d{4})\s*</Year>", text) or re.search(r"<ReferenceDate>\s*(\d{4})-03-31", text)
        if m:
            return int(m.group(1))
    return None


def ruleset_for(year: int | None) -> str:
    year = year or 2025
    return f"cin{year - 1}_{year % 100:02d}"


def load_allowlist(path: Path) -> dict[str, str]:
    import yaml

    if not path.exists():
        return {}
    doc = yaml.safe_load(path.read_text()) or {}
    entries = doc.get("cin", {}) or {}
    bad = [code for code, reason in entries.items() if not str(reason or "").strip()]
    if bad:
        raise SystemExit(f"{path}: every allow-listed rule needs a reason; missing for {bad}")
    return {str(code): str(reason) for code, reason in entries.items()}


def validate_file(python: Path, path: Path, ruleset: str) -> dict:
    proc = subprocess.run([str(python), "-c", DRIVER, str(path), ruleset], capture_output=True, text=True)
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["(no message)"]
        raise RuntimeError(f"{path.name}: the validator failed: {tail[0]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--allowlist", type=Path, default=DEFAULT_ALLOWLIST)
    ap.add_argument("--venv", type=Path, default=DEFAULT_VENV)
    ap.add_argument("--ruleset", default=None, help="force one ruleset, e.g. cin2024_25")
    args = ap.parse_args(argv)

    files = sorted(p for p in args.folder.glob("*.xml")) if args.folder.is_dir() else []
    if not files:
        print(f"no CIN census XML files in {args.folder}", file=sys.stderr)
        return 2
    allow = load_allowlist(args.allowlist)
    try:
        python = ensure_venv(args.venv)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"cannot create the validators' environment {args.venv}: {exc}", file=sys.stderr)
        return 2

    unexplained = 0
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for path in files:
        ruleset = args.ruleset or ruleset_for(collection_year(path))
        try:
            result = validate_file(python, path, ruleset)
        except RuntimeError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        findings = result["findings"]
        print(f"\n{path.name}  (ruleset {result['ruleset']}): {len(findings)} rule(s) with findings")
        if findings:
            print(f"  {'rule':<7} {'type':<8} {'count':>6}  {'allowed':<7}  example / message")
        for f in findings:
            allowed = f["rule"] in allow
            if f["type"] == "error" and not allowed:
                unexplained += 1
            totals[(f["rule"], f["type"])] += f["count"]
            print(f"  {f['rule']:<7} {f['type']:<8} {f['count']:>6}  {'yes' if allowed else 'no':<7}  "
                  f"{f['example']}\n  {'':<33}{f['message'][:110]}")
    print("\nSummary by rule (all files):")
    for (rule, kind), n in sorted(totals.items()):
        tag = f"allow-listed: {allow[rule]}" if rule in allow else ""
        print(f"  {rule:<7} {kind:<8} {n:>6}  {tag}")
    if unexplained:
        print(f"\n{unexplained} error-type finding(s) not allow-listed: FAIL")
        return 1
    print("\nno unexplained error-type findings: PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
