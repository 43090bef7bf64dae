"""The Trends page live in Voilà (served by `pulsebi serve`, the seeded demo data) in Chromium:
no console error for all branches and for one; the anomalies drawn as markers (as many as the
Anomalies tile counts) and the forecast's bands drawn; in the navigation as "Trends", its Metric
list changes the page."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulsebi.db import get_engine
from pulsebi.settings import Settings
from pulsebi.views import refresh_views
from serving import Server, start_server

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"
PAGE = "notebooks/trends.ipynb"
ANOMALY_FILL = "rgb(197, 34, 31)"  # pulsebi.charts.bands.MARKER_COLOR
FORECAST_FILL = "rgb(230, 159, 0)"  # the forecast's colour (PALETTE[1])
# the DOM of bqplot's marks: a Scatter's points are path.dot, a filled Lines' area path.area
DRAWN = """(fill) => [...document.querySelectorAll('.pbi-page .pbi-band-chart')].map(figure => ({
  dots: [...figure.querySelectorAll('path.dot')]
    .filter(d => getComputedStyle(d).fill === fill[0]).length,
  bands: [...figure.querySelectorAll('path.area')]
    .filter(a => getComputedStyle(a).fill === fill[1] && (a.getAttribute('d') || '').length > 20
      && Number(getComputedStyle(a).opacity) > 0 && Number(getComputedStyle(a).opacity) < 1)
    .length,
}))"""


@pytest.fixture(scope="module")
def trends_server(seeded: Settings, tmp_path_factory) -> Iterator[Server]:
    """`pulsebi serve` over notebooks/ (the Trends page preheated) on the seeded database."""
    refresh_views(get_engine(seeded), seeded)
    env = {**os.environ, **seeded.to_environ()}
    log = tmp_path_factory.mktemp("serve-trends") / "serve.log"
    server = start_server(
        env, log, dirs=(NOTEBOOKS,), preheat=(PAGE,), extra_env={"PULSEBI_SERVE_POOL": "1"}
    )
    yield server
    server.stop()


def open_page(page, server: Server, query: str = "") -> None:
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1280, "height": 4000})  # every chart drawn
    page.goto(server.page_url(PAGE, f"token={server.token}" + (f"&{query}" if query else "")))
    expect(page.locator(".pbi-page .pbi-band-chart").nth(1)).to_be_visible(timeout=120_000)
    page.wait_for_load_state("networkidle")


# all branches' weekly net revenue (lumpy: a sale every few days a branch, nothing out of band);
# Dallas's daily leads, with the seed's injected spike (Oct 20, 2026)
@pytest.mark.parametrize(("branch", "query"), [("all", ""), ("DAL", "&metric=leads&grain=day")])
def test_the_page_draws_anomalies_and_forecast_bands_without_console_errors(
    branch, query, page, page_log, trends_server
):
    from playwright.sync_api import expect

    open_page(page, trends_server, f"branch={branch}{query}")
    context = page.locator(".pbi-page .pbi-page-context").first
    expect(context).to_contain_text("Dallas" if branch == "DAL" else "All branches")
    counted = page.locator('.pbi-page .pbi-tile[data-tile="trend-anomalies"] .pbi-tile-value')
    flagged = int(counted.inner_text().strip())
    assert flagged > 0 if branch == "DAL" else flagged == 0
    expect(page.locator(".pbi-page .pbi-band-marked")).to_have_count(1 if flagged else 0)
    fills = [ANOMALY_FILL, FORECAST_FILL]
    drawn = f"s.dots === {flagged} && f.bands > 0"
    wanted = f"(fill) => {{ const [s, f] = ({DRAWN})(fill); return {drawn}; }}"
    page.wait_for_function(wanted, arg=fills, timeout=30_000)  # bqplot draws, then animates
    series, forecast = page.evaluate(DRAWN, fills)
    assert series["dots"] == flagged
    assert forecast["bands"] == 2  # 95% and 80%
    assert page.locator(".pulsebi-error").count() == 0
    assert page.locator(".pbi-page .pbi-notice").count() == 0
    assert page_log.errors == []
    assert page_log.outside(trends_server.url) == []


def test_picking_a_metric_in_the_metric_list_changes_the_page(page, page_log, trends_server):
    from playwright.sync_api import expect

    open_page(page, trends_server, "metric=leads&grain=month")
    expect(page.locator(".pulsebi-nav a.active")).to_have_text("Trends")  # in the navigation
    picker = page.locator(".pbi-page .pbi-metric-picker select")
    expect(picker).to_have_value("Leads")  # ipywidgets' options are their labels
    picker.select_option(label="Appointments set")
    context = page.locator(".pbi-page .pbi-page-context").first
    expect(context).to_contain_text("Appointments set ·", timeout=60_000)
    expect(page.locator(".pbi-page").get_by_text("Appointments set per month")).to_be_visible(
        timeout=60_000
    )
    assert page.locator(".pulsebi-error").count() == 0
    assert page_log.errors == []
