"""The executive dashboard live in Voilà on the seeded demo data: a viewer logs in, reads the
year-to-date tile (the metric layer's value, exact on hover: the tile shows it compact), picks a
branch and sees the figures change."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulsebi import metrics
from pulsebi.charts import format_value
from pulsebi.db import get_engine
from pulsebi.settings import Settings
from pulsebi.views import refresh_views
from pulsebi.widgets.dates import local_today
from serving import Server, start_server

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"
YTD = '.pbi-tile[data-tile="revenue-year-to-date"] .pbi-tile-value'


@pytest.fixture(scope="module")
def executive_server(seeded: Settings, tmp_path_factory) -> Iterator[Server]:
    """`pulsebi serve` over notebooks/ (executive dashboard preheated) on the seeded database."""
    refresh_views(get_engine(seeded), seeded)
    env = {**os.environ, **seeded.to_environ()}
    log = tmp_path_factory.mktemp("serve-executive") / "serve.log"
    server = start_server(
        env,
        log,
        dirs=(NOTEBOOKS,),
        preheat=("notebooks/executive.ipynb",),
        extra_env={"PULSEBI_SERVE_POOL": "1"},
    )
    yield server
    server.stop()


def year_to_date(settings: Settings, branch: str | None = None) -> str:
    today = local_today(tz=settings.tz)
    frame = metrics.compute(
        "net_revenue",
        start=dt.date(today.year, 1, 1),
        end=today + dt.timedelta(days=1),
        branch=branch,
        settings=settings,
    )
    return format_value(frame["net_revenue"].iloc[0], "usd")


def test_ytd_tile_is_the_metric_layers_and_follows_the_branch_filter(
    page, page_log, executive_server, seeded
) -> None:
    from playwright.sync_api import expect

    page.goto(
        executive_server.page_url("notebooks/executive.ipynb", f"token={executive_server.token}")
    )
    value = page.locator(YTD)
    expect(value).to_have_attribute("title", year_to_date(seeded), timeout=90_000)

    page.locator(".pbi-filter-bar .widget-dropdown select").nth(1).select_option(label="Dallas")
    expect(page.locator(".pbi-page-context").first).to_contain_text("Dallas", timeout=60_000)
    expect(value).to_have_attribute("title", year_to_date(seeded, "DAL"), timeout=60_000)
    assert page.locator(".pulsebi-error").count() == 0
    assert page_log.errors == []
    assert page_log.outside(executive_server.url) == []


def test_branch_in_the_url_selects_it(page, executive_server, seeded) -> None:
    from playwright.sync_api import expect

    query = f"token={executive_server.token}&branch=HOU"
    page.goto(executive_server.page_url("notebooks/executive.ipynb", query))
    expect(page.locator(YTD)).to_have_attribute(
        "title", year_to_date(seeded, "HOU"), timeout=90_000
    )
    expect(page.locator(".pbi-page-context").first).to_contain_text("Houston")


def test_first_paint_shows_the_figures_before_voilas_javascript_runs(
    page, executive_server, seeded
) -> None:
    """The page's HTML alone (Voilà's JavaScript blocked) already shows the tiles' figures."""
    from playwright.sync_api import expect

    page.route("**/voila/static/voila.js", lambda route: route.abort())
    page.goto(
        executive_server.page_url("notebooks/executive.ipynb", f"token={executive_server.token}")
    )
    first_paint = page.locator(".pbi-first-paint")
    expect(first_paint.locator(YTD)).to_have_attribute(
        "title", year_to_date(seeded), timeout=90_000
    )
    expect(first_paint.locator(".pbi-tile")).to_have_count(15)
    expect(first_paint).to_contain_text("Sales team ranking")
    assert page.locator("#loading").is_hidden()
    assert page.locator(".pbi-page").count() == 0


def test_first_paint_gives_way_to_the_live_page(page, page_log, executive_server) -> None:
    from playwright.sync_api import expect

    page.goto(
        executive_server.page_url("notebooks/executive.ipynb", f"token={executive_server.token}")
    )
    expect(page.locator(f".pbi-page {YTD}")).to_be_visible(timeout=90_000)
    expect(page.locator(".pbi-first-paint")).to_have_count(0)
    expect(page.locator(YTD)).to_have_count(1)
    assert page_log.errors == []
