"""Report specs against the `seeded` demo database (read only), saved reports in the run's own
test database (`engine`), emptied before each test that saves."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, text

from pulsebi.db import get_engine
from pulsebi.settings import Settings
from pulsebi.views import refresh_views

SEEDED_TODAY = dt.date(2026, 11, 20)  # tests/conftest.py SEED_TODAY


@pytest.fixture(scope="module")
def demo(seeded: Settings) -> Settings:
    """The seeded database's settings, its views refreshed (the seed loads crm rows only)."""
    refresh_views(get_engine(seeded), seeded)
    return seeded


@pytest.fixture
def store(engine: Engine, settings: Settings) -> Settings:
    """The test database with no saved report: its settings, for the store's functions."""
    with engine.begin() as conn:
        conn.execute(text("truncate bi.saved_reports, bi.saved_report_versions restart identity"))
    return settings


@pytest.fixture
def today() -> dt.date:
    """The seeded data's today: its history ends the day before."""
    return SEEDED_TODAY
