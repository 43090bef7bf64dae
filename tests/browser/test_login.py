"""The login page in Chromium: the product's look with one field, "wrong token" in place, the
page asked for after a right one, and never another site."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

pytestmark = pytest.mark.slow

PAGE = "serve/hello.ipynb"


def open_login(page, server, target: str | None = None) -> None:
    """Ask for `target` (a page: the server sends the browser to its login page) or open the
    login page with `next=target` when it is no page of the server."""
    if target is None:
        page.goto(server.page_url(PAGE))
    else:
        page.goto(f"{server.url}login?next={quote(target, safe='')}")
    page.wait_for_selector("form input#password")


def log_in(page, secret: str) -> None:
    page.fill("#password", secret)
    with page.expect_navigation():
        page.click("button[type=submit]")


def test_the_login_page_has_the_products_look_and_one_field(page, page_log, voila_server):
    open_login(page, voila_server)
    assert urlsplit(page.url).path == "/login"
    header = page.locator("header.pulsebi-header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(20, 33, 61)"
    assert header.inner_text().strip() == "Pulse BI"
    assert page.title() == "Log in · Pulse BI"
    visible = page.locator("input:not([type=hidden])")
    assert visible.count() == 1
    assert visible.get_attribute("type") == "password"
    assert page.locator("label[for=password]").inner_text() == "Token"
    body = page.inner_text("body")
    for stock in ("jupyter", "Jupyter", "Password", "server list"):
        assert stock not in body
    assert page_log.outside(voila_server.url) == []  # nothing from a CDN
    page.screenshot(path=str(voila_server.log.parent / "login.png"))


def test_a_wrong_token_shows_the_message_in_place(page, voila_server):
    open_login(page, voila_server)
    log_in(page, "not-the-token")
    alert = page.locator(".pulsebi-login-error")
    assert alert.inner_text() == "Wrong token. Try again."
    assert urlsplit(page.url).path == "/login"
    assert page.locator("#password").get_attribute("aria-invalid") == "true"
    page.screenshot(path=str(voila_server.log.parent / "login-wrong.png"))
    log_in(page, voila_server.token)  # a second try still goes where the viewer was going
    assert urlsplit(page.url).path == f"/voila/render/{PAGE}"


def test_the_right_token_lands_on_the_page_asked_for(page, voila_server):
    open_login(page, voila_server)
    log_in(page, voila_server.token)
    assert urlsplit(page.url).path == f"/voila/render/{PAGE}"
    page.wait_for_selector("header.pulsebi-header")
    assert page.locator("form input#password").count() == 0


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/", "/\\evil.example"])
def test_next_to_another_site_is_not_followed(page, voila_server, target):
    open_login(page, voila_server, target)
    log_in(page, voila_server.token)
    assert urlsplit(page.url).netloc == urlsplit(voila_server.url).netloc
    assert "evil" not in page.url
