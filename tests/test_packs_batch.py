"""The batch (packs.batch): parallel runs, failures kept apart, retry, manifest, index,
Dask, and the leak scan over real outputs."""

import json
import re

import pytest

from csc_workbench.packs import batch
from csc_workbench.packs.leakscan import identifiers_from_warehouse, scan_outputs
from csc_workbench.packs.manifest import sha256_file
from csc_workbench.packs.render import execute_notebook, export_html
from packs_helpers import FIXTURE_NB, FIXTURES, child_ids, make_warehouse

pytestmark = pytest.mark.slow
MONTH = "2025-06"


@pytest.fixture(scope="module", autouse=True)
def no_params_file(tmp_path_factory):
    """Runs here take their notebooks from the arguments, not the repository's params."""
    mp = pytest.MonkeyPatch()
    mp.setenv("CSCW_PARAMS", str(tmp_path_factory.mktemp("params")))
    yield
    mp.undo()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return make_warehouse(tmp_path_factory.mktemp("wh") / "wh.duckdb")


@pytest.fixture(scope="module")
def first_run(tmp_path_factory, warehouse, no_params_file):
    """Three authorities on two worker processes; E2's notebook fails."""
    mp = pytest.MonkeyPatch()
    mp.setenv("CSCW_FIXTURE_FAIL", "E2")
    outputs = tmp_path_factory.mktemp("outputs")
    try:
        result = batch.run_batch(MONTH, "all", ["fixture_pack"], "shared", 2, outputs=outputs, warehouse=warehouse,
                                 notebook_dir=FIXTURES, progress=False)
    finally:
        mp.undo()
    return outputs, result


def test_one_failure_does_not_stop_the_others(first_run):
    outputs, result = first_run
    month_dir = outputs / MONTH
    assert result.exit_code == 1
    assert [(r.authority, r.status) for r in result.results] == [("E1", "ok"), ("E2", "failed"), ("E3", "ok")]
    for code in ("E1", "E3"):
        page = month_dir / code / f"{code}_{MONTH}_fixture_pack_shared.html"
        assert page.exists() and page.read_text().rstrip().endswith("</html>")
        assert (month_dir / code / f"{code}_{MONTH}_fixture_pack_shared.ipynb").exists()
    # The failure is kept apart with its error, and nothing of it is published.
    failed = month_dir / "failed" / "E2"
    assert "RuntimeError: planted failure for E2" in (failed / "fixture_pack_shared.error.txt").read_text()
    assert (failed / "fixture_pack_shared.ipynb").exists()
    assert not (month_dir / "E2").exists()
    assert not (month_dir / ".staging").exists()
    assert len({r.worker for r in result.results}) == 2  # both workers took part


def test_measures_are_made_current_before_any_notebook_runs(first_run, warehouse):
    """Notebooks only read the warehouse; the batch computes stale measures first (one writer)."""
    from csc_workbench.measures.store import CACHE_TABLE, cache_key
    from csc_workbench.model.warehouse import connect

    with connect(warehouse, read_only=True) as con:
        stored = dict(con.execute(f"SELECT authority, cache_key FROM {CACHE_TABLE}").fetchall())
        assert stored == {code: cache_key(con, code) for code in ("E1", "E2", "E3")}


def test_manifest_records_inputs_versions_and_outcomes(first_run, warehouse):
    outputs, result = first_run
    manifest = json.loads((outputs / MONTH / "run_manifest.json").read_text())
    (run,) = manifest["runs"]
    assert run["run_id"] == result.run_id and run["month"] == MONTH and run["executor"] == "process-pool:2"
    assert run["warehouse_sha256"] == sha256_file(warehouse)
    assert run["inputs"] == {str(FIXTURE_NB): sha256_file(FIXTURE_NB)}
    assert {"python", "pandas", "papermill", "altair", "csc_workbench"} <= set(run["versions"])
    assert run["outcome"] == {"ok": 2, "failed": 1}
    packs = manifest["packs"]
    assert set(packs) == {"E1/fixture_pack/shared", "E2/fixture_pack/shared", "E3/fixture_pack/shared"}
    e1 = packs["E1/fixture_pack/shared"]
    assert e1["status"] == "ok" and e1["duration_s"] > 0 and e1["charts"] == 2
    assert e1["parameters"] == {"authority": "E1", "month": MONTH, "audience": "shared", "warehouse": str(warehouse)}
    assert e1["sha256"] == sha256_file(outputs / MONTH / e1["html"])
    assert packs["E2/fixture_pack/shared"]["error"] == "RuntimeError: planted failure for E2"


def test_index_links_every_pack_with_its_status(first_run):
    outputs, _ = first_run
    index = (outputs / MONTH / "index.html").read_text()
    assert f'href="E1/E1_{MONTH}_fixture_pack_shared.html"' in index
    assert f'href="E3/E3_{MONTH}_fixture_pack_shared.html"' in index
    e2_row = re.search(r"<tr><th[^>]*>Fictional E2 \(E2\)</th>.*?</tr>", index, re.S).group(0)
    assert "fixture_pack_shared.html" not in e2_row and "Failed" in e2_row
    assert "2 of 3 packs ready; 1 failed and not published." in index
    assert "OFFICIAL-SENSITIVE (internal)" in index  # it names a failure
    assert not re.search(r"(https?:)?//", index)  # offline: no address anywhere


def test_shared_outputs_hold_no_identifier(first_run, warehouse):
    """Every output file of the shared run (pages, executed notebooks, failures too)."""
    outputs, _ = first_run
    identifiers = identifiers_from_warehouse(warehouse)
    assert scan_outputs([outputs / MONTH], identifiers) == []


def test_the_scan_finds_identifiers_in_real_internal_outputs(tmp_path, warehouse):
    """The same scan on an internal pack (which lists children) must find them, or the
    zero above proves nothing."""
    ipynb = tmp_path / "E1_internal.ipynb"
    execute_notebook(FIXTURE_NB, ipynb, {"authority": "E1", "month": MONTH, "audience": "internal",
                                         "warehouse": str(warehouse)})
    export_html(ipynb, tmp_path / "E1_internal.html", "internal")
    hits = scan_outputs([tmp_path], identifiers_from_warehouse(warehouse, ["E1"]))
    found = {(h.path.suffix, h.value) for h in hits}
    for suffix in (".html", ".ipynb"):
        assert {(suffix, cid) for cid in child_ids("E1")} <= found
        assert (suffix, "2015-03-14") in found


def test_retry_failed_reruns_only_the_failures(first_run, warehouse):
    outputs, first = first_run
    month_dir = outputs / MONTH
    e1_page = month_dir / "E1" / f"E1_{MONTH}_fixture_pack_shared.html"
    e1_before = e1_page.stat().st_mtime_ns
    result = batch.run_batch(MONTH, retry_failed=True, outputs=outputs, warehouse=warehouse, workers=2,
                             notebook_dir=FIXTURES, progress=False)
    assert [(r.key, r.status) for r in result.results] == [("E2/fixture_pack/shared", "ok")]
    assert result.exit_code == 0
    assert (month_dir / "E2" / f"E2_{MONTH}_fixture_pack_shared.html").exists()
    assert not (month_dir / "failed" / "E2" / "fixture_pack_shared.error.txt").exists()
    assert e1_page.stat().st_mtime_ns == e1_before  # E1 was not run again
    manifest = json.loads((month_dir / "run_manifest.json").read_text())
    assert [r["run_id"] for r in manifest["runs"]] == [first.run_id, result.run_id]
    assert manifest["runs"][1]["retry_failed"] is True and manifest["runs"][1]["outcome"] == {"ok": 1, "failed": 0}
    assert manifest["packs"]["E1/fixture_pack/shared"]["run_id"] == first.run_id
    assert manifest["packs"]["E2/fixture_pack/shared"]["run_id"] == result.run_id
    index = (month_dir / "index.html").read_text()
    assert "3 of 3 packs ready" in index and "Failed" not in index
    # Nothing left to retry: a retry is then an empty, successful run.
    again = batch.run_batch(MONTH, retry_failed=True, outputs=outputs, warehouse=warehouse, notebook_dir=FIXTURES,
                            progress=False)
    assert again.results == [] and again.exit_code == 0


def test_dask_local_cluster(tmp_path, warehouse):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        result = batch.run_batch(MONTH, "E1,E3", [str(FIXTURE_NB)], "shared", dask_address=cluster.scheduler_address,
                                 outputs=tmp_path, warehouse=warehouse, progress=False)
    assert [(r.authority, r.status) for r in result.results] == [("E1", "ok"), ("E3", "ok")]
    manifest = json.loads((tmp_path / MONTH / "run_manifest.json").read_text())
    assert manifest["runs"][0]["executor"] == f"dask:{cluster.scheduler_address}"
    assert (tmp_path / MONTH / "E3" / f"E3_{MONTH}_fixture_pack_shared.html").exists()


def test_extra_files_are_published_only_with_a_successful_notebook(tmp_path, warehouse):
    from nbformat.v4 import new_code_cell, new_notebook
    import nbformat

    from csc_workbench.packs.params import load_config, resolve_notebooks

    nb = new_notebook(cells=[
        new_code_cell("authority = ''\nmonth = ''\naudience = ''\nwarehouse = ''\noutput_dir = ''",
                      metadata={"tags": ["parameters"]}),
        new_code_cell("from pathlib import Path\n"
                      "Path(output_dir, f'{authority}_scorecard_{audience}.xlsx').write_bytes(b'PK fake workbook')\n"
                      "assert authority != 'E2', 'planted failure after writing a file'\n"
                      "print('done')")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, tmp_path / "writer.ipynb")
    (spec,) = resolve_notebooks(load_config(None), ["writer"], tmp_path)
    month_dir = tmp_path / "out" / MONTH
    tasks = batch.plan_tasks([spec], ["E1", "E2"], "shared", MONTH, warehouse, month_dir, month_dir / ".staging", 60)
    ok, failed = [batch.run_task(t) for t in tasks]
    assert ok.status == "ok" and ok.extra_files == ["E1/E1_scorecard_shared.xlsx"]
    assert (month_dir / "E1" / "E1_scorecard_shared.xlsx").read_bytes() == b"PK fake workbook"
    assert failed.status == "failed" and "planted failure after writing a file" in failed.error
    assert not list(month_dir.rglob("E2_scorecard_shared.xlsx"))  # never published
    assert not (month_dir / ".staging").exists() or not any((month_dir / ".staging").iterdir())
