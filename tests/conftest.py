"""Fixture chains shared by every test module (override any of them in a module's conftest).

server_settings  the servers to test against: DATABASE_URL / REDIS_URL, or embedded ones
  └ settings     a database created for this run (dropped after), a Redis namespace of its own
      └ engine   migrated to head
          └ db   the crm tables emptied before the test (hand-made data goes here)
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date

import pytest
import redis as redis_lib
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from pulsebi.db import get_engine, reset_engines
from pulsebi.db.migrate import upgrade_database
from pulsebi.db.schema import CRM_TABLES
from pulsebi.services import resolve_database_url, resolve_redis_url, stop_embedded
from pulsebi.settings import Settings, load_settings, use_settings

RUN_ID = uuid.uuid4().hex[:8]


def create_database(server_url: str, name: str) -> str:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'create database "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    reset_engines()
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'drop database if exists "{name}" with (force)'))
    admin.dispose()


@pytest.fixture(scope="session")
def server_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    settings = load_settings()
    if settings.database_url and settings.redis_url:
        yield settings
        return
    if os.environ.get("CI") == "true":
        pytest.exit("CI must set DATABASE_URL and REDIS_URL (.ci/run does)", returncode=3)
    # A developer without servers: embedded ones in a data directory of this run, stopped
    # at the end of the session.
    data_dir = tmp_path_factory.mktemp("embedded")
    embedded = settings.replace(data_dir=data_dir, database_url=None, redis_url=None)
    try:
        yield settings.replace(
            database_url=settings.database_url or resolve_database_url(embedded),
            redis_url=settings.redis_url or resolve_redis_url(embedded),
        )
    finally:
        reset_engines()
        stop_embedded(embedded)


@pytest.fixture(scope="session")
def settings(
    server_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    server_url = resolve_database_url(server_settings)
    name = f"pulsebi_test_{RUN_ID}"
    url = create_database(server_url, name)
    settings = server_settings.replace(
        database_url=url,
        namespace=f"pulsebi-test-{RUN_ID}",
        data_dir=tmp_path_factory.mktemp("data"),
    )
    use_settings(settings)
    yield settings
    use_settings(None)
    drop_database(server_url, name)


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Engine:
    engine = get_engine(settings)
    upgrade_database(engine)
    return engine


@pytest.fixture
def db(engine: Engine) -> Engine:
    """The migrated test database with every crm table (and the seed ground truth) empty."""
    names = ", ".join(f"crm.{name}" for name in CRM_TABLES)
    with engine.begin() as conn:
        conn.execute(text(f"truncate {names}, bi.seed_truth"))
    return engine


@pytest.fixture(scope="session")
def redis_client(settings: Settings) -> Iterator[redis_lib.Redis]:
    client = redis_lib.Redis.from_url(resolve_redis_url(settings))
    yield client
    for key in client.scan_iter(f"{settings.namespace}:*"):
        client.delete(key)
    client.close()


@pytest.fixture
def cli_env(settings: Settings) -> dict[str, str]:
    """Environment for running `pulsebi` as a subprocess against the test database."""
    return {**os.environ, **settings.to_environ()}


# --- demo data (pulsebi.seed) -----------------------------------------------------------------
SEED_TODAY = date(2026, 11, 20)  # the `seeded` data's "today": history ends the day before


@pytest.fixture(scope="session")
def seeded(
    server_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """Settings of a database of its own holding small demo data (2 years to SEED_TODAY,
    scale 0.02, seed 7; ground truth in bi.seed_truth, export in data_dir/accounting.csv).
    Read-only for tests: never change its rows."""
    from pulsebi.seed import seed_database

    server_url = resolve_database_url(server_settings)
    name = f"pulsebi_seeded_{RUN_ID}"
    url = create_database(server_url, name)
    settings = server_settings.replace(
        database_url=url,
        namespace=f"pulsebi-seeded-{RUN_ID}",
        data_dir=tmp_path_factory.mktemp("seeded"),
    )
    engine = get_engine(settings)
    upgrade_database(engine)
    seed_database(engine, settings=settings, years=2, scale=0.02, seed=7, today=SEED_TODAY)
    yield settings
    drop_database(server_url, name)
