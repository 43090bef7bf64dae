"""Running a spec on the seeded demo data: its figures are `metrics.compute`'s for the same
request, totals (a table's row, a pivot's subtotals and grand total) are the metric over all
their rows (a rate's too), and every visual becomes page blocks that render static."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import text

from pulsebi import metrics
from pulsebi.builder import load_spec, report_blocks, report_frames, run_spec
from pulsebi.charts import use_mode
from pulsebi.dashboards.page import Chart, Html, Table, Tiles, _LiveBlock, _static_bundle
from pulsebi.db import get_engine
from pulsebi.settings import Settings

YEAR = {"preset": "custom", "from": "2025-01-01", "to": "2026-01-01"}
Q1 = {"preset": "custom", "from": "2026-01-01", "to": "2026-04-01"}


def _compute(settings: Settings, metric: str, dates: dict, **kwargs) -> pd.DataFrame:
    return metrics.compute(
        metric, start=dates["from"], end=dates["to"], settings=settings, **kwargs
    )


def _same(a: object, b: object) -> bool:
    missing = [v is None or (isinstance(v, float) and math.isnan(v)) for v in (a, b)]
    return all(missing) or (not any(missing) and a == b)


def test_figures_are_the_metric_layers(demo: Settings, today: dt.date) -> None:
    spec = {
        "visual": "line",
        "values": ["net_revenue", "leads", "closing_rate"],
        "x": "month",
        "series": "branch",
        "dates": YEAR,
    }
    result = run_spec(spec, today=today, settings=demo)
    assert (result.start, result.end) == (dt.date(2025, 1, 1), dt.date(2026, 1, 1))
    frame = result.frame
    assert list(frame.columns) == [
        "branch", "branch_name", "period", "net_revenue", "leads", "closing_rate"
    ]  # fmt: skip
    for metric in spec["values"]:
        expected = _compute(demo, metric, YEAR, by=["branch"], grain="month")
        assert len(expected) == len(frame) == 5 * 12
        assert list(zip(expected["branch"], expected["period"], strict=True)) == list(
            zip(frame["branch"], frame["period"], strict=True)
        )
        assert all(_same(a, b) for a, b in zip(expected[metric], frame[metric], strict=True))
    assert isinstance(frame["net_revenue"].iloc[0], Decimal)
    assert result.labels["net_revenue"] == "Net revenue" and result.labels["period"] == "Month"


def test_a_branch_filter_is_the_metric_layers(demo: Settings, today: dt.date) -> None:
    spec = {
        "visual": "bar",
        "values": ["bookings"],
        "x": "source",
        "filters": [{"field": "branch", "values": ["DAL"]}],
        "dates": YEAR,
    }
    frame = run_spec(spec, today=today, settings=demo).frame
    expected = _compute(demo, "bookings", YEAR, by=["source"], branch="DAL")
    assert list(frame["bookings"]) == list(expected["bookings"])
    everyone = _compute(demo, "bookings", YEAR, by=["source"])
    assert frame["bookings"].sum() < everyone["bookings"].sum()


def test_dimension_filters_are_the_metric_layers(demo: Settings, today: dt.date) -> None:
    where = {"channel": ["tv", "digital"], "branch": ["DAL", "HOU"]}
    spec = {
        "visual": "table",
        "values": ["leads", "lead_to_sale_rate"],
        "x": "source",
        "filters": [{"field": f, "values": v} for f, v in where.items()],
        "dates": YEAR,
    }
    result = run_spec(spec, today=today, settings=demo)
    for metric in spec["values"]:
        expected = _compute(demo, metric, YEAR, by=["source"], where=where)
        assert all(_same(a, b) for a, b in zip(expected[metric], result.frame[metric], strict=True))
        total = _compute(demo, metric, YEAR, where=where)[metric].iloc[0]
        assert _same(result.totals[metric], total)
    groups = _compute(demo, "leads", YEAR, by=["branch", "channel"])
    kept = groups[groups["branch"].isin(where["branch"]) & groups["channel"].isin(where["channel"])]
    assert result.totals["leads"] == kept["leads"].sum() > 0


def test_table_totals_are_the_metric_over_all_rows(demo: Settings, today: dt.date) -> None:
    spec = {"visual": "table", "values": ["net_revenue", "closing_rate"], "x": "branch"}
    result = run_spec({**spec, "dates": YEAR}, today=today, settings=demo)
    table = result.table_frame()
    assert list(table["branch"]) == [
        "Austin",
        "Dallas",
        "Houston",
        "Oklahoma City",
        "San Antonio",
        "Total",
    ]
    total = table.iloc[-1]
    whole = lambda m: _compute(demo, m, YEAR)[m].iloc[0]  # noqa: E731
    assert total["net_revenue"] == whole("net_revenue") == table["net_revenue"][:-1].sum()
    assert total["closing_rate"] == whole("closing_rate")
    # a rate's total is the rate over all appointments, not the mean of the branches' rates
    assert not math.isclose(total["closing_rate"], table["closing_rate"][:-1].mean())


def test_pivot_of_a_sum_totals_exactly(demo: Settings, today: dt.date) -> None:
    spec = {"visual": "pivot", "values": ["leads"], "x": "branch", "series": "channel"}
    pivot = run_spec({**spec, "dates": YEAR}, today=today, settings=demo).pivot_frame("leads")
    cells = _compute(demo, "leads", YEAR, by=["branch", "channel"])
    channels = list(_compute(demo, "leads", YEAR, by=["channel"])["channel"])
    assert list(pivot.columns) == ["Branch", *channels, "Total"]
    body = pivot.iloc[:-1].set_index("Branch")
    for record in cells.to_dict("records"):
        assert body.loc[record["branch_name"], record["channel"]] == record["leads"]
    by_branch = _compute(demo, "leads", YEAR, by=["branch"])
    assert list(body["Total"]) == list(by_branch["leads"])
    by_channel = _compute(demo, "leads", YEAR, by=["channel"])
    assert list(pivot.iloc[-1][channels]) == list(by_channel["leads"])
    grand = _compute(demo, "leads", YEAR)["leads"].iloc[0]
    assert pivot.iloc[-1]["Total"] == grand == body["Total"].sum() == by_channel["leads"].sum()


def test_pivot_of_a_rate_totals_are_rates(demo: Settings, today: dt.date) -> None:
    spec = {"visual": "pivot", "values": ["closing_rate"], "x": "month", "series": "branch"}
    pivot = run_spec({**spec, "dates": Q1}, today=today, settings=demo).pivot_frame("closing_rate")
    assert list(pivot["Month"]) == ["Jan 2026", "Feb 2026", "Mar 2026", "Total"]
    months = _compute(demo, "closing_rate", Q1, grain="month")["closing_rate"]
    assert list(pivot["Total"][:-1]) == list(months)
    branches = _compute(demo, "closing_rate", Q1, by=["branch"])
    assert all(
        _same(pivot.iloc[-1][name], rate)
        for name, rate in zip(branches["branch_name"], branches["closing_rate"], strict=True)
    )
    grand = _compute(demo, "closing_rate", Q1)["closing_rate"].iloc[0]
    assert pivot.iloc[-1]["Total"] == grand
    assert not math.isclose(grand, months.mean())  # not an average of the months


def test_kpi_compares_with_the_period_asked(demo: Settings, today: dt.date) -> None:
    spec = {
        "visual": "kpi",
        "values": ["net_revenue", "ticket_volume"],
        "options": {"comparison": "previous_period"},
        "dates": {"preset": "last_month"},
    }
    figures = run_spec(spec, today=today, settings=demo).figures
    october, september = ("2026-10-01", "2026-11-01"), ("2026-08-31", "2026-10-01")
    for figure in figures:
        now = metrics.compute(figure.measure, start=october[0], end=october[1], settings=demo)
        before = metrics.compute(
            figure.measure, start=september[0], end=september[1], settings=demo
        )
        assert figure.value == now[figure.measure].iloc[0]
        assert figure.previous == before[figure.measure].iloc[0]
        assert figure.against == "vs previous period" and figure.until is None
    last_year = run_spec(
        {**spec, "options": {"comparison": "last_year"}}, today=today, settings=demo
    ).figures[0]
    assert last_year.compared_with == (dt.date(2025, 10, 1), dt.date(2025, 11, 1))


def test_kpi_to_date_stops_both_periods_at_the_same_time(demo: Settings, today: dt.date) -> None:
    now = dt.datetime.combine(today, dt.time(10, 30), demo.zone)
    spec = {
        "visual": "kpi",
        "values": ["leads"],
        "options": {"comparison": "last_year"},
        "dates": {"preset": "month_to_date"},
    }
    figure = run_spec(spec, today=today, now=now, settings=demo).figures[0]
    assert figure.until == dt.time(10, 30) and figure.against == "vs same period last year to 10:30"
    kw = {"until": dt.time(10, 30), "settings": demo}
    assert (
        figure.value
        == metrics.compute("leads", start="2026-11-01", end="2026-11-21", **kw)["leads"].iloc[0]
    )
    assert (
        figure.previous
        == metrics.compute("leads", start="2025-11-01", end="2025-11-21", **kw)["leads"].iloc[0]
    )


@pytest.mark.parametrize(
    ("spec", "kinds"),
    [
        ({"visual": "line", "values": ["net_revenue", "leads"], "x": "month"}, [Chart, Chart]),
        ({"visual": "bar", "values": ["leads"], "x": "branch", "series": "channel"}, [Chart]),
        ({"visual": "stacked_bar", "values": ["leads", "bookings"], "x": "month"}, [Chart] * 2),
        ({"visual": "line", "values": ["leads"], "x": "quarter", "series": "branch"}, [Chart]),
        ({"visual": "area", "values": ["bookings"], "x": "week"}, [Chart]),
        ({"visual": "pie", "values": ["bookings"], "x": "source"}, [Html]),
        ({"visual": "table", "values": ["rep_revenue", "rep_sales"], "x": "rep"}, [Table]),
        ({"visual": "pivot", "values": ["leads", "bookings"], "x": "branch", "series": "channel"},
         [Table, Table]),
        ({"visual": "gauge", "values": ["closing_rate"], "options": {"target": 0.4}}, [Html]),
        ({"visual": "kpi", "values": ["leads", "net_revenue"]}, [Tiles]),
    ],
)  # fmt: skip
def test_every_visual_renders_static_and_live(demo: Settings, today: dt.date, spec, kinds) -> None:
    spec = load_spec({**spec, "dates": YEAR})
    blocks = report_blocks(run_spec(spec, today=today, settings=demo))
    assert [type(b) for b in blocks] == kinds
    for block in blocks:
        with use_mode(True):
            bundle = _static_bundle(block)
        assert bundle.get("image/svg+xml") or bundle.get("text/html")
        with use_mode(False):
            live = _LiveBlock(block, None)
        assert live.widget is not None
        live.close()


def test_a_table_shows_every_row(demo: Settings, today: dt.date) -> None:
    spec = {"visual": "table", "values": ["leads"], "x": "day", "dates": YEAR}
    ((name, frame),) = report_frames(run_spec(spec, today=today, settings=demo))
    assert name == "Leads by day"
    assert len(frame) == 365 + 1 and frame["day"].iloc[-1] == "Total"
    (block,) = report_blocks(run_spec(spec, today=today, settings=demo))
    with use_mode(True):
        html = _static_bundle(block)["text/html"]
    assert html.count("<tr") == 1 + 365 + 1 and "more rows" not in html


INJECTION = "DAL'; drop table crm.sales; --"


def test_an_injection_in_a_filter_is_only_a_value(demo: Settings, today: dt.date) -> None:
    spec = load_spec(
        {
            "visual": "table",
            "values": ["net_revenue"],
            "x": "source",
            "filters": [{"field": "branch", "values": [INJECTION]}],
            "dates": YEAR,
        }
    )
    assert spec.filters[0].values == (INJECTION,)
    frame = run_spec(spec, today=today, settings=demo).frame
    assert len(frame) == 12 and (frame["net_revenue"] == 0).all()  # it matches no row
    with get_engine(demo).connect() as conn:
        assert conn.execute(text("select count(*) from crm.sales")).scalar_one() > 0
