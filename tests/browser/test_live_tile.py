"""A live KPI tile in Chromium: a sale written to the CRM changes the tile's text without a
reload; when the live worker stops, the tile says it is stale."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from pulsebi.live import channel
from pulsebi.live.worker import run_worker
from pulsebi.settings import Settings

LIVE_NOTEBOOKS = Path(__file__).parents[1] / "notebooks" / "live"
PAGE = "live/live_tile.ipynb"  # one tile: net revenue today, company-wide
TILE = '.pbi-tile[data-tile="live-revenue"]'


@pytest.fixture
def crm(db: Engine) -> Engine:
    with db.begin() as conn:
        conn.execute(
            text(
                "insert into crm.branches values (1, 'DAL', 'Dallas', 'America/Chicago', "
                "'2020-01-01')"
            )
        )
    return db


@pytest.fixture
def live_worker(crm: Engine, settings: Settings, redis_client) -> Iterator[threading.Event]:
    """The live worker, on the namespace the served kernels use (cli_env's), with its first
    values in the snapshot."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            run_worker(settings, stop)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    key = channel.snapshot_key(settings.namespace)
    deadline = time.monotonic() + 30
    while not redis_client.hexists(key, "net_revenue.today") and not errors:
        assert time.monotonic() < deadline, "the live worker wrote no snapshot in 30 s"
        time.sleep(0.05)
    yield stop
    stop.set()
    thread.join(15)
    assert not errors, f"the live worker crashed: {errors!r}"


@pytest.fixture
def live_server(start_voila):
    return start_voila("live", dirs=(LIVE_NOTEBOOKS,))


def test_a_new_sale_changes_the_tile_text_in_chromium(page, live_server, crm, live_worker):
    from playwright.sync_api import expect

    page.goto(live_server.page_url(PAGE, f"token={live_server.token}"))
    tile = page.locator(TILE)
    expect(tile).to_have_attribute("data-state", "live", timeout=60_000)
    value = tile.locator(".pbi-tile-value")  # compact text; the exact value is its title
    expect(value).to_have_attribute("title", "$0.00")

    with crm.begin() as conn:
        conn.execute(
            text(
                "insert into crm.sales (id, lead_id, branch_id, sold_at, amount, "
                "commission_rate, product, status) values (1, 1, 1, now(), 1234.56, 0.1, "
                "'roof', 'active')"
            )
        )
    expect(value).to_have_attribute("title", "$1,234.56", timeout=15_000)

    live_worker.set()  # the worker stops and says so: the tile keeps its number, marked stale
    expect(tile).to_have_attribute("data-state", "stale", timeout=15_000)
    expect(tile.locator(".pbi-tile-state")).to_contain_text("Stale since")
    expect(value).to_have_attribute("title", "$1,234.56")


EXECUTIVE = "notebooks/executive.ipynb"
NOTEBOOKS = Path(__file__).parents[2] / "notebooks"


def _exact(page, key: str):
    """The exact value (hover title) of the executive page's tile `key`."""
    return page.locator(f'.pbi-tile[data-tile="{key}"] .pbi-tile-value')


def test_after_a_sale_the_executive_page_shows_one_month_to_date(
    page, page_log, start_voila, crm, live_worker, settings, tmp_path
):
    """The live "Month to date" tile, the selected period's net revenue (month to date) and the
    forecast all follow a sale at once; "data as of" says the live time."""
    from playwright.sync_api import expect

    from pulsebi import metrics
    from pulsebi.charts import format_value
    from pulsebi.widgets.dates import local_today, preset_range

    server = start_voila("executive-live", dirs=(NOTEBOOKS,))
    page.goto(server.page_url(EXECUTIVE, f"token={server.token}"))
    mtd, period = _exact(page, "revenue-month-to-date"), _exact(page, "period-net_revenue")
    expect(page.locator('.pbi-tile[data-tile="revenue-month-to-date"]')).to_have_attribute(
        "data-state", "live", timeout=90_000
    )
    expect(mtd).to_have_attribute("title", "$0.00")

    with crm.begin() as conn:
        conn.execute(
            text(
                "insert into crm.sales (id, lead_id, branch_id, sold_at, amount, "
                "commission_rate, product, status) values (7, 1, 1, now(), 4321.09, 0.1, "
                "'roof', 'active')"
            )
        )
    month = preset_range("month_to_date", local_today(tz=settings.tz))
    fresh = metrics.compute(
        "net_revenue", start=month[0], end=month[1], fresh=True, use_cache=False
    )["net_revenue"].iloc[0]
    shown = format_value(fresh, "usd")
    assert shown == "$4,321.09"
    expect(mtd).to_have_attribute("title", shown, timeout=15_000)
    expect(period).to_have_attribute("title", shown, timeout=15_000)
    expect(page.locator('.pbi-tile[data-tile="forecast"] .pbi-tile-note')).to_contain_text(
        "month to date $4,321.09", timeout=15_000
    )
    page.screenshot(path=str(tmp_path / "executive-after-a-sale.png"), full_page=True)
    assert page.locator(".pulsebi-error").count() == 0
    assert page_log.errors == []
