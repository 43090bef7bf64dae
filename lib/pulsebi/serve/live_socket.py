"""Live tiles without a kernel: the dashboard server's one Redis subscription, pushed to every
open page over the server's own WebSocket, ``/pulsebi/live``.

The seed's "Redis → WebSocket server → dashboard" path. One :class:`LiveHub` per server process,
a task on the server's event loop (no thread, no kernel): it SUBSCRIBEs to the live channel
(``pulsebi.live.channel``), waits for the confirmation, reads the snapshot of live values, then
follows the channel, as the kernels' subscriber does; a lost Redis is retried with the channel's
``Backoff``. Between two reads it holds exactly one Redis connection (the subscription), however
many pages are open: a page that connects gets the values the hub holds, not a Redis read.

Messages (JSON, server → page):

- ``{"type": "hello", "state": {...}, "badges": {state: {"text", "colour"}}, "values": {...}}``
  on connect: every value the hub knows;
- ``{"type": "values", "values": {field: {...}}}`` with the fields that changed;
- ``{"type": "state", "state": "live" | "reconnecting" | "stale" | "loading", "since": epoch |
  null, "badge": text}`` whenever the server's state changes (Redis lost, the worker's database
  down or its heartbeat late);
- ``{"type": "changed", "tables": [...], "views_before": ..., "at": ...}``: the worker's word
  that the CRM changed, passed on (live.js fires ``pulsebi:crm-changed`` on the window);
- ``{"type": "tiles", "tiles": {id: {"seq", "status", "edge", "changes": [...]}}}``: for the
  tiles a page described (below), what depends on the value besides its text: the threshold
  status and edge colour, and each comparison line (``arrow``, ``text``, ``tone``,
  ``colour``), as the tile widget computes them.

A page may say once which tiles it shows (page → server): ``{"type": "tiles", "tiles": [{"id",
"field", "metric", "previous": [number | null, ...], "better"}]}`` (``previous``: the values of
its comparison lines, in order); the server then sends ``tiles`` messages for them, at once and
with every change of their fields.

A value is ``{"value", "unit", "text", "exact", "data", "seq", "at"}``: ``text`` and ``exact``
are the tile's own formatting (``format_compact`` for the headline, ``format_value`` for its
title), ``data`` its ``data-value``. ``voila_templates/pulsebi/static/live.js`` puts them on the
page's ``[data-live]`` tiles.

Login: the same as the pages (the login cookie, or a token); anyone else is refused (403).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import time
from typing import Any

import tornado.web
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.base.websocket import WebSocketMixin
from jupyter_server.utils import url_path_join
from tornado.ioloop import IOLoop
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from pulsebi.live import channel
from pulsebi.live.channel import Backoff
from pulsebi.settings import Settings, get_settings

log = logging.getLogger(__name__)

PATH = "pulsebi/live"
CLIENT_NAME = "pulsebi-serve-live"  # CLIENT LIST names the hub's connection <this>-<pid>
TICK = 1.0  # seconds between checks of the worker's heartbeat


@functools.lru_cache(maxsize=1024)
def unit_of(field: str) -> str:
    """The unit of a live field's metric ("count" for a field no KPI knows).

    Parameters
    ----------
    field
        A live snapshot field, ``<kpi>`` or ``<kpi>@<branch>``.

    Returns
    -------
    str
        The metric's unit in the catalog (``usd``, ``count``, ``rate``...).
    """
    from pulsebi.live.kpis import REGISTRY, split_field
    from pulsebi.metrics.catalog import catalog

    kpi = REGISTRY.get(split_field(field)[0])
    if kpi is None:
        return "count"
    units = {info.id: info.unit for info in catalog()}
    return units.get(kpi.metric, "count")


def describe_value(field: str, entry: dict[str, Any]) -> dict[str, Any]:
    """A snapshot entry as a page shows it: value, unit and the tile's formatted texts.

    Parameters
    ----------
    field
        The live field.
    entry
        Its snapshot entry, ``{"v": value, "seq": n, "at": epoch}``.

    Returns
    -------
    dict
        ``value``, ``unit``, ``text`` (compact, the headline), ``exact`` (the hover title),
        ``data`` (the tile's ``data-value``, None for no value), ``seq`` and ``at``.
    """
    from pulsebi.charts.export import json_value
    from pulsebi.charts.formats import format_compact, format_value

    unit = unit_of(field)
    value = entry.get("v")
    raw = json_value(value)
    return {
        "value": value,
        "unit": unit,
        "text": format_compact(value, unit),
        "exact": format_value(value, unit),
        "data": None if raw is None else str(raw),
        "seq": entry.get("seq"),
        "at": entry.get("at"),
    }


def state_badges() -> dict[str, dict[str, str]]:
    """The tile's state badges (text and colour), as the tile widget draws them."""
    from pulsebi.widgets.tile import STATE_BADGES

    return {
        state: {"text": text, "colour": colour} for state, (text, colour) in STATE_BADGES.items()
    }


def badge_text(state: str, since: float | None) -> str:
    """The badge of `state`; a stale one says since when ("◼ Stale since 14:32")."""
    import datetime as dt

    from pulsebi.widgets.tile import STATE_BADGES, format_since

    text = STATE_BADGES.get(state, ("", ""))[0]
    if state == "stale" and since:
        text = f"◼ Stale since {format_since(dt.datetime.fromtimestamp(since, dt.UTC))}"
    return text


MAX_TILES = 200  # tiles one page may describe


def read_tiles(data: Any) -> dict[str, dict[str, Any]]:
    """A page's ``tiles`` message checked: id → {field, metric, previous, better}.

    Parameters
    ----------
    data
        The decoded message's ``tiles`` list (untrusted).

    Returns
    -------
    dict
        The well-formed entries (at most ``MAX_TILES``); anything else is dropped.
    """
    tiles: dict[str, dict[str, Any]] = {}
    for item in data if isinstance(data, list) else []:
        if len(tiles) >= MAX_TILES:
            break
        if not isinstance(item, dict) or not isinstance(item.get("field"), str):
            continue
        previous = item.get("previous")
        previous = previous if isinstance(previous, list) else []
        better = item.get("better")
        metric = item.get("metric")
        tiles[str(item.get("id"))] = {
            "field": item["field"],
            "metric": metric if isinstance(metric, str) and metric else None,
            "previous": [v if isinstance(v, int | float) else None for v in previous[:8]],
            "better": better if better in ("higher", "lower") else None,
        }
    return tiles


def describe_tile(tile: dict[str, Any], shown: dict[str, Any]) -> dict[str, Any]:
    """What a tile shows besides its value text, for its field's new value.

    Parameters
    ----------
    tile
        A tile as `read_tiles` keeps it.
    shown
        The field's value as `describe_value` gives it.

    Returns
    -------
    dict
        ``seq`` (the value's), ``status`` and ``edge`` (the threshold status and the colour of
        the tile's left edge), ``changes``: per comparison line ``arrow``, ``text``, ``tone``,
        ``colour`` (the tile widget's `describe_change`).
    """
    from pulsebi.charts.formats import describe_change
    from pulsebi.charts.style import RULE, TONES
    from pulsebi.widgets import thresholds

    value, unit = shown["value"], shown["unit"]
    better = tile["better"] or thresholds.better(tile["metric"])
    status = thresholds.status(tile["metric"], value)
    changes = []
    for previous in tile["previous"]:
        change = describe_change(value, previous, unit, better)
        changes.append(
            {
                "arrow": change.arrow,
                "text": change.text,
                "tone": change.tone,
                "colour": TONES[change.tone],
            }
        )
    return {
        "seq": shown["seq"],
        "status": status or "",
        "edge": TONES.get(status or "", RULE),
        "changes": changes,
    }


class LiveHub:
    """The server's one Redis subscription to the live channel and the pages it feeds.

    Parameters
    ----------
    settings
        Where Redis is and the namespace (default: this process's settings).
    redis_url
        A Redis to use instead of the settings' one.
    """

    def __init__(self, settings: Settings | None = None, redis_url: str | None = None):
        self._settings = settings
        self.redis_url = redis_url
        self.values: dict[str, dict] = {}  # field -> snapshot entry {"v", "seq", "at"}
        self.shown: dict[str, dict] = {}  # field -> describe_value(...) of it
        self.worker: dict = {}  # the worker's last status message
        self.connected = False
        self.reconnects = 0
        self.fresh_at: float | None = None  # epoch: the data last known fresh
        self.sockets: set[LiveSocketHandler] = set()
        self._sent_state: tuple | None = None
        self._task: asyncio.Task | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = get_settings()
        return self._settings

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start following Redis on the running event loop (again if the task ended)."""
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    # --- what pages get ----------------------------------------------------------------------

    def state(self) -> tuple[str, float | None]:
        """The server's state and since when the data was fresh (the kernels' rules)."""
        if not self.connected:
            lost = self.reconnects or self.fresh_at
            return ("reconnecting" if lost else "loading"), self.fresh_at
        status = self.worker.get("status")
        heartbeat = self.worker.get("at", 0)
        if status != "live" or time.time() - heartbeat > channel.STALE_AFTER:
            since = self.fresh_at
            if status != "live":
                since = self.worker.get("since") or heartbeat or since
            return "stale", since
        return "live", None

    def state_message(self) -> dict[str, Any]:
        state, since = self.state()
        return {"type": "state", "state": state, "since": since, "badge": badge_text(state, since)}

    def hello(self) -> dict[str, Any]:
        """What a page gets on connect: the state, the badges and every value known."""
        return {
            "type": "hello",
            "state": self.state_message(),
            "badges": state_badges(),
            "values": dict(self.shown),
        }

    def add(self, socket: LiveSocketHandler) -> None:
        self.sockets.add(socket)
        self.start()  # a hub whose task died (a bug) starts again with the next page
        socket.send(json.dumps(self.hello(), separators=(",", ":")))

    def discard(self, socket: LiveSocketHandler) -> None:
        self.sockets.discard(socket)

    def broadcast(self, message: dict[str, Any]) -> None:
        text = json.dumps(message, separators=(",", ":"))  # encoded once for every page
        for socket in list(self.sockets):
            socket.send(text)

    # --- Redis -------------------------------------------------------------------------------

    async def _run(self) -> None:
        import redis

        backoff = Backoff(0.1, 2.0)
        while True:
            client = pubsub = None
            try:
                client = self._connect()
                pubsub = client.pubsub()
                await pubsub.subscribe(channel.channel_name(self.settings.namespace))
                await self._await_subscription(pubsub)
                await self._read_snapshot(client)
                backoff.reset()
                while True:
                    message = await pubsub.get_message(timeout=TICK)
                    if message is not None and message.get("type") == "message":
                        self._receive(channel.decode(message["data"]))
                    self._send_state_if_changed()
            except asyncio.CancelledError:
                raise
            except (redis.RedisError, OSError) as exc:
                # said once per outage, not on every retry
                level = logging.INFO if self.connected or not self.reconnects else logging.DEBUG
                log.log(level, "live hub lost Redis (%s); reconnecting", exc)
            except Exception:
                log.exception("live hub failed; restarting it")
            finally:
                for conn in (pubsub, client):
                    await _close(conn)
            self.reconnects += 1
            self.connected = False
            self._send_state_if_changed()
            await asyncio.sleep(backoff.next_delay())

    def _connect(self):
        import redis.asyncio as aioredis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        from pulsebi.services import resolve_redis_url

        return aioredis.Redis.from_url(
            self.redis_url or resolve_redis_url(self.settings),
            socket_timeout=10,
            socket_connect_timeout=2,
            health_check_interval=5,
            client_name=f"{CLIENT_NAME}-{os.getpid()}",
            retry=Retry(NoBackoff(), 0),
        )

    async def _await_subscription(self, pubsub) -> None:
        import redis

        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            message = await pubsub.get_message(timeout=0.5)
            if message is not None and message.get("type") == "subscribe":
                return
        raise redis.ConnectionError("no SUBSCRIBE confirmation within 5 s")

    async def _read_snapshot(self, client) -> None:
        ns = self.settings.namespace
        async with client.pipeline(transaction=False) as pipe:
            pipe.hgetall(channel.snapshot_key(ns))
            pipe.get(channel.status_key(ns))
            snapshot, status = await pipe.execute()
        # the read's connection goes back to the pool: close it, keep only the subscription's
        await client.connection_pool.disconnect(inuse_connections=False)
        values = {}
        for field, raw in snapshot.items():
            entry = channel.decode(raw)
            if entry is not None:
                values[field.decode()] = entry
        self.worker = channel.decode(status) or {}
        self.connected = True
        self._note_fresh()
        self._merge(values)
        self._send_state_if_changed()

    def _receive(self, data: dict | None) -> None:
        if not data:
            return
        if data.get("type") == "status":
            self.worker = data
            self._note_fresh()
        elif data.get("type") == "values":
            self._merge(data.get("values") or {})
        elif data.get("type") == "changed":  # pages may refetch their figures that cover today
            keys = ("tables", "views_before", "at")
            self.broadcast({"type": "changed", **{k: data.get(k) for k in keys}})

    def _note_fresh(self) -> None:
        if self.worker.get("status") == "live":
            self.fresh_at = max(self.fresh_at or 0, self.worker.get("at", 0))

    def _merge(self, values: dict[str, dict]) -> None:
        """Keep the newer entries (by seq) and send the pages those that changed."""
        changed = {}
        for field, entry in values.items():
            old = self.values.get(field)
            if not isinstance(entry, dict):
                continue
            if old is None or entry.get("seq", 0) > old.get("seq", 0):
                self.values[field] = entry
                self.shown[field] = changed[field] = describe_value(field, entry)
        if changed:
            self.broadcast({"type": "values", "values": changed})
            for socket in list(self.sockets):
                socket.send_tiles(changed)

    def _send_state_if_changed(self) -> None:
        state, since = self.state()
        if (state, since) != self._sent_state:
            self._sent_state = (state, since)
            self.broadcast(self.state_message())


async def _close(conn) -> None:
    if conn is not None:
        try:
            await conn.aclose()
        except Exception:
            log.debug("closing a Redis connection failed", exc_info=True)


class LiveSocketHandler(WebSocketMixin, WebSocketHandler, JupyterHandler):
    """``/pulsebi/live``: the hub's messages to one page; logged-in viewers only."""

    def initialize(self, hub: LiveHub) -> None:
        self.hub = hub
        self.tiles: dict[str, dict[str, Any]] = {}  # what the page described (read_tiles)

    async def get(self, *args: Any, **kwargs: Any) -> None:
        # JupyterHandler.prepare has identified the viewer (cookie or token); no redirect to the
        # login page for a socket: refuse
        if self.current_user is None:
            raise tornado.web.HTTPError(403)
        await super().get(*args, **kwargs)

    def open(self, *args: Any, **kwargs: Any) -> None:
        super().open(*args, **kwargs)  # the mixin's keep-alive pings
        self.hub.add(self)

    def on_message(self, message: str | bytes) -> None:
        """A page's ``tiles`` message; anything else is ignored."""
        data = channel.decode(message)
        if data is not None and data.get("type") == "tiles":
            self.tiles = read_tiles(data.get("tiles"))
            self.send_tiles(self.hub.shown)

    def send_tiles(self, shown: dict[str, dict]) -> None:
        """Send this page's tiles whose field is in `shown` (field → describe_value)."""
        tiles = {
            tile_id: describe_tile(tile, shown[tile["field"]])
            for tile_id, tile in self.tiles.items()
            if tile["field"] in shown
        }
        if tiles:
            self.send(json.dumps({"type": "tiles", "tiles": tiles}, separators=(",", ":")))

    def on_close(self) -> None:
        self.hub.discard(self)

    def send(self, text: str) -> None:
        try:
            self.write_message(text)
        except WebSocketClosedError:
            self.hub.discard(self)


def live_handler(server_url: str, hub: LiveHub | None = None) -> tuple:
    """The handler spec of ``/pulsebi/live`` for a server's handler list; the hub's Redis
    subscription starts with the server's event loop.

    Parameters
    ----------
    server_url
        The server's base URL (``Voila.server_url``).
    hub
        The hub to use (default: a new one on this process's settings).

    Returns
    -------
    tuple
        ``(pattern, LiveSocketHandler, {"hub": hub})``.
    """
    hub = hub or LiveHub()
    IOLoop.current().add_callback(hub.start)
    return (url_path_join(server_url, PATH), LiveSocketHandler, {"hub": hub})
