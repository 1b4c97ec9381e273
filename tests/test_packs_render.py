"""Rendering a notebook to one offline HTML page (packs.render)."""

import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from csc_workbench.packs import render
from csc_workbench.packs.render import (
    MAX_PACK_BYTES, NotebookFailed, PackRejected, atomic_write_bytes, execute_notebook, export_html,
)
from packs_helpers import FIXTURE_NB, child_ids, make_warehouse

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The fixture notebook run once for each audience (internal reads the warehouse)."""
    root = tmp_path_factory.mktemp("render")
    wh = make_warehouse(root / "wh.duckdb")
    out = {}
    for audience in ("shared", "internal"):
        ipynb = root / f"E1_{audience}.ipynb"
        execute_notebook(FIXTURE_NB, ipynb, {"authority": "E1", "month": "2025-06", "audience": audience,
                                             "warehouse": str(wh)})
        pack = export_html(ipynb, root / f"E1_{audience}.html", audience)
        out[audience] = (pack, pack.path.read_text(encoding="utf-8"), ipynb)
    return out


def test_pack_is_one_self_contained_page(rendered):
    pack, html, _ = rendered["shared"]
    assert pack.bytes == len(html.encode()) < MAX_PACK_BYTES
    assert pack.charts == 2 and html.count("vegaEmbed(outputDiv") == 2
    # The Vega libraries are inlined exactly once, whatever the number of charts.
    assert html.count("window.vegaEmbed=") == 1
    lowered = html.lower()
    for absent in ("require.js", "require.min.js", "mathjax", "mermaid", "cdn.jsdelivr", "unpkg.com"):
        assert absent not in lowered, absent
    # No script, stylesheet, image or frame is loaded from anywhere (script bodies aside:
    # the inlined libraries mention tags in their own strings).
    markup = re.sub(r"<script\b[^>]*>.*?</script>", "<script></script>", html, flags=re.S | re.I)
    assert not re.search(r"<(script|link|img|iframe|object|embed)\b[^>]*\b(src|href|data)\s*=", markup, re.I)
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", markup, re.I)
    assert "default-src 'none'" in html  # the page itself forbids network requests


def test_code_is_hidden_and_outputs_shown(rendered):
    _, html, _ = rendered["shared"]
    assert "setup_altair()" not in html and "trend_chart(" not in html
    assert "planted failure" not in html  # the set-up cell (tagged remove-cell) is gone
    assert "Re-referrals in E1 stayed within the usual range" in html  # chart title
    assert "<h2" in html and "Front door" in html
    assert re.search(r"<td>\s*52\s*</td>", html)  # the team table


def test_title_and_marking_follow_the_audience(rendered):
    _, shared, _ = rendered["shared"]
    _, internal, _ = rendered["internal"]
    assert "<title>Fixture pack: E1, June 2025 (OFFICIAL)</title>" in shared
    assert shared.count(">OFFICIAL<") == 2  # top and bottom of the page
    assert "OFFICIAL-SENSITIVE" not in shared
    assert internal.count(">OFFICIAL-SENSITIVE (internal)<") == 2
    # The internal-only section is absent from the shared page, present internally.
    assert "Children (internal only)" not in shared
    assert "Children (internal only)" in internal
    assert all(cid not in shared for cid in child_ids("E1"))
    assert all(cid in internal for cid in child_ids("E1"))


def _executed(tmp_path, cells, name="nb.ipynb"):
    nb = new_notebook(cells=cells, metadata={"papermill": {"parameters": {"authority": "E9", "month": "2025-01"}}})
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def test_shared_pack_rejected_if_an_internal_cell_produced_output(tmp_path):
    cell = new_code_cell("show_children()", metadata={"tags": ["internal-only"]},
                         outputs=[new_output("stream", name="stdout", text="child 123\n")])
    path = _executed(tmp_path, [new_markdown_cell("## A"), cell])
    with pytest.raises(PackRejected, match="internal-only"):
        export_html(path, tmp_path / "out.html", "shared")
    assert not (tmp_path / "out.html").exists()
    # The same notebook is fine for the internal audience.
    assert export_html(path, tmp_path / "out.html", "internal").bytes > 0


def test_pack_over_the_size_limit_is_not_written(tmp_path, monkeypatch):
    path = _executed(tmp_path, [new_markdown_cell("## Big\n\n" + "x" * 5000)])
    monkeypatch.setattr(render, "MAX_PACK_BYTES", 4000)
    with pytest.raises(PackRejected, match="limit"):
        export_html(path, tmp_path / "big.html", "shared")
    assert not (tmp_path / "big.html").exists()


def test_stderr_is_kept_out_of_the_page_but_counted(tmp_path):
    cell = new_code_cell("x", outputs=[new_output("stream", name="stderr", text="FutureWarning: noisy\n"),
                                       new_output("stream", name="stdout", text="kept\n")])
    pack = export_html(_executed(tmp_path, [cell]), tmp_path / "w.html", "shared")
    html = pack.path.read_text()
    assert pack.warnings == 1 and "noisy" not in html and "kept" in html
    assert pack.charts == 0 and "window.vegaEmbed=" not in html  # no charts: no bundle


def test_title_fields_learnt_by_the_notebook_come_from_output_metadata(tmp_path):
    """A notebook tells the page its authority's name through an output's metadata (IPython
    files it under the MIME type)."""
    cell = new_code_cell("summary", outputs=[new_output(
        "display_data", data={"text/html": "<p>hi</p>"},
        metadata={"text/html": {"csc": {"fields": {"authority_name": "Northby (E9)"}}}})])
    path = _executed(tmp_path, [cell])
    nb = nbformat.read(path, as_version=4)
    nb.metadata["csc"] = {"title": "Pack: {authority_name}, {month_label}"}
    nbformat.write(nb, path)
    html = export_html(path, tmp_path / "t.html", "shared").path.read_text()
    assert "<h1>Pack: Northby (E9), January 2025</h1>" in html
    # Without it, the name falls back to the authority code.
    nb.cells = []
    nbformat.write(nb, path)
    assert "<h1>Pack: E9, January 2025</h1>" in export_html(path, tmp_path / "u.html", "shared").path.read_text()


def test_atomic_write_failure_keeps_the_old_file_and_no_debris(tmp_path, monkeypatch):
    target = tmp_path / "pack.html"
    target.write_text("old complete pack")

    def crash(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, b"new pack, half written")
    assert target.read_text() == "old complete pack"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack.html"]


def test_killed_while_running_leaves_nothing_at_the_final_path(tmp_path):
    """SIGKILL the process mid-notebook: the final path never holds a partial notebook."""
    nb = new_notebook(cells=[new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
                             new_code_cell("import time\ntime.sleep(60)")],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    template = tmp_path / "slow.ipynb"
    nbformat.write(nb, template)
    final = tmp_path / "out" / "slow_run.ipynb"
    script = textwrap.dedent(f"""
        from pathlib import Path
        from csc_workbench.packs.render import execute_notebook
        execute_notebook(Path({str(template)!r}), Path({str(final)!r}), {{"x": 2}})
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], env=os.environ.copy())
    try:
        deadline = time.time() + 60
        while not list(final.parent.glob(".slow_run.*.tmp.ipynb")) and time.time() < deadline:
            time.sleep(0.1)
        assert list(final.parent.glob(".slow_run.*.tmp.ipynb")), "execution never started"
        time.sleep(1.0)
        helpers = psutil.Process(proc.pid).children(recursive=True)  # fork server, kernel
        assert helpers
        proc.kill()
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not final.exists()
    # The kernel and the fork server do not outlive the killed process.
    _, alive = psutil.wait_procs(helpers, timeout=15)
    assert not alive, f"left running: {alive}"
    # Whatever is left is hidden (dot-file) staging, never the name a reader opens.
    assert all(p.name.startswith(".") for p in final.parent.iterdir())


def test_failing_notebook_is_written_and_raises_with_the_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CSCW_FIXTURE_FAIL", "E7")
    out = tmp_path / "failed.ipynb"
    with pytest.raises(NotebookFailed) as info:
        execute_notebook(FIXTURE_NB, out, {"authority": "E7", "month": "2025-06"})
    assert "RuntimeError: planted failure for E7" in info.value.error
    assert info.value.notebook == out and out.exists()
    nb = nbformat.read(out, as_version=4)
    assert any(o.get("ename") == "RuntimeError" for c in nb.cells for o in c.get("outputs", []))


def test_month_label():
    assert render.month_label("2025-06") == "June 2025"
    assert render.month_label("not a month") == "not a month"
