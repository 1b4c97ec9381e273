"""notebooks/monthly_pack.ipynb end to end through the batch, for both audiences, on the
small synthetic region: what is published, what the page says, that a shared pack leaks no
child ID, date of birth or worker name (and that an internal one does hold them, so the scan
can find them), and that the page works in a browser with the network cut off."""

import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from csc_workbench.config import params_dir
from csc_workbench.packs import batch
from csc_workbench.packs.leakscan import identifiers_from_warehouse, scan_outputs
from csc_workbench.packs.render import MAX_PACK_BYTES
from csc_workbench.presentation.scorecard_table import columns
from monthly_pack_helpers import AUTHORITIES, MONTH, small_region

pytestmark = pytest.mark.slow

COMMENTARY = ("Referrals **rose** after the schools returned.\n\n"
              "<script>document.title = 'hacked'</script>\n\n<img src=x onerror=alert(1)>\n")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """One batch per audience (both authorities, two workers), with commentary for Z001 that
    tries to inject a script."""
    root = tmp_path_factory.mktemp("monthly_pack")
    params = root / "params"
    shutil.copytree(params_dir(), params)
    (params / "commentary" / "Z001").mkdir(parents=True, exist_ok=True)
    (params / "commentary" / "Z001" / f"{MONTH}.md").write_text(COMMENTARY, encoding="utf-8")
    warehouse = small_region()
    out = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CSCW_PARAMS", str(params))  # the workers (spawned) inherit it
        for audience in ("shared", "internal"):
            result = batch.run_batch(MONTH, ",".join(AUTHORITIES), ["monthly_pack"], audience, 2,
                                     outputs=root / audience, warehouse=warehouse, progress=False)
            assert result.exit_code == 0, [(r.key, r.error) for r in result.failed]
            out[audience] = result
    return out


def page(runs, audience, code="Z001"):
    path = runs[audience].month_dir / code / f"{code}_{MONTH}_monthly_pack_{audience}.html"
    return path, path.read_text(encoding="utf-8")


def visible_text(html: str) -> str:
    body = re.sub(r"<script\b.*?</script>|<style\b.*?</style>", " ", html, flags=re.S | re.I)
    return re.sub(r"<[^>]+>", " ", body)


def test_every_pack_is_published_with_its_workbook(runs):
    for audience, result in runs.items():
        for code in AUTHORITIES:
            folder = result.month_dir / code
            stem = f"{code}_{MONTH}"
            assert (folder / f"{stem}_monthly_pack_{audience}.html").is_file()
            assert (folder / f"{stem}_monthly_pack_{audience}.ipynb").is_file()
            assert (folder / f"{stem}_scorecard_{audience}.xlsx").is_file()
        res = result.results[0]
        assert res.bytes < MAX_PACK_BYTES and res.charts >= 20 and res.warnings == 0


def test_the_page_reads_like_a_pack_not_a_notebook(runs):
    _, html = page(runs, "shared")
    text = visible_text(html)
    assert "Monthly performance pack: Brackenfold (Z001), March 2025" in html
    for heading in ("Summary", "Headlines", "Scorecard", "Front door", "Assessment", "Section 47 and child protection",
                    "Children in need", "Children looked after", "Care leavers", "Adoption", "Workforce",
                    "About this pack"):
        assert f">{heading}" in html, heading
    assert not re.search(r"\bnan\b|\bNaN\b|\bNone\b|Traceback|Warning:", text)
    for raw in ("rolling_12m", "value_month", "dot_month", "spc_flag", "breakdown_value", "not_available",
                "headline_period", "build_monthly_pack", "display("):
        assert raw not in text, raw
    assert "data quality" not in text.lower()  # the internal appendix is not in a shared page
    # Allowed: the workbook's file name and the product in the footer.
    names = set(re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", text)) - {"scorecard_shared", "csc_workbench"}
    assert names == set(), names


def test_commentary_is_shown_with_its_html_escaped(runs):
    _, html = page(runs, "shared")
    assert "<strong>rose</strong> after the schools returned" in html
    assert "<script>document.title" not in html
    assert "&lt;script&gt;document.title = &#x27;hacked&#x27;&lt;/script&gt;" in html or \
           "&lt;script&gt;document.title = 'hacked'&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_shared_outputs_hold_no_identifier_and_internal_ones_do(runs):
    identifiers = identifiers_from_warehouse(small_region(), list(AUTHORITIES))
    assert len(identifiers) > 1000
    shared_files = sorted(p for p in runs["shared"].month_dir.rglob("*") if p.is_file())
    assert {p.suffix for p in shared_files} >= {".html", ".ipynb", ".xlsx"}
    hits = scan_outputs(shared_files, identifiers)
    assert hits == [], "\n".join(map(str, hits[:10]))
    # The same scan finds children and workers in the internal packs (so it can see them).
    internal = scan_outputs([runs["internal"].month_dir], identifiers)
    kinds = {h.path.suffix for h in internal}
    assert {".html", ".ipynb"} <= kinds
    _, html = page(runs, "internal")
    assert "Children waiting: assessments open past 45 working days" in html
    assert "Highest caseloads" in html and "Appendix: data quality" in html


def test_workbook_has_the_page_columns_and_suppression_for_shared(runs):
    shared = openpyxl.load_workbook(runs["shared"].month_dir / "Z002" / f"Z002_{MONTH}_scorecard_shared.xlsx")
    internal = openpyxl.load_workbook(runs["internal"].month_dir / "Z002" / f"Z002_{MONTH}_scorecard_internal.xlsx")
    _, html = page(runs, "shared", "Z002")
    page_headers = re.findall(r'<th scope="col" class="[^"]*">([^<]*)</th>', html[html.index("csc-scorecard"):])
    ws = shared["Scorecard"]
    assert [c.value for c in ws[4]][: len(page_headers)] == page_headers
    values = lambda wb: [c.value for row in wb["Scorecard"].iter_rows(min_row=5) for c in row]  # noqa: E731
    assert "c" in values(shared) and "c" not in values(internal)
    assert "OFFICIAL-SENSITIVE" in internal["Scorecard"]["A2"].value


def test_browser_draws_every_chart_offline(runs):
    from csc_workbench.packs.browser import check_many

    checks = check_many([page(runs, "shared")[0], page(runs, "internal", "Z002")[0]], timeout_ms=30_000)
    for check in checks:
        assert check.charts >= 20
        assert check.ok, str(check)
        assert check.title.startswith("Monthly performance pack:")
