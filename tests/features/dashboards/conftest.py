"""Dashboards and scorecards against the `seeded` demo database: notebooks run under Papermill in
a kernel that reads its settings from the environment; `pulsebi kpi` gives the expected figures."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from pulsebi.db import get_engine
from pulsebi.db.schema import branches
from pulsebi.settings import Settings
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


@pytest.fixture(scope="module")
def branch_code(seeded: Settings) -> str:
    with get_engine(seeded).connect() as conn:
        return conn.execute(select(branches.c.code).order_by(branches.c.code)).scalars().first()
