"""Synthetic authorities written as the statutory files councils send: the CIN census XML
(one file per collection year), the SSDA903 return (CSV tables per year) and the Ofsted
Annex A workbook for the last complete month.

Layout under ``out_dir`` (documented in ``data/README.md``)::

    lea_codes.csv                                 authority, la_name, lea (the CIN header's LEA)
    cin_census/cin_census_Z001_2025.xml           one per authority and complete collection year
    ssda903/Z001/2025/header.csv, episodes.csv, ... one folder per authority and year
    annex_a/annex_a_Z001_2026-10.xlsx             12 months to the last complete month

Only *complete* collection years (1 April to 31 March, inside the authority's
``data_from``..``data_to``) are written: a year the synthetic history only partly covers
would be a census missing the episodes that closed before the history begins.

The CIN census header needs a three-digit LEA code. Synthetic ``Z`` codes are mapped
deterministically to codes no English authority (nor LAIT's England and regions) uses:
Z001 -> 944, Z002 -> 945, ... Z044 -> 999 (skipping 970 and 980-990), then 100-199, then
001-099 (243 codes; beyond that they repeat, and the file names still carry the ``Z`` code).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..model.dataset import Dataset

# Three-digit codes that are not (and are unlikely ever to be) English LA codes: DfE's codes
# run 201-943 (new unitary authorities get the next free 94x code) and LAIT uses 970 and
# 980-990 for England and the regions; so the free top of the 9xx range first, then the
# unused 1xx and 0xx ranges.
FREE_LEA_CODES = (tuple(range(944, 970)) + tuple(range(971, 980)) + tuple(range(991, 1000))
                  + tuple(range(100, 200)) + tuple(range(1, 100)))

CIN_DIR, SSDA903_DIR, ANNEX_A_DIR = "cin_census", "ssda903", "annex_a"
LEA_FILE = "lea_codes.csv"


def lea_code(authority: str) -> str:
    """The three-digit LEA code written in the CIN census header for a synthetic authority."""
    text = str(authority)
    if not (len(text) == 4 and text[0] == "Z" and text[1:].isdigit() and int(text[1:]) >= 1):
        raise ValueError(f"{authority!r} is not a synthetic authority code (Z001-Z999)")
    return f"{FREE_LEA_CODES[(int(text[1:]) - 1) % len(FREE_LEA_CODES)]:03d}"


def complete_years(dataset: Dataset, authority: str) -> list[int]:
    """Collection years (ending 31 March) lying wholly inside the authority's coverage."""
    a = dataset["authorities"]
    row = a[a["authority"] == authority]
    if row.empty or pd.isna(row["data_from"].iloc[0]) or pd.isna(row["data_to"].iloc[0]):
        return []
    start, end = pd.Timestamp(row["data_from"].iloc[0]), pd.Timestamp(row["data_to"].iloc[0])
    first = start.year + 1 if (start.month, start.day) <= (4, 1) else start.year + 2
    last = end.year if (end.month, end.day) >= (3, 31) else end.year - 1
    return list(range(first, last + 1))


def annex_a_month(dataset: Dataset, authority: str) -> pd.Timestamp | None:
    """The month end the Annex A workbook is written for: the last complete month covered."""
    a = dataset["authorities"]
    row = a[a["authority"] == authority]
    if row.empty or pd.isna(row["data_to"].iloc[0]):
        return None
    end = pd.Timestamp(row["data_to"].iloc[0]).normalize()
    return end if end == end + pd.offsets.MonthEnd(0) else end - pd.offsets.MonthEnd(1)


def write_statutory_files(dataset: Dataset, out_dir: Path, *, annex_a_months: int = 12) -> dict[str, list[Path]]:
    """Write each authority's statutory files under ``out_dir`` (layout in the module
    docstring); returns the paths written by kind ('cin_census', 'ssda903', 'annex_a')."""
    from ..io.cin_census import write_cin_census
    from ..io.ssda903 import write_ssda903

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, list[Path]] = {CIN_DIR: [], SSDA903_DIR: [], ANNEX_A_DIR: []}
    codes = []
    for authority in dataset.authorities():  # loop over authorities
        d = dataset.for_authority(authority)
        lea = lea_code(authority)
        names = d["authorities"]["la_name"]
        codes.append({"authority": authority, "la_name": names.iloc[0] if len(names) else "", "lea": lea})
        years = complete_years(d, authority)
        if years:
            written[CIN_DIR] += write_cin_census(d, out_dir / CIN_DIR, years, lea={authority: lea})
            written[SSDA903_DIR] += write_ssda903(d, out_dir / SSDA903_DIR, years=years)
        written[ANNEX_A_DIR] += _write_annex_a(d, authority, out_dir / ANNEX_A_DIR, annex_a_months)
    _record_lea_codes(out_dir / LEA_FILE, codes)
    return written


def _write_annex_a(d: Dataset, authority: str, folder: Path, months: int) -> list[Path]:
    try:
        from ..io.annex_a import write_annex_a
    except ImportError:  # the Annex A writer is not on this branch yet
        return []
    month_end = annex_a_month(d, authority)
    if month_end is None:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"annex_a_{authority}_{month_end:%Y-%m}.xlsx"
    write_annex_a(d, path, month_end, months=months)
    return [path]


def _record_lea_codes(path: Path, rows: list[dict]) -> None:
    """Add (or replace) the authorities' rows in the mapping file, sorted by authority."""
    new = pd.DataFrame(rows, columns=["authority", "la_name", "lea"], dtype="str")
    if path.exists():
        old = pd.read_csv(path, dtype="str", keep_default_na=False)
        new = pd.concat([old[~old["authority"].isin(new["authority"])], new], ignore_index=True)
    new = new.sort_values("authority", ignore_index=True)
    new.to_csv(path, index=False, lineterminator="\n")


__all__ = ["FREE_LEA_CODES", "lea_code", "complete_years", "annex_a_month", "write_statutory_files"]
