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
