"""The `bi` materialized views: daily aggregates in the reporting time zone, refreshed
concurrently, carrying the data version the metric cache is keyed by."""

from pulsebi.views.definitions import VIEW_NAMES, VIEWS
from pulsebi.views.manage import (
    DataState,
    RefreshResult,
    ensure_views,
    read_data_state,
    refresh_views,
    render_view_sql,
)

__all__ = [
    "VIEWS",
    "VIEW_NAMES",
    "DataState",
    "RefreshResult",
    "ensure_views",
    "read_data_state",
    "refresh_views",
    "render_view_sql",
]
