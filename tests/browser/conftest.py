"""Browser fixtures: a `pulsebi serve` started by the test, and a Chromium page that records.

chromium      Debian's /usr/bin/chromium driven by Playwright (never `playwright install`);
              missing: a failure on CI (CI=true), a skip elsewhere
  └ browser   one headless Chromium per session
      └ page  a fresh context (no cookies) and page; `page_log` holds its console errors and
              every request it made, so a test can assert "nothing outside the server"
voila_server  `pulsebi serve` on tests/notebooks/serve (hello.ipynb preheated), against the test
              database (cli_env), started once and shared (start_voila starts more)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from serving import Server, start_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
SERVE_ENV = {
    "PULSEBI_SERVE_POOL": "1",
    "PULSEBI_SERVE_CULL": "30",  # a safety net: pages close with their beacon
    "PULSEBI_SERVE_CULL_EVERY": "1",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class PageLog:
    """What a page did: every request URL, and its errors (console errors, uncaught exceptions,
    HTTP error responses)."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def outside(self, origin: str) -> list[str]:
        """Requests (HTTP or WebSocket) to anywhere but `origin`'s host and port."""
        server = urlsplit(origin).netloc
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).netloc != server
        ]


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def page(browser, page_log: PageLog) -> Iterator:
    context = browser.new_context()
    page = context.new_page()
    page.on("request", lambda request: page_log.requests.append(request.url))
    page.on("websocket", lambda ws: page_log.requests.append(ws.url))
    page.on(
        "console",
        lambda message: page_log.errors.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: page_log.errors.append(f"uncaught: {error}"))
    page.on(
        "response",
        lambda response: (
            page_log.errors.append(f"HTTP {response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    yield page
    if not page.is_closed():
        page.close(run_before_unload=True)  # like closing the tab: its kernel is shut down
    context.close()


_servers: dict[str, Server] = {}


@pytest.fixture(scope="session")
def _server_registry() -> Iterator[dict[str, Server]]:
    yield _servers
    for server in _servers.values():
        server.stop()
    _servers.clear()


@pytest.fixture
def start_voila(cli_env: dict[str, str], _server_registry: dict[str, Server], tmp_path_factory):
    """start_voila(name, **start_server options): a server started once per name and session,
    with the test database's environment (cli_env)."""

    def start(name: str, **options) -> Server:
        server = _server_registry.get(name)
        if server is None or server.process.poll() is not None:
            log = tmp_path_factory.mktemp(f"serve-{name}") / "serve.log"
            server = start_server(cli_env, log, **options)
            _server_registry[name] = server
        return server

    return start


@pytest.fixture
def voila_server(start_voila) -> Server:
    """The shared test server: hello.ipynb preheated."""
    return start_voila("main", preheat=("serve/hello.ipynb",), extra_env=SERVE_ENV)
