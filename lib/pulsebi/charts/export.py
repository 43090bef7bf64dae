"""Tables a notebook marks for export (to Excel, to the email body): one output format that the
rendering layer writes and the report writers read back from an executed notebook.

A marked table is a display output carrying, next to its HTML, the mimetype `TABLE_MIMETYPE`
whose JSON payload is::

    {"name": "Revenue by branch",          # sheet name (unique within a notebook)
     "columns": ["branch", "net_revenue"],
     "rows": [["DAL", 1234.5], ...],        # JSON values; dates as ISO strings
     "formats": {"net_revenue": "usd"},     # column -> one of UNITS
     "chart": {"type": "bar", "x": "branch", "y": ["net_revenue"]} | null}

Front ends that do not know the mimetype ignore it, so the HTML shows as usual. A static row of
headline tiles likewise carries `TILES_MIMETYPE`: the tiles' exact figures (the page shows money
compact, $73.6M)::

    [{"label": "Revenue YTD", "value": 73612345.67, "unit": "usd", "previous": 6.0e7,
      "comparison": "vs last year", "note": ""}, ...]
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from dataclasses import dataclass, field
from typing import Any

TABLE_MIMETYPE = "application/vnd.pulsebi.table+json"
TILES_MIMETYPE = "application/vnd.pulsebi.tiles+json"
TILE_FIELDS = ("label", "value", "unit", "previous", "comparison", "note")
UNITS = ("usd", "count", "rate", "hours", "days", "ms", "score", "text")


@dataclass(frozen=True)
class ExportTable:
    name: str
    columns: list[str]
    rows: list[list[Any]]
    formats: dict[str, str] = field(default_factory=dict)
    chart: dict[str, Any] | None = None

    def to_payload(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "columns": list(self.columns),
            "rows": [[json_value(v) for v in row] for row in self.rows],
            "formats": dict(self.formats),
            "chart": self.chart,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> ExportTable:
        return cls(
            name=str(payload["name"]),
            columns=list(payload["columns"]),
            rows=[list(r) for r in payload["rows"]],
            formats=dict(payload.get("formats") or {}),
            chart=payload.get("chart"),
        )


def json_value(value: Any) -> Any:
    if value is None or value is _nat():
        return None
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return json_value(value.item())
    return value


def _nat() -> Any:
    import pandas as pd

    return pd.NaT


def read_export_tables(notebook: dict[str, Any]) -> list[ExportTable]:
    """Every table marked for export in an executed notebook (nbformat dict), in order."""
    tables = []
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            payload = output.get("data", {}).get(TABLE_MIMETYPE)
            if payload is not None:
                tables.append(ExportTable.from_payload(payload))
    return tables


def tiles_payload(tiles: list[Any]) -> list[dict[str, Any]]:
    """The exact figures of tiles (objects or mappings with `TILE_FIELDS`), JSON values."""
    rows = []
    for tile in tiles:
        get = tile.get if isinstance(tile, dict) else lambda name, t=tile: getattr(t, name, None)
        rows.append({name: json_value(get(name)) for name in TILE_FIELDS})
    return rows


def read_export_tiles(notebook: dict[str, Any]) -> list[dict[str, Any]]:
    """Every headline tile of an executed notebook (nbformat dict), in order."""
    return [
        tile
        for cell in notebook.get("cells", [])
        for output in cell.get("outputs", [])
        for tile in output.get("data", {}).get(TILES_MIMETYPE, [])
    ]
