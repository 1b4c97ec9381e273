"""The marimo app: it passes ``marimo check``, runs headless (``app.run()``) on a synthetic
warehouse with the right definitions, and its click cells turn a chart selection into the
month or group shown."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from csc_workbench.explore import Selection, picked_values
from csc_workbench.explore.explorer import GROUP_PARAM, MONTH_PARAM
from explore_support import month_end, synthetic, warehouse

APP = Path(__file__).resolve().parents[1] / "notebooks" / "explore.py"


@pytest.fixture(scope="module")
def notebook():
    spec = importlib.util.spec_from_file_location("explore_app", APP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def run(notebook):
    mp = pytest.MonkeyPatch()
    mp.setenv("CSCW_WAREHOUSE", str(warehouse()))
    try:
        yield lambda **defs: notebook.app.run(defs=defs or None)
    finally:
        mp.undo()


def test_marimo_check_passes():
    marimo = Path(sys.executable).with_name("marimo")
    res = subprocess.run([str(marimo), "check", "--strict", str(APP)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr


def test_the_app_runs_headless(run):
    outputs, defs = run()
    assert defs["explorer"].warehouse == warehouse()
    sel = defs["sel"]
    assert (sel.authority, sel.measure, sel.month, sel.value) == ("Z001", "assessment_45wd_pct", "2025-03", "all")
    t = synthetic()[1]
    row = t[(t["authority"] == "Z001") & (t["measure"] == sel.measure) & (t["period_type"] == "month")
            & (t["breakdown"] == "all") & (t["period_end"] == month_end("2025-03"))].iloc[0]
    assert defs["records_view"].table["in_numerator"].sum() == row["numerator"]
    assert "the figure in the measures table" in defs["records_view"].note
    assert defs["trend_ui"].selections == {} and defs["clicked_month"] is None
    assert [p.name for p in defs["trend_ui"]._chart.params] == [MONTH_PARAM]
    assert defs["compare_view"].vega is None


def test_a_clicked_month_and_group_drive_the_app(run):
    # What the click cells set (mo.state): June 2024, team T02.
    _, defs = run(get_month=lambda: "2024-06", set_month=lambda v: None,
                  get_group=lambda: ("team", "T02"), set_group=lambda v: None)
    assert defs["sel"].month == "2024-06" and defs["sel"].group == ("team", "T02")
    assert defs["records_view"].title.endswith("June 2024 (team T02)")
    assert (defs["records_view"].table["team"] == "T02").all()
    assert defs["decompose_view"].table.columns[0] == "worker"


class _Chart:
    def __init__(self, selections):
        self.selections = selections


def test_the_click_cells_set_the_month_and_group(notebook):
    got = []
    sel = Selection("Z001", "assessment_45wd_pct", breakdown="team", month="2025-03", period_type="month")
    notebook.pick_month.run(MONTH_PARAM=MONTH_PARAM, picked_values=picked_values, sel=sel, set_month=got.append,
                            trend_ui=_Chart({MONTH_PARAM: {"month": ["2024-06"]}}))
    assert got == ["2024-06"]
    notebook.pick_month.run(MONTH_PARAM=MONTH_PARAM, picked_values=picked_values, sel=sel, set_month=got.append,
                            trend_ui=_Chart({}))
    assert got == ["2024-06"]  # nothing clicked: nothing set

    class Bars:
        meta = {"breakdown": "team"}

    notebook.pick_group.run(GROUP_PARAM=GROUP_PARAM, picked_values=picked_values, sel=sel, set_group=got.append,
                            bars_ui=_Chart({GROUP_PARAM: {"group": ["T04"]}}), bars_view=Bars())
    assert got[-1] == ("team", "T04")


def test_without_a_warehouse_the_app_says_so(notebook, monkeypatch, tmp_path):
    monkeypatch.setenv("CSCW_WAREHOUSE", str(tmp_path / "none.duckdb"))
    outputs, defs = notebook.app.run()
    assert defs["explorer"] is None
    assert "sel" not in defs and "records_view" not in defs  # nothing after the warehouse cell ran
    text = " ".join(str(getattr(o, "text", o)) for o in outputs if o is not None)
    assert "Cannot open the warehouse" in text and "cscw synth" in text
