"""The live worker: LISTEN for crm changes, recompute the KPIs they feed, publish to Redis.

One loop on a dedicated psycopg2 connection (`select()` on its socket). Notifications mark the
KPIs their tables feed as pending (a burst that arrives while the worker is idle is gathered for
`coalesce` seconds first); the worker computes one pending KPI at a time, most watched first
(registry order) unless one has waited over `AGING`, and takes in new notifications between two
computations, so a burst costs each KPI one computation, not one per row or per statement.
On every (re)connection it recomputes everything (nothing missed while away stays wrong), also
every `full_every` seconds and when the local day turns. Any database or Redis failure drops
both connections, backs off and starts over.

Daily sums (`kpis.DAILY_SUMS`: revenue week/month/year to date) take the days before the views'
last refresh from the views and the rest from the crm tables, while the worker knows that no
change since that refresh touched those days: it notes the day of every change it is told of
(a single-row INSERT's timestamp; any other change, or the time it was away, counts as touching
every day) and reads everything from the crm tables until a refresh that started after such a
change has finished.
"""

from __future__ import annotations

import logging
import select
import threading
import time
from collections.abc import Iterable
from datetime import date, datetime

from pulsebi.errors import PulseBIError
from pulsebi.live import channel
from pulsebi.live.channel import Backoff, is_connection_error
from pulsebi.live.kpis import DAILY_SUMS, LiveKpi, kpis_fed_by
from pulsebi.live.triggers import CHANNEL, TRIGGER_FUNCTION, parse_change
from pulsebi.live.values import available_kpis, compute_kpis, freshen
from pulsebi.settings import Settings

log = logging.getLogger(__name__)

APPLICATION_NAME = "pulsebi-live-worker"
AGING = 1.0  # seconds: a pending KPI is not passed over by more watched ones after this
DAY_COLUMNS = dict(DAILY_SUMS.values())  # crm table -> the timestamp its rows' days come from


def connect_listener(settings: Settings):
    """A psycopg2 connection of its own (not pooled) that LISTENs on the crm channel."""
    import psycopg2

    from pulsebi.db import get_engine

    engine = get_engine(settings)
    args, params = engine.dialect.create_connect_args(engine.url)
    params = dict(
        params,
        application_name=APPLICATION_NAME,
        connect_timeout=5,
        keepalives=1,
        keepalives_idle=10,
        keepalives_interval=5,
        keepalives_count=3,
    )
    conn = psycopg2.connect(*args, **params)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"listen {CHANNEL}")  # a fixed identifier, not a value
        cur.execute("select to_regproc(%s) is not null", (TRIGGER_FUNCTION,))
        if not cur.fetchone()[0]:
            log.warning(
                "the crm tables send no change notifications (no %s): run `pulsebi migrate`",
                TRIGGER_FUNCTION,
            )
    return conn


def connect_redis(settings: Settings):
    """A Redis client that fails fast (the worker does its own reconnecting)."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    from pulsebi.services import resolve_redis_url

    return redis.Redis.from_url(
        resolve_redis_url(settings),
        socket_timeout=5,
        socket_connect_timeout=2,
        retry=Retry(NoBackoff(), 0),
    )


class LiveWorker:
    def __init__(self, settings: Settings, *, coalesce: float = 0.002, full_every: float = 60):
        self.settings = settings
        self.coalesce = coalesce
        self.full_every = full_every
        self.kpis: list[LiveKpi] = []
        self.published: dict[str, object] = {}  # field -> value Redis holds
        self.redis = None
        self.down_since: float | None = None
        self.computed_at: dict[str, float] = {}  # KPI key -> monotonic time of its last compute
        self.pending: dict[str, tuple[float, LiveKpi]] = {}  # key -> (changed since, KPI)
        self.order: dict[str, int] = {}  # registry order: the most watched KPIs first
        self.views_behind = False  # crm changed since `freshen` last ran
        # local day a change touched (date.min: any day) -> database time it was noted (latest)
        self.changed_days: dict[date, datetime] = {}
        self._seq = 0

    # --- the loop ---------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        self.kpis = available_kpis()
        self.order = {k.key: i for i, k in enumerate(self.kpis)}
        backoff = Backoff()
        while not stop.is_set():
            conn = None
            try:
                _close(self.redis)
                self.redis = connect_redis(self.settings)
                conn = connect_listener(self.settings)
                self.note_changed_day(conn, date.min)  # whatever happened while away
                self.published = {}  # Redis may have restarted empty: write everything
                self.recompute(self.kpis, prune=True)
                self.down_since = None
                backoff.reset()
                log.info("live worker following %s", CHANNEL)
                self.follow(conn, stop)
            except Exception as exc:
                if is_connection_error(exc):
                    log.warning(
                        "live worker lost a connection (%s); reconnecting", _first_line(exc)
                    )
                else:  # a bug or a bad row: keep serving the other KPIs, say it loudly
                    log.exception("live worker failed; starting over")
                self.down_since = self.down_since or time.time()
                if not _is_redis_error(exc):
                    self.publish_status("db_down")
                stop.wait(backoff.next_delay())
            finally:
                _close(conn)
        self.publish_status("stopped")
        _close(self.redis)

    def follow(self, conn, stop: threading.Event) -> None:
        """Follow notifications until `stop`, one KPI computation at a time; raise on a lost
        connection. Between two computations the worker takes in what arrived, so the KPI a
        new change makes due is next (most watched first; none waits much over `AGING`)."""
        today = self.today()
        last_full = last_beat = time.monotonic()
        self.publish_status("live")
        while not stop.is_set():
            now = time.monotonic()
            if now - last_beat >= channel.HEARTBEAT_EVERY:
                with conn.cursor() as cur:  # also proves the LISTEN session is alive
                    cur.execute("select 1")
                self.publish_status("live")
                last_beat = now
            if self.today() != today or now - last_full >= self.full_every:
                today = self.today()
                self.recompute(self.kpis, prune=True)
                last_full = now
            ready = self.next_ready(now)
            wake = min(last_beat + channel.HEARTBEAT_EVERY, self.next_due())
            timeout = 0.0 if ready else max(0.0, min(0.5, wake - now))
            if not conn.notifies and select.select([conn], [], [], timeout)[0]:
                conn.poll()
            if conn.notifies:
                self.take(conn)
                ready = self.next_ready(time.monotonic())
            if ready is not None:
                self.recompute([ready])

    def take(self, conn) -> None:
        """Mark the KPIs the notifications concern as pending; when idle, first let a burst
        gather for `coalesce` seconds."""
        if not self.pending:
            deadline = time.monotonic() + self.coalesce
            while (left := deadline - time.monotonic()) > 0:
                if select.select([conn], [], [], left)[0]:
                    conn.poll()
        tables: set[str] = set()
        changes = [parse_change(note.payload) for note in conn.notifies]
        conn.notifies.clear()
        for change in changes:
            tables.add(change.table if change else "*")
        self.note_days_changed(conn, changes)
        self.publish_changed(tables)
        now = time.monotonic()
        for kpi in self.kpis if "*" in tables else kpis_fed_by(tables):
            self.pending.setdefault(kpi.key, (now, kpi))
        self.views_behind = True

    def note_days_changed(self, conn, changes: list) -> None:
        """Note the local days that `changes` touched in the tables daily sums read."""
        inserted: dict[str, list[int]] = {}
        for change in changes:
            if change is not None and change.table not in DAY_COLUMNS:
                continue
            if change is None or change.op != "INSERT" or change.rows != 1 or change.id is None:
                self.note_changed_day(conn, date.min)  # an unknown row or a row's old day
                return
            inserted.setdefault(change.table, []).append(change.id)
        for table, ids in inserted.items():
            with conn.cursor() as cur:  # table and column come from DAY_COLUMNS, values bound
                cur.execute(
                    f"select clock_timestamp(), array(select ({DAY_COLUMNS[table]} at time zone %s)"
                    f"::date from crm.{table} where id = any(%s))",
                    (self.settings.tz, ids),
                )
                noted_at, days = cur.fetchone()
            for day in days if len(days) == len(set(ids)) else [date.min]:  # gone: unknown
                self.changed_days[day] = noted_at

    def note_changed_day(self, conn, day: date) -> None:
        with conn.cursor() as cur:
            cur.execute("select clock_timestamp()")
            self.changed_days[day] = cur.fetchone()[0]

    def views_before(self) -> date | None:
        """The day before which the views hold every change (the local day their last refresh
        started), or None while a change since then touched an earlier day."""
        from pulsebi import metrics

        try:
            as_of = metrics.data_as_of(self.settings)
        except PulseBIError:
            return None
        if as_of is None:
            return None
        # changes noted before the refresh started were committed before it: the views have them
        self.changed_days = {d: t for d, t in self.changed_days.items() if t > as_of}
        first = as_of.astimezone(self.settings.zone).date()
        return None if any(day < first for day in self.changed_days) else first

    def next_ready(self, now: float) -> LiveKpi | None:
        """The pending KPI to compute next: one waiting over AGING (oldest first), else the
        most watched; a KPI inside its `min_interval` is not ready."""
        ready = [
            (since, kpi)
            for since, kpi in self.pending.values()
            if now - self.computed_at.get(kpi.key, -1e9) >= kpi.min_interval
        ]
        if not ready:
            return None
        waited = [(since, kpi) for since, kpi in ready if now - since >= AGING]
        if waited:
            return min(waited, key=lambda item: item[0])[1]
        return min(ready, key=lambda item: self.order.get(item[1].key, 0))[1]

    def next_due(self) -> float:
        """When the next KPI held back by its `min_interval` becomes ready."""
        return min(
            (self.computed_at.get(k.key, -1e9) + k.min_interval for _, k in self.pending.values()),
            default=float("inf"),
        )

    # --- values and Redis -------------------------------------------------------------------

    def today(self) -> date:
        return datetime.now(self.settings.zone).date()

    def next_seq(self) -> int:
        # time-based, so it keeps growing across worker restarts and Redis restarts
        self._seq = max(self._seq + 1, time.time_ns() // 1000)
        return self._seq

    def recompute(self, kpis: Iterable[LiveKpi], *, prune: bool = False) -> None:
        """Compute `kpis` (a full recompute with `prune`: stale snapshot fields are dropped),
        writing and publishing the values that changed as they come."""
        kpis = list(kpis)
        started = time.monotonic()
        for kpi in kpis:
            since = self.pending.get(kpi.key, (started,))[0]
            if since <= started:
                self.pending.pop(kpi.key, None)
        if prune or self.views_behind:
            self.views_behind = False
            freshen(self.settings, kpis)
        seen: set[str] = set()
        split = self.views_before() if any(k.metric in DAILY_SUMS for k in kpis) else None
        for kpi, values in compute_kpis(kpis, self.settings, self.today(), split):
            self.computed_at[kpi.key] = time.monotonic()
            seen.update(values)
            self.write_values(values)
        if prune:
            key = channel.snapshot_key(self.settings.namespace)
            gone = [f for f in self.redis.hkeys(key) if f.decode() not in seen]
            if gone:
                self.redis.hdel(key, *gone)
            for field in gone:
                self.published.pop(field.decode(), None)

    def write_values(self, values: dict[str, object]) -> None:
        changed = {
            f: v for f, v in values.items() if f not in self.published or self.published[f] != v
        }
        if not changed:
            return
        at = time.time()
        entries = {f: {"v": v, "seq": self.next_seq(), "at": at} for f, v in changed.items()}
        ns = self.settings.namespace
        message = channel.encode({"type": "values", "values": entries})
        pipe = self.redis.pipeline(transaction=False)
        snapshot = {f: channel.encode(e) for f, e in entries.items()}
        pipe.hset(channel.snapshot_key(ns), mapping=snapshot)
        pipe.publish(channel.channel_name(ns), message)
        pipe.execute()
        self.published.update(changed)

    def publish_changed(self, tables: set[str]) -> None:
        """Tell the open pages that the CRM changed (committed: they may read it now), and the
        day before which the views hold every change (`views_before`)."""
        if self.redis is None:  # not connected (a test driving `take` by hand)
            return
        before = self.views_before()
        message = {
            "type": "changed",
            "tables": sorted(tables),
            "at": time.time(),
            "views_before": before.isoformat() if before else None,
        }
        self.redis.publish(channel.channel_name(self.settings.namespace), channel.encode(message))

    def publish_status(self, status: str) -> None:
        """Heartbeat; best effort (Redis may be the thing that is down)."""
        import redis

        now = time.time()
        data = {"type": "status", "status": status, "at": now, "since": self.down_since or now}
        ns = self.settings.namespace
        try:
            if self.redis is None:
                return
            pipe = self.redis.pipeline(transaction=False)
            pipe.set(channel.status_key(ns), channel.encode(data))
            pipe.publish(channel.channel_name(ns), channel.encode(data))
            pipe.execute()
        except redis.RedisError:
            if status == "live":
                raise


def _is_redis_error(exc: Exception) -> bool:
    import redis

    return isinstance(exc, redis.RedisError)


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _close(conn) -> None:
    """Close a database or Redis connection that may already be broken."""
    if conn is not None:
        try:
            conn.close()
        except Exception:
            log.debug("closing a connection failed", exc_info=True)


def run_worker(settings: Settings, stop_event: threading.Event | None = None, **options) -> None:
    """Run the live worker until `stop_event` is set (forever without one)."""
    LiveWorker(settings, **options).run(stop_event or threading.Event())
