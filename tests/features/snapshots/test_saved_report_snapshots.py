"""A saved report's page (notebooks/custom_report.ipynb?report_id=N) from its snapshot: one per
saved report, rebuilt with the others, showing the figures of the page a kernel serves; a new
version, a rename or a deletion drops it (a kernel serves the page until the next rebuild)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from test_snapshots import figures

from pulsebi.builder import delete_report, rename_report, save_report
from pulsebi.db import get_engine
from pulsebi.errors import UsageError
from pulsebi.settings import Settings
from pulsebi.snapshots import (
    build_snapshot,
    default_params,
    load_snapshot,
    rebuild_snapshots,
    store_snapshot,
)
from pulsebi.snapshots.build import close_widgets
from pulsebi.snapshots.pages import SAVED_REPORT

SPEC = {
    "title": "Revenue by branch (snapshot test)",
    "visual": "pivot",
    "values": ["net_revenue"],
    "x": "month",
    "series": "branch",
    "dates": {"preset": "year_to_date"},
}


@pytest.fixture
def report(on_seeded_day: Settings) -> Iterator[int]:
    saved = save_report(SPEC, by="ana", settings=on_seeded_day)
    yield saved.id
    with get_engine(on_seeded_day).begin() as conn:
        conn.execute(text("delete from bi.saved_reports where id = :id"), {"id": saved.id})


def interactive_html(report_id: int) -> str:
    from pulsebi.dashboards import custom_report

    page = custom_report.prepare(static=False)  # a preheated kernel: the request names it
    try:
        page.follow_request({"report_id": str(report_id)})
        return page.first_paint_html(svg_charts=True)
    finally:
        page.close()
        close_widgets(page.prepare())


def test_a_saved_reports_snapshot_shows_its_pages_figures(on_seeded_day, report) -> None:
    query = {"report_id": str(report)}
    snapshot = build_snapshot(on_seeded_day, SAVED_REPORT, query)
    store_snapshot(on_seeded_day, snapshot)
    served = load_snapshot(on_seeded_day, SAVED_REPORT, {**query, "token": "secret"})
    assert served == snapshot and served.title == SPEC["title"]
    assert "pbi-crash" not in served.html and "pbi-notice" not in served.html
    shown = figures(served.html)
    assert shown["tables"] and "Total" in shown["tables"][0]
    assert shown == figures(interactive_html(report))


def test_every_saved_report_is_rebuilt_and_a_change_drops_its_snapshot(
    on_seeded_day, report
) -> None:
    query = {"report_id": str(report)}
    assert query in default_params(SAVED_REPORT, on_seeded_day)
    assert rebuild_snapshots(on_seeded_day, [SAVED_REPORT]) >= 1
    assert load_snapshot(on_seeded_day, SAVED_REPORT, query) is not None

    save_report({**SPEC, "visual": "table"}, by="ana", report_id=report, settings=on_seeded_day)
    assert load_snapshot(on_seeded_day, SAVED_REPORT, query) is None  # version 2: not v1's
    rebuild_snapshots(on_seeded_day, [SAVED_REPORT])
    assert load_snapshot(on_seeded_day, SAVED_REPORT, query) is not None

    rename_report(report, "Renamed (snapshot test)", settings=on_seeded_day)
    assert load_snapshot(on_seeded_day, SAVED_REPORT, query) is None
    rebuild_snapshots(on_seeded_day, [SAVED_REPORT])
    assert load_snapshot(on_seeded_day, SAVED_REPORT, query).title == "Renamed (snapshot test)"

    delete_report(report, settings=on_seeded_day)
    assert load_snapshot(on_seeded_day, SAVED_REPORT, query) is None
    assert query not in default_params(SAVED_REPORT, on_seeded_day)


def test_no_snapshot_is_made_of_a_report_that_does_not_exist(on_seeded_day) -> None:
    with pytest.raises(UsageError, match="no saved report has id 987654"):
        build_snapshot(on_seeded_day, SAVED_REPORT, {"report_id": "987654"})
    with pytest.raises(UsageError, match="a kernel serves it"):
        build_snapshot(on_seeded_day, SAVED_REPORT, {})  # the list of reports
