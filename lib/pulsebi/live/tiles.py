"""What notebooks call: bind a KPI tile to a live KPI, set the page's refresh.

    from pulsebi.live.tiles import bind_tile, set_page_refresh
    tile = KpiTile(label="Revenue today", metric="net_revenue", unit="usd")
    bind_tile(tile, "net_revenue.today")                   # company, live push
    bind_tile(other, "leads.today", branch="DAL", refresh=30)   # at most every 30 s
    set_page_refresh(60)        # every tile without its own refresh: at most every 60 s

The tile gets value and state in one atomic `tile.update(...)`: `live`, `reconnecting`,
`stale` (with `stale_since`) or `loading`.
"""

from __future__ import annotations

from typing import Any

from pulsebi.live.kpis import field_name, get_kpi
from pulsebi.live.subscriber import Binding, LiveSubscriber, LiveUpdate, Refresh, get_subscriber

REFRESH_CHOICES = (("Live", "live"), ("Every 10 s", 10), ("Every 30 s", 30), ("Every 60 s", 60))


def bind_tile(
    tile: Any,
    kpi_key: str,
    *,
    branch: str | None = None,
    refresh: Refresh = None,
    subscriber: LiveSubscriber | None = None,
) -> Binding:
    """Keep `tile` showing live KPI `kpi_key` for the company or one branch (its code).

    `refresh`: "live", N seconds (at most one update every N s), or None for the page's
    setting. Returns the binding: `.set_refresh(...)` changes it, `.cancel()` ends it.
    """
    get_kpi(kpi_key)  # an unknown key is a UsageError naming the known ones
    return (subscriber or get_subscriber()).subscribe(
        field_name(kpi_key, branch), lambda update: show_update(tile, update), refresh
    )


def show_update(tile: Any, update: LiveUpdate) -> None:
    """Put an update on a tile: one atomic change when the tile supports it."""
    since = update.since if update.state == "stale" else None
    changes: dict[str, Any] = {"state": update.state}
    if update.computed_at is not None:  # the worker has a value; else keep the page's own
        changes["value"] = update.value
    if hasattr(tile, "update"):
        tile.update(stale_since=since, **changes)
    else:
        for name, value in changes.items():
            setattr(tile, name, value)


def set_page_refresh(refresh: Refresh, subscriber: LiveSubscriber | None = None) -> None:
    """How often the tiles of this page (kernel) without their own setting update."""
    (subscriber or get_subscriber()).set_page_refresh(refresh)


def refresh_picker(subscriber: LiveSubscriber | None = None, description: str = "Update"):
    """A dropdown a viewer uses to set the page's refresh (live or every N seconds)."""
    import ipywidgets as w

    sub = subscriber or get_subscriber()
    values = [v for _, v in REFRESH_CHOICES]
    current = "live" if sub.page_refresh == 0 else sub.page_refresh
    picker = w.Dropdown(
        options=list(REFRESH_CHOICES),
        value=current if current in values else "live",
        description=description,
    )
    picker.observe(lambda change: sub.set_page_refresh(change["new"]), names="value")
    return picker
