"""``outputs/<month>/index.html``: one offline page linking every pack of the month with
its status, built from the run manifest (same stylesheet and marking rules as the packs).
"""

from __future__ import annotations

import datetime as dt
import html
from collections import defaultdict
from pathlib import Path

from .render import MARKINGS, atomic_write_text, month_label, pack_css

INDEX_NAME = "index.html"


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _size(n) -> str:
    return f"{n / 1e6:.1f} MB" if n else ""


def render_index(manifest: dict) -> str:
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
            if p["status"] == "ok":
                link = f'<a href="{_e(p["html"])}">{_e(name)}</a>'
                status = '<strong class="csc-ok">Ready</strong>'
            else:
                link = _e(name)
                status = (f'<strong class="csc-failed">Failed</strong> (not published): {_e(p.get("error"))}'
                          f' <a href="{_e(p.get("error_file"))}">error</a>')
            label = f"{names[authority]} ({authority})" if authority in names else authority
            head = f'<th scope="rowgroup" rowspan="{len(items)}">{_e(label)}</th>' if i == 0 else ""
            rows.append(f"<tr>{head}<td class=\"csc-text\">{link}</td><td class=\"csc-text\">{_e(p['audience'])}</td>"
                        f"<td class=\"csc-text\">{status}</td><td>{_size(p.get('bytes'))}</td>"
                        f"<td>{p.get('duration_s', 0):.1f} s</td></tr>")
    summary = (f"{len(packs) - len(failed)} of {len(packs)} packs ready"
               + (f"; {len(failed)} failed and not published." if failed else "."))
    finished = last.get("finished") or last.get("started")
    try:
        finished = dt.datetime.fromisoformat(finished).strftime("%d %B %Y at %H:%M")
    except (TypeError, ValueError):
        pass
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="referrer" content="no-referrer">
<title>Packs for {_e(month_label(month))} ({_e(marking)})</title>
<style>
{pack_css()}
.csc-failed {{ color: #d4351c; }}
.csc-ok {{ color: #00703c; }}
</style>
</head>
<body class="csc-pack csc-audience-{'internal' if internal else 'shared'}">
<div class="csc-marking csc-marking-top" role="note">{_e(marking)}</div>
<header class="csc-header">
<p class="csc-caption">Children's social care performance</p>
<h1>Packs for {_e(month_label(month))}</h1>
<p class="csc-meta">{_e(summary)} Last run finished {_e(finished)}.</p>
</header>
<main class="csc-main">
<table>
<caption>Packs by authority</caption>
<thead><tr><th scope="col">Authority</th><th scope="col">Pack</th><th scope="col">Audience</th>
<th scope="col">Status</th><th scope="col">Size</th><th scope="col">Run time</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
<p>Packs marked <em>internal</em> contain child-level or worker-level information: do not share them.
Details of each run (inputs' hashes, versions, timings) are in <a href="run_manifest.json">run_manifest.json</a>.</p>
</main>
<div class="csc-marking csc-marking-bottom" role="note">{_e(marking)}</div>
</body>
</html>
"""


def write_index(month_dir: Path, manifest: dict) -> Path:
    return atomic_write_text(Path(month_dir) / INDEX_NAME, render_index(manifest))
