"""Widgets for executives: KPI tiles, tile grids, gauges, scorecard tables, the filter bar,
loading states.

Each renders live (ipywidgets, CSS only, no JavaScript of ours) or, in static mode
(`pulsebi.charts.use_mode(True)`), as self-contained HTML. The lower-case factories
(`kpi_tile`, `gauge`, `scorecard_table`, `data_as_of`, `tile_row`) build no widget at all in
static mode, so an executed report holds no widget state. Names load on first use so that
`pulsebi.widgets.dates` and `.thresholds` stay importable without ipywidgets.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "KpiTile": "tile",
    "kpi_tile": "tile",
    "gauge": "gauges",
    "scorecard_table": "scorecard",
    "data_as_of": "asof",
    "StaticTileGrid": "grid",
    "tile_html": "tile",
    "TileGrid": "grid",
    "tile_row": "grid",
    "tiles_html": "grid",
    "Gauge": "gauges",
    "ScorecardTable": "scorecard",
    "scorecard_html": "scorecard",
    "DataAsOf": "asof",
    "gauge_html": "gauges",
    "FilterBar": "filters",
    "Filters": "dates",
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
