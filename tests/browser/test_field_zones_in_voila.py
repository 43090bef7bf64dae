"""The builder's field-zones widget in Voilà and Chromium (tests/notebooks/
renders_field_zones_live.ipynb, which shows what Python holds beside the widget).

Real pointer drags (page.mouse down / move / up) build Values = net revenue, leads, X = month,
Series = branch; reorder the two values; move branch to Filters, put channel in Series; drag
net revenue out; a measure dropped on Series is refused, with the reason shown while it
hovers and after the drop; a field dropped on a full X takes its place; × removes. The
keyboard alone builds the same zones. After every step Python's `zones` equal the page's
chips. Every control has an accessible name and the focused one a visible ring. The axe-core
WCAG scan of the whole builder page is in test_builder_keyboard_in_voila.py.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulsebi.builder.zones import Zones

pytestmark = pytest.mark.browser

NOTEBOOKS = Path(__file__).parents[1] / "notebooks"
TEMPLATE_CDN = "cdn.jsdelivr.net/npm/@fortawesome"  # the stock lab template's own stylesheet
EMPTY = {"values": [], "x": [], "series": [], "filters": []}
BUILT = {"values": ["net_revenue", "leads"], "x": ["month"], "series": ["branch"], "filters": []}
REORDERED = {**BUILT, "values": ["leads", "net_revenue"]}
MOVED = {**REORDERED, "series": ["channel"], "filters": ["branch"]}
FINAL = {**MOVED, "values": ["leads"]}
EXAMPLE = {"values": ["bookings"], "x": ["week"], "series": [], "filters": ["channel"]}
# which roles must carry a name (the aria snapshot writes them `- role "name"`)
NAMED_ROLES = {"group", "listbox", "option", "searchbox", "textbox", "menu", "menuitem", "button"}


@pytest.fixture(scope="module")
def zones_url() -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "voila",
        "renders_field_zones_live.ipynb",
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


@pytest.fixture
def zones_page(browser, zones_url: str) -> Iterator:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(zones_url, timeout=90_000)
        field(page, "net_revenue").wait_for(timeout=90_000)
        yield page
        outside = [u for u in requests if not u.startswith(zones_url) and TEMPLATE_CDN not in u]
        assert [u for u in outside if not u.startswith(("data:", "blob:", "ws:"))] == []
        assert [e for e in errors if "Failed to load resource" not in e] == []
    finally:
        context.close()


def field(page, field_id: str):
    return page.locator(f'.pbi-fz-field[data-field="{field_id}"]')


def chip(page, zone: str, field_id: str):
    return page.locator(f'.pbi-fz-chip[data-zone="{zone}"][data-field="{field_id}"]')


def zone(page, zone_id: str):
    return page.locator(f'.pbi-fz-zone[data-zone="{zone_id}"]')


def drag(page, source, target, *, at: float = 0.5, while_over=None) -> None:
    """A real pointer drag: press on `source`, move in steps to `target` (`at` of its height),
    call `while_over()` before releasing."""
    source.scroll_into_view_if_needed()
    box = source.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 8, y + 6, steps=2)
    end = target.bounding_box()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] * at, steps=8)
    if while_over is not None:
        while_over()
    page.mouse.up()


def search(page, text: str) -> None:
    page.locator(".pbi-fz-search").fill(text)


def shown_zones(page) -> dict[str, list[str]]:
    """The chips the page shows, zone by zone."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.pbi-fz-chips')].map(
            (z) => [z.dataset.zone, [...z.querySelectorAll('.pbi-fz-chip')].map(
                (c) => c.dataset.field)]))"""
    )


def expect_zones(page, expected: dict[str, list[str]]) -> None:
    """Python's zones (shown by the notebook) become `expected`, and so are the page's chips."""
    from playwright.sync_api import expect

    text = json.dumps(expected, sort_keys=True, separators=(",", ":"))
    expect(page.locator(".pbi-python-zones-json")).to_have_text(text, timeout=15_000)
    assert shown_zones(page) == expected


def expect_status(page, text) -> None:
    """The status line (a live region) says `text` (it is set a frame after it is cleared)."""
    from playwright.sync_api import expect

    expect(page.locator(".pbi-fz-status")).to_have_text(text, timeout=5_000)


def focused_key(page) -> str | None:
    return page.evaluate("() => document.activeElement && document.activeElement.dataset.key")


def press_until(page, key: str, want: str, limit: int = 12) -> None:
    for _ in range(limit):
        if focused_key(page) == want:
            return
        page.keyboard.press(key)
    assert focused_key(page) == want


def menu_until(page, zone_id: str) -> None:
    """Arrow down the open menu to the item of `zone_id`."""
    for _ in range(6):
        if page.evaluate("() => document.activeElement.dataset.zone") == zone_id:
            return
        page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.dataset.zone") == zone_id


def test_pointer_drags_build_reorder_move_and_remove(zones_page) -> None:
    page = zones_page
    refused = Zones().refusal("net_revenue", "series")
    reason = zone(page, "series").locator(".pbi-fz-reason")

    def hovering_series() -> None:
        assert "pbi-fz-refuse" in zone(page, "series").get_attribute("class")
        assert reason.inner_text() == refused and reason.is_visible()

    drag(page, field(page, "net_revenue"), zone(page, "series"), while_over=hovering_series)
    expect_status(page, f"Not moved: {refused}.")
    assert shown_zones(page) == EMPTY

    drag(page, field(page, "net_revenue"), zone(page, "values"))
    drag(page, field(page, "leads"), zone(page, "values"), at=0.9)  # below net revenue
    drag(page, field(page, "month"), zone(page, "x"))
    search(page, "bran")
    assert page.locator(".pbi-fz-field").count() == 1
    drag(page, field(page, "branch"), zone(page, "series"))
    expect_zones(page, BUILT)
    assert field(page, "branch").inner_text().endswith("in Series / Columns")

    # leads dropped on the top of net revenue's chip: first
    drag(page, chip(page, "values", "leads"), chip(page, "values", "net_revenue"), at=0.2)
    expect_zones(page, REORDERED)

    drag(page, chip(page, "series", "branch"), zone(page, "filters"))
    search(page, "channel")
    drag(page, field(page, "channel"), zone(page, "series"))
    expect_zones(page, MOVED)

    # out of every zone (here onto the field list): removed
    drag(page, chip(page, "values", "net_revenue"), page.locator(".pbi-fz-fields"))
    expect_zones(page, FINAL)
    expect_status(page, "Net revenue removed from Values.")

    # a full X: the new field takes its place, and back; × removes
    search(page, "")
    drag(page, field(page, "week"), zone(page, "x"))
    expect_zones(page, {**FINAL, "x": ["week"]})
    expect_status(page, re.compile("in place of Month"))
    drag(page, field(page, "month"), zone(page, "x"))
    drag(page, field(page, "bookings"), zone(page, "values"))
    expect_zones(page, {**FINAL, "values": ["leads", "bookings"]})
    chip(page, "values", "bookings").locator(".pbi-fz-x").click()
    expect_zones(page, FINAL)

    # Python's changes are drawn
    page.locator(".pbi-example button, button.pbi-example").first.click()
    expect_zones(page, EXAMPLE)
    page.locator(".pbi-clear button, button.pbi-clear").first.click()
    expect_zones(page, EMPTY)


def test_the_keyboard_alone_builds_the_same_zones(zones_page) -> None:
    page = zones_page
    keys = page.keyboard
    press_until(page, "Tab", "search")
    keys.press("Tab")
    assert focused_key(page) == "f:net_revenue"

    keys.press("Enter")  # the "Put in" menu, on the first zone that takes the field
    menu = page.locator('.pbi-fz-menu[role="menu"]')
    assert menu.get_attribute("aria-label") == "Put Net revenue in"
    assert page.evaluate("() => document.activeElement.dataset.zone") == "values"
    series = menu.locator('[data-zone="series"]')
    refused = Zones().refusal("net_revenue", "series")
    assert series.get_attribute("aria-disabled") == "true"
    assert series.locator(".pbi-fz-menu-why").inner_text() == refused
    menu_until(page, "series")
    keys.press("Enter")  # refused: said, and the menu stays
    expect_status(page, f"Not moved: {refused}.")
    keys.press("Home")
    keys.press("Enter")
    assert menu.count() == 0 and focused_key(page) == "f:net_revenue"

    press_until(page, "ArrowDown", "f:leads")
    keys.press("Enter")
    keys.press("Enter")
    keys.press("Shift+Tab")
    keys.type("month")
    keys.press("ArrowDown")
    assert focused_key(page) == "f:month"
    keys.press("Enter")
    assert page.evaluate("() => document.activeElement.dataset.zone") == "x"
    keys.press("Enter")
    keys.press("Shift+Tab")
    keys.press("Control+a")
    keys.type("branch")
    keys.press("ArrowDown")
    keys.press("Enter")
    menu_until(page, "series")
    keys.press("Enter")
    expect_zones(page, BUILT)

    keys.press("Tab")  # to the zones: the last field put in Values
    assert focused_key(page) == "c:values:leads"
    keys.press("Alt+ArrowUp")
    expect_zones(page, REORDERED)
    assert focused_key(page) == "c:values:leads"

    press_until(page, "Tab", "c:series:branch")
    keys.press("Enter")
    assert menu.get_attribute("aria-label") == "Move Branch in"
    menu_until(page, "filters")
    keys.press("Enter")
    assert focused_key(page) == "c:filters:branch"
    press_until(page, "Shift+Tab", "search")
    keys.press("Control+a")
    keys.type("channel")
    keys.press("ArrowDown")
    keys.press("Enter")
    menu_until(page, "series")
    keys.press("Enter")
    expect_zones(page, MOVED)

    keys.press("Tab")
    assert focused_key(page) == "c:values:leads"
    keys.press("ArrowDown")
    assert focused_key(page) == "c:values:net_revenue"
    keys.press("Delete")
    expect_zones(page, FINAL)
    assert focused_key(page) == "c:values:leads"
    ring = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert ring != "none"


def _unnamed(snapshot: str) -> list[str]:
    """Lines of an aria snapshot whose role must be named and is not."""
    bad = []
    for line in snapshot.splitlines():
        match = re.match(r'\s*- (\w+)( "[^"]+")?', line)
        if match and match.group(1) in NAMED_ROLES and not match.group(2):
            bad.append(line.strip())
    return bad


def test_every_control_has_an_accessible_name(zones_page) -> None:
    page = zones_page
    page.locator(".pbi-example button, button.pbi-example").first.click()
    expect_zones(page, EXAMPLE)
    snapshot = page.locator(".pbi-fz").aria_snapshot()
    assert _unnamed(snapshot) == []
    for line in ('searchbox "Search fields"', 'listbox "Fields"', 'group "Measures"'):
        assert line in snapshot
    assert 'option "Bookings"' in snapshot  # the chip in Values
    assert 'listbox "Values"' in snapshot and 'listbox "Filters"' in snapshot
    for node in page.locator('.pbi-fz [role="listbox"]').all():
        assert node.get_attribute("aria-describedby"), "each list says how to use it"
    chip(page, "filters", "channel").focus()
    page.keyboard.press("Enter")
    menu = page.locator('.pbi-fz-menu[role="menu"]')
    menu_snapshot = menu.aria_snapshot()
    assert _unnamed(menu_snapshot) == []
    assert 'menuitem "Remove from Filters"' in menu_snapshot
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Escape")
    assert menu.count() == 0 and focused_key(page) == "c:filters:channel"
    status = page.locator(".pbi-fz-status")
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live")
