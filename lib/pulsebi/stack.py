"""Bring the platform up and down: servers, schema, demo data, views and the long-running
processes, for `pulsebi up | down | status`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from pulsebi import processes
from pulsebi.db import get_engine
from pulsebi.db.migrate import current_revision, upgrade_database
from pulsebi.db.schema import CRM_TABLES
from pulsebi.services import resolve_endpoints, stop_embedded
from pulsebi.settings import Settings

Echo = Callable[[str], None]


@dataclass
class PlatformStatus:
    database: str
    redis: str
    revision: str | None
    row_counts: dict[str, int]
    data_dir: str
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        total = sum(self.row_counts.values())
        lines = [
            f"database  {self.database} (schema revision {self.revision or 'none'})",
            f"redis     {self.redis}",
            f"data dir  {self.data_dir}",
            f"crm rows  {total:,} in {sum(1 for n in self.row_counts.values() if n)} tables",
            *self.notes,
        ]
        return "\n".join(lines)


def _display_url(url: str) -> str:
    if url.startswith("unix://"):
        return url
    return make_url(url).render_as_string(hide_password=True)


def count_rows(settings: Settings) -> dict[str, int]:
    with get_engine(settings).connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in CRM_TABLES.items()
        }


def bring_up(
    settings: Settings, *, seed: bool = True, serve: bool = True, echo: Echo = print
) -> PlatformStatus:
    """Start (or find) the servers, migrate, load demo data into an empty database, refresh the
    views, and start the long-running processes detached: the live-KPI worker, the dashboards
    (`pulsebi serve`), the report worker and beat (`pulsebi down` stops them)."""
    echo("starting services..." if settings.embedded_database else "connecting...")
    endpoints = resolve_endpoints(settings)
    engine = get_engine(settings)
    upgrade_database(engine)
    notes = []
    counts = count_rows(settings)
    if seed and not any(counts.values()):
        from pulsebi.seed import seed_database

        echo("the database is empty: loading demo data")
        summary = seed_database(engine, settings=settings, show_progress=True)
        notes.append(f"demo data loaded ({summary.describe()})")
        counts = count_rows(settings)
    from pulsebi.views import refresh_views

    notes.append(refresh_views(engine, settings).describe())
    notes.append("data ready")
    if serve:
        from pulsebi.live.process import start_live
        from pulsebi.serve.launch import start_serving
        from pulsebi.tasks import start_delivery

        notes.append(start_live(settings))
        notes.append(start_serving(settings))
        notes.append(start_delivery(settings))
    return PlatformStatus(
        database=_display_url(endpoints.database_url),
        redis=_display_url(endpoints.redis_url),
        revision=current_revision(engine),
        row_counts=counts,
        data_dir=str(settings.data_dir),
        notes=notes,
    )


def bring_down(settings: Settings) -> list[str]:
    lines = [f"stopped {name}" for name in processes.stop_all(settings)]
    lines += [f"stopped embedded {name}" for name in stop_embedded(settings)]
    return lines or ["nothing was running"]


def read_status(settings: Settings) -> PlatformStatus:
    endpoints = resolve_endpoints(settings)
    engine = get_engine(settings)
    revision = current_revision(engine)
    counts = count_rows(settings) if revision else {}
    return PlatformStatus(
        database=_display_url(endpoints.database_url),
        redis=_display_url(endpoints.redis_url),
        revision=revision,
        row_counts=counts,
        data_dir=str(settings.data_dir),
        notes=[f"running: {name}" for name in processes.running(settings)],
    )
