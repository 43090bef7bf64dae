"""The Trends page (notebooks/trends.ipynb) on the seeded demo data: it builds static (Papermill)
and live (widgets) for all branches and one, at each grain; what it cannot show is said in a
notice in place while the page keeps working; the query string, the Metric list and the grain
drive it as the filter bar does; its slow results are cached by data version; the notebook runs
as a report (HTML, PDF, XLSX)."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest

from pulsebi.charts import BandSpec
from pulsebi.dashboards import trends
from pulsebi.dashboards.page import Chart, Html, Table
from pulsebi.dashboards.trends_data import TrendRequest, default_range, load_series
from pulsebi.dashboards.trends_page import resolve_trend_filters

SEEDED_DAY = dt.date(2026, 11, 20)  # the seeded data's today (tests/conftest.py SEED_TODAY)
ROOT = Path(__file__).parents[3]
NOTICE = re.compile(r'<div class="pbi-notice"[^>]*>(.*?)</div>', re.S)
CRASH = 'class="pulsebi-error pbi-crash"'
ANOMALY_RED = "#c5221f"  # the markers' colour (charts.bands.MARKER_COLOR)


def render_static(monkeypatch: pytest.MonkeyPatch, **params) -> str:
    """The page as Papermill runs it (`prepare(static=True)`, then `present`), as one HTML."""
    import IPython.display

    shown: list[str] = []

    def display(*objects, raw: bool = False, **_options) -> None:
        for obj in objects:
            if raw:
                shown.append(obj.get("text/html") or obj.get("image/svg+xml") or "")
            else:
                shown.append(obj._repr_html_() if hasattr(obj, "_repr_html_") else str(obj))

    monkeypatch.setattr(IPython.display, "display", display)
    page = trends.prepare(static=True, today=SEEDED_DAY, **params)
    trends.present(page)
    return "".join(shown)


def notices(page_html: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", n)) for n in NOTICE.findall(page_html)]


def blocks_of(page, title: str) -> list:
    """A section's blocks for the page's filters, as the page builds them."""
    [section] = [s for s in page.sections if s.title == title]
    return list(section.build(page.filters))


# --- builds, static and live, for all branches and one, each grain ------------------------------

ROWS = [  # every (mode, branch), (mode, grain) and (branch, grain) pair once
    ("static", "all", "day"),
    ("static", "DAL", "week"),
    ("static", "all", "month"),
    ("live", "DAL", "day"),
    ("live", "all", "week"),
    ("live", "DAL", "month"),
]


@pytest.mark.parametrize(("mode", "branch", "grain"), ROWS, ids=["-".join(r) for r in ROWS])
def test_the_page_builds_every_section(seeded_in_use, monkeypatch, mode, branch, grain):
    params = {"metric": "net_revenue", "branch": branch, "grain": grain}
    if mode == "static":
        page_html = render_static(monkeypatch, **params)
    else:
        page = trends.prepare(static=False, today=SEEDED_DAY, **params)
        page_html = page.first_paint_html()
        assert page.picker.value == "net_revenue"
        assert page.bar.grain.value == grain and page.bar.branch.value == (
            "" if branch == "all" else branch
        )
    assert notices(page_html) == [] and CRASH not in page_html
    for title in trends.SECTION_TITLES:
        assert f">{title}</h2>" in page_html
    for key in ("trend-last", "trend-anomalies", "trend-strength", "forecast-quarter"):
        assert f'data-tile="{key}"' in page_html
    assert "Net revenue ·" in page_html  # the context line names the metric
    assert "Model: <b>" in page_html  # the forecast names its model
    start, end = default_range(grain, SEEDED_DAY)
    assert f"{start:%b %d, %Y} – {end - dt.timedelta(days=1):%b %d, %Y}" in page_html
    if mode == "static":
        assert page_html.count("<svg") >= 6
        # the seeded revenue is a sale every few days a branch: lumpy, not anomalous
        assert f"No {grain} is out of its expected band" in page_html
        assert ANOMALY_RED not in page_html.lower()


def test_the_series_chart_marks_the_anomalies_and_the_forecast_draws_its_bands(seeded_in_use):
    leads = trends.build(metric="leads", branch="DAL", grain="day", today=SEEDED_DAY)
    [series_chart] = [
        b.spec for b in blocks_of(leads, "Series and anomalies") if isinstance(b, Chart)
    ]
    assert isinstance(series_chart, BandSpec)
    flagged = series_chart.data[series_chart.data["anomaly"]]
    assert flagged["date"].tolist() == [dt.datetime(2026, 10, 20)]  # the seed's injected spike
    assert [b.label for b in series_chart.bands] == ["Expected band"]
    page = trends.build(metric="net_revenue", branch="DAL", grain="week", today=SEEDED_DAY)
    forecast = blocks_of(page, "Forecast")
    [fan] = [b.spec for b in forecast if isinstance(b, Chart)]
    [table] = [b for b in forecast if isinstance(b, Table) and b.name == "Forecast"]
    future = fan.data[fan.data["value"].isna()]
    assert len(future) == len(table.df) > 0
    assert (future["lower_95"] <= future["lower_80"]).all()
    assert (future["lower_80"] <= future["forecast"]).all()
    assert (future["forecast"] <= future["upper_80"]).all()
    assert (future["upper_80"] <= future["upper_95"]).all()
    assert future["date"].min() == dt.datetime(2026, 11, 16)  # the week after the last whole one
    assert future["date"].max() == dt.datetime(2026, 12, 28)  # the week holding Dec 31


# --- what the page cannot show, said in place -----------------------------------------------------


@pytest.mark.parametrize(
    ("params", "said"),
    [
        (
            {"metric": "no_such_metric"},
            "metric 'no_such_metric' is unknown: pick one in the Metric",
        ),
        ({"metric": "pipeline_value"}, "pipeline_value is a snapshot of now"),
        ({"metric": "marketing_roi", "grain": "week"}, "marketing_roi is not bucketed by week"),
        ({"metric": "api_latency_p50", "branch": "DAL"}, "api_latency_p50 has no branch dimension"),
    ],
    ids=["unknown", "snapshot", "grain-it-lacks", "branch-it-lacks"],
)
def test_a_metric_the_page_cannot_show_is_a_notice_in_place(
    seeded_in_use, monkeypatch, params, said
):
    for page_html in (
        render_static(monkeypatch, **params),
        trends.prepare(static=False, today=SEEDED_DAY, **params).first_paint_html(),
    ):
        assert [n for n in notices(page_html)] and said in notices(page_html)[0]
        assert len(notices(page_html)) == 1  # the other sections point to it, quietly
        assert page_html.count("see the first section") == len(trends.SECTION_TITLES) - 1
        assert CRASH not in page_html


def test_a_series_too_short_for_a_method_is_said_in_that_sections_place(seeded_in_use, monkeypatch):
    # six weeks at the data's very start (the seeded data begin two years before its today):
    # too few for a forecast; the anomalies section judges them with the (empty) year before
    page_html = render_static(
        monkeypatch, metric="leads", grain="week", date_from="2024-11-25", date_to="2025-01-06"
    )
    said = notices(page_html)
    assert any("a forecast needs at least 8" in n for n in said)
    assert 'data-tile="trend-strength"' in page_html  # seasonality says it has no season part
    assert ">Growth</h2>" in page_html and "Week over week" in page_html  # growth still works


def test_a_parameter_the_page_does_not_offer_is_a_notice_above_its_default_filters(
    seeded_in_use, monkeypatch
):
    page_html = render_static(monkeypatch, metric="leads", branch="XXX")
    [said] = notices(page_html)
    assert "branch 'XXX' is unknown" in said and "default filters" in said
    assert "Leads · All branches" in page_html and 'data-tile="trend-last"' in page_html


def test_the_metric_list_offers_what_has_a_history_and_goes_blank_for_the_rest(seeded_in_use):
    page = trends.prepare(static=False, metric="pipeline_value", today=SEEDED_DAY)
    offered = [value for _, value in page.picker.options]
    assert "net_revenue" in offered and "leads" in offered and "closing_rate" in offered
    assert not {"pipeline_value", "jobs_in_progress", "rep_ranking", "lead_funnel"} & set(offered)
    assert page.picker.value is None
    assert page.bar.children[0] is page.picker


# --- the query string, the Metric list, the grain ------------------------------------------------


def test_the_query_string_picks_metric_branch_and_grain_as_the_strip_links(seeded_in_use):
    page = trends.prepare(static=False, today=SEEDED_DAY)
    page.follow_request({"metric": "leads", "branch": "DAL", "grain": "day", "token": "x"})
    assert page.picker.value == "leads"
    assert (page.filters.branch, page.filters.grain) == ("DAL", "day")
    assert (page.filters.date_from, page.filters.date_to) == default_range("day", SEEDED_DAY)
    first_paint = page.first_paint_html()
    assert "Leads · Dallas" in first_paint and "Leads per day" in first_paint
    page.follow_request({"grain": "year"})
    assert "grain 'year' is not offered on this page" in html.unescape(page._notice.value)


def test_picking_a_metric_refreshes_the_page_with_it(seeded_in_use):
    page = trends.prepare(static=False, today=SEEDED_DAY)
    page.picker.value = "appointments_set"
    page.bar.flush()  # the bar's debounced refresh, now
    assert page.view.metric == "appointments_set"
    assert "Appointments set ·" in page._context.value
    assert "Appointments set per week" in page.first_paint_html()


def test_a_default_range_follows_the_grain(seeded_in_use):
    page = trends.prepare(static=False, metric="leads", today=SEEDED_DAY)
    page.bar.grain.value = "month"
    page.bar.flush()
    assert (page.filters.date_from, page.filters.date_to) == default_range("month", SEEDED_DAY)
    assert page.bar.date_from.value == default_range("month", SEEDED_DAY)[0]
    custom = resolve_trend_filters(
        branch="all", grain="week", date_from="2025-01-06", date_to="", known_branches={}
        , today=SEEDED_DAY
    )  # fmt: skip
    assert (custom.date_from, custom.date_to) == (dt.date(2025, 1, 6), dt.date(2026, 11, 16))


def test_a_maturing_cohorts_last_buckets_are_left_out_and_said(seeded_in_use):
    start, end = default_range("week", SEEDED_DAY)
    request = TrendRequest("lead_to_sale_rate", None, "week", start, end)
    loaded, series, note = load_series(request, SEEDED_DAY)
    assert loaded.end == dt.date(2026, 11, 2)  # 18 days: the weeks of Nov 2 and Nov 9 mature
    assert series.values.index[-1].date() == dt.date(2026, 10, 26)
    assert "The last 2 weeks are left out" in note
    page = trends.build(metric="lead_to_sale_rate", today=SEEDED_DAY)
    assert any(
        isinstance(b, Html) and "left out" in b.html
        for b in blocks_of(page, "Series and anomalies")
    )


# --- cached by data version; the notebook as a report --------------------------------------------


def test_the_forecast_is_computed_once_per_data_version(seeded_in_use, monkeypatch):
    import importlib

    # the module (pulsebi.trends re-exports the function under the same name)
    forecast_module = importlib.import_module("pulsebi.trends.forecast")

    page = trends.build(metric="calls_made", branch="DAL", grain="month", today=SEEDED_DAY)
    blocks_of(page, "Forecast")
    calls = []
    real = forecast_module.forecast
    monkeypatch.setattr(
        forecast_module, "forecast", lambda *a, **k: calls.append(a) or real(*a, **k)
    )
    again = blocks_of(page, "Forecast")
    assert calls == [] and any(isinstance(b, Chart) for b in again)


def test_the_notebook_runs_as_a_report(seeded_in_use, tmp_path):
    import json

    from pulsebi.reports.execute import execute_report
    from pulsebi.reports.sinks import write_outputs

    notebook = ROOT / "notebooks" / "trends.ipynb"
    cells = json.loads(notebook.read_text())["cells"]
    assert all(c.get("outputs") == [] and c.get("execution_count") is None for c in cells)
    parameters = "".join(cells[0]["source"])
    for name in ("metric", "branch", "grain", "date_from", "date_to", "static"):
        assert re.search(rf"^{name} = ", parameters, re.M), name
    run = execute_report(seeded_in_use, notebook, {"metric": "leads", "branch": "DAL"})
    write_outputs(run, ["html", "pdf", "xlsx"])
    assert set(run.outputs) == {"html", "pdf", "xlsx"}
    body = run.outputs["html"].read_text()
    assert "Leads · Dallas" in body and "Traceback" not in body and "pbi-notice" not in body
    import openpyxl

    sheets = openpyxl.load_workbook(run.outputs["xlsx"]).sheetnames
    assert {"Year over year", "Growth", "Forecast"} <= set(sheets)


def test_the_ranges_first_points_are_judged_with_the_year_before_it(seeded_in_use):
    """The detector judges a point from what came before it: the range's first weeks get the
    year before the range as their past, so they have a band like any other week."""
    from pulsebi.dashboards.trends_results import anomaly_view

    request = TrendRequest("leads", None, "week", dt.date(2026, 1, 5), dt.date(2026, 11, 2))
    request, series, _ = load_series(request, SEEDED_DAY)
    frame = anomaly_view(request, series)["frame"]
    assert frame["date"].iloc[0] == series.values.index[0]  # only the range is shown
    assert len(frame) == len(series)
    assert frame["expected"].iloc[:4].notna().all()
