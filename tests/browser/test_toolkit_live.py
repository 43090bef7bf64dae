"""The rendering toolkit live in Voilà and Chromium: tiles, bqplot charts and a sortable table
show; a filter change puts them in the loading state at once and the new figures follow. Charts
of one point and of none draw too, first and after a filter change, with no browser error."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

NOTEBOOKS = Path(__file__).parents[1] / "notebooks"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# the stock lab template's own CDN stylesheet: the serve issue's business, not the toolkit's
TEMPLATE_CDN = "cdn.jsdelivr.net/npm/@fortawesome"


@pytest.fixture(scope="module")
def toolkit_url() -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "voila",
        "renders_toolkit_live.ipynb",
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
    ]
    process = subprocess.Popen(
        command,
        cwd=NOTEBOOKS,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert process.poll() is None, "voila exited"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def chromium_browser(request: pytest.FixtureRequest) -> Iterator:
    """The browser suite's Chromium when its fixtures are there; else one of our own."""
    try:
        yield request.getfixturevalue("browser")
        return
    except pytest.FixtureLookupError:
        pass
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def test_live_toolkit_in_chromium(chromium_browser, toolkit_url: str) -> None:
    context = chromium_browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(toolkit_url, timeout=90_000)
        tile = page.locator('.pbi-tile[data-tile="revenue-mtd"]')
        tile.locator(".pbi-tile-value").wait_for(timeout=90_000)
        value = tile.locator(".pbi-tile-value")
        assert value.inner_text() == "$5.73K" and value.get_attribute("title") == "$5,734.74"
        assert tile.get_attribute("data-state") == "live"
        assert "▲ 14.7%" in tile.locator(".pbi-tile-change").inner_text()
        page.locator(".pbi-weekly rect.bar").nth(2).wait_for(timeout=30_000)
        assert page.locator(".pbi-weekly rect.bar").count() == 3

        header = page.locator("table.pbi-table th", has_text="Net revenue")
        header.click()
        header.click()  # descending
        cells = page.locator("table.pbi-table tbody td:nth-child(2)").all_inner_texts()
        assert cells == ["$11,469.48", "$5,734.74", "$2,867.37"]

        page.locator(".pbi-filter-bar select").nth(1).select_option(label="Dallas")
        page.locator('.pbi-tile[data-tile="revenue-mtd"][data-state="loading"]').wait_for()
        page.wait_for_function(
            "document.querySelector('.pbi-tile[data-tile=revenue-mtd] .pbi-tile-value')"
            ".textContent === '$1.23K'",
            timeout=30_000,
        )
        page.locator('.pbi-tile[data-tile="revenue-mtd"][data-state="live"]').wait_for()
        assert page.locator(".pbi-weekly rect.bar").count() == 3
        local = [u for u in requests if not u.startswith(toolkit_url) and TEMPLATE_CDN not in u]
        assert [u for u in local if not u.startswith(("data:", "blob:", "ws:"))] == []
        assert [e for e in errors if "Failed to load resource" not in e] == []
    finally:
        context.close()


def test_one_point_and_no_point_charts_draw_in_chromium(chromium_browser, toolkit_url) -> None:
    """A one-point line is one bar of a bar's width (not a lone dot, not the page); no point is
    a note; a filter takes a line from three points to one to none and back."""
    context = chromium_browser.new_context(viewport={"width": 1200, "height": 2400})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(toolkit_url, timeout=90_000)
        one = page.locator(".pbi-one rect.bar")
        one.first.wait_for(timeout=90_000)
        assert one.count() == 1
        plot = page.locator(".pbi-one .plotarea_background, .pbi-one rect.plotarea_background")
        bar_width = one.first.bounding_box()["width"]
        assert 20 < bar_width < 0.25 * plot.first.bounding_box()["width"]
        page.locator(".pbi-none text", has_text="No data for this selection").wait_for()

        trend = page.locator(".pbi-trend")
        trend.locator("path.dot").nth(2).wait_for(timeout=30_000)  # three markers
        assert "Partial month: Nov 2026 (Nov 1–19 only)" in trend.inner_text()
        branch = page.locator(".pbi-filter-bar select").nth(1)
        branch.select_option(label="Dallas")
        trend.locator("rect.bar").first.wait_for(timeout=30_000)
        page.wait_for_function(
            "document.querySelectorAll('.pbi-trend rect.bar').length === 1"
            " && document.querySelectorAll('.pbi-trend path.dot').length === 0",
            timeout=30_000,
        )
        branch.select_option(label="Houston")
        trend.locator("text", has_text="No data for this selection").wait_for(timeout=30_000)
        branch.select_option(index=0)  # all branches: three points again
        trend.locator("path.dot").nth(2).wait_for(timeout=30_000)
        assert [e for e in errors if "Failed to load resource" not in e] == []
    finally:
        context.close()
