"""One spec, two renderers: the bqplot marks and the matplotlib artists hold the same points."""

from __future__ import annotations

import datetime as dt
import math

import matplotlib.dates as mdates
import pandas as pd
import pytest
from points import live_points, static_points

from pulsebi.charts import ChartSpec, chart_data, render, update_chart, use_mode, warm_up
from pulsebi.charts.static import StaticChart
from pulsebi.errors import UsageError

DAYS = [dt.date(2026, 3, d) for d in (7, 8, 9)]  # across the spring DST change
WEEKLY = pd.DataFrame(
    {
        "period": DAYS,
        "net_revenue": [1234.56, None, 3000.0],
        "bookings": [1500.0, 200.0, 3100.0],
    }
)
LONG = pd.DataFrame(
    {
        "period": ["2026-01", "2026-01", "2026-02", "2026-03", "2026-03"],
        "source": ["Web", "TV", "Web", "Web", "TV"],
        "leads": [10, 4, 12, 9, 7],
    }
)
RANKING = pd.DataFrame({"rep_name": ["Ann", "Bob", "Cy"], "rep_revenue": [9000.5, 7000.0, 10.0]})
FUNNEL = pd.DataFrame({"stage": ["Leads", "Appointments", "Ran", "Sold"], "n": [100, 60, 40, 12]})


def _same(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(
        (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y)
        for x, y in zip(a, b, strict=True)
    )


CASES = [
    ChartSpec("line", WEEKLY, x="period", y=["net_revenue", "bookings"], units="usd"),
    ChartSpec("area", WEEKLY, x="period", y="bookings", units="usd"),
    ChartSpec("bar", WEEKLY, x="period", y="net_revenue", units="usd"),
    ChartSpec("stacked_bar", LONG, x="period", y="leads", series="source"),
    ChartSpec("grouped_bar", LONG, x="period", y="leads", series="source"),
    ChartSpec("hbar", RANKING, x="rep_name", y="rep_revenue", units="usd"),
    ChartSpec("funnel", FUNNEL, x="stage", y="n"),
]


@pytest.mark.parametrize("spec", CASES, ids=[c.kind for c in CASES])
def test_both_renderers_draw_the_same_points(spec: ChartSpec) -> None:
    expected = chart_data(spec).plotted(spec.kind)
    static = render(spec, static=True)
    live = render(spec, static=False)
    assert all(_same(a, b) for a, b in zip(static_points(static), expected, strict=True))
    assert all(_same(a, b) for a, b in zip(live_points(live), expected, strict=True))
    assert len(static_points(static)) == len(live_points(live)) == len(expected)


def test_both_renderers_use_the_same_x() -> None:
    spec = CASES[0]
    static, live = render(spec, static=True), render(spec, static=False)
    line = static.figure.axes[0].get_lines()[1]  # bookings: no gap
    static_x = [mdates.num2date(v).date() for v in line.get_xdata(orig=False)]
    live_x = [d.astype("datetime64[D]").item() for d in live.marks[1].x]
    assert static_x == live_x == DAYS
    bars = render(CASES[3], static=False)
    labels = [t.get_text() for t in render(CASES[3], static=True).figure.axes[0].get_xticklabels()]
    assert list(bars.marks[0].x) == labels == ["2026-01", "2026-02", "2026-03"]


def test_long_data_pivots_into_series_with_gaps_kept() -> None:
    data = chart_data(CASES[3])
    assert [s.name for s in data.series] == ["Web", "TV"]
    assert data.series[1].values == [4.0, None, 7.0]
    assert data.plotted("stacked_bar")[1] == [4.0, 0.0, 7.0]  # a bar draws nothing as 0
    assert math.isnan(chart_data(CASES[0]).plotted("line")[0][1])  # a line leaves a gap


def test_static_chart_is_an_inline_svg_without_script() -> None:
    chart = render(CASES[0], static=True)
    bundle = chart._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml", "text/plain"]
    svg = bundle["image/svg+xml"]
    assert svg.startswith("<svg") and "<script" not in svg.lower()
    assert 'width="100%"' in svg and "viewBox" in svg
    assert "$3,000" in svg  # tick labels stay text, formatted as money


def test_mode_decides_the_renderer_once() -> None:
    with use_mode(True):
        assert isinstance(render(CASES[2]), StaticChart)
    assert type(render(CASES[2])).__name__ == "Figure"
    with use_mode("false"):
        assert not isinstance(render(CASES[2]), StaticChart)


def test_live_chart_has_tooltips_and_follows_the_page_width() -> None:
    fig = render(CASES[5], static=False)
    assert fig.layout.width == "100%"
    tooltip = fig.marks[0].tooltip
    assert tooltip.fields == ["x", "y"] and tooltip.formats[1] == "$,.2f"


def test_update_chart_redraws_a_live_figure_in_place() -> None:
    fig = render(CASES[2], static=False)
    fewer = ChartSpec("bar", WEEKLY.head(1), x="period", y="net_revenue", units="usd", title="T")
    assert update_chart(fig, fewer) is fig
    assert live_points(fig) == [[1234.56]] and fig.title == "T"


def test_empty_data_renders_a_no_data_chart() -> None:
    empty = ChartSpec("line", WEEKLY.head(0), x="period", y="bookings", title="Revenue")
    assert "No data for this selection" in render(empty, static=True).svg
    fig = render(empty, static=False)
    assert fig.axes == [] and fig.title == "Revenue"
    assert [list(m.text) for m in fig.marks] == [["No data for this selection"]]


def test_bad_specs_name_the_problem() -> None:
    with pytest.raises(UsageError, match="'revenue' not in the data"):
        ChartSpec("line", WEEKLY, x="period", y="revenue")
    with pytest.raises(UsageError, match="chart kind 'pie'"):
        ChartSpec("pie", WEEKLY, x="period", y="bookings")
    with pytest.raises(UsageError, match="unit 'dollars'"):
        ChartSpec("line", WEEKLY, x="period", y="bookings", units="dollars")
    doubled = pd.concat([LONG, LONG.head(1)])
    with pytest.raises(UsageError, match="two rows for period='2026-01', source='Web'"):
        chart_data(ChartSpec("stacked_bar", doubled, x="period", y="leads", series="source"))
    with pytest.raises(UsageError, match="static='maybe'"):
        use_mode("maybe")


def test_warm_up_loads_either_renderer() -> None:
    import sys

    warm_up(static=True)
    warm_up(static=False)
    assert "matplotlib.figure" in sys.modules and "bqplot" in sys.modules


def test_few_dates_get_a_tick_each() -> None:
    live = render(CASES[0], static=False)
    assert len(live.axes[0].tick_values) == 3 and live.axes[0].tick_format == "%b %-d"
    ticks = render(CASES[0], static=True).figure.axes[0].get_xticklabels()
    assert [t.get_text() for t in ticks] == ["Mar 7", "Mar 8", "Mar 9"]


def test_value_axes_end_on_round_ticks() -> None:
    from pulsebi.charts.live import nice_ticks

    assert nice_ticks(0, 9000.5) == [0, 2000, 4000, 6000, 8000, 10000]
    assert nice_ticks(1234.5, 2500.25) == [1000, 1500, 2000, 2500, 3000]
    assert nice_ticks(0, 0.31) == [0, 0.1, 0.2, 0.3, 0.4]
    flat = nice_ticks(5, 5)  # one value still gets an axis around it
    assert flat[0] < 5 < flat[-1]
    stacked = render(CASES[3], static=False)  # 2026-03: 9 + 7 leads
    assert stacked.axes[1].tick_values[-1] >= 16 and stacked.marks[0].scales["y"].min == 0


def test_static_labels_and_legend_fit_inside_the_figure() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    names = pd.DataFrame(
        {"rep_name": [f"Representative number {i}" for i in range(12)], "rep_revenue": range(12)}
    )
    wide = LONG.assign(source=LONG["source"] + " campaign with a long name")
    for spec in (
        ChartSpec("hbar", names, x="rep_name", y="rep_revenue", units="usd", title="Reps"),
        ChartSpec("stacked_bar", wide, x="period", y="leads", series="source", title="Leads"),
        ChartSpec("line", WEEKLY, x="period", y="net_revenue", units="usd"),
    ):
        fig = render(spec, static=True).figure
        renderer = FigureCanvasAgg(fig).get_renderer()
        box = fig.bbox
        ax = fig.axes[0]
        texts = []
        for axis, (low, high) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            low, high = sorted((low, high))
            locs, labels = axis.get_majorticklocs(), axis.get_majorticklabels()
            texts += [t for v, t in zip(locs, labels, strict=True) if low <= v <= high]
        if ax.get_legend():
            texts += ax.get_legend().get_texts()
        for text in texts:
            extent = text.get_window_extent(renderer)
            assert box.x0 <= extent.x0 and extent.x1 <= box.x1, (spec.kind, text.get_text())
            assert box.y0 <= extent.y0 and extent.y1 <= box.y1, (spec.kind, text.get_text())


def test_static_charts_work_without_a_writable_home(tmp_path) -> None:
    import os
    import subprocess
    import sys

    code = (
        "import os, pandas as pd\n"
        "from pulsebi.charts import ChartSpec, render\n"
        "frame = pd.DataFrame({'x': [0, 1], 'y': [1.0, 2.0]})\n"
        "render(ChartSpec('line', frame, x='x', y='y'), static=True)\n"
        "print(os.environ['MPLCONFIGDIR'])\n"
    )
    env = {
        **os.environ,
        "HOME": "/dev/null",
        "XDG_CACHE_HOME": "",
        "PULSEBI_DATA_DIR": str(tmp_path),
    }
    env.pop("MPLCONFIGDIR", None)
    out = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(tmp_path / "matplotlib")
    assert any(p.name.startswith("fontlist") for p in (tmp_path / "matplotlib").iterdir())


def test_iso_date_strings_make_a_time_axis_for_lines_and_date_labels_for_bars() -> None:
    frame = pd.DataFrame({"period": ["2026-01-12", "2026-01-05"], "leads": [3, 1]})
    line = chart_data(ChartSpec("line", frame, x="period", y="leads"))
    assert line.x_kind == "time" and line.x == [dt.date(2026, 1, 5), dt.date(2026, 1, 12)]
    assert line.series[0].values == [1.0, 3.0]
    bars = chart_data(ChartSpec("bar", frame, x="period", y="leads"))
    assert bars.x == ["Jan 12", "Jan 5"] and bars.dated  # in the order given
