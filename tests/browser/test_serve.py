"""`pulsebi serve` seen from Chromium: login, offline pages, no code, friendly errors, kernels
that do not pile up, and a banner when the page loses its kernel."""

from __future__ import annotations

import os
import signal
import time

from serving import Server, start_server

MARKER = "#marker"


def open_page(page, server: Server, path: str, query: str = "") -> None:
    """Log in with the token in the URL and open `path` (a cookie keeps the login)."""
    query = f"token={server.token}" + (f"&{query}" if query else "")
    # a page that is not preheated starts its kernel and runs the notebook first: on CI's two
    # busy cores that took over Playwright's default 30 s once
    page.goto(server.page_url(path, query), timeout=90_000)


def test_login_with_token_opens_dashboard_with_header_and_navigation(page, page_log, voila_server):
    open_page(page, voila_server, "serve/hello.ipynb")
    page.wait_for_selector(MARKER)
    assert page.inner_text(".pulsebi-brand") == "Pulse BI"
    nav = page.locator(".pulsebi-nav a")
    assert {"Hello", "Live", "Params", "Raises"} <= set(nav.all_inner_texts())
    assert page.locator(".pulsebi-nav a.active").inner_text() == "Hello"
    page.goto(voila_server.page_url("serve/params.ipynb"))  # the cookie keeps the login
    page.wait_for_selector(MARKER)
    assert page_log.errors == []


def test_page_without_login_goes_to_the_login_page(page, voila_server):
    page.goto(voila_server.page_url("serve/hello.ipynb"))
    assert "/login" in page.url
    assert page.locator(MARKER).count() == 0


def test_page_makes_no_request_outside_the_server(page, page_log, voila_server):
    open_page(page, voila_server, "serve/live.ipynb")
    page.wait_for_selector(MARKER)
    page.wait_for_selector(".widget-text input")
    icon = page.wait_for_selector(".widget-button i")
    # Font Awesome comes from Voilà's own bundle, not the stock template's CDN link.
    assert "Font Awesome" in icon.evaluate("el => getComputedStyle(el).fontFamily")
    assert page_log.requests, "the recorder saw nothing"
    assert page_log.outside(voila_server.url) == []
    assert page_log.errors == []


def test_no_code_reaches_the_page(page, voila_server):
    open_page(page, voila_server, "serve/hello.ipynb")
    page.wait_for_selector(MARKER)
    html = page.content()
    assert "SOURCE-MARKER-7f3a" not in html
    assert "request_params" not in html
    assert page.locator(".jp-CodeCell .jp-InputArea, .jp-CodeMirrorEditor").count() == 0
    assert page.locator("h1", has_text="Hello").is_visible()  # markdown cells do show


def test_notebook_that_raises_shows_a_friendly_error_and_no_traceback(page, voila_server):
    open_page(page, voila_server, "serve/raises.ipynb")
    page.wait_for_selector("#before")
    page.wait_for_selector(".pulsebi-error")
    html = page.content()
    for leak in ("secret-traceback-detail-42", "RuntimeError", "Traceback", "show_tracebacks"):
        assert leak not in html
    assert "could not be shown" in page.inner_text(".pulsebi-error")


def test_template_in_the_url_is_ignored(page, page_log, voila_server):
    open_page(page, voila_server, "serve/params.ipynb", "template=lab")
    page.wait_for_selector(MARKER)
    assert page.locator(".pulsebi-header").count() == 1
    assert page_log.outside(voila_server.url) == []  # the stock lab template would use a CDN


def test_query_string_reaches_preheated_and_cold_notebooks(page, voila_server):
    for notebook in ("serve/hello.ipynb", "serve/params.ipynb"):  # hello.ipynb is preheated
        open_page(page, voila_server, notebook, "branch=DAL")
        page.wait_for_selector(MARKER)
        assert page.inner_text(MARKER) == "branch DAL"
    assert "Using pre-heated kernel" in voila_server.output()


def test_opening_and_closing_pages_leaves_no_extra_kernel(browser, start_voila):
    # No culling on this server: only the pages' own shutdown beacons can end their kernels.
    server = start_voila(
        "no-cull",
        preheat=("serve/hello.ipynb",),
        extra_env={"PULSEBI_SERVE_POOL": "1", "PULSEBI_SERVE_CULL": "0"},
    )
    before = server.wait_for_kernels(lambda ks: len(ks) == 1)  # the preheated pool
    context = browser.new_context()
    for round_ in range(10):
        page = context.new_page()
        path = "serve/hello.ipynb" if round_ % 2 else "serve/params.ipynb"
        open_page(page, server, path)
        page.wait_for_selector(MARKER)
        if round_ % 3 == 0:
            page.reload()  # a reload ends the old page's kernel too
            page.wait_for_selector(MARKER)
        page.close(run_before_unload=True)  # what closing a tab does
    context.close()
    kernels = server.wait_for_kernels(lambda ks: len(ks) <= len(before), timeout=60)
    assert len(kernels) == len(before), kernels
    assert "403 POST /voila/api/shutdown" not in server.output()


def test_kernel_of_a_vanished_page_is_culled_although_it_keeps_sending(browser, start_voila):
    voila_server = start_voila(
        "cull", extra_env={"PULSEBI_SERVE_CULL": "8", "PULSEBI_SERVE_CULL_EVERY": "1"}
    )
    context = browser.new_context()
    page = context.new_page()
    open_page(page, voila_server, "serve/live.ipynb")
    pid = int(page.get_attribute(MARKER, "data-pid"))
    ticks = page.locator(".widget-text input")
    page.wait_for_function("el => Number(el.value) >= 5", arg=ticks.element_handle())
    page_kernels = {k["id"] for k in voila_server.kernels() if k["connections"]}
    page.close()  # no beforeunload: the page vanishes without saying so (crash, lost network)
    context.close()
    time.sleep(1)
    alive = {k["id"] for k in voila_server.kernels()}
    assert page_kernels & alive, "the kernel went away before the culler could matter"
    kernels = voila_server.wait_for_kernels(lambda ks: not page_kernels & {k["id"] for k in ks})
    assert not page_kernels & {k["id"] for k in kernels}
    assert_process_gone(pid)


def test_killed_kernel_shows_the_restarted_banner(page, voila_server):
    open_page(page, voila_server, "serve/live.ipynb")
    pid = int(page.get_attribute(MARKER, "data-pid"))
    ticks = page.locator(".widget-text input")
    page.wait_for_function("el => Number(el.value) >= 2", arg=ticks.element_handle())  # connected
    assert page.locator("#pulsebi-banner").is_hidden()
    os.kill(pid, signal.SIGKILL)
    page.wait_for_selector("#pulsebi-banner[data-state='restarted']", timeout=60_000)
    assert "restarted" in page.inner_text("#pulsebi-banner")
    assert page.locator("#pulsebi-banner .pulsebi-reload").is_visible()


def test_stopped_server_shows_connection_lost_then_restarted(page, start_voila, cli_env, tmp_path):
    server = start_voila("doomed")
    open_page(page, server, "serve/live.ipynb")
    page.wait_for_selector(MARKER)
    server.stop()
    page.wait_for_selector("#pulsebi-banner[data-state='lost']", timeout=30_000)
    assert "Connection lost" in page.inner_text("#pulsebi-banner")
    assert page.evaluate("document.body.classList.contains('pulsebi-stale')")
    # Back on the same port (same login secret), without the page's kernel: only a reload helps.
    again = start_server(cli_env, tmp_path / "again.log", port=server.port)
    try:
        page.wait_for_selector("#pulsebi-banner[data-state='restarted']", timeout=60_000)
    finally:
        again.stop()


def assert_process_gone(pid: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    raise AssertionError(f"kernel process {pid} still runs")
