"""Shared by the published-pack tests: one warehouse with DfE's reference tables per test
session, DfE's raw files read independently of the library (for hand checks), and the
Vega-Lite specs embedded in a rendered page."""

from __future__ import annotations

import atexit
import csv
import json
import re
import shutil
import statistics
import tempfile
from functools import lru_cache
from pathlib import Path

from csc_workbench.config import dfe_dir
from csc_workbench.reference import load_reference

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "published_benchmarks.ipynb"


@lru_cache(maxsize=1)
def reference_warehouse() -> Path:
    """A warehouse holding the reference tables loaded from ../shared/reference/dfe, built
    once per session (about 6 seconds)."""
    folder = Path(tempfile.mkdtemp(prefix="cscw-published-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "reference.duckdb"
    load_reference(dfe_dir(), path)
    return path


def raw_rows(name: str) -> list[dict]:
    """A DfE file's rows as plain text, straight from the CSV (no library code)."""
    with open(dfe_dir() / name, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def number(text: str) -> float | None:
    try:
        return float(str(text).replace(",", ""))
    except ValueError:
        return None


def hand_rank(values: dict[str, float], code: str, low_is_good: bool) -> tuple[int, int, int]:
    """rank (1 = best, ties share), number ranked, quartile (1 = best), computed here."""
    mine = values[code]
    ahead = sum(1 for v in values.values() if (v < mine if low_is_good else v > mine))
    p25, p50, p75 = statistics.quantiles(list(values.values()), n=4, method="inclusive")
    if low_is_good:
        quartile = 1 if mine <= p25 else 2 if mine <= p50 else 3 if mine <= p75 else 4
    else:
        quartile = 1 if mine >= p75 else 2 if mine >= p50 else 3 if mine >= p25 else 4
    return ahead + 1, len(values), quartile


def c1_rereferrals_2025() -> dict[str, float]:
    rows = raw_rows("c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv")
    return {r["old_la_code"]: number(r["rereferral_percent"]) for r in rows
            if r["time_period"] == "2025" and r["geographic_level"] == "Local authority"
            and number(r["rereferral_percent"]) is not None}


_SPEC = re.compile(r'\}\)\((\{"\$schema".*?\}), \{"renderer"', re.DOTALL)


def page_specs(html: str) -> list[dict]:
    """Every chart spec in a rendered page (altair's loader embeds each one as JSON)."""
    return [json.loads(m) for m in _SPEC.findall(html)]


def spec_for(html: str, label: str) -> dict:
    """The measure chart whose trend subtitle starts with ``label``."""
    for spec in page_specs(html):
        trend = spec["hconcat"][0]
        subtitle = trend["title"]["subtitle"]
        subtitle = " ".join(subtitle) if isinstance(subtitle, list) else subtitle
        if subtitle.startswith(label):
            return spec
    raise AssertionError(f"no chart for {label!r} in the page")


def table_rows(html: str) -> dict[str, list[str]]:
    """The summary table's rows: measure label -> the other cells' text (Good is, Year,
    authority, Stat. neighbours, region, England, Compared to middle 50%, Rank, Quartile,
    Release)."""
    body = html[html.index('<table class="csc-pub-summary">'):]
    body = body[:body.index("</table>")]
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.DOTALL)]
        if len(cells) > 2:
            rows[_unescape(cells[0])] = [_unescape(c) for c in cells[1:]]
    return rows


def header(html: str) -> list[str]:
    body = html[html.index('<table class="csc-pub-summary">'):]
    head = body[body.index("<thead>"):body.index("</thead>")]
    return [_unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<th[^>]*>(.*?)</th>", head)]


def _unescape(text: str) -> str:
    import html as h

    return h.unescape(text)
