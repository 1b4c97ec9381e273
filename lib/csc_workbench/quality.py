"""The data-quality account: for every load, rows read = loaded + rejected, with reasons.

Loaders never drop a row silently. Each row they read ends up either loaded (possibly
fixed, which is recorded) or rejected with a reason and a row reference; rule findings that
do not stop a row loading (an ICPC dated before its S47, say) are recorded as warnings. The
account is stored in the warehouse (tables ``dq_account`` and ``dq_issues``) for the packs'
data-quality appendix and ``cscw quality``.

Issue rows are kept as columns of lists and turned into a DataFrame once, so that a
loader can record thousands of findings from vectorised masks without per-row Python work:
use ``record_mask`` with a boolean mask over a frame that carries a ``_row`` column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

ISSUE_COLUMNS = [
    "authority", "file", "table", "row", "column", "rule", "action", "message",
]
ACCOUNT_COLUMNS = ["authority", "file", "table", "rows_read", "loaded", "rejected", "fixed", "warnings"]

ACTIONS = ("rejected", "fixed", "warning")


@dataclass
class LoadAccount:
    """Collects the account of one load (one or more files for one authority)."""

    authority: str
    _counts: dict = field(default_factory=dict)  # (file, table) -> [read, loaded, rejected, fixed]
    _issues: list = field(default_factory=list)  # list of DataFrames with ISSUE_COLUMNS

    # -- counting --------------------------------------------------------------------------
    def read(self, file: str, table: str, n: int) -> None:
        self._entry(file, table)[0] += int(n)

    def loaded(self, file: str, table: str, n: int) -> None:
        self._entry(file, table)[1] += int(n)

    def _entry(self, file: str, table: str) -> list:
        return self._counts.setdefault((str(file), table), [0, 0, 0, 0])

    # -- issues ----------------------------------------------------------------------------
    def record(self, file: str, table: str, rows, rule: str, action: str, message: str,
               column: str | None = None) -> None:
        """Record one finding for each row reference in ``rows`` (a scalar or sequence)."""
        if action not in ACTIONS:
            raise ValueError(f"action must be one of {ACTIONS}")
        rows = np.atleast_1d(np.asarray(rows, dtype=object))
        if len(rows) == 0:
            return
        self._issues.append(pd.DataFrame({
            "authority": self.authority, "file": str(file), "table": table,
            "row": rows.astype(str), "column": column, "rule": rule, "action": action,
            "message": message,
        }))
        entry = self._entry(file, table)
        if action == "rejected":
            entry[2] += len(rows)
        elif action == "fixed":
            entry[3] += len(rows)

    def record_mask(self, file: str, table: str, frame: pd.DataFrame, mask, rule: str,
                    action: str, message: str, column: str | None = None) -> int:
        """Record ``rule`` for the rows of ``frame`` where ``mask`` is true; ``frame`` must
        have a ``_row`` column holding the user-visible row reference. Returns the count."""
        mask = np.asarray(mask, dtype=bool)
        n = int(mask.sum())
        if n:
            self.record(file, table, frame.loc[mask, "_row"].to_numpy(), rule, action, message, column)
        return n

    # -- results ---------------------------------------------------------------------------
    def issues(self) -> pd.DataFrame:
        if not self._issues:
            return pd.DataFrame({c: pd.Series(dtype="object") for c in ISSUE_COLUMNS})
        return pd.concat(self._issues, ignore_index=True)[ISSUE_COLUMNS]

    def summary(self) -> pd.DataFrame:
        issues = self.issues()
        warn = issues[issues["action"] == "warning"].groupby(["file", "table"]).size()
        rows = []
        for (file, table), (read, loaded, rejected, fixed) in self._counts.items():
            rows.append({
                "authority": self.authority, "file": file, "table": table, "rows_read": read,
                "loaded": loaded, "rejected": rejected, "fixed": fixed,
                "warnings": int(warn.get((file, table), 0)),
            })
        return pd.DataFrame(rows, columns=ACCOUNT_COLUMNS)

    def unbalanced(self) -> pd.DataFrame:
        """Lines of the account where rows read != loaded + rejected (should be empty)."""
        s = self.summary()
        return s[s["rows_read"] != s["loaded"] + s["rejected"]]

    def check_balanced(self) -> None:
        bad = self.unbalanced()
        if len(bad):
            lines = "; ".join(
                f"{r.file}/{r.table}: read {r.rows_read}, loaded {r.loaded}, rejected {r.rejected}"
                for r in bad.itertuples()
            )
            raise AssertionError(f"data-quality account does not balance: {lines}")

    def merge(self, other: "LoadAccount") -> None:
        for key, vals in other._counts.items():
            entry = self._counts.setdefault(key, [0, 0, 0, 0])
            for i, v in enumerate(vals):
                entry[i] += v
        self._issues.extend(other._issues)
