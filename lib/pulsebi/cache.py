"""A Redis TTL cache in front of the metrics, keyed by metric, arguments and data version.

Keys: `<namespace>:metric:<metric_id>:v<data version>:<digest of the arguments>`. Every
refresh of the views bumps the data version, so a refresh makes every older entry unreachable
(they expire on their TTL). The version itself is read from `<namespace>:data_version`
(published by each refresh, TTL `VERSION_TTL`), else from the database. Values are JSON
(never pickle), with decimals and dates tagged so results come back exactly as computed.

With Redis unreachable, `get`/`put` do nothing: the caller computes from the database. One
warning is logged per outage, not per call, and Redis is not retried for `RETRY_AFTER` seconds
so a dead server costs no connect timeout on every call.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from datetime import date, datetime
from decimal import Decimal

from pulsebi.settings import Settings

log = logging.getLogger(__name__)

RETRY_AFTER = 10.0
_clients: dict[str, object] = {}
_lock = threading.Lock()
_down_until = 0.0
_warned = False


# The data version is also kept in Redis so a cache hit needs no database round trip. Its short
# TTL bounds staleness if a refresh could not reach Redis to publish the new version.
VERSION_TTL = 5


def _version_key(settings: Settings) -> str:
    return f"{settings.namespace}:data_version"


def published_version(settings: Settings) -> int | None:
    raw = _call(settings, "get", _version_key(settings))
    return int(raw) if raw is not None else None


# Versions only move forward: a reader that saw an older version in the database (just before a
# refresh committed) cannot overwrite the newer one a refresh published.
_PUBLISH = """
local cur = tonumber(redis.call('GET', KEYS[1]))
local new = tonumber(ARGV[1])
if (not cur) or cur < new then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
elseif cur == new then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return 0
"""


def publish_version(settings: Settings, version: int) -> None:
    """Record the newest data version (a refresh, or a reader that checked the database)."""
    _call(settings, "eval", _PUBLISH, 1, _version_key(settings), version, VERSION_TTL)


def metric_key(settings: Settings, metric_id: str, version: int | None, args: dict) -> str:
    digest = hashlib.sha256(json.dumps(args, sort_keys=True, default=str).encode()).hexdigest()
    return f"{settings.namespace}:metric:{metric_id}:v{version or 0}:{digest[:32]}"


def _client(settings: Settings):
    import redis

    from pulsebi.services import resolve_redis_url

    # keyed by the setting, not the resolved URL: resolving an embedded server pings it
    ident = settings.redis_url or f"embedded:{settings.data_dir}"
    with _lock:
        client = _clients.get(ident)
    if client is None:
        url = resolve_redis_url(settings)
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        with _lock:
            _clients[ident] = client
    return client


def _call(settings: Settings, op: str, *args, **kwargs):
    """Run one Redis command; None (and at most one warning) when Redis is unreachable."""
    global _down_until, _warned
    import redis

    if time.monotonic() < _down_until:
        return None
    try:
        result = getattr(_client(settings), op)(*args, **kwargs)
    except (redis.RedisError, OSError) as exc:
        _down_until = time.monotonic() + RETRY_AFTER
        if not _warned:
            _warned = True
            log.warning(
                "Redis is unreachable (%s): metrics are computed from the database, uncached, "
                "until it is back",
                exc,
            )
        return None
    if _warned:
        _warned = False
        log.info("Redis is reachable again: metric caching resumed")
    return result


def get(settings: Settings, key: str) -> tuple[list[str], list[list]] | None:
    """A stored result as its column names and its values column by column."""
    raw = _call(settings, "get", key)
    if raw is None:
        return None
    payload = json.loads(raw)
    if "types" not in payload:
        return None  # an entry in an older layout: recompute
    data = [
        [_DECODE[kind](v) if v is not None else None for v in values] if kind else values
        for kind, values in zip(payload["types"], payload["data"], strict=True)
    ]
    return payload["columns"], data


def put(settings: Settings, key: str, columns: list[str], rows: list, ttl: int) -> None:
    """Store a result column by column, each with one type tag (fast to decode)."""
    if ttl <= 0:
        return
    data = [list(col) for col in zip(*rows, strict=True)] if rows else [[] for _ in columns]
    try:
        types = [_column_type(values) for values in data]
    except TypeError as exc:
        log.debug("result not cached: %s", exc)
        return
    encoded = [
        [_ENCODE[kind](v) if v is not None else None for v in values] if kind else values
        for kind, values in zip(types, data, strict=True)
    ]
    payload = json.dumps({"columns": columns, "types": types, "data": encoded})
    _call(settings, "set", key, payload, ex=ttl)


def _column_type(values: list) -> str | None:
    kinds = {_kind(v) for v in values if v is not None}
    if len(kinds) > 1:
        raise TypeError(f"cannot cache a column mixing {sorted(map(str, kinds))}")
    return kinds.pop() if kinds else None


def _kind(value: object) -> str | None:
    if isinstance(value, Decimal):
        return "decimal"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    if isinstance(value, bool | int | float | str):
        return None  # JSON keeps these as they are
    raise TypeError(f"cannot cache a {type(value).__name__}")


_ENCODE = {"decimal": str, "date": date.isoformat, "datetime": datetime.isoformat}
_DECODE = {"decimal": Decimal, "date": date.fromisoformat, "datetime": datetime.fromisoformat}


def reset() -> None:
    """Forget clients and outage state (tests, or after a fork)."""
    global _down_until, _warned
    with _lock:
        _clients.clear()
    _down_until, _warned = 0.0, False
