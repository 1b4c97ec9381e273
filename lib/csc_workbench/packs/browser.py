"""Open packs in headless Chromium with the network cut off, and check them.

A pack must work on a locked-down laptop with no internet. ``check_html`` opens a page in
Debian's Chromium (Playwright's Python API driving ``/usr/bin/chromium``: no browser is
ever downloaded), with a fresh empty profile and every request that is not ``file:`` or
``data:`` aborted and recorded. It then checks that every chart drew (each vega-embed
container holds an SVG with marks, or a canvas with pixels), that no request tried to
leave the machine, and that the page logged no console error or script error.
``screenshot`` saves a picture of a page for a person to review.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = os.environ.get("CSCW_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
    "--disable-dev-shm-usage",
]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")

# For each chart container (altair's "altair-viz-*" div, or "vis" in a saved chart; vega-embed marks
# it ".vega-embed" once drawn): does it hold a drawn chart?
_CHART_STATE_JS = """
() => Array.from(new Set(document.querySelectorAll('[id^="altair-viz"], div#vis, .vega-embed'))).map((el) => {
  const svg = el.querySelector('svg.marks, svg');
  if (svg) {
    const marks = svg.querySelectorAll('g[class*="mark-"] path, g[class*="mark-"] rect, g[class*="mark-"] line, g[class*="mark-"] text, g[class*="mark-"] circle');
    return marks.length > 0;
  }
  const canvas = el.querySelector('canvas');
  if (canvas && canvas.width > 0 && canvas.height > 0) {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < data.length; i += 16) { if (data[i] !== 0) return true; }
  }
  return false;
})
"""


class BrowserUnavailable(RuntimeError):
    pass


@dataclass
class PageCheck:
    path: Path
    charts: int = 0
    drawn: int = 0
    blocked_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    title: str = ""

    @property
    def ok(self) -> bool:
        return (self.drawn == self.charts and not self.blocked_requests and not self.console_errors
                and not self.page_errors)

    def problems(self) -> list[str]:
        out = []
        if self.drawn != self.charts:
            out.append(f"{self.charts - self.drawn} of {self.charts} charts did not draw")
        out += [f"request left the page: {u}" for u in self.blocked_requests]
        out += [f"console error: {m}" for m in self.console_errors]
        out += [f"script error: {m}" for m in self.page_errors]
        return out

    def __str__(self) -> str:
        status = "ok" if self.ok else "; ".join(self.problems())
        return f"{self.path.name}: {self.drawn}/{self.charts} charts drawn; {status}"


def chromium_path() -> str:
    path = shutil.which(CHROMIUM) or (CHROMIUM if os.path.exists(CHROMIUM) else None)
    if not path:
        raise BrowserUnavailable(f"Chromium not found at {CHROMIUM}: install Debian's package "
                                 f"(`apt-get install chromium`) or set $CSCW_CHROMIUM")
    return path


@contextlib.contextmanager
def browser_context(width: int = 1200, height: int = 900) -> Iterator:
    """A Chromium context with a new empty profile and the network cut off. Yields
    ``(context, blocked)`` where ``blocked`` collects every non-local URL requested."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="cscw-chromium-")
    blocked: list[str] = []

    def gate(route):
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            blocked.append(url)
            route.abort("blockedbyclient")

    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile, executable_path=chromium_path(), headless=True, args=LAUNCH_ARGS,
                viewport={"width": width, "height": height}, offline=True, service_workers="block",
                accept_downloads=False)
            try:
                context.route("**/*", gate)
                context.on("websocket", lambda ws: blocked.append(ws.url))
                yield context, blocked
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _check_page(context, blocked: list[str], html: Path, timeout_ms: int) -> PageCheck:
    html = Path(html).resolve()
    result = PageCheck(path=html)
    start = len(blocked)
    page = context.new_page()
    page.on("console", lambda m: result.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: result.page_errors.append(str(e)))
    page.on("request", lambda r: None if r.url.startswith(LOCAL_SCHEMES) or r.url in blocked
            else blocked.append(r.url))
    try:
        page.goto(html.as_uri(), wait_until="load", timeout=timeout_ms)
        states = _wait_for_charts(page, result, blocked, start, timeout_ms)
        result.charts, result.drawn = len(states), sum(bool(s) for s in states)
        result.title = page.title()
    finally:
        page.close()
    result.blocked_requests = list(dict.fromkeys(blocked[start:]))
    return result


def _wait_for_charts(page, result: PageCheck, blocked: list[str], start: int, timeout_ms: int) -> list[bool]:
    """Until every chart has drawn; or, once something has gone wrong (a script error, a
    blocked request), until nothing has changed for a second; or the timeout."""
    deadline = time.monotonic() + timeout_ms / 1000
    last_change, previous = time.monotonic(), None
    while True:
        page.wait_for_timeout(100)
        states = page.evaluate(_CHART_STATE_JS)
        errors = len(result.page_errors) + len(result.console_errors) + len(blocked) - start
        now = time.monotonic()
        if (states, errors) != previous:
            previous, last_change = (states, errors), now
        if all(states) and now - last_change >= 0.2:  # drawn; let late errors surface
            return states
        if errors and now - last_change >= 1.0:
            return states
        if now >= deadline:
            return states


def check_html(html: Path, timeout_ms: int = 20_000) -> PageCheck:
    """Open one page offline and report what drew and what went wrong."""
    with browser_context() as (context, blocked):
        return _check_page(context, blocked, html, timeout_ms)


def check_many(pages: list[Path], timeout_ms: int = 20_000) -> list[PageCheck]:
    """Check several pages with one browser."""
    with browser_context() as (context, blocked):
        return [_check_page(context, blocked, p, timeout_ms) for p in pages]


def screenshot(html: Path, png: Path, *, width: int = 1200, full_page: bool = True,
               timeout_ms: int = 20_000) -> PageCheck:
    """Save a picture of the page as a reader would see it (charts drawn, offline)."""
    with browser_context(width=width) as (context, blocked):
        result = _check_page(context, blocked, html, timeout_ms)
        page = context.new_page()
        page.goto(Path(html).resolve().as_uri(), wait_until="load", timeout=timeout_ms)
        with contextlib.suppress(Exception):  # a chart that cannot draw is in ``result``
            page.wait_for_function(f"({_CHART_STATE_JS})().every(Boolean)", timeout=min(timeout_ms, 5000))
        Path(png).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(png), full_page=full_page)
        page.close()
    return result
