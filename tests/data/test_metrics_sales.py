"""Sales-side metrics on hand-made rows: net revenue, bookings, rep revenue and ranking."""

from datetime import date
from decimal import Decimal

JAN, FEB, MAR, APR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)


def test_net_revenue_counts_exactly_active_sales_by_branch_with_a_null_group(crm_rows, kpi):
    crm_rows.branch(1, "CHI")
    crm_rows.branch(2, "AUS")
    crm_rows.branch(3, "DEN")  # no sales: listed with 0
    crm_rows.sale("2026-01-05 10:00", "100.10")
    crm_rows.sale("2026-01-06 10:00", "0.01", branch_id=2)
    crm_rows.sale("2026-01-07 10:00", "50.00", status="canceled")
    crm_rows.sale("2026-01-07 10:00", "70.00", status="Active")  # neither active nor canceled
    crm_rows.sale("2026-01-08 10:00", "9.99", branch_id=99)  # dangling branch
    crm_rows.sale("2026-01-08 10:00", "0.02", branch_id=98)  # another dangling branch

    rows = kpi("net_revenue", JAN, FEB, by=["branch"])

    assert rows == [
        {"branch": "AUS", "branch_name": "Branch 2", "net_revenue": Decimal("0.01")},
        {"branch": "CHI", "branch_name": "Branch 1", "net_revenue": Decimal("100.10")},
        {"branch": "DEN", "branch_name": "Branch 3", "net_revenue": 0},
        {"branch": None, "branch_name": None, "net_revenue": Decimal("10.01")},
    ]
    assert kpi("net_revenue", JAN, FEB) == [{"net_revenue": Decimal("110.12")}]
    assert kpi("bookings", JAN, FEB) == [{"bookings": Decimal("230.12")}]


def test_net_revenue_buckets_by_local_date_around_midnight_and_dst(crm_rows, kpi):
    # America/Chicago: 2026-03-08 springs forward, 2026-11-01 falls back.
    crm_rows.sale("2026-01-31T23:30:00-06:00", "1.00")  # Jan 31 local, Feb 1 UTC
    crm_rows.sale("2026-02-01T00:00:00-06:00", "2.00")  # local midnight: February
    crm_rows.sale("2026-03-08T05:59:00+00:00", "4.00")  # Mar 7 23:59 CST
    crm_rows.sale("2026-03-08T06:00:00+00:00", "8.00")  # Mar 8 00:00 CST
    crm_rows.sale("2026-03-09T04:59:00+00:00", "16.00")  # Mar 8 23:59 CDT
    crm_rows.sale("2026-03-09T05:00:00+00:00", "32.00")  # Mar 9 00:00 CDT
    crm_rows.sale("2026-11-01T04:59:00+00:00", "64.00")  # Oct 31 23:59 CDT
    crm_rows.sale("2026-11-01T06:30:00+00:00", "128.00")  # Nov 1 01:30 CDT (first 01:30)
    crm_rows.sale("2026-11-01T07:30:00+00:00", "256.00")  # Nov 1 01:30 CST (second 01:30)
    crm_rows.sale("2026-11-02T05:59:00+00:00", "512.00")  # Nov 1 23:59 CST
    crm_rows.sale("2026-11-02T06:00:00+00:00", "1024.00")  # Nov 2 00:00 CST

    by_month = kpi("net_revenue", JAN, date(2026, 12, 1), grain="month")
    assert [(r["period"], r["net_revenue"]) for r in by_month] == [
        (date(2026, 1, 1), Decimal("1.00")),
        (date(2026, 2, 1), Decimal("2.00")),
        (date(2026, 3, 1), Decimal("60.00")),
        (date(2026, 4, 1), 0),
        (date(2026, 5, 1), 0),
        (date(2026, 6, 1), 0),
        (date(2026, 7, 1), 0),
        (date(2026, 8, 1), 0),
        (date(2026, 9, 1), 0),
        (date(2026, 10, 1), Decimal("64.00")),
        (date(2026, 11, 1), Decimal("1920.00")),
    ]
    days = kpi("net_revenue", date(2026, 3, 7), date(2026, 3, 10), grain="day")
    assert [r["net_revenue"] for r in days] == [Decimal("4.00"), Decimal("24.00"), Decimal("32.00")]
    days = kpi("net_revenue", date(2026, 10, 31), date(2026, 11, 3), grain="day")
    assert [r["net_revenue"] for r in days] == [
        Decimal("64.00"),
        Decimal("896.00"),
        Decimal("1024.00"),
    ]
    # the period is half-open on local dates: only Nov 1
    assert kpi("net_revenue", date(2026, 11, 1), date(2026, 11, 2)) == [
        {"net_revenue": Decimal("896.00")}
    ]


def test_week_buckets_are_labelled_by_monday_even_when_the_period_cuts_them(crm_rows, kpi):
    crm_rows.sale("2026-01-06 12:00", "1.00")  # Tue, before the period
    crm_rows.sale("2026-01-07 00:00", "2.00")  # Wed, first instant of the period
    crm_rows.sale("2026-01-19 23:59", "4.00")  # Mon of the last week
    crm_rows.sale("2026-01-20 00:00", "8.00")  # Tue: `to` is exclusive

    rows = kpi("bookings", date(2026, 1, 7), date(2026, 1, 20), grain="week")

    assert rows == [
        {"period": date(2026, 1, 5), "bookings": Decimal("2.00")},
        {"period": date(2026, 1, 12), "bookings": 0},
        {"period": date(2026, 1, 19), "bookings": Decimal("4.00")},
    ]


def test_sales_group_by_the_leads_source_and_channel(crm_rows, kpi):
    crm_rows.source(1, "tv")
    crm_rows.source(2, "digital")
    crm_rows.source(3, "digital")
    crm_rows.source(4, "radio")  # no sales: listed with 0
    crm_rows.lead("2025-12-01 10:00", source_id=1, id=10)
    crm_rows.lead("2025-12-01 10:00", source_id=2, id=20)
    crm_rows.lead("2025-12-01 10:00", source_id=3, id=30)
    crm_rows.lead("2025-12-01 10:00", source_id=77, id=40)  # dangling source
    crm_rows.sale("2026-01-02 10:00", "10.00", lead_id=10)
    crm_rows.sale("2026-01-02 10:00", "20.00", lead_id=20)
    crm_rows.sale("2026-01-02 10:00", "30.00", lead_id=30)
    crm_rows.sale("2026-01-02 10:00", "40.00", lead_id=40)
    crm_rows.sale("2026-01-02 10:00", "50.00", lead_id=999)  # dangling lead

    by_source = kpi("net_revenue", JAN, FEB, by=["source"])
    assert [(r["source"], r["source_name"], r["net_revenue"]) for r in by_source] == [
        (1, "Source 1", Decimal("10.00")),
        (2, "Source 2", Decimal("20.00")),
        (3, "Source 3", Decimal("30.00")),
        (4, "Source 4", 0),
        (None, None, Decimal("90.00")),
    ]
    by_channel = kpi("net_revenue", JAN, FEB, by=["channel"])
    assert by_channel == [
        {"channel": "digital", "net_revenue": Decimal("50.00")},
        {"channel": "radio", "net_revenue": 0},
        {"channel": "tv", "net_revenue": Decimal("10.00")},
        {"channel": None, "net_revenue": Decimal("90.00")},
    ]


def test_rep_revenue_lists_every_sales_rep_and_keeps_exact_decimals(crm_rows, kpi):
    crm_rows.employee(1, name="Ann")
    crm_rows.employee(2, name="Bob", terminated_on=date(2025, 6, 30))  # terminated: listed
    crm_rows.employee(3, name="Cid", role="canvasser")  # not a rep: counts for no one
    crm_rows.employee(4, name="Dee", role="Sales_Rep")  # not exactly sales_rep
    crm_rows.employee(5, name="Eve")  # no splits: 0
    s1 = crm_rows.sale("2026-01-10 10:00", "100.00")
    crm_rows.split(s1, 1, "0.3333")
    crm_rows.split(s1, 2, "0.3333")
    crm_rows.split(s1, 3, "0.3334")
    s2 = crm_rows.sale("2026-01-11 10:00", "55.55", status="canceled")
    crm_rows.split(s2, 1, "1.0000")
    s3 = crm_rows.sale("2026-01-12 10:00", "10.01", branch_id=2)
    crm_rows.split(s3, 1, "0.5000")
    crm_rows.split(s3, 4, "0.5000")
    crm_rows.split(12345, 1, "1.0000")  # dangling sale: nothing to count

    rows = kpi("rep_revenue", JAN, FEB, by=["rep"])

    assert rows == [
        {"rep": 1, "rep_name": "Ann", "rep_revenue": Decimal("38.335000")},
        {"rep": 2, "rep_name": "Bob", "rep_revenue": Decimal("33.330000")},
        {"rep": 5, "rep_name": "Eve", "rep_revenue": 0},
    ]
    assert kpi("rep_revenue", JAN, FEB) == [{"rep_revenue": Decimal("71.665000")}]


def test_rep_ranking_orders_reps_of_each_branch_with_ties_by_id(crm_rows, kpi):
    crm_rows.branch(1, "CHI")
    crm_rows.branch(2, "AUS")
    crm_rows.employee(7, branch_id=1)
    crm_rows.employee(3, branch_id=1)
    crm_rows.employee(5, branch_id=1)
    crm_rows.employee(9, branch_id=2)
    # rep 7 sells in branch 2 but belongs to branch 1: ranked in branch 1
    for rep, amount, branch in ((7, "50.00", 2), (3, "50.00", 1), (5, "60.00", 1)):
        crm_rows.split(crm_rows.sale("2026-01-10 10:00", amount, branch_id=branch), rep, "1")

    rows = kpi("rep_ranking", JAN, FEB)

    assert [(r["branch"], r["rank"], r["rep"], r["rep_revenue"]) for r in rows] == [
        ("AUS", 1, 9, 0),
        ("CHI", 1, 5, Decimal("60.000000")),
        ("CHI", 2, 3, Decimal("50.000000")),
        ("CHI", 3, 7, Decimal("50.000000")),
    ]
    assert list(rows[0]) == ["branch", "rank", "rep", "rep_name", "rep_revenue"]
    only = kpi("rep_ranking", JAN, FEB, branch="AUS")
    assert [(r["branch"], r["rep"]) for r in only] == [("AUS", 9)]


def test_marketing_roi_divides_attributed_revenue_by_spend_of_months_in_the_period(crm_rows, kpi):
    crm_rows.branch(1, "CHI")
    crm_rows.branch(2, "AUS")
    crm_rows.source(1, "tv")
    crm_rows.source(2, "radio")
    crm_rows.source(3, "print")
    crm_rows.lead("2025-12-01 10:00", source_id=1, id=10)
    crm_rows.lead("2025-12-01 10:00", source_id=2, id=20)
    crm_rows.spend(JAN, "100.00", source_id=1)
    crm_rows.spend(FEB, "100.00", source_id=1, branch_id=2)
    crm_rows.spend(MAR, "999.00", source_id=1)  # month outside the period
    crm_rows.spend(JAN, "0.00", source_id=2)  # zero spend: null
    crm_rows.sale("2026-01-15 10:00", "250.00", lead_id=10)
    crm_rows.sale("2026-02-15 10:00", "50.00", lead_id=10, branch_id=2)
    crm_rows.sale("2026-02-16 10:00", "70.00", lead_id=10, status="canceled")
    crm_rows.sale("2026-02-15 10:00", "80.00", lead_id=20)

    rows = kpi("marketing_roi", JAN, MAR, by=["source"])

    assert rows == [
        {"source": 1, "source_name": "Source 1", "marketing_roi": 0.5},
        {"source": 2, "source_name": "Source 2", "marketing_roi": None},
        {"source": 3, "source_name": "Source 3", "marketing_roi": None},
    ]
    monthly = kpi("marketing_roi", JAN, MAR, by=["source"], grain="month", branch="CHI")
    assert [(r["source"], r["period"], r["marketing_roi"]) for r in monthly][:2] == [
        (1, JAN, 1.5),
        (1, FEB, None),
    ]
    by_branch = kpi("marketing_roi", JAN, MAR, by=["branch"])
    assert [(r["branch"], r["marketing_roi"]) for r in by_branch] == [
        ("AUS", -0.5),
        ("CHI", 2.3),
    ]
