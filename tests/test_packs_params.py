"""Bad input to the batch is refused before any notebook runs (packs.params, packs.batch)."""

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from csc_workbench import cli
from csc_workbench.errors import ConfigError
from csc_workbench.packs import batch
from csc_workbench.packs.params import load_config, resolve_notebooks
from packs_helpers import FIXTURE_NB, FIXTURES, make_warehouse


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return make_warehouse(tmp_path_factory.mktemp("wh") / "wh.duckdb")


@pytest.fixture
def no_running(monkeypatch):
    """Fail the test if anything tries to run a notebook."""
    def forbidden(*a, **k):
        raise AssertionError("a notebook was started")

    monkeypatch.setattr(batch, "_run_local", forbidden)
    monkeypatch.setattr(batch, "_run_dask", forbidden)
    monkeypatch.setattr(batch, "run_task", forbidden)


def _params(tmp_path, text):
    path = tmp_path / "batch.yaml"
    path.write_text(text)
    return path


def test_misspelt_notebook_parameter_is_rejected_before_running(tmp_path, warehouse, no_running):
    params = _params(tmp_path, "notebooks:\n  fixture_pack:\n    parameters:\n      autority: E1\n")
    with pytest.raises(ConfigError) as info:
        batch.run_batch("2025-06", "all", None, "shared", 2, outputs=tmp_path / "out", warehouse=warehouse,
                        params_file=params, notebook_dir=FIXTURES, progress=False)
    message = str(info.value)
    assert "'autority' is not a parameter of fixture_pack.ipynb" in message
    assert "did you mean 'authority'" in message and str(params) in message
    assert not (tmp_path / "out" / "2025-06").exists()


def test_parameters_cell_is_read_with_papermill():
    cfg = load_config(None)
    (spec,) = resolve_notebooks(cfg, [str(FIXTURE_NB)])
    assert set(spec.declared) == {"authority", "month", "audience", "warehouse"}
    assert spec.name == "fixture_pack" and spec.scope == "authority" and not spec.wants_output_dir


def test_params_file_may_not_set_what_the_batch_sets(tmp_path):
    params = _params(tmp_path, "notebooks:\n  fixture_pack:\n    parameters:\n      month: '2020-01'\n")
    with pytest.raises(ConfigError, match="set by the batch itself"):
        resolve_notebooks(load_config(params), None, FIXTURES)


def test_unknown_settings_are_named(tmp_path):
    with pytest.raises(ConfigError, match="unknown setting 'workres'.*did you mean 'workers'"):
        load_config(_params(tmp_path, "workres: 2\n"))
    with pytest.raises(ConfigError, match="notebooks.fixture_pack: unknown setting 'scop'"):
        load_config(_params(tmp_path, "notebooks:\n  fixture_pack:\n    scop: run\n"))
    with pytest.raises(ConfigError, match="scope must be one of"):
        load_config(_params(tmp_path, "notebooks:\n  fixture_pack:\n    scope: region\n"))


def test_notebook_must_declare_the_batch_parameters(tmp_path):
    nb = new_notebook(cells=[new_code_cell("authority = ''\nmonth = ''", metadata={"tags": ["parameters"]})],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, tmp_path / "thin.ipynb")
    with pytest.raises(ConfigError, match="must declare audience, warehouse"):
        resolve_notebooks(load_config(None), ["thin"], tmp_path)


def test_run_scoped_notebook_must_declare_authorities(tmp_path):
    params = _params(tmp_path, "notebooks:\n  fixture_pack:\n    scope: run\n")
    with pytest.raises(ConfigError, match="must declare authorities"):
        resolve_notebooks(load_config(params), None, FIXTURES)


def test_unknown_notebook_suggests_the_nearest(tmp_path):
    with pytest.raises(ConfigError, match="'fixture_pak' not found.*did you mean 'fixture_pack'"):
        resolve_notebooks(load_config(None), ["fixture_pak"], FIXTURES)


def test_unknown_authority_is_one_clear_error(tmp_path, warehouse, no_running):
    with pytest.raises(ConfigError, match=r"unknown authority E9: the warehouse wh.duckdb holds E1, E2, E3"):
        batch.run_batch("2025-06", "E1,E9", [str(FIXTURE_NB)], "shared", 1, outputs=tmp_path, warehouse=warehouse,
                        progress=False)


@pytest.mark.parametrize("month", ["2031-01", "2023-12"])
def test_month_without_data_is_one_clear_error(tmp_path, warehouse, month, no_running):
    with pytest.raises(ConfigError, match=f"no data for {month} .*E1 \\(2024-01 to 2025-06\\)"):
        batch.run_batch(month, "all", [str(FIXTURE_NB)], "shared", 1, outputs=tmp_path, warehouse=warehouse,
                        progress=False)


def test_retry_without_a_previous_run_is_refused(tmp_path, warehouse, no_running):
    with pytest.raises(ConfigError, match="no run manifest"):
        batch.run_batch("2025-06", retry_failed=True, outputs=tmp_path, warehouse=warehouse, progress=False)


def test_cli_prints_one_line_and_exits_2(tmp_path, warehouse, capsys, no_running):
    code = cli.main(["run", "--month", "2025-06", "--authorities", "E9", "--notebooks", str(FIXTURE_NB),
                     "--warehouse", str(warehouse), "--outputs", str(tmp_path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err == ["cscw: unknown authority E9: the warehouse wh.duckdb holds E1, E2, E3"]
    assert cli.main(["run", "--month", "June", "--notebooks", str(FIXTURE_NB), "--warehouse", str(warehouse),
                     "--outputs", str(tmp_path)]) == 2
    assert cli.main(["run", "--month", "2025-06", "--warehouse", str(tmp_path / "missing.duckdb"),
                     "--outputs", str(tmp_path)]) == 2
    assert "no warehouse at" in capsys.readouterr().err


def test_cli_exit_status_is_non_zero_when_a_pack_failed(tmp_path, monkeypatch, capsys):
    failed = batch.TaskResult(key="E2/x/shared", authority="E2", notebook="x", audience="shared", status="failed",
                              duration_s=1.0, parameters={}, template="x.ipynb", error="RuntimeError: boom",
                              error_file="failed/E2/x_shared.error.txt")
    fake = batch.BatchResult(month="2025-06", run_id="r", month_dir=tmp_path, results=[failed],
                             manifest_path=tmp_path / "m.json", index_path=tmp_path / "index.html")
    monkeypatch.setattr(batch, "run_batch", lambda *a, **k: fake)
    assert cli.main(["run", "--month", "2025-06"]) == 1
    out = capsys.readouterr()
    assert "0 pack(s) published, 1 failed" in out.out and "RuntimeError: boom" in out.err


def test_run_scoped_notebook_runs_once_with_the_authorities(tmp_path):
    nb = nbformat.read(FIXTURE_NB, as_version=4)
    nb.cells[0].source += "\nauthorities = []\noutput_dir = ''"
    nbformat.write(nb, tmp_path / "regional.ipynb")
    params = _params(tmp_path, "notebooks:\n  regional:\n    scope: run\n  fixture_pack: {}\n")
    specs = resolve_notebooks(load_config(params), ["regional", str(FIXTURE_NB)], tmp_path)
    assert [s.scope for s in specs] == ["run", "authority"] and specs[0].wants_output_dir
    tasks = batch.plan_tasks(specs, ["E1", "E3"], "shared", "2025-06", Path("/w.duckdb"), tmp_path / "2025-06",
                             tmp_path / "stage", 900)
    assert [t.key for t in tasks] == ["region/regional/shared", "E1/fixture_pack/shared", "E3/fixture_pack/shared"]
    region = tasks[0]
    assert region.parameters == {"authority": "", "month": "2025-06", "audience": "shared", "warehouse": "/w.duckdb",
                                 "authorities": ["E1", "E3"]}
    assert region.output_dir_param and not tasks[1].output_dir_param
    assert region.stem == "region_2025-06_regional_shared"
    assert tasks[1].publish_dir == str(tmp_path / "2025-06" / "E1")
