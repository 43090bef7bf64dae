"""Deliveries scheduled from the report builder (`bi.report_deliveries`) as schedules beat runs.

Each stored delivery of a saved report not deleted is a `StoredSchedule`: the saved report's
notebook (``notebooks/custom_report.ipynb``) with ``report_id``, its cron read in its time zone,
its recipients and formats, named ``saved-report-<report>-delivery-<id>``. Beat reads the table
on every scan (`collect_stored_due`, called by `pulsebi.reports.beat.collect_due`), so a
delivery added, changed or removed takes effect without a restart; each slot is handed out
once as the YAML schedules' are: a window (last scan, now] kept in Redis (its own mark), a
Redis marker per idempotency key, and the key's claim in ``bi.report_runs``. While the database
is unreachable the window is kept, so the slots due meanwhile go out once it is back (at most
`beat.MAX_CATCHUP` late).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from pathlib import Path
from typing import Any

from pulsebi.reports.deliver import Delivery
from pulsebi.reports.schedules import Schedule
from pulsebi.settings import Settings

log = logging.getLogger(__name__)

SOURCE = Path("bi.report_deliveries")
UNDEFINED_TABLE = "42P01"  # PostgreSQL's code for a table that does not exist
_failing: dict[str, str] = {}


@dataclasses.dataclass(frozen=True)
class StoredSchedule(Schedule):
    """A delivery stored from the builder, as a `Schedule` (its `origin`: the saved report)."""

    delivery_id: int = 0
    report_id: int = 0
    report_name: str = ""

    @property
    def origin(self) -> str:
        return f"saved report {self.report_id} ({self.report_name})"


def schedule_name(report_id: int, delivery_id: int) -> str:
    """A stored delivery's schedule name (in its runs' history and idempotency keys)."""
    return f"saved-report-{report_id}-delivery-{delivery_id}"


def stored_schedules(settings: Settings) -> list[StoredSchedule]:
    """Every stored delivery of a saved report not deleted, as a schedule.

    Parameters
    ----------
    settings : Settings
        Where the database is.

    Returns
    -------
    list of StoredSchedule
        In the order the deliveries were made; none in a database without the table (not
        migrated yet).

    Raises
    ------
    sqlalchemy.exc.DBAPIError
        The database is unreachable or not migrated (``pulsebi migrate``).
    """
    from sqlalchemy.exc import ProgrammingError

    from pulsebi.builder.export import NOTEBOOK, notebook_path
    from pulsebi.builder.schedule import list_deliveries

    try:
        stored = list_deliveries(settings=settings)
    except ProgrammingError as exc:
        if getattr(exc.orig, "pgcode", None) == UNDEFINED_TABLE:
            return []  # not migrated yet (`pulsebi migrate`): nothing can be stored either
        raise
    root = notebook_path().parents[1]
    return [
        StoredSchedule(
            name=schedule_name(d.report_id, d.id),
            cron=d.cron,
            timezone=d.timezone,
            notebook=NOTEBOOK,
            root=root,
            source=SOURCE / str(d.id),
            owner=d.owner or "",
            parameters={"report_id": d.report_id},
            recipients=list(d.recipients),
            formats=list(d.formats),
            subject=d.subject,
            delivery_id=d.id,
            report_id=d.report_id,
            report_name=d.report_name,
        )
        for d in stored
    ]


def collect_stored_due(settings: Settings, now: dt.datetime, client: Any) -> list[Delivery]:
    """The stored deliveries whose fire time came since the last scan of the table.

    Parameters
    ----------
    settings : Settings
        The database, and the namespace of the Redis keys.
    now : datetime.datetime
        The end of the window, time zone aware.
    client : redis.Redis
        Where the window's mark is kept.

    Returns
    -------
    list of Delivery
        The deliveries of every fire time in (last scan, `now`], as `Schedule.deliveries`
        makes them (the caller drops those already handed out); none while the database is
        unreachable (the window then waits for it, logged once).
    """
    from sqlalchemy.exc import DBAPIError

    from pulsebi.errors import PulseBIError
    from pulsebi.reports.beat import LOOKBACK, MAX_CATCHUP

    mark = f"{settings.namespace}:reports:beat:stored_checked_until"
    raw = client.get(mark)
    last = dt.datetime.fromisoformat(raw.decode()) if raw else now - LOOKBACK
    since = max(last, now - MAX_CATCHUP)
    try:
        schedules = stored_schedules(settings)
    except (DBAPIError, PulseBIError) as exc:
        if _failing.get(settings.namespace) != str(exc):
            log.error("stored deliveries not read (tried again each scan): %s", exc)
        _failing[settings.namespace] = str(exc)
        return []
    if _failing.pop(settings.namespace, None) is not None:
        log.info("stored deliveries are read again")
    due = [
        delivery
        for schedule in schedules
        for when in schedule.due_times(since, now)
        for delivery in schedule.deliveries(when)
    ]
    client.set(mark, now.isoformat())
    return due
