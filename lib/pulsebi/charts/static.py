"""Static charts: matplotlib drawn to an inline SVG (vector in PDF, no JavaScript).

pyplot is never used: a bare `Figure` needs no backend, holds no global state and is safe in a
kernel whose inline backend would otherwise display figures twice.
"""

from __future__ import annotations

import io
import os
import re
import sys
from typing import Any

from pulsebi.charts.formats import AXIS_LABEL, format_axis, format_value
from pulsebi.charts.spec import ChartData, ChartSpec, chart_data
from pulsebi.charts.style import INK, MUTED, PALETTE, mpl_rc, series_color

WIDTH_IN = 9.6
DPI = 100
MAX_LABELLED_BARS = 15
CHAR_PX = 8.0  # width of a 10 pt DejaVu Sans character at DPI 100, generously


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
    """Draw `spec` with matplotlib and keep its SVG."""
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
        else:
            _DRAW[spec.kind](ax, spec, data)
            if len(data.series) > 1:
                ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
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
    and doubles the time of a chart; an estimate from character counts is close enough."""
    width, height = WIDTH_IN * DPI, spec.height

    def longest(labels: Any) -> int:
        return max((len(t.get_text()) for t in labels), default=0)

    horizontal = spec.kind in ("hbar", "funnel")
    y_labels = ax.get_yticklabels()
    if not horizontal:  # numeric ticks get their text only when drawn: format them here
        y_labels = [_Label(format_axis(v, spec.units)) for v in ax.get_yticks()]
    left = 22 + CHAR_PX * longest(y_labels) + (18 if ax.get_ylabel() else 0)
    bottom = 30 + (16 if ax.get_xlabel() else 0)
    if data.x_kind == "time" and not data.few_points:
        bottom += 14  # the concise date axis writes the year under the ticks
    rotated = [t for t in ax.get_xticklabels() if t.get_rotation()]
    if rotated:
        bottom += CHAR_PX * longest(rotated) * 0.5
    top = 34 if spec.title else 12
    right = 16
    if len(data.series) > 1:
        right += 50 + 0.9 * CHAR_PX * max(len(s.name) for s in data.series)
    if horizontal and spec.kind == "hbar":
        right += 10
    fig.subplots_adjust(
        left=min(left / width, 0.4),
        right=max(1 - right / width, 0.6),
        bottom=min(bottom / height, 0.45),
        top=max(1 - top / height, 0.55),
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
    for i, (s, ys) in enumerate(zip(data.series, data.plotted(spec.kind), strict=True)):
        color = series_color(i)
        marker = "o" if len(x) <= 60 else None
        ax.plot(x, ys, label=s.name, color=color, linewidth=2, marker=marker, markersize=3)
        if fill:
            ax.fill_between(x, ys, alpha=0.18, color=color, linewidth=0)
    if data.x_kind == "time":
        import matplotlib.dates as mdates

        if data.few_points:
            ax.set_xticks(data.x)
            ax.xaxis.set_major_formatter(mdates.DateFormatter(data.date_format))
        else:
            locator = mdates.AutoDateLocator()
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if fill:
        ax.set_ylim(bottom=0)
    _label_axis(ax, spec)


def _x_positions(ax: Any, data: ChartData) -> list[Any]:
    if data.x_kind != "category":
        return data.x
    ax.set_xticks(range(len(data.x)), data.x)
    return list(range(len(data.x)))


def _draw_bars(ax: Any, spec: ChartSpec, data: ChartData) -> None:
    values = data.plotted(spec.kind)
    n, k = len(data.x), len(values)
    positions = list(range(n))
    bottoms = [0.0] * n
    width = 0.8 / k if spec.kind == "grouped_bar" else 0.7
    for i, (s, ys) in enumerate(zip(data.series, values, strict=True)):
        if spec.kind == "grouped_bar":
            at = [p - 0.4 + width * (i + 0.5) for p in positions]
            bars = ax.bar(at, ys, width, label=s.name, color=series_color(i))
        else:
            bars = ax.bar(positions, ys, width, bottom=bottoms, label=s.name, color=series_color(i))
            bottoms = [b + y for b, y in zip(bottoms, ys, strict=True)]
        if k == 1 and n <= MAX_LABELLED_BARS:
            ax.bar_label(bars, fmt=lambda v: format_value(v, spec.units), fontsize=8, color=MUTED)
    ax.set_xticks(positions, data.x, rotation=30 if n > 8 else 0, ha="right" if n > 8 else "center")
    _label_axis(ax, spec)


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
    ax.invert_yaxis()  # first row (rank 1) on top
    ax.margins(x=0.12)
    _label_axis(ax, spec, horizontal=True)


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
            top / 2 if inside else left[i] + v + top * 0.02, i, text, fontsize=9,
            va="center", ha="center" if inside else "left", color="white" if inside else INK,
        )  # fmt: skip
    ax.set_yticks(range(len(values)), data.x)
    ax.invert_yaxis()
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
