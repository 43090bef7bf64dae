"""Band charts drawn with matplotlib to inline SVG (`bands.py` says what they show)."""

from __future__ import annotations

import io
from typing import Any

from pulsebi.charts.bands import (
    MARKER_COLOR,
    MARKER_SWATCH,
    BandData,
    BandSpec,
    band_color,
    band_data,
    band_legend,
    runs,
)
from pulsebi.charts.formats import AXIS_LABEL, format_axis
from pulsebi.charts.legend import BAR_SWATCH, PARTIAL_LINE, ROW_PX, legend_layout
from pulsebi.charts.static import (
    CHAR_PX,
    DPI,
    WIDTH_IN,
    StaticChart,
    _draw_empty,
    _responsive,
    _value_formatter,
    ensure_cache_dir,
)
from pulsebi.charts.ticks import label_step, value_ticks

MARKED_SIZE = 34  # points², an anomaly's dot


def render_bands_static(spec: BandSpec) -> StaticChart:
    """Draw a band chart with matplotlib and keep its SVG (no point: a note).

    Parameters
    ----------
    spec
        The band chart.

    Returns
    -------
    StaticChart
        Displays as ``image/svg+xml``; its `data` is the lines' `ChartData`.
    """
    ensure_cache_dir()
    import matplotlib
    from matplotlib.figure import Figure

    from pulsebi.charts.style import mpl_rc

    data = band_data(spec)
    with matplotlib.rc_context(mpl_rc()):
        fig = Figure(figsize=(WIDTH_IN, spec.height / DPI), dpi=DPI)
        ax = fig.add_subplot()
        if spec.title:
            ax.set_title(spec.title)
        if data.lines.empty:
            _draw_empty(ax)
            entries: list[tuple[str, str, str]] = []
        else:
            _draw(ax, spec, data)
            entries = band_legend(spec, data)
        _fit(fig, ax, spec, entries)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return StaticChart(spec, data.lines, fig, _responsive(buf.getvalue()))


def _draw(ax: Any, spec: BandSpec, data: BandData) -> None:
    import matplotlib.dates as mdates

    lines = data.lines
    x = lines.x if lines.x_kind != "category" else list(range(len(lines.x)))
    for band, lower, upper in data.bands:
        for run in runs(lower, upper):
            ax.fill_between(
                [x[i] for i in run],
                [lower[i] for i in run],
                [upper[i] for i in run],
                color=band_color(band, data),
                alpha=band.opacity,
                linewidth=0,
            )
    values = lines.plotted("line")
    for row, colour, dash in zip(values, data.line_colors, data.dashed, strict=True):
        ax.plot(x, row, color=colour, linewidth=1.6, linestyle="--" if dash else "-")
    if data.marked:
        first = values[0]
        ax.scatter(
            [x[i] for i in data.marked],
            [first[i] for i in data.marked],
            s=MARKED_SIZE,
            color=MARKER_COLOR,
            edgecolors="white",
            linewidths=0.8,
            zorder=5,
        )
    if lines.x_kind == "time":
        shown = range(0, len(x), label_step(lines.labels))
        ax.set_xticks([x[j] for j in shown])
        ax.xaxis.set_major_formatter(mdates.DateFormatter(lines.date_format))
    elif lines.x_kind == "category":
        shown = range(0, len(x), label_step(lines.labels))
        ax.set_xticks([x[j] for j in shown], [lines.labels[j] for j in shown])
    ticks = value_ticks(data.values(), spec.units, from_zero=False)
    ax.set_ylim(ticks[0], ticks[-1])
    ax.set_yticks(ticks)
    ax.yaxis.set_major_formatter(_value_formatter(spec.units))
    ax.set_ylabel(AXIS_LABEL.get(spec.units, ""))
    ax.set_xlabel(spec.x_label)
    if len(x) > 1 and lines.x_kind != "category":
        ax.set_xlim(x[0], x[-1])


def _fit(fig: Any, ax: Any, spec: BandSpec, entries: list[tuple[str, str, str]]) -> None:
    """Margins from the labels' lengths (as `static._fit_margins`), the legend under the axis."""
    width, height = WIDTH_IN * DPI, spec.height
    labels = [format_axis(v, spec.units) for v in ax.get_yticks()]
    left = 22 + CHAR_PX * max((len(t) for t in labels), default=0)
    left += 18 if ax.get_ylabel() else 0
    ticks = 30 + (16 if ax.get_xlabel() else 0)
    slots, rows = legend_layout([text for _, _, text in entries])
    bottom = ticks + rows * ROW_PX + (6 if rows else 0)
    top = 34 if spec.title else 12
    fig.subplots_adjust(
        left=min(left / width, 0.4),
        right=1 - 36 / width,  # room for the last date label, centred on the edge
        bottom=min(bottom / height, 0.6),
        top=max(1 - top / height, 0.5),
    )
    _legend(fig, spec, entries, slots, (left / width, (bottom - ticks) / height))


def _legend(
    fig: Any,
    spec: BandSpec,
    entries: list[tuple[str, str, str]],
    slots: list[tuple[float, int]],
    origin: tuple[float, float],
) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    plot_width = (fig.subplotpars.right - fig.subplotpars.left) * WIDTH_IN * DPI
    for (swatch, colour, text), (x, row) in zip(entries, slots, strict=True):
        if swatch == BAR_SWATCH:
            handle: Any = Patch(facecolor=colour, linewidth=0)
        elif swatch == MARKER_SWATCH:
            handle = Line2D([], [], color=colour, marker="o", linestyle="none", markersize=6)
        else:
            style = "--" if swatch == PARTIAL_LINE else "-"
            handle = Line2D([], [], color=colour, linewidth=2, linestyle=style)
        fig.legend(
            [handle],
            [text],
            loc="upper left",
            bbox_to_anchor=(
                origin[0] + x * plot_width / (WIDTH_IN * DPI),
                origin[1] - row * ROW_PX / spec.height,
            ),
            fontsize=9,
            borderpad=0,
            borderaxespad=0,
            handlelength=1.4,
            handletextpad=0.5,
        )
