"""Live tiles without a kernel in Chromium: a page whose tiles carry ``data-live`` (a snapshot
page's markup) loads ``live.js`` from the server, follows its ``/pulsebi/live`` socket, shows a
sale written to the CRM, honours a tile's ``data-refresh``, and says "Reconnecting…" when the
server loses Redis (a Redis of the test's own, never the shared one), live again when it is back.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis as redis_lib
from sqlalchemy import Engine, text

from pulsebi.live.worker import run_worker
from pulsebi.settings import Settings
from pulsebi.widgets.tile import tile_html
from serving import Server, free_port, start_server

LIVE = '.pbi-tile[data-tile="revenue-today"]'
EVERY_5S = '.pbi-tile[data-tile="revenue-today-5s"]'
PAGE_5S = '.pbi-tile[data-tile="revenue-today-page-5s"] .pbi-tile-value'


class OwnRedis:
    """A redis-server of this test's own, on a free port, that the test stops and restarts."""

    def __init__(self, directory: Path):
        self.directory, self.port = directory, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server") or shutil.which("valkey-server")
        if binary is None:
            pytest.skip("no redis-server binary to start a Redis of the test's own")
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "no", "--dir", str(self.directory)]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis_lib.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                if client.ping():
                    break
            except redis_lib.RedisError:
                assert time.monotonic() < deadline, "the test's Redis did not answer"
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


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
def live_settings(settings: Settings, own_redis: OwnRedis) -> Settings:
    return settings.replace(redis_url=own_redis.url)


@contextlib.contextmanager
def running_worker(settings: Settings) -> Iterator[threading.Event]:
    """The live worker in a thread (it reconnects by itself when Redis is back); setting the
    event it yields stops it."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            run_worker(settings, stop)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield stop
    stop.set()
    thread.join(15)
    assert not errors, f"the live worker crashed: {errors!r}"


@pytest.fixture
def live_worker(crm: Engine, live_settings: Settings) -> Iterator[threading.Event]:
    """The live worker on the test's own Redis."""
    with running_worker(live_settings) as stop:
        yield stop


@pytest.fixture
def server(live_settings: Settings, tmp_path: Path) -> Iterator[Server]:
    """A server of this test's own: it follows the test's Redis (no kernels needed)."""
    env = {**os.environ, **live_settings.to_environ()}
    server = start_server(env, tmp_path / "serve.log", extra_env={"PULSEBI_SERVE_POOL": "0"})
    yield server
    server.stop()


def live_tile(key: str, field: str, refresh: float | None = None, previous=None) -> str:
    """A tile as a snapshot page has it: the widget's markup marked with its live field (and,
    with a comparison, the comparison's value)."""
    markup = tile_html(
        label="Revenue today",
        value=0.0,
        unit="usd",
        key=key,
        state="ready",
        metric="net_revenue",
        previous=previous,
        comparison="vs last year",
    )
    marks = f' data-live="{field}" data-unit="usd"'
    if refresh is not None:
        marks += f' data-refresh="{refresh:g}"'
    if previous is not None:
        marks += f' data-previous="{previous}"'
    return re.sub(r'(<div class="pbi-tile" data-tile="[^"]*")', r"\1" + marks, markup, count=1)


def snapshot_page(server: Server) -> str:
    script = f"{server.url}voila/templates/pulsebi/static/live.js"
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>live</title>"
        f"<link rel='icon' href='data:;base64,='><script src='{script}'></script></head><body>"
        # a first paint's wrapper names its live counterpart in data-live too: left alone
        + "<div class='pbi-first-paint' data-live='.pbi-page'>"
        + live_tile("revenue-today", "net_revenue.today", previous=1000)
        + live_tile("revenue-today-5s", "net_revenue.today", refresh=5)
        + "<div data-refresh='5'>"  # a page's setting, for its tiles without their own
        + live_tile("revenue-today-page-5s", "net_revenue.today")
        + "</div></div></body></html>"
    )


def open_snapshot_page(page, server: Server) -> None:
    """Log in (the token in a URL: the login cookie), then write the static page into a
    document the server served: its origin and address space (Chromium refuses a local socket
    to a page it cannot place, such as a routed one) and no API's CSP (default-src 'none')."""
    page.goto(f"{server.url}api/kernels?token={server.token}")
    page.goto(f"{server.url}voila/templates/pulsebi/static/pulsebi.css")
    page.set_content(snapshot_page(server))


def sell(crm: Engine, id_: int, amount: float) -> None:
    with crm.begin() as conn:
        conn.execute(
            text(
                "insert into crm.sales (id, lead_id, branch_id, sold_at, amount, "
                "commission_rate, product, status) values (:id, 1, 1, now(), :amount, 0.1, "
                "'roof', 'active')"
            ),
            {"id": id_, "amount": amount},
        )


def test_a_snapshot_tile_follows_the_servers_socket(
    page, page_log, server, crm, live_worker, own_redis, tmp_path
):
    from playwright.sync_api import expect

    open_snapshot_page(page, server)

    tile, slow = page.locator(LIVE), page.locator(EVERY_5S)
    value, slow_value = tile.locator(".pbi-tile-value"), slow.locator(".pbi-tile-value")
    expect(tile).to_have_attribute("data-state", "live", timeout=30_000)
    page_log.errors.clear()  # the stand-in document's own (its favicon): not the live page's
    expect(tile.locator(".pbi-tile-state")).to_have_text("● Live")
    expect(value).to_have_attribute("title", "$0.00")

    sell(crm, 1, 1234.56)
    expect(value).to_have_attribute("title", "$1,234.56", timeout=15_000)
    expect(value).to_have_text("$1.23K")  # compact, as the tile widget shows it
    expect(value).to_have_attribute("data-value", "1234.56")
    change = tile.locator(".pbi-tile-change")  # its comparison follows, as the widget's does
    expect(change).to_contain_text("▲ 23.5% vs last year")
    expect(change).to_have_attribute("data-tone", "good")

    # data-refresh: at most one new value every 5 s, the newest at the end of the interval
    page_slow = page.locator(PAGE_5S)
    expect(slow_value).to_have_attribute("title", "$1,234.56", timeout=10_000)
    expect(page_slow).to_have_attribute("title", "$1,234.56", timeout=10_000)
    sell(crm, 2, 1000.0)
    expect(value).to_have_attribute("title", "$2,234.56", timeout=15_000)
    expect(change).to_contain_text("▲ 123.5% vs last year")
    assert slow_value.get_attribute("title") == "$1,234.56"  # not yet: within its 5 s
    assert page_slow.get_attribute("title") == "$1,234.56"
    expect(slow_value).to_have_attribute("title", "$2,234.56", timeout=10_000)
    expect(page_slow).to_have_attribute("title", "$2,234.56", timeout=10_000)

    own_redis.stop()  # the server loses its Redis: the tiles say so and keep their figures
    expect(tile).to_have_attribute("data-state", "reconnecting", timeout=15_000)
    expect(tile.locator(".pbi-tile-state")).to_have_text("◌ Reconnecting…")
    expect(value).to_have_attribute("title", "$2,234.56")
    page.screenshot(path=str(tmp_path / "live-socket-reconnecting.png"))

    own_redis.start()  # back: the worker recomputes, the server resubscribes
    expect(tile).to_have_attribute("data-state", "live", timeout=30_000)
    expect(value).to_have_attribute("title", "$2,234.56", timeout=15_000)

    live_worker.set()  # the worker stops and says so: stale since then, the figures kept
    expect(tile).to_have_attribute("data-state", "stale", timeout=15_000)
    expect(tile.locator(".pbi-tile-state")).to_contain_text("Stale since")
    expect(value).to_have_attribute("title", "$2,234.56")
    assert page.locator(".pbi-first-paint").get_attribute("data-state") is None
    assert page_log.outside(server.url) == []
    assert page_log.errors == []


def test_a_page_that_loses_the_server_says_reconnecting_then_follows_again(
    page, server, crm, live_worker, live_settings, tmp_path
):
    """The page's own socket: the server going away is "Reconnecting…"; back, live again."""
    from playwright.sync_api import expect

    open_snapshot_page(page, server)
    tile = page.locator(LIVE)
    expect(tile).to_have_attribute("data-state", "live", timeout=30_000)

    server.stop()
    expect(tile).to_have_attribute("data-state", "reconnecting", timeout=15_000)
    expect(tile.locator(".pbi-tile-state")).to_have_text("◌ Reconnecting…")
    expect(tile.locator(".pbi-tile-value")).to_have_attribute("title", "$0.00")

    sell(crm, 3, 99.5)  # while the page is away: the snapshot it gets back has it
    env = {**os.environ, **live_settings.to_environ()}
    again = start_server(
        env, tmp_path / "again.log", port=server.port, extra_env={"PULSEBI_SERVE_POOL": "0"}
    )
    try:  # the login cookie still holds (the cookie secret is kept in the data directory)
        expect(tile).to_have_attribute("data-state", "live", timeout=30_000)
        value = tile.locator(".pbi-tile-value")
        expect(value).to_have_attribute("title", "$99.50", timeout=15_000)
    finally:
        again.stop()


EXECUTIVE = "notebooks/executive.ipynb"
NO_POOL = {"PULSEBI_SERVE_POOL": "0"}  # no kernel preheated: none may start
NOTEBOOKS = Path(__file__).parents[2] / "notebooks"


def test_the_executive_snapshot_pages_revenue_tile_moves_without_a_kernel(
    page, page_log, crm, settings: Settings
):
    """The whole path: `pulsebi serve --snapshots`, the executive page from its snapshot, a sale
    entered: its revenue tile moves, and no kernel was ever started."""
    from playwright.sync_api import expect

    from pulsebi.live.subscriber import stop_subscriber
    from pulsebi.snapshots import build_snapshot, store_snapshot
    from pulsebi.views import refresh_views

    refresh_views(crm, settings)
    try:
        store_snapshot(settings, build_snapshot(settings, EXECUTIVE, {}))
    finally:
        # the build's live tiles started this process's live subscriber on this test's
        # namespace, and a later build (another database, namespace) would reuse it
        stop_subscriber()
    env = {**os.environ, **settings.to_environ()}
    log = Path(settings.data_dir) / "serve-live-snapshot.log"
    with contextlib.ExitStack() as stack:
        stack.enter_context(running_worker(settings))  # the shared Redis, as the server's
        server = start_server(env, log, dirs=(NOTEBOOKS,), extra_env=NO_POOL, args=("--snapshots",))
        stack.callback(server.stop)

        page.goto(server.page_url(EXECUTIVE, f"token={server.token}"))
        expect(page.locator("body.pulsebi-snapshot")).to_have_count(1)
        tile = page.locator('.pbi-tile[data-live="net_revenue.today"]').first
        value = tile.locator(".pbi-tile-value")
        expect(tile).to_have_attribute("data-state", "live", timeout=30_000)
        expect(tile.locator(".pbi-tile-state")).to_have_text("● Live")
        expect(value).to_have_attribute("title", "$0.00")
        page.evaluate(
            "window.told = [];"
            "addEventListener('pulsebi:crm-changed', e => told.push(e.detail.tables))"
        )

        sell(crm, 11, 4321.09)
        expect(value).to_have_attribute("title", "$4,321.09", timeout=15_000)
        assert ["sales"] in page.evaluate("window.told")  # the page is told the CRM changed
        expect(value).to_have_text("$4.32K")
        assert server.kernels() == []  # a viewer who only looks never costs a kernel
        assert page_log.outside(server.url) == []
        assert page_log.errors == []
