"""The executive dashboard executes under Papermill (static) and its year-to-date revenue tile
is `pulsebi kpi net_revenue` over [Jan 1, tomorrow) of the local today (as the page computes);
its comparisons stop at the same local time last year, and young cohorts are not compared."""

import datetime as dt
from decimal import Decimal

import pytest
from dashboard_helpers import execute_notebook, kpi_value, shown, tile_value
from sqlalchemy import text

from pulsebi.dashboards.executive import lead_flow, period_tiles, revenue_tiles
from pulsebi.dashboards.figures import MATURING_NOTE
from pulsebi.db import get_engine
from pulsebi.widgets.dates import local_today, to_date_until
from pulsebi.widgets.filters import Filters

ONE_DAY = dt.timedelta(days=1)


def test_executive_dashboard_year_to_date_revenue_is_the_metric_layers(kernel_env, tmp_path):
    page = execute_notebook("notebooks/executive.ipynb", tmp_path, static=True)

    today = local_today(tz=kernel_env["PULSEBI_TZ"])
    args = ["--from", f"{today.year}-01-01", "--to", str(today + dt.timedelta(days=1))]
    expected = shown(kpi_value(kernel_env, "net_revenue", *args), "net_revenue")
    assert tile_value(page, "revenue-year-to-date") == expected
    assert expected not in ("$0.00", "—")
    assert "Traceback" not in page


# --- comparisons (contract, Time: a period containing now is compared up to the same time) ---


def last_year_revenue(settings, first: dt.date, last: dt.date, until: str) -> Decimal:
    """Net revenue over [first 00:00, last until) local, in SQL (PostgreSQL's zone rules)."""
    query = text(
        "select coalesce(sum(amount) filter (where status = 'active'), 0) from crm.sales"
        " where sold_at >= (cast(:first as timestamp) at time zone :tz)"
        " and sold_at < (cast(:stop as timestamp) at time zone :tz)"
    )
    params = {"first": f"{first} 00:00", "stop": f"{last} {until}", "tz": settings.tz}
    with get_engine(settings).connect() as conn:
        return conn.execute(query, params).scalar_one()


def test_revenue_tiles_compare_to_the_same_time_last_year(seeded_in_use):
    settings = seeded_in_use
    today = local_today(tz=settings.tz)
    filters = Filters(today, today + dt.timedelta(days=1), preset="today")
    clocks = {to_date_until(dt.datetime.now(dt.UTC), settings.tz)}
    tiles = revenue_tiles(filters)[0].tiles
    clocks.add(to_date_until(dt.datetime.now(dt.UTC), settings.tz))
    starts = [
        today,
        today - dt.timedelta(days=today.weekday()),
        today.replace(day=1),
        today.replace(month=1, day=1),
    ]
    for tile, start in zip(tiles, starts, strict=True):
        until = next(c for c in clocks if tile.comparison == f"vs last year to {c:%H:%M}")
        expected = last_year_revenue(
            settings,
            start.replace(year=start.year - 1),
            today.replace(year=today.year - 1),
            until.isoformat(),
        )
        assert tile.previous == expected, tile.label
    assert tiles[-1].previous > 0  # last year to date had sales: the test compares something


def test_period_tiles_say_a_young_cohort_is_still_maturing(on_seeded_day):
    settings = on_seeded_day
    today = local_today(tz=settings.tz)
    week = Filters(today - dt.timedelta(days=6), today + dt.timedelta(days=1), preset="custom")
    tiles = {t.key.removeprefix("period-"): t for t in period_tiles(week)[0].tiles}
    for cohort in ("lead_to_sale_rate", "lead_to_appointment_rate"):
        assert tiles[cohort].note == MATURING_NOTE and tiles[cohort].previous is None
        assert tiles[cohort].metric is None  # no threshold colour on a maturing cohort
    assert tiles["closing_rate"].note == "" and tiles["net_revenue"].note == ""
    assert tiles["closing_rate"].value is not None
    assert tiles["net_revenue"].comparison.startswith("vs last year to ")
    # a period a year old is mature: compared whole, with its comparison
    old = Filters(dt.date(2026, 6, 1), dt.date(2026, 7, 1), preset="custom")
    tiles = {t.key.removeprefix("period-"): t for t in period_tiles(old)[0].tiles}
    assert tiles["lead_to_sale_rate"].note == "" and tiles["lead_to_sale_rate"].previous is not None
    assert tiles["lead_to_sale_rate"].comparison == "vs last year"


def test_the_executive_page_can_be_told_its_today(seeded_in_use):
    """Its presets, revenue tiles and forecast count from `today` (a date or YYYY-MM-DD); a day
    long past is compared in whole days."""
    from pulsebi.dashboards import executive
    from pulsebi.dashboards.figures import value
    from pulsebi.errors import UsageError

    day = dt.date(2026, 6, 2)
    page = executive.build(today="2026-06-02", preset="month_to_date")
    assert (page.filters.date_from, page.filters.date_to) == (dt.date(2026, 6, 1), day + ONE_DAY)
    blocks = {s.title: s.build(page.filters) for s in page.sections}
    tiles = {t.key: t for b in blocks.values() for t in getattr(b[0], "tiles", [])}
    assert tiles["revenue-today"].value == value("net_revenue", (day, day + ONE_DAY))
    assert tiles["revenue-today"].comparison == "vs last year"
    month = value("net_revenue", (dt.date(2026, 6, 1), day + ONE_DAY))
    assert tiles["revenue-month-to-date"].value == month
    assert tiles["forecast"].note.startswith(f"month to date {shown(month, 'net_revenue')} + ")
    assert "due by Jun 30" in tiles["forecast"].note
    assert executive.build(today=day).filters == page.filters
    with pytest.raises(UsageError, match="today='2026-13-01' is not a date"):
        executive.build(today="2026-13-01")


def test_the_lead_flow_legend_names_channels_as_people_say_them(on_seeded_day):
    month = Filters(dt.date(2026, 6, 1), dt.date(2026, 7, 1), preset="custom", grain="week")
    chart = lead_flow(month)[0]
    channels = set(chart.spec.data["channel"])
    assert {"Canvass", "Direct mail", "TV"} <= channels
    assert not {c for c in channels if "_" in c or c.islower()}
