"""Exactly once, in the library: a repeated delivery sends nothing, SMTP down then up sends one
email, a failing notebook fails its run with the cell and tells the owner once, a dead worker's
claim is taken over, a send interrupted mid-way is never repeated."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from pulsebi.errors import DeliveryDeferred
from pulsebi.reports import history
from pulsebi.reports.deliver import Delivery, deliver

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"


def delivery(notebook: str = "table_and_chart.ipynb", **changes) -> Delivery:
    values = dict(
        key=f"test|{uuid.uuid4().hex}|dal@pulse.example",
        notebook=str(NOTEBOOKS / notebook),
        parameters={"branch": "DAL"} if notebook == "table_and_chart.ipynb" else {},
        formats=["pdf", "xlsx"],
        recipients=["dal@pulse.example"],
        kind="scheduled",
        schedule="test",
        scheduled_for="2026-11-23T07:00:00-06:00",
        owner="owner@pulse.example",
    )
    values.update(changes)
    return Delivery(**values)


def row(engine, key: str) -> dict:
    return history.read_run(engine, key)


def test_a_delivery_repeated_sends_one_email(engine, mail_settings, mailbox):
    d = delivery()
    assert deliver(mail_settings, d).status == "sent"
    assert deliver(mail_settings, d).status == "duplicate"
    assert len(mailbox.messages) == 1
    assert row(engine, d.key)["status"] == "sent" and row(engine, d.key)["attempts"] == 1


def test_smtp_down_then_up_sends_exactly_one_email(engine, mail_settings, mailbox):
    d = delivery()
    mailbox.stop()
    with pytest.raises(DeliveryDeferred, match="unreachable"):
        deliver(mail_settings, d)
    assert row(engine, d.key)["status"] == "retrying"
    mailbox.start()
    assert deliver(mail_settings, d).status == "sent"
    assert deliver(mail_settings, d).status == "duplicate"
    assert len(mailbox.messages) == 1
    assert row(engine, d.key)["attempts"] == 2


def test_failing_notebook_fails_once_with_its_cell_and_tells_the_owner_once(
    engine, mail_settings, mailbox
):
    d = delivery("fails_in_cell_3.ipynb")
    result = deliver(mail_settings, d)
    assert result.status == "failed"
    failed = row(engine, d.key)
    assert failed["status"] == "failed" and failed["failed_cell"] == 3
    assert "ZeroDivisionError" in failed["error"] and "ratio = total / divisor" in failed["error"]
    assert deliver(mail_settings, d).status == "duplicate"  # a retry or duplicate task
    (notice,) = mailbox.messages
    assert notice["To"] == "owner@pulse.example"
    assert notice["Subject"] == "Report failed: test"
    assert "cell 3" in notice.get_content()
    assert row(engine, f"{d.key}|failure-notice")["status"] == "sent"


def test_the_owner_notice_waits_for_smtp_and_is_sent_once(engine, mail_settings, mailbox):
    d = delivery("fails_in_cell_3.ipynb")
    mailbox.stop()
    first = deliver(mail_settings, d)
    assert first.status == "failed" and first.notice_pending
    assert row(engine, d.key)["status"] == "failed"
    mailbox.start()
    again = deliver(mail_settings, d)  # the task's retry
    assert again.status == "duplicate" and not again.notice_pending
    deliver(mail_settings, d)
    assert [m["To"] for m in mailbox.messages] == ["owner@pulse.example"]
    assert row(engine, d.key)["attempts"] == 1


def test_an_unexpected_error_fails_the_run_instead_of_leaving_it_running(
    engine, mail_settings, mailbox
):
    from pulsebi.reports import sinks

    sinks.register_sink("broken", lambda run: 1 / 0)
    try:
        d = delivery(formats=["broken"])
        assert deliver(mail_settings, d).status == "failed"
    finally:
        sinks._sinks.pop("broken")
    failed = row(engine, d.key)
    assert failed["status"] == "failed" and "ZeroDivisionError" in failed["error"]
    assert [m["To"] for m in mailbox.messages] == ["owner@pulse.example"]


def test_a_dead_workers_claim_is_taken_over_when_its_lease_ends(engine, mail_settings, mailbox):
    d = delivery()
    stale = history.claim(engine, d.row(), dt.timedelta(seconds=0))  # a worker that died
    assert stale is not None
    assert deliver(mail_settings, d).status == "sent"
    assert history.update_claimed(engine, stale, status="failed") is False  # it changes nothing
    assert row(engine, d.key)["attempts"] == 2
    assert len(mailbox.messages) == 1


def test_a_live_claim_makes_a_duplicate_task_wait(engine, mail_settings, mailbox):
    d = delivery()
    assert history.claim(engine, d.row(), dt.timedelta(minutes=5)) is not None
    result = deliver(mail_settings, d)
    assert result.status == "busy" and 200 < result.retry_in <= 300
    assert mailbox.messages == []


def test_a_send_interrupted_after_handing_over_is_never_repeated(engine, mail_settings, mailbox):
    d = delivery()
    claim = history.claim(engine, d.row(), dt.timedelta(seconds=0))
    assert history.mark_sending(engine, claim)  # the worker died between SMTP and the record
    assert deliver(mail_settings, d).status == "duplicate"
    assert row(engine, d.key)["status"] == "uncertain"
    assert mailbox.messages == []


def test_database_unreachable_is_a_transient_failure(mail_settings):
    down = mail_settings.replace(database_url="postgresql://postgres@127.0.0.1:1/nowhere")
    with pytest.raises(DeliveryDeferred, match="database unreachable"):
        deliver(down, delivery())


def test_history_lists_runs_and_prune_drops_old_ones(engine, settings, mail_settings, mailbox):
    from pulsebi.reports.prune import prune_reports

    d = delivery()
    deliver(mail_settings, d)
    assert any(r["idempotency_key"] == d.key for r in history.list_runs(engine, limit=100))
    with engine.begin() as conn:
        conn.execute(
            text(
                "update bi.report_runs set created_at = now() - interval '40 days'"
                " where idempotency_key = :k"
            ),
            {"k": d.key},
        )
    old_run = settings.data_dir / "runs" / "20200101T000000Z-deadbeef"
    old_run.mkdir(parents=True)
    dirs, rows = prune_reports(settings, "30d")
    assert dirs >= 1 and rows >= 1
    assert not old_run.exists() and row(engine, d.key) is None
