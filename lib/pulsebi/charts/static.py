"""Static charts: matplotlib drawn to an inline SVG (vector in PDF, no JavaScript).

pyplot is never used: a bare `Figure` needs no backend, holds no global state and is safe in a
kernel whose inline backend would otherwise display figures twice.
"""

from __future__ import annotations

import io
import math
import os
import re
import sys
from typing import Any

from pulsebi.charts.formats import AXIS_LABEL, format_axis, format_value
from pulsebi.charts.legend import (
    LINE_SWATCH,
    PARTIAL_LINE,
    ROW_PX,
    is_note,
    legend_entries,
    legend_layout,
)
from pulsebi.charts.spec import BAR_KINDS, ChartData, ChartSpec, chart_data, partial_pieces
from pulsebi.charts.style import INK, MUTED, PALETTE, mpl_rc, series_color
from pulsebi.charts.ticks import fits_flat, label_step, shorten, value_ticks

WIDTH_IN = 9.6
DPI = 100
MAX_LABELLED_BARS = 15
CHAR_PX = 8.0  # width of a 10 pt DejaVu Sans character at DPI 100, generously
MIN_SLOTS = 6  # bar slots a vertical bar chart has at least
MIN_ROWS = 5  # rows a horizontal one has at least
PARTIAL_ALPHA = 0.45
HATCH = "///"


class StaticChart:
    """A rendered static chart: displays as `image/svg+xml`; `figure` is the matplotlib Figure."""

    def __init__(self, spec: ChartSpec, data: ChartData, figure: Any, svg: str):
        self.spec = spec
        self.data = data
        self.figure = figure
        self.svg = svg

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"image/svg+xml": self.svg, "text/plain": f"<chart: {self.spec.title}>"}

    def to_html(self) -> str:
        return f'<div class="pbi-chart">{self.svg}</div>'


def render_static(spec: ChartSpec) -> StaticChart:
    """Draw `spec` with matplotlib and keep its SVG (one bucket as a bar, none as a note)."""
    ensure_cache_dir()
    import matplotlib
    from matplotlib.figure import Figure

    data = chart_data(spec)
    with matplotlib.rc_context(mpl_rc()):
        fig = Figure(figsize=(WIDTH_IN, spec.height / DPI), dpi=DPI)
        ax = fig.add_subplot()
        if spec.title:
            ax.set_title(spec.title)
        if data.empty:
            _draw_empty(ax)
        elif data.single and spec.kind not in BAR_KINDS:
            _draw_bars(ax, spec, data, "grouped_bar")
        else:
            _DRAW[spec.kind](ax, spec, data)
        _fit_margins(fig, ax, spec, data)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return StaticChart(spec, data, fig, _responsive(buf.getvalue()))


def ensure_cache_dir() -> None:
    """Give matplotlib a writable cache before its first import. Without one (a worker with a
    read-only or missing home) it warns and rebuilds its font cache (~1 s) in every process."""
    if "MPLCONFIGDIR" in os.environ or "matplotlib" in sys.modules:
        return
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    default = os.path.join(base, "matplotlib")
    try:
        os.makedirs(default, exist_ok=True)
        if os.access(default, os.W_OK):
            return
    except OSError:
        pass
    from pulsebi.settings import get_settings

    own = get_settings().data_dir / "matplotlib"
    own.mkdir(parents=True, exist_ok=True)
    os.environ["MPLCONFIGDIR"] = str(own)


def _fit_margins(fig: Any, ax: Any, spec: ChartSpec, data: ChartData) -> None:
    """Margins from the labels' lengths: matplotlib's constrained layout measures every text
    and doubles the time of a chart; an estimate from character counts is close enough. The
    legend goes under the x axis, outside the data."""
    width, height = WIDTH_IN * DPI, spec.height

    def longest(labels: Any) -> int:
        return max((len(t.get_text()) for t in labels), default=0)

    horizontal = spec.kind in ("hbar", "funnel")
    y_labels = ax.get_yticklabels()
    if not horizontal:  # numeric ticks get their text only when drawn: format them here
        y_labels = [_Label(format_axis(v, spec.units)) for v in ax.get_yticks()]
    left = 22 + CHAR_PX * longest(y_labels) + (18 if ax.get_ylabel() else 0)
    ticks = 30 + (16 if ax.get_xlabel() else 0)
    rotated = [t for t in ax.get_xticklabels() if t.get_rotation()]
    if rotated:
        ticks += CHAR_PX * longest(rotated) * 0.5
        # the first slanted label reaches left of its bar by ~0.87 of its length
        slot = (width - left) / max(1, len(data.x))
        left = max(left, 0.8 * CHAR_PX * len(rotated[0].get_text()) - slot / 2 + 10)
    entries = legend_entries(spec, data)
    slots, rows = legend_layout([text for _, _, text in entries])
    bottom = ticks + rows * ROW_PX + (6 if rows else 0)
    top = 34 if spec.title else 12
    right = 16 + (10 if spec.kind == "hbar" else 0)
    fig.subplots_adjust(
        left=min(left / width, 0.4),
        right=max(1 - right / width, 0.6),
        bottom=min(bottom / height, 0.6),
        top=max(1 - top / height, 0.5),
    )
    _draw_legend(fig, spec, data, entries, slots, (left / width, (bottom - ticks) / height))


def _draw_legend(
    fig: Any,
    spec: ChartSpec,
    data: ChartData,
    entries: list[tuple[str, str, str]],
    slots: list[tuple[float, int]],
    origin: tuple[float, float],
) -> None:
    """The legend entries where `legend_layout` puts them, under the x axis."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    plot_width = (fig.subplotpars.right - fig.subplotpars.left) * WIDTH_IN * DPI
    for (swatch, colour, text), (x, row) in zip(entries, slots, strict=True):
        if swatch == LINE_SWATCH:
            handle = Line2D([], [], color=colour, linewidth=2)
        elif swatch == PARTIAL_LINE:
            handle = Line2D([], [], color=colour, linewidth=2, linestyle="--")
        elif is_note(text):
            handle = Patch(facecolor=PALETTE[0], alpha=PARTIAL_ALPHA, hatch=HATCH, linewidth=0)
        else:
            handle = Patch(facecolor=colour, linewidth=0)
        left = origin[0] + x * plot_width / (WIDTH_IN * DPI)
        y = origin[1] - row * ROW_PX / spec.height
        fig.legend(
            [handle],
            [text],
            loc="upper left",
            bbox_to_anchor=(left, y),
            fontsize=9,
            borderpad=0,
            borderaxespad=0,
            handlelength=1.4,
            handletextpad=0.5,
        )


class _Label:
    def __init__(self, text: str):
        self._text = text

    def get_text(self) -> str:
        return self._text


def _responsive(svg: str) -> str:
    """Drop the XML prologue and let the SVG scale to its container (viewBox keeps the ratio)."""
    svg = svg[svg.index("<svg") :]
    head, rest = svg.split(">", 1)
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    return f'{head} width="100%" preserveAspectRatio="xMinYMin meet">{rest}'


def _value_formatter(unit: str) -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: format_axis(v, unit))


def _label_axis(ax: Any, spec: ChartSpec, horizontal: bool = False) -> None:
    label = AXIS_LABEL.get(spec.units, "")
    fmt = _value_formatter(spec.units)
    if horizontal:
        ax.xaxis.set_major_formatter(fmt)
        ax.set_xlabel(label)
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
    else:
        ax.yaxis.set_major_formatter(fmt)
        ax.set_ylabel(label)
        ax.set_xlabel(spec.x_label)


def _draw_lines(ax: Any, spec: ChartSpec, data: ChartData, fill: bool = False) -> None:
    x = _x_positions(ax, data)
    values = data.plotted(spec.kind)
    marker = "o" if len(x) <= 60 else None
    for i, (s, ys) in enumerate(zip(data.series, values, strict=True)):
        color = series_color(i)
        solid = [math.nan if cut else v for v, cut in zip(ys, data.partial, strict=True)]
        ax.plot(x, solid, label=s.name, color=color, linewidth=2, marker=marker, markersize=3)
        if fill:
            ax.fill_between(x, ys, alpha=0.18, color=color, linewidth=0)
    for i, ys in partial_pieces(values, data.partial):  # "_…": matplotlib's legend skips them
        label = f"_partial:{data.series[i].name}"
        ax.plot(x, ys, label=label, color=series_color(i), linewidth=2, linestyle="--")
        cut = [j for j, p in enumerate(data.partial) if p]
        ax.plot(
            [x[j] for j in cut],
            [ys[j] for j in cut],
            label=label,
            linestyle="none",
            marker="o",
            markersize=4,
            markerfacecolor="white",
            color=series_color(i),
        )
    if data.x_kind == "time":
        import matplotlib.dates as mdates

        shown = range(0, len(x), label_step(data.labels))
        ax.set_xticks([x[j] for j in shown])
        ax.xaxis.set_major_formatter(mdates.DateFormatter(data.date_format))
    _value_limits(ax, spec, data, from_zero=fill)
    _label_axis(ax, spec)


def _x_positions(ax: Any, data: ChartData) -> list[Any]:
    if data.x_kind != "category":
        return data.x
    _category_ticks(ax, data, list(range(len(data.x))))
    return list(range(len(data.x)))


def _category_ticks(ax: Any, data: ChartData, positions: list[float]) -> None:
    """Every label when they fit flat; else every n-th (date buckets) or slanted (names)."""
    if fits_flat(data.labels):
        ax.set_xticks(positions, data.labels)
    elif data.dated:
        shown = range(0, len(positions), label_step(data.labels))
        ax.set_xticks([positions[i] for i in shown], [data.labels[i] for i in shown])
    else:
        labels = [shorten(t, 20) for t in data.labels]
        ax.set_xticks(positions, labels, rotation=30, ha="right", rotation_mode="anchor")


def _value_limits(ax: Any, spec: ChartSpec, data: ChartData, from_zero: bool, axis: str = "y"):
    """The value axis on the same round ticks as the live chart (an all-zero rate: 0..100%)."""
    rows = data.plotted(spec.kind)
    if spec.kind == "stacked_bar":
        rows = [[sum(col) for col in zip(*rows, strict=True)]]
    ticks = value_ticks([v for row in rows for v in row], spec.units, from_zero)
    if axis == "y":
        ax.set_ylim(ticks[0], ticks[-1])
        ax.set_yticks(ticks)
    else:
        ax.set_xlim(ticks[0], ticks[-1] + (ticks[-1] - ticks[0]) * 0.12)  # room for labels
        ax.set_xticks(ticks)


def _draw_bars(ax: Any, spec: ChartSpec, data: ChartData, kind: str | None = None) -> None:
    kind = kind or spec.kind
    values = data.plotted(kind)
    n, k = len(data.x), len(values)
    positions = list(range(n))
    bottoms = [0.0] * n
    width = 0.8 / k if kind == "grouped_bar" else 0.7
    for i, (s, ys) in enumerate(zip(data.series, values, strict=True)):
        if kind == "grouped_bar":
            at = [p - 0.4 + width * (i + 0.5) for p in positions]
            bars = ax.bar(at, ys, width, label=s.name, color=series_color(i))
        else:
            bars = ax.bar(positions, ys, width, bottom=bottoms, label=s.name, color=series_color(i))
            bottoms = [b + y for b, y in zip(bottoms, ys, strict=True)]
        _mark_partial(bars, data)
        if k == 1 and n <= MAX_LABELLED_BARS:
            ax.bar_label(bars, fmt=lambda v: format_value(v, spec.units), fontsize=8, color=MUTED)
    _category_ticks(ax, data, positions)
    if n < MIN_SLOTS:  # a lone bar is as wide as one of a few, not as the plot
        middle = (n - 1) / 2
        ax.set_xlim(middle - MIN_SLOTS / 2, middle + MIN_SLOTS / 2)
    _value_limits(ax, spec, data, from_zero=True)
    _label_axis(ax, spec)


def _mark_partial(bars: Any, data: ChartData) -> None:
    """Partial buckets lighter and hatched: a cut month is not a collapse."""
    for patch, cut in zip(bars.patches, data.partial, strict=True):
        if cut:
            patch.set_alpha(PARTIAL_ALPHA)
            patch.set_hatch(HATCH)


def _draw_hbars(ax: Any, spec: ChartSpec, data: ChartData) -> None:
    values = data.plotted(spec.kind)
    n, k = len(data.x), len(values)
    height = 0.8 / k
    for i, (s, ys) in enumerate(zip(data.series, values, strict=True)):
        at = [p - 0.4 + height * (i + 0.5) for p in range(n)]
        bars = ax.barh(at, ys, height, label=s.name, color=series_color(i))
        if n <= 3 * MAX_LABELLED_BARS:
            ax.bar_label(
                bars, fmt=lambda v: format_value(v, spec.units), padding=3, fontsize=8, color=MUTED
            )
    ax.set_yticks(range(n), data.x)
    _rows_at_least(ax, n)
    _value_limits(ax, spec, data, from_zero=True, axis="x")
    _label_axis(ax, spec, horizontal=True)


def _rows_at_least(ax: Any, n: int) -> None:
    """First row (rank 1) on top; a single row is a bar's height, not the plot's."""
    middle = (n - 1) / 2
    half = max(n, MIN_ROWS) / 2
    ax.set_ylim(middle + half, middle - half)


def _draw_funnel(ax: Any, spec: ChartSpec, data: ChartData) -> None:
    values = data.plotted(spec.kind)[0]
    top = max(values) if values else 0.0
    left = [(top - v) / 2 for v in values]
    ax.barh(range(len(values)), values, 0.75, left=left, color=PALETTE[0])
    for i, v in enumerate(values):
        text = format_value(v, spec.units)
        if i and values[i - 1]:
            text += f"  ({format_value(v / values[i - 1], 'rate')})"
        inside = top and v >= 0.3 * top  # a narrow bar gets its label beside it
        ax.text(
            top / 2 if inside else left[i] + v + top * 0.02,
            i,
            text,
            fontsize=9,
            va="center",
            ha="center" if inside else "left",
            color="white" if inside else INK,
        )
    ax.set_yticks(range(len(values)), data.x)
    _rows_at_least(ax, len(values))
    ax.set_xticks([])
    ax.grid(False)
    ax.spines[["left", "bottom"]].set_visible(False)


def _draw_empty(ax: Any) -> None:
    ax.text(
        0.5,
        0.5,
        "No data for this selection",
        ha="center",
        va="center",
        color=MUTED,
        transform=ax.transAxes,
    )
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)


_DRAW = {
    "line": _draw_lines,
    "area": lambda ax, spec, data: _draw_lines(ax, spec, data, fill=True),
    "bar": _draw_bars,
    "stacked_bar": _draw_bars,
    "grouped_bar": _draw_bars,
    "hbar": _draw_hbars,
    "funnel": _draw_funnel,
}
