"""What the renderers really draw, read back from their marks and artists: one list per series,
aligned with the chart data's x (NaN where nothing is drawn)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from pulsebi.charts.static import StaticChart

LINE_KINDS = ("line", "area")


def drawn_as_lines(kind: str, data: Any) -> bool:
    return kind in LINE_KINDS and len(data.x) > 1


def live_points(fig: Any) -> list[list[float]]:
    """Per series, the values of a live Figure: Scatter markers of lines, Bars of bars."""
    import bqplot as bq

    data, spec = fig.pulsebi_data, fig.pulsebi_spec
    if data.empty:
        return []
    names = [s.name for s in data.series]
    out = [[math.nan] * len(data.x) for _ in names]
    if drawn_as_lines(spec.kind, data):
        keys = [_key(v) for v in data.x]
        for mark in fig.marks:
            if isinstance(mark, bq.Scatter):
                name = mark.tooltip.labels[1].removesuffix(" (partial)")
                row = out[names.index(name)]
                for x, y in zip(mark.x, mark.y, strict=True):
                    row[keys.index(_key(x))] = float(y)
        return out
    cats = list(data.labels)
    for mark in fig.marks:
        if isinstance(mark, bq.Bars):
            ys = np.atleast_2d(np.asarray(mark.y, dtype=float))
            for i, row in enumerate(ys):
                for x, y in zip(mark.x, row, strict=True):
                    out[i][cats.index(str(x))] = float(y)
    return out


def static_points(chart: StaticChart) -> list[list[float]]:
    """Per series, the values the matplotlib artists draw."""
    data, kind = chart.data, chart.spec.kind
    if data.empty:
        return []
    ax = chart.figure.axes[0]
    if drawn_as_lines(kind, data):
        names = [s.name for s in data.series]
        out = [[math.nan] * len(data.x) for _ in names]
        keys = [_key(v) for v in data.x]
        for line in ax.get_lines():
            label = line.get_label().removeprefix("_partial:")
            if label not in names:
                continue
            row = out[names.index(label)]
            for x, y in zip(line.get_xdata(orig=True), line.get_ydata(), strict=True):
                if not math.isnan(y):
                    row[keys.index(_key(x))] = float(y)
        return out
    horizontal = kind in ("hbar", "funnel")
    if kind == "funnel":
        return [[p.get_width() for p in ax.patches]]
    return [
        [p.get_width() if horizontal else p.get_height() for p in container.patches]
        for container in ax.containers
    ]


def _key(value: Any) -> Any:
    """A comparable x: numpy datetimes and dates both as days since the epoch."""
    import datetime as dt

    if isinstance(value, np.datetime64):
        return int(value.astype("datetime64[D]").astype(int))
    if isinstance(value, dt.datetime):
        return (value.date() - dt.date(1970, 1, 1)).days
    if isinstance(value, dt.date):
        return (value - dt.date(1970, 1, 1)).days
    if isinstance(value, np.generic):
        return value.item()
    return value
