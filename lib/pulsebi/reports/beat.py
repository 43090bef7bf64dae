"""What is due: scan `schedules/` and list the deliveries whose fire time has come.

Called on every beat scan, so edited, added or removed schedule files (and deliveries stored
from the report builder, `stored_schedules`) take effect without a restart. The window (last
scan, now] is kept in Redis; after a beat restart it reaches back LOOKBACK (at most
MAX_CATCHUP), so a delivery due while no beat ran is still sent — once: keys make a repeat
harmless, and a Redis marker spares the workers most duplicate tasks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
from collections.abc import Iterator
from pathlib import Path

from pulsebi.reports.deliver import Delivery
from pulsebi.reports.schedules import load_schedules
from pulsebi.reports.stored_schedules import collect_stored_due
from pulsebi.settings import Settings

log = logging.getLogger(__name__)

LOOKBACK = dt.timedelta(minutes=5)
MAX_CATCHUP = dt.timedelta(hours=2)
QUEUED_TTL = dt.timedelta(days=3)
_reported: dict[str, str] = {}


def _redis(settings: Settings):
    import redis

    from pulsebi.services import resolve_redis_url

    return redis.Redis.from_url(resolve_redis_url(settings))


def collect_due(
    settings: Settings, directory: Path | str, now: dt.datetime | None = None, client=None
) -> list[Delivery]:
    """Deliveries due since the last scan, not yet handed out by any beat.

    The scan's window is (last scan, `now`]: the last scan's time is kept in Redis; without
    it (a first scan) the window reaches back `LOOKBACK`, and never more than `MAX_CATCHUP`.
    Each delivery is handed out once: a Redis marker per idempotency key, kept `QUEUED_TTL`,
    spares the workers most duplicate tasks (the key in ``bi.report_runs`` makes any repeat
    harmless). A schedule file with an error is logged once per distinct problem and skipped.

    Parameters
    ----------
    settings : Settings
        Where Redis is and the namespace of its keys.
    directory : path-like or str
        The folder of the ``*.yaml`` schedules, read on every scan (edits need no restart).
    now : datetime.datetime, optional
        The end of the window, time zone aware; default: the current instant.
    client : redis.Redis, optional
        The Redis client to use; default: one for ``settings`` (the embedded Valkey started
        if needed).

    Returns
    -------
    list of Delivery
        The deliveries of every fire time in the window, schedule by schedule, one per
        ``for_each`` member, then those stored from the builder (``bi.report_deliveries``,
        `stored_schedules.collect_stored_due`); those an earlier scan already handed out are
        left out.
    """
    now = now or dt.datetime.now(dt.UTC)
    client = client or _redis(settings)
    mark = f"{settings.namespace}:reports:beat:checked_until"
    raw = client.get(mark)
    last = dt.datetime.fromisoformat(raw.decode()) if raw else now - LOOKBACK
    since = max(last, now - MAX_CATCHUP)
    with _quiet("papermill"):  # it logs "Input Notebook: ..." for each notebook, every scan
        loaded = load_schedules(directory)
    _log_problems(loaded)
    due = [
        delivery
        for schedule in loaded.schedules
        for when in schedule.due_times(since, now)
        for delivery in schedule.deliveries(when)
    ]
    client.set(mark, now.isoformat())
    due += collect_stored_due(settings, now, client)  # the builder's, read from the database
    return [d for d in due if _first_to_queue(settings, client, d.key)]


def _first_to_queue(settings: Settings, client, key: str) -> bool:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return bool(
        client.set(f"{settings.namespace}:reports:queued:{digest}", 1, nx=True, ex=QUEUED_TTL)
    )


@contextlib.contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    """Only warnings and errors from `logger_name` while inside."""
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)


def _log_problems(loaded) -> None:
    """Log each bad file once per distinct problem (not on every scan)."""
    for error in loaded.errors:
        if _reported.get(error.file) != str(error):
            _reported[error.file] = str(error)
            log.error("schedule skipped: %s", error)
    for warning in loaded.warnings:
        if _reported.get(warning) is None:
            _reported[warning] = warning
            log.warning("%s", warning)
