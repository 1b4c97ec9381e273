"""DfE benchmarks beside each scorecard row.

The reference layer supplies a ``benchmark_summary`` frame, one row per measure (for one
authority), with the authority's own latest published value, its statistical neighbours'
average and best, its region, England, England's top-quartile threshold and middle 50%
(25th and 75th percentiles), the authority's position against that middle 50%, its rank,
and the year and release every value came from. This module takes that frame as it is
(it does not import the reference package) and joins it onto scorecard rows, renaming
``year`` and ``release`` to ``benchmark_year`` and ``benchmark_release`` and adding a
``benchmark_label`` such as "2023-24 (2025 release)".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csc_workbench.calendar import financial_year_label

SUMMARY_COLUMNS = [
    "measure", "year", "release", "la_value", "la_status", "sn_average", "sn_best", "region",
    "england", "england_top_quartile", "england_p25", "england_p75", "mid50_position",
    "mid50_judgement", "rank", "n_ranked", "quartile",
]
BENCHMARK_COLUMNS = [
    "benchmark_year", "benchmark_release", "benchmark_label", "la_value", "la_status",
    "sn_average", "sn_best", "region", "england", "england_top_quartile", "england_p25",
    "england_p75", "mid50_position", "mid50_judgement", "rank", "n_ranked", "quartile",
]
NUMERIC = ["la_value", "sn_average", "sn_best", "region", "england", "england_top_quartile",
           "england_p25", "england_p75", "rank", "n_ranked", "quartile"]


def _year_label(year) -> str | None:
    if year is None or (isinstance(year, float) and np.isnan(year)):
        return None
    try:
        y = int(float(year))
    except (TypeError, ValueError):
        return str(year)  # already a label such as '2023-24'
    return financial_year_label(y) if 1990 < y < 2100 else str(year)


def latest_benchmarks(benchmark_summary: pd.DataFrame | None,
                      authority: str | None = None) -> pd.DataFrame:
    """One row per measure with ``BENCHMARK_COLUMNS`` (the latest year, then release, if the
    summary holds several). Missing columns in the summary are a ValueError naming them; a
    None summary gives an empty frame with the columns."""
    if benchmark_summary is None:
        return pd.DataFrame(columns=["measure"] + BENCHMARK_COLUMNS)
    missing = [c for c in SUMMARY_COLUMNS if c not in benchmark_summary.columns]
    if missing:
        raise ValueError(f"benchmark_summary lacks columns: {', '.join(missing)}")
    b = benchmark_summary
    if authority is not None and "authority" in b.columns:
        b = b[b["authority"] == authority]
    b = b.sort_values(["measure", "year", "release"], kind="stable", na_position="first")
    b = b.drop_duplicates("measure", keep="last")
    out = b[SUMMARY_COLUMNS].rename(columns={"year": "benchmark_year",
                                             "release": "benchmark_release"}).copy()
    for col in NUMERIC:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    release = out["benchmark_release"].astype(object)
    out["benchmark_label"] = [
        None if y is None else (f"{y} ({r} release)" if r is not None and r == r and str(r) else y)
        for y, r in zip(out["benchmark_year"].map(_year_label), release)]
    return out[["measure"] + BENCHMARK_COLUMNS].reset_index(drop=True)


def attach_benchmarks(frame: pd.DataFrame, benchmark_summary: pd.DataFrame | None,
                      authority: str | None = None) -> pd.DataFrame:
    """``frame`` (one or more rows per measure) with ``BENCHMARK_COLUMNS`` joined on
    measure; NaN / None where a measure has no benchmark. The columns are always present,
    so a pack can render them whether or not benchmarks were supplied."""
    bench = latest_benchmarks(benchmark_summary, authority)
    out = frame.drop(columns=[c for c in BENCHMARK_COLUMNS if c in frame.columns])
    out = out.merge(bench, on="measure", how="left")
    for col in BENCHMARK_COLUMNS:
        if col not in NUMERIC:
            v = out[col].to_numpy(dtype=object)
            out[col] = pd.Series(np.where(pd.isna(v), None, v), index=out.index, dtype=object)
    return out
