"""Trend results cached in Redis under the data version, as metrics are (`pulsebi.cache`).

Key: ``<namespace>:trends:<kind>:v<data version>:<digest of the arguments>``. A refresh of the
views bumps the data version, so the first reader after it computes and every later one reads;
older entries are unreachable and expire on their TTL. Values are JSON (never pickle): dicts,
lists, numbers, strings, and tagged dates, datetimes, decimals, NaT, pandas Series and
DataFrames, so a result comes back as it was computed. With Redis unreachable, or no data
version (views never refreshed), `cached` just computes.

    from pulsebi.trends.cache import cached
    records = cached(settings, "seasonality", {"metric": "leads", "grain": "day"},
                     lambda: seasonality(series).to_records())
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from pulsebi import cache
from pulsebi.settings import Settings

T = TypeVar("T")
PREFIX = "trends"
COMPUTE_WAIT = 10.0  # seconds a reader waits for another process computing the same entry
CLAIM_TTL = 60  # seconds a claim to compute outlives a process that died computing
_clients: dict[str, Any] = {}
_TAG = "__pulsebi__"  # the key of a tagged value (no trend result uses it)


def data_version(settings: Settings) -> int | None:
    """The data version the views hold now: Redis's published one, else the database's.

    Parameters
    ----------
    settings
        Which Redis and database.

    Returns
    -------
    int or None
        The newest refresh's id; None when the views were never refreshed or the database has
        no bi schema. One read from the database is published for the next readers.
    """
    version = cache.published_version(settings)
    if version is not None:
        return version
    from sqlalchemy.exc import ProgrammingError

    from pulsebi.db import get_engine
    from pulsebi.views import read_data_state

    try:
        with get_engine(settings).connect() as conn:
            version = read_data_state(conn).version
    except ProgrammingError:
        return None
    if version is not None:
        cache.publish_version(settings, version)
    return version


def trend_key(settings: Settings, kind: str, version: int, args: Mapping[str, Any]) -> str:
    """The Redis key of one trend result (`kind`: "strip", "anomalies", "forecast"...)."""
    text = json.dumps(encode_value(dict(args)), sort_keys=True, default=str)
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    return f"{settings.namespace}:{PREFIX}:{kind}:v{version}:{digest}"


def entry_ttl(settings: Settings) -> int:
    """Seconds an entry lives: the metric cache's TTL, at least two refresh intervals (an entry
    computed ahead after a refresh must outlive the wait for the next one); 0 when
    PULSEBI_CACHE_TTL turns caching off."""
    if settings.cache_ttl <= 0:
        return 0
    return max(settings.cache_ttl, 2 * settings.refresh_every)


def store(
    settings: Settings, kind: str, args: Mapping[str, Any], value: Any, version: int | None = None
) -> None:
    """Store `value` under a data version (nothing without Redis or a version).

    Parameters
    ----------
    settings
        Which Redis.
    kind, args
        As for `cached`.
    value
        The result (`encode_value`).
    version
        The data version it was computed from, read before computing; default: the current.
    """
    version = data_version(settings) if version is None else version
    if version is not None:
        _write(settings, trend_key(settings, kind, version, args), value)


def cached(settings: Settings, kind: str, args: Mapping[str, Any], fn: Callable[[], T]) -> T:
    """`fn()`'s result for `args`, read from Redis when this data version already has it.

    After a refresh the first reader computes; readers that come meanwhile (other kernels,
    the task) wait for its entry, up to `COMPUTE_WAIT` seconds, rather than compute it again.

    Parameters
    ----------
    settings
        Which Redis and database (the data version).
    kind
        What is computed ("strip", "anomalies", ...): part of the key.
    args
        Everything the result depends on besides the data (metric, branch, grain, dates,
        sensitivity...): hashed into the key.
    fn
        Computes the result; it must be JSON-ready, or made of dates, datetimes, decimals,
        NaN/NaT, numpy scalars, pandas Series or DataFrames (`encode_value`).

    Returns
    -------
    object
        The result, computed once per data version and arguments while its entry lives.
    """
    version = data_version(settings)
    if version is None:
        return fn()
    key = trend_key(settings, kind, version, args)
    found, value = _read(settings, key)
    if found:
        return value
    claimed = _claim(settings, key)
    if not claimed:
        found, value = _wait_for(settings, key)
        if found:
            return value
    try:
        value = fn()
        # under the version read before computing: a refresh meanwhile leaves it unread
        _write(settings, key, value)
    finally:
        if claimed:
            _redis(settings, "delete", f"{key}:computing")
    return value


def _claim(settings: Settings, key: str) -> bool:
    """True when this process is to compute `key` (or Redis cannot say who is)."""
    taken = _redis(settings, "set", f"{key}:computing", os.getpid(), nx=True, ex=CLAIM_TTL)
    return taken is not False  # None: Redis unreachable, compute


def _wait_for(settings: Settings, key: str) -> tuple[bool, Any]:
    """Poll for the entry another process computes, while it still claims to."""
    deadline = time.monotonic() + COMPUTE_WAIT
    while time.monotonic() < deadline:
        time.sleep(0.05)
        found, value = _read(settings, key)
        if found or not _redis(settings, "exists", f"{key}:computing"):
            return found, value
    return False, None


def _redis(settings: Settings, op: str, *args: Any, **kwargs: Any) -> Any:
    """One Redis command for the claims; None when Redis is unreachable."""
    import redis

    from pulsebi.services import resolve_redis_url

    ident = settings.redis_url or f"embedded:{settings.data_dir}"
    client = _clients.get(ident)
    try:
        if client is None:
            url = resolve_redis_url(settings)
            client = _clients[ident] = redis.Redis.from_url(url, socket_connect_timeout=0.5)
        result = getattr(client, op)(*args, **kwargs)
    except (redis.RedisError, OSError):
        return None
    return bool(result) if op == "set" else result


def _read(settings: Settings, key: str) -> tuple[bool, Any]:
    # pulsebi.cache stores columns; a trend result is one JSON text in one cell
    hit = cache.get(settings, key)
    if hit is None:
        return False, None
    try:
        return True, decode_value(json.loads(hit[1][0][0]))
    except (IndexError, TypeError, ValueError, KeyError):
        return False, None  # an entry in another layout: recompute


def _write(settings: Settings, key: str, value: Any) -> None:
    payload = json.dumps(encode_value(value))
    cache.put(settings, key, ["value"], [[payload]], entry_ttl(settings))


def encode_value(value: Any) -> Any:
    """`value` as JSON-ready data; dates, decimals, NaT and pandas objects tagged."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {_TAG: "float", "v": str(value)}
    if isinstance(value, Mapping):
        return {str(k): encode_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode_value(v) for v in value]
    if isinstance(value, Decimal):
        return {_TAG: "decimal", "v": str(value)}
    if isinstance(value, datetime):  # pandas.Timestamp included
        if value != value:  # NaT
            return {_TAG: "nat"}
        return {_TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, date):
        return {_TAG: "date", "v": value.isoformat()}
    import numpy as np
    import pandas as pd

    if value is pd.NaT:
        return {_TAG: "nat"}
    if value is pd.NA:
        return None
    if isinstance(value, np.generic):
        return encode_value(value.item())
    if isinstance(value, pd.DataFrame):
        return {_TAG: "frame", **_frame_parts(value)}
    if isinstance(value, pd.Series):
        frame = value.to_frame(name="values")
        return {_TAG: "series", "name": encode_value(value.name), **_frame_parts(frame)}
    raise TypeError(f"cannot cache a {type(value).__name__} in a trend result")


def _frame_parts(frame: Any) -> dict[str, Any]:
    index = frame.index
    return {
        "columns": [str(c) for c in frame.columns],
        "dtypes": [str(t) for t in frame.dtypes],
        "data": [encode_value(frame[c].tolist()) for c in frame.columns],
        "index": encode_value(index.tolist()),
        "index_dtype": str(index.dtype),
    }


def decode_value(value: Any) -> Any:
    """The value `encode_value` was given (pandas objects with their column dtypes)."""
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    if not isinstance(value, dict):
        return value
    tag = value.get(_TAG)
    if tag is None:
        return {k: decode_value(v) for k, v in value.items()}
    if tag == "float":
        return float(value["v"])
    if tag == "decimal":
        return Decimal(value["v"])
    if tag == "date":
        return date.fromisoformat(value["v"])
    if tag == "datetime":
        return datetime.fromisoformat(value["v"])
    if tag == "nat":
        import pandas as pd

        return pd.NaT
    frame = _frame_of(value)
    if tag == "series":
        series = frame["values"]
        series.name = decode_value(value["name"])
        return series
    return frame


def _frame_of(parts: dict[str, Any]) -> Any:
    import pandas as pd

    index = pd.Index(decode_value(parts["index"]))
    if parts["index_dtype"] != "object":
        index = index.astype(parts["index_dtype"])
    columns = {}
    for name, dtype, data in zip(parts["columns"], parts["dtypes"], parts["data"], strict=True):
        column = pd.Series(decode_value(data), index=index, dtype="object")
        columns[name] = column if dtype == "object" else column.astype(dtype)
    return pd.DataFrame(columns, index=index, columns=parts["columns"])
