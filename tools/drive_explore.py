"""Drive the explorer for real: serve ``notebooks/explore.py`` with ``marimo run``, open it in
headless Chromium (Debian's, through Playwright; never a downloaded browser), take a
screenshot, click a month on the trend chart and check that the records table switches to
that month, click a bar of the breakdown and check that the trend and records switch to that
group, screenshotting each step.

    PYTHONPATH=lib python tools/drive_explore.py                       # a small synthetic warehouse
    PYTHONPATH=lib python tools/drive_explore.py --warehouse data/warehouse.duckdb --out outputs/explore

Screenshots go to ``--out`` (default ``outputs/explore``, git-ignored: they show child-level
rows of synthetic data). Exits 0 if every step did what it should, else 1 with the reason.
Every request the page makes that is not to the local marimo server is blocked and listed.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lib"))

CHROMIUM = os.environ.get("CSCW_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-default-apps", "--disable-extensions", "--no-first-run",
        "--disable-dev-shm-usage"]
RECORDS_HEADING = re.compile(r"Records behind .*?, ([A-Z][a-z]+ \d{4})")


def small_warehouse(folder: Path) -> Path:
    """Two synthetic authorities, April 2023 to March 2025, with their measures."""
    from csc_workbench.measures.store import ensure_measures
    from csc_workbench.model.warehouse import save_dataset
    from csc_workbench.synth import generate

    ds, _ = generate(n_authorities=2, start="2023-04", end="2025-03", seed=11)
    path = folder / "warehouse.duckdb"
    save_dataset(ds, path)
    for code in ds.authorities():
        ensure_measures(code, path)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(warehouse: Path, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "CSCW_WAREHOUSE": str(warehouse), "PYTHONPATH": str(REPO / "lib"),
           "MARIMO_SKIP_UPDATE_CHECK": "1"}
    marimo = Path(sys.executable).with_name("marimo")
    cmd = [str(marimo), "run", str(REPO / "notebooks" / "explore.py"), "--headless", "--port", str(port),
           "--host", "127.0.0.1", "--no-token", "--no-sandbox"]
    return subprocess.Popen(cmd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=REPO,
                            start_new_session=True)


def wait_for_server(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"marimo exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"marimo did not answer at {url} within {timeout:.0f} s")


def records_month(page) -> str | None:
    text = page.locator("h2").filter(has_text="Records behind").first.inner_text(timeout=1000) \
        if page.locator("h2").filter(has_text="Records behind").count() else ""
    m = RECORDS_HEADING.search(text)
    return m.group(1) if m else None


def wait_until(predicate, timeout: float, what: str):
    end = time.time() + timeout
    last = None
    while time.time() < end:
        try:
            last = predicate()
            if last:
                return last
        except Exception:  # the page is re-rendering
            pass
        time.sleep(0.4)
    raise TimeoutError(f"timed out waiting for {what} (last: {last!r})")


def drive(url: str, out: Path, timeout: float) -> list[str]:
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    blocked: list[str] = []
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 2400})
        local = re.compile(rf"^(https?|wss?)://(127\.0\.0\.1|localhost):\d+/|^(data|blob|about):")

        def route(r):
            if local.match(r.request.url):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        t0 = time.time()
        page.goto(url)
        trend_points = page.locator("g.month_pick_view_marks path")
        wait_until(lambda: trend_points.count() > 0, timeout, "the trend chart")
        first = wait_until(lambda: records_month(page), timeout, "the records table")
        print(f"page ready in {time.time() - t0:.1f} s; records shown for {first}")
        page.wait_for_timeout(800)
        shot1 = out / "explore_1_opened.png"
        page.screenshot(path=str(shot1), full_page=True)
        print(f"screenshot {shot1}")

        # Click the month six before the last on the trend.
        n = trend_points.count()
        target = trend_points.nth(max(n - 7, 0))
        label = target.get_attribute("aria-label") or ""
        wanted = re.search(r"Month: ([A-Z][a-z]+ \d{4})", label)
        wanted = wanted.group(1) if wanted else None
        target.click(force=True)
        try:
            got = wait_until(lambda: (m := records_month(page)) and m != first and m, timeout,
                             "the records to change month")
            print(f"clicked {wanted or 'a point'} on the trend: records now for {got}")
            if wanted and got != wanted:
                problems.append(f"clicked {wanted}, records show {got}")
        except TimeoutError as exc:
            problems.append(str(exc))
        page.wait_for_timeout(800)
        shot2 = out / "explore_2_month_clicked.png"
        page.screenshot(path=str(shot2), full_page=True)
        print(f"screenshot {shot2}")

        # Click the first bar of the breakdown: the trend and the records follow that group.
        bars = page.locator("g.group_pick_view_marks path")
        if bars.count():
            bar_label = bars.first.get_attribute("aria-label") or ""
            group = re.search(r"(?:^|; )group: ([^;]+)", bar_label)
            group = group.group(1).strip() if group else None
            print(f"first bar: {bar_label!r}")
            before = page.locator("h2").filter(has_text="Records behind").first.inner_text()
            bars.first.click(force=True)
            try:
                after = wait_until(lambda: (t := page.locator("h2").filter(has_text="Records behind").first
                                            .inner_text()) != before and t, timeout, "the records to follow the bar")
                print(f"clicked bar {group}: {after}")
                if group and group not in after:
                    problems.append(f"clicked bar {group}, records heading is {after!r}")
            except TimeoutError as exc:
                problems.append(str(exc))
            page.wait_for_timeout(800)
            shot3 = out / "explore_3_bar_clicked.png"
            page.screenshot(path=str(shot3), full_page=True)
            print(f"screenshot {shot3}")
        else:
            problems.append("no breakdown bars to click")
        browser.close()
    if blocked:
        problems.append(f"{len(blocked)} requests to other hosts were blocked: {sorted(set(blocked))[:5]}")
    if errors:
        problems.append(f"script errors: {errors[:3]}")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--warehouse", type=Path, help="default: a small synthetic one in a temporary folder")
    ap.add_argument("--out", type=Path, default=REPO / "outputs" / "explore")
    ap.add_argument("--timeout", type=float, default=120.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = args.warehouse or small_warehouse(Path(tmp))
        port = free_port()
        log = Path(tmp) / "marimo.log"
        proc = serve(warehouse, port, log)
        try:
            url = f"http://127.0.0.1:{port}/"
            wait_for_server(url, proc)
            problems = drive(url, args.out, args.timeout)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        if problems:
            print("PROBLEMS:\n  " + "\n  ".join(problems))
            print(log.read_text()[-3000:])
            return 1
    print("ok: the explorer served, drew, and followed both clicks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
