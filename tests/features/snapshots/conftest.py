"""Snapshots against the `seeded` demo database (views refreshed), its clock on the seeded day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from pulsebi.db import get_engine
from pulsebi.db.schema import branches
from pulsebi.settings import Settings, get_settings, use_settings
from pulsebi.views import refresh_views

SEEDED_DAY = dt.date(2026, 11, 20)  # the `seeded` data's today (tests/conftest.py SEED_TODAY)
CLOCK = dt.time(10, 30)  # local: the day's activity so far


@pytest.fixture(scope="module")
def refreshed(seeded: Settings) -> Iterator[Settings]:
    """The seeded database with its views refreshed (the seed loads crm rows only); the
    snapshots stored meanwhile are dropped after the module."""
    import redis

    from pulsebi.services import resolve_redis_url

    refresh_views(get_engine(seeded), seeded)
    yield seeded
    client = redis.Redis.from_url(resolve_redis_url(seeded))
    for key in client.scan_iter(f"{seeded.namespace}:snapshot:*"):
        client.delete(key)
    client.close()


@pytest.fixture
def on_seeded_day(refreshed: Settings):
    """The process's settings on the seeded database, its clock at 10:30 on the seeded day."""
    import time_machine

    previous = get_settings()
    use_settings(refreshed)
    now = dt.datetime.combine(SEEDED_DAY, CLOCK, tzinfo=refreshed.zone)
    try:
        with time_machine.travel(now, tick=True):
            yield refreshed
    finally:
        use_settings(previous)


@pytest.fixture(scope="module")
def branch_code(refreshed: Settings) -> str:
    with get_engine(refreshed).connect() as conn:
        return conn.execute(select(branches.c.code).order_by(branches.c.code)).scalars().first()
