"""Each department scorecard renders live in Voilà (served by `pulsebi serve`, seeded demo data)
without an error in the browser console, for all branches and for one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulsebi.db import get_engine
from pulsebi.settings import Settings
from pulsebi.views import refresh_views
from serving import Server, start_server

SCORECARDS = Path(__file__).parents[2] / "scorecards"
FIRST_TILE = {
    "branch": "kpi-net_revenue",
    "production": "kpi-jobs_in_progress",
    "service": "kpi-ticket_volume",
    "telemarketing": "kpi-calls_made",
    "canvass": "kpi-doors_knocked",
    "technology": "kpi-system_health",
}


@pytest.fixture(scope="module")
def scorecard_server(seeded: Settings, tmp_path_factory) -> Iterator[Server]:
    """`pulsebi serve` over scorecards/ against the seeded database (views refreshed)."""
    refresh_views(get_engine(seeded), seeded)
    env = {
        **os.environ,
        "DATABASE_URL": seeded.database_url or "",
        "REDIS_URL": seeded.redis_url or "",
        "PULSEBI_NAMESPACE": seeded.namespace,
        "PULSEBI_DATA_DIR": str(seeded.data_dir),
        "PULSEBI_TZ": seeded.tz,
    }
    log = tmp_path_factory.mktemp("serve-scorecards") / "serve.log"
    server = start_server(env, log, dirs=(SCORECARDS,), extra_env={"PULSEBI_SERVE_POOL": "1"})
    yield server
    server.stop()


@pytest.mark.parametrize("branch", ["all", "DAL"])
@pytest.mark.parametrize("name", list(FIRST_TILE))
def test_scorecard_renders_live_without_console_errors(
    name, branch, page, page_log, scorecard_server
):
    from playwright.sync_api import expect

    query = f"token={scorecard_server.token}&branch={branch}&from=2026-10-01&to=2026-11-01"
    page.goto(scorecard_server.page_url(f"scorecards/{name}.ipynb", query))
    tile = page.locator(f'.pbi-tile[data-tile="{FIRST_TILE[name]}"]')
    expect(tile).to_be_visible(timeout=90_000)
    expect(page.locator(".pbi-scorecard")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert page.locator(".pulsebi-error").count() == 0
    assert page_log.errors == []
    assert page_log.outside(scorecard_server.url) == []


def test_changing_the_branch_updates_a_scorecard_in_place(page, page_log, scorecard_server):
    from playwright.sync_api import expect

    query = f"token={scorecard_server.token}&from=2026-10-01&to=2026-11-01"
    page.goto(scorecard_server.page_url("scorecards/telemarketing.ipynb", query))
    value = page.locator('.pbi-tile[data-tile="kpi-calls_made"] .pbi-tile-value')
    expect(value).to_be_visible(timeout=90_000)
    company = value.inner_text()
    branch = page.locator(".pbi-filter-bar .widget-dropdown select").nth(1)
    branch.select_option(label="Dallas")
    expect(page.locator(".pbi-page-context").first).to_contain_text("Dallas", timeout=60_000)
    expect(value).not_to_have_text(company, timeout=60_000)
    expect(page.locator(".pbi-scorecard")).to_be_visible()
    assert page_log.errors == []


def test_kernels_stay_bounded_one_ready_per_scorecard(browser, scorecard_server):
    """Every scorecard keeps one preheated kernel; a visit uses it (a refill starts) and closing
    the tab ends its kernel, so after visits the server holds the pools again, no more."""
    from playwright.sync_api import expect

    pools = len(FIRST_TILE)  # before the first-paint tests, whose pages never close their kernel
    kernels = scorecard_server.wait_for_kernels(lambda ks: len(ks) == pools, timeout=180)
    assert len(kernels) == pools
    context = browser.new_context()
    for name in FIRST_TILE:
        page = context.new_page()
        page.goto(
            scorecard_server.page_url(f"scorecards/{name}.ipynb", f"token={scorecard_server.token}")
        )
        expect(page.locator(".pbi-page .pbi-tile").first).to_be_visible(timeout=90_000)
        assert len(scorecard_server.kernels()) <= pools + 2  # this page's, a refill starting
        page.close(run_before_unload=True)  # what closing a tab does
    context.close()
    kernels = scorecard_server.wait_for_kernels(lambda ks: len(ks) == pools, timeout=180)
    assert len(kernels) == pools


@pytest.mark.parametrize("name", list(FIRST_TILE))
def test_scorecard_first_paint_shows_figures_before_voilas_javascript_runs(
    name, page, scorecard_server
):
    """Preheated, the page's HTML alone (Voilà's JavaScript blocked) shows its first tile."""
    from playwright.sync_api import expect

    page.route("**/voila/static/voila.js", lambda route: route.abort())
    query = f"token={scorecard_server.token}&branch=DAL"
    page.goto(scorecard_server.page_url(f"scorecards/{name}.ipynb", query))
    first_paint = page.locator(".pbi-first-paint")
    tile = first_paint.locator(f'.pbi-tile[data-tile="{FIRST_TILE[name]}"] .pbi-tile-value')
    expect(tile).to_be_visible(timeout=90_000)
    assert tile.inner_text().strip() not in ("", "Loading…")
    expect(first_paint.locator(".pbi-page-context")).to_contain_text("Dallas")
    assert page.locator(".pbi-page").count() == 0
