"""Live charts: bqplot Figures with tooltips and a width that follows the page."""

from __future__ import annotations

import math
from typing import Any

from pulsebi.charts.formats import AXIS_LABEL, D3_AXIS, D3_TOOLTIP
from pulsebi.charts.spec import ChartData, ChartSpec, chart_data, pretty
from pulsebi.charts.style import PALETTE, bq_title_style

NO_DATA = " — no data for this selection"
HALO = {"paint-order": "stroke", "stroke": "white", "stroke-width": "4px"}  # text readable on bars


def render_live(spec: ChartSpec) -> Any:
    """A bqplot Figure of `spec`; `figure.pulsebi_data` holds the ChartData it draws."""
    import bqplot as bq
    import ipywidgets as w

    fig = bq.Figure(
        layout=w.Layout(width="100%", height=f"{spec.height}px"),
        min_aspect_ratio=0.01,
        max_aspect_ratio=100,
        fig_margin={"top": 50, "bottom": 50, "left": 80, "right": 30},
        title_style=bq_title_style(),
        legend_location="top-right",
        # bqplot sizes the legend box for one entry: a white halo keeps the others readable
        legend_text=HALO,
        legend_style={"fill": "white", "fill-opacity": "0.85", "stroke": "none"},
        animation_duration=300,
        padding_y=0.0,
    )
    fig.add_class("pbi-chart")
    draw_live(fig, spec)
    return fig


def draw_live(fig: Any, spec: ChartSpec) -> None:
    """(Re)draw `spec` on an existing Figure: filters change the data, the view stays in place."""
    data = chart_data(spec)
    marks, axes = ([], []) if data.empty else _BUILD[spec.kind](spec, data)
    left = 80
    if spec.kind in ("hbar", "funnel") and data.x:  # room for the category labels
        left = max(left, min(220, 20 + 7 * max(len(str(x)) for x in data.x)))
    with fig.hold_sync():
        fig.fig_margin = {**fig.fig_margin, "left": left}
        fig.marks = marks
        fig.axes = axes
        fig.title = spec.title + (NO_DATA if data.empty else "")
    fig.pulsebi_data = data
    fig.pulsebi_spec = spec


def _tooltip(spec: ChartSpec, data: ChartData, x_field: str = "x") -> Any:
    import bqplot as bq

    x_fmt = "%Y-%m-%d" if data.x_kind == "time" else ""
    return bq.Tooltip(
        fields=[x_field, "y"],
        formats=[x_fmt, D3_TOOLTIP.get(spec.units, "")],
        labels=[
            spec.x_label or pretty(spec.x),
            data.series[0].name if len(data.series) == 1 else "value",
        ],
    )


def _x_scale(data: ChartData) -> Any:
    import bqplot as bq

    if data.x_kind == "time":
        return bq.DateScale()
    if data.x_kind == "number":
        return bq.LinearScale()
    return bq.OrdinalScale()


def _x_array(data: ChartData) -> Any:
    import numpy as np

    if data.x_kind == "time":
        return np.array(data.x, dtype="datetime64[ms]")
    return np.array(data.x)


def nice_ticks(low: float, high: float, target: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 × 10^k) covering [low, high]."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0, 1.0]
    if high <= low:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start, end = math.floor(low / step) * step, math.ceil(high / step) * step
    return [round(start + i * step, 10) for i in range(round((end - start) / step) + 1)]


def _value_scale(spec: ChartSpec, data: ChartData) -> Any:
    """A value scale ending on round ticks; bars and areas start at zero."""
    import bqplot as bq

    rows = data.plotted(spec.kind)
    if spec.kind == "stacked_bar":
        rows = [[sum(col) for col in zip(*rows, strict=True)]]
    values = [v for row in rows for v in row if not math.isnan(v)]
    low, high = min(values, default=0.0), max(values, default=1.0)
    if spec.kind != "line":
        low, high = min(low, 0.0), max(high, 0.0)
    ticks = nice_ticks(low, high)
    scale = bq.LinearScale(min=ticks[0], max=ticks[-1])
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


def _build_lines(spec: ChartSpec, data: ChartData) -> tuple[list[Any], list[Any]]:
    import bqplot as bq
    import numpy as np

    xs = _x_scale(data)
    ys = _value_scale(spec, data)
    k = len(data.series)
    mark = bq.Lines(
        x=_x_array(data),
        y=np.array(data.plotted(spec.kind), dtype=float),
        scales={"x": xs, "y": ys},
        labels=[s.name for s in data.series],
        colors=list(PALETTE[:k]) if k <= len(PALETTE) else list(PALETTE),
        display_legend=k > 1,
        stroke_width=2,
        marker="circle",
        marker_size=16,
        fill="bottom" if spec.kind == "area" else "none",
        fill_opacities=[0.18] * k,
        tooltip=_tooltip(spec, data),
    )
    x_axis = bq.Axis(scale=xs, label=spec.x_label, grid_lines="none")
    if data.x_kind == "time":
        x_axis.tick_format = data.date_format
        if data.few_points:
            x_axis.tick_values = _x_array(data)
    return [mark], [x_axis, _value_axis(spec, ys)]


def _build_bars(spec: ChartSpec, data: ChartData) -> tuple[list[Any], list[Any]]:
    import bqplot as bq
    import numpy as np

    horizontal = spec.kind in ("hbar", "funnel")
    xs = bq.OrdinalScale(reverse=horizontal)  # first row on top when horizontal
    ys = _value_scale(spec, data)
    values = np.array(data.plotted(spec.kind), dtype=float)
    k = len(data.series)
    mark = bq.Bars(
        x=np.array(data.x),
        y=values if k > 1 else values[0],
        scales={"x": xs, "y": ys},
        type="grouped" if k > 1 and spec.kind in ("grouped_bar", "hbar") else "stacked",
        orientation="horizontal" if horizontal else "vertical",
        labels=[s.name for s in data.series],
        colors=list(PALETTE) if k > 1 else [PALETTE[0]],
        display_legend=k > 1,
        padding=0.2,
        label_display=k == 1,
        label_display_format=D3_TOOLTIP.get(spec.units, ""),
        label_font_style=HALO,
        tooltip=_tooltip(spec, data),
    )
    cat_axis = bq.Axis(
        scale=xs,
        side="left" if horizontal else "bottom",
        label=spec.x_label,
        grid_lines="none",
        tick_rotate=-30 if not horizontal and len(data.x) > 8 else 0,
    )
    value_axis = _value_axis(spec, ys, "bottom" if horizontal else "left")
    return [mark], [cat_axis, value_axis]


_BUILD = {
    "line": _build_lines,
    "area": _build_lines,
    "bar": _build_bars,
    "stacked_bar": _build_bars,
    "grouped_bar": _build_bars,
    "hbar": _build_bars,
    "funnel": _build_bars,
}
