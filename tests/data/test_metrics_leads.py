"""Lead-side metrics on hand-made rows: leads, cohort rates, closing rate."""

from datetime import date

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


def test_leads_counts_every_lead_whatever_its_status(crm_rows, kpi):
    crm_rows.branch(1, "CHI")
    crm_rows.branch(2, "AUS")
    crm_rows.lead("2026-01-01 00:00")
    crm_rows.lead("2026-01-31 23:59", status="Sold ")  # odd status: still a lead
    crm_rows.lead("2026-02-01 00:00")  # next month
    crm_rows.lead("2025-12-31T23:59:00-06:00")  # previous year locally
    crm_rows.lead("2026-01-15 12:00", branch_id=42)  # dangling branch

    assert kpi("leads", JAN, FEB) == [{"leads": 3}]
    assert kpi("leads", JAN, FEB, by=["branch"]) == [
        {"branch": "AUS", "branch_name": "Branch 2", "leads": 0},
        {"branch": "CHI", "branch_name": "Branch 1", "leads": 2},
        {"branch": None, "branch_name": None, "leads": 1},
    ]


def test_cohort_rates_count_appointments_and_active_sales_at_any_time(crm_rows, kpi):
    a = crm_rows.lead("2026-01-05 10:00")
    b = crm_rows.lead("2026-01-06 10:00")
    c = crm_rows.lead("2026-01-07 10:00")
    d = crm_rows.lead("2026-01-08 10:00")
    crm_rows.lead("2026-02-08 10:00")  # outside the period
    crm_rows.appointment("2026-01-10 10:00", lead_id=a, status="canceled")  # any status
    crm_rows.appointment("2026-01-11 10:00", lead_id=a, status="scheduled")  # counted once
    crm_rows.appointment("2026-06-10 10:00", lead_id=b, status="scheduled")  # after the period
    crm_rows.sale("2026-07-01 10:00", "10.00", lead_id=b)  # later active sale: counts
    crm_rows.sale("2026-01-20 10:00", "10.00", lead_id=c, status="canceled")  # not active
    crm_rows.sale("2026-01-20 10:00", "10.00", lead_id=d, status="Active")  # not 'active'
    crm_rows.sale("2026-01-20 10:00", "10.00", lead_id=999)  # dangling lead

    assert kpi("lead_to_appointment_rate", JAN, FEB) == [{"lead_to_appointment_rate": 0.5}]
    assert kpi("lead_to_sale_rate", JAN, FEB) == [{"lead_to_sale_rate": 0.25}]
    assert kpi("lead_to_sale_rate", MAR, date(2026, 4, 1)) == [{"lead_to_sale_rate": None}]


def test_cohort_rate_by_source_uses_the_leads_source_and_null_over_no_leads(crm_rows, kpi):
    crm_rows.source(1, "tv")
    crm_rows.source(2, "radio")
    a = crm_rows.lead("2026-01-05 10:00", source_id=1)
    crm_rows.lead("2026-01-05 10:00", source_id=1)
    crm_rows.lead("2026-01-05 10:00", source_id=1)
    x = crm_rows.lead("2026-01-05 10:00", source_id=9)  # dangling source
    crm_rows.appointment("2026-01-10 10:00", lead_id=a, status="no_show")
    crm_rows.appointment("2026-01-10 10:00", lead_id=x, status="ran", result="sold")

    rows = kpi("lead_to_appointment_rate", JAN, FEB, by=["source"])

    assert rows == [
        {"source": 1, "source_name": "Source 1", "lead_to_appointment_rate": 1 / 3},
        {"source": 2, "source_name": "Source 2", "lead_to_appointment_rate": None},
        {"source": None, "source_name": None, "lead_to_appointment_rate": 1.0},
    ]


def test_closing_rate_is_sold_share_of_ran_appointments_scheduled_in_the_period(crm_rows, kpi):
    crm_rows.branch(1, "CHI")
    crm_rows.branch(2, "AUS")
    crm_rows.appointment("2026-01-02 10:00", status="ran", result="sold")
    crm_rows.appointment("2026-01-03 10:00", status="ran", result="not_sold")
    crm_rows.appointment("2026-01-04 10:00", status="ran", result=None)  # denominator too
    crm_rows.appointment("2026-01-05 10:00", status="ran", result="Sold")  # not 'sold'
    crm_rows.appointment("2026-01-05 10:00", status="Ran", result="sold")  # not 'ran'
    crm_rows.appointment("2026-01-06 10:00", status="no_show")
    crm_rows.appointment("2026-02-01T05:30:00+00:00", status="ran", result="sold")  # Jan 31 local
    crm_rows.appointment("2026-02-01 00:00", status="ran", result="sold")  # February

    assert kpi("closing_rate", JAN, FEB) == [{"closing_rate": 0.4}]
    assert kpi("closing_rate", JAN, FEB, by=["branch"]) == [
        {"branch": "AUS", "branch_name": "Branch 2", "closing_rate": None},
        {"branch": "CHI", "branch_name": "Branch 1", "closing_rate": 0.4},
    ]
