"""Operations metrics on hand-made rows: jobs, tickets, telemarketing, canvassing, pipeline."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


def _ago(**delta) -> datetime:
    return datetime.now(UTC) - timedelta(**delta)


def test_jobs_in_progress_counts_jobs_now_per_branch(crm_rows, kpi):
    crm_rows.branch(1, "CHI")
    crm_rows.branch(2, "AUS")
    crm_rows.job("2025-01-01 10:00", "in_progress")
    crm_rows.job("2026-01-01 10:00", "in_progress")
    crm_rows.job("2026-01-01 10:00", "In_progress")  # odd value: not counted
    crm_rows.job("2026-01-01 10:00", "completed")
    crm_rows.job("2026-01-01 10:00", "in_progress", branch_id=5)  # dangling

    assert kpi("jobs_in_progress", JAN, FEB) == [{"jobs_in_progress": 3}]
    assert kpi("jobs_in_progress", JAN, FEB, by=["branch"]) == [
        {"branch": "AUS", "branch_name": "Branch 2", "jobs_in_progress": 0},
        {"branch": "CHI", "branch_name": "Branch 1", "jobs_in_progress": 2},
        {"branch": None, "branch_name": None, "jobs_in_progress": 1},
    ]


def test_job_completion_rate_excludes_canceled_jobs_from_the_denominator(crm_rows, kpi):
    crm_rows.job("2026-01-02 10:00", "completed")
    crm_rows.job("2026-01-02 10:00", "completed")
    crm_rows.job("2026-01-02 10:00", "in_progress")
    crm_rows.job("2026-01-02 10:00", "Canceled")  # not 'canceled': in the denominator
    crm_rows.job("2026-01-02 10:00", "canceled")
    crm_rows.job("2026-02-02 10:00", "completed")  # outside

    assert kpi("job_completion_rate", JAN, FEB) == [{"job_completion_rate": 0.5}]


def test_days_outstanding_is_elapsed_days_of_open_jobs_mean_and_max(crm_rows, kpi):
    crm_rows.job(_ago(days=2), "pending")
    crm_rows.job(_ago(days=4), "scheduled")
    crm_rows.job(_ago(days=6), "in_progress")
    crm_rows.job(_ago(days=50), "completed")  # closed
    crm_rows.job(_ago(days=50), "Pending")  # not an open status

    [row] = kpi("days_outstanding", JAN, FEB)

    assert list(row) == ["days_outstanding_mean", "days_outstanding_max"]
    assert row["days_outstanding_mean"] == pytest.approx(4, abs=1e-3)
    assert row["days_outstanding_max"] == pytest.approx(6, abs=1e-3)


def test_ticket_volume_resolution_median_and_csat(crm_rows, kpi):
    crm_rows.branch(1, "CHI")
    crm_rows.branch(2, "AUS")
    crm_rows.ticket("2025-12-31 22:00", "2026-01-01 01:00", csat=5)  # 3 h, opened in Dec
    crm_rows.ticket("2026-01-03 10:00", "2026-01-03 11:30", csat=7)  # 1.5 h, csat out of range
    crm_rows.ticket("2026-01-04 10:00", "2026-01-04 20:00")  # 10 h, no csat
    crm_rows.ticket("2026-01-05 10:00", "2026-01-05 09:00", csat=1)  # -1 h: counted as is
    crm_rows.ticket("2026-01-06 10:00")  # open
    crm_rows.ticket("2026-01-20 10:00", "2026-02-01 00:00", csat=2)  # resolved in February
    # across the spring-forward night: 01:00 CST to 04:00 CDT is 2 elapsed hours
    crm_rows.ticket("2026-03-08 01:00", "2026-03-08 04:00", csat=3, branch_id=2)

    assert kpi("ticket_volume", JAN, FEB) == [{"ticket_volume": 5}]
    # median of -1, 1.5, 3, 10: (1.5 + 3) / 2
    assert kpi("resolution_hours", JAN, FEB) == [{"resolution_hours": 2.25}]
    assert kpi("csat", JAN, FEB) == [{"csat": pytest.approx(13 / 3)}]
    mar = kpi("resolution_hours", date(2026, 3, 1), date(2026, 4, 1), by=["branch"])
    assert mar == [
        {"branch": "AUS", "branch_name": "Branch 2", "resolution_hours": 2.0},
        {"branch": "CHI", "branch_name": "Branch 1", "resolution_hours": None},
    ]


def test_calls_and_door_knocks_count_outcomes_exactly(crm_rows, kpi):
    for outcome in ("appointment_set", "appointment_set", "no_answer", "Appointment_set"):
        crm_rows.call("2026-01-10 10:00", outcome)
    crm_rows.call("2026-02-10 10:00", "appointment_set")
    for outcome in ("lead", "no_answer", "callback", "lead ", "lead"):
        crm_rows.knock("2026-01-10 10:00", outcome)

    assert kpi("calls_made", JAN, FEB) == [{"calls_made": 4}]
    assert kpi("appointments_set", JAN, FEB) == [{"appointments_set": 2}]
    assert kpi("telemarketing_conversion", JAN, FEB) == [{"telemarketing_conversion": 0.5}]
    assert kpi("doors_knocked", JAN, FEB) == [{"doors_knocked": 5}]
    assert kpi("leads_generated", JAN, FEB) == [{"leads_generated": 2}]
    assert kpi("telemarketing_conversion", date(2026, 3, 1), date(2026, 4, 1)) == [
        {"telemarketing_conversion": None}
    ]


def test_pipeline_values_scheduled_appointments_at_the_branchs_trailing_average(crm_rows, kpi):
    crm_rows.branch(1, "CHI")
    crm_rows.branch(2, "AUS")
    crm_rows.branch(3, "DEN")
    # branch 1: 3 future scheduled appointments, trailing average (100 + 200) / 2 = 150
    for days in (1, 2, 30):
        crm_rows.appointment(_ago(days=-days), status="scheduled")
    crm_rows.appointment(_ago(days=1), status="scheduled")  # in the past: not pipeline
    crm_rows.appointment(_ago(days=-1), status="Scheduled")  # odd status
    crm_rows.sale(_ago(days=10), "100.00")
    crm_rows.sale(_ago(days=89), "200.00")
    crm_rows.sale(_ago(days=91), "900.00")  # before the trailing 90 days
    crm_rows.sale(_ago(days=5), "900.00", status="canceled")
    # trailing closing rate of branch 1: 1 sold of 4 ran
    crm_rows.appointment(_ago(days=3), status="ran", result="sold")
    for _ in range(3):
        crm_rows.appointment(_ago(days=3), status="ran", result="not_sold")
    crm_rows.appointment(_ago(days=100), status="ran", result="sold")  # too old
    # branch 2: scheduled appointments but no trailing sales: unknown value
    crm_rows.appointment(_ago(days=-3), status="scheduled", branch_id=2)

    assert kpi("pipeline_value", JAN, FEB, by=["branch"]) == [
        {"branch": "AUS", "branch_name": "Branch 2", "pipeline_value": None},
        {"branch": "CHI", "branch_name": "Branch 1", "pipeline_value": Decimal("450")},
        {"branch": "DEN", "branch_name": "Branch 3", "pipeline_value": 0},
    ]
    assert kpi("weighted_pipeline", JAN, FEB, by=["branch"])[1]["weighted_pipeline"] == (
        Decimal("112.5")
    )
    assert kpi("pipeline_value", JAN, FEB) == [{"pipeline_value": Decimal("450")}]
    assert kpi("weighted_pipeline", JAN, FEB, branch="CHI") == [
        {"weighted_pipeline": Decimal("112.5")}
    ]
