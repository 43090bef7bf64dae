"""The kernel's side of live KPIs: one subscriber thread per process feeding registered callbacks.

A thread, not an asyncio task: a task on the kernel's loop stalls while a widget callback
blocks, a thread keeps delivering. Pub/Sub has no replay, so on every (re)connection the thread
first SUBSCRIBEs (and waits for the confirmation), then reads the snapshot, then follows the
channel; each value carries a `seq` and only newer values replace older ones.

Callbacks get a `LiveUpdate` (value and state). State is `loading` (no value yet), `live`,
`reconnecting` (Redis lost; backing off) or `stale` (the worker reports its database down, has
stopped, or its heartbeat is late), with `since` = the last instant the data was known fresh.
A binding refreshes `live` (every change, at most `LIVE_FRAME` apart) or at most every N seconds;
state changes go at once.

`watch(callback)` is told that the CRM changed (a `CrmChange`: the worker's `changed` message,
or a reconnection, which may have missed some): pages recompute their figures that cover today
(`pulsebi.dashboards.follow`).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from pulsebi.errors import UsageError
from pulsebi.live import channel
from pulsebi.live.channel import Backoff
from pulsebi.live.kpis import split_field
from pulsebi.settings import Settings, get_settings

log = logging.getLogger(__name__)

Refresh = str | float | int | None  # "live", seconds, or None: the page's setting

# "live" pushes at most one frame per LIVE_FRAME seconds per binding: a change after a quiet
# spell goes at once, a stream of changes is shown ~10 times a second (the newest value each
# time), which keeps many open pages and their browsers from drowning in redraws.
LIVE_FRAME = 0.05


@dataclass(frozen=True)
class LiveUpdate:
    field: str
    kpi: str
    branch: str | None
    value: object
    state: str  # loading | live | reconnecting | stale
    since: dt.datetime | None  # when the data was last known fresh (reconnecting / stale)
    computed_at: dt.datetime | None  # when the worker computed the value


@dataclass(frozen=True)
class CrmChange:
    """The CRM changed: the crm tables written ("*": unknown) and the day before which the
    views hold every change (None: unknown, read the crm tables), as the worker saw it."""

    tables: frozenset[str]
    views_before: dt.date | None = None

    @classmethod
    def of_message(cls, data: dict) -> CrmChange:
        try:
            before = dt.date.fromisoformat(data["views_before"])
        except (KeyError, TypeError, ValueError):
            before = None
        return cls(frozenset(map(str, data.get("tables") or ["*"])), before)


def check_refresh(refresh: Refresh, *, allow_none: bool = True) -> float | None:
    """Seconds between updates (0.0 = live push); None = inherit the page's setting."""
    if refresh is None and allow_none:
        return None
    if refresh == "live":
        return 0.0
    if isinstance(refresh, int | float) and not isinstance(refresh, bool) and refresh > 0:
        return float(refresh)
    raise UsageError(f"refresh {refresh!r} is not 'live' or a number of seconds > 0")


class Binding:
    """One callback following one snapshot field; `cancel()` stops it."""

    def __init__(self, owner: LiveSubscriber, field: str, callback, refresh: float | None):
        self.owner, self.field, self.callback, self.refresh = owner, field, callback, refresh
        self.lock = threading.Lock()
        self.last_sent = float("-inf")  # monotonic time of the last value delivery
        self.sent: tuple | None = None  # (seq, state, since) last delivered
        self.due: float | None = None  # a throttled value waits until then

    @property
    def interval(self) -> float:
        interval = self.refresh if self.refresh is not None else self.owner.page_refresh
        return max(interval, self.owner.frame)

    def set_refresh(self, refresh: Refresh) -> None:
        self.refresh = check_refresh(refresh)
        self.owner.wake(self)

    def cancel(self) -> None:
        self.owner.unsubscribe(self)


class LiveSubscriber:
    def __init__(self, settings: Settings, redis_url: str | None = None, frame: float = LIVE_FRAME):
        self.settings = settings
        self.redis_url = redis_url
        self.frame = frame
        self.page_refresh = 0.0
        self.values: dict[str, dict] = {}  # field -> {"v", "seq", "at"}
        self.connected = False
        self.worker: dict = {}  # the worker's last status message
        self.fresh_at: float | None = None  # epoch: data last known fresh
        self.reconnects = 0
        self.pid = os.getpid()
        self._bindings: dict[str, list[Binding]] = {}
        self._watchers: list[Callable[[CrmChange], object]] = []
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._wakeup = threading.Event()
        self._thread: threading.Thread | None = None

    # --- public ----------------------------------------------------------------------------

    def start(self) -> LiveSubscriber:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="pulsebi-live", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5) -> None:
        self._stop.set()
        self._wakeup.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def subscribe(
        self, field: str, callback: Callable[[LiveUpdate], object], refresh: Refresh = None
    ) -> Binding:
        """Call `callback(update)` now with what is known, then on every change."""
        binding = Binding(self, field, callback, check_refresh(refresh))
        with self._lock:
            self._bindings.setdefault(field, []).append(binding)
        self._deliver(binding, force=True)
        return binding

    def unsubscribe(self, binding: Binding) -> None:
        with self._lock:
            bindings = self._bindings.get(binding.field, [])
            if binding in bindings:
                bindings.remove(binding)

    def watch(self, callback: Callable[[CrmChange], object]) -> Callable[[], None]:
        """Call `callback(change)` (in this thread: return quickly) whenever the CRM changed
        (also after a reconnection: changes meanwhile sent no message). Returns `cancel`."""
        with self._lock:
            self._watchers.append(callback)

        def cancel() -> None:
            with self._lock:
                if callback in self._watchers:
                    self._watchers.remove(callback)

        return cancel

    def set_page_refresh(self, refresh: Refresh) -> None:
        """The refresh of every binding that has none of its own: 'live' or N seconds."""
        self.page_refresh = check_refresh(refresh, allow_none=False)
        self.wake()

    def wake(self, binding: Binding | None = None) -> None:
        if binding is not None:
            self._deliver(binding)
        self._wakeup.set()

    def state(self, field: str | None = None) -> tuple[str, dt.datetime | None]:
        """The state a tile on `field` shows, and since when the data was fresh."""
        since = _utc(self.fresh_at)
        if not self.connected:
            return ("reconnecting" if self.reconnects or self.fresh_at else "loading"), since
        if field is not None and field not in self.values:
            return "loading", None
        status = self.worker.get("status")
        heartbeat = self.worker.get("at", 0)
        if status != "live" or time.time() - heartbeat > channel.STALE_AFTER:
            if status != "live":
                since = _utc(self.worker.get("since") or heartbeat) or since
            return "stale", since
        return "live", None

    # --- the thread ------------------------------------------------------------------------

    def _run(self) -> None:
        import redis

        backoff = Backoff(0.1, 2.0)
        while not self._stop.is_set():
            client = pubsub = None
            try:
                client = self._connect()
                pubsub = client.pubsub()
                pubsub.subscribe(channel.channel_name(self.settings.namespace))
                self._await_subscription(pubsub)
                self._read_snapshot(client)
                backoff.reset()
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=self._tick())
                    if message is not None and message.get("type") == "message":
                        self._receive(channel.decode(message["data"]))
            except (redis.RedisError, OSError) as exc:
                log.info("live subscriber lost Redis (%s); reconnecting", exc)
            except Exception:
                log.exception("live subscriber failed; restarting it")
            finally:
                for conn in (pubsub, client):
                    _close(conn)
            if self._stop.is_set():
                break
            self.reconnects += 1
            self._set_connected(False)
            deadline = time.monotonic() + backoff.next_delay()
            while not self._stop.is_set() and (left := deadline - time.monotonic()) > 0:
                self._wakeup.wait(min(left, self._tick()))
                self._wakeup.clear()

    def _connect(self):
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        from pulsebi.services import resolve_redis_url

        return redis.Redis.from_url(
            self.redis_url or resolve_redis_url(self.settings),
            socket_timeout=10,
            socket_connect_timeout=2,
            health_check_interval=5,
            retry=Retry(NoBackoff(), 0),
        )

    def _await_subscription(self, pubsub) -> None:
        import redis

        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            message = pubsub.get_message(timeout=0.5)
            if message is not None and message.get("type") == "subscribe":
                return
        raise redis.ConnectionError("no SUBSCRIBE confirmation within 5 s")

    def _read_snapshot(self, client) -> None:
        ns = self.settings.namespace
        pipe = client.pipeline(transaction=False)
        pipe.hgetall(channel.snapshot_key(ns))
        pipe.get(channel.status_key(ns))
        snapshot, status = pipe.execute()
        values = {}
        for field, raw in snapshot.items():
            entry = channel.decode(raw)
            if entry is not None:
                values[field.decode()] = entry
        with self._lock:
            self.worker = channel.decode(status) or {}
            self.connected = True
            self._note_fresh()
        self._merge(values, force_all=True)
        if self.reconnects:  # changes while away sent no message
            self._tell_watchers(CrmChange(frozenset({"*"})))

    def _receive(self, data: dict | None) -> None:
        if not data:
            return
        if data.get("type") == "status":
            with self._lock:
                self.worker = data
                self._note_fresh()
            self._deliver_all()
        elif data.get("type") == "values":
            self._merge(data.get("values") or {})
        elif data.get("type") == "changed":
            self._tell_watchers(CrmChange.of_message(data))

    def _tell_watchers(self, change: CrmChange) -> None:
        with self._lock:
            watchers = list(self._watchers)
        for callback in watchers:
            try:
                callback(change)
            except Exception:
                log.exception("a CRM change watcher failed")

    def _note_fresh(self) -> None:
        if self.worker.get("status") == "live":
            self.fresh_at = max(self.fresh_at or 0, self.worker.get("at", 0))

    def _merge(self, values: dict[str, dict], force_all: bool = False) -> None:
        changed = []
        with self._lock:
            for field, entry in values.items():
                old = self.values.get(field)
                if old is None or entry.get("seq", 0) > old.get("seq", 0):
                    self.values[field] = entry
                    changed.append(field)
            targets = (
                [b for bs in self._bindings.values() for b in bs]
                if force_all
                else [b for f in changed for b in self._bindings.get(f, [])]
            )
        for binding in targets:
            self._deliver(binding)

    def _set_connected(self, connected: bool) -> None:
        with self._lock:
            self.connected = connected
        self._deliver_all()

    def _deliver_all(self) -> None:
        with self._lock:
            targets = [b for bs in self._bindings.values() for b in bs]
        for binding in targets:
            self._deliver(binding)

    def _tick(self) -> float:
        """Deliver throttled values that are due, notice a late heartbeat; seconds to sleep."""
        now = time.monotonic()
        wait = 1.0
        with self._lock:
            targets = [b for bs in self._bindings.values() for b in bs]
        for binding in targets:
            if binding.due is not None:
                if binding.due <= now:
                    self._deliver(binding)
                if binding.due is not None:
                    wait = min(wait, max(0.0, binding.due - now))
        if self.connected and self.worker.get("status") == "live":
            late = time.time() - self.worker.get("at", 0) > channel.STALE_AFTER
            if late:
                self._deliver_all()
        return wait

    def _deliver(self, binding: Binding, force: bool = False) -> None:
        with binding.lock:
            state, since = self.state(binding.field)
            entry = self.values.get(binding.field)
            seq = entry.get("seq") if entry else None
            if binding.sent is not None and (seq, state, since) == binding.sent and not force:
                return
            new_value = binding.sent is None or seq != binding.sent[0]
            now = time.monotonic()
            same_state = binding.sent is not None and binding.sent[1:] == (state, since)
            early = now - binding.last_sent < binding.interval
            if new_value and same_state and not force and early:
                binding.due = binding.last_sent + binding.interval  # throttled: deliver later
                return
            binding.due = None
            if new_value:
                binding.last_sent = now
            binding.sent = (seq, state, since)
            kpi, branch = split_field(binding.field)
            update = LiveUpdate(
                field=binding.field,
                kpi=kpi,
                branch=branch,
                value=entry.get("v") if entry else None,
                state=state,
                since=since,
                computed_at=_utc(entry.get("at")) if entry else None,
            )
            try:
                binding.callback(update)
            except Exception:
                log.exception("live callback for %s failed", binding.field)


def _utc(epoch: float | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(epoch, dt.UTC) if epoch else None


def _close(conn) -> None:
    if conn is not None:
        try:
            conn.close()
        except Exception:
            log.debug("closing a Redis connection failed", exc_info=True)


_subscriber: LiveSubscriber | None = None
_singleton_lock = threading.Lock()


def get_subscriber(settings: Settings | None = None) -> LiveSubscriber:
    """This process's subscriber, started on first use (and again in a forked child, or for
    settings that name another Redis or namespace: their values are not this one's)."""
    global _subscriber
    wanted = settings or get_settings()
    with _singleton_lock:
        current = _subscriber
        if current is not None and current.pid == os.getpid() and current.alive:
            if _same_source(current.settings, wanted):
                return current
            current.stop()
        _subscriber = LiveSubscriber(wanted).start()
        return _subscriber


def _same_source(a: Settings, b: Settings) -> bool:
    return (a.redis_url, a.namespace) == (b.redis_url, b.namespace)


def stop_subscriber() -> None:
    global _subscriber
    with _singleton_lock:
        if _subscriber is not None:
            _subscriber.stop()
            _subscriber = None
