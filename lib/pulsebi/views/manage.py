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
from pulsebi.views.definitions import BI, VIEWS, materialized_names

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


def render_view_sql(name: str, tz: str, part: int = 0) -> str:
    """The view's SELECT for zone `tz` (and part `part` of a view built in parts): the
    identifier-like literals DDL cannot bind."""
    if not _ZONE_NAME.match(tz):
        raise ConfigError(f"time zone {tz!r} cannot be used in view definitions")
    sql = _template(name).replace("{tz}", f"'{tz}'")
    parts = VIEWS[name].info["parts"]
    return sql.replace("{parts}", str(parts)).replace("{part}", str(part))


def _definition_hash(name: str, tz: str) -> str:
    info = VIEWS[name].info
    keys = ",".join(info["keys"])
    sql = "\n".join(render_view_sql(name, tz, i) for i in range(info["parts"]))
    planner = ",".join(f"{k}={v}" for k, v in info["planner"])
    # the zone is hashed even where the SQL does not use it: all views share one zone
    return hashlib.sha256(f"{tz}\n{sql}\n{keys}\n{planner}".encode()).hexdigest()


def _relations(conn: Connection) -> dict[str, str]:
    """Materialized ('m') and plain ('v') views in bi, by name."""
    rows = conn.execute(
        text(
            "select c.relname, c.relkind from pg_class c"
            " join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = :schema and c.relkind in ('m', 'v')"
        ),
        {"schema": BI},
    )
    return {r.relname: r.relkind for r in rows}


def _relations_of(name: str) -> dict[str, str]:
    """What holds view `name` in bi: its materialized view(s), and the plain view over parts."""
    out = dict.fromkeys(materialized_names(name), "m")
    if VIEWS[name].info["parts"] > 1:
        out[name] = "v"
    return out


def _is_built(name: str, relations: dict[str, str]) -> bool:
    return all(relations.get(rel) == kind for rel, kind in _relations_of(name).items())


def _drop(conn: Connection, name: str, kind: str) -> None:
    what = "materialized view" if kind == "m" else "view"
    conn.execute(text(f"drop {what} if exists {BI}.{name} cascade"))


def _create_view(conn: Connection, name: str, tz: str) -> None:
    info = VIEWS[name].info
    keys = ", ".join(info["keys"])
    units = materialized_names(name)
    relations = _relations(conn)
    for rel in (name, *units):  # whatever holds these names now, with what was built on it
        if (kind := relations.get(rel)) is not None:
            _drop(conn, rel, kind)  # "if exists": an earlier drop's cascade may have taken it
    _set_planner(conn, name)
    for part, unit in enumerate(units):
        sql = render_view_sql(name, tz, part)
        conn.execute(text(f"create materialized view {BI}.{unit} as\n{sql}"))
        # NULLS NOT DISTINCT: a missing lead gives a null source_id, still one row per key.
        conn.execute(
            text(f"create unique index {unit}_key on {BI}.{unit} ({keys}) nulls not distinct")
        )
        conn.execute(text(f"analyze {BI}.{unit}"))
    if len(units) > 1:
        union = " union all ".join(f"select * from {BI}.{unit}" for unit in units)
        conn.execute(text(f"create view {BI}.{name} as {union}"))
    _reset_planner(conn, name)


def _set_planner(conn: Connection, name: str) -> None:
    for setting, value in VIEWS[name].info["planner"]:
        conn.execute(select(func.set_config(setting, value, True)))


def _reset_planner(conn: Connection, name: str) -> None:
    for setting, _ in VIEWS[name].info["planner"]:
        conn.execute(text(f"reset {setting}"))


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
        relations = _relations(conn)
        for name in VIEWS:  # bases before their roll-ups
            digest = _definition_hash(name, settings.tz)
            base = VIEWS[name].info["rollup_of"]
            current = _is_built(name, relations) and recorded.get(name) == digest
            if current and base not in created:
                continue
            _create_view(conn, name, settings.tz)
            conn.execute(view_state.delete().where(view_state.c.name == name))
            conn.execute(
                insert(view_state).values(
                    name=name, definition_hash=digest, tz=settings.tz, created_at=func.now()
                )
            )
            created.append(name)
        expected = {rel: kind for name in VIEWS for rel, kind in _relations_of(name).items()}
        for rel, kind in _relations(conn).items():  # views of an earlier definition
            if expected.get(rel) != kind:
                _drop(conn, rel, kind)
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


def refresh_materialized(conn: Connection, view: str, unit: str) -> None:
    """Refresh one materialized view `unit` of `view` (itself or one of its parts) on `conn`,
    inside the caller's transaction, with the settings its query is planned for."""
    _tune_for_bulk(conn)
    _set_planner(conn, view)
    conn.execute(text(f"refresh materialized view concurrently {BI}.{unit}"))


def _refresh_unit(engine: Engine, view: str, unit: str) -> float:
    t0 = time.perf_counter()
    with engine.begin() as conn:
        refresh_materialized(conn, view, unit)
    return (time.perf_counter() - t0) * 1000


def _levels(names: list[str]) -> list[list[str]]:
    """`names` in waves: views built on the crm tables, then roll-ups of those, and so on."""
    depth: dict[str, int] = {}
    for name in VIEWS:  # definition order: a base before its roll-ups
        base = VIEWS[name].info["rollup_of"]
        depth[name] = 0 if base is None else depth[base] + 1
    waves: dict[int, list[str]] = {}
    for name in names:
        waves.setdefault(depth[name], []).append(name)
    return [waves[d] for d in sorted(waves)]


def refresh_views(engine: Engine, settings: Settings) -> RefreshResult:
    """Ensure the views, then refresh each CONCURRENTLY (readers are never blocked).

    Materialized views (a view's parts each count as one) are refreshed `REFRESH_WORKERS` at a
    time, costliest first; roll-ups after the views they read."""
    created = ensure_views(engine, settings)
    t0 = time.perf_counter()
    with engine.connect() as conn:
        started = conn.execute(select(func.clock_timestamp())).scalar_one()
        conn.commit()
    pending = [name for name in VIEWS if name not in created]  # created ones are current
    timings: dict[str, float] = {}
    with ThreadPoolExecutor(max_workers=REFRESH_WORKERS) as pool:
        for wave in _levels(pending):
            units = [(name, unit) for name in wave for unit in materialized_names(name)]
            durations = pool.map(lambda job: _refresh_unit(engine, *job), units)
            for (name, _), ms in zip(units, durations, strict=True):
                timings[name] = timings.get(name, 0.0) + ms  # a view's parts: their sum
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
