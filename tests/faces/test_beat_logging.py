"""The report beat's scans are quiet: a scan with nothing new logs nothing (it used to log
papermill's "Input Notebook: ..." every 15 s, forever); a bad file is logged once."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from pulsebi.reports.beat import collect_due

SCHEDULES = Path(__file__).parents[2] / "schedules"
MONDAY_NOON = dt.datetime(2026, 11, 30, 18, 0, tzinfo=dt.UTC)  # no delivery due then


def test_scans_with_nothing_due_log_nothing(settings, redis_client, caplog) -> None:
    caplog.set_level(logging.DEBUG - 1)
    for minutes in (0, 1, 2):  # three scans
        now = MONDAY_NOON + dt.timedelta(minutes=minutes)
        assert collect_due(settings, SCHEDULES, now=now, client=redis_client) == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO] == []


def test_a_bad_schedule_file_is_logged_once(settings, redis_client, caplog, tmp_path) -> None:
    (tmp_path / "broken.yaml").write_text("name: broken\ncron: [not, a, cron]\n")
    caplog.set_level(logging.INFO)
    for minutes in (0, 1, 2):
        now = MONDAY_NOON + dt.timedelta(minutes=minutes)
        collect_due(settings, tmp_path, now=now, client=redis_client)
    errors = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(errors) == 1 and "broken.yaml" in errors[0].getMessage()
