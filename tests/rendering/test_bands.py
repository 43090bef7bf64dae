"""Band charts (`pulsebi.charts.bands`): lines over shaded bands with marked points, drawn live
(bqplot) and static (matplotlib SVG) from the same points; a figure redrawn in place."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from pulsebi.charts import Band, BandSpec, ChartSpec, render, update_chart
from pulsebi.charts.bands import MARKER_COLOR, band_data, runs, tint
from pulsebi.charts.static import StaticChart
from pulsebi.errors import UsageError

DAYS = pd.date_range("2026-01-05", periods=30, freq="D")


def frame(spike_at: int | None = 20) -> pd.DataFrame:
    expected = 50 + 10 * np.sin(np.arange(30) / 7 * 2 * np.pi)
    value = expected + np.linspace(-3, 3, 30)
    if spike_at is not None:
        value[spike_at] = 120.0
    data = pd.DataFrame({"date": DAYS, "value": value, "expected": expected})
    data["lower"], data["upper"] = expected - 12, expected + 12
    data.loc[:4, ["expected", "lower", "upper"]] = np.nan  # too early to judge
    data["anomaly"] = data["value"] > data["upper"]
    return data


def spec(data: pd.DataFrame | None = None, kind: str = "line", **changes) -> BandSpec:
    options = dict(
        x="date",
        y=["value", "expected"],
        units="count",
        title="Leads per day",
        bands=(Band("lower", "upper", "Expected band"),),
        markers="anomaly",
        dashed=("expected",),
    )
    return BandSpec(kind, frame() if data is None else data, **{**options, **changes})


def test_both_renderers_draw_the_band_where_it_is_known_and_mark_the_flagged_point():
    chart = spec()
    data = band_data(chart)
    assert data.marked == [20]
    [(band, lower, upper)] = data.bands
    assert runs(lower, upper) == [list(range(5, 30))]
    static = render(chart, static=True)
    assert isinstance(static, StaticChart) and static.svg.startswith("<svg")
    assert MARKER_COLOR in static.svg and "Expected band" in static.svg
    live = render(chart, static=False)
    assert {"pbi-chart", "pbi-band-chart", "pbi-band-marked"} <= set(live._dom_classes)
    filled = [m for m in live.marks if getattr(m, "fill", None) == "between"]
    assert len(filled) == 1 and filled[0].fill_opacities == [band.opacity, 0.0]
    assert len(filled[0].x) == 25  # the stretch with both bounds
    dots = [m for m in live.marks if type(m).__name__ == "Scatter" and m.colors == [MARKER_COLOR]]
    assert len(dots) == 1 and list(dots[0].y) == [120.0]


def test_redrawing_keeps_the_figure_and_drops_the_marked_class_when_nothing_is_flagged():
    live = render(spec(), static=False)
    again = update_chart(live, spec(frame(spike_at=None)))
    assert again is live
    assert "pbi-band-marked" not in live._dom_classes and "pbi-band-chart" in live._dom_classes
    static = update_chart(render(spec(), static=True), spec(frame(spike_at=None)))
    assert MARKER_COLOR not in static.svg


def test_bands_stack_in_order_and_their_legend_swatches_are_tinted():
    data = frame()
    data["lo95"], data["hi95"] = data["lower"] - 5, data["upper"] + 5
    chart = spec(
        data,
        bands=(
            Band("lo95", "hi95", "95% interval", color="#e69f00", opacity=0.14),
            Band("lower", "upper", "80% interval", color="#e69f00", opacity=0.28),
        ),
        markers=None,
    )
    live = render(chart, static=False)
    filled = [m for m in live.marks if getattr(m, "fill", None) == "between"]
    assert [m.fill_opacities[0] for m in filled] == [0.14, 0.28]
    svg = render(chart, static=True).svg
    assert svg.index("95% interval") < svg.index("80% interval")
    assert tint("#e69f00", 1.0) == "#e69f00" and tint("#000000", 0.0) == "#ffffff"


def test_a_count_band_clipped_at_zero_keeps_the_axis_at_zero():
    data = frame()
    data["lower"] = data["lower"].clip(lower=0) - 1e-13  # rounding below zero
    data.loc[10:12, "lower"] = -1e-13
    values = band_data(spec(data)).values()
    assert min(values) == 0.0


def test_no_point_is_a_note_and_a_band_spec_checks_its_columns():
    empty = spec(frame().iloc[0:0])
    assert "No data for this selection" in render(empty, static=True).svg
    render(empty, static=False)
    with pytest.raises(UsageError, match="band column"):
        spec(bands=(Band("low", "high", "Expected"),))
    with pytest.raises(UsageError, match="a band chart is a line chart"):
        spec(kind="bar")
    # the x order is the data's order once sorted: bands line up with the lines
    shuffled = frame().sample(frac=1.0, random_state=3)
    data = band_data(spec(shuffled))
    assert data.lines.x == sorted(data.lines.x) and data.marked == [20]


def test_a_plain_chart_still_renders_as_before():
    plain = ChartSpec(
        "line", pd.DataFrame({"period": [dt.date(2026, 1, 1)], "n": [3]}), x="period", y="n"
    )
    assert isinstance(render(plain, static=True), StaticChart)
    assert len(render(plain, static=False).marks) > 0
