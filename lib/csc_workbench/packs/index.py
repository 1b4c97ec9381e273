"""``outputs/<month>/index.html``: one offline page linking every pack of the month with
its status, built from the run manifest (same stylesheet and marking rules as the packs).
"""

from __future__ import annotations

import datetime as dt
import html
from collections import defaultdict
from pathlib import Path

from ..reference.report import ATTRIBUTION
from .render import MARKINGS, atomic_write_text, month_label, pack_css

INDEX_NAME = "index.html"


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _size(n) -> str:
    return f"{n / 1e6:.1f} MB" if n else ""


def _finished(last: dict) -> str:
    finished = last.get("finished") or last.get("started")
    try:
        return dt.datetime.fromisoformat(finished).strftime("%d %B %Y at %H:%M")
    except (TypeError, ValueError):
        return finished


def _page(title: str, marking: str, internal: bool, caption: str, meta: str, main: str) -> str:
    """The index page's shell: offline (nothing may load from elsewhere), marked top and
    bottom, the packs' stylesheet."""
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="referrer" content="no-referrer">
<title>{_e(title)} ({_e(marking)})</title>
<style>
{pack_css()}
.csc-failed {{ color: #d4351c; }}
.csc-ok {{ color: #00703c; }}
</style>
</head>
<body class="csc-pack csc-audience-{'internal' if internal else 'shared'}">
<div class="csc-marking csc-marking-top" role="note">{_e(marking)}</div>
<header class="csc-header">
<p class="csc-caption">{_e(caption)}</p>
<h1>{_e(title)}</h1>
<p class="csc-meta">{_e(meta)}</p>
</header>
<main class="csc-main">
{main}
</main>
<div class="csc-marking csc-marking-bottom" role="note">{_e(marking)}</div>
</body>
</html>
"""


def render_index(manifest: dict) -> str:
    if manifest.get("kind") == "published":
        return render_published_index(manifest)
    month = manifest["month"]
    packs = sorted(manifest["packs"].values(), key=lambda p: (p["authority"], p["notebook"], p["audience"]))
    failed = [p for p in packs if p["status"] != "ok"]
    # The index names failures and internal packs: only then is it itself internal.
    internal = bool(failed) or any(p["audience"] == "internal" for p in packs)
    marking = MARKINGS["internal" if internal else "shared"]
    runs = manifest.get("runs", [])
    last = runs[-1] if runs else {}
    groups: dict[str, list[dict]] = defaultdict(list)
    for p in packs:
        groups[p["authority"]].append(p)

    names: dict[str, str] = {}
    for r in runs:
        names.update(r.get("authority_names") or {})
    rows = []
    for authority, items in groups.items():
        for i, p in enumerate(items):
            name = p["notebook"].replace("_", " ").capitalize()
            link = f'<a href="{_e(p["html"])}">{_e(name)}</a>' if p["status"] == "ok" else _e(name)
            label = f"{names[authority]} ({authority})" if authority in names else authority
            head = f'<th scope="rowgroup" rowspan="{len(items)}">{_e(label)}</th>' if i == 0 else ""
            rows.append(f"<tr>{head}<td class=\"csc-text\">{link}</td><td class=\"csc-text\">{_e(p['audience'])}</td>"
                        f"<td class=\"csc-text\">{_status_cell(p)}</td><td>{_size(p.get('bytes'))}</td>"
                        f"<td>{p.get('duration_s', 0):.1f} s</td></tr>")
    summary = (f"{len(packs) - len(failed)} of {len(packs)} packs ready"
               + (f"; {len(failed)} failed and not published." if failed else "."))
    main = f"""<table>
<caption>Packs by authority</caption>
<thead><tr><th scope="col">Authority</th><th scope="col">Pack</th><th scope="col">Audience</th>
<th scope="col">Status</th><th scope="col">Size</th><th scope="col">Run time</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
<p>Packs marked <em>internal</em> contain child-level or worker-level information: do not share them.
Details of each run (inputs' hashes, versions, timings) are in <a href="run_manifest.json">run_manifest.json</a>.</p>"""
    return _page(f"Packs for {month_label(month)}", marking, internal, "Children's social care performance",
                 f"{summary} Last run finished {_finished(last)}.", main)


def _status_cell(p: dict) -> str:
    if p["status"] != "ok":
        return (f'<strong class="csc-failed">Failed</strong> (not published): {_e(p.get("error"))}'
                f' <a href="{_e(p.get("error_file"))}">error</a>')
    if p.get("browser") not in (None, "ok"):
        return f'<strong class="csc-failed">Browser check failed</strong>: {_e(p["browser"])}'
    checked = " (browser check passed)" if p.get("browser") == "ok" else ""
    return f'<strong class="csc-ok">Ready</strong>{checked}'


def _anchor(text: str) -> str:
    return "region-" + "-".join(str(text).lower().split())


def render_published_index(manifest: dict) -> str:
    """``outputs/published/<year>/index.html``: every authority's published-statistics pack,
    by region (DfE's regions; London as Inner and Outer London), with its status."""
    year = manifest.get("year") or manifest["month"]
    packs = list(manifest["packs"].values())
    failed = [p for p in packs if p["status"] != "ok" or p.get("browser") not in (None, "ok")]
    internal = any(p["audience"] == "internal" for p in packs)
    marking = MARKINGS["internal" if internal else "shared"]
    runs = manifest.get("runs", [])
    names: dict[str, str] = {}
    regions: dict[str, str] = {}
    for r in runs:
        names.update(r.get("authority_names") or {})
        regions.update(r.get("authority_regions") or {})
    by_region: dict[str, list[dict]] = defaultdict(list)
    for p in packs:
        by_region[regions.get(p["authority"], "Other")].append(p)
    sections = []
    for region in sorted(by_region):
        items = sorted(by_region[region], key=lambda p: (names.get(p["authority"], p["authority"]), p["audience"]))
        rows = []
        for p in items:
            label = f"{names.get(p['authority'], p['authority'])} ({p['authority']})"
            link = f'<a href="{_e(p["html"])}">{_e(label)}</a>' if p["status"] == "ok" else _e(label)
            rows.append(f'<tr><td class="csc-text">{link}</td><td class="csc-text">{_e(p["audience"])}</td>'
                        f'<td class="csc-text">{_status_cell(p)}</td><td>{_size(p.get("bytes"))}</td>'
                        f'<td>{p.get("duration_s", 0):.1f} s</td></tr>')
        sections.append(f"""<h2 id="{_e(_anchor(region))}">{_e(region)}</h2>
<table>
<caption>{_e(region)}: {len(items)} authorit{'y' if len(items) == 1 else 'ies'}</caption>
<thead><tr><th scope="col">Authority</th><th scope="col">Audience</th><th scope="col">Status</th>
<th scope="col">Size</th><th scope="col">Run time</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>""")
    last = runs[-1] if runs else {}
    release = {"latest": "DfE's latest figures", "first": "figures as first published"}.get(last.get("release"), "")
    summary = (f"{len(packs) - len(failed)} of {len(packs)} packs ready"
               + (f"; {len(failed)} failed or did not pass the browser check." if failed else "."))
    title = f"Published-statistics benchmarking packs, {int(year) - 1}-{str(year)[-2:]}"
    main = f"""<p>Regions: {" · ".join(f'<a href="#{_e(_anchor(r))}">{_e(r)}</a> ({len(by_region[r])})' for r in sorted(by_region))}</p>
{chr(10).join(sections)}
<p>Each pack compares one authority with its statistical neighbours, its region and England from DfE's
published statistics. Details of each run (inputs' hashes, versions, timings) are in
<a href="run_manifest.json">run_manifest.json</a>.</p>
<p>{_e(ATTRIBUTION)}</p>"""
    return _page(title, marking, internal, "Children's social care benchmarking",
                 f"{summary} {release}. Last run finished {_finished(last)}.", main)


def write_index(month_dir: Path, manifest: dict) -> Path:
    return atomic_write_text(Path(month_dir) / INDEX_NAME, render_index(manifest))
