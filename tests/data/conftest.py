"""Fixtures for the data layer's tests: terse crm rows and metric helpers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crm_rows import CrmRows, plain_records
from sqlalchemy import Engine

from pulsebi import metrics
from pulsebi.settings import Settings
from pulsebi.views import refresh_views


@pytest.fixture
def crm_rows(db: Engine, settings: Settings) -> CrmRows:
    """An empty crm schema and a factory of rows in it."""
    return CrmRows(db, settings)


@pytest.fixture
def kpi(db: Engine, settings: Settings) -> Callable[..., list[dict[str, object]]]:
    """Refresh the views, compute a metric uncached, return plain records."""

    def run(metric_id: str, start, end, **kwargs) -> list[dict[str, object]]:
        refresh_views(db, settings)
        frame = metrics.compute(
            metric_id, start=start, end=end, settings=settings, use_cache=False, **kwargs
        )
        return plain_records(frame)

    return run
