"""Live charts: bqplot Figures with tooltips and a width that follows the page.

0, 1 or N points all draw: no point shows a note; one bucket (a line of it would be a lone dot)
shows as a bar of a bar's width, never one as wide as the page. The legend and the note on
partial buckets sit under the x axis, outside the data (`legend.py` lays them out).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pulsebi.charts.formats import AXIS_LABEL, D3_AXIS, D3_TOOLTIP
from pulsebi.charts.legend import ROW_PX, legend_entries, legend_layout
from pulsebi.charts.spec import (
    BAR_KINDS,
    ChartData,
    ChartSpec,
    chart_data,
    partial_pieces,
    pretty,
)
from pulsebi.charts.style import INK, MUTED, bq_title_style, series_color
from pulsebi.charts.ticks import CHAR_PX, fits_flat, label_step, nice_ticks, shorten, value_ticks

__all__ = ["draw_live", "nice_ticks", "render_live"]

NO_DATA = "No data for this selection"
HALO = {"paint-order": "stroke", "stroke": "white", "stroke-width": "4px"}  # text readable on bars
TOP = 50
PARTIAL_OPACITY = 0.45
MAX_MARKED = 60  # points drawn with a full-size marker
MAX_LABELLED = 15  # bars with their value written on them
# the page width is known only in the browser: x labels are thinned and the legend's columns
# laid out for a narrow plot (a laptop beside a sidebar), spread over a wider one
LABELS_PX = 640
LEGEND_PX = 600


@dataclass
class _Drawing:
    marks: list[Any]
    axes: list[Any]
    left: int = 80
    bottom: int = 44  # room for the x tick labels


def render_live(spec: ChartSpec) -> Any:
    """A bqplot Figure of `spec`; `figure.pulsebi_data` holds the ChartData it draws."""
    fig = empty_figure(spec)
    draw_live(fig, spec)
    return fig


def empty_figure(spec: ChartSpec) -> Any:
    """The Figure every live chart is drawn on: full width, `spec.height` high, no marks yet.

    Parameters
    ----------
    spec
        The chart (its height).

    Returns
    -------
    bqplot.Figure
    """
    import bqplot as bq
    import ipywidgets as w

    fig = bq.Figure(
        layout=w.Layout(width="100%", height=f"{spec.height}px"),
        min_aspect_ratio=0.01,
        max_aspect_ratio=100,
        fig_margin={"top": TOP, "bottom": 50, "left": 80, "right": 30},
        title_style=bq_title_style(),
        animation_duration=300,
        padding_y=0.0,
    )
    fig.add_class("pbi-chart")
    return fig


def draw_live(fig: Any, spec: ChartSpec) -> None:
    """(Re)draw `spec` on an existing Figure: filters change the data, the view stays in place."""
    data = chart_data(spec)
    if data.empty:
        drawing = _build_empty()
    elif spec.kind in BAR_KINDS or data.single:
        drawing = _build_bars(spec, data)
    else:
        drawing = _build_lines(spec, data)
    bottom = drawing.bottom + (18 if spec.x_label else 0)
    legend, rows = _legend_marks(spec, legend_entries(spec, data), bottom)
    with fig.hold_sync():
        fig.fig_margin = {
            **fig.fig_margin,
            "left": drawing.left,
            "bottom": bottom + rows * ROW_PX + 6,
        }
        fig.marks = drawing.marks + legend
        fig.axes = drawing.axes
        fig.title = spec.title
    fig.pulsebi_data = data
    fig.pulsebi_spec = spec


def _tooltip(spec: ChartSpec, data: ChartData, name: str) -> Any:
    import bqplot as bq

    x_fmt = _d3_date(data.date_format, tooltip=True) if data.x_kind == "time" else ""
    return bq.Tooltip(
        fields=["x", "y"],
        formats=[x_fmt, D3_TOOLTIP.get(spec.units, "")],
        labels=[spec.x_label or pretty(spec.x), name],
    )


def _d3_date(fmt: str, tooltip: bool = False) -> str:
    """A strftime format for bqplot: axes take it as is; a tooltip takes only directives
    parted by spaces (no %-d, no comma or colon: bqplot then fails to draw it), so days use %e
    (its padding space collapses in HTML) and name the year, moments the locale's %c."""
    if not tooltip:
        return fmt
    if "%H" in fmt:
        return "%c"
    return fmt.replace("%-d", "%e") + (" %Y" if "%Y" not in fmt else "")


def _x_array(data: ChartData, indexes: list[int] | None = None) -> Any:
    import numpy as np

    values = data.x if indexes is None else [data.x[i] for i in indexes]
    if data.x_kind == "time":
        return np.array(values, dtype="datetime64[ms]")
    return np.array(values)


def _value_scale(spec: ChartSpec, data: ChartData, from_zero: bool) -> Any:
    """A value scale ending on round ticks; bars and areas start at zero; horizontal bars keep
    room for the value written after the longest."""
    import bqplot as bq

    rows = data.plotted(spec.kind)
    if spec.kind == "stacked_bar":
        rows = [[sum(col) for col in zip(*rows, strict=True)]]
    ticks = value_ticks([v for row in rows for v in row], spec.units, from_zero)
    top = ticks[-1] + (0.12 * (ticks[-1] - ticks[0]) if spec.kind == "hbar" else 0)
    scale = bq.LinearScale(min=ticks[0], max=top)
    scale.pulsebi_ticks = ticks
    return scale


def _value_axis(spec: ChartSpec, scale: Any, side: str = "left") -> Any:
    import bqplot as bq

    return bq.Axis(
        scale=scale,
        side=side,
        tick_values=getattr(scale, "pulsebi_ticks", None),
        tick_format=D3_AXIS.get(spec.units, ""),
        label=AXIS_LABEL.get(spec.units, ""),
        label_offset="3.5em",
        grid_lines="solid",
        grid_color="#dadce0",
    )


def _x_scale(data: ChartData) -> Any:
    import bqplot as bq

    if data.x_kind == "time":
        return bq.DateScale()
    if data.x_kind == "number":
        return bq.LinearScale()
    return bq.OrdinalScale(domain=list(data.x))


def _x_axis(
    spec: ChartSpec, data: ChartData, scale: Any, drawing: _Drawing, cats: list[str] | None = None
) -> Any:
    """The x axis: every label when they fit flat, else every n-th (dates) or slanted (names,
    with room under the axis so none is cut)."""
    import bqplot as bq

    axis = bq.Axis(scale=scale, label=spec.x_label, grid_lines="none")
    step = label_step(data.labels, LABELS_PX)
    shown = list(range(0, len(data.labels), step))
    if cats is None and data.x_kind == "time":
        axis.tick_format = _d3_date(data.date_format)
        axis.tick_values = _x_array(data, shown)
    elif cats is None and data.x_kind == "number":
        return axis
    elif step > 1 and data.dated:  # an ordinal axis labels every category: blank the others
        axis.tick_labels = {t: (t if i % step == 0 else "") for i, t in enumerate(cats or [])}
    elif not fits_flat(data.labels, LABELS_PX):
        axis.tick_rotate = -30
        axis.tick_style = {"text-anchor": "end"}
        axis.tick_labels = {t: shorten(t, 20) for t in cats or data.labels}
        drawing.bottom += int(0.5 * CHAR_PX * max(len(shorten(t, 20)) for t in data.labels))
        # the first slanted label reaches left of its tick by ~0.87 of its length
        drawing.left = max(drawing.left, int(0.8 * CHAR_PX * len(shorten(data.labels[0], 20))))
    return axis


def _build_lines(spec: ChartSpec, data: ChartData) -> _Drawing:
    """One Lines mark per series and piece (whole buckets solid, partial ends dashed), each cut
    to its first and last value: bqplot places a curve's end at its last point, NaN or not."""
    import bqplot as bq
    import numpy as np

    xs, ys = _x_scale(data), _value_scale(spec, data, from_zero=spec.kind == "area")
    values = data.plotted(spec.kind)
    n = len(data.x)
    fill = "bottom" if spec.kind == "area" else "none"
    solid = [[math.nan if data.partial[i] else v for i, v in enumerate(row)] for row in values]
    pieces = [(i, row, "solid") for i, row in enumerate(solid)]
    pieces += [(i, row, "dashed") for i, row in partial_pieces(values, data.partial)]
    marks = []
    for i, row, style in pieces:
        at = [j for j, v in enumerate(row) if not math.isnan(v)]
        if len(at) < 2:
            continue  # a lone value shows as its marker
        span = list(range(at[0], at[-1] + 1))
        marks.append(
            bq.Lines(
                x=_x_array(data, span),
                y=np.array([row[j] for j in span], dtype=float),
                scales={"x": xs, "y": ys},
                colors=[series_color(i)],
                labels=[data.series[i].name],
                line_style=style,
                stroke_width=2,
                fill=fill,
                fill_opacities=[0.18 if style == "solid" else 0.08],
                enable_hover=False,
            )
        )
    size = 36 if n <= MAX_MARKED else 9
    for i, (s, row) in enumerate(zip(data.series, values, strict=True)):
        for cut in (False, True):
            at = [j for j, v in enumerate(row) if not math.isnan(v) and data.partial[j] == cut]
            if not at:
                continue
            marks.append(
                bq.Scatter(
                    x=_x_array(data, at),
                    y=np.array([row[j] for j in at], dtype=float),
                    scales={"x": xs, "y": ys},
                    colors=[series_color(i)],
                    default_size=size,
                    opacities=[PARTIAL_OPACITY if cut else 1.0],
                    tooltip=_tooltip(spec, data, s.name + (" (partial)" if cut else "")),
                )
            )
    drawing = _Drawing(marks, [])
    drawing.axes = [_x_axis(spec, data, xs, drawing), _value_axis(spec, ys)]
    return drawing


def _build_bars(spec: ChartSpec, data: ChartData) -> _Drawing:
    """Bars, and single buckets of a line chart (grouped when it has several series)."""
    import bqplot as bq
    import numpy as np

    horizontal = spec.kind in ("hbar", "funnel")
    kind = spec.kind if spec.kind in BAR_KINDS else "grouped_bar"
    cats = list(data.labels)  # a line's single bucket is drawn over its label
    xs = bq.OrdinalScale(domain=cats, reverse=horizontal)  # first row on top if hbar
    ys = _value_scale(spec, data, from_zero=True)
    values = np.array(data.plotted(kind), dtype=float)
    k, n = values.shape
    grouped = k > 1 and kind in ("grouped_bar", "hbar")
    side_by_side = n * (k if grouped else 1)
    # a band's padding: a lone bar is as wide as one of a dozen, not the whole plot
    padding = max(0.2, 1 - (0.2 if horizontal else 0.12) * side_by_side)
    marks = []
    for cut in (False, True):
        at = [i for i in range(n) if data.partial[i] == cut]
        if not at:
            continue
        part = values[:, at]
        names = [s.name + (" (partial)" if cut else "") for s in data.series]
        marks.append(
            bq.Bars(
                x=np.array([cats[i] for i in at]),
                y=part if k > 1 else part[0],
                scales={"x": xs, "y": ys},
                type="grouped" if grouped else "stacked",
                orientation="horizontal" if horizontal else "vertical",
                labels=[s.name for s in data.series],
                colors=[series_color(i) for i in range(k)],
                padding=padding,
                opacities=[PARTIAL_OPACITY if cut else 1.0] * max(k, len(at)),
                label_display=k == 1 and n <= MAX_LABELLED,
                label_display_format=D3_TOOLTIP.get(spec.units, ""),
                label_font_style={**HALO, "fill": INK if not cut else MUTED},
                tooltip=_tooltip(spec, data, names[0] if k == 1 else "value"),
            )
        )
    drawing = _Drawing(marks, [])
    if horizontal:
        cat_axis = bq.Axis(scale=xs, side="left", label=spec.x_label, grid_lines="none")
        drawing.left = max(80, min(220, 20 + int(CHAR_PX) * max(len(t) for t in data.labels)))
    else:
        cat_axis = _x_axis(spec, data, xs, drawing, cats)
    drawing.axes = [cat_axis, _value_axis(spec, ys, "bottom" if horizontal else "left")]
    return drawing


def _build_empty() -> _Drawing:
    import bqplot as bq

    scale = {"x": bq.LinearScale(min=0, max=1), "y": bq.LinearScale(min=0, max=1)}
    note = bq.Label(
        x=[0.5],
        y=[0.5],
        text=[NO_DATA],
        scales=scale,
        align="middle",
        colors=[MUTED],
        default_size=14,
        enable_hover=False,
    )
    return _Drawing([note], [], bottom=20)


def _legend_marks(
    spec: ChartSpec, entries: list[tuple[str, str, str]], below_px: int
) -> tuple[list[Any], int]:
    """The legend as text marks under the x axis (outside the plot area); returns the marks and
    how many rows they take."""
    import bqplot as bq

    if not entries:
        return [], 0
    slots, rows = legend_layout([text for _, _, text in entries], LEGEND_PX)
    plot_height = spec.height - TOP - below_px - rows * ROW_PX - 6
    scales = {
        "x": bq.LinearScale(min=0, max=1),
        "y": bq.LinearScale(min=0, max=max(1, plot_height)),  # y in pixels from the bottom
    }
    xs = [x for x, _ in slots]
    ys = [-(below_px + row * ROW_PX + 4) for _, row in slots]
    swatches = bq.Label(
        x=xs,
        y=ys,
        text=[s for s, _, _ in entries],
        colors=[c for _, c, _ in entries],
        scales=scales,
        default_size=14,
        apply_clip=False,
        enable_hover=False,
    )
    texts = bq.Label(
        x=xs,
        y=ys,
        text=[t for _, _, t in entries],
        colors=[INK],
        x_offset=16,
        scales=scales,
        default_size=12,
        font_weight="normal",
        apply_clip=False,
        enable_hover=False,
    )
    return [swatches, texts], rows
