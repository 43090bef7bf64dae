"""Periods that stop at a local time of day (`metrics.compute(..., until=)`) and the pages'
to-date comparisons (`figures.compare_to_date`), against SQL written from the contract: a
period containing now and its comparisons stop at now's local clock time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from crm_rows import plain_records
from sqlalchemy import text

from pulsebi import metrics
from pulsebi.dashboards.figures import (
    MATURING_DAYS,
    MATURING_NOTE,
    compare_to_date,
    is_maturing,
    maturing_note,
)
from pulsebi.db import get_engine
from pulsebi.settings import get_settings, use_settings
from pulsebi.views import refresh_views
from pulsebi.widgets.dates import preset_range

D = dt.date
UNTIL = dt.time(9, 45)
PRESETS = ("today", "week_to_date", "month_to_date", "year_to_date")


@pytest.fixture(scope="module")
def refreshed(seeded):
    """The demo data (history ends 2026-11-19), its views refreshed."""
    engine = get_engine(seeded)
    refresh_views(engine, seeded)
    return seeded, engine


@pytest.fixture
def seeded_views(refreshed):
    """The refreshed demo data, its settings in use (the pages' readers take no settings)."""
    previous = get_settings()
    use_settings(refreshed[0])
    yield refreshed
    use_settings(previous)


def sql_sum(
    engine,
    tz: str,
    table: str,
    value: str,
    ts: str,
    first: D,
    last: D,
    until: str,
    branch: str | None = None,
) -> Decimal | int:
    """`value` over [first 00:00, last until) local, read with PostgreSQL's own zone rules."""
    where = " and b.code = :branch" if branch else ""
    query = (
        f"select {value} from crm.{table} t left join crm.branches b on b.id = t.branch_id"
        f" where t.{ts} >= (cast(:first as timestamp) at time zone :tz)"
        f" and t.{ts} < (cast(:stop as timestamp) at time zone :tz){where}"
    )
    params = {"first": f"{first} 00:00", "stop": f"{last} {until}", "tz": tz, "branch": branch}
    with engine.connect() as conn:
        return conn.execute(text(query), params).scalar_one()


FIGURES = {
    "net_revenue": (
        "sales",
        "coalesce(sum(t.amount) filter (where t.status = 'active'), 0)",
        "sold_at",
    ),
    "leads": ("leads", "count(*)", "created_at"),
}


def expected(engine, tz, metric, first, last, branch):
    table, value, ts = FIGURES[metric]
    return sql_sum(engine, tz, table, value, ts, first, last, "09:45", branch)


def local(day: D, zone: str) -> dt.datetime:
    return dt.datetime.combine(day, UNTIL, tzinfo=ZoneInfo(zone))


NOW_DAYS = {
    "a thursday": D(2026, 11, 12),
    "DST starts (23-hour day)": D(2026, 3, 8),
    "DST ends (25-hour day)": D(2025, 11, 2),
    "1 January": D(2026, 1, 1),
    "the 1st of a month": D(2026, 6, 1),
}


@pytest.mark.parametrize("metric", FIGURES)
@pytest.mark.parametrize("branch", [None, "DAL"])
@pytest.mark.parametrize("day", NOW_DAYS.values(), ids=NOW_DAYS.keys())
def test_periods_to_date_and_their_comparisons_stop_at_the_same_clock_time(
    seeded_views, day, branch, metric
):
    settings, engine = seeded_views
    now = local(day, settings.tz)
    seen = []
    for preset in PRESETS:
        start, _ = preset_range(preset, day)
        got = compare_to_date(metric, preset_range(preset, day), branch, now=now, previous=True)
        assert got.until == UNTIL and not got.maturing
        seen += [got.current, got.last_year, got.previous]
        assert got.against() == "vs last year to 09:45"
        last_year_start = start.replace(year=start.year - 1)
        last_year_day = day.replace(year=day.year - 1)
        days = (day - start).days + 1
        previous_start = start - dt.timedelta(days=days)
        assert (preset, got.current) == (
            preset,
            expected(engine, settings.tz, metric, start, day, branch),
        )
        assert (preset, got.last_year) == (
            preset,
            expected(engine, settings.tz, metric, last_year_start, last_year_day, branch),
        )
        assert (preset, got.previous) == (
            preset,
            expected(
                engine, settings.tz, metric, previous_start, start - dt.timedelta(days=1), branch
            ),
        )
    # the figures are not all empty: the test compares something (a branch may have no sales
    # in these windows at the demo's small scale)
    assert any(seen) or branch is not None


def test_a_period_not_containing_now_is_compared_whole(seeded_views):
    settings, engine = seeded_views
    now = local(D(2026, 11, 12), settings.tz)
    got = compare_to_date("net_revenue", (D(2026, 10, 1), D(2026, 11, 1)), now=now, previous=True)
    assert got.until is None and got.against() == "vs last year"
    sales = FIGURES["net_revenue"]
    whole = lambda a, b: sql_sum(engine, settings.tz, *sales, a, b, "00:00")  # noqa: E731
    assert got.current == whole(D(2026, 10, 1), D(2026, 11, 1))
    assert got.last_year == whole(D(2025, 10, 1), D(2025, 11, 1))
    assert got.previous == whole(D(2026, 8, 31), D(2026, 10, 1))


def dated_requests():
    """Every dated metric, ungrouped (also by week) and by each of its dimensions."""
    for info in metrics.catalog():
        if info.snapshot or info.id in ("pipeline_due", "weighted_pipeline_due"):
            continue
        if info.id in ("api_latency_p50", "api_latency_p95", "error_rate", "system_health"):
            yield info.id, ("service",), None
            continue
        yield info.id, (), None
        if "week" in info.grains:
            yield info.id, (), "week"
        for dim in info.dimensions:
            yield info.id, (dim,), None


@pytest.mark.parametrize(("metric", "by", "grain"), list(dated_requests()))
def test_until_reads_the_same_from_views_and_crm_tables(seeded_views, metric, by, grain):
    """Whole days from the views + the cut day from the crm tables = all from the crm tables."""
    settings, _ = seeded_views
    start, end = (D(2026, 1, 1), D(2026, 3, 1)) if grain is None else (D(2026, 2, 4), D(2026, 3, 9))
    if metric == "marketing_roi":
        start, end = D(2026, 1, 1), D(2026, 2, 16)
    args = dict(start=start, end=end, by=by, grain=grain, settings=settings, use_cache=False)
    cut = metrics.compute(metric, until=UNTIL, **args)
    fresh = metrics.compute(metric, until=UNTIL, fresh=True, **args)
    assert plain_records(cut) == plain_records(fresh)


def test_the_cache_keeps_cut_and_whole_periods_apart(seeded_views):
    settings, engine = seeded_views
    with engine.connect() as conn:  # a day with leads before 09:45, before 14:00 and after
        day = conn.execute(
            text(
                "select d from (select timezone(:tz, created_at) as t,"
                " timezone(:tz, created_at)::date as d from crm.leads) l group by d"
                " having count(*) filter (where t::time < '09:45') > 0"
                " and count(*) filter (where t::time between '09:45' and '14:00') > 0"
                " and count(*) filter (where t::time > '14:00') > 0 order by d desc limit 1"
            ),
            {"tz": settings.tz},
        ).scalar_one()
    asked = dict(start=day - dt.timedelta(days=3), end=day + dt.timedelta(days=1))
    results = {}
    for until in (UNTIL, None, dt.time(14, 0), UNTIL):  # the last one is a cache hit
        frame = metrics.compute("leads", until=until, settings=settings, **asked)
        results.setdefault(until, set()).add(int(frame["leads"].iloc[0]))
    leads = FIGURES["leads"]
    first = asked["start"]
    assert results[UNTIL] == {sql_sum(engine, settings.tz, *leads, first, day, "09:45")}
    assert results[dt.time(14, 0)] == {sql_sum(engine, settings.tz, *leads, first, day, "14:00")}
    assert results[None] == {sql_sum(engine, settings.tz, *leads, first, asked["end"], "00:00")}
    assert len({value for values in results.values() for value in values}) == 3


@pytest.mark.parametrize(
    "bad", ["9h45", dt.datetime(2026, 1, 1, 9, 45), 945, dt.time(9, 45, tzinfo=dt.UTC)]
)
def test_until_must_be_a_local_clock_time(seeded_views, bad):
    from pulsebi.errors import UsageError

    with pytest.raises(UsageError, match="clock time"):
        metrics.compute("net_revenue", start=D(2026, 1, 1), end=D(2026, 1, 2), until=bad)


def test_29_february_is_compared_with_28_february(crm_rows, settings):
    """Leap day to date: today until 09:45 against 28 February last year until 09:45; the
    previous period is 28 February until 09:45."""
    previous_settings = get_settings()
    use_settings(settings)  # not the seeded data's, which this module's other tests use
    try:
        _leap_day_figures(crm_rows, settings)
    finally:
        use_settings(previous_settings)


def _leap_day_figures(crm_rows, settings):
    crm_rows.branch(1, "AUS")
    for sold_at, amount in (
        ("2028-02-29 08:00", "100.00"),
        ("2028-02-29 10:00", "200.00"),
        ("2028-02-28 09:00", "1000.00"),
        ("2028-02-28 09:50", "2000.00"),
        ("2027-02-28 09:00", "10.00"),
        ("2027-02-28 09:50", "20.00"),
        ("2027-03-01 08:00", "40.00"),
        ("2027-01-05 12:00", "5.00"),
    ):
        crm_rows.sale(sold_at, amount)
    refresh_views(crm_rows.engine, settings)
    now = local(D(2028, 2, 29), settings.tz)
    today = compare_to_date(
        "net_revenue", preset_range("today", D(2028, 2, 29)), now=now, previous=True
    )
    assert (today.current, today.last_year, today.previous) == (
        Decimal("100.00"),
        Decimal("10.00"),
        Decimal("1000.00"),
    )
    year = compare_to_date("net_revenue", preset_range("year_to_date", D(2028, 2, 29)), now=now)
    assert (year.current, year.last_year) == (Decimal("3100.00"), Decimal("15.00"))
    # and the day after, 1 March against 1 March
    march = compare_to_date(
        "net_revenue", preset_range("today", D(2028, 3, 1)), now=local(D(2028, 3, 1), settings.tz)
    )
    assert (march.current, march.last_year) == (Decimal("0.00"), Decimal("40.00"))


@pytest.mark.parametrize(
    ("day", "until"),
    [
        (D(2025, 11, 2), "01:30"),
        (D(2025, 11, 2), "02:00"),
        (D(2026, 3, 8), "02:30"),
        (D(2026, 3, 8), "03:00"),
    ],
)
def test_clock_times_dst_repeats_or_skips_end_where_postgresql_puts_them(
    crm_rows, settings, day, until
):
    """01:30 on the day DST ends happens twice: the period holds both; 02:30 on the day it
    starts never happens: read with the offset before the change (PostgreSQL's reading)."""
    crm_rows.branch(1, "AUS")
    for utc_hour in range(4, 12):  # every half hour around the change, in UTC
        for minute in (0, 15, 45):
            at = dt.datetime(day.year, day.month, day.day, utc_hour, minute, tzinfo=dt.UTC)
            crm_rows.sale(at, f"{utc_hour}.{minute:02d}")
    got = metrics.compute(
        "net_revenue",
        start=day,
        end=day + dt.timedelta(days=1),
        settings=settings,
        use_cache=False,
        until=dt.time.fromisoformat(until),
    )
    sales = FIGURES["net_revenue"]
    assert got["net_revenue"].iloc[0] == sql_sum(
        crm_rows.engine, settings.tz, *sales, day, day, until
    )


def test_a_cohort_still_maturing_is_not_compared(seeded_views):
    settings, _ = seeded_views
    now = local(D(2026, 11, 19), settings.tz)
    days = MATURING_DAYS["lead_to_sale_rate"]
    young = (D(2026, 10, 20), D(2026, 11, 20) - dt.timedelta(days=days - 1))
    got = compare_to_date("lead_to_sale_rate", young, now=now, previous=True)
    assert got.maturing and got.note == "cohort still maturing"
    assert (got.last_year, got.previous) == (None, None) and got.current is not None
    grown = (D(2026, 10, 1), D(2026, 11, 20) - dt.timedelta(days=days))
    got = compare_to_date("lead_to_sale_rate", grown, now=now, previous=True)
    assert not got.maturing and got.note == ""
    assert got.last_year is not None and got.previous is not None
    # today's cohort is always maturing; a non-cohort rate never is
    assert compare_to_date(
        "lead_to_sale_rate", (D(2026, 11, 19), D(2026, 11, 20)), now=now
    ).maturing
    assert not compare_to_date("closing_rate", young, now=now).maturing


@pytest.mark.parametrize(
    ("metric", "last_day", "today", "maturing"),
    [
        ("lead_to_sale_rate", D(2026, 11, 2), D(2026, 11, 19), True),  # 17 days old
        ("lead_to_sale_rate", D(2026, 11, 1), D(2026, 11, 19), False),  # 18 days old
        ("lead_to_appointment_rate", D(2026, 11, 18), D(2026, 11, 19), True),
        ("lead_to_appointment_rate", D(2026, 11, 17), D(2026, 11, 19), False),
        ("job_completion_rate", D(2026, 10, 10), D(2026, 11, 19), True),
        ("canvass_sales", D(2026, 11, 10), D(2026, 11, 19), True),
        ("net_revenue", D(2026, 11, 19), D(2026, 11, 19), False),
    ],
)
def test_is_maturing(metric, last_day, today, maturing):
    assert is_maturing(metric, (D(2026, 1, 1), last_day + dt.timedelta(days=1)), today) is maturing


def test_maturing_note_says_what_compare_to_date_decides():
    now = dt.datetime(2026, 11, 19, 15, 45, tzinfo=dt.UTC)
    month = (D(2026, 11, 1), D(2026, 12, 1))  # holds today: to date, so maturing
    assert maturing_note("lead_to_sale_rate", month, now) == MATURING_NOTE
    assert maturing_note("net_revenue", month, now) == ""
    assert maturing_note("lead_to_sale_rate", (D(2026, 9, 1), D(2026, 10, 1)), now) == ""
