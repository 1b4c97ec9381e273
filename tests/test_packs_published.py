"""The published-statistics pack rendered: the notebook for Sefton (343) and the batch
(`cscw run --published`), checked in the HTML a reader gets: figures DfE publishes,
suppression, hand-checked rank and quartile, authority resolution, the index, the
offline browser check, and one clear error for an unknown authority."""

import json
import re

import pytest

from csc_workbench.cli import main
from csc_workbench.packs import batch
from csc_workbench.packs.render import execute_notebook, export_html
from published_helpers import (
    NOTEBOOK, c1_rereferrals_2025, hand_rank, header, raw_rows, reference_warehouse, spec_for, table_rows,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wh():
    return reference_warehouse()


@pytest.fixture(scope="module")
def sefton_page(wh, tmp_path_factory):
    """Sefton's pack, latest figures (2024-25), rendered straight from the notebook."""
    out = tmp_path_factory.mktemp("sefton")
    params = {"authority": "343", "authority_name": "Sefton", "audience": "shared", "warehouse": str(wh),
              "month": ""}
    execute_notebook(NOTEBOOK, out / "p.ipynb", params, cwd=NOTEBOOK.parent)
    export_html(out / "p.ipynb", out / "p.html", "shared")
    return (out / "p.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def first_published_run(wh, tmp_path_factory):
    """The batch for Sefton given by its new code, 2023-24 as first published, with the
    browser check."""
    outputs = tmp_path_factory.mktemp("outputs")
    mp = pytest.MonkeyPatch()
    mp.setenv("CSCW_PARAMS", str(tmp_path_factory.mktemp("params")))  # no repository params file
    try:
        code = main(["run", "--published", "--authorities", "E08000014", "--year", "2024", "--release", "first",
                     "--warehouse", str(wh), "--outputs", str(outputs), "--workers", "1", "--browser-check"])
    finally:
        mp.undo()
    return code, outputs / "published" / "2024"


def test_sefton_page_shows_dfe_figures(sefton_page):
    rows = table_rows(sefton_page)
    assert header(sefton_page)[:7] == ["Measure", "Good is", "Year", "Sefton", "Stat. neighbours", "North West",
                                       "England"]
    icpc = rows["Initial conferences within 15 working days of the section 47 start"]
    assert icpc[1] == "2024-25" and icpc[5] == "81.4%"
    assert rows["Plans for a second or subsequent time"][5] == "24.5%"
    assert "<h1>How Sefton compares: DfE published statistics</h1>" in sefton_page
    assert "Contains public sector information licensed under the Open Government Licence v3.0. " \
           "Source: DfE / ONS." in sefton_page


def test_sefton_page_latest_release_values_in_the_chart(sefton_page):
    """2023-24's rate as DfE's latest release revised it (LAIT prints the same), with its release."""
    lait = next(r["value"] for r in raw_rows("lait_csc_indicators_long_2016_2025.csv")
                if r["measure_short"] == "CPP_rate" and r["years"] == "2024" and r["la_number"] == "343")
    spec = spec_for(sefton_page, "Children on a child protection plan per 10,000 children")
    point = next(d for d in spec["hconcat"][0]["data"]["values"] if d["line"] == "Sefton" and d["year"] == "2023-24")
    assert point["value"] == float(lait) == 51.3 and point["release"] == "CIN 2025 release"


def test_sefton_page_suppressed_value_is_c(sefton_page):
    row = table_rows(sefton_page)["Plans open at 31 March for 2 years or more"]
    assert row[2] == "c" and row[6:9] == ["", "", ""]  # no mid-50% position, not ranked, no quartile
    assert 'title="suppressed by DfE' in sefton_page


def test_sefton_page_rank_and_quartile_match_a_hand_check(sefton_page):
    rank, n, quartile = hand_rank(c1_rereferrals_2025(), "343", low_is_good=True)
    row = table_rows(sefton_page)["Re-referrals within 12 months"]
    assert row[7] == f"{rank} of {n}" and row[8].startswith(f"Q{quartile}")
    assert row[5] == "22.6%" and row[9] == "CIN 2025 release"


def test_sefton_page_reads_cleanly(sefton_page):
    text = re.sub(r"<script.*?</script>", "", sefton_page, flags=re.DOTALL)
    text = re.sub(r"<style.*?</style>", "", text, flags=re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", text)
    for raw in ("NaN", " nan", "None", "la_value", "sn_average", "mid50", "rereferral_pct", "Traceback"):
        assert raw not in text, raw
    assert text.count("worth a visit") >= 3  # the narrative names neighbours doing markedly better
    assert len(re.findall(r'id="altair-viz-', sefton_page)) == 38  # one chart per measure


def test_batch_resolves_new_code_and_shows_first_published_figures(first_published_run):
    code, year_dir = first_published_run
    assert code == 0
    page = year_dir / "343" / "343_2024_published_benchmarks_shared.html"
    html = page.read_text(encoding="utf-8")
    rows = table_rows(html)
    cpp = rows["Children on a child protection plan per 10,000 children"]
    assert cpp[1] == "2023-24" and cpp[2] == "51.5" and cpp[9] == "CIN 2024 release"
    assert rows["Referrals per 10,000 children"][5] == "518.3"
    assert "as first published" in html


def test_batch_manifest_browser_check_and_index(first_published_run, wh):
    _, year_dir = first_published_run
    manifest = json.loads((year_dir / "run_manifest.json").read_text())
    assert manifest["kind"] == "published" and manifest["year"] == 2024
    pack = manifest["packs"]["343/published_benchmarks/shared"]
    assert pack["status"] == "ok" and pack["browser"] == "ok" and pack["charts"] == 38
    assert pack["parameters"] == {"authority": "343", "month": "", "audience": "shared", "warehouse": str(wh),
                                  "year": 2024, "release": "first", "authority_name": "Sefton"}
    run = manifest["runs"][-1]
    assert run["authority_regions"] == {"343": "North West"} and run["outcome"]["browser_failed"] == 0
    index = (year_dir / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="region-north-west">North West</h2>' in index
    assert '<a href="343/343_2024_published_benchmarks_shared.html">Sefton (343)</a>' in index
    assert "Ready</strong> (browser check passed)" in index and "2023-24" in index


def test_authorities_resolve_by_code_new_code_or_name(wh):
    codes, names, regions = batch.check_published_authorities(wh, "343,E08000014,Sefton")
    assert codes == ["343"] and names == {"343": "Sefton"} and regions == {"343": "North West"}
    assert len(batch.check_published_authorities(wh, "all")[0]) == 153


def test_unknown_authority_is_one_clear_message(wh, tmp_path, capsys):
    code = main(["run", "--published", "--authorities", "343,Narnia", "--warehouse", str(wh),
                 "--outputs", str(tmp_path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert err[0].startswith("cscw: unknown authority 'Narnia'")
    assert not (tmp_path / "published").exists()  # nothing ran


def test_published_options_are_checked(wh, tmp_path, capsys):
    assert main(["run", "--published", "--month", "2025-06", "--warehouse", str(wh),
                 "--outputs", str(tmp_path)]) == 2
    assert "not --month" in capsys.readouterr().err
    assert main(["run", "--published", "--year", "2031", "--warehouse", str(wh), "--outputs", str(tmp_path)]) == 2
    assert "--year 2031" in capsys.readouterr().err
    assert main(["run", "--warehouse", str(wh), "--outputs", str(tmp_path)]) == 2
    assert "give --month" in capsys.readouterr().err


def test_browser_check_reports_a_broken_page(tmp_path):
    """The check is real: a page whose script fails is reported, not passed."""
    page = tmp_path / "a" / "broken.html"
    page.parent.mkdir()
    page.write_text("<!DOCTYPE html><html><body><div id=\"altair-viz-x\"></div>"
                    "<script>throw new Error('planted');</script></body></html>")
    result = batch.TaskResult(key="a/broken/shared", authority="a", notebook="broken", audience="shared",
                              status="ok", duration_s=0.0, parameters={}, template="", html="a/broken.html")
    batch._browser_check([result], tmp_path)
    assert "1 of 1 charts did not draw" in result.browser and "planted" in result.browser
