"""The scorecards' metrics and dimensions: specs for the catalog's additions (lead funnel, rep
sales, jobs created, csat 4–5 share, set appointments, canvass results) and routes that let
contract metrics be grouped by job status, ticket category/priority, telemarketer, canvasser.

The views hold no such dimensions, so a question by one of them reads a row-level query over
the crm table instead (a `route`). A route's rows carry the raw columns (what the `fresh`
measures read) and, per row, the view's columns as 0/1 or the value (what the view measures
sum), so one spec answers both ways and its definition does not change with the route.

Employee dimensions list every employee of the role; an id that is no such employee (dangling,
or someone with another role) falls in the one null group, so groups add up to the total.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from sqlalchemy import BigInteger, Integer, case, func, literal, select
from sqlalchemy.sql import ColumnElement

from pulsebi.db import schema as crm
from pulsebi.metrics.catalog import FUNNEL
from pulsebi.metrics.query import Source, sales_reps_only
from pulsebi.metrics.specs import BRANCH_DIMS, SALES_DIMS, ZERO, Spec, ratio, view_source
from pulsebi.views import definitions as v


@dataclasses.dataclass(frozen=True)
class RoutedSpec(Spec):
    """A spec with row-level sources for dimensions its own source lacks."""

    routes: tuple[Source, ...] = ()

    def source_for(self, by: tuple[str, ...]) -> Source:
        base = super().source_for(by)
        wanted = {"source" if d == "channel" else d for d in by}
        if wanted <= set(base.dims):
            return base
        for route in self.routes:
            if wanted <= set(route.dims):
                return route
        return base


def routed(spec: Spec, *routes: Source) -> RoutedSpec:
    fields = {f.name: getattr(spec, f.name) for f in dataclasses.fields(Spec)}
    return RoutedSpec(**fields, routes=routes)


def member_or_null(col: ColumnElement, role: str) -> ColumnElement:
    """The id when it is an employee with exactly this role, else null."""
    ids = select(crm.employees.c.id).where(crm.employees.c.role == role)
    return case((col.in_(ids), col), else_=None)


def flag(condition: ColumnElement) -> ColumnElement:
    return case((condition, 1), else_=0)


def _count(condition=None):
    return lambda c: func.count() if condition is None else func.count().filter(condition(c))


def _count_sum(col: str):
    return lambda c: func.sum(c[col]).cast(BigInteger)


def _counts(names: Iterable[str]):
    return lambda m: tuple(int(m[n]) for n in names)


def _rate(m: dict) -> tuple:
    return (ratio(m["num"], m["den"]),)


# --- row-level routes ---------------------------------------------------------------------------

a, t, k, cl = crm.appointments, crm.service_tickets, crm.door_knocks, crm.calls

_appointments_by_rep = select(
    a.c.id,
    a.c.branch_id,
    a.c.scheduled_for,
    a.c.status,
    a.c.result,
    member_or_null(a.c.rep_id, "sales_rep").label("rep"),
    flag(a.c.status == "ran").label("ran"),
    flag((a.c.status == "ran") & (a.c.result == "sold")).label("ran_sold"),
).subquery("appointments_by_rep")
_calls_by_telemarketer = select(
    cl.c.id,
    cl.c.branch_id,
    cl.c.called_at,
    cl.c.outcome,
    member_or_null(cl.c.telemarketer_id, "telemarketer").label("telemarketer"),
    literal(1, Integer).label("calls"),
    flag(cl.c.outcome == "appointment_set").label("appointments_set"),
).subquery("calls_by_telemarketer")
_knocks_by_canvasser = select(
    k.c.id,
    k.c.branch_id,
    k.c.knocked_at,
    k.c.outcome,
    member_or_null(k.c.canvasser_id, "canvasser").label("canvasser"),
    literal(1, Integer).label("knocks"),
    flag(k.c.outcome == "lead").label("leads"),
).subquery("knocks_by_canvasser")
_tickets = select(
    t,
    literal(1, Integer).label("opened"),
    func.coalesce(t.c.csat, 0).label("csat_sum"),
    flag(t.c.csat.is_not(None)).label("csat_count"),
).subquery("tickets")

TICKET_DIMS = {"branch": "branch_id", "category": "category", "priority": "priority"}
BY_REP = Source(_appointments_by_rep, {"branch": "branch_id", "rep": "rep"}, ts="scheduled_for")
BY_TELEMARKETER = Source(
    _calls_by_telemarketer,
    {"branch": "branch_id", "telemarketer": "telemarketer"},
    ts="called_at",
)
BY_CANVASSER = Source(
    _knocks_by_canvasser, {"branch": "branch_id", "canvasser": "canvasser"}, ts="knocked_at"
)
TICKETS_OPENED = Source(_tickets, TICKET_DIMS, ts="opened_at")
TICKETS_RESOLVED = Source(_tickets, TICKET_DIMS, ts="resolved_at")

ROUTES = {
    "closing_rate": (BY_REP,),
    "calls_made": (BY_TELEMARKETER,),
    "appointments_set": (BY_TELEMARKETER,),
    "telemarketing_conversion": (BY_TELEMARKETER,),
    "doors_knocked": (BY_CANVASSER,),
    "leads_generated": (BY_CANVASSER,),
    "ticket_volume": (TICKETS_OPENED,),
    "resolution_hours": (TICKETS_RESOLVED,),
    "csat": (TICKETS_RESOLVED,),
}

# --- new metrics --------------------------------------------------------------------------------


def _lead_ids(table, condition=None, name: str = "ids"):
    stmt = select(table.c.lead_id)
    return (stmt.where(condition) if condition is not None else stmt).distinct().subquery(name)


_any_appointment = _lead_ids(a, name="any_appointment")
_ran_appointment = _lead_ids(a, a.c.status == "ran", "ran_appointment")
_active_sale = _lead_ids(crm.sales, crm.sales.c.status == "active", "active_sale")
# Leads with their funnel stages, by joins to distinct lead ids (spill-safe, as leads_daily):
# what `fresh=True` reads instead of bi.leads_daily.
_lead_funnel = (
    select(
        crm.leads.c.id,
        crm.leads.c.branch_id,
        crm.leads.c.source_id,
        crm.leads.c.created_at,
        _any_appointment.c.lead_id.is_not(None).label("has_appointment"),
        _ran_appointment.c.lead_id.is_not(None).label("has_ran"),
        _active_sale.c.lead_id.is_not(None).label("has_active_sale"),
    )
    .select_from(
        crm.leads.outerjoin(_any_appointment, _any_appointment.c.lead_id == crm.leads.c.id)
        .outerjoin(_ran_appointment, _ran_appointment.c.lead_id == crm.leads.c.id)
        .outerjoin(_active_sale, _active_sale.c.lead_id == crm.leads.c.id)
    )
    .subquery("lead_funnel")
)


_split_sales = (
    select(
        crm.sales.c.id.label("sale_id"),
        crm.sales.c.branch_id,
        crm.sales.c.sold_at,
        crm.sale_splits.c.employee_id,
    )
    .select_from(crm.sale_splits.join(crm.sales, crm.sales.c.id == crm.sale_splits.c.sale_id))
    .where(crm.sales.c.status == "active")
    .subquery("split_sales")
)
_set_appointments = (
    select(
        a.c.id,
        a.c.branch_id,
        a.c.scheduled_for,
        a.c.status,
        a.c.result,
        member_or_null(a.c.set_by_id, "telemarketer").label("telemarketer"),
    )
    .where(a.c.set_by_id.is_not(None))
    .subquery("set_appointments")
)
_canvass_sales = (
    select(
        crm.leads.c.branch_id,
        crm.leads.c.created_at,
        member_or_null(crm.leads.c.canvasser_id, "canvasser").label("canvasser"),
        crm.sales.c.amount,
    )
    .select_from(
        crm.leads.join(
            crm.sales,
            (crm.sales.c.lead_id == crm.leads.c.id) & (crm.sales.c.status == "active"),
        )
    )
    .where(crm.leads.c.canvasser_id.is_not(None))
    .subquery("canvass_sales")
)

SET_DIMS = {"branch": "branch_id", "telemarketer": "telemarketer"}
CANVASS_DIMS = {"branch": "branch_id", "canvasser": "canvasser"}


def _set_appointments_spec(condition) -> Spec:
    return Spec(
        Source(_set_appointments, SET_DIMS, ts="scheduled_for"),
        {"n": _count(condition)},
        {"n": 0},
        _counts(["n"]),
    )


NEW_SPECS: dict[str, Spec] = {
    "lead_funnel": Spec(
        Source(v.leads_daily, SALES_DIMS, day="day"),
        {
            "funnel_leads": _count_sum("leads"),
            "funnel_appointments": _count_sum("with_appointment"),
            "funnel_ran": _count_sum("with_ran_appointment"),
            "funnel_sold": _count_sum("with_active_sale"),
        },
        dict.fromkeys(FUNNEL, 0),
        _counts(FUNNEL),
        narrow=view_source(v.leads_branch_daily, BRANCH_DIMS),
    ),
    "rep_sales": Spec(
        Source(
            _split_sales,
            {"branch": "branch_id", "rep": "employee_id"},
            ts="sold_at",
            where=sales_reps_only("employee_id"),
        ),
        {"n": lambda c: func.count(c.sale_id.distinct())},
        {"n": 0},
        _counts(["n"]),
    ),
    "jobs_created": Spec(
        Source(crm.jobs, {"branch": "branch_id", "job_status": "status"}, ts="created_at"),
        {"n": _count()},
        {"n": 0},
        _counts(["n"]),
    ),
    "csat_top2_share": Spec(
        TICKETS_RESOLVED,
        {"num": _count(lambda c: c.csat.in_((4, 5))), "den": lambda c: func.count(c.csat)},
        {"num": 0, "den": 0},
        _rate,
    ),
    "set_appointments_ran": _set_appointments_spec(lambda c: c.status == "ran"),
    "set_appointments_sold": _set_appointments_spec(
        lambda c: (c.status == "ran") & (c.result == "sold")
    ),
    "canvass_lead_rate": RoutedSpec(
        Source(v.knocks_daily, BRANCH_DIMS, day="day"),
        {"num": _count_sum("leads"), "den": _count_sum("knocks")},
        {"num": 0, "den": 0},
        _rate,
        routes=(BY_CANVASSER,),
    ),
    "canvass_sales": Spec(
        Source(_canvass_sales, CANVASS_DIMS, ts="created_at"),
        {"n": _count()},
        {"n": 0},
        _counts(["n"]),
    ),
    "canvass_revenue": Spec(
        Source(_canvass_sales, CANVASS_DIMS, ts="created_at"),
        {"revenue": lambda c: func.sum(c.amount)},
        {"revenue": ZERO},
        lambda m: (m["revenue"],),
    ),
}


# Metrics served by views here, and what `fresh=True` reads instead (see raw.py).
RAW: dict[str, tuple[Source, dict]] = {
    "lead_funnel": (
        Source(_lead_funnel, SALES_DIMS, ts="created_at"),
        {
            "funnel_leads": _count(),
            "funnel_appointments": _count(lambda c: c.has_appointment),
            "funnel_ran": _count(lambda c: c.has_ran),
            "funnel_sold": _count(lambda c: c.has_active_sale),
        },
    ),
    # the canvasser route's rows carry the view's 0/1 columns, so the view's measures sum them
    "canvass_lead_rate": (
        BY_CANVASSER,
        {"num": _count_sum("leads"), "den": _count_sum("knocks")},
    ),
}


def register(specs: dict[str, Spec]) -> None:
    """Add the new metrics to `specs` and give the contract metrics their extra dimensions."""
    for metric_id, routes in ROUTES.items():
        specs[metric_id] = routed(specs[metric_id], *routes)
    specs.update(NEW_SPECS)
