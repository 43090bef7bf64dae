"""The Report builder page built live without a kernel (widgets constructed, driven from Python):
what an incomplete spec says, preview figures equal to `metrics.compute`'s, switching visuals
without losing fields, saved reports (save, list, open, duplicate, rename, delete), and the
notebook under Papermill (it says to use custom_report.ipynb)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from pulsebi import metrics
from pulsebi.builder import get_report, list_reports
from pulsebi.builder.dates import resolve_range
from pulsebi.charts import use_mode
from pulsebi.dashboards import builder_page
from pulsebi.dashboards.page import Chart, Html, Table
from pulsebi.settings import Settings

SEEDED_DAY = dt.date(2026, 11, 20)  # the seeded data's today (tests/conftest.py SEED_TODAY)
NOTEBOOK = Path(__file__).parents[3] / "notebooks" / "report_builder.ipynb"
SCENARIO = {"values": ["net_revenue"], "x": ["month"], "series": ["branch"], "filters": []}


@pytest.fixture
def live():
    with use_mode(False):
        yield


@pytest.fixture
def store(engine, settings: Settings) -> Settings:
    """The migrated test database (a database of this run's own): its settings."""
    return settings


def _page(settings: Settings) -> builder_page.BuilderPage:
    return builder_page.prepare(today=lambda: SEEDED_DAY, settings=settings, owner="ana")


def _preview_text(page: builder_page.BuilderPage) -> str:
    return " ".join(getattr(w, "value", "") for w in page.preview.children)


def test_an_empty_page_says_what_the_visual_needs(live, store: Settings) -> None:
    page = _page(store)
    assert isinstance(page.blocks[0], Html)
    assert "needs a measure in Values" in _preview_text(page)
    page.zones.zones = {**SCENARIO, "x": []}
    assert "needs X: put a time grain" in _preview_text(page)
    page.visual.value = "gauge"  # net revenue stays; the gauge asks for its target
    assert page.zones.zones["values"] == ["net_revenue"]
    assert "a gauge needs a target" in _preview_text(page)
    page.target.value = "1,000,000"
    assert "needs a target" not in _preview_text(page) and page.blocks


def test_preview_figures_are_metrics_compute_for_the_same_request(
    live, seeded_env: dict, seeded: Settings
) -> None:
    page = _page(seeded)
    page.zones.zones = {**SCENARIO, "filters": ["channel"]}
    picker = page.filters.pickers["channel"]
    keys = [key for _, key in picker.options]
    assert {"tv", "digital"} <= set(keys)  # the choices come from the data
    picker.value = ("tv", "digital")
    assert page.document()["filters"] == [{"field": "channel", "values": ["tv", "digital"]}]
    [chart] = page.blocks
    assert isinstance(chart, Chart) and chart.spec.kind == "line"
    start, end = resolve_range("last_12_months", SEEDED_DAY)
    expected = metrics.compute(
        "net_revenue",
        start=start,
        end=end,
        by=["branch"],
        grain="month",
        where={"channel": ["tv", "digital"]},
        settings=seeded,
    )
    shown = chart.spec.data[["branch", "period", "net_revenue"]]
    columns = ["branch", "period"]
    pd.testing.assert_frame_equal(
        shown.sort_values(columns).reset_index(drop=True),
        expected[["branch", "period", "net_revenue"]].sort_values(columns).reset_index(drop=True),
    )
    assert len(shown) == 12 * shown["branch"].nunique()

    page.title.value = "Revenue by branch"  # the preview's title follows the box
    assert page.blocks[0].spec.title == "Revenue by branch"

    page.visual.value = "table"  # a table keeps every field ...
    assert isinstance(page.blocks[0], Table) and page.message.value == ""
    page.visual.value = "line"  # ... and so does the line again
    assert page.zones.zones == {**SCENARIO, "filters": ["channel"]}
    assert page.filters.picked() == {"channel": ["tv", "digital"]}
    assert chart.spec.data.equals(page.blocks[0].spec.data)

    page.visual.value = "pie"  # a pie has no time axis: said, and branch becomes the slices
    assert "month left out: a pie has no time axis" in page.message.value
    assert page.zones.zones["x"] == ["branch"] and page.zones.zones["series"] == []


def test_save_list_open_duplicate_rename_delete(live, store: Settings) -> None:
    page = _page(store)
    page.zones.zones = SCENARIO
    page.title.value = "Revenue by branch (builder page test)"
    first = page.save()
    assert first is not None and first.version == 1
    url = f"custom_report.ipynb?report_id={first.id}"
    assert url in page.status.value and f"notebooks/{url}" in page.status.value
    assert first.id in [key for _, key in page.saved.select.options]

    page.visual.value = "bar"
    second = page.save()  # the report opened (just saved) gets a new version
    assert (second.id, second.version) == (first.id, 2)
    assert get_report(first.id, settings=store).spec.visual == "bar"

    other = _page(store)  # a colleague opens it from the list, duplicates it, renames it
    other.open_report(first.id)
    assert other.zones.zones == SCENARIO and other.visual.value == "bar"
    assert other.title.value == "Revenue by branch (builder page test)"
    other.duplicate(first.id)
    assert other.report_id not in (None, first.id)
    copy_id = other.report_id
    other.title.value = "Revenue by branch, copy (builder page test)"
    other.rename(copy_id)
    names = {r.id: r.name for r in list_reports(settings=store)}
    assert names[copy_id] == "Revenue by branch, copy (builder page test)"

    page.zones.zones = {**SCENARIO, "values": []}
    assert page.save() is None and "Not saved" in page.status.value  # nothing written
    assert get_report(first.id, settings=store).version == 2

    for report_id in (first.id, copy_id):
        other.delete(report_id)
    ids = [r.id for r in list_reports(settings=store)]
    assert first.id not in ids and copy_id not in ids
    assert first.id not in [key for _, key in other.saved.select.options]


def test_under_papermill_the_notebook_says_to_open_a_saved_report(tmp_path: Path) -> None:
    import papermill

    out = tmp_path / "builder.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK), str(out), parameters={"static": True}, progress_bar=False
    )
    text = out.read_text()
    assert "live only" in text and "notebooks/custom_report.ipynb" in text


def test_custom_dates_and_filters_are_saved_and_opened_again(live, store: Settings) -> None:
    page = _page(store)
    page.zones.zones = {**SCENARIO, "filters": ["branch"]}
    page.filters.pickers["branch"].options = [("Dallas", "DAL"), ("Austin", "AUS")]  # empty db
    page.filters.pickers["branch"].value = ("DAL",)
    page.dates.preset.value = "custom"
    assert page.dates.custom.layout.display is None  # the from / through pickers are shown
    page.dates.date_from.value = dt.date(2026, 1, 1)
    page.dates.through.value = dt.date(2026, 3, 31)
    document = page.document()
    assert document["dates"] == {"preset": "custom", "from": "2026-01-01", "to": "2026-04-01"}
    assert document["filters"] == [{"field": "branch", "values": ["DAL"]}]
    [chart] = page.blocks
    assert (chart.spec.period, chart.spec.grain) == (
        (dt.date(2026, 1, 1), dt.date(2026, 4, 1)),
        "month",
    )
    page.title.value = "Q1 in Dallas (builder page test)"
    saved = page.save()

    other = _page(store)
    other.filters._choices["branch"] = [("Dallas", "DAL"), ("Austin", "AUS")]
    other.open_report(saved.id)
    assert other.document() == {**document, "title": "Q1 in Dallas (builder page test)"}
    assert other.dates.through.value == dt.date(2026, 3, 31)
    other.delete(saved.id)


def test_the_builders_url_opens_a_saved_report(live, store: Settings) -> None:
    from pulsebi.builder import save_report

    spec = {"visual": "bar", "values": ["leads"], "x": "branch", "title": "Leads by branch"}
    saved = save_report(spec, by="ana", settings=store)
    page = _page(store)
    assert page.comparison.label == "No comparison"  # shown, not an empty box
    page.follow_request({"report_id": str(saved.id)})
    assert page.report_id == saved.id and page.visual.value == "bar"
    assert page.comparison.label == "No comparison"
    assert "comparison" not in page.document()["options"]
    assert page.zones.zones == {"values": ["leads"], "x": ["branch"], "series": [], "filters": []}
    page.follow_request({"report_id": "7; drop table"})
    assert "drop table&#x27; is not a report" in page.status.value and page.report_id == saved.id
    page.follow_request({"report_id": "999999"})
    assert "999999" in page.status.value
    page.delete(saved.id)


def test_delete_asks_first_and_choosing_another_report_takes_it_back(live, store) -> None:
    from pulsebi.builder import save_report

    spec = {"visual": "bar", "values": ["leads"], "x": "branch", "title": "To delete"}
    keep = save_report({**spec, "title": "To keep"}, by="ana", settings=store)
    gone = save_report(spec, by="ana", settings=store)
    page = _page(store)
    delete = page.saved.buttons["Delete"]
    page.saved.select.value = gone.id
    delete.click()  # asks
    assert delete.description == "Confirm delete" and delete.button_style == "danger"
    assert "Delete To delete" in page.status.value and "Confirm delete" in page.status.value
    assert gone.id in [r.id for r in list_reports(settings=store)]  # nothing deleted yet
    page.saved.select.value = keep.id  # another report: the question is taken back
    assert delete.description == "Delete"
    delete.click()
    page.saved.select.value = gone.id
    delete.click()
    delete.click()  # asked and confirmed on the same report
    ids = [r.id for r in list_reports(settings=store)]
    assert gone.id not in ids and keep.id in ids
    assert f"Deleted report #{gone.id}" in page.status.value and delete.description == "Delete"
    page.delete(keep.id)


def test_a_preheated_page_lists_reports_saved_before_its_visit(live, store: Settings) -> None:
    from pulsebi.builder import save_report

    page = _page(store)  # a preheated kernel builds the page ahead of any visit
    spec = {"visual": "bar", "values": ["leads"], "x": "branch", "title": "Saved meanwhile"}
    saved = save_report(spec, by="ana", settings=store)
    page.present()
    assert saved.id in [value for _, value in page.saved.select.options]
    page.delete(saved.id)


def test_a_crash_in_the_preview_stays_in_its_place(live, store: Settings) -> None:
    import uuid

    page = _page(store)
    url = store.database_url.rsplit("/", 1)[0] + "/pulsebi_no_such_database"
    page.settings = store.replace(database_url=url, namespace=f"pulsebi-test-{uuid.uuid4().hex}")
    page.zones.zones = SCENARIO  # the database cannot be reached: a crash box, error id logged
    assert "pbi-crash" in _preview_text(page) and "data-error-id" in _preview_text(page)
    assert "pulsebi_no_such_database" not in _preview_text(page)
