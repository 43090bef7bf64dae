"""A pie as inline SVG (the chart toolkit has no pie yet): the same HTML live and static.

Slices go clockwise from twelve o'clock in the data's order, coloured from the company
palette; the legend beside it gives each slice's value and share. Slices of 0, or missing,
are listed in the legend but not drawn; a whole of 0 draws an empty ring.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

from pulsebi.charts.formats import format_value, is_missing
from pulsebi.charts.style import FONT_STACK, INK, MUTED, RULE, series_color

RADIUS = 90


def _point(share: float) -> tuple[float, float]:
    angle = 2 * math.pi * share - math.pi / 2
    return 100 + RADIUS * math.cos(angle), 100 + RADIUS * math.sin(angle)


def _slice(start: float, end: float, colour: str, title: str) -> str:
    tip = f"<title>{html.escape(title)}</title>"
    if end - start >= 1 - 1e-12:  # one slice is the whole: a full circle
        return f'<circle cx="100" cy="100" r="{RADIUS}" fill="{colour}">{tip}</circle>'
    (x1, y1), (x2, y2) = _point(start), _point(end)
    large = 1 if end - start > 0.5 else 0
    path = f"M100,100 L{x1:.2f},{y1:.2f} A{RADIUS},{RADIUS} 0 {large} 1 {x2:.2f},{y2:.2f} Z"
    return f'<path d="{path}" fill="{colour}" stroke="#fff" stroke-width="1">{tip}</path>'


def pie_html(title: str, labels: Sequence[str], values: Sequence[Any], unit: str) -> str:
    """A pie of `values` (one per label, in `unit`) with its legend, as HTML.

    Parameters
    ----------
    title : str
        Shown above the pie.
    labels : sequence of str
        Each slice's name.
    values : sequence
        Each slice's value (money, counts: parts of a whole); None or NaN counts as 0.
    unit : str
        The values' unit, for the legend (`pulsebi.charts.formats` units).

    Returns
    -------
    str
        A self-contained ``<figure>`` (inline styles, no script).
    """
    numbers = [0.0 if is_missing(v) else float(v) for v in values]
    whole = sum(n for n in numbers if n > 0)
    shapes, legend, at = [], [], 0.0
    for i, (label, value, number) in enumerate(zip(labels, values, numbers, strict=True)):
        share = number / whole if whole and number > 0 else 0.0
        colour = series_color(i)
        text = f"{label}: {format_value(value, unit)} ({share:.1%})"
        if share > 0:
            shapes.append(_slice(at, at + share, colour, text))
            at += share
        legend.append(
            f'<li style="list-style:none;margin:2px 0"><span style="display:inline-block;'
            f'width:10px;height:10px;background:{colour};margin-right:6px"></span>'
            f"{html.escape(text)}</li>"
        )
    if not shapes:
        shapes.append(
            f'<circle cx="100" cy="100" r="{RADIUS}" fill="none" stroke="{RULE}" stroke-width="2"/>'
        )
    return (
        f'<figure class="pbi-pie" style="font-family:{FONT_STACK};color:{INK};margin:6px 0">'
        f'<figcaption style="font-weight:bold;padding:4px 0">{html.escape(title)}</figcaption>'
        f'<div style="display:flex;gap:16px;align-items:center;flex-wrap:wrap">'
        f'<svg viewBox="0 0 200 200" width="220" height="220" role="img"'
        f' aria-label="{html.escape(title)}">{"".join(shapes)}</svg>'
        f'<ul style="padding:0;margin:0;font-size:13px;color:{MUTED}">{"".join(legend)}</ul>'
        "</div></figure>"
    )
