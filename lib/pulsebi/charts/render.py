"""`render(spec)`: the chart as the current mode wants it (bqplot live, SVG static)."""

from __future__ import annotations

from typing import Any

from pulsebi.charts.bands import BandSpec
from pulsebi.charts.mode import resolve_static
from pulsebi.charts.spec import ChartSpec
from pulsebi.errors import UsageError


def render(spec: ChartSpec, static: bool | None = None) -> Any:
    """A displayable chart: a bqplot Figure in live mode, a `StaticChart` (inline SVG) in static.

    `static=None` follows `use_mode`; pass True/False only to override it for one chart.
    """
    if not isinstance(spec, ChartSpec):
        raise UsageError(f"render() takes a ChartSpec, not {type(spec).__name__}")
    if isinstance(spec, BandSpec):  # lines over shaded bands, points marked (bands.py)
        if resolve_static(static):
            from pulsebi.charts.bands_static import render_bands_static

            return render_bands_static(spec)
        from pulsebi.charts.bands_live import render_bands_live

        return render_bands_live(spec)
    if resolve_static(static):
        from pulsebi.charts.static import render_static

        return render_static(spec)
    from pulsebi.charts.live import render_live

    return render_live(spec)


def update_chart(chart: Any, spec: ChartSpec) -> Any:
    """Show `spec` in a chart made by `render`: a live Figure is redrawn in place (the page keeps
    its view); a static chart is simply rendered again. Returns the chart to display."""
    from pulsebi.charts.static import StaticChart

    if isinstance(chart, StaticChart):
        return render(spec, static=True)
    if isinstance(spec, BandSpec):
        from pulsebi.charts.bands_live import draw_bands_live

        draw_bands_live(chart, spec)
        return chart
    from pulsebi.charts.live import draw_live

    draw_live(chart, spec)
    return chart


def warm_up(static: bool | None = None) -> None:
    """Load the current mode's renderer ahead of the first chart (a preheated Voilà kernel, a
    report worker): matplotlib builds its font cache on its very first run and draws its first
    figure slowly; bqplot and anywidget take a while to import."""
    if resolve_static(static):
        import pandas as pd

        from pulsebi.charts.static import render_static

        frame = pd.DataFrame({"x": [0, 1], "y": [0.0, 1.0]})
        render_static(ChartSpec("line", frame, x="x", y="y", units="usd", title="warm-up"))
    else:
        import anywidget  # noqa: F401
        import bqplot  # noqa: F401
        import ipywidgets  # noqa: F401
