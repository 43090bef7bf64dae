"""Band charts drawn live with bqplot (`bands.py` says what they show).

Bands are `Lines` filled between their bounds, one mark per stretch where both are known;
marked points are a `Scatter` in the alert colour with a tooltip, over the lines. The figure
carries the CSS class ``pbi-band-chart``; a figure with marked points also
``pbi-band-marked``.
"""

from __future__ import annotations

import math
from typing import Any

from pulsebi.charts.bands import (
    MARKER_COLOR,
    BandData,
    BandSpec,
    band_color,
    band_data,
    band_legend,
    runs,
)
from pulsebi.charts.legend import ROW_PX
from pulsebi.charts.live import (
    MAX_MARKED,
    _build_empty,
    _Drawing,
    _legend_marks,
    _tooltip,
    _value_axis,
    _x_array,
    _x_axis,
    _x_scale,
    empty_figure,
)
from pulsebi.charts.ticks import value_ticks

MARKED_SIZE = 64  # px², an anomaly's dot
# a line's points (their tooltips): up to MAX_MARKED of them, up to DENSE, more
POINT_SIZE = (36, 9, 3)
DENSE = 300


def render_bands_live(spec: BandSpec) -> Any:
    """A bqplot Figure of a band chart.

    Parameters
    ----------
    spec
        The band chart.

    Returns
    -------
    bqplot.Figure
        `figure.pulsebi_data` holds the lines' `ChartData`, `figure.pulsebi_bands` the
        `BandData`.
    """
    fig = empty_figure(spec)
    draw_bands_live(fig, spec)
    return fig


def draw_bands_live(fig: Any, spec: BandSpec) -> None:
    """(Re)draw a band chart on an existing Figure (filters change the data, the view stays).

    Parameters
    ----------
    fig
        A Figure made by `render_bands_live` or `pulsebi.charts.render`.
    spec
        The band chart.
    """
    data = band_data(spec)
    if data.lines.empty:
        drawing = _build_empty()
        entries: list[tuple[str, str, str]] = []
    else:
        drawing = _build(spec, data)
        entries = band_legend(spec, data)
    bottom = drawing.bottom + (18 if spec.x_label else 0)
    legend, rows = _legend_marks(spec, entries, bottom)
    with fig.hold_sync():
        fig.fig_margin = {
            **fig.fig_margin,
            "left": drawing.left,
            "bottom": bottom + rows * ROW_PX + 6,
        }
        fig.marks = drawing.marks + legend
        fig.axes = drawing.axes
        fig.title = spec.title
    if data.marked:
        fig.add_class("pbi-band-marked")
    else:
        fig.remove_class("pbi-band-marked")
    fig.add_class("pbi-band-chart")
    fig.pulsebi_data = data.lines
    fig.pulsebi_bands = data
    fig.pulsebi_spec = spec


def _build(spec: BandSpec, data: BandData) -> _Drawing:
    import bqplot as bq
    import numpy as np

    lines = data.lines
    xs = _x_scale(lines)
    ticks = value_ticks(data.values(), spec.units, from_zero=False)
    ys = bq.LinearScale(min=ticks[0], max=ticks[-1])
    ys.pulsebi_ticks = ticks
    scales = {"x": xs, "y": ys}
    marks: list[Any] = []
    for band, lower, upper in data.bands:
        colour = band_color(band, data)
        for run in runs(lower, upper):
            if len(run) < 2:
                continue
            marks.append(
                bq.Lines(
                    x=_x_array(lines, run),
                    y=np.array([[lower[i] for i in run], [upper[i] for i in run]], dtype=float),
                    scales=scales,
                    colors=[colour],
                    fill="between",
                    # bqplot fills between the first two curves with the first fill; the
                    # second curve's own (empty) fill must not show
                    fill_colors=[colour, colour],
                    fill_opacities=[band.opacity, 0.0],
                    opacities=[0.0],
                    stroke_width=0,
                    enable_hover=False,
                    labels=[band.label],
                )
            )
    values = lines.plotted("line")
    n = len(lines.x)
    size = POINT_SIZE[0] if n <= MAX_MARKED else POINT_SIZE[1] if n <= DENSE else POINT_SIZE[2]
    for s, row, colour, dash in zip(
        lines.series, values, data.line_colors, data.dashed, strict=True
    ):
        at = [j for j, v in enumerate(row) if not math.isnan(v)]
        if not at:
            continue
        span = list(range(at[0], at[-1] + 1))
        if len(span) > 1:
            marks.append(
                bq.Lines(
                    x=_x_array(lines, span),
                    y=np.array([row[j] for j in span], dtype=float),
                    scales=scales,
                    colors=[colour],
                    labels=[s.name],
                    line_style="dashed" if dash else "solid",
                    stroke_width=2,
                    enable_hover=False,
                )
            )
        if dash and len(span) > 1:
            continue  # an expected value or a forecast: the line says it, dots would clutter
        marks.append(  # the points, for their tooltips (and a lone value's place)
            bq.Scatter(
                x=_x_array(lines, at),
                y=np.array([row[j] for j in at], dtype=float),
                scales=scales,
                colors=[colour],
                default_size=size,
                opacities=[0.9],
                tooltip=_tooltip(spec, lines, s.name),
            )
        )
    if data.marked:
        first = values[0]
        marks.append(
            bq.Scatter(
                x=_x_array(lines, data.marked),
                y=np.array([first[i] for i in data.marked], dtype=float),
                scales=scales,
                colors=[MARKER_COLOR],
                stroke="white",
                stroke_width=1.5,
                default_size=MARKED_SIZE,
                tooltip=_tooltip(spec, lines, spec.marker_label),
            )
        )
    drawing = _Drawing(marks, [])
    drawing.axes = [_x_axis(spec, lines, xs, drawing), _value_axis(spec, ys)]
    return drawing
