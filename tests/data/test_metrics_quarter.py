"""The quarter grain: calendar quarters in the reporting zone, labelled by their first day."""

import json
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from crm_rows import plain_records
from sqlalchemy import text

from pulsebi import metrics
from pulsebi.cli import main
from pulsebi.db import get_engine
from pulsebi.metrics.query import bucket_start, periods
from pulsebi.settings import get_settings, use_settings
from pulsebi.views import refresh_views

Q1, Q2, Q3, Q4 = date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1)
NEXT_YEAR = date(2027, 1, 1)


@pytest.fixture(scope="module")
def seeded_views(seeded):
    engine = get_engine(seeded)
    refresh_views(engine, seeded)
    return seeded, engine


def test_quarters_start_on_the_first_of_january_april_july_and_october():
    assert [bucket_start(date(2026, m, 15), "quarter") for m in (1, 3, 4, 6, 7, 9, 10, 12)] == [
        Q1, Q1, Q2, Q2, Q3, Q3, Q4, Q4,
    ]  # fmt: skip
    assert periods(date(2025, 11, 30), date(2026, 4, 2), "quarter") == [date(2025, 10, 1), Q1, Q2]
    assert periods(Q1, Q2, "quarter") == [Q1]
    assert "quarter" in metrics.GRAINS
    info = {m.id: m for m in metrics.catalog()}
    assert info["marketing_roi"].grains == ("month", "quarter", "year")
    assert all("quarter" in m.grains for m in info.values() if "month" in m.grains)


def test_a_period_cutting_quarters_buckets_by_local_date_around_the_boundaries(crm_rows, kpi):
    crm_rows.sale("2026-02-14 23:59", "1.00")  # the day before the period
    crm_rows.sale("2026-02-15 00:00", "2.00")  # its first instant: Q1
    crm_rows.sale("2026-03-31 23:59", "4.00")  # Q1's last minute (CDT)
    crm_rows.sale("2026-04-01T05:00:00+00:00", "8.00")  # local midnight of Apr 1: Q2
    crm_rows.sale("2026-09-30T04:59:00+00:00", "16.00")  # Sep 29 23:59 local: Q3
    crm_rows.sale("2026-10-01T04:59:00+00:00", "32.00")  # Sep 30 23:59 local, Oct 1 UTC: Q3
    crm_rows.sale("2026-11-09 23:59", "64.00")  # the period's last minute: Q4
    crm_rows.sale("2026-11-10 00:00", "128.00")  # `to` is exclusive

    rows = kpi("net_revenue", date(2026, 2, 15), date(2026, 11, 10), grain="quarter")

    # labelled by the quarter's first day although the period cuts Q1 and Q4
    assert rows == [
        {"period": Q1, "net_revenue": Decimal("6.00")},
        {"period": Q2, "net_revenue": Decimal("8.00")},
        {"period": Q3, "net_revenue": Decimal("48.00")},
        {"period": Q4, "net_revenue": Decimal("64.00")},
    ]
    fresh = kpi("net_revenue", date(2026, 2, 15), date(2026, 11, 10), grain="quarter", fresh=True)
    assert fresh == rows


def test_empty_quarters_are_listed_with_zero_or_null(crm_rows, kpi):
    crm_rows.branch(1, "CHI")
    crm_rows.branch(2, "AUS")
    crm_rows.sale("2026-01-05 10:00", "10.00")
    crm_rows.sale("2026-11-05 10:00", "5.00", branch_id=2)
    crm_rows.appointment("2026-02-01 10:00", result="sold")

    sums = kpi("bookings", Q1, NEXT_YEAR, by=["branch"], grain="quarter")
    rates = kpi("closing_rate", Q1, NEXT_YEAR, grain="quarter")

    assert [(r["branch"], r["period"], r["bookings"]) for r in sums] == [
        ("AUS", Q1, 0), ("AUS", Q2, 0), ("AUS", Q3, 0), ("AUS", Q4, Decimal("5.00")),
        ("CHI", Q1, Decimal("10.00")), ("CHI", Q2, 0), ("CHI", Q3, 0), ("CHI", Q4, 0),
    ]  # fmt: skip
    assert rates == [
        {"period": Q1, "closing_rate": 1.0},
        {"period": Q2, "closing_rate": None},
        {"period": Q3, "closing_rate": None},
        {"period": Q4, "closing_rate": None},
    ]
    assert kpi("leads", Q1, NEXT_YEAR, grain="quarter") == [
        {"period": q, "leads": 0} for q in (Q1, Q2, Q3, Q4)
    ]


def test_a_rate_by_quarter_is_its_definition_over_the_quarter_not_a_mean_of_months(crm_rows, kpi):
    crm_rows.appointment("2026-01-10 10:00", result="sold")  # January: 1 of 1
    for result in ("sold", "not_sold", "not_sold"):  # February: 1 of 3
        crm_rows.appointment("2026-02-10 10:00", result=result)
    crm_rows.appointment("2026-02-11 10:00", status="no_show")  # not ran: not counted

    months = kpi("closing_rate", Q1, Q2, grain="month")
    [quarter] = kpi("closing_rate", Q1, Q2, grain="quarter")

    assert [r["closing_rate"] for r in months] == [1.0, pytest.approx(1 / 3), None]
    assert quarter == {"period": Q1, "closing_rate": 0.5}  # 2 sold of 4 ran; months' mean: 2/3
    assert kpi("closing_rate", Q1, Q2) == [{"closing_rate": 0.5}]


def test_marketing_roi_by_quarter_counts_the_spend_months_inside_it(crm_rows, kpi):
    crm_rows.source(1)
    crm_rows.lead("2026-01-02 10:00", id=1)
    crm_rows.sale("2026-01-05 10:00", "150.00", lead_id=1)
    crm_rows.sale("2026-03-20 10:00", "150.00", lead_id=1)
    crm_rows.spend(date(2026, 1, 1), "100.00")
    crm_rows.spend(date(2026, 3, 1), "100.00")
    crm_rows.spend(date(2026, 4, 1), "50.00")

    rows = kpi("marketing_roi", Q1, Q4, grain="quarter")

    # Q1: 300 / 200 − 1; Q2: no revenue over 50 of spend; Q3: no spend month, null
    assert rows == [
        {"period": Q1, "marketing_roi": 0.5},
        {"period": Q2, "marketing_roi": -1.0},
        {"period": Q3, "marketing_roi": None},
    ]
    assert kpi("marketing_roi", Q1, Q4, grain="quarter", fresh=True) == rows


QUARTERED = [
    m.id
    for m in metrics.catalog()
    if "quarter" in m.grains and m.unit in ("usd", "count") and len(m.columns) == 1
]


@pytest.mark.parametrize("metric_id", QUARTERED)
def test_on_the_demo_data_a_quarter_sums_its_months(seeded_views, metric_id):
    settings, _ = seeded_views
    info = metrics.metric_info(metric_id)
    by = info.dimensions[:1]
    # the period cuts the first and the last quarter, and their months
    kw = {"start": date(2025, 2, 10), "end": date(2026, 8, 20), "by": by, "settings": settings}
    quarters = plain_records(metrics.compute(metric_id, grain="quarter", use_cache=False, **kw))
    months = plain_records(metrics.compute(metric_id, grain="month", use_cache=False, **kw))
    value = info.columns[0]

    summed: dict[tuple, object] = defaultdict(int)
    for row in months:
        key = (*(row[d] for d in by), bucket_start(row["period"], "quarter"))
        summed[key] += row[value]
    got = {(*(r[d] for d in by), r["period"]): r[value] for r in quarters}

    assert got == dict(summed)
    assert len({r["period"] for r in quarters}) == 7  # 2025 Q1 … 2026 Q3
    assert any(got.values()) or metric_id in ("canvass_sales", "canvass_revenue")


def test_on_the_demo_data_a_rate_by_quarter_matches_direct_sql(seeded_views):
    settings, engine = seeded_views
    zone = ZoneInfo(settings.tz)
    start, end = date(2025, 1, 1), date(2026, 10, 1)
    with engine.connect() as conn:
        expected = conn.execute(
            text(
                "select date_trunc('quarter', timezone(:tz, scheduled_for))::date,"
                " count(*) filter (where result = 'sold'), count(*) from crm.appointments"
                " where status = 'ran' and scheduled_for >= :start and scheduled_for < :end"
                " group by 1 order by 1"
            ),
            {
                "tz": settings.tz,
                "start": datetime(start.year, start.month, start.day, tzinfo=zone),
                "end": datetime(end.year, end.month, end.day, tzinfo=zone),
            },
        ).all()
    rows = plain_records(
        metrics.compute(
            "closing_rate", start=start, end=end, grain="quarter", settings=settings,
            use_cache=False,
        )
    )  # fmt: skip

    assert (
        [r["period"] for r in rows] == [q for q, _, _ in expected] == periods(start, end, "quarter")
    )
    for row, (_, sold, ran) in zip(rows, expected, strict=True):
        assert row["closing_rate"] == pytest.approx(sold / ran, rel=1e-12)


def test_pulsebi_kpi_grain_quarter_and_its_own_cache_entry(seeded_views):
    settings, _ = seeded_views
    previous = get_settings()
    use_settings(settings)
    try:
        out = {}
        for grain in ("month", "quarter", "quarter"):  # the second quarter: a cache hit
            args = ["kpi", "leads", "--from", "2025-01-01", "--to", "2025-07-01",
                    "--grain", grain, "--format", "json"]  # fmt: skip
            result = CliRunner().invoke(main, args)
            assert result.exit_code == 0, result.output
            out.setdefault(grain, []).append(json.loads(result.output))
    finally:
        use_settings(previous)

    months, (quarters, cached) = out["month"][0], out["quarter"]
    assert [r["period"] for r in quarters] == ["2025-01-01", "2025-04-01"]
    assert [r["leads"] for r in quarters] == [
        sum(r["leads"] for r in months[:3]),
        sum(r["leads"] for r in months[3:]),
    ]
    assert cached == quarters
