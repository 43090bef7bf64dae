"""How each metric is computed: its source (a bi view, or a crm table where it must), its
aggregate measures, their value over no rows, and how the measures give the metric's values.

Views serve every additive metric. The crm tables serve what a daily aggregate cannot:
medians/percentiles (resolution_hours, api_latency_*) and the metrics relative to "now"
(jobs_in_progress, days_outstanding; pipeline metrics live in special.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import BigInteger, Table, extract, func

from pulsebi.db.schema import api_requests, jobs, service_tickets
from pulsebi.metrics.query import Measures, Source, sales_reps_only
from pulsebi.views import definitions as v

ZERO = Decimal(0)
OPEN_JOB_STATUSES = ("pending", "scheduled", "in_progress")


@dataclass(frozen=True)
class Spec:
    source: Source
    measures: Measures
    defaults: dict[str, object]
    finalize: Callable[[dict], tuple]
    dated: bool = True
    services: Table | None = None  # where the members of the service dimension are listed
    narrow: Source | None = None  # a roll-up without the source, for questions not by source

    def source_for(self, by: tuple[str, ...]) -> Source:
        if self.narrow is not None and not {"source", "channel"} & set(by):
            return self.narrow
        return self.source


def ratio(num: object, den: object) -> float | None:
    """num / den as a fraction; None over no rows."""
    if not den:
        return None
    if isinstance(num, int) and isinstance(den, int):
        return num / den  # correctly rounded
    return float(Decimal(num) / Decimal(den))


def as_float(value: object) -> float | None:
    return None if value is None else float(value)


def _sum(col: str):
    return lambda c: func.sum(c[col])


def _count_sum(col: str):
    # sum(bigint) is numeric in PostgreSQL: back to an integer
    return lambda c: func.sum(c[col]).cast(BigInteger)


BRANCH_DIMS = {"branch": "branch_id"}
SALES_DIMS = {"branch": "branch_id", "source": "source_id"}
SERVICE_DIMS = {"service": "service"}
ROLLUPS = {"sales_daily": v.sales_branch_daily, "leads_daily": v.leads_branch_daily}


def view_source(view: Table, dims: dict) -> Source:
    """A daily view as a source, with its weekly roll-up where it has one (sums only)."""
    return Source(view, dims, day="day", weekly=v.WEEKLY.get(view.name))


def _narrow(view: Table) -> Source | None:
    rollup = ROLLUPS.get(view.name)
    return view_source(rollup, BRANCH_DIMS) if rollup is not None else None


def _view_sum(view: Table, dims: dict, metric: str, col: str, money: bool) -> Spec:
    return Spec(
        view_source(view, dims),
        {metric: _sum(col) if money else _count_sum(col)},
        {metric: ZERO if money else 0},
        lambda m, metric=metric, money=money: (m[metric] if money else int(m[metric]),),
        narrow=_narrow(view),
    )


def _view_ratio(view: Table, dims: dict, num: str, den: str, services: bool = False) -> Spec:
    return Spec(
        view_source(view, dims),
        {"num": _count_sum(num), "den": _count_sum(den)},
        {"num": 0, "den": 0},
        lambda m: (ratio(m["num"], m["den"]),),
        services=view if services else None,
        narrow=_narrow(view),
    )


def _epoch(expr):
    return extract("epoch", expr)


def _latency(fraction: float) -> Spec:
    return Spec(
        Source(api_requests, SERVICE_DIMS, ts="ts"),
        {"p": lambda c: func.percentile_cont(fraction).within_group(c.latency_ms)},
        {"p": None},
        lambda m: (as_float(m["p"]),),
        services=v.api_daily,
    )


SPECS: dict[str, Spec] = {
    "net_revenue": _view_sum(v.sales_daily, SALES_DIMS, "net_revenue", "net_revenue", True),
    "bookings": _view_sum(v.sales_daily, SALES_DIMS, "bookings", "bookings", True),
    "leads": _view_sum(v.leads_daily, SALES_DIMS, "leads", "leads", False),
    "lead_to_appointment_rate": _view_ratio(v.leads_daily, SALES_DIMS, "with_appointment", "leads"),
    "lead_to_sale_rate": _view_ratio(v.leads_daily, SALES_DIMS, "with_active_sale", "leads"),
    "closing_rate": _view_ratio(v.appointments_daily, BRANCH_DIMS, "ran_sold", "ran"),
    "rep_revenue": Spec(
        Source(
            v.rep_revenue_daily,
            {"branch": "branch_id", "rep": "employee_id"},
            day="day",
            where=sales_reps_only("employee_id"),
        ),
        {"rep_revenue": _sum("revenue")},
        {"rep_revenue": ZERO},
        lambda m: (m["rep_revenue"],),
    ),
    "jobs_in_progress": Spec(
        Source(jobs, BRANCH_DIMS),
        {"n": lambda c: func.count().filter(c.status == "in_progress")},
        {"n": 0},
        lambda m: (int(m["n"]),),
        dated=False,
    ),
    "job_completion_rate": _view_ratio(v.jobs_daily, BRANCH_DIMS, "completed", "not_canceled"),
    "days_outstanding": Spec(
        Source(jobs, BRANCH_DIMS, where=lambda c: c.status.in_(OPEN_JOB_STATUSES)),
        {
            "mean": lambda c: func.avg(_epoch(func.now() - c.created_at)) / 86400,
            "max": lambda c: func.max(_epoch(func.now() - c.created_at)) / 86400,
        },
        {"mean": None, "max": None},
        lambda m: (as_float(m["mean"]), as_float(m["max"])),
        dated=False,
    ),
    "ticket_volume": _view_sum(v.tickets_opened_daily, BRANCH_DIMS, "n", "opened", False),
    "resolution_hours": Spec(
        Source(service_tickets, BRANCH_DIMS, ts="resolved_at"),
        {
            "median": lambda c: func.percentile_cont(0.5).within_group(
                _epoch(c.resolved_at - c.opened_at) / 3600
            )
        },
        {"median": None},
        lambda m: (as_float(m["median"]),),
    ),
    "csat": _view_ratio(v.tickets_resolved_daily, BRANCH_DIMS, "csat_sum", "csat_count"),
    "calls_made": _view_sum(v.calls_daily, BRANCH_DIMS, "n", "calls", False),
    "appointments_set": _view_sum(v.calls_daily, BRANCH_DIMS, "n", "appointments_set", False),
    "telemarketing_conversion": _view_ratio(
        v.calls_daily, BRANCH_DIMS, "appointments_set", "calls"
    ),
    "doors_knocked": _view_sum(v.knocks_daily, BRANCH_DIMS, "n", "knocks", False),
    "leads_generated": _view_sum(v.knocks_daily, BRANCH_DIMS, "n", "leads", False),
    "api_latency_p50": _latency(0.5),
    "api_latency_p95": _latency(0.95),
    "error_rate": _view_ratio(v.api_daily, SERVICE_DIMS, "errors", "requests", services=True),
    "system_health": _view_ratio(v.health_daily, SERVICE_DIMS, "ok", "checks", services=True),
}

# The scorecards' additions (departments.py): new metrics, and the extra dimensions (rep,
# telemarketer, canvasser, ticket category/priority) of the contract metrics above.
from pulsebi.metrics.departments import register  # noqa: E402

register(SPECS)
