"""The executive dashboard served from its snapshot in Chromium: the complete page at once (tiles,
an SVG chart, the navigation), no kernel claimed; changing the branch opens the interactive page,
whose preheated kernel shows that branch's figures. Screenshots: /tmp/shots/snapshot_*.png."""

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
SCORECARDS = Path(__file__).parents[2] / "scorecards"
NAV = ".pulsebi-header a"
EXECUTIVE = "notebooks/executive.ipynb"
YTD = '.pbi-tile[data-tile="revenue-year-to-date"] .pbi-tile-value'
SHOTS = Path("/tmp/shots")


@pytest.fixture(scope="module")
def snapshot_server(seeded: Settings, tmp_path_factory) -> Iterator[Server]:
    """`pulsebi serve --snapshots` over notebooks/ (executive preheated) on the seeded database,
    with the executive page's snapshots stored for all branches and each branch."""
    from pulsebi.snapshots import build_snapshot, default_params, store_snapshot

    refresh_views(get_engine(seeded), seeded)
    for params in default_params(EXECUTIVE, seeded):
        store_snapshot(seeded, build_snapshot(seeded, EXECUTIVE, params))
    env = {**os.environ, **seeded.to_environ()}
    log = tmp_path_factory.mktemp("serve-snapshot-page") / "serve.log"
    server = start_server(
        env,
        log,
        dirs=(NOTEBOOKS, SCORECARDS),
        preheat=(EXECUTIVE,),
        extra_env={"PULSEBI_SERVE_POOL": "1"},
        args=("--snapshots",),
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


def served_notebooks() -> list[Path]:
    """The notebooks the navigation lists (executive, trends, the builder, the reconciliation
    checks, the scorecards; not a saved report's page, marked `"nav": false`)."""
    from pulsebi.serve.deployment import in_navigation

    found = sorted(NOTEBOOKS.rglob("*.ipynb")) + sorted(SCORECARDS.glob("*.ipynb"))
    return [p for p in found if ".ipynb_checkpoints" not in p.parts and in_navigation(p)]


def nav_of(page) -> list[tuple[str, str, str]]:
    """The header's links: (text, href, active or not)."""
    links = page.locator(NAV)
    return [
        (
            links.nth(i).inner_text(),
            links.nth(i).get_attribute("href"),
            "active" in (links.nth(i).get_attribute("class") or ""),
        )
        for i in range(links.count())
    ]


def places(page, *, whole: bool = True) -> dict[str, dict[str, float]]:
    """Where the page's title, a date filter, the early-warning strip and the year-to-date tile
    are drawn; `whole`: also the first chart and a section half-way down."""
    found = {
        "title": page.locator("h1").first,
        "through": page.locator("input[type=date]").nth(1),
        "strip": page.locator(".pbi-warning-strip").first,
        "tile": page.locator('.pbi-tile[data-tile="revenue-year-to-date"]').first,
    }
    if whole:
        found["chart"] = page.locator("#rendered_cells svg").first
        found["sales team"] = page.locator("h2", has_text="Sales team").first
    return {name: locator.bounding_box() for name, locator in found.items()}


def assert_same_places(now: dict, before: dict) -> None:
    for name, box in now.items():
        assert abs(box["x"] - before[name]["x"]) <= 4, (name, box, before[name])
        assert abs(box["y"] - before[name]["y"]) <= 8, (name, box, before[name])
        assert abs(box["width"] - before[name]["width"]) <= 8, (name, box, before[name])
    # the same strip is as high in the snapshot as in the widgets, to the pixel
    assert abs(now["strip"]["height"] - before["strip"]["height"]) <= 1, (now, before)


def below_the_strip(now: dict, before: dict) -> dict:
    """`now` with what is below the strip moved back by the lines its strip has more than
    `before`'s: another branch's strip may list more or fewer warnings, one 20px line each."""
    grown = now["strip"]["height"] - before["strip"]["height"]
    assert abs(grown - 20 * round(grown / 20)) <= 1, (now["strip"], before["strip"])
    moved = {name: dict(box) for name, box in now.items()}
    for box in moved.values():
        if box["y"] > now["strip"]["y"]:
            box["y"] -= grown
    moved["strip"]["height"] = before["strip"]["height"]
    return moved


def kernel_ids(server: Server) -> set[str]:
    return {kernel["id"] for kernel in server.kernels()}


def test_the_snapshot_page_then_the_interactive_page_for_another_branch(
    page, page_log, snapshot_server, seeded
) -> None:
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    pool = snapshot_server.wait_for_kernels(lambda ks: len(ks) >= 1, timeout=90)
    assert len(pool) == 1  # the preheated one, waiting for a viewer who interacts
    before = kernel_ids(snapshot_server)

    page.goto(snapshot_server.page_url(EXECUTIVE, f"token={snapshot_server.token}"))
    assert page.locator("body.pulsebi-snapshot").count() == 1  # in the HTML, no script needed
    expect(page).to_have_title("Executive dashboard · Pulse BI")
    value = page.locator(YTD)
    expect(value).to_have_attribute("title", year_to_date(seeded))
    assert page.locator(".pbi-tile").count() >= 15
    assert page.locator("#rendered_cells svg").count() >= 1  # charts drawn, not empty boxes
    expect(page.locator(".pulsebi-nav a.active")).to_have_count(1)
    header = nav_of(page)
    assert len(header) == 1 + len(served_notebooks())  # the brand, then every page served
    expect(page.locator(".pulsebi-snapshot-asof")).to_contain_text("Snapshot taken")
    expect(page.locator(".pbi-first-paint")).to_contain_text("data as of")
    expect(page.locator("select[name=branch]")).to_have_value("all")
    expect(page.locator(".pulsebi-snapshot-filters input[type=date]")).to_have_count(2)
    page.screenshot(path=str(SHOTS / "snapshot_executive.png"))
    page.screenshot(path=str(SHOTS / "snapshot_executive_full.png"), full_page=True)
    live_sockets = [url for url in page_log.requests if url.endswith("/pulsebi/live")]
    assert live_sockets  # its live tiles follow the server's WebSocket, not a kernel's
    placed = places(page, whole=False)  # the top of the page is the same for every branch
    assert kernel_ids(snapshot_server) == before  # nothing claimed or started for a look

    page.locator("select[name=branch]").select_option(label="Dallas")
    page.wait_for_url("**/voila/render/notebooks/executive.ipynb?*live=1*branch=DAL*")
    live = page.locator(f".pbi-page {YTD}")
    expect(live).to_have_attribute("title", year_to_date(seeded, "DAL"), timeout=90_000)
    expect(page.locator(".pbi-page-context").first).to_contain_text("Dallas")
    assert nav_of(page) == header  # the same header and navigation as the interactive page's
    page.screenshot(path=str(SHOTS / "snapshot_then_live_dallas.png"))
    # laid out as the snapshot (no jump), but for the lines Dallas' strip has more or fewer
    assert_same_places(below_the_strip(places(page, whole=False), placed), placed)
    assert page.locator(".pulsebi-error").count() == 0
    assert page_log.errors == []
    assert page_log.outside(snapshot_server.url) == []


def test_a_branchs_snapshot_is_the_figures_of_that_branch(page, snapshot_server, seeded) -> None:
    from playwright.sync_api import expect

    query = f"token={snapshot_server.token}&branch=HOU"
    page.goto(snapshot_server.page_url(EXECUTIVE, query))
    assert page.locator("body.pulsebi-snapshot").count() == 1
    expect(page.locator(YTD)).to_have_attribute("title", year_to_date(seeded, "HOU"))
    expect(page.locator("select[name=branch]")).to_have_value("HOU")
    page.screenshot(path=str(SHOTS / "snapshot_executive_houston.png"), full_page=True)
    placed = places(page)

    page.goto(snapshot_server.page_url(EXECUTIVE, query + "&live=1"))
    live = page.locator(f".pbi-page {YTD}")
    expect(live).to_have_attribute("title", year_to_date(seeded, "HOU"), timeout=90_000)
    expect(page.locator(".pbi-first-paint")).to_have_count(0)
    assert_same_places(places(page), placed)  # the same page, drawn where the snapshot drew it


def test_bad_parameters_get_the_interactive_page_and_its_message(page, snapshot_server) -> None:
    from playwright.sync_api import expect

    query = f"token={snapshot_server.token}&branch=XXX"
    page.goto(snapshot_server.page_url(EXECUTIVE, query))
    assert page.locator("body.pulsebi-snapshot").count() == 0
    notice = page.locator(".pbi-page .pbi-page-notice .pbi-notice")
    expect(notice).to_contain_text("branch 'XXX' is unknown", timeout=90_000)


@pytest.mark.parametrize(
    "served", ["scorecards/branch.ipynb", "notebooks/reconciliation/split_integrity.ipynb"]
)
def test_scorecards_and_checks_from_their_snapshots(
    page, page_log, snapshot_server, seeded, served
) -> None:
    from playwright.sync_api import expect

    from pulsebi.snapshots import build_snapshot, store_snapshot

    snapshot = build_snapshot(seeded, served, {"branch": "DAL"})
    store_snapshot(seeded, snapshot)
    page.goto(snapshot_server.page_url(served, f"token={snapshot_server.token}&branch=DAL"))
    assert page.locator("body.pulsebi-snapshot").count() == 1
    expect(page).to_have_title(f"{snapshot.title} · Pulse BI")
    expect(page.locator(".pulsebi-nav a.active")).to_have_attribute("data-path", served)
    expect(page.locator("select[name=branch]")).to_have_value("DAL")
    name = served.split("/")[-1].removesuffix(".ipynb")
    page.screenshot(path=str(SHOTS / f"snapshot_{name}_dallas.png"), full_page=True)
    assert page_log.errors == []
    assert page_log.outside(snapshot_server.url) == []


def test_a_saved_report_opens_from_its_snapshot(page, page_log, snapshot_server, seeded) -> None:
    from playwright.sync_api import expect
    from sqlalchemy import text

    from pulsebi.builder import run_spec, save_report
    from pulsebi.builder.export import export_tables
    from pulsebi.snapshots import build_snapshot, store_snapshot
    from pulsebi.snapshots.pages import SAVED_REPORT

    spec = {
        "title": "Revenue by branch (snapshot page)",
        "visual": "pivot",
        "values": ["net_revenue"],
        "x": "month",
        "series": "branch",
        "dates": {"preset": "year_to_date"},
    }
    saved = save_report(spec, by="ana", settings=seeded)
    try:
        query = {"report_id": str(saved.id)}
        store_snapshot(seeded, build_snapshot(seeded, SAVED_REPORT, query))
        before = kernel_ids(snapshot_server)
        token = f"token={snapshot_server.token}&report_id={saved.id}"
        page.goto(snapshot_server.page_url(SAVED_REPORT, token))
        assert page.locator("body.pulsebi-snapshot").count() == 1
        expect(page).to_have_title(f"{spec['title']} · Pulse BI")
        total = export_tables(run_spec(saved.spec, settings=seeded))[0].df.iloc[-1, -1]
        expect(page.locator(".pbi-first-paint table").first).to_contain_text(
            format_value(total, "usd")
        )
        expect(page.locator(".pbi-first-paint")).to_contain_text("No filters")
        expect(page.locator(".pulsebi-snapshot-filters select")).to_have_count(0)
        page.screenshot(path=str(SHOTS / "snapshot_saved_report.png"), full_page=True)
        assert kernel_ids(snapshot_server) == before  # a look at a saved report costs no kernel
        assert page_log.errors == []
    finally:
        with get_engine(seeded).begin() as conn:
            conn.execute(text("delete from bi.saved_reports where id = :id"), {"id": saved.id})
