"""Loading state: widgets answer at once ("Loading…") and the data follows.

    with loading(tiles, revenue_chart):
        frame = metrics.query(...)        # slow part
        tiles.tiles[0].update(value=...)  # the new figures

Tiles and gauges show their "loading" state, bqplot figures say "loading…" in their title,
live tables fade; on exit each item gets its previous state back (or "error" if the block raised).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

LOADING_SUFFIX = " · loading…"


def flatten(items: Iterable[Any]) -> list[Any]:
    """Tiles, gauges and figures from nested lists and tile grids."""
    from pulsebi.widgets.grid import StaticTileGrid, TileGrid

    flat: list[Any] = []
    for item in items:
        if item is None:
            continue
        if isinstance(item, TileGrid | StaticTileGrid):
            flat.extend(item.children)
        elif isinstance(item, list | tuple | set):
            flat.extend(flatten(item))
        else:
            flat.append(item)
    return flat


def start_loading(items: Iterable[Any]) -> list[tuple[Any, Any]]:
    """Put `items` in the loading state; returns what `finish_loading` needs to undo it."""
    from pulsebi.widgets.base import Figures

    undo = []
    for item in flatten(items):
        if isinstance(item, Figures):
            if item.state != "loading":
                undo.append((item, (item.state, item.stale_since)))
                item.update(state="loading")
        elif isinstance(getattr(item, "loading", None), bool):  # the live table
            if not item.loading:
                undo.append((item, "flag"))
                item.loading = True
        elif _is_figure(item) and not item.title.endswith(LOADING_SUFFIX):
            undo.append((item, None))
            with item.hold_sync():
                item.title = item.title + LOADING_SUFFIX
                item.add_class("pbi-loading")
    return undo


def _is_figure(item: Any) -> bool:
    return hasattr(item, "marks") and hasattr(item, "title")  # a bqplot Figure


def finish_loading(undo: list[tuple[Any, Any]], failed: bool = False) -> None:
    for item, previous in undo:
        if previous == "flag":
            item.loading = False
        elif previous is None:
            with item.hold_sync():
                item.title = item.title.removesuffix(LOADING_SUFFIX)
                item.remove_class("pbi-loading")
        elif failed:
            item.update(state="error", stale_since=None)
        elif item.state == "loading":  # the block may have set a newer state itself
            item.update(state=previous[0], stale_since=previous[1])


@contextmanager
def loading(*items: Any) -> Iterator[None]:
    undo = start_loading(items)
    try:
        yield
    except BaseException:
        finish_loading(undo, failed=True)
        raise
    finish_loading(undo)
