"""Export and schedule from the Report builder page (notebooks/report_builder.ipynb) under
`pulsebi serve` in Chromium, on the seeded demo data: a saved pivot (month × branch, net
revenue) opened by the builder's URL; PDF, Excel and CSV clicked and each download caught: the
PDF's text holds the screen's subtotals and grand total as shown, the workbook's and the CSV's
cells are the screen's table cell for cell; then a weekly delivery to three addresses through
the form, listed by `pulsebi schedule list`, its next slot run as beat runs it against a real
SMTP server (aiosmtpd): the email's workbook carries the screen's figures. The report, its
deliveries and runs are removed from the seeded database afterwards.
"""

from __future__ import annotations

import csv
import datetime as dt
import email
import io
import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from decimal import Decimal
from email import policy
from pathlib import Path

import openpyxl
import pytest
import redis
from sqlalchemy import text

from pulsebi.builder import save_report
from pulsebi.charts.formats import format_value
from pulsebi.db import get_engine
from pulsebi.reports.beat import collect_due
from pulsebi.reports.deliver import deliver
from pulsebi.reports.stored_schedules import schedule_name, stored_schedules
from pulsebi.services import resolve_redis_url
from pulsebi.settings import Settings
from pulsebi.views import refresh_views
from serving import Server, start_server

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"
PAGE = "notebooks/report_builder.ipynb"
NAME = "Revenue by branch (export browser test)"
SPEC = {
    "title": NAME,
    "visual": "pivot",
    "values": ["net_revenue"],
    "x": "month",
    "series": "branch",
    "dates": {"preset": "custom", "from": "2025-07-01", "to": "2026-01-01"},
}
TO = ["ana@pulse.example", "ops@pulse.example", "cfo@pulse.example"]
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def export_server(seeded: Settings, tmp_path_factory) -> Iterator[Server]:
    """`pulsebi serve` over notebooks/ on the seeded database (views refreshed)."""
    refresh_views(get_engine(seeded), seeded)
    env = {**os.environ, **seeded.to_environ()}
    log = tmp_path_factory.mktemp("serve-builder-export") / "serve.log"
    server = start_server(env, log, dirs=(NOTEBOOKS,), extra_env={"PULSEBI_SERVE_POOL": "1"})
    yield server
    server.stop()


@pytest.fixture
def report(seeded: Settings) -> Iterator[int]:
    """The saved pivot; removed after the test with its deliveries and runs."""
    report_id = save_report(SPEC, by="ana", name=NAME, settings=seeded).id
    yield report_id
    with get_engine(seeded).begin() as conn:
        conn.execute(
            text("delete from bi.report_runs where parameters->>'report_id' = :id"),
            {"id": str(report_id)},
        )
        for table in ("report_deliveries where report_id", "saved_reports where id"):
            conn.execute(text(f"delete from bi.{table} = :id"), {"id": report_id})


@pytest.fixture
def beat_client(seeded: Settings) -> Iterator[redis.Redis]:
    """Redis with no beat window or queued marker of the seeded namespace."""
    client = redis.Redis.from_url(resolve_redis_url(seeded))

    def clear() -> None:
        for key in client.scan_iter(f"{seeded.namespace}:reports:*"):
            client.delete(key)

    clear()
    yield client
    clear()
    client.close()


class Sink:
    """A real SMTP server (aiosmtpd) on a free port keeping every message."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def sink() -> Iterator[Sink]:
    box = Sink()
    yield box
    box.controller.stop()


def screen_table(page) -> tuple[list[str], list[list[tuple[str, str | None]]]]:
    """The preview's table: its headers, and each row's cells as (text, data-sort)."""
    return page.evaluate(
        """() => {
            const table = document.querySelector('.pbi-builder-preview table.pbi-table');
            const head = [...table.querySelectorAll('thead th')].map((th) => th.innerText.trim());
            const rows = [...table.querySelectorAll('tbody tr')].map((tr) =>
                [...tr.querySelectorAll('td')].map((td) =>
                    [td.innerText.trim(), td.getAttribute('data-sort')]));
            return [head, rows];
        }"""
    )


def cents(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def assert_cells_equal(got: list, screen: list[tuple[str, str | None]]) -> None:
    """A file's row against the screen's: labels as shown, figures to the cent."""
    assert len(got) == len(screen)
    for value, (shown, sort) in zip(got, screen, strict=True):
        if sort is None:
            assert str(value if value is not None else "") == shown
        elif sort == "-Infinity":
            assert value in (None, ""), (value, shown)
        else:
            assert cents(value) == cents(sort), (value, shown)
            assert format_value(float(value), "usd") == shown


def download(page, tmp_path: Path, fmt: str, label: str) -> Path:
    """Click the export button `label`, wait for its link, click it and keep the download."""
    from playwright.sync_api import expect

    status = page.locator(".pbi-builder-export-status")
    button = page.locator(f".pbi-builder-export-{fmt}")
    button.click()
    expect(status).to_contain_text(f"Exporting {label}…", timeout=10_000)
    expect(status).to_contain_text(f"{label} ready: ", timeout=180_000)
    expect(button).to_be_enabled()
    link = page.locator(f"a.pbi-builder-download-{fmt}")
    with page.expect_download() as caught:
        link.click()
    done = caught.value
    assert done.suggested_filename == link.get_attribute("download")
    assert done.suggested_filename.endswith(f".{fmt}")
    assert f"{label} ready: {done.suggested_filename}, " in status.inner_text()
    path = tmp_path / done.suggested_filename
    done.save_as(path)
    return path


def test_export_and_schedule_a_saved_pivot_from_the_builder(
    page, page_log, export_server, seeded, report, beat_client, sink, tmp_path
) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1400, "height": 1000})
    query = f"token={export_server.token}&report_id={report}"
    page.goto(export_server.page_url(PAGE, query))
    status = page.locator(".pbi-builder-status")
    expect(status).to_contain_text(f"Opened '{NAME}', version 1", timeout=90_000)
    table = page.locator(".pbi-builder-preview table.pbi-table")
    expect(table).to_be_visible(timeout=60_000)
    head, rows = screen_table(page)
    assert head[0] == "Month" and head[-1] == "Total" and rows[-1][0][0] == "Total"
    assert len(rows) == 7  # July to December, and the Total row
    totals = [row[-1][0] for row in rows] + [cell for cell, _ in rows[-1][1:]]

    pdf = download(page, tmp_path, "pdf", "PDF")
    shown = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    missing = [t for t in totals if t not in shown]
    assert missing == [], missing  # subtotals and the grand total, as the screen shows them

    workbook = openpyxl.load_workbook(download(page, tmp_path, "xlsx", "Excel"))
    (sheet,) = [s for s in workbook.worksheets if s.cell(1, 1).value == head[0]]
    cells = list(sheet.iter_rows(values_only=True))
    assert list(cells[0]) == head and len(cells) == len(rows) + 1
    for got, want in zip(cells[1:], rows, strict=True):
        assert_cells_equal(list(got), want)

    lines = download(page, tmp_path, "csv", "CSV").read_text(encoding="utf-8-sig")
    read = list(csv.reader(io.StringIO(lines)))
    assert read[0] == head and len(read) == len(rows) + 1
    for got, want in zip(read[1:], rows, strict=True):
        assert_cells_equal(got, want)

    # a weekly delivery to three addresses, through the form
    form = page.locator(".pbi-builder-schedule-form")
    form.locator(".pbi-builder-when select").select_option(label="Mondays 07:00")
    form.locator(".pbi-builder-recipients input").fill(", ".join(TO))
    form.locator(".pbi-builder-schedule").click()
    said = form.locator(".pbi-builder-schedule-status")
    expect(said).to_contain_text("Next run: Mon ", timeout=30_000)
    row = form.locator(".pbi-builder-delivery")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(", ".join(TO))
    (stored,) = [s for s in stored_schedules(seeded) if s.report_id == report]
    assert stored.cron == "0 7 * * 1" and stored.recipients == TO
    assert stored.timezone == seeded.tz and stored.formats == ["pdf", "xlsx"]

    (tmp_path / "schedules").mkdir()
    env = {**os.environ, **seeded.to_environ()}
    args = ["pulsebi", "schedule", "list", "--dir", str(tmp_path / "schedules")]
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    name = schedule_name(report, stored.delivery_id)
    (line,) = [x for x in done.stdout.splitlines() if x.startswith(f"{name} ")]
    assert "0 7 * * 1" in line and f"source saved report {report} ({NAME})" in line

    # its next slot, as beat hands it out and a worker delivers it
    settings = seeded.replace(smtp_host="127.0.0.1", smtp_port=sink.port)
    slot = stored.next_time(dt.datetime.now(dt.UTC))
    schedules = tmp_path / "schedules"
    collect_due(settings, schedules, now=slot - dt.timedelta(seconds=30), client=beat_client)
    due = collect_due(settings, schedules, now=slot + dt.timedelta(seconds=15), client=beat_client)
    (ours,) = [d for d in due if d.schedule == name]
    assert deliver(settings, ours).status == "sent"
    (message,) = sink.messages
    assert message["To"] == ", ".join(TO)
    files = {a.get_filename(): a.get_content() for a in message.iter_attachments()}
    (xlsx,) = [f for f in files if f.endswith(".xlsx")]
    assert any(f.endswith(".pdf") for f in files)
    mailed = openpyxl.load_workbook(io.BytesIO(files[xlsx]))
    (sheet,) = [s for s in mailed.worksheets if s.cell(1, 1).value == head[0]]
    cells = list(sheet.iter_rows(values_only=True))
    assert list(cells[0]) == head
    for got, want in zip(cells[1:], rows, strict=True):
        assert_cells_equal(list(got), want)

    row.locator(".pbi-builder-unschedule").click()  # and unscheduled from the page
    expect(row).to_have_count(0, timeout=30_000)
    assert [s for s in stored_schedules(seeded) if s.report_id == report] == []
    assert page.locator(".pulsebi-error").count() == 0
    assert page_log.errors == []
    assert page_log.outside(export_server.url) == []
