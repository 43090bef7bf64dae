"""Dashboards and scorecards against the `seeded` demo database: notebooks run under Papermill in
a kernel that reads its settings from the environment; `pulsebi kpi` gives the expected figures."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
from sqlalchemy import select

from pulsebi.db import get_engine
from pulsebi.db.schema import branches
from pulsebi.settings import Settings, get_settings, use_settings
from pulsebi.views import refresh_views

KERNEL_ENV = ("DATABASE_URL", "REDIS_URL", "PULSEBI_NAMESPACE", "PULSEBI_DATA_DIR", "PULSEBI_TZ")


@pytest.fixture(scope="module")
def seeded_env(seeded: Settings) -> dict[str, str]:
    """The seeded database's environment, its views refreshed (the seed loads crm rows only)."""
    refresh_views(get_engine(seeded), seeded)
    return {**os.environ, **seeded.to_environ()}


@pytest.fixture
def kernel_env(seeded_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The kernel Papermill starts inherits os.environ: point it at the seeded database."""
    for name in KERNEL_ENV:
        monkeypatch.setenv(name, seeded_env[name])
    return seeded_env


@pytest.fixture
def seeded_in_use(seeded_env: dict[str, str], seeded: Settings):
    """The process's settings pointed at the `seeded` database (views refreshed)."""
    previous = get_settings()
    use_settings(seeded)
    yield seeded
    use_settings(previous)


SEEDED_DAY = dt.date(2026, 11, 20)  # the `seeded` data's today (tests/conftest.py SEED_TODAY)


@pytest.fixture
def on_seeded_day(seeded_in_use: Settings):
    """`seeded_in_use` with the process's clock at 10:30 local on the seeded data's today, so
    that the last days hold activity (its history ends the day before)."""
    import time_machine

    now = dt.datetime.combine(SEEDED_DAY, DEMO_CLOCK, tzinfo=seeded_in_use.zone)
    with time_machine.travel(now, tick=True):
        yield seeded_in_use


@pytest.fixture(scope="module")
def branch_code(seeded: Settings) -> str:
    with get_engine(seeded).connect() as conn:
        return conn.execute(select(branches.c.code).order_by(branches.c.code)).scalars().first()


# --- demo data on chosen days (test_every_page.py) ---------------------------------------------
DEMO_CLOCK = dt.time(10, 30)  # the demo's "now" on its day: today's activity so far


@pytest.fixture(scope="session")
def demo_clock() -> dt.time:
    return DEMO_CLOCK


@pytest.fixture(scope="session")
def demo_on(server_settings: Settings, tmp_path_factory: pytest.TempPathFactory):
    """`demo_on(day)`: settings of a database of its own holding tiny demo data (2 years, scale
    0.005, seed 7) up to `day` at DEMO_CLOCK local time, views refreshed; made on first use,
    shared by the session, dropped at its end. Read-only for tests."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from pulsebi.db import reset_engines
    from pulsebi.db.migrate import upgrade_database
    from pulsebi.seed import seed_database
    from pulsebi.services import resolve_database_url

    server_url = resolve_database_url(server_settings)
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    run = uuid.uuid4().hex[:8]
    made: dict[dt.date, Settings] = {}

    def demo(day: dt.date) -> Settings:
        if day not in made:
            name = f"pulsebi_demo_{day:%Y%m%d}_{run}"
            with admin.connect() as conn:
                conn.execute(text(f'create database "{name}"'))
            settings = server_settings.replace(
                database_url=make_url(server_url).set(database=name).render_as_string(False),
                namespace=f"pulsebi-demo-{day:%Y%m%d}-{run}",
                data_dir=tmp_path_factory.mktemp(f"demo-{day:%Y%m%d}"),
            )
            engine = get_engine(settings)
            upgrade_database(engine)
            until = dt.datetime.combine(day, DEMO_CLOCK)  # naive: local time in the zone
            seed_database(engine, settings=settings, years=2, scale=0.005, seed=7, today=until)
            refresh_views(engine, settings)
            made[day] = settings
        return made[day]

    yield demo
    reset_engines()
    with admin.connect() as conn:
        for settings in made.values():
            name = make_url(settings.database_url).database
            conn.execute(text(f'drop database if exists "{name}" with (force)'))
    admin.dispose()
