"""Ofsted Annex A workbooks (ILACS Lists 1-11): reader and writer.

Format-module contract (see ``csc_workbench.io.formats``):

- ``KIND = "annex_a"``
- ``sniff(path) -> bool``: an .xlsx workbook with at least three sheets named "List N".
- ``read(paths, authority, account) -> Dataset``: every workbook's lists as canonical
  tables; several workbooks (monthly extracts) are merged as history, the latest extract's
  version of a record winning. Every row is accounted for in ``account``.
- ``extract_date(paths) -> pd.Timestamp | None``: the latest extract date the files state
  (our writer's document property or a date in the file name); None when they do not say.
  The Dataset ``read`` returns also carries ``extract_date``: the files' stated date, else the
  latest event date in their data.

Writer: ``write_annex_a(dataset, path, period_end, months=12)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ...model.dataset import Dataset
from ...quality import LoadAccount
from .reader import extract_date_from_name, read_file, record_id, team_id_for, worker_id_for
from .workbook import is_xlsx, sheet_names
from .writer import write_annex_a

KIND = "annex_a"
LABEL = "Annex A workbook"

__all__ = ["KIND", "LABEL", "sniff", "read", "extract_date", "write_annex_a", "record_id", "team_id_for",
           "worker_id_for"]


def sniff(path: Path) -> bool:
    """True for an .xlsx workbook with at least three sheets named "List <n>"."""
    from .reader import _list_number

    path = Path(path)
    if not is_xlsx(path):
        return False
    try:
        titles = sheet_names(path)
    except Exception:  # a damaged zip is "not ours"; the orchestrator explains what it is
        return False
    return sum(_list_number(t) is not None for t in titles) >= 3


def read(paths: Sequence[Path], authority: str, account: LoadAccount) -> Dataset:
    """Load Annex A workbooks for one authority; several are merged oldest extract first."""
    from ..history import merge_history

    results = [read_file(Path(p), authority, account) for p in paths]
    # Stable sort: extracts of the same date keep the order they were given in.
    results.sort(key=lambda r: r[1])
    merged: Dataset | None = None
    for dataset, extract in results:
        merged = dataset if merged is None else merge_history(merged, dataset, account=account,
                                                              incoming_version=extract)[0]
    merged = merged if merged is not None else Dataset()
    # The date the data describes (stated by the file, else its latest event), for history.
    merged.extract_date = max(r[1] for r in results) if results else None
    return merged


def extract_date(paths: Sequence[Path]) -> pd.Timestamp | None:
    """The latest extract date the files state (our writer's document property or a date in
    the file name), without reading their rows; None when none of them says."""
    import zipfile

    from .workbook import PERIOD_END_PROPERTY, _custom_properties

    dates = []
    for p in paths:  # loop over files
        p = Path(p)
        found = None
        try:
            with zipfile.ZipFile(p) as z:
                value = _custom_properties(z).get(PERIOD_END_PROPERTY)
            found = pd.Timestamp(value).normalize() if value else None
        except Exception:  # not a zip, or a malformed property: fall back to the name
            found = None
        found = found or extract_date_from_name(p.name)
        if found is not None:
            dates.append(found)
    return max(dates) if dates else None
