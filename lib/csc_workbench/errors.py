"""Errors a user can act on.

Every error about bad input names where the problem is (file, sheet or table, row, column)
so an analyst can open the file and find it. The CLI prints ``str(error)`` as one line and
exits with status 2; it never shows a traceback for these.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class WorkbenchError(Exception):
    """Base class for errors the CLI reports as one clear line with exit status 2."""

    exit_code = 2


@dataclass
class InputError(WorkbenchError):
    """A problem with an input file, located as precisely as the format allows."""

    message: str
    file: str | Path | None = None
    sheet: str | None = None  # Annex A sheet, SSDA903 table, CIN census XML element path
    row: int | str | None = None  # 1-based spreadsheet/CSV row as a user sees it, or XML line
    column: str | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def location(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(Path(self.file).name)
        if self.sheet is not None:
            parts.append(f"sheet/table {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


class ConfigError(WorkbenchError):
    """A problem with parameters, targets or command-line arguments."""


class NotAvailable(WorkbenchError):
    """A measure cannot be computed because the data lacks a field (never fails a run)."""
