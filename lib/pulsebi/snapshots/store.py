"""Snapshots in Redis: one key per page, parameters and data version; only the current one read.

Key: ``<namespace>:snapshot:v1:<page>:<params as a sorted query string>:<version>``, alive
`SNAPSHOT_TTL` seconds. A hash (`<namespace>:snapshot:v1:versions`) remembers the version stored
for each page and parameters, so storing a newer one deletes the older at once (a refresh every
five minutes would otherwise keep a day of versions). The current data version is the one the
last refresh published (`pulsebi.cache.published_version`), else the database's (one query,
then published again for the next readers): a burst of viewers reads Redis only.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Mapping
from urllib.parse import urlencode

from pulsebi.settings import Settings
from pulsebi.snapshots.model import Snapshot, decode_snapshot, encode_snapshot
from pulsebi.snapshots.pages import normalize_params

log = logging.getLogger(__name__)

SNAPSHOT_TTL = 24 * 3600  # seconds: a snapshot outlives a night without refreshes
PREFIX = "snapshot:v1"
_clients: dict[str, object] = {}
_lock = threading.Lock()


def snapshot_key(settings: Settings, page: str, params: Mapping[str, str], version: int) -> str:
    """The Redis key of one snapshot.

    Parameters
    ----------
    settings
        Its namespace.
    page
        The served path.
    params
        Normalized parameters (`normalize_params`).
    version
        The data version.

    Returns
    -------
    str
        ``<namespace>:snapshot:v1:<page>:<sorted params as a query string>:<version>``.
    """
    return f"{settings.namespace}:{PREFIX}:{page}:{_query(params)}:{version}"


def _query(params: Mapping[str, str]) -> str:
    return urlencode(sorted(params.items()))


def _index_key(settings: Settings) -> str:
    return f"{settings.namespace}:{PREFIX}:versions"


def _client(settings: Settings):
    import redis

    from pulsebi.services import resolve_redis_url

    ident = settings.redis_url or f"embedded:{settings.data_dir}"
    with _lock:
        client = _clients.get(ident)
    if client is None:
        client = redis.Redis.from_url(
            resolve_redis_url(settings), socket_connect_timeout=0.5, socket_timeout=2.0
        )
        with _lock:
            _clients[ident] = client
    return client


def store_snapshot(settings: Settings, snapshot: Snapshot) -> None:
    """Keep `snapshot` in Redis; the same page and parameters' older version goes.

    Parameters
    ----------
    settings
        Which Redis, which namespace.
    snapshot
        From `build_snapshot`. One older than what is stored for its page and parameters (a
        slow build overtaken by a newer one) is not stored.

    Raises
    ------
    redis.RedisError
        When Redis cannot be reached.
    """
    client = _client(settings)
    field = f"{snapshot.page}:{_query(snapshot.params)}"
    stored = client.hget(_index_key(settings), field)
    if stored is not None and int(stored) > snapshot.version:
        return
    key = snapshot_key(settings, snapshot.page, snapshot.params, snapshot.version)
    with client.pipeline() as pipe:
        pipe.set(key, encode_snapshot(snapshot), ex=SNAPSHOT_TTL)
        pipe.hset(_index_key(settings), field, snapshot.version)
        pipe.expire(_index_key(settings), SNAPSHOT_TTL)
        if stored is not None and int(stored) < snapshot.version:
            old = snapshot_key(settings, snapshot.page, snapshot.params, int(stored))
            pipe.delete(old)
        pipe.execute()


def drop_snapshot(settings: Settings, page: str, params: Mapping[str, str]) -> None:
    """Forget the snapshot of `page` for `params` (what it shows changed without new data: a
    saved report's new version, its new name, its deletion); a kernel serves it until the next
    rebuild.

    Parameters
    ----------
    settings
        Which Redis, which namespace.
    page
        The served path.
    params
        Normalized parameters (``{"report_id": "7"}``).

    Raises
    ------
    redis.RedisError
        When Redis cannot be reached.
    """
    client = _client(settings)
    field = f"{page}:{_query(params)}"
    stored = client.hget(_index_key(settings), field)
    if stored is None:
        return
    with client.pipeline() as pipe:
        pipe.delete(snapshot_key(settings, page, params, int(stored)))
        pipe.hdel(_index_key(settings), field)
        pipe.execute()


def current_version(settings: Settings) -> int | None:
    """The data version the views hold now.

    Parameters
    ----------
    settings
        Which Redis and database.

    Returns
    -------
    int or None
        The version the last refresh published, else the database's newest refresh; None when
        the views were never refreshed or the database has no bi schema.
    """
    from pulsebi import cache

    version = cache.published_version(settings)
    if version is None:
        version = database_version(settings)
        if version is not None:
            cache.publish_version(settings, version)
    return version


def database_version(settings: Settings) -> int | None:
    """The newest refresh's id in the database (the data version), never Redis's.

    Parameters
    ----------
    settings
        Which database.

    Returns
    -------
    int or None
        None when the views were never refreshed or there is no bi schema.
    """
    from sqlalchemy.exc import ProgrammingError

    from pulsebi.db import get_engine
    from pulsebi.views import read_data_state

    try:
        with get_engine(settings).connect() as conn:
            return read_data_state(conn).version
    except ProgrammingError:
        return None


def load_snapshot(settings: Settings, page: str, query: Mapping[str, str]) -> Snapshot | None:
    """The snapshot serving a request, if one of the current data version is kept.

    Parameters
    ----------
    settings
        Which Redis (and database, when no version is published).
    page
        The served path.
    query
        The request's query parameters (`normalize_params` reads them).

    Returns
    -------
    Snapshot or None
        None when the request is not snapshot-able, no snapshot of the current version is
        kept, the one kept was built on another local day (its "today" is not today), or
        Redis (or the database, asked for the version) cannot be reached: a kernel serves the
        page.
    """
    import redis
    from sqlalchemy.exc import SQLAlchemyError

    from pulsebi.errors import ServiceError

    params = normalize_params(page, query)
    if params is None:
        return None
    try:
        version = current_version(settings)
        if version is None:
            return None
        raw = _client(settings).get(snapshot_key(settings, page, params, version))
    except (redis.RedisError, OSError, SQLAlchemyError, ServiceError) as exc:
        log.warning("page snapshots unavailable (%s): a kernel serves the page", exc)
        return None
    if raw is None:
        return None
    snapshot = decode_snapshot(raw)
    zone = settings.zone
    built = dt.datetime.fromtimestamp(snapshot.built_at, zone).date()
    if built != dt.datetime.now(zone).date():
        return None
    return snapshot


def reset() -> None:
    """Forget the Redis clients (tests, or after a fork)."""
    with _lock:
        _clients.clear()
