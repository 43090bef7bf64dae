"""The Report builder page's Export row and Schedule form, driven from Python (no browser), on the
seeded demo data: an unsaved or changed spec says to save first and exports nothing; a saved
pivot's PDF, workbook and CSV hold the preview's cells (`export_tables`), subtotals and grand
total included; a bad cron or address is named in place and nothing is stored; a good delivery
is listed by `list_deliveries` and on the page, with its next run, and Unschedule removes it."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import text

from pulsebi.builder import get_report, run_spec
from pulsebi.builder.export import export_tables, header
from pulsebi.builder.schedule import list_deliveries
from pulsebi.charts import use_mode
from pulsebi.charts.formats import format_value
from pulsebi.dashboards import builder_page
from pulsebi.dashboards.page import Table
from pulsebi.db import get_engine
from pulsebi.settings import Settings

SEEDED_DAY = dt.date(2026, 11, 20)
NAME = "Revenue by branch (delivery test)"
PIVOT = {"values": ["net_revenue"], "x": ["quarter"], "series": ["branch"], "filters": []}
YEAR_2025 = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


@pytest.fixture
def live():
    with use_mode(False):
        yield


@pytest.fixture
def demo(seeded_env: dict, seeded: Settings) -> Iterator[Settings]:
    """The seeded database (views refreshed); the reports this test saves removed after it,
    with their deliveries and runs."""
    yield seeded
    with get_engine(seeded).begin() as conn:
        ids = conn.execute(
            text("select id from bi.saved_reports where name like :n"), {"n": f"{NAME}%"}
        ).scalars()
        for report_id in list(ids):
            conn.execute(  # its exports' runs (and any delivery's)
                text("delete from bi.report_runs where parameters->>'report_id' = :i"),
                {"i": str(report_id)},
            )
            conn.execute(
                text("delete from bi.report_deliveries where report_id = :i"), {"i": report_id}
            )
            conn.execute(text("delete from bi.saved_reports where id = :i"), {"i": report_id})


def _page(settings: Settings) -> builder_page.BuilderPage:
    return builder_page.prepare(
        today=lambda: SEEDED_DAY, settings=settings, owner="ana@pulse.example"
    )


def _pivot(page: builder_page.BuilderPage) -> None:
    page.visual.value = "pivot"
    page.zones.zones = PIVOT
    page.dates.preset.value = "custom"
    page.dates.date_from.value, page.dates.through.value = YEAR_2025
    page.title.value = NAME


def _link(page: builder_page.BuilderPage, fmt: str) -> tuple[str, bytes]:
    """The download link's file name and bytes."""
    found = re.search(
        rf'class="pbi-builder-download pbi-builder-download-{fmt}" download="([^"]+)" '
        r'href="data:[^;]+(?:;charset=utf-8)?;base64,([^"]+)"',
        page.delivery.downloads.value,
    )
    assert found, page.delivery.downloads.value
    return found.group(1), base64.b64decode(found.group(2))


def test_export_before_saving_or_after_a_change_says_save_first(live, demo) -> None:
    page = _page(demo)
    _pivot(page)
    assert page.delivery.export("pdf") is None
    status = page.delivery.export_status.value
    assert "Save the report first: the files are the saved report&#x27;s" in status
    assert "nothing is saved yet" in status and page.delivery.downloads.value == ""
    assert page.delivery.form.schedule() is None
    assert "Save the report first: the emails" in page.delivery.form.status.value

    saved = page.save()
    page.visual.value = "table"  # the screen is no longer the saved version
    assert page.delivery.export("csv") is None
    assert "controls differ from version 1" in page.delivery.export_status.value
    assert not any(b.disabled for b in page.delivery.buttons.values())
    page.visual.value = "pivot"  # back as saved
    page.dates.preset.value = "custom"
    page.dates.date_from.value, page.dates.through.value = YEAR_2025
    assert page.delivery.saved_report("files")[0].id == saved.id


def test_a_saved_pivots_files_hold_the_previews_cells(live, demo) -> None:
    page = _page(demo)
    _pivot(page)
    saved = page.save()
    (shown,) = [b for b in page.blocks if isinstance(b, Table)]  # the preview's pivot
    (table,) = export_tables(run_spec(saved.spec, settings=demo))  # what the exports hold
    assert table.df.equals(shown.df) and table.name == shown.name
    grand = shown.df.iloc[-1, -1]
    assert "Total" in str(shown.df.iloc[-1, 0])

    path = page.delivery.export("xlsx")
    assert path is not None and path.suffix == ".xlsx"
    status = page.delivery.export_status.value
    assert re.search(r"Excel ready: \S+\.xlsx, \d+ KB \(version 1\)", status), status
    name, data = _link(page, "xlsx")
    assert name == path.name and data == path.read_bytes()
    sheet = openpyxl.load_workbook(io.BytesIO(data))[shown.name]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(shown.df.columns) and len(rows) == len(shown.df) + 1
    for row, record in zip(rows[1:], shown.df.itertuples(index=False), strict=True):
        for got, want in zip(row, record, strict=True):
            if isinstance(want, Decimal | float | int) and not isinstance(want, bool):
                assert Decimal(str(got)).quantize(Decimal("0.01")) == Decimal(str(want)).quantize(
                    Decimal("0.01")
                )
            else:
                assert (got or "") == (want if want == want else "")  # NaN: an empty cell

    path = page.delivery.export("csv")
    name, data = _link(page, "csv")
    assert name.endswith(".csv")
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert read[0] == [header(shown, c) for c in shown.df.columns]
    assert len(read) == len(shown.df) + 1
    assert Decimal(read[-1][-1]) == Decimal(str(grand))

    path = page.delivery.export("pdf")
    assert path is not None and path.suffix == ".pdf"
    assert "PDF ready" in page.delivery.export_status.value
    links = page.delivery.downloads.value
    assert all(f"pbi-builder-download-{f}" in links for f in ("pdf", "xlsx", "csv"))
    if shutil.which("pdftotext"):
        pdf = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert format_value(grand, "usd") in pdf
    assert get_report(saved.id, settings=demo).version == 1


def test_schedule_names_a_wrong_field_stores_nothing_then_lists_and_unschedules(live, demo) -> None:
    page = _page(demo)
    _pivot(page)
    saved = page.save()
    form = page.delivery.form
    assert form.timezone.value == demo.tz
    form.recipients.value = "ana@pulse.example, ops@pulse.example, cfo@pulse.example"

    form.when.value = "typed"
    assert form.cron.layout.display is None
    form.cron.value = "0 7 * *"
    assert form.schedule() is None
    assert "Not scheduled: cron: &#x27;0 7 * *&#x27; is not a cron expression" in form.status.value
    assert "pbi-builder-invalid" in form.cron._dom_classes
    form.when.value = "0 7 * * 1"  # "Mondays 07:00"
    assert form.cron.value == "0 7 * * 1" and form.cron.layout.display == "none"
    form.recipients.value = "ana@pulse.example, bob at pulse"
    assert form.schedule() is None
    assert (
        "recipients[1]: " in form.status.value and "not a valid email address" in form.status.value
    )
    assert "pbi-builder-invalid" in form.recipients._dom_classes
    assert "pbi-builder-invalid" not in form.cron._dom_classes
    form.timezone.value = "America/Gotham"
    form.recipients.value = "ana@pulse.example"
    assert form.schedule() is None and "timezone: " in form.status.value
    assert list_deliveries(saved.id, settings=demo) == []

    form.timezone.value = demo.tz
    form.recipients.value = "ana@pulse.example, ops@pulse.example; cfo@pulse.example"
    form.formats["pdf"].value = False
    stored = form.schedule()
    assert stored is not None
    assert [d.id for d in list_deliveries(saved.id, settings=demo)] == [stored.id]
    assert stored.recipients == ("ana@pulse.example", "ops@pulse.example", "cfo@pulse.example")
    assert stored.formats == ("xlsx",) and stored.cron == "0 7 * * 1"
    assert stored.created_by == "ana@pulse.example" and stored.owner == "ana@pulse.example"
    assert "Next run: Mon " in form.status.value and " 07:00 C" in form.status.value
    (row,) = form.deliveries.children
    assert f"#{stored.id}: 0 7 * * 1 ({demo.tz})" in row.children[0].value

    other = _page(demo)  # the same report opened elsewhere lists its delivery
    other.open_report(saved.id)
    (row,) = other.delivery.form.deliveries.children
    row.children[1].click()  # Unschedule
    assert list_deliveries(saved.id, settings=demo) == []
    assert other.delivery.form.deliveries.children == ()
    assert f"Delivery #{stored.id} unscheduled" in other.delivery.form.status.value


def test_errors_are_said_in_place(live, demo) -> None:
    import uuid

    from pulsebi.builder import delete_report

    page = _page(demo)
    _pivot(page)
    saved = page.save()
    delete_report(saved.id, settings=demo)  # deleted elsewhere meanwhile
    assert page.delivery.export("xlsx") is None
    said = page.delivery.export_status.value
    assert "Excel not exported: " in said and f"no saved report has id {saved.id}" in said
    assert page.delivery.form.schedule() is None
    assert f"no saved report has id {saved.id}" in page.delivery.form.status.value
    assert not any(b.disabled for b in page.delivery.buttons.values())

    url = demo.database_url.rsplit("/", 1)[0] + "/pulsebi_no_such_database"
    page.settings = demo.replace(database_url=url, namespace=f"pulsebi-test-{uuid.uuid4().hex}")
    assert page.delivery.export("pdf") is None  # the database is unreachable: said so
    said = page.delivery.export_status.value
    assert "PDF not exported: the database cannot be reached just now" in said
    assert "pulsebi_no_such" not in said
    assert not any(b.disabled for b in page.delivery.buttons.values())
    assert page.delivery.form.schedule() is None
    assert "Not scheduled: the database cannot be reached" in page.delivery.form.status.value
    page.delivery.follow_page()  # listing the deliveries: a box in place, nothing raised
    assert "pbi-crash" in page.delivery.form.status.value
