"""Re-sign the measures back-test: recompute the synthetic region's measures (seed 2024,
March 2025) and write tests/signed_off/measures_region_seed2024_2025-03.csv.

    PYTHONPATH=lib python tools/sign_off_measures.py --reason "assessment clock now excludes ..."

Re-signing says "these numbers are right". Only do it when a change to the numbers is intended,
after checking the differences it prints, and commit the CSV in the SAME commit as the code
change, with the reason in the commit message (the script prints the command).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lib"))

from csc_workbench.measures import backtest  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reason", required=True, help="why the numbers change (goes in the commit message)")
    ap.add_argument("--dry-run", action="store_true", help="show the differences, write nothing")
    args = ap.parse_args()
    path = backtest.signed_off_path(REPO)
    current = backtest.backtest_frame()
    if path.exists():
        diff = backtest.differences(current, backtest.read_signed_off(path))
        print(f"{len(diff)} rows differ from the signed-off CSV")
        if len(diff):
            print(diff.head(40).to_string())
    else:
        print(f"no signed-off CSV yet: creating {path.relative_to(REPO)} ({len(current):,} rows)")
    if args.dry_run:
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    current.to_csv(path, index=False, lineterminator="\n")
    rel = path.relative_to(REPO)
    print(f"wrote {rel}. Commit it with the code change:\n"
          f"  git add {rel} && git commit -m \"Re-sign measures back-test: {args.reason}\"")
    return 0


if __name__ == "__main__":
    sys.exit(main())
