"""Deliveries scheduled from the report builder (bi.report_deliveries) on the seeded demo data:
checked before anything is stored, listed by `pulsebi schedule list` with their saved report,
picked up by beat's next scan without a restart, each slot handed out once however often beat
ticks, and sent once to a real SMTP server (aiosmtpd) with the report's figures."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
from collections.abc import Iterator
from decimal import Decimal

import openpyxl
import pytest
import redis
from sqlalchemy import func, select, text

from pulsebi.builder import delete_report, run_spec, save_report
from pulsebi.builder.export import export_tables
from pulsebi.builder.schedule import (
    ScheduleInputError,
    list_deliveries,
    schedule_report,
    unschedule,
)
from pulsebi.charts.formats import format_value
from pulsebi.db import get_engine
from pulsebi.db.schema import report_deliveries
from pulsebi.errors import UsageError
from pulsebi.reports.beat import collect_due
from pulsebi.reports.deliver import deliver
from pulsebi.reports.stored_schedules import collect_stored_due
from pulsebi.services import resolve_redis_url
from pulsebi.settings import Settings
from pulsebi.views import refresh_views

SPEC = {
    "visual": "pivot",
    "values": ["net_revenue"],
    "x": "quarter",
    "series": "branch",
    "dates": {"preset": "custom", "from": "2025-01-01", "to": "2026-01-01"},
}
MONDAY_7 = dt.datetime(2026, 12, 7, 13, 0, tzinfo=dt.UTC)  # 07:00 in Chicago
TO = ["ana@pulse.example", "ops@pulse.example"]
WEEKLY = dict(cron="0 7 * * 1", timezone="America/Chicago", recipients=TO, by="ana@pulse.example")


@pytest.fixture(scope="module")
def demo(seeded: Settings) -> Settings:
    """The seeded database, its views refreshed (the seed loads crm rows only)."""
    refresh_views(get_engine(seeded), seeded)
    return seeded


@pytest.fixture
def client(demo: Settings) -> Iterator[redis.Redis]:
    """Redis with no beat window or queued marker of the demo namespace."""
    client = redis.Redis.from_url(resolve_redis_url(demo))

    def clear() -> None:
        for key in client.scan_iter(f"{demo.namespace}:reports:*"):
            client.delete(key)

    clear()
    yield client
    clear()
    client.close()


@pytest.fixture
def report(demo: Settings) -> Iterator[int]:
    """A saved pivot report (removed after the test, with its deliveries and runs)."""
    report_id = save_report(SPEC, by="ana", name="Revenue by branch", settings=demo).id
    yield report_id
    with get_engine(demo).begin() as conn:
        name = f"saved-report-{report_id}-%"
        conn.execute(text("delete from bi.report_runs where schedule like :n"), {"n": name})
        for table in ("report_deliveries where report_id", "saved_reports where id"):
            conn.execute(text(f"delete from bi.{table} = :id"), {"id": report_id})


def stored_count(settings: Settings) -> int:
    with get_engine(settings).connect() as conn:
        return conn.execute(select(func.count()).select_from(report_deliveries)).scalar_one()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"cron": "0 7 * *"}, "cron", "'0 7 * *' is not a cron expression: 5 fields"),
        ({"cron": "0 25 * * 1"}, "cron", "is not a cron expression"),
        ({"timezone": "America/Gotham"}, "timezone", "'America/Gotham' is not an IANA time zone"),
        ({"recipients": ["ana at pulse"]}, "recipients[0]", "is not a valid email address"),
        ({"recipients": ["ok@pulse.example\nBcc: x@y.z"]}, "recipients[0]", "line break"),
        ({"recipients": []}, "recipients", "nobody to send to"),
        ({"formats": ["pdf", "docx"]}, "formats", "no handler for docx"),
        ({"subject": "Hi\r\nBcc: x@y.z"}, "subject", "line break"),
    ],
)
def test_an_invalid_delivery_is_refused_and_nothing_stored(demo, report, change, field, message):
    before = stored_count(demo)
    with pytest.raises(ScheduleInputError) as caught:
        schedule_report(report, **{**WEEKLY, **change}, settings=demo)
    assert caught.value.field == field and message in str(caught.value)
    assert str(caught.value).startswith(f"{field}: ")
    assert stored_count(demo) == before


def test_a_delivery_of_no_saved_report_is_refused(demo, report):
    before = stored_count(demo)
    with pytest.raises(UsageError, match="no saved report has id 999999"):
        schedule_report(999999, **WEEKLY, settings=demo)
    gone = save_report(SPEC, by="ana", name="Gone", settings=demo).id
    delete_report(gone, settings=demo)
    with pytest.raises(UsageError, match=f"no saved report has id {gone}"):
        schedule_report(gone, **WEEKLY, settings=demo)
    assert stored_count(demo) == before


def test_a_stored_delivery_is_listed_with_its_saved_report(demo, report, tmp_path):
    stored = schedule_report(report, **WEEKLY, formats=["pdf"], settings=demo)
    (tmp_path / "schedules").mkdir()
    env = {**os.environ, **demo.to_environ()}
    args = ["pulsebi", "schedule", "list", "--dir", str(tmp_path / "schedules")]
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    (line,) = [x for x in done.stdout.splitlines() if f"delivery-{stored.id} " in x]
    assert line.startswith(f"saved-report-{report}-delivery-{stored.id} 0 7 * * 1 ")
    assert "next " in line and "notebooks/custom_report.ipynb" in line and "-> pdf" in line
    source = f"source saved report {report} (Revenue by branch)"
    assert line.endswith(f"owner ana@pulse.example  {source}")


def test_beat_picks_up_a_stored_delivery_and_sends_each_slot_once(
    demo, report, client, mailbox, tmp_path
):
    settings = demo.replace(smtp_host="127.0.0.1", smtp_port=mailbox.port)
    schedules = tmp_path / "schedules"
    schedules.mkdir()
    before = MONDAY_7 - dt.timedelta(seconds=30)
    assert collect_due(settings, schedules, now=before, client=client) == []
    stored = schedule_report(report, **WEEKLY, settings=settings)  # the same beat, not restarted

    def tick(seconds: int) -> list:  # a beat scan at 07:00 and some seconds
        at = MONDAY_7 + dt.timedelta(seconds=seconds)
        return collect_due(settings, schedules, now=at, client=client)

    (due,) = tick(15)
    name = f"saved-report-{report}-delivery-{stored.id}"
    assert due.key == f"{name}|2026-12-07T13:00Z|{','.join(TO)}"
    assert due.parameters == {"report_id": report} and due.formats == ["pdf", "xlsx"]
    assert due.notebook_path().is_file() and due.owner == "ana@pulse.example"
    # the next tick, and another beat whose window reaches back over the slot: nothing more
    assert tick(30) == []
    for key in client.scan_iter(f"{settings.namespace}:reports:beat:*"):
        client.delete(key)
    assert tick(45) == []
    assert deliver(settings, due).status == "sent"
    assert deliver(settings, due).status == "duplicate"  # a task queued twice
    (message,) = mailbox.messages
    assert message["To"] == ", ".join(TO)
    assert message["Subject"] == "Revenue by branch · Jan 01, 2025 – Dec 31, 2025"
    files = {a.get_filename(): a.get_content() for a in message.iter_attachments()}
    assert sorted(files) == ["Revenue_by_branch.pdf", "Revenue_by_branch.xlsx"]
    (table,) = export_tables(run_spec(SPEC, settings=settings))
    sheet = openpyxl.load_workbook(io.BytesIO(files["Revenue_by_branch.xlsx"]))[table.name]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(table.df.columns) and len(rows) == len(table.df) + 1
    grand = table.df.iloc[-1, -1]
    assert Decimal(str(rows[-1][-1])).quantize(Decimal("0.01")) == grand
    assert format_value(grand, "usd") in message.get_body(("html",)).get_content()


def test_an_unscheduled_or_deleted_reports_delivery_is_not_sent(demo, report, client, tmp_path):
    schedules = tmp_path / "schedules"
    schedules.mkdir()
    first = schedule_report(report, **WEEKLY, settings=demo)
    second = schedule_report(report, **{**WEEKLY, "cron": "0 8 * * 1"}, settings=demo)
    assert [d.id for d in list_deliveries(report, settings=demo)] == [first.id, second.id]
    unschedule(first.id, settings=demo)
    with pytest.raises(UsageError, match=f"no delivery has id {first.id}"):
        unschedule(first.id, settings=demo)
    collect_due(demo, schedules, now=MONDAY_7 - dt.timedelta(hours=1), client=client)
    due = collect_due(demo, schedules, now=MONDAY_7 + dt.timedelta(hours=1), client=client)
    assert [d.schedule for d in due] == [f"saved-report-{report}-delivery-{second.id}"]
    delete_report(report, settings=demo)
    assert list_deliveries(report, settings=demo) == []
    later = MONDAY_7 + dt.timedelta(days=7, hours=1)
    assert collect_due(demo, schedules, now=later, client=client) == []


def test_while_the_database_is_down_the_window_waits(demo, client):
    down = demo.replace(database_url="postgresql://postgres@127.0.0.1:1/nowhere")
    mark = f"{demo.namespace}:reports:beat:stored_checked_until"
    client.set(mark, MONDAY_7.isoformat())
    assert collect_stored_due(down, MONDAY_7 + dt.timedelta(minutes=1), client) == []
    assert client.get(mark).decode() == MONDAY_7.isoformat()  # the slots come once it is back
