"""Create, re-create and refresh the materialized views; read the data version they carry.

The views bucket timestamps in the reporting time zone, so their DDL is rendered for
`settings.tz`. `ensure_views` compares each rendered definition's hash with the one recorded in
`bi.view_state` and re-creates only the views whose definition (or zone) changed. Every refresh
or re-creation adds a row to `bi.refresh_log`; the newest row's id is the *data version* that
cache keys carry, and its start time is what surfaces show as "data as of".
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, func, insert, select, text

from pulsebi import cache
from pulsebi.db.schema import refresh_log, view_state
from pulsebi.errors import ConfigError
from pulsebi.settings import Settings
from pulsebi.views.definitions import BI, VIEWS

log = logging.getLogger(__name__)

SQL_DIR = Path(__file__).with_name("sql")
REFRESH_WORKERS = 2  # views refreshed side by side (each is one backend)
_LOCK_KEY = 0x70756C7365  # advisory lock serialising view (re)creation across processes
_ZONE_NAME = re.compile(r"^[A-Za-z0-9_+\-/]+$")


@dataclass
class RefreshResult:
    version: int
    started_at: datetime
    duration_ms: float
    views_ms: dict[str, float] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)

    def describe(self) -> str:
        parts = [f"{name} {ms:.0f} ms" for name, ms in self.views_ms.items()]
        parts += [f"{name} rebuilt" for name in self.created]
        return (
            f"refreshed {len(parts)} views in {self.duration_ms:.0f} ms "
            f"(data version {self.version}): {', '.join(parts)}"
        )


@functools.cache
def _template(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()


def render_view_sql(name: str, tz: str) -> str:
    """The view's SELECT for zone `tz`: the one identifier-like literal DDL cannot bind."""
    if not _ZONE_NAME.match(tz):
        raise ConfigError(f"time zone {tz!r} cannot be used in view definitions")
    return _template(name).replace("{tz}", f"'{tz}'")


def _definition_hash(name: str, tz: str) -> str:
    keys = ",".join(VIEWS[name].info["keys"])
    # the zone is hashed even where the SQL does not use it: all views share one zone
    return hashlib.sha256(f"{tz}\n{render_view_sql(name, tz)}\n{keys}".encode()).hexdigest()


def _existing_views(conn: Connection) -> set[str]:
    rows = conn.execute(
        text("select matviewname from pg_matviews where schemaname = :schema"), {"schema": BI}
    )
    return {r[0] for r in rows}


def _create_view(conn: Connection, name: str, tz: str) -> None:
    keys = ", ".join(VIEWS[name].info["keys"])
    conn.execute(text(f"drop materialized view if exists {BI}.{name} cascade"))
    conn.execute(text(f"create materialized view {BI}.{name} as\n{render_view_sql(name, tz)}"))
    # NULLS NOT DISTINCT: a missing lead gives a null source_id, still one row per key.
    conn.execute(text(f"create unique index {name}_key on {BI}.{name} ({keys}) nulls not distinct"))
    conn.execute(text(f"analyze {BI}.{name}"))


def ensure_views(engine: Engine, settings: Settings) -> list[str]:
    """(Re)create the views whose definition or zone changed; returns the names created."""
    started, t0 = None, time.perf_counter()
    created = []
    with engine.begin() as conn:
        conn.execute(select(func.pg_advisory_xact_lock(_LOCK_KEY)))
        _tune_for_bulk(conn)
        started = conn.execute(select(func.clock_timestamp())).scalar_one()
        recorded = {
            r.name: r.definition_hash
            for r in conn.execute(select(view_state.c.name, view_state.c.definition_hash))
        }
        existing = _existing_views(conn)
        for name in VIEWS:  # bases before their roll-ups
            digest = _definition_hash(name, settings.tz)
            base = VIEWS[name].info["rollup_of"]
            if name in existing and recorded.get(name) == digest and base not in created:
                continue
            _create_view(conn, name, settings.tz)
            conn.execute(view_state.delete().where(view_state.c.name == name))
            conn.execute(
                insert(view_state).values(
                    name=name, definition_hash=digest, tz=settings.tz, created_at=func.now()
                )
            )
            created.append(name)
        for name in existing - set(VIEWS):
            conn.execute(text(f"drop materialized view if exists {BI}.{name} cascade"))
        conn.execute(view_state.delete().where(view_state.c.name.not_in(list(VIEWS))))
        if created:
            version = _log_refresh(conn, started, t0, "create", settings.tz, created)
    if created:
        log.info("created views for %s: %s", settings.tz, ", ".join(created))
        cache.publish_version(settings, version)
    return created


def _log_refresh(
    conn: Connection, started: datetime, t0: float, kind: str, tz: str, detail: object
) -> int:
    return conn.execute(
        insert(refresh_log)
        .values(
            started_at=started,
            finished_at=func.clock_timestamp(),
            duration_ms=(time.perf_counter() - t0) * 1000,
            kind=kind,
            tz=tz,
            detail=json.dumps(detail),
        )
        .returning(refresh_log.c.id)
    ).scalar_one()


def _tune_for_bulk(conn: Connection) -> None:
    # A refresh aggregates whole tables: memory to hash them without spilling, no JIT.
    conn.execute(text("set local work_mem = '256MB'"))
    conn.execute(text("set local jit = off"))


def _refresh_view(engine: Engine, name: str) -> float:
    t0 = time.perf_counter()
    with engine.begin() as conn:
        _tune_for_bulk(conn)
        conn.execute(text(f"refresh materialized view concurrently {BI}.{name}"))
    return (time.perf_counter() - t0) * 1000


def refresh_views(engine: Engine, settings: Settings) -> RefreshResult:
    """Ensure the views, then refresh each CONCURRENTLY (readers are never blocked)."""
    created = ensure_views(engine, settings)
    t0 = time.perf_counter()
    with engine.connect() as conn:
        started = conn.execute(select(func.clock_timestamp())).scalar_one()
        conn.commit()
    pending = [name for name in VIEWS if name not in created]  # created ones are current
    bases = [name for name in pending if not VIEWS[name].info["rollup_of"]]
    with ThreadPoolExecutor(max_workers=REFRESH_WORKERS) as pool:
        durations = list(pool.map(lambda n: _refresh_view(engine, n), bases))
    timings = dict(zip(bases, durations, strict=True))
    for name in pending:  # roll-ups read their base: after it, and cheap
        if name not in timings:
            timings[name] = _refresh_view(engine, name)
    with engine.begin() as conn:
        version = _log_refresh(
            conn, started, t0, "refresh", settings.tz, {k: round(v, 1) for k, v in timings.items()}
        )
    duration = (time.perf_counter() - t0) * 1000
    log.info("refreshed %d views in %.0f ms (version %d)", len(timings), duration, version)
    cache.publish_version(settings, version)
    return RefreshResult(version, started, duration, timings, created)


@dataclass(frozen=True)
class DataState:
    version: int | None
    as_of: datetime | None
    zones: tuple[str, ...]


def read_data_state(conn: Connection) -> DataState:
    """The data version, its time and the zone(s) the views were built for, in one round trip."""
    row = conn.execute(
        text(
            "select r.id, r.started_at,"
            " (select array_agg(distinct tz) from bi.view_state) as zones"
            " from (select 1) one"
            " left join lateral (select id, started_at from bi.refresh_log"
            "  order by id desc limit 1) r on true"
        )
    ).one()
    return DataState(row.id, row.started_at, tuple(row.zones or ()))
