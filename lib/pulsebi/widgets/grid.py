"""Rows and grids of tiles and gauges: a wrapping flex box, live or as static HTML."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as w

from pulsebi.charts.export import TILES_MIMETYPE, tiles_payload
from pulsebi.charts.mode import resolve_static


class TileGrid(w.GridBox):
    """Tiles side by side, wrapping on narrow screens; `columns` caps how many share a row."""

    def __init__(self, tiles: Sequence[Any], columns: int | None = None, **kwargs: Any):
        self.columns = columns
        width = f"max(180px, calc({100 / columns:.4f}% - 12px))" if columns else "220px"
        super().__init__(
            children=list(tiles),
            layout=w.Layout(
                grid_template_columns=f"repeat(auto-fit, minmax({width}, 1fr))",
                grid_gap="12px",
                width="100%",
            ),
            **kwargs,
        )
        self.add_class("pbi-tile-grid")

    @property
    def tiles(self) -> list[Any]:
        return list(self.children)

    def to_html(self) -> str:
        return tiles_html([t.to_html() for t in self.children], self.columns)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        if resolve_static(None):
            return static_bundle(self.children, self.columns)
        return super()._repr_mimebundle_(**kwargs)


class StaticTileGrid:
    """The grid in static mode: the tiles' HTML side by side, no widget."""

    def __init__(self, tiles: Sequence[Any], columns: int | None = None):
        self.children = tuple(tiles)
        self.columns = columns

    @property
    def tiles(self) -> list[Any]:
        return list(self.children)

    def to_html(self) -> str:
        return tiles_html([t.to_html() for t in self.children], self.columns)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        return static_bundle(self.children, self.columns)


def tile_row(*tiles: Any, columns: int | None = None) -> TileGrid | StaticTileGrid:
    """`tile_row(a, b, c)`: the tiles in one wrapping row (no widget in static mode)."""
    if resolve_static(None):
        return StaticTileGrid(tiles, columns)
    return TileGrid(tiles, columns=columns)


def tiles_html(parts: Sequence[str], columns: int | None = None) -> str:
    """Static layout of rendered tiles (flex box; WeasyPrint and browsers both lay it out)."""
    basis = f"calc({100 / columns:.4f}% - 12px)" if columns else "220px"
    cells = "".join(
        f'<div style="flex:1 1 {basis};min-width:180px;max-width:100%;margin:0 12px 12px 0">'
        f"{p}</div>"
        for p in parts
    )
    return (
        f'<div class="pbi-tile-grid" style="display:flex;flex-wrap:wrap;margin:8px 0">{cells}</div>'
    )


def static_bundle(tiles: Sequence[Any], columns: int | None = None) -> dict[str, Any]:
    """A static row's display data: its HTML, and the tiles' exact figures for exports
    (`TILES_MIMETYPE`, read back by `pulsebi.charts.export.read_export_tiles`)."""
    return {
        "text/html": tiles_html([t.to_html() for t in tiles], columns),
        TILES_MIMETYPE: tiles_payload([t for t in tiles if hasattr(t, "value")]),
        "text/plain": f"<{len(tiles)} tiles>",
    }


def tiles_bundle(tiles: Sequence[dict[str, Any]], columns: int | None = None) -> dict[str, Any]:
    """`static_bundle` of tiles given as `tile_html` keyword arguments (a page's Tiles block)."""
    from pulsebi.widgets.tile import tile_html

    return {
        "text/html": tiles_html([tile_html(**kwargs) for kwargs in tiles], columns),
        TILES_MIMETYPE: tiles_payload(list(tiles)),
        "text/plain": f"<{len(tiles)} tiles>",
    }
