"""The platform's own health (not CRM metrics): last view refresh, live worker lag, failed
report runs. The technology scorecard shows them beside the CRM's system metrics.

    platform.last_refresh()                 # {"started_at", "finished_at", "duration_ms", "kind"}
    platform.live_worker()                  # {"status", "heartbeat_at", "lag_seconds"}
    platform.report_runs_failed(start, end) # int
    platform.platform_health(start, end)    # all of them, one dict per check
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

from sqlalchemy import func, select

from pulsebi.db.schema import refresh_log, report_runs
from pulsebi.errors import UsageError
from pulsebi.settings import Settings, get_settings

# The live worker's heartbeat key, as pulsebi.live.channel.status_key writes it (the data
# layer does not import features; tests check both agree).
LIVE_STATUS_KEY = "{namespace}:live:status"


def _engine(settings: Settings):
    from pulsebi.db import get_engine

    return get_engine(settings)


def last_refresh(settings: Settings | None = None) -> dict[str, Any] | None:
    """The newest row of bi.refresh_log (a refresh or re-creation of the views); None if none."""
    settings = settings or get_settings()
    stmt = (
        select(
            refresh_log.c.started_at,
            refresh_log.c.finished_at,
            refresh_log.c.duration_ms,
            refresh_log.c.kind,
        )
        .order_by(refresh_log.c.id.desc())
        .limit(1)
    )
    with _engine(settings).connect() as conn:
        row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def live_worker(settings: Settings | None = None, now: float | None = None) -> dict[str, Any]:
    """The live worker's last heartbeat: its status (live, db_down, stopped; None when it never
    ran), when it was written and how many seconds ago (the lag a live tile can be behind)."""
    import redis

    from pulsebi.services import resolve_redis_url

    settings = settings or get_settings()
    client = redis.Redis.from_url(
        resolve_redis_url(settings), socket_connect_timeout=0.5, socket_timeout=0.5
    )
    try:
        raw = client.get(LIVE_STATUS_KEY.format(namespace=settings.namespace))
    except redis.RedisError:
        return {"status": "redis_unreachable", "heartbeat_at": None, "lag_seconds": None}
    finally:
        client.close()
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        data = {}
    at = data.get("at") if isinstance(data, dict) else None
    if not isinstance(at, int | float):
        return {"status": None, "heartbeat_at": None, "lag_seconds": None}
    now = time.time() if now is None else now
    return {
        "status": data.get("status"),
        "heartbeat_at": dt.datetime.fromtimestamp(at, dt.UTC).astimezone(settings.zone),
        "lag_seconds": max(0.0, now - at),
    }


def report_runs_failed(start: dt.date, end: dt.date, settings: Settings | None = None) -> int:
    """Report runs with status 'failed' created in [start, end) (local dates)."""
    settings = settings or get_settings()
    if end <= start:
        raise UsageError(f"the period is empty: end {end} must be after start {start}")
    zone = settings.zone
    lo = dt.datetime(start.year, start.month, start.day, tzinfo=zone)
    hi = dt.datetime(end.year, end.month, end.day, tzinfo=zone)
    stmt = select(func.count()).where(
        report_runs.c.status == "failed",
        report_runs.c.created_at >= lo,
        report_runs.c.created_at < hi,
    )
    with _engine(settings).connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def platform_health(
    start: dt.date, end: dt.date, settings: Settings | None = None
) -> list[dict[str, Any]]:
    """The platform's own health checks, for the technology scorecard.

    Reads `last_refresh`, `live_worker` and `report_runs_failed`: the last view refresh and
    its duration, the live worker's lag, and the report runs that failed in the period.

    Parameters
    ----------
    start : datetime.date
        First day of the period the failed report runs are counted over (local date).
    end : datetime.date
        The day after its last day (exclusive); after `start`.
    settings : Settings, optional
        Where the database and Redis are and the reporting zone; default: `get_settings()`.

    Returns
    -------
    list of dict
        One dict per check, in this order: platform_last_refresh, platform_refresh_ms,
        platform_live_lag_ms, platform_report_runs_failed. Keys: ``check`` (the id, also its
        thresholds key), ``label``, ``value`` (a number, or text for a time; None when
        unknown: never refreshed, no heartbeat), ``unit`` (a display unit: text, ms, count)
        and ``detail`` (what the value is, or why it is missing).

    Raises
    ------
    UsageError
        If the period is empty (`end` not after `start`).
    """
    settings = settings or get_settings()
    refresh = last_refresh(settings)
    worker = live_worker(settings)
    lag = worker["lag_seconds"]
    finished = refresh["finished_at"].astimezone(settings.zone) if refresh else None
    return [
        {
            "check": "platform_last_refresh",
            "label": "Last view refresh",
            "value": f"{finished:%Y-%m-%d %H:%M %Z}" if finished else None,
            "unit": "text",
            "detail": refresh["kind"] if refresh else "never: run `pulsebi refresh`",
        },
        {
            "check": "platform_refresh_ms",
            "label": "Refresh duration",
            "value": refresh["duration_ms"] if refresh else None,
            "unit": "ms",
            "detail": "the last refresh of the bi views",
        },
        {
            "check": "platform_live_lag_ms",
            "label": "Live worker lag",
            "value": None if lag is None else lag * 1000,
            "unit": "ms",
            "detail": f"status {worker['status']}"
            if worker["status"]
            else "no heartbeat: the live worker is not running",
        },
        {
            "check": "platform_report_runs_failed",
            "label": "Report runs failed",
            "value": report_runs_failed(start, end, settings),
            "unit": "count",
            "detail": "report runs created in the period that failed",
        },
    ]
