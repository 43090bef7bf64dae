"""The scorecards' metrics on hand-made rows: lead funnel, closing rate by rep, rep sales,
pipeline due, jobs by status, service by category and priority, telemarketers, canvassers."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from pulsebi import metrics
from pulsebi.errors import UsageError

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


def _ago(**delta) -> datetime:
    return datetime.now(UTC) - timedelta(**delta)


def _appointment(
    rows, when, lead_id=0, status="ran", result=None, rep_id=1, set_by=None, branch_id=1
):
    at = rows.at(when)
    return rows.add(
        "appointments",
        lead_id=lead_id,
        branch_id=branch_id,
        rep_id=rep_id,
        set_by_id=set_by,
        created_at=at,
        scheduled_for=at,
        status=status,
        result=result,
    )


def _call(rows, when, telemarketer_id, outcome="no_answer", branch_id=1):
    return rows.add(
        "calls",
        telemarketer_id=telemarketer_id,
        branch_id=branch_id,
        called_at=rows.at(when),
        duration_s=30,
        outcome=outcome,
    )


def _knock(rows, when, canvasser_id, outcome="no_answer", branch_id=1):
    return rows.add(
        "door_knocks",
        canvasser_id=canvasser_id,
        branch_id=branch_id,
        knocked_at=rows.at(when),
        outcome=outcome,
    )


def _ticket(
    rows, opened, resolved=None, csat=None, category="leak", priority="normal", branch_id=1
):
    return rows.add(
        "service_tickets",
        branch_id=branch_id,
        opened_at=rows.at(opened),
        resolved_at=rows.at(resolved) if resolved else None,
        category=category,
        priority=priority,
        csat=csat,
    )


def test_lead_funnel_counts_the_periods_leads_at_each_stage_at_any_time(crm_rows, kpi):
    crm_rows.branch(1, "CHI")
    crm_rows.branch(2, "AUS")
    crm_rows.source(1, "digital")
    crm_rows.source(2, "tv")
    a = crm_rows.lead("2026-01-05 10:00")  # appointment ran, sold in March (after the period)
    b = crm_rows.lead("2026-01-06 10:00", source_id=2)  # appointment scheduled only
    c = crm_rows.lead("2026-01-07 10:00", branch_id=2)  # two appointments: no_show, then ran
    crm_rows.lead("2026-01-08 10:00", branch_id=9)  # dangling branch, nothing else
    d = crm_rows.lead("2026-02-01 00:00")  # outside
    _appointment(crm_rows, "2026-01-10 10:00", a, "ran", "sold")
    _appointment(crm_rows, "2026-01-10 10:00", b, "scheduled")
    _appointment(crm_rows, "2026-01-10 10:00", c, "no_show")
    _appointment(crm_rows, "2026-01-12 10:00", c, "ran", "not_sold")
    _appointment(crm_rows, "2026-01-12 10:00", c, "Ran")  # odd status: not 'ran'
    _appointment(crm_rows, "2026-02-10 10:00", d, "ran", "sold")
    crm_rows.sale("2026-03-01 10:00", "100.00", lead_id=a)
    crm_rows.sale("2026-01-20 10:00", "100.00", lead_id=c, status="canceled")
    crm_rows.sale("2026-02-20 10:00", "100.00", lead_id=d)

    assert kpi("lead_funnel", JAN, FEB) == [
        {"funnel_leads": 4, "funnel_appointments": 3, "funnel_ran": 2, "funnel_sold": 1}
    ]
    rows = kpi("lead_funnel", JAN, FEB, by=["branch"])
    assert [(r["branch"], r["funnel_leads"], r["funnel_ran"]) for r in rows] == [
        ("AUS", 1, 1),
        ("CHI", 2, 1),
        (None, 1, 0),
    ]
    by_channel = kpi("lead_funnel", JAN, FEB, by=["channel"])
    assert [(r["channel"], r["funnel_appointments"]) for r in by_channel] == [
        ("digital", 2),
        ("tv", 1),
    ]
    weeks = kpi("lead_funnel", JAN, FEB, grain="month")
    assert weeks == [
        {
            "period": JAN,
            "funnel_leads": 4,
            "funnel_appointments": 3,
            "funnel_ran": 2,
            "funnel_sold": 1,
        },
    ]


def test_closing_rate_by_rep_lists_every_sales_rep_and_one_null_group(crm_rows, kpi):
    crm_rows.branch(1, "CHI")
    crm_rows.employee(1, name="Ann")
    crm_rows.employee(2, name="Bob")
    crm_rows.employee(3, name="Cy")  # no appointments: null rate
    crm_rows.employee(7, role="manager")  # not a rep: not listed
    for result in ("sold", "not_sold", "not_sold", "sold"):
        _appointment(crm_rows, "2026-01-10 10:00", result=result, rep_id=1)
    _appointment(crm_rows, "2026-01-10 10:00", result="sold", rep_id=2)
    _appointment(crm_rows, "2026-01-10 10:00", status="no_show", rep_id=2)  # not ran
    _appointment(crm_rows, "2026-01-10 10:00", result="not_sold", rep_id=7)  # manager
    _appointment(crm_rows, "2026-01-10 10:00", result="sold", rep_id=99)  # dangling
    _appointment(crm_rows, "2026-02-10 10:00", result="sold", rep_id=3)  # outside

    rows = kpi("closing_rate", JAN, FEB, by=["rep"])

    assert rows == [
        {"rep": 1, "rep_name": "Ann", "closing_rate": 0.5},
        {"rep": 2, "rep_name": "Bob", "closing_rate": 1.0},
        {"rep": 3, "rep_name": "Cy", "closing_rate": None},
        {"rep": None, "rep_name": None, "closing_rate": 0.5},
    ]
    assert kpi("closing_rate", JAN, FEB) == [{"closing_rate": 4 / 7}]
    fresh = metrics.compute("closing_rate", start=JAN, end=FEB, by=["rep"], fresh=True)
    assert list(fresh["closing_rate"].fillna(-1)) == [0.5, 1.0, -1, 0.5]
    with_branch = kpi("closing_rate", JAN, FEB, by=["rep", "branch"], branch="CHI")
    assert [r["closing_rate"] for r in with_branch][:2] == [0.5, 1.0]


def test_rep_sales_counts_active_sales_a_rep_has_a_split_in(crm_rows, kpi):
    crm_rows.branch(1, "CHI")
    crm_rows.employee(1, name="Ann")
    crm_rows.employee(2, name="Bob")
    crm_rows.employee(5, role="canvasser")
    shared = crm_rows.sale("2026-01-05 10:00", "100.00")
    crm_rows.split(shared, 1, "0.5")
    crm_rows.split(shared, 2, "0.5")
    twice = crm_rows.sale("2026-01-06 10:00", "100.00")
    crm_rows.split(twice, 1, "0.5")
    crm_rows.split(twice, 1, "0.5")  # duplicate employee: still one sale
    canceled = crm_rows.sale("2026-01-07 10:00", "100.00", status="canceled")
    crm_rows.split(canceled, 2, "1")
    other = crm_rows.sale("2026-01-08 10:00", "100.00", branch_id=3)
    crm_rows.split(other, 5, "1")  # not a rep: counts for no one
    later = crm_rows.sale("2026-02-08 10:00", "100.00")
    crm_rows.split(later, 2, "1")

    assert kpi("rep_sales", JAN, FEB, by=["rep"]) == [
        {"rep": 1, "rep_name": "Ann", "rep_sales": 2},
        {"rep": 2, "rep_name": "Bob", "rep_sales": 1},
    ]
    assert kpi("rep_sales", JAN, FEB) == [{"rep_sales": 2}]
    assert kpi("rep_sales", JAN, MAR, grain="month", branch="CHI") == [
        {"period": JAN, "rep_sales": 2},
        {"period": FEB, "rep_sales": 1},
    ]


def test_pipeline_due_values_only_future_appointments_inside_the_period(crm_rows, kpi, settings):
    crm_rows.branch(1, "CHI")
    crm_rows.branch(2, "AUS")
    today = datetime.now(settings.zone).date()
    start, end = today, today + timedelta(days=40)
    _appointment(crm_rows, _ago(days=-1), status="scheduled")
    _appointment(crm_rows, _ago(days=-2), status="scheduled")
    _appointment(crm_rows, _ago(minutes=5), status="scheduled")  # today but already past
    _appointment(crm_rows, _ago(days=-45), status="scheduled")  # after the period
    crm_rows.sale(_ago(days=10), "100.00")
    crm_rows.sale(_ago(days=20), "300.00")
    _appointment(crm_rows, _ago(days=3), result="sold")
    _appointment(crm_rows, _ago(days=3), result="not_sold")
    _appointment(crm_rows, _ago(days=-3), status="scheduled", branch_id=2)  # no trailing sales

    # 2 due appointments × average 200; weighted by closing rate 1/2
    assert kpi("pipeline_due", start, end) == [{"pipeline_due": Decimal("400")}]
    assert kpi("weighted_pipeline_due", start, end) == [{"weighted_pipeline_due": Decimal("200")}]
    assert kpi("pipeline_due", start, end, by=["branch"]) == [
        {"branch": "AUS", "branch_name": "Branch 2", "pipeline_due": None},
        {"branch": "CHI", "branch_name": "Branch 1", "pipeline_due": Decimal("400")},
    ]
    assert kpi("pipeline_due", start, end, branch="AUS") == [{"pipeline_due": None}]
    past = (today - timedelta(days=30), today)
    assert kpi("pipeline_due", *past) == [{"pipeline_due": 0}]
    # the whole future: the same as pipeline_value
    far = today + timedelta(days=400)
    whole = kpi("pipeline_due", today, far)[0]["pipeline_due"]
    assert whole == kpi("pipeline_value", JAN, FEB)[0]["pipeline_value"] == Decimal("600")


def test_jobs_created_by_status_lists_the_contract_values_and_odd_ones(crm_rows, kpi):
    crm_rows.branch(1, "CHI")
    crm_rows.job("2026-01-02 10:00", "completed")
    crm_rows.job("2026-01-03 10:00", "completed")
    crm_rows.job("2026-01-09 10:00", "pending")
    crm_rows.job("2026-01-09 10:00", "On hold")  # not a contract value: its own group
    crm_rows.job("2026-01-09 10:00", "pending", branch_id=4)  # dangling branch
    crm_rows.job("2026-02-02 10:00", "canceled")  # outside

    assert kpi("jobs_created", JAN, FEB) == [{"jobs_created": 5}]
    rows = kpi("jobs_created", JAN, FEB, by=["job_status"])
    assert [(r["job_status"], r["jobs_created"]) for r in rows] == [
        ("pending", 2),
        ("scheduled", 0),
        ("in_progress", 0),
        ("completed", 2),
        ("canceled", 0),
        ("On hold", 1),
    ]
    weekly = kpi("jobs_created", JAN, date(2026, 1, 12), by=["job_status"], grain="week")
    completed = [(r["period"], r["jobs_created"]) for r in weekly if r["job_status"] == "completed"]
    assert completed == [(date(2025, 12, 29), 2), (date(2026, 1, 5), 0)]
    by_branch = kpi("jobs_created", JAN, FEB, by=["branch"])
    assert [(r["branch"], r["jobs_created"]) for r in by_branch] == [("CHI", 4), (None, 1)]


def test_service_metrics_by_category_and_priority_and_the_top_two_csat_share(crm_rows, kpi):
    crm_rows.branch(1, "CHI")
    _ticket(crm_rows, "2026-01-02 10:00", "2026-01-02 12:00", 5, "leak", "high")  # 2 h
    _ticket(crm_rows, "2026-01-03 10:00", "2026-01-03 14:00", 4, "leak", "normal")  # 4 h
    _ticket(crm_rows, "2026-01-04 10:00", "2026-01-04 20:00", 2, "noise", "normal")  # 10 h
    _ticket(crm_rows, "2026-01-05 10:00", "2026-01-05 11:00", None, "noise", "Urgent")  # 1 h
    _ticket(crm_rows, "2026-01-06 10:00", None, None, "billing", "low")  # open
    _ticket(crm_rows, "2025-12-06 10:00", "2026-01-06 10:00", 1, "old", "low")  # opened in Dec

    assert kpi("csat_top2_share", JAN, FEB) == [{"csat_top2_share": 0.5}]
    by_category = kpi("ticket_volume", JAN, FEB, by=["category"])
    assert [(r["category"], r["ticket_volume"]) for r in by_category] == [
        ("billing", 1),
        ("leak", 2),
        ("noise", 2),
        ("old", 0),
    ]
    by_priority = kpi("resolution_hours", JAN, FEB, by=["priority"])
    assert [(r["priority"], r["resolution_hours"]) for r in by_priority] == [
        ("low", 744.0),
        ("normal", 7.0),
        ("high", 2.0),
        ("urgent", None),
        ("Urgent", 1.0),
    ]
    csat = kpi("csat", JAN, FEB, by=["category"])
    assert [(r["category"], r["csat"]) for r in csat] == [
        ("billing", None),
        ("leak", 4.5),
        ("noise", 2.0),
        ("old", 1.0),
    ]
    share = kpi("csat_top2_share", JAN, FEB, by=["priority"], branch="CHI")
    assert [r["csat_top2_share"] for r in share] == [0.0, 0.5, 1.0, None, None]
    assert kpi("csat", JAN, FEB) == [{"csat": 3.0}]


def test_telemarketers_calls_and_their_set_appointments(crm_rows, kpi):
    crm_rows.branch(1, "CHI")
    crm_rows.employee(1, name="Rep")
    crm_rows.employee(10, role="telemarketer", name="Tia")
    crm_rows.employee(11, role="telemarketer", name="Tom")
    for outcome in ("appointment_set", "no_answer", "no_answer", "appointment_set"):
        _call(crm_rows, "2026-01-05 10:00", 10, outcome)
    _call(crm_rows, "2026-01-05 10:00", 1, "appointment_set")  # a rep calling: null group
    _call(crm_rows, "2026-02-05 10:00", 11, "appointment_set")  # outside
    _appointment(crm_rows, "2026-01-10 10:00", result="sold", set_by=10)
    _appointment(crm_rows, "2026-01-10 10:00", result="not_sold", set_by=10)
    _appointment(crm_rows, "2026-01-10 10:00", status="no_show", set_by=10)
    _appointment(crm_rows, "2026-01-10 10:00", result="sold", set_by=11)
    _appointment(crm_rows, "2026-01-10 10:00", result="sold", set_by=None)  # not set
    _appointment(crm_rows, "2026-01-10 10:00", result="sold", set_by=77)  # dangling

    calls = kpi("calls_made", JAN, FEB, by=["telemarketer"])
    assert [(r["telemarketer"], r["telemarketer_name"], r["calls_made"]) for r in calls] == [
        (10, "Tia", 4),
        (11, "Tom", 0),
        (None, None, 1),
    ]
    conversion = kpi("telemarketing_conversion", JAN, FEB, by=["telemarketer"])
    assert [r["telemarketing_conversion"] for r in conversion] == [0.5, None, 1.0]
    assert [
        r["appointments_set"] for r in kpi("appointments_set", JAN, FEB, by=["telemarketer"])
    ] == [2, 0, 1]
    ran = kpi("set_appointments_ran", JAN, FEB, by=["telemarketer"])
    assert [r["set_appointments_ran"] for r in ran] == [2, 1, 1]
    sold = kpi("set_appointments_sold", JAN, FEB, by=["telemarketer"])
    assert [r["set_appointments_sold"] for r in sold] == [1, 1, 1]
    assert kpi("set_appointments_sold", JAN, FEB) == [{"set_appointments_sold": 3}]
    assert kpi("calls_made", JAN, FEB) == [{"calls_made": 5}]


def test_canvassers_knocks_lead_rate_and_the_sales_of_their_leads(crm_rows, kpi):
    crm_rows.branch(1, "CHI")
    crm_rows.branch(2, "AUS")
    crm_rows.employee(20, role="canvasser", name="Cal")
    crm_rows.employee(21, role="canvasser", name="Cat")
    for outcome in ("lead", "no_answer", "lead", "not_interested"):
        _knock(crm_rows, "2026-01-05 10:00", 20, outcome)
    _knock(crm_rows, "2026-01-05 10:00", 21, "Lead")  # odd outcome: no lead
    _knock(crm_rows, "2026-01-05 10:00", 99, "lead")  # dangling canvasser
    a = crm_rows.add("leads", branch_id=1, source_id=1, status="sold", canvasser_id=20,
                     created_at=crm_rows.at("2026-01-05 11:00"))  # fmt: skip
    b = crm_rows.add("leads", branch_id=2, source_id=1, status="sold", canvasser_id=20,
                     created_at=crm_rows.at("2026-01-06 11:00"))  # fmt: skip
    c = crm_rows.add("leads", branch_id=1, source_id=1, status="new", canvasser_id=None,
                     created_at=crm_rows.at("2026-01-06 11:00"))  # fmt: skip
    d = crm_rows.add("leads", branch_id=1, source_id=1, status="sold", canvasser_id=21,
                     created_at=crm_rows.at("2025-12-06 11:00"))  # fmt: skip
    crm_rows.sale("2026-04-01 10:00", "1000.50", lead_id=a)  # sold later: still counts
    crm_rows.sale("2026-01-09 10:00", "200.00", lead_id=a)
    crm_rows.sale("2026-01-09 10:00", "300.00", lead_id=b, branch_id=1)  # the lead's branch
    crm_rows.sale("2026-01-09 10:00", "400.00", lead_id=b, status="canceled")
    crm_rows.sale("2026-01-09 10:00", "500.00", lead_id=c)  # no canvasser
    crm_rows.sale("2026-01-09 10:00", "600.00", lead_id=d)  # lead from December

    knocks = kpi("doors_knocked", JAN, FEB, by=["canvasser"])
    assert [(r["canvasser"], r["doors_knocked"]) for r in knocks] == [(20, 4), (21, 1), (None, 1)]
    leads = kpi("leads_generated", JAN, FEB, by=["canvasser"])
    assert [r["leads_generated"] for r in leads] == [2, 0, 1]
    rate = kpi("canvass_lead_rate", JAN, FEB, by=["canvasser"])
    assert [r["canvass_lead_rate"] for r in rate] == [0.5, 0.0, 1.0]
    assert kpi("canvass_lead_rate", JAN, FEB) == [{"canvass_lead_rate": 0.5}]
    sales = kpi("canvass_sales", JAN, FEB, by=["canvasser"])
    assert [r["canvass_sales"] for r in sales] == [3, 0]
    revenue = kpi("canvass_revenue", JAN, FEB, by=["canvasser", "branch"])
    assert [(r["canvasser"], r["branch"], r["canvass_revenue"]) for r in revenue] == [
        (20, "AUS", Decimal("300.00")),
        (20, "CHI", Decimal("1200.50")),
        (21, "AUS", 0),
        (21, "CHI", 0),
    ]
    assert kpi("canvass_revenue", JAN, FEB) == [{"canvass_revenue": Decimal("1500.50")}]


def test_new_dimensions_are_checked_per_metric(kpi):
    with pytest.raises(UsageError, match="cannot be grouped by 'telemarketer'"):
        kpi("net_revenue", JAN, FEB, by=["telemarketer"])
    with pytest.raises(UsageError, match="unknown dimension"):
        kpi("calls_made", JAN, FEB, by=["caller"])


def test_kpi_cli_lists_and_answers_the_new_metrics_and_dimensions(crm_rows):
    import json

    from click.testing import CliRunner

    from pulsebi.cli import main

    crm_rows.branch(1, "CHI")
    crm_rows.employee(10, role="telemarketer", name="Tia")
    _call(crm_rows, "2026-01-05 10:00", 10, "appointment_set")
    _call(crm_rows, "2026-01-05 10:00", 42)  # no such employee: the null group

    listed = CliRunner().invoke(main, ["kpi", "--list", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    catalog = {m["id"]: m for m in json.loads(listed.output)}
    assert "telemarketer" in catalog["calls_made"]["dimensions"]
    assert catalog["lead_funnel"]["columns"] == [
        "funnel_leads",
        "funnel_appointments",
        "funnel_ran",
        "funnel_sold",
    ]
    args = ["--from", "2026-01-01", "--to", "2026-02-01", "--format", "json", "--no-cache"]
    result = CliRunner().invoke(main, ["kpi", "calls_made", "--by", "telemarketer", *args])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [
        {"telemarketer": 10, "telemarketer_name": "Tia", "calls_made": 1},
        {"telemarketer": None, "telemarketer_name": None, "calls_made": 1},
    ]
    bad = CliRunner().invoke(main, ["kpi", "leads", "--by", "canvasser", *args])
    assert bad.exit_code == 2 and "cannot be grouped by 'canvasser'" in bad.output
