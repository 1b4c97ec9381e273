"""The deep-dive notebooks run through the batch for a fictional authority: shared pages
hold no child ID, date of birth or worker name (the internal ones do, so the scan can
find them), every chart draws offline, and each page stays under the size limit."""

import os
import shutil

import nbformat
import pytest

from csc_workbench.model.warehouse import save_dataset
from csc_workbench.packs import batch
from csc_workbench.packs.browser import CHROMIUM, check_many
from csc_workbench.packs.leakscan import identifiers_from_warehouse, scan_outputs
from csc_workbench.packs.render import MAX_PACK_BYTES, TAG_INTERNAL
from csc_workbench.synth import generate

pytestmark = pytest.mark.slow

MONTH = "2025-06"
DEEP_DIVES = ["deep_dive_repeat_cp", "deep_dive_assessment_timeliness"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """Two fictional authorities, April 2023 to June 2025 (a couple of seconds)."""
    ds, _ = generate(n_authorities=2, start="2023-04", end=MONTH)
    path = tmp_path_factory.mktemp("deepdive") / "w.duckdb"
    save_dataset(ds, path)
    return path


@pytest.fixture(scope="module")
def authority(warehouse):
    return "Z002"  # the smaller of the two: quicker pages, same code paths


@pytest.fixture(scope="module")
def shared_run(warehouse, authority, tmp_path_factory):
    out = tmp_path_factory.mktemp("shared_out")
    result = batch.run_batch(MONTH, [authority], [*DEEP_DIVES, "regional_comparison"], "shared", 1, outputs=out,
                             warehouse=warehouse, progress=False)
    assert not result.failed, [(r.key, r.error) for r in result.failed]
    return result


@pytest.fixture(scope="module")
def internal_run(warehouse, authority, tmp_path_factory):
    out = tmp_path_factory.mktemp("internal_out")
    result = batch.run_batch(MONTH, [authority], DEEP_DIVES, "internal", 1, outputs=out, warehouse=warehouse,
                             progress=False)
    assert not result.failed, [(r.key, r.error) for r in result.failed]
    return result


def _files(result):
    return [result.month_dir / p for r in result.ok for p in (r.html, r.ipynb)]


def test_shared_pages_hold_no_personal_identifiers(shared_run, warehouse, authority):
    ids = identifiers_from_warehouse(warehouse)  # both authorities: the regional page covers the run
    hits = scan_outputs(_files(shared_run), ids)
    assert not hits, "\n".join(map(str, hits[:10]))


def test_internal_pages_do_show_children_and_workers(internal_run, warehouse, authority):
    """The same scan finds the cohort list, the open assessments and the worker tables."""
    ids = identifiers_from_warehouse(warehouse, [authority])
    hits = scan_outputs([internal_run.month_dir / r.html for r in internal_run.ok], ids)
    kinds = {h.kind for h in hits}
    found = {h.value for h in hits}
    assert "identifier" in kinds and len(found) > 20
    by_page = {r.notebook: {h.value for h in hits if h.path.name == os.path.basename(r.html)}
               for r in internal_run.ok}
    assert all(by_page.values()), by_page


def test_shared_pages_leave_out_internal_sections(shared_run):
    for r in shared_run.ok:
        nb = nbformat.read(shared_run.month_dir / r.ipynb, as_version=4)
        for cell in nb.cells:
            if TAG_INTERNAL in cell.metadata.get("tags", []) and cell.cell_type == "code":
                assert not cell.get("outputs"), (r.notebook, cell.source)
        html = (shared_run.month_dir / r.html).read_text()
        assert "By worker" not in html and "Workers:" not in html


def test_pages_render_with_their_charts_and_stay_small(shared_run, internal_run):
    charts = {("deep_dive_repeat_cp", "shared"): 4, ("deep_dive_assessment_timeliness", "shared"): 6,
              ("regional_comparison", "shared"): 6, ("deep_dive_repeat_cp", "internal"): 4,
              ("deep_dive_assessment_timeliness", "internal"): 6}
    for r in shared_run.ok + internal_run.ok:
        assert r.charts == charts[(r.notebook, r.audience)], (r.notebook, r.charts)
        assert r.bytes < MAX_PACK_BYTES
        assert r.warnings == 0, f"{r.notebook} wrote warnings to stderr"
    html = (shared_run.month_dir / next(r.html for r in shared_run.ok if r.notebook == "deep_dive_repeat_cp")).read_text()
    assert "What this deep dive is for" in html and "Repeat plans" in html
    internal = (internal_run.month_dir / next(r.html for r in internal_run.ok
                                              if r.notebook == "deep_dive_repeat_cp")).read_text()
    assert "The children (internal only)" in internal and "Previous plan end" in internal


def test_regional_page_names_every_authority_of_the_run(shared_run):
    r = next(r for r in shared_run.ok if r.notebook == "regional_comparison")
    assert r.authority == batch.REGION
    html = (shared_run.month_dir / r.html).read_text()
    assert "Wyvernshire" in html and "pooled from the fictional authorities" in html


def test_pages_draw_offline(shared_run, internal_run):
    if not (shutil.which(CHROMIUM) or os.path.exists(CHROMIUM)):
        if os.environ.get("CSCW_SKIP_BROWSER") == "1":
            pytest.skip("CSCW_SKIP_BROWSER=1")
        pytest.fail(f"Chromium not found at {CHROMIUM} (CSCW_SKIP_BROWSER=1 to skip)")
    pages = [shared_run.month_dir / r.html for r in shared_run.ok]
    pages += [internal_run.month_dir / r.html for r in internal_run.ok]
    for check in check_many(pages):
        assert check.ok, str(check)
        assert check.charts == check.drawn and check.charts > 0
