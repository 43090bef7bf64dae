"""Every chart kind draws 0, 1, 2 and many points, with one series and with several, live
(bqplot) and static (matplotlib), and a live chart redraws from N points to 1 to 0 and back."""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd
import pytest
from points import drawn_as_lines, live_points, static_points

from pulsebi.charts import KINDS, ChartSpec, chart_data, render, update_chart
from pulsebi.charts.spec import BAR_KINDS

COUNTS = (0, 1, 2, 40)
NAMES = ["Canvass", "Telemarketing", "Web"]


def months(n: int, start: dt.date = dt.date(2025, 1, 1)) -> list[dt.date]:
    out, day = [], start
    for _ in range(n):
        out.append(day)
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return out


def spec_for(kind: str, n: int, several: bool, **options) -> ChartSpec:
    """`n` buckets of `kind`: months for time-like kinds, names for rankings and funnels;
    several series as long data (pivoted) for bars, as columns for lines."""
    x = [f"Stage {i}" for i in range(n)] if kind in ("hbar", "funnel") else months(n)
    if several and kind in ("stacked_bar", "grouped_bar", "bar"):
        rows = [
            (xv, name, float(i * 3 + j + 1))
            for i, xv in enumerate(x)
            for j, name in enumerate(NAMES)
        ]
        frame = pd.DataFrame(rows, columns=["period", "channel", "leads"])
        return ChartSpec(kind, frame, x="period", y="leads", series="channel", **options)
    frame = pd.DataFrame({"period": x, "a": [float(100 - i) for i in range(n)]})
    y: str | list[str] = "a"
    if several:
        frame["b"] = [float(i * 2) for i in range(n)]
        frame["c"] = [None if i % 3 == 1 else 5.0 for i in range(n)]  # gaps
        y = ["a", "b", "c"]
    return ChartSpec(kind, frame, x="period", y=y, title=f"{kind} {n}", **options)


def expected_points(spec: ChartSpec) -> list[list[float]]:
    return chart_data(spec).plotted(spec.kind)


def same(a: list[list[float]], b: list[list[float]]) -> bool:
    return len(a) == len(b) and all(
        len(r) == len(s)
        and all(
            (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y)
            for x, y in zip(r, s, strict=True)
        )
        for r, s in zip(a, b, strict=True)
    )


CASES = [
    (kind, n, several)
    for kind in KINDS
    for n in COUNTS
    for several in (False, True)
    if not (kind == "funnel" and several)  # a funnel has one series
]


@pytest.mark.parametrize(
    ("kind", "n", "several"), CASES, ids=[f"{k}-{n}-{'k' if s else '1'}" for k, n, s in CASES]
)
def test_every_kind_draws_any_number_of_points_live_and_static(kind, n, several) -> None:
    spec = spec_for(kind, n, several)
    expected = expected_points(spec)
    live = render(spec, static=False)
    assert same(live_points(live), [] if n == 0 else expected), (kind, n, several)
    static = render(spec, static=True)
    assert static.svg.startswith("<svg") and "</svg>" in static.svg
    assert same(static_points(static), [] if n == 0 else expected), (kind, n, several)
    if n == 0:
        assert "No data for this selection" in static.svg
        assert any("No data" in str(getattr(m, "text", "")) for m in live.marks)


def test_live_line_marks_never_end_on_a_missing_value() -> None:
    """bqplot places a curve's end label at its last point: a NaN there is a browser error."""
    import bqplot as bq

    for n in COUNTS[1:]:
        spec = spec_for("line", n, True, period=(dt.date(2025, 1, 15), dt.date(2030, 1, 1)))
        spec = ChartSpec(**{**spec.__dict__, "grain": "month"})
        for mark in render(spec, static=False).marks:
            if isinstance(mark, bq.Lines):
                y = np.asarray(mark.y, dtype=float)
                assert y.ndim == 1 and len(y) >= 2 and np.isfinite(y[[0, -1]]).all()


@pytest.mark.parametrize("kind", KINDS)
def test_a_single_bucket_is_a_bar_of_a_bars_width(kind: str) -> None:
    import bqplot as bq

    spec = spec_for(kind, 1, False)
    live = render(spec, static=False)
    bars = [m for m in live.marks if isinstance(m, bq.Bars)]
    assert len(bars) == 1  # a one-point line is a bar, never a lone dot
    assert bars[0].padding >= 0.8  # the band is the plot; the bar a fifth of it at most
    ax = render(spec, static=True).figure.axes[0]
    patch = ax.patches[0]
    if kind in ("hbar", "funnel"):
        low, high = sorted(ax.get_ylim())
        assert patch.get_height() / (high - low) <= 0.2
    else:
        low, high = ax.get_xlim()
        assert patch.get_width() / (high - low) <= 0.15


def test_update_chart_goes_from_many_points_to_one_to_none_and_back() -> None:
    for kind in KINDS:
        several = kind != "funnel"
        fig = render(spec_for(kind, 40, several), static=False)
        for n in (40, 1, 0, 2, 40):
            spec = spec_for(kind, n, several)
            assert update_chart(fig, spec) is fig
            assert same(live_points(fig), [] if n == 0 else expected_points(spec)), (kind, n)
            assert fig.pulsebi_data.x == chart_data(spec).x


def test_twelve_series_get_twelve_colours_live_and_static() -> None:
    import bqplot as bq

    from pulsebi.charts.style import PALETTE

    assert len(set(PALETTE)) == len(PALETTE) >= 12
    channels = [f"Channel {i}" for i in range(12)]
    rows = [(p, c, 1.0 + j) for p in months(3) for j, c in enumerate(channels)]
    frame = pd.DataFrame(rows, columns=["period", "channel", "leads"])
    spec = ChartSpec("stacked_bar", frame, x="period", y="leads", series="channel")
    live = render(spec, static=False)
    (bars,) = [m for m in live.marks if isinstance(m, bq.Bars)]
    assert len(set(bars.colors)) == 12
    static = render(spec, static=True)
    colours = {tuple(c.patches[0].get_facecolor()) for c in static.figure.axes[0].containers}
    assert len(colours) == 12


def test_an_all_zero_rate_gets_zero_to_a_round_top() -> None:
    frame = pd.DataFrame({"period": months(6), "rate": [0.0] * 6})
    for kind in ("line", "bar"):
        spec = ChartSpec(kind, frame, x="period", y="rate", units="rate")
        live = render(spec, static=False)
        scale = live.axes[1].scale
        assert (scale.min, scale.max) == (0.0, 1.0)
        ax = render(spec, static=True).figure.axes[0]
        assert ax.get_ylim() == (0.0, 1.0)
    shares = ChartSpec("line", frame.assign(rate=[0.99] * 6), x="period", y="rate", units="rate")
    assert render(shares, static=False).axes[1].scale.max == 1.0  # a share tops at 100%


def test_date_buckets_read_as_months_and_days_and_thin_out_unrotated() -> None:
    monthly = ChartSpec("bar", pd.DataFrame({"p": months(3), "n": [1, 2, 3]}), x="p", y="n")
    ax = render(monthly, static=True).figure.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Jan 2025", "Feb 2025", "Mar 2025"]
    live = render(monthly, static=False)
    assert list(live.marks[0].x) == ["Jan 2025", "Feb 2025", "Mar 2025"]

    days = [dt.date(2026, 11, 1) + dt.timedelta(days=i) for i in range(60)]
    daily = pd.DataFrame({"period": days, "n": range(60)})
    for kind in ("bar", "line"):
        spec = ChartSpec(kind, daily, x="period", y="n", grain="day")
        ax = render(spec, static=True).figure.axes[0]
        labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        assert labels[0] == "Nov 1"
        assert all(re.fullmatch(r"(Nov|Dec) \d{1,2}", t) for t in labels), labels
        assert 4 <= len(labels) <= 14 and not any(t.get_rotation() for t in ax.get_xticklabels())
        axis = render(spec, static=False).axes[0]
        if kind == "bar":  # an ordinal axis: the thinned-out labels are blank
            shown = [v for v in axis.tick_labels.values() if v]
        else:
            shown = list(axis.tick_values)
        assert 4 <= len(shown) <= 14 and axis.tick_rotate == 0
    across = chart_data(
        ChartSpec(
            "bar",
            daily.head(2).assign(period=[dt.date(2025, 12, 31), dt.date(2026, 1, 1)]),
            x="period",
            y="n",
            grain="day",
        )
    )
    assert across.labels == ["Dec 31 2025", "Jan 1 2026"]  # the year when days span two


def test_long_names_slant_with_room_and_are_not_cut() -> None:
    names = pd.DataFrame(
        {"cat": [f"A rather long category name {i}" for i in range(12)], "n": range(12)}
    )
    spec = ChartSpec("bar", names, x="cat", y="n")
    axis = render(spec, static=False).axes[0]
    assert axis.tick_rotate == -30 and axis.tick_style["text-anchor"] == "end"
    assert all(len(v) <= 20 for v in axis.tick_labels.values())


def test_legends_sit_outside_the_plot_area() -> None:
    import bqplot as bq
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    spec = spec_for(
        "line", 12, True, period=(dt.date(2025, 1, 10), dt.date(2025, 12, 5)), grain="month"
    )
    fig = render(spec, static=False)
    labels = [m for m in fig.marks if isinstance(m, bq.Label)]
    assert labels and all(not m.apply_clip and (np.asarray(m.y) < 0).all() for m in labels)
    assert fig.fig_margin["bottom"] >= 44 + 2 * 18  # room for two legend rows under the axis
    texts = [t for m in labels for t in m.text]
    assert {"A", "B", "C"} <= set(texts)
    assert any(t.startswith("Partial month: Jan 2025 (Jan 10–31 only)") for t in texts)
    chart = render(spec, static=True)
    renderer = FigureCanvasAgg(chart.figure).get_renderer()
    plot = chart.figure.axes[0].get_window_extent(renderer)
    legends = chart.figure.legends
    assert len(legends) == 4  # three series and the note
    for legend in legends:
        box = legend.get_window_extent(renderer)
        assert box.y1 <= plot.y0 and box.y0 >= 0 and box.x1 <= chart.figure.bbox.x1


def test_partial_buckets_are_marked_live_and_static() -> None:
    import bqplot as bq

    period = (dt.date(2025, 1, 15), dt.date(2025, 4, 3))  # cuts January and April
    bars = ChartSpec(
        "bar",
        pd.DataFrame({"p": months(4), "n": [5, 9, 8, 1]}),
        x="p",
        y="n",
        period=period,
        grain="month",
    )
    data = chart_data(bars)
    assert data.partial == [True, False, False, True]
    assert data.note == "Partial month: Jan 2025 (Jan 15–31 only), Apr 2025 (Apr 1–2 only)"
    live = [m for m in render(bars, static=False).marks if isinstance(m, bq.Bars)]
    assert [list(m.x) for m in live] == [["Feb 2025", "Mar 2025"], ["Jan 2025", "Apr 2025"]]
    assert live[1].opacities[0] < 1 and live[1].tooltip.labels[1].endswith("(partial)")
    patches = render(bars, static=True).figure.axes[0].patches
    assert [
        p.get_alpha() is not None and p.get_hatch() is not None for p in patches
    ] == data.partial

    line = ChartSpec(**{**bars.__dict__, "kind": "line"})
    marks = render(line, static=False).marks
    dashed = [m for m in marks if isinstance(m, bq.Lines) and m.line_style == "dashed"]
    assert len(dashed) == 2 and [len(m.x) for m in dashed] == [2, 2]
    static = render(line, static=True).figure.axes[0].get_lines()
    assert any(ln.get_linestyle() == "--" for ln in static)
    whole = ChartSpec(**{**bars.__dict__, "period": (dt.date(2025, 1, 1), dt.date(2025, 5, 1))})
    assert not any(chart_data(whole).partial) and chart_data(whole).note == ""
    weekly = ChartSpec(
        "bar",
        pd.DataFrame({"p": [dt.date(2026, 11, 23), dt.date(2026, 11, 30)], "n": [1, 2]}),
        x="p",
        y="n",
        period=(dt.date(2026, 11, 23), dt.date(2026, 12, 3)),
        grain="week",
    )
    assert chart_data(weekly).partial == [False, True]  # the week to date


def test_period_and_grain_are_checked() -> None:
    from pulsebi.errors import UsageError

    frame = pd.DataFrame({"p": months(2), "n": [1, 2]})
    with pytest.raises(UsageError, match="grain 'fortnight' is unknown"):
        ChartSpec("bar", frame, x="p", y="n", grain="fortnight")
    with pytest.raises(UsageError, match="date_from first"):
        ChartSpec("bar", frame, x="p", y="n", period=(dt.date(2025, 2, 1), dt.date(2025, 1, 1)))


def test_bar_kinds_never_draw_lines() -> None:
    import bqplot as bq

    for kind in BAR_KINDS:
        fig = render(spec_for(kind, 40, kind != "funnel"), static=False)
        assert not any(isinstance(m, bq.Lines) for m in fig.marks)
        assert drawn_as_lines("line", fig.pulsebi_data)


# bqplot's test for a date format in a tooltip (bqplot/src/utils: is a format a date format);
# a tooltip whose format fails it is not drawn at all ("Could not create a view")
BQPLOT_DATE_FORMAT = re.compile(
    r"^(((((\*)|(/*)|(-*))(\s*)%([aAbBdeHIjmMLpSUwWyYZ]{1}))+)|((\s*)%([cxX]{1})))$"
)


@pytest.mark.parametrize("grain", ["day", "week", "month", "year", None])
def test_live_date_tooltips_use_formats_bqplot_draws(grain: str | None) -> None:
    import bqplot as bq

    starts = {
        "day": [dt.date(2025, 12, 31), dt.date(2026, 1, 1)],
        "week": [dt.date(2026, 11, 23), dt.date(2026, 11, 30)],
        "month": months(2),
        "year": [dt.date(2025, 1, 1), dt.date(2026, 1, 1)],
        None: [dt.datetime(2026, 11, 30, 8), dt.datetime(2026, 11, 30, 9)],
    }[grain]
    spec = ChartSpec("line", pd.DataFrame({"p": starts, "n": [1, 2]}), x="p", y="n", grain=grain)
    tooltips = [m.tooltip for m in render(spec, static=False).marks if isinstance(m, bq.Scatter)]
    assert tooltips
    for tooltip in tooltips:
        assert BQPLOT_DATE_FORMAT.match(tooltip.formats[0]), tooltip.formats[0]
