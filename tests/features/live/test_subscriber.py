"""The kernel's subscriber: snapshot first, then the channel; reconnection after a Redis restart;
tile states; throttled refresh."""

from __future__ import annotations

import itertools
import threading
import time

import redis as redis_lib
from live_helpers import insert_sale, metric_value, wait_until
from sqlalchemy import Engine, text

from pulsebi.live import channel
from pulsebi.live.subscriber import LiveUpdate
from pulsebi.services import resolve_redis_url


class Recorder:
    """A callback that keeps every update it gets, with the monotonic time it got it."""

    def __init__(self) -> None:
        self.updates: list[tuple[float, LiveUpdate]] = []
        self.lock = threading.Lock()

    def __call__(self, update: LiveUpdate) -> None:
        with self.lock:
            self.updates.append((time.monotonic(), update))

    @property
    def last(self) -> LiveUpdate | None:
        with self.lock:
            return self.updates[-1][1] if self.updates else None

    def shows(self, value: object, state: str = "live") -> bool:
        last = self.last
        return last is not None and last.value == value and last.state == state


def test_a_subscriber_sees_a_new_sale_with_the_metric_value(
    branches: Engine, live_settings, start_worker, start_subscriber
) -> None:
    start_worker(live_settings)
    sub = start_subscriber(live_settings)
    dallas, company = Recorder(), Recorder()
    sub.subscribe("net_revenue.today@DAL", dallas)
    sub.subscribe("net_revenue.today", company)
    wait_until(lambda: dallas.shows(0.0), what="the first value")

    insert_sale(branches, 1, 1, "250.10")
    wait_until(lambda: dallas.shows(250.1), what="Dallas's new revenue")
    wait_until(lambda: company.shows(250.1), what="the company's new revenue")
    assert dallas.last.value == metric_value(live_settings, "net_revenue.today", "DAL")
    assert (dallas.last.kpi, dallas.last.branch) == ("net_revenue.today", "DAL")
    assert dallas.last.computed_at is not None


def test_a_new_subscriber_starts_from_the_snapshot(
    branches: Engine, live_settings, start_worker, start_subscriber
) -> None:
    insert_sale(branches, 1, 2, "99.00")
    start_worker(live_settings)
    client = redis_lib.Redis.from_url(resolve_redis_url(live_settings))
    key = channel.snapshot_key(live_settings.namespace)
    wait_until(lambda: client.hget(key, "net_revenue.today@HOU"), what="the snapshot")

    # nothing is written from here on: the value can only come from the snapshot
    seen = Recorder()
    start_subscriber(live_settings).subscribe("net_revenue.today@HOU", seen)
    wait_until(lambda: seen.shows(99.0), what="the snapshot's value")


def test_after_a_redis_restart_the_subscriber_reconnects_and_resumes(
    branches: Engine, live_settings, own_redis, start_worker, start_subscriber
) -> None:
    settings = live_settings.replace(redis_url=own_redis.url)
    start_worker(settings)
    sub = start_subscriber(settings)
    seen = Recorder()
    sub.subscribe("net_revenue.today", seen)
    wait_until(lambda: seen.shows(0.0), what="the first value")

    own_redis.stop()
    wait_until(lambda: seen.last.state == "reconnecting", what="the reconnecting state")
    assert seen.last.since is not None  # when the data was last known fresh
    insert_sale(branches, 1, 1, "10.00")  # while Redis is away: its message is never sent
    own_redis.start()  # empty: no snapshot, no history

    wait_until(lambda: seen.shows(10.0), what="the value written during the outage")
    insert_sale(branches, 2, 1, "5.00")
    wait_until(lambda: seen.shows(15.0), what="the next value after the restart")
    assert sub.reconnects >= 1


def test_a_bulk_load_is_followed_by_a_few_updates_not_thousands(
    branches: Engine, live_settings, start_worker, start_subscriber
) -> None:
    start_worker(live_settings)
    seen = Recorder()
    start_subscriber(live_settings).subscribe("calls_made.today", seen)
    wait_until(lambda: seen.shows(0), what="the first value")
    with branches.begin() as conn:
        for first in (1, 3001):  # two bulk statements of 3000 rows over both branches
            conn.execute(
                text(
                    "insert into crm.calls select g, 1, 1 + g % 2, null, now(), 30, "
                    "'no_answer' from generate_series(:a, :b) g"
                ),
                {"a": first, "b": first + 2999},
            )
    wait_until(lambda: seen.shows(6000), what="all 6000 calls")
    values = [u.value for _, u in seen.updates if u.value is not None]
    assert len(set(values)) <= 3, values  # 0, maybe 3000, 6000: no trickle row by row


def test_tiles_go_stale_when_the_worker_stops(
    branches: Engine, live_settings, start_worker, start_subscriber
) -> None:
    worker = start_worker(live_settings)
    sub = start_subscriber(live_settings)
    seen = Recorder()
    sub.subscribe("leads.today", seen)
    wait_until(lambda: seen.shows(0), what="the first value")
    worker.stop()
    wait_until(lambda: seen.last.state == "stale", what="the stale state")
    assert seen.last.value == 0  # the last value stays, marked stale
    assert seen.last.since is not None


def publish_values(client: redis_lib.Redis, namespace: str, field: str, values: list) -> None:
    """Play the worker: a live heartbeat, then each value as its own message."""
    now = time.time()
    status = {"type": "status", "status": "live", "at": now, "since": now}
    client.set(channel.status_key(namespace), channel.encode(status))
    client.publish(channel.channel_name(namespace), channel.encode(status))
    for seq, value in enumerate(values, start=1):
        entry = {"v": value, "seq": seq, "at": time.time()}
        client.hset(channel.snapshot_key(namespace), field, channel.encode(entry))
        message = {"type": "values", "values": {field: entry}}
        client.publish(channel.channel_name(namespace), channel.encode(message))


def test_a_throttled_binding_updates_at_most_every_n_seconds(
    live_settings, start_subscriber
) -> None:
    sub = start_subscriber(live_settings)
    live, throttled, page = Recorder(), Recorder(), Recorder()
    sub.subscribe("calls_made.today", live, refresh="live")
    sub.subscribe("calls_made.today", throttled, refresh=1)
    sub.set_page_refresh(1.5)
    sub.subscribe("calls_made.today", page)  # no refresh of its own: the page's
    wait_until(lambda: sub.connected, what="the subscription")
    client = redis_lib.Redis.from_url(resolve_redis_url(live_settings))

    publish_values(client, live_settings.namespace, "calls_made.today", [1, 2, 3, 4, 5])

    wait_until(lambda: live.shows(5), what="the live binding's last value")
    wait_until(lambda: throttled.shows(5), what="the throttled binding's last value")
    wait_until(lambda: page.shows(5), what="the page-refresh binding's last value")
    assert next(u.value for _, u in live.updates if u.value is not None) == 1
    for recorder, interval in ((live, sub.frame), (throttled, 1.0), (page, 1.5)):
        with_values = [(t, u) for t, u in recorder.updates if u.value is not None]
        if recorder is not live:
            assert len(with_values) < 5  # intermediate values were skipped
        gaps = [b[0] - a[0] for a, b in itertools.pairwise(with_values)]
        assert all(gap >= interval - 0.01 for gap in gaps), gaps  # 10 ms of scheduling slack


def test_bind_tile_puts_value_and_state_on_a_kpi_tile(
    branches: Engine, live_settings, start_worker, start_subscriber
) -> None:
    from pulsebi.live.tiles import bind_tile
    from pulsebi.widgets import KpiTile

    tile = KpiTile(label="Revenue today", metric="net_revenue", unit="usd")
    sub = start_subscriber(live_settings)
    bind_tile(tile, "net_revenue.today", branch="DAL", subscriber=sub)
    assert tile.state in ("loading", "reconnecting")
    worker = start_worker(live_settings)
    insert_sale(branches, 1, 1, "1234.50")
    wait_until(lambda: tile.value == 1234.5 and tile.state == "live", what="the tile's value")
    assert "$1,234.50" in tile.to_html()
    worker.stop()
    wait_until(lambda: tile.state == "stale", what="the stale tile")
    assert tile.stale_since is not None
    assert "Stale since" in tile.to_html()


def test_bind_tile_rejects_an_unknown_kpi(live_settings, start_subscriber) -> None:
    import pytest

    from pulsebi.errors import UsageError
    from pulsebi.live.tiles import bind_tile
    from pulsebi.widgets import KpiTile

    with pytest.raises(UsageError, match="unknown live KPI 'revenue'"):
        bind_tile(KpiTile(label="x"), "revenue", subscriber=start_subscriber(live_settings))
    with pytest.raises(UsageError, match="refresh 'soon'"):
        bind_tile(
            KpiTile(label="x"),
            "leads.today",
            refresh="soon",
            subscriber=start_subscriber(live_settings),
        )


def test_the_refresh_picker_sets_the_page_refresh(live_settings, start_subscriber) -> None:
    from pulsebi.live.tiles import refresh_picker

    sub = start_subscriber(live_settings)
    picker = refresh_picker(subscriber=sub)
    assert picker.value == "live"
    picker.value = 30
    assert sub.page_refresh == 30.0
    picker.value = "live"
    assert sub.page_refresh == 0.0


def test_the_process_subscriber_follows_the_settings_it_is_asked_for(live_settings) -> None:
    """A subscriber of another namespace (left by an earlier page) is not handed out: its
    values are not this one's."""
    from pulsebi.live.subscriber import get_subscriber, stop_subscriber

    other = live_settings.replace(namespace=f"{live_settings.namespace}-other")
    try:
        first = get_subscriber(other)
        assert get_subscriber(other) is first
        mine = get_subscriber(live_settings)
        assert mine is not first and mine.settings.namespace == live_settings.namespace
        assert not first.alive
    finally:
        stop_subscriber()
