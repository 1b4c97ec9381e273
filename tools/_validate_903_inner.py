"""Runs INSIDE .venv-validators (pandas 1.x): Data to Insight's 903 validator on one year's
SSDA903 CSV tables (and optionally the previous year's). Prints one JSON document:
{"ruleset": ..., "findings": [{"code", "message", "count", "example"}], "failed_to_run": [...]}.
Kept free of csc_workbench imports: that package needs pandas 3."""

import argparse
import contextlib
import importlib
import json
import logging
import sys
from pathlib import Path

logging.disable(logging.CRITICAL)

import pandas as pd  # noqa: E402 (pandas 1.x, in .venv-validators)


def ruleset_for(year: int) -> str:
    rules_dir = Path(list(importlib.import_module("lac_validator.rules").__path__)[0])
    available = sorted(p.name for p in rules_dir.glob("lac20*_*") if p.is_dir())
    wanted = f"lac{year - 1}_{str(year)[2:]}"
    if wanted in available:
        return wanted
    return available[0] if wanted < available[0] else available[-1]


# csc-validator-be-903 0.1.17, lac2024_25 rule 146 (valid placement codes) lists "k3" in
# lower case, so it rejects K3 (supported accommodation), the code DfE introduced for 2024-25
# (its own rule 503D expects H5 -> K3 that year). Its K3 findings are dropped; every other
# invalid code is still reported.
K3_TYPO = {("lac2024_25", "146")}


def _without_k3(result, store):
    eps = store.get("Episodes")
    if not result or eps is None or "Episodes" not in result:
        return result
    rows = [r for r in result["Episodes"] if not (pd.notna(r) and eps.loc[r, "PLACE"] == "K3")]
    return {**result, "Episodes": rows}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--previous")
    ap.add_argument("--year", type=int, required=True)
    ap.add_argument("--la", default="E09000027")
    args = ap.parse_args()

    from lac_validator.config import column_names
    from lac_validator.datastore import copy_datastore, create_datastore
    from lac_validator.ingress import read_from_text
    from lac_validator.utils import process_uploaded_files

    known = {frozenset(c) for c in column_names.values()}

    def tables(folder):
        out = []
        for f in sorted(Path(folder).glob("*.csv")):
            header = f.read_text(encoding="utf-8-sig").splitlines()[:1]
            cols = frozenset(h.strip() for h in header[0].split(",")) if header else frozenset()
            if cols in known:
                out.append(str(f))
        return out

    files = {"This year": tables(args.folder)}
    if args.previous:
        files["Prev year"] = tables(args.previous)
    ruleset = ruleset_for(args.year)
    registry = importlib.import_module(f"lac_validator.rules.{ruleset}").registry
    with contextlib.redirect_stdout(sys.stderr):  # some rules print
        dfs, extras = read_from_text(process_uploaded_files(files))
        # Last year's tables get row labels that cannot collide with this year's: several rules
        # concatenate the two years and then drop rows by label (rule 1001 drops V3/V4
        # episodes that way, and with colliding labels drops other children's episodes too).
        if args.year >= 2025:
            # SEX is 1/2 up to the 2023-24 return and M/F/U from 2024-25: read last year's
            # codes in this year's terms, or rule 202 reports every child's sex as changed.
            for name in ("Header_last", "UASC_last"):
                if name in dfs:
                    dfs[name]["SEX"] = dfs[name]["SEX"].replace({"1": "M", "2": "F"})
        store = create_datastore(dfs, {"collectionYear": str(args.year), "localAuthority": args.la, **extras})
        for name in list(store):
            if name.endswith("_last"):
                store[name].index = store[name].index + 1_000_000
        results = {name: pd.DataFrame(index=df.index) for name, df in store.items() if name != "metadata"}
        fails = []
        for code, rule in registry.items():
            # A deep copy for each rule: the validator's own loop passes shallow copies, so a
            # rule that writes into a table (rule 1001 fills open DECs with 31 March) changes
            # what later rules see and produces false findings (575, 577).
            copy = {k: (v.copy(deep=True) if k != "metadata" else v) for k, v in copy_datastore(store).items()}
            try:
                result = rule.func(copy)
            except Exception:  # noqa: BLE001 (report, as the validator does)
                fails.append(code)
                continue
            if (ruleset, code) in K3_TYPO:
                result = _without_k3(result, store)
            for table, rows in (result or {}).items():
                rows = [r for r in rows if pd.notna(r)]
                if rows and table in results:
                    results[table].loc[rows, f"ERR_{code}"] = True

    findings = {}
    for table, flags in results.items():
        if table.endswith("_last"):
            continue
        for col in flags.columns:
            hit = flags.index[flags[col] == True]  # noqa: E712 (object column of True/NaN)
            if len(hit) == 0:
                continue
            code = col[4:]
            f = findings.setdefault(code, {"code": code, "message": registry[code].message, "count": 0,
                                           "example": None})
            f["count"] += int(len(hit))
            if f["example"] is None:
                f["example"] = {"table": table, "row": int(hit[0]), "child": str(store[table].loc[hit[0], "CHILD"])
                                if "CHILD" in store[table] else ""}
    json.dump({"ruleset": ruleset, "findings": sorted(findings.values(), key=lambda f: f["code"]),
               "failed_to_run": fails}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
