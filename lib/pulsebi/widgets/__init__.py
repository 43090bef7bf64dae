"""Widgets for executives: KPI tiles, tile grids, gauges, the filter bar, loading states.

Each widget renders live (ipywidgets, CSS only, no JavaScript of ours) or, in static mode
(`pulsebi.charts.use_mode(True)`), as self-contained HTML. Names load on first use so that
`pulsebi.widgets.dates` and `.thresholds` stay importable without ipywidgets.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "KpiTile": "tile",
    "tile_html": "tile",
    "TileGrid": "grid",
    "tile_row": "grid",
    "tiles_html": "grid",
    "Gauge": "gauge",
    "ScorecardTable": "scorecard",
    "scorecard_html": "scorecard",
    "DataAsOf": "asof",
    "gauge_html": "gauge",
    "FilterBar": "filters",
    "Filters": "filters",
    "loading": "loadstate",
    "start_loading": "loadstate",
    "finish_loading": "loadstate",
    "preset_range": "dates",
    "local_today": "dates",
    "same_period_last_year": "dates",
    "previous_period": "dates",
    "PRESETS": "dates",
    "status": "thresholds",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'pulsebi.widgets' has no attribute {name!r}")
    return getattr(import_module(f"pulsebi.widgets.{_EXPORTS[name]}"), name)
