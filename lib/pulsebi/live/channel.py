"""What the worker and the subscribers share in Redis, all under the settings' namespace.

- `<ns>:live:snapshot`  hash: field (`<kpi>` or `<kpi>@<branch>`) → `{"v": value, "seq": n,
  "at": epoch seconds}`; `seq` grows with every computation, so a reader keeps the newest.
- `<ns>:live:status`    the worker's heartbeat: `{"status": "live" | "db_down" | "stopped",
  "at": epoch, "since": epoch}`.
- `<ns>:live`           Pub/Sub channel: `{"type": "values", "values": {field: {...}}}` with the
  fields that changed, `{"type": "status", ...}` heartbeats, and `{"type": "changed",
  "tables": [...], "views_before": "YYYY-MM-DD" | null, "at": epoch}` as soon as the worker
  hears of committed crm writes (before it recomputes): pages recompute their own figures that
  cover today, taking the days before `views_before` from the views (null: the crm tables).
"""

from __future__ import annotations

import decimal
import json
import math
import random
from typing import Any

HEARTBEAT_EVERY = 2.0  # seconds between worker heartbeats
STALE_AFTER = 3 * HEARTBEAT_EVERY + 1.0  # a subscriber calls the data stale after this silence


class Backoff:
    """Exponential backoff with jitter: first, 2×first, ... up to `cap` seconds."""

    def __init__(self, first: float = 0.1, cap: float = 2.0):
        self.first, self.cap, self.attempt = first, cap, 0

    def next_delay(self) -> float:
        delay = min(self.cap, self.first * 2**self.attempt)
        self.attempt += 1
        return delay * random.uniform(0.75, 1.0)

    def reset(self) -> None:
        self.attempt = 0


def channel_name(namespace: str) -> str:
    return f"{namespace}:live"


def snapshot_key(namespace: str) -> str:
    return f"{namespace}:live:snapshot"


def status_key(namespace: str) -> str:
    return f"{namespace}:live:status"


def plain_value(value: Any) -> float | int | None:
    """A metric result cell as a JSON number (None for null / NaN)."""
    if value is None:
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, decimal.Decimal):
        value = float(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bool | int | float):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def encode(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"))


def decode(raw: bytes | str | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def is_connection_error(exc: BaseException) -> bool:
    """A lost or refused database / Redis connection (as opposed to a bug or bad data)."""
    import psycopg2
    import redis
    from sqlalchemy import exc as sa_exc

    connection_errors = (
        psycopg2.OperationalError,
        psycopg2.InterfaceError,
        sa_exc.OperationalError,
        sa_exc.InterfaceError,
        redis.ConnectionError,
        redis.TimeoutError,
        OSError,
    )
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, connection_errors)
