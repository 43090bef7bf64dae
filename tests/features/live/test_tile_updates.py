"""A live binding never blanks a tile: before the worker has a value the tile keeps the figure
the page computed and only shows the live state."""

import datetime as dt

from pulsebi.live.subscriber import LiveUpdate
from pulsebi.live.tiles import show_update
from pulsebi.widgets import KpiTile


def update(value, computed_at, state="live") -> LiveUpdate:
    return LiveUpdate("net_revenue.ytd", "net_revenue.ytd", None, value, state, None, computed_at)


def test_no_worker_value_keeps_the_pages_figure() -> None:
    tile = KpiTile(label="Year to date", value=1234.5, unit="usd")
    show_update(tile, update(None, None, state="loading"))
    assert tile.value == 1234.5
    assert tile.state == "loading"


def test_a_worker_value_replaces_it() -> None:
    tile = KpiTile(label="Year to date", value=1234.5, unit="usd")
    show_update(tile, update(2000.25, dt.datetime.now(dt.UTC)))
    assert tile.value == 2000.25
    assert tile.state == "live"
