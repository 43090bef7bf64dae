"""The bi materialized views: built for the reporting zone, refreshed concurrently, logged."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from pulsebi import metrics
from pulsebi.db import get_engine
from pulsebi.db.schema import refresh_log
from pulsebi.errors import ConfigError
from pulsebi.views import VIEW_NAMES, ensure_views, refresh_views
from pulsebi.views.definitions import materialized_names


def test_every_view_has_a_unique_index_and_ensure_is_idempotent(db, settings):
    ensure_views(db, settings)
    assert ensure_views(db, settings) == []
    with db.connect() as conn:
        indexed = conn.execute(
            text(
                "select c.relname from pg_index i join pg_class c on c.oid = i.indrelid"
                " join pg_namespace n on n.oid = c.relnamespace"
                " where n.nspname = 'bi' and i.indisunique and c.relkind = 'm'"
            )
        ).scalars()
        assert set(indexed) == {unit for name in VIEW_NAMES for unit in materialized_names(name)}


def test_a_view_built_in_parts_replaces_its_earlier_single_materialized_view(db, settings):
    # as a database built before sales_daily came in parts holds it: one materialized view
    ensure_views(db, settings)
    with db.begin() as conn:
        conn.execute(text("drop view bi.sales_daily cascade"))
        conn.execute(
            text("create materialized view bi.sales_daily as select * from bi.sales_daily_part0")
        )
        conn.execute(text("update bi.view_state set definition_hash = 'old'"))

    created = ensure_views(db, settings)

    assert "sales_daily" in created and "sales_branch_weekly" in created  # and what reads it
    with db.connect() as conn:
        kinds = dict(
            conn.execute(
                text(
                    "select relname, relkind from pg_class where relnamespace = 'bi'::regnamespace"
                    " and relname like 'sales_%' and relkind in ('m', 'v')"
                )
            ).all()
        )
    parts = materialized_names("sales_daily")
    assert len(parts) > 1
    assert kinds == {
        "sales_daily": "v",
        **dict.fromkeys(parts, "m"),
        "sales_branch_daily": "m",
        "sales_branch_weekly": "m",
    }


def test_refresh_logs_start_end_duration_and_bumps_the_data_version(db, settings):
    first = refresh_views(db, settings)
    second = refresh_views(db, settings)

    assert second.version > first.version
    assert set(second.views_ms) == set(VIEW_NAMES)
    with db.connect() as conn:
        row = conn.execute(select(refresh_log).where(refresh_log.c.id == second.version)).one()
    assert row.kind == "refresh" and row.finished_at >= row.started_at
    assert row.duration_ms is not None  # recorded (how long it took is bench/'s business)
    assert metrics.data_as_of(settings) == row.started_at


def test_a_zone_change_rebuilds_the_views_and_a_mismatch_is_refused(crm_rows, settings):
    crm_rows.sale("2026-01-01T03:00:00+00:00", "7.00")  # Dec 31 in Chicago, Jan 1 in UTC
    jan = {"start": date(2026, 1, 1), "end": date(2026, 2, 1), "use_cache": False}
    refresh_views(crm_rows.engine, settings)
    assert metrics.compute("bookings", settings=settings, **jan)["bookings"].tolist() == [0]
    utc = settings.replace(tz="UTC")
    try:
        with pytest.raises(ConfigError, match="built for the time zone America/Chicago"):
            metrics.compute("bookings", settings=utc, **jan)
        created = refresh_views(get_engine(utc), utc).created
        assert set(created) == set(VIEW_NAMES)
        assert metrics.compute("bookings", settings=utc, **jan)["bookings"].tolist() == [
            Decimal("7.00")
        ]
    finally:
        refresh_views(get_engine(settings), settings)
    assert metrics.compute("bookings", settings=settings, **jan)["bookings"].tolist() == [0]


def test_beat_refreshes_the_views_at_the_configured_interval(db, settings):
    from pulsebi.tasks import app
    from pulsebi.tasks import refresh_views as refresh_task

    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["refresh-views"]
    assert entry["task"] == "pulsebi.refresh_views"
    assert entry["schedule"] == settings.refresh_every

    before = refresh_views(db, settings).version
    assert refresh_task() > before
