"""What a viewer sees when something goes wrong, in Chromium under `pulsebi serve`:

- their own mistake in the URL or the filter bar is said in place, above a page that still works
  (the filters can be changed and the figures follow);
- a section that crashes shows a box with an error id, only in its place; the traceback is in
  the server's log under that id; a cell that crashes does the same for the cell.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulsebi.db import get_engine
from pulsebi.settings import Settings
from pulsebi.views import refresh_views
from serving import Server, start_server

ROOT = Path(__file__).parents[2]
PAGES = Path(__file__).parents[1] / "notebooks" / "pages"
EXECUTIVE = "notebooks/executive.ipynb"
CRASHING = "pages/crashing_section.ipynb"
YTD = '.pbi-page .pbi-tile[data-tile="revenue-year-to-date"] .pbi-tile-value'
NOTICE = ".pbi-page .pbi-page-notice .pbi-notice"
MISTAKES = {
    "branch=XXX": "branch 'XXX' is unknown; use all or one of AUS, DAL, HOU, OKC, SAT",
    "preset=fortnight": "date preset 'fortnight' is unknown; use one of",
    "grain=year": "grain 'year' is not offered on this page; use one of day, week, month",
    "from=2026-10-05&to=2026-10-01": "from must be before to",
    "from=2026-13-01": "from='2026-13-01' is not a date (YYYY-MM-DD)",
}


@pytest.fixture(scope="module")
def server(seeded: Settings, tmp_path_factory) -> Iterator[Server]:
    """`pulsebi serve` over notebooks/ and the test pages, executive and crashing page preheated."""
    refresh_views(get_engine(seeded), seeded)
    env = {**os.environ, **seeded.to_environ()}
    log = tmp_path_factory.mktemp("serve-user-errors") / "serve.log"
    server = start_server(
        env,
        log,
        dirs=(ROOT / "notebooks", PAGES),
        preheat=(EXECUTIVE, CRASHING),
        extra_env={"PULSEBI_SERVE_POOL": "1"},
    )
    yield server
    server.stop()


def open_page(page, server: Server, path: str, query: str = "") -> None:
    query = f"token={server.token}" + (f"&{query}" if query else "")
    page.goto(server.page_url(path, query), timeout=90_000)


def pick_branch(page, label: str) -> None:
    page.locator(".pbi-filter-bar .widget-dropdown select").nth(1).select_option(label=label)


@pytest.mark.parametrize("query", list(MISTAKES))
def test_a_mistake_in_the_url_is_said_in_place_and_the_page_still_works(
    query, page, page_log, server
):
    from playwright.sync_api import expect

    open_page(page, server, EXECUTIVE, query)
    notice = page.locator(NOTICE)
    expect(notice).to_contain_text(MISTAKES[query], timeout=90_000)
    expect(notice).to_contain_text("The page shows its default filters instead")
    value = page.locator(YTD)
    expect(value).to_be_visible()
    company = value.inner_text()
    expect(page.locator(".pbi-page-context").first).to_contain_text("All branches")
    assert page.locator(".pulsebi-error").count() == 0

    pick_branch(page, "Dallas")
    expect(page.locator(".pbi-page-context").first).to_contain_text("Dallas", timeout=60_000)
    expect(value).not_to_have_text(company, timeout=60_000)
    assert page.locator(".pulsebi-error").count() == 0
    assert page_log.errors == []


def test_a_mistake_in_the_filter_bar_is_said_at_once_and_goes_when_mended(page, page_log, server):
    from playwright.sync_api import expect

    open_page(page, server, EXECUTIVE, "from=2026-10-01&to=2026-11-01")
    value = page.locator('.pbi-page .pbi-tile[data-tile="period-net_revenue"] .pbi-tile-value')
    expect(value).to_be_visible(timeout=90_000)
    october = value.inner_text()
    through = page.locator(".pbi-filter-bar input[type=date]").nth(1)
    through.fill("2026-09-20")  # before "from"
    notice = page.locator(NOTICE)
    expect(notice).to_contain_text("from must be before to", timeout=30_000)
    expect(value).to_have_text(october)  # the figures stay those of the range shown

    through.fill("2026-10-15")
    expect(notice).to_be_hidden(timeout=30_000)
    expect(page.locator(".pbi-page-context").first).to_contain_text("Oct 15, 2026", timeout=60_000)
    expect(value).not_to_have_text(october, timeout=60_000)
    assert page.locator(".pulsebi-error").count() == 0
    assert page_log.errors == []


def logged(server: Server, error_id: str, timeout: float = 30) -> str:
    """The server log from the line naming `error_id` on (waits for it)."""
    deadline = time.monotonic() + timeout
    while True:
        text = server.output()
        if error_id in text or time.monotonic() > deadline:
            return text[text.find(error_id) :] if error_id in text else ""
        time.sleep(0.3)


def test_a_crash_shows_a_box_with_an_id_and_the_traceback_is_in_the_server_log(
    page, page_log, server
):
    from playwright.sync_api import expect

    open_page(page, server, CRASHING)
    expect(page.locator('.pbi-page .pbi-tile[data-tile="branch"]')).to_be_visible(timeout=90_000)
    section = page.locator(".pbi-page .pbi-crash")
    expect(section).to_contain_text("This part could not be shown (error id")
    cell = page.locator(".pulsebi-error:not(.pbi-page *)")
    expect(cell).to_have_count(1)  # the cell's box only, not Voilà's besides
    expect(cell).to_contain_text("could not be shown (error id")
    html = page.content()
    for leak in ("secret-detail-91", "cell-secret-77", "RuntimeError", "Traceback"):
        assert leak not in html

    for box, secret in ((section, "secret-detail-91"), (cell, "cell-secret-77")):
        error_id = box.get_attribute("data-error-id")
        assert re.fullmatch(r"[0-9a-f]{8}", error_id or ""), error_id
        assert error_id in box.inner_text()
        text = logged(server, error_id)
        assert "Traceback (most recent call last)" in text and secret in text, text[:2000]

    pick_branch(page, "Dallas")  # the rest of the page still works
    expect(page.locator('.pbi-page .pbi-tile[data-tile="branch"]')).to_contain_text(
        "DAL", timeout=60_000
    )
    assert page_log.errors == []
