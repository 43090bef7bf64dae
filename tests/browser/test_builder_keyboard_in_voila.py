"""The Report builder page (notebooks/report_builder.ipynb) under `pulsebi serve` in Chromium, for
someone who does not use a mouse, and checked by axe-core.

axe-core (the npm package, installed by .ci/run into .ci/node, or PULSEBI_AXE_JS) is injected
into the page and finds no WCAG 2.0/2.1 A or AA violation, on the empty builder and with a
saved report opened in it (chart, filter picker, saved list). The keyboard alone (Tab, arrows,
Enter, Space, Delete, typing: no click, no fill) builds the issue's report: net revenue to
Values, month to X, branch to Series, leads to Values and above net revenue, one removed and
put back, Line, last 12 months, lead channel on tv and digital, a title, Save; after every
step the focus is on a control of the page with a visible ring, never on <body>. The saved
spec equals the one the pointer builds (real drags, leads dragged above net revenue).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from pulsebi.builder import get_report, list_reports, load_spec, save_report
from pulsebi.db import get_engine
from pulsebi.settings import Settings
from pulsebi.views import refresh_views
from serving import Server, start_server

ROOT = Path(__file__).parents[2]
NOTEBOOKS = ROOT / "notebooks"
PAGE = "notebooks/report_builder.ipynb"
NAME = "Revenue by branch (keyboard test)"
AXE_JS = ROOT / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ZONES = {
    "values": ["leads", "net_revenue"],
    "x": ["month"],
    "series": ["branch"],
    "filters": ["channel"],
}
# what both the keyboard and the pointer save (the title apart)
SPEC = {
    "visual": "line",
    "values": ["leads", "net_revenue"],
    "x": "month",
    "series": "branch",
    "filters": [{"field": "channel", "values": ["digital", "tv"]}],
    "dates": {"preset": "last_12_months"},
}


@pytest.fixture(scope="module")
def builder_server(seeded: Settings, tmp_path_factory) -> Iterator[Server]:
    """`pulsebi serve` over notebooks/ on the seeded database (views refreshed)."""
    refresh_views(get_engine(seeded), seeded)
    env = {**os.environ, **seeded.to_environ()}
    log = tmp_path_factory.mktemp("serve-builder-keyboard") / "serve.log"
    server = start_server(env, log, dirs=(NOTEBOOKS,), extra_env={"PULSEBI_SERVE_POOL": "1"})
    yield server
    server.stop()


@pytest.fixture
def saved_cleanup(seeded: Settings) -> Iterator[None]:
    """Remove the reports this test saves (the seeded database is shared read-only data)."""
    yield
    ids = [r.id for r in list_reports(settings=seeded) if r.name.startswith(NAME)]
    if ids:
        with get_engine(seeded).begin() as conn:
            conn.execute(text("delete from bi.saved_reports where id = any(:ids)"), {"ids": ids})


@pytest.fixture(scope="session")
def axe_js() -> Path:
    """axe-core's axe.min.js: PULSEBI_AXE_JS, or where .ci/run installs it."""
    path = Path(os.environ.get("PULSEBI_AXE_JS") or AXE_JS)
    if not path.is_file():
        pytest.fail(
            f"axe-core is missing ({path}): run `npm install --prefix .ci/node axe-core@4` "
            "in the repository (.ci/run does), or point PULSEBI_AXE_JS at axe.min.js"
        )
    return path


# The kernel's traffic, seen from the page: when the page last sent on the kernel's socket, and
# when the kernel last said it was idle (the status message, in either WebSocket protocol).
KERNEL_WATCH = """(() => {
    const Native = window.WebSocket;
    const state = {sent: 0, idle: 0, status: "starting"};
    const decoder = new TextDecoder("utf-8");
    function statusOf(data) {
        try {
            if (typeof data === "string") {
                const msg = JSON.parse(data);
                return msg.header && msg.header.msg_type === "status"
                    ? msg.content.execution_state : null;
            }
            const view = new DataView(data);
            const offsets = [];
            for (let i = 0; i < 6; i++) offsets.push(Number(view.getBigUint64(8 * (i + 1), true)));
            const header = JSON.parse(decoder.decode(data.slice(offsets[1], offsets[2])));
            if (header.msg_type !== "status") return null;
            return JSON.parse(decoder.decode(data.slice(offsets[4], offsets[5]))).execution_state;
        } catch (e) {
            return null;
        }
    }
    function Watched(url, protocols) {
        const socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
        if (/\\/api\\/kernels\\/.*\\/channels/.test(String(url))) {
            socket.addEventListener("message", (event) => {
                const status = statusOf(event.data);
                if (!status) return;
                state.status = status;
                if (status === "idle") state.idle = performance.now();
            });
        }
        return socket;
    }
    Watched.prototype = Native.prototype;
    for (const name of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) Watched[name] = Native[name];
    window.WebSocket = Watched;
    const send = Native.prototype.send;
    Native.prototype.send = function (data) {
        if (/\\/channels/.test(this.url)) state.sent = performance.now();
        return send.call(this, data);
    };
    // idle, nothing sent since, for 300 ms: ipywidgets has sent the values it held back
    window.pbiKernelSettled = () => state.status === "idle" && state.idle > state.sent
        && performance.now() - state.idle > 300;
})();"""


def settle(page) -> None:
    """Wait until the kernel has taken every change the page made.

    ipywidgets holds a widget's next value back while the kernel works on its last one, but sends
    a button's click at once: a click made meanwhile reaches Python before the held-back values.
    """
    page.wait_for_function("() => window.pbiKernelSettled()", timeout=60_000)


def open_builder(page, server: Server, query: str = "") -> None:
    page.add_init_script(KERNEL_WATCH)
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(server.page_url(PAGE, f"token={server.token}{query}"))
    page.locator('.pbi-fz-field[data-field="net_revenue"]').wait_for(timeout=90_000)


def axe_violations(page, axe_js: Path) -> list[str]:
    """axe-core's WCAG A/AA violations in the page, one line per rule and node."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_js))
    found = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map((v) => ({id: v.id, help: v.help,
                nodes: v.nodes.map((n) => [n.target.join(" "), n.failureSummary,
                                           n.html.slice(0, 160)])}));
        }""",
        AXE_TAGS,
    )
    return [
        f"{v['id']} ({v['help']}): {target} | {summary} | {html}"
        for v in found
        for target, summary, html in v["nodes"]
    ]


# ---- the keyboard ----------------------------------------------------------------------------
FOCUSED = """() => {
    const a = document.activeElement;
    const style = a ? getComputedStyle(a) : null;
    return {
        body: !a || a === document.body || a === document.documentElement,
        key: a && a.dataset ? a.dataset.key || a.dataset.zone || null : null,
        text: a ? (a.getAttribute("aria-label") || a.textContent || "").trim().slice(0, 60) : "",
        ring: style ? style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2 : false,
        inPage: !!(a && a.closest(".pbi-builder, .pulsebi-skip, .pbi-fz-menu")),
    };
}"""


def focused(page) -> dict:
    """What has the focus: its data-key (or a menu item's zone), text, whether it shows a ring."""
    return page.evaluate(FOCUSED)


def check_focus(page) -> dict:
    """The focus is on a control of the page (never <body>), with a visible ring."""
    now = focused(page)
    assert not now["body"], "the focus was lost to <body>"
    assert now["inPage"], f"the focus left the builder: {now}"
    assert now["ring"], f"no focus ring on {now}"
    return now


def press(page, *keys: str) -> dict:
    for key in keys:
        page.keyboard.press(key)
    return check_focus(page)


def tab_to(page, selector: str, *, back: bool = False, limit: int = 60) -> None:
    """Tab (Shift+Tab with `back`) until the focused element matches `selector`."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            check_focus(page)
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"{selector} not reached by Tab; the focus is on {focused(page)}")


def menu_to(page, zone_id: str) -> None:
    """Arrow down the open "Put in" / "Move to" menu to the item of `zone_id`."""
    for _ in range(6):
        if focused(page)["key"] == zone_id:
            return
        press(page, "ArrowDown")
    assert focused(page)["key"] == zone_id


def put(page, query: str, field_id: str, zone_id: str) -> None:
    """From the field list: search `query`, arrow to the field, Enter, choose the zone, Enter."""
    tab_to(page, ".pbi-fz-search", back=True)
    page.keyboard.press("Control+a")
    page.keyboard.type(query)
    assert press(page, "ArrowDown")["key"] == f"f:{field_id}"
    press(page, "Enter")
    menu_to(page, zone_id)
    assert press(page, "Enter")["key"] == f"f:{field_id}"  # back on the field, not <body>


def shown_zones(page) -> dict[str, list[str]]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.pbi-fz-chips')].map(
            (z) => [z.dataset.zone, [...z.querySelectorAll('.pbi-fz-chip')].map(
                (c) => c.dataset.field)]))"""
    )


def expect_zones(page, **zones: list[str]) -> None:
    from playwright.sync_api import expect

    want = {"values": [], "x": [], "series": [], "filters": [], **zones}
    assert shown_zones(page) == want
    expect(page.locator(".pbi-fz-status")).not_to_have_attribute("data-kind", "refused")


def said(page, text: str) -> None:
    """The widget's live region says `text`."""
    from playwright.sync_api import expect

    expect(page.locator(".pbi-fz-status")).to_have_text(text, timeout=5_000)


def saved_spec(settings: Settings, name: str) -> dict:
    """The spec saved under `name`, its title left out."""
    [info] = [r for r in list_reports(settings=settings) if r.name == name]
    return get_report(info.id, settings=settings).spec.model_dump(exclude={"title"})


def expected_spec() -> dict:
    return load_spec(SPEC).model_dump(exclude={"title"})


def test_axe_finds_no_wcag_violation(page, page_log, builder_server, seeded, axe_js, saved_cleanup):
    from playwright.sync_api import expect

    open_builder(page, builder_server)
    expect(page.locator(".pbi-builder-preview")).to_contain_text("needs a measure", timeout=30_000)
    assert axe_violations(page, axe_js) == []

    saved = save_report({**SPEC, "title": NAME}, by="axe", name=NAME, settings=seeded)
    open_builder(page, builder_server, f"&report_id={saved.id}")
    status = page.locator(".pbi-builder-status")
    expect(status).to_contain_text(f"Opened '{NAME}'", timeout=90_000)
    expect(page.locator(".pbi-builder-preview path.line").first).to_be_visible(timeout=60_000)
    assert axe_violations(page, axe_js) == []
    assert page_log.errors == []


def test_the_keyboard_alone_builds_and_saves_the_report(
    page, page_log, builder_server, seeded, axe_js, saved_cleanup
) -> None:
    from playwright.sync_api import expect

    open_builder(page, builder_server)
    keys = page.keyboard
    preview = page.locator(".pbi-builder-preview")
    expect(preview).to_contain_text("needs a measure", timeout=30_000)

    # the first Tab: past the navigation to the page
    keys.press("Tab")
    assert focused(page)["text"] == "Skip to the dashboard"
    keys.press("Enter")
    assert press(page, "Tab")["key"] == "search"
    assert press(page, "Tab")["key"] == "f:net_revenue"
    press(page, "Enter")  # the "Put in" menu, on the first zone that takes it
    menu = page.locator('.pbi-fz-menu[role="menu"]')
    expect(menu).to_have_attribute("aria-label", "Put Net revenue in")
    assert focused(page)["key"] == "values"
    assert axe_violations(page, axe_js) == []  # the menu open
    assert press(page, "Enter")["key"] == "f:net_revenue"
    expect(menu).to_have_count(0)
    said(page, "Net revenue added to Values.")
    expect_zones(page, values=["net_revenue"])

    put(page, "month", "month", "x")
    put(page, "branch", "branch", "series")
    put(page, "leads", "leads", "values")
    said(page, "Leads added to Values, 2 of 2.")
    expect_zones(page, values=["net_revenue", "leads"], x=["month"], series=["branch"])

    # leads above net revenue: Alt+Up on its chip
    tab_to(page, ".pbi-fz-search", back=True)
    keys.press("Control+a")
    keys.press("Backspace")  # every field listed again, leads still the list's current one
    assert press(page, "Tab")["key"] == "f:leads"
    assert press(page, "Tab")["key"] == "c:values:leads"  # the zones follow the list
    assert press(page, "Alt+ArrowUp")["key"] == "c:values:leads"
    said(page, "Leads moved to position 1 of 2 in Values.")
    expect_zones(page, values=["leads", "net_revenue"], x=["month"], series=["branch"])

    # net revenue removed with Delete, then put back from the list
    assert press(page, "ArrowDown")["key"] == "c:values:net_revenue"
    assert press(page, "Delete")["key"] == "c:values:leads"
    said(page, "Net revenue removed from Values.")
    expect_zones(page, values=["leads"], x=["month"], series=["branch"])
    assert press(page, "Shift+Tab")["key"].startswith("f:")
    assert press(page, "Home")["key"] == "f:net_revenue"
    press(page, "Enter")
    assert focused(page)["key"] == "values"
    press(page, "Enter")
    said(page, "Net revenue added to Values, 2 of 2.")

    put(page, "channel", "channel", "filters")
    expect_zones(page, **ZONES)
    picker = page.locator(".pbi-builder-filter-channel select")
    expect(picker).to_be_attached(timeout=30_000)

    # Table, then back to Line: no field lost
    tab_to(page, '.pbi-builder-visual button[data-value="Table"]')
    press(page, "Enter")
    expect(preview.locator("table.pbi-table")).to_be_visible(timeout=60_000)
    tab_to(page, '.pbi-builder-visual button[data-value="Line"]', back=True)
    press(page, "Space")
    line = page.locator('.pbi-builder-visual button[data-value="Line"]')
    expect(line).to_have_attribute("aria-pressed", "true")
    expect(preview.locator("path.line").first).to_be_visible(timeout=60_000)
    expect_zones(page, **ZONES)

    # the dates: arrows in the closed select (Last quarter, back to Last 12 months)
    tab_to(page, ".pbi-builder-preset select")
    preset = page.locator(".pbi-builder-preset select")
    press(page, "ArrowDown")
    expect(preset).to_have_value("Last quarter")
    press(page, "ArrowUp")
    expect(preset).to_have_value("Last 12 months")

    # lead channel on digital and tv: type-ahead, then Ctrl+End and Ctrl+Space to add tv
    tab_to(page, ".pbi-builder-filter-channel select")
    keys.type("d")
    press(page, "Control+End", "Control+Space")
    chosen = "s => [...s.selectedOptions].map((o) => o.value)"
    assert picker.evaluate(chosen) == ["digital", "tv"]

    tab_to(page, ".pbi-builder-title input")
    keys.type(NAME)
    tab_to(page, ".pbi-builder-save")
    settle(page)
    press(page, "Enter")
    status = page.locator(".pbi-builder-status")
    expect(status).to_contain_text("version 1", timeout=30_000)
    expect(status).to_have_attribute("role", "status")
    check_focus(page)
    expect_zones(page, **ZONES)
    assert saved_spec(seeded, NAME) == expected_spec()
    assert axe_violations(page, axe_js) == []  # the report built and saved
    assert page.locator(".pulsebi-error").count() == 0
    assert page_log.errors == []


def test_the_pointer_reorders_values_and_saves_the_same_spec(
    page, page_log, builder_server, seeded, saved_cleanup
) -> None:
    from playwright.sync_api import expect

    open_builder(page, builder_server)
    preview = page.locator(".pbi-builder-preview")
    expect(preview).to_contain_text("needs a measure", timeout=30_000)
    drag(page, field(page, "net_revenue"), zone(page, "values"))
    drag(page, field(page, "month"), zone(page, "x"))
    drag(page, field(page, "branch"), zone(page, "series"))
    drag(page, field(page, "leads"), zone(page, "values"), at=0.9)  # below net revenue
    expect_zones(page, values=["net_revenue", "leads"], x=["month"], series=["branch"])
    # leads dropped on the top half of net revenue's chip: first
    drag(page, chip(page, "values", "leads"), chip(page, "values", "net_revenue"), at=0.2)
    expect_zones(page, values=["leads", "net_revenue"], x=["month"], series=["branch"])
    said(page, "Leads moved to position 1 of 2 in Values.")
    drag(page, field(page, "channel"), zone(page, "filters"))
    expect_zones(page, **ZONES)

    page.locator(".pbi-builder-visual").get_by_role("button", name="Line", exact=True).click()
    page.locator(".pbi-builder-preset select").select_option(label="Last 12 months")
    page.locator(".pbi-builder-filter-channel select").select_option(["tv", "digital"])
    expect(preview.locator("path.line").first).to_be_visible(timeout=60_000)
    page.locator(".pbi-builder-title input").fill(f"{NAME} (pointer)")
    page.locator(".pbi-builder-title input").press("Tab")  # the title is sent on leaving
    settle(page)
    page.locator(".pbi-builder-save").click()
    expect(page.locator(".pbi-builder-status")).to_contain_text("version 1", timeout=30_000)
    expect_zones(page, **ZONES)
    assert saved_spec(seeded, f"{NAME} (pointer)") == expected_spec()
    assert page.locator(".pulsebi-error").count() == 0
    assert page_log.errors == []


# ---- the pointer -----------------------------------------------------------------------------
def drag(page, source, target, *, at: float = 0.5) -> None:
    """A real pointer drag from `source` to `target` (`at` of its height)."""
    source.scroll_into_view_if_needed()
    box = source.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 8, y + 6, steps=2)
    end = target.bounding_box()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] * at, steps=8)
    page.mouse.up()


def field(page, field_id: str):
    return page.locator(f'.pbi-fz-field[data-field="{field_id}"]')


def chip(page, zone_id: str, field_id: str):
    return page.locator(f'.pbi-fz-chip[data-zone="{zone_id}"][data-field="{field_id}"]')


def zone(page, zone_id: str):
    return page.locator(f'.pbi-fz-zone[data-zone="{zone_id}"]')
