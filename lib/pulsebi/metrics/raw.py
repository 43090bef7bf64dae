"""The same metrics read straight from the crm tables (`compute(..., fresh=True)`).

The views answer from their last refresh; a caller that must see rows written a moment ago
(the live worker) or that checks the views (tests, the benchmark) asks for `fresh`. Measures
are named as in `specs.SPECS`, so defaults and finalizers are shared.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import BigInteger, func, select

from pulsebi.db import schema as crm
from pulsebi.metrics import departments
from pulsebi.metrics.query import Measures, Source, sales_reps_only
from pulsebi.metrics.specs import BRANCH_DIMS, SALES_DIMS, SERVICE_DIMS, SPECS, Spec

_sales_with_source = (
    select(
        crm.sales.c.branch_id,
        crm.sales.c.sold_at,
        crm.sales.c.amount,
        crm.sales.c.status,
        crm.leads.c.source_id,
    )
    .select_from(crm.sales.outerjoin(crm.leads, crm.leads.c.id == crm.sales.c.lead_id))
    .subquery("sales_with_source")
)
_split_revenue = (
    select(
        crm.sales.c.branch_id,
        crm.sales.c.sold_at,
        crm.sale_splits.c.employee_id,
        (crm.sales.c.amount * crm.sale_splits.c.share).label("revenue"),
    )
    .select_from(crm.sale_splits.join(crm.sales, crm.sales.c.id == crm.sale_splits.c.sale_id))
    .where(crm.sales.c.status == "active")
    .subquery("split_revenue")
)

SALES = Source(_sales_with_source, SALES_DIMS, ts="sold_at")
SPEND = Source(crm.marketing_spend, SALES_DIMS, day="month")


def _count(condition=None):
    return lambda c: func.count() if condition is None else func.count().filter(condition(c))


_with_appointment = select(crm.appointments.c.lead_id).distinct().subquery("with_appointment")
_with_active_sale = (
    select(crm.sales.c.lead_id).where(crm.sales.c.status == "active").distinct().subquery()
)
# Leads with their cohort flags, by joins to distinct lead ids (spill-safe, as in leads_daily).
_leads_with_outcomes = (
    select(
        crm.leads.c.id, crm.leads.c.branch_id, crm.leads.c.source_id, crm.leads.c.created_at,
        _with_appointment.c.lead_id.is_not(None).label("has_appointment"),
        _with_active_sale.c.lead_id.is_not(None).label("has_active_sale"),
    )
    .select_from(
        crm.leads.outerjoin(_with_appointment, _with_appointment.c.lead_id == crm.leads.c.id)
        .outerjoin(_with_active_sale, _with_active_sale.c.lead_id == crm.leads.c.id)
    )
    .subquery("leads_with_outcomes")
)  # fmt: skip
LEAD_COHORTS = Source(_leads_with_outcomes, SALES_DIMS, ts="created_at")


RAW: dict[str, tuple[Source, Measures]] = {
    "net_revenue": (
        SALES,
        {"net_revenue": lambda c: func.sum(c.amount).filter(c.status == "active")},
    ),
    "bookings": (SALES, {"bookings": lambda c: func.sum(c.amount)}),
    "leads": (Source(crm.leads, SALES_DIMS, ts="created_at"), {"leads": _count()}),
    "lead_to_appointment_rate": (
        LEAD_COHORTS,
        {"num": _count(lambda c: c.has_appointment), "den": _count()},
    ),
    "lead_to_sale_rate": (
        LEAD_COHORTS,
        {"num": _count(lambda c: c.has_active_sale), "den": _count()},
    ),
    "closing_rate": (
        Source(crm.appointments, BRANCH_DIMS, ts="scheduled_for"),
        {
            "num": _count(lambda c: (c.status == "ran") & (c.result == "sold")),
            "den": _count(lambda c: c.status == "ran"),
        },
    ),
    "rep_revenue": (
        Source(
            _split_revenue,
            {"branch": "branch_id", "rep": "employee_id"},
            ts="sold_at",
            where=sales_reps_only("employee_id"),
        ),
        {"rep_revenue": lambda c: func.sum(c.revenue)},
    ),
    "job_completion_rate": (
        Source(crm.jobs, BRANCH_DIMS, ts="created_at"),
        {
            "num": _count(lambda c: c.status == "completed"),
            "den": _count(lambda c: c.status != "canceled"),
        },
    ),
    "ticket_volume": (Source(crm.service_tickets, BRANCH_DIMS, ts="opened_at"), {"n": _count()}),
    "csat": (
        Source(crm.service_tickets, BRANCH_DIMS, ts="resolved_at"),
        {"num": lambda c: func.sum(c.csat).cast(BigInteger), "den": lambda c: func.count(c.csat)},
    ),
    "calls_made": (Source(crm.calls, BRANCH_DIMS, ts="called_at"), {"n": _count()}),
    "appointments_set": (
        Source(crm.calls, BRANCH_DIMS, ts="called_at"),
        {"n": _count(lambda c: c.outcome == "appointment_set")},
    ),
    "telemarketing_conversion": (
        Source(crm.calls, BRANCH_DIMS, ts="called_at"),
        {"num": _count(lambda c: c.outcome == "appointment_set"), "den": _count()},
    ),
    "doors_knocked": (Source(crm.door_knocks, BRANCH_DIMS, ts="knocked_at"), {"n": _count()}),
    "leads_generated": (
        Source(crm.door_knocks, BRANCH_DIMS, ts="knocked_at"),
        {"n": _count(lambda c: c.outcome == "lead")},
    ),
    "error_rate": (
        Source(crm.api_requests, SERVICE_DIMS, ts="ts"),
        {"num": _count(lambda c: c.status_code >= 500), "den": _count()},
    ),
    "system_health": (
        Source(crm.health_checks, SERVICE_DIMS, ts="ts"),
        {"num": _count(lambda c: c.ok), "den": _count()},
    ),
}


RAW.update(departments.RAW)


def fresh_spec(metric_id: str) -> Spec:
    """The metric's spec reading crm tables (itself when it already does)."""
    spec = SPECS[metric_id]
    if metric_id not in RAW:
        return spec
    source, measures = RAW[metric_id]
    assert set(measures) == set(spec.measures), metric_id
    return dataclasses.replace(spec, source=source, measures=measures, narrow=None)
