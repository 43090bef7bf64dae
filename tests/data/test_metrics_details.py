"""Row lists (oldest open jobs and tickets) and the platform's own health checks."""

import json
import time
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import insert

from pulsebi.db.schema import report_runs
from pulsebi.errors import UsageError
from pulsebi.metrics import details, platform
from pulsebi.views import refresh_views


def _ago(**delta) -> datetime:
    return datetime.now(UTC) - timedelta(**delta)


def test_oldest_open_jobs_lists_open_statuses_oldest_first_with_elapsed_days(crm_rows, settings):
    crm_rows.branch(1, "CHI")
    crm_rows.branch(2, "AUS")
    crm_rows.job(_ago(days=3), "pending")
    crm_rows.job(_ago(days=9), "in_progress", branch_id=2)
    crm_rows.job(_ago(days=30), "completed")  # closed
    crm_rows.job(_ago(days=40), "Pending")  # not an open status
    crm_rows.job(_ago(days=6), "scheduled", branch_id=8)  # dangling branch

    frame = details.oldest_open_jobs(settings=settings)

    assert list(frame.columns) == ["job_id", "branch", "status", "created_at", "days_outstanding"]
    assert list(frame["job_id"]) == [2, 5, 1]
    assert [None if pd.isna(b) else b for b in frame["branch"]] == ["AUS", None, "CHI"]
    assert list(frame["days_outstanding"]) == pytest.approx([9, 6, 3], abs=1e-3)
    assert str(frame["created_at"].dt.tz) == settings.tz
    assert list(details.oldest_open_jobs(branch="CHI", settings=settings)["job_id"]) == [1]
    assert list(details.oldest_open_jobs(limit=1, settings=settings)["job_id"]) == [2]
    with pytest.raises(UsageError, match="limit"):
        details.oldest_open_jobs(limit=0, settings=settings)
    with pytest.raises(UsageError, match="unknown branch"):
        details.oldest_open_jobs(branch="XXX", settings=settings)


def test_oldest_open_tickets_are_the_unresolved_ones_with_hours_open(crm_rows, settings):
    crm_rows.branch(1, "CHI")
    crm_rows.ticket(_ago(hours=5).isoformat())
    crm_rows.ticket(_ago(hours=50).isoformat(), _ago(hours=1).isoformat())  # resolved
    crm_rows.ticket(_ago(hours=20).isoformat())

    frame = details.oldest_open_tickets(settings=settings)

    assert list(frame["ticket_id"]) == [3, 1]
    assert list(frame["hours_open"]) == pytest.approx([20, 5], abs=1e-3)
    assert list(frame.columns) == [
        "ticket_id",
        "branch",
        "category",
        "priority",
        "opened_at",
        "hours_open",
    ]


def test_platform_health_reads_the_refresh_log_worker_heartbeat_and_failed_runs(
    db, settings, redis_client
):
    from pulsebi.live.channel import status_key

    assert platform.LIVE_STATUS_KEY.format(namespace="ns") == status_key("ns")
    refresh_views(db, settings)
    refresh = platform.last_refresh(settings)
    assert refresh["kind"] in ("refresh", "create") and refresh["duration_ms"] is not None

    key = status_key(settings.namespace)
    redis_client.delete(key)
    assert platform.live_worker(settings)["status"] is None
    now = time.time()
    redis_client.set(key, json.dumps({"status": "live", "at": now - 3.0, "since": now - 60}))
    worker = platform.live_worker(settings, now=now)
    assert worker["status"] == "live" and worker["lag_seconds"] == pytest.approx(3.0)
    redis_client.delete(key)

    def run(key: str, status: str, created: str) -> dict:
        return dict(
            idempotency_key=key,
            kind="adhoc",
            notebook="n.ipynb",
            parameters={},
            formats=[],
            recipients=[],
            status=status,
            attempts=1,
            created_at=datetime.fromisoformat(created).replace(tzinfo=settings.zone),
        )

    with db.begin() as conn:
        conn.execute(
            insert(report_runs),
            [
                run("a", "failed", "2026-01-05 10:00"),
                run("b", "done", "2026-01-05 10:00"),
                run("c", "failed", "2026-01-31 23:59"),
                run("d", "failed", "2026-02-01 00:00"),
            ],
        )
    try:
        assert platform.report_runs_failed(date(2026, 1, 1), date(2026, 2, 1), settings) == 2
        checks = platform.platform_health(date(2026, 1, 1), date(2026, 2, 1), settings)
        assert [c["check"] for c in checks] == [
            "platform_last_refresh",
            "platform_refresh_ms",
            "platform_live_lag_ms",
            "platform_report_runs_failed",
        ]
        assert checks[-1]["value"] == 2 and checks[2]["value"] is None
    finally:
        with db.begin() as conn:
            conn.execute(report_runs.delete())
