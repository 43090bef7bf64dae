"""A live page's first paint: the figures as plain HTML, shown before its widgets are.

Voilà draws widgets only once its JavaScript has started, connected to the kernel and fetched
every widget's state (about a second for the executive dashboard). The page's output therefore
also carries `MIMETYPE`: the same tiles, tables and headings as HTML (charts as boxes of their
height; in a snapshot, inline SVG drawn by `pulsebi.charts`' static renderer), which the
Pulse BI Voilà template puts in the page as it streams, so the figures are on screen as soon as
the HTML arrives. When the widgets are drawn the template's CSS hides it (`.pbi-first-paint`). Other
front ends (JupyterLab, nbconvert) do not know the mimetype and show the widgets as usual.

The same markup is a page snapshot's body (`pulsebi.snapshots`), served with no kernel: so a
live tile says which live KPI field keeps it current (``data-live``, `pulsebi.live.kpis`) and
its unit (``data-unit``).
"""

from __future__ import annotations

import html
import re
import threading
import weakref
from collections.abc import Iterable
from typing import Any

MIMETYPE = "application/vnd.pulsebi.first-paint+html"

# A chart's SVG per spec, while the spec lives: a page's first paint is asked for again (a
# snapshot, a kernel's show) without its figures changing, and drawing costs tens of ms.
_svgs: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
_svgs_lock = threading.Lock()
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_TILE_OPEN = re.compile(r'(<div class="pbi-tile" data-tile="[^"]*")')


def block_html(
    block: Any, widget: Any, branch: str | None = None, *, svg_charts: bool = False
) -> str:
    """One live block as static HTML.

    Parameters
    ----------
    block
        A page block (`pulsebi.dashboards.page`: Tiles, Chart, Table, Scorecard, Html).
    widget
        Its live widget.
    branch
        The branch the page shows (None: all), which names its live tiles' KPI fields.
    svg_charts
        Draw charts as inline SVG (a snapshot, served with no kernel); otherwise a chart is a
        box of its height with its title, which the live chart fills a second later (a kernel's
        first paint: drawing SVG there costs matplotlib in every kernel and time before the
        first figure).

    Returns
    -------
    str
        What the widget shows; a chart as a box of its height (with its SVG if `svg_charts`);
        live tiles with ``data-live`` (their KPI field) and ``data-unit``.
    """
    from pulsebi.dashboards.page import Chart, Table, Tiles

    if isinstance(block, Chart):
        return chart_html(block.spec) if svg_charts else chart_box_html(block.spec)
    if isinstance(block, Table):
        return widget.html
    if isinstance(block, Tiles) and any(t.live for t in block.tiles):
        return live_tiles_html(block, widget, branch)
    if hasattr(widget, "to_html"):
        return widget.to_html()
    return widget.value


def chart_box_html(spec: Any) -> str:
    """A chart's place before it is drawn: a box of its height, with its title."""
    title = html.escape(spec.title or "")
    return (
        f'<div class="pbi-first-paint-chart" style="height:{int(spec.height)}px">'
        f"<div style='font-weight:600;padding:8px 0'>{title}</div></div>"
    )


def chart_html(spec: Any) -> str:
    """A chart as inline SVG, in a box of the chart's height (the live chart's).

    Parameters
    ----------
    spec
        The chart's `pulsebi.charts.ChartSpec`.

    Returns
    -------
    str
        ``div.pbi-first-paint-chart`` holding the static rendering's ``<svg>``, scaled to fit
        the box (the SVG draws the chart's title).
    """
    with _svgs_lock:
        svg = _svgs.get(spec)
    if svg is None:
        from pulsebi.charts import render

        svg = _METADATA.sub("", render(spec, static=True).svg)  # matplotlib's RDF: no figure
        # fill the box: the SVG keeps its aspect ratio inside (its viewBox), left and top aligned
        svg = svg.replace("<svg ", '<svg style="height:100%;max-width:100%" ', 1)
        with _svgs_lock:
            _svgs[spec] = svg
    return (
        f'<div class="pbi-first-paint-chart" data-chart="{html.escape(spec.title or spec.kind)}"'
        f' style="height:{int(spec.height)}px;background:none">{svg}</div>'
    )


def live_tiles_html(block: Any, widget: Any, branch: str | None) -> str:
    """A Tiles block whose tiles include live ones, each live tile marked with its KPI field.

    Parameters
    ----------
    block
        The `Tiles` block.
    widget
        Its `TileGrid` (one tile widget per tile, in order).
    branch
        The page's branch (None: all branches).

    Returns
    -------
    str
        The grid's HTML; a live tile's ``div.pbi-tile`` carries ``data-live`` (the field the
        live worker publishes, `pulsebi.live.kpis.field_name`) and ``data-unit``.
    """
    from pulsebi.live.kpis import field_name
    from pulsebi.widgets.grid import tiles_html

    parts = []
    for tile, spec in zip(widget.children, block.tiles, strict=True):
        part = tile.to_html()
        if spec.live:
            field = html.escape(field_name(spec.live, branch))
            marks = f' data-live="{field}" data-unit="{html.escape(spec.unit)}"'
            part = _TILE_OPEN.sub(lambda m, marks=marks: m.group(1) + marks, part, count=1)
        parts.append(part)
    return tiles_html(parts, block.columns)


def page_html(
    title: str, context: str, sections: Iterable[tuple[str, Iterable[str]]], notice: str = ""
) -> str:
    """A page's first paint.

    Parameters
    ----------
    title
        The page's title (escaped).
    context
        The context line's HTML (branch, dates, data as of).
    sections
        (heading, the HTML of each block) per section.
    notice
        The notice's HTML above the page, if any.

    Returns
    -------
    str
        ``div.pbi-first-paint``: title, notice, a box where the filter bar will be, the
        context line, each section.
    """
    parts = [
        f"<h1 style='margin:0 0 4px'>{html.escape(title)}</h1>",
        notice,
        '<div class="pbi-first-paint-bar"></div>',
        context,
    ]
    for heading, blocks in sections:
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        parts.extend(blocks)
    return f'<div class="pbi-first-paint">{"".join(parts)}</div>'


def with_first_paint(widget: Any, first_paint: str, label: str) -> dict[str, Any]:
    """The widget's display bundle (as ipywidgets makes it) plus its first paint.

    Parameters
    ----------
    widget
        The page's root widget.
    first_paint
        Its first paint (`page_html` or `first_paint_of`).
    label
        The bundle's text/plain.

    Returns
    -------
    dict
        A mimebundle to `display(..., raw=True)`.
    """
    view = {"version_major": 2, "version_minor": 0, "model_id": widget.model_id}
    return {
        "application/vnd.jupyter.widget-view+json": view,
        MIMETYPE: first_paint,
        "text/plain": label,
    }


def widget_html(widget: Any) -> str:
    """Any widget tree as static HTML, for pages not made of blocks.

    Parameters
    ----------
    widget
        The tree's root.

    Returns
    -------
    str
        What its HTML widgets (and widgets with `to_html`) show, boxes as their children; a
        filter bar becomes a box of its height, other controls nothing.
    """
    if "pbi-filter-bar" in getattr(widget, "_dom_classes", ()):
        return '<div class="pbi-first-paint-bar"></div>'
    if hasattr(widget, "to_html"):
        return widget.to_html()
    children = getattr(widget, "children", None)
    if children is not None:
        return "".join(widget_html(child) for child in children)
    if type(widget).__name__ in ("HTML", "HTMLMath"):
        return widget.value
    return ""


def first_paint_of(widget: Any, live: str) -> str:
    """A widget tree's first paint, which gives way once its live counterpart is drawn.

    Parameters
    ----------
    widget
        The tree's root (`widget_html`).
    live
        A CSS selector of the live counterpart (e.g. a class the widget adds to itself).

    Returns
    -------
    str
        ``div.pbi-first-paint`` with ``data-live``; show it with `with_first_paint`.
    """
    return (
        f'<div class="pbi-first-paint" data-live="{html.escape(live)}">{widget_html(widget)}</div>'
    )
