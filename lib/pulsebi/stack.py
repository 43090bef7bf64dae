"""Bring the platform up and down: servers, schema, demo data, views and the long-running
processes, for `pulsebi up | down | status`.

`up` records itself (`run/up.pid`) and every process it starts before starting it, so `down`
stops everything, even while `up` is still loading or after it was interrupted. `status` starts
nothing: it looks at the pid files and the embedded servers' data directories.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from pulsebi import processes
from pulsebi.db import get_engine
from pulsebi.db.migrate import current_revision, head_revision, upgrade_database
from pulsebi.db.schema import CRM_TABLES
from pulsebi.services import (
    embedded_running,
    find_database_url,
    psql_command,
    resolve_endpoints,
    stop_embedded,
)
from pulsebi.settings import Settings

Echo = Callable[[str], None]
# What `up` starts, in the order `status` lists them (pid file name, what it is).
PROCESSES = {
    "serve-main": "dashboards",
    "live-worker": "live KPIs",
    "report-worker": "report worker",
    "report-beat": "report beat",
}


@dataclass
class Summary:
    """Labelled lines (`label  text`), then free lines: what `up` ends with, what `status` says."""

    rows: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, label: str, text: str) -> None:
        self.rows.append((label, text))

    def describe(self) -> str:
        width = max((len(label) for label, _ in self.rows), default=0)
        lines = [f"{label.ljust(width)}  {text}" for label, text in self.rows]
        return "\n".join([*lines, *self.notes])


def count_rows(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in CRM_TABLES.items()
        }


def describe_schema(revision: str | None) -> str:
    if revision is None:
        return "no schema yet (`pulsebi migrate` or `pulsebi up` makes it)"
    head = head_revision()
    return "schema up to date" if revision == head else f"schema at {revision}, {head} is newest"


def describe_rows(counts: dict[str, int]) -> str:
    filled = sum(1 for n in counts.values() if n)
    return f"{sum(counts.values()):,} crm rows in {filled} of {len(counts)} tables"


def bring_up(
    settings: Settings, *, seed: bool = True, serve: bool = True, echo: Echo = print
) -> Summary:
    """Start (or find) the servers, migrate, load demo data into an empty database, refresh the
    views, and start the long-running processes detached: the live-KPI worker, the dashboards
    (`pulsebi serve`), the report worker and beat (`pulsebi down` stops them all)."""
    with processes.mark_up(settings):
        echo("starting services..." if settings.embedded_database else "connecting...")
        endpoints = resolve_endpoints(settings)
        engine = get_engine(settings)
        upgrade_database(engine)
        counts = count_rows(engine)
        if seed and not any(counts.values()):
            from pulsebi.seed import seed_database

            echo("the database is empty: loading demo data")
            loaded = seed_database(engine, settings=settings, show_progress=True)
            echo(f"demo data loaded: {loaded.describe()}")
            counts = count_rows(engine)
        from pulsebi.views import refresh_views

        refreshed = refresh_views(engine, settings)
        views = len(refreshed.views_ms) + len(refreshed.created)
        echo(f"views refreshed ({views} in {refreshed.duration_ms:,.0f} ms)")
        summary = Summary()
        summary.add("data", f"{describe_rows(counts)}; {describe_schema(current_revision(engine))}")
        summary.add("database", psql_command(endpoints.database_url))
        if serve:
            start_processes(settings, summary, echo)
        summary.add("stop", "pulsebi down")
        return summary


def start_processes(settings: Settings, summary: Summary, echo: Echo) -> None:
    """Start the workers, beat and dashboards; add the dashboards' URL and login to `summary`."""
    from pulsebi.live.process import start_live
    from pulsebi.serve.deployment import get_deployment
    from pulsebi.serve.launch import describe_access, start_serving
    from pulsebi.tasks import start_delivery

    echo(start_live(settings))
    echo(start_delivery(settings))
    echo("starting the dashboards...")
    problem = start_serving(settings)
    if problem:
        summary.add("dashboards", problem)
        return
    for label, text in describe_access(get_deployment("main"), settings):
        summary.add(label, text)


def bring_down(settings: Settings) -> list[str]:
    """Stop a `pulsebi up` at work, every process it started, then the embedded servers."""
    lines = []
    for name in processes.stop_all(settings):
        lines.append("stopped `pulsebi up`" if name == processes.UP else f"stopped {name}")
    lines += [f"stopped embedded {name}" for name in stop_embedded(settings)]
    return lines or ["nothing was running"]


def _display_url(url: str) -> str:
    if url.startswith("unix://"):
        return url
    return make_url(url).render_as_string(hide_password=True)


def read_status(settings: Settings) -> Summary:
    """What runs and what does not, starting nothing; the dashboards' URL when serving."""
    summary = Summary()
    embedded = embedded_running(settings)
    _describe_database(settings, summary, embedded)
    if "Valkey" in embedded:
        state = "running" if embedded["Valkey"] else "not running"
        summary.add("redis", f"Valkey {state}, embedded in {settings.data_dir / 'valkey'}")
    else:
        summary.add("redis", f"{_display_url(settings.redis_url or '')}: {_ping(settings)}")
    running = set(processes.running(settings))
    for name, what in PROCESSES.items():
        pid = processes.pid_of(settings, name)
        summary.add(what, f"running (pid {pid})" if name in running else "not running")
    if "serve-main" in running:
        _describe_serving(settings, summary)
    if (pid := processes.up_pid(settings)) is not None:
        summary.notes.append(f"`pulsebi up` is still at work (pid {pid})")
    elif not running and not any(embedded.values()):
        summary.notes.append("nothing runs: `pulsebi up` starts the platform")
    summary.add("data dir", str(settings.data_dir))
    return summary


def _describe_serving(settings: Settings, summary: Summary) -> None:
    from pulsebi.serve.deployment import get_deployment, url_of
    from pulsebi.serve.launch import answers, describe_access

    deployment = get_deployment("main")
    if not answers(url_of(deployment, settings)):
        log = processes.log_path(settings, "serve-main")
        summary.add("open", f"{url_of(deployment, settings)} is not answering yet; see {log}")
        return
    for label, text in describe_access(deployment, settings):
        summary.add(label, text)


def _describe_database(settings: Settings, summary: Summary, embedded: dict[str, bool]) -> None:
    url = find_database_url(settings)
    if url is None:
        where = settings.data_dir / "postgres"
        summary.add("database", f"PostgreSQL not running, embedded in {where}")
        return
    # An engine of its own: get_engine would start the embedded server were it to stop now.
    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 5})
    try:
        revision = current_revision(engine)
        counts = count_rows(engine) if revision else {}
    except Exception as exc:  # a server that does not answer: say so, no traceback
        summary.add("database", f"not answering at {_display_url(url)}: {_first_line(exc)}")
        return
    finally:
        engine.dispose()
    state = "PostgreSQL running, embedded" if "PostgreSQL" in embedded else "PostgreSQL"
    text = describe_schema(revision) + (f"; {describe_rows(counts)}" if revision else "")
    summary.add("database", f"{state}: {text}")
    summary.add("psql", psql_command(url))


def _ping(settings: Settings) -> str:
    import redis

    try:
        redis.Redis.from_url(settings.redis_url or "", socket_timeout=5).ping()
    except (redis.RedisError, OSError) as exc:
        return f"not answering: {_first_line(exc)}"
    return "answering"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
