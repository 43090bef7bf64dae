"""The Report builder page (notebooks/report_builder.ipynb) under `pulsebi serve` in Chromium, on
the seeded demo data, with real pointer drags (mouse down / move / up): net revenue to Values,
month to X, branch to Series, Line, last 12 months: the preview draws a line per branch; two
lead channels picked in the filter (values from the data); Table, whose totals row is
`metrics.compute`'s for the same request, and back to Line loses no field; Save links the
report's own page and lists it; the builder's URL with ?report_id=N opens it, Duplicate copies
it, a branch filter saved on the copy leaves the original as it was. The reports saved are
removed from the seeded database afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from pulsebi import metrics
from pulsebi.builder import get_report, list_reports
from pulsebi.builder.dates import resolve_range
from pulsebi.db import get_engine
from pulsebi.settings import Settings
from pulsebi.views import refresh_views
from pulsebi.widgets.dates import local_today
from serving import Server, start_server

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"
PAGE = "notebooks/report_builder.ipynb"
SCENARIO = {"values": ["net_revenue"], "x": ["month"], "series": ["branch"], "filters": []}
NAME = "Revenue by branch (browser test)"


@pytest.fixture(scope="module")
def builder_server(seeded: Settings, tmp_path_factory) -> Iterator[Server]:
    """`pulsebi serve` over notebooks/ on the seeded database (views refreshed)."""
    refresh_views(get_engine(seeded), seeded)
    env = {**os.environ, **seeded.to_environ()}
    log = tmp_path_factory.mktemp("serve-builder") / "serve.log"
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


def expected_total(settings: Settings) -> float:
    """Net revenue of the last 12 months for the tv and digital channels (`metrics.compute`)."""
    start, end = resolve_range("last_12_months", local_today(tz=settings.tz))
    frame = metrics.compute(
        "net_revenue",
        start=start,
        end=end,
        where={"channel": ["tv", "digital"]},
        settings=settings,
    )
    return float(frame["net_revenue"].iloc[0])


def drag(page, source, target) -> None:
    """A real pointer drag from `source` to the middle of `target`."""
    source.scroll_into_view_if_needed()
    box = source.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 8, y + 6, steps=2)
    end = target.bounding_box()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=8)
    page.mouse.up()


def field(page, field_id: str):
    return page.locator(f'.pbi-fz-field[data-field="{field_id}"]')


def zone(page, zone_id: str):
    return page.locator(f'.pbi-fz-zone[data-zone="{zone_id}"]')


def shown_zones(page) -> dict[str, list[str]]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.pbi-fz-chips')].map(
            (z) => [z.dataset.zone, [...z.querySelectorAll('.pbi-fz-chip')].map(
                (c) => c.dataset.field)]))"""
    )


def visual(page, name: str) -> None:
    page.locator(".pbi-builder-visual").get_by_role("button", name=name, exact=True).click()


def test_drag_fields_preview_switch_and_save(
    page, page_log, builder_server, seeded, saved_cleanup
) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(builder_server.page_url(PAGE, f"token={builder_server.token}"))
    field(page, "net_revenue").wait_for(timeout=90_000)
    nav = page.locator(f'a[data-path="{PAGE}"]')
    expect(nav).to_have_text("Report builder")
    preview = page.locator(".pbi-builder-preview")
    expect(preview).to_contain_text("needs a measure in Values", timeout=30_000)

    drag(page, field(page, "net_revenue"), zone(page, "values"))
    drag(page, field(page, "month"), zone(page, "x"))
    page.locator(".pbi-fz-search").fill("bran")
    drag(page, field(page, "branch"), zone(page, "series"))
    page.locator(".pbi-fz-search").fill("")
    visual(page, "Line")
    page.locator(".pbi-builder-preset select").select_option(label="Last 12 months")
    lines = preview.locator("path.line")
    expect(lines.first).to_be_visible(timeout=60_000)
    assert lines.count() >= 2  # one line per branch
    assert shown_zones(page) == SCENARIO

    page.locator(".pbi-fz-search").fill("channel")
    drag(page, field(page, "channel"), zone(page, "filters"))
    page.locator(".pbi-fz-search").fill("")
    picker = page.locator(".pbi-builder-filter-channel select")
    picker.select_option(["tv", "digital"])
    scenario = {**SCENARIO, "filters": ["channel"]}
    assert shown_zones(page) == scenario

    visual(page, "Table")  # its totals row: the metric layer's, for the same request
    total = preview.locator("table.pbi-table tr", has_text="Total").locator("td").last
    expect(total).to_have_attribute("data-sort", repr(expected_total(seeded)), timeout=60_000)
    visual(page, "Line")
    expect(preview.locator("path.line").first).to_be_visible(timeout=60_000)
    assert shown_zones(page) == scenario  # no field lost
    assert picker.evaluate("s => [...s.selectedOptions].map((o) => o.value)") == ["digital", "tv"]
    expect(page.locator(".pbi-builder-message")).not_to_contain_text("left out")

    page.locator(".pbi-builder-title input").fill(NAME)
    page.locator(".pbi-builder-save").click()
    status = page.locator(".pbi-builder-status")
    expect(status).to_contain_text("version 1", timeout=30_000)
    [saved] = [r for r in list_reports(settings=seeded) if r.name == NAME]
    link = status.locator("a.pbi-builder-url")
    expect(link).to_have_text(f"notebooks/custom_report.ipynb?report_id={saved.id}")
    listed = f'.pbi-builder-saved select option[value="{NAME} (#{saved.id}, v1)"]'
    expect(page.locator(listed)).to_have_count(1)
    assert page.locator(".pulsebi-error").count() == 0

    # a colleague opens it by the builder's URL, duplicates it from the list, picks a branch
    page.goto(builder_server.page_url(PAGE, f"token={builder_server.token}&report_id={saved.id}"))
    status = page.locator(".pbi-builder-status")
    expect(status).to_contain_text(f"Opened '{NAME}', version 1", timeout=90_000)
    assert shown_zones(page) == scenario
    page.locator(".pbi-builder-saved select").select_option(f"{NAME} (#{saved.id}, v1)")
    page.locator(".pbi-builder-duplicate").click()
    expect(status).to_contain_text(f"Opened '{NAME} (copy)', version 1", timeout=30_000)
    [copy] = [r for r in list_reports(settings=seeded) if r.name == f"{NAME} (copy)"]
    copies = page.locator(f'.pbi-builder-saved select option[value^="{NAME} (copy)"]')
    expect(copies).to_have_count(1)
    page.locator(".pbi-fz-search").fill("bran")
    drag(page, field(page, "branch"), zone(page, "filters"))
    page.locator(".pbi-builder-filter-branch select").select_option(label="Dallas")
    page.locator(".pbi-builder-save").click()
    expect(status).to_contain_text("version 2", timeout=30_000)
    branch = [f for f in get_report(copy.id, settings=seeded).spec.filters if f.field == "branch"]
    assert [f.values for f in branch] == [("DAL",)]
    assert get_report(saved.id, settings=seeded).version == 1  # the original is untouched
    assert page.locator(".pulsebi-error").count() == 0
    assert page_log.errors == []
    assert page_log.outside(builder_server.url) == []
