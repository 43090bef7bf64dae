"""A live page's first paint: the figures as plain HTML, shown before its widgets are.

Voilà draws widgets only once its JavaScript has started, connected to the kernel and fetched
every widget's state (about a second for the executive dashboard). The page's output therefore
also carries `MIMETYPE`: the same tiles, tables and headings as HTML (charts as blank boxes of
their height), which the Pulse BI Voilà template puts in the page as it streams, so the figures
are on screen as soon as the HTML arrives. When the widgets are drawn the template's CSS hides
it (`.pbi-first-paint`). Other front ends (JupyterLab, nbconvert) do not know the mimetype and
show the widgets as usual.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

MIMETYPE = "application/vnd.pulsebi.first-paint+html"


def block_html(block: Any, widget: Any) -> str:
    """One live block as static HTML.

    Parameters
    ----------
    block
        A page block (`pulsebi.dashboards.page`: Tiles, Chart, Table, Scorecard, Html).
    widget
        Its live widget.

    Returns
    -------
    str
        What the widget shows; for a chart, a box of its height with its title.
    """
    from pulsebi.dashboards.page import Chart, Table

    if isinstance(block, Chart):
        title = html.escape(block.spec.title or "")
        return (
            f'<div class="pbi-first-paint-chart" style="height:{int(block.spec.height)}px">'
            f"<div style='font-weight:600;padding:8px 0'>{title}</div></div>"
        )
    if isinstance(block, Table):
        return widget.html
    if hasattr(widget, "to_html"):
        return widget.to_html()
    return widget.value


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
