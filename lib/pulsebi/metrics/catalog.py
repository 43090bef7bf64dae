"""What each metric is: id, label, unit, definition, allowed dimensions and grains.

The definitions are the contract's (shared/docs/crm-contract.md, "Metric definitions"); the
report builder, the CLI (`pulsebi kpi --list`) and the dashboards read this catalog.
"""

from __future__ import annotations

from dataclasses import dataclass

UNITS = ("usd", "count", "rate", "hours", "days", "ms", "score")
GRAINS = ("day", "week", "month", "year")
DIMENSIONS = ("branch", "rep", "source", "channel", "service")

PERIOD_GRAINS = GRAINS
MONTHLY_GRAINS = ("month", "year")
SALES_DIMS = ("branch", "source", "channel")


@dataclass(frozen=True)
class MetricInfo:
    """One metric of the catalog.

    `columns` are the value columns a result carries (the id itself, or `<id>_mean` /
    `<id>_max`...). `snapshot` metrics are relative to "now" (the instant of the query): they
    take no period and no grain, and `start`/`end` are ignored.
    """

    id: str
    label: str
    unit: str
    definition: str
    dimensions: tuple[str, ...]
    grains: tuple[str, ...]
    columns: tuple[str, ...] = ()
    snapshot: bool = False

    def __post_init__(self) -> None:
        if not self.columns:
            object.__setattr__(self, "columns", (self.id,))

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "label": self.label,
            "unit": self.unit,
            "definition": self.definition,
            "dimensions": list(self.dimensions),
            "grains": list(self.grains),
            "columns": list(self.columns),
            "snapshot": self.snapshot,
        }


def _m(id_, label, unit, definition, dims, grains=PERIOD_GRAINS, **kw) -> MetricInfo:
    return MetricInfo(id_, label, unit, definition, tuple(dims), tuple(grains), **kw)


BRANCH = ("branch",)
SERVICE = ("service",)

CATALOG: dict[str, MetricInfo] = {
    m.id: m
    for m in (
        _m("net_revenue", "Net revenue", "usd",
           "sum of sales.amount with status = 'active', bucketed by sold_at", SALES_DIMS),
        _m("bookings", "Bookings", "usd",
           "sum of sales.amount of all sales, canceled included, bucketed by sold_at",
           SALES_DIMS),
        _m("leads", "Leads", "count", "count of leads, bucketed by created_at", SALES_DIMS),
        _m("lead_to_appointment_rate", "Lead → appointment rate", "rate",
           "of the leads created in the period, the share with at least one appointment "
           "(any status, at any time)", SALES_DIMS),
        _m("closing_rate", "Closing rate", "rate",
           "of the appointments with status = 'ran' and scheduled_for in the period, the share "
           "with result = 'sold'", BRANCH),
        _m("lead_to_sale_rate", "Lead → sale rate", "rate",
           "of the leads created in the period, the share with at least one active sale "
           "(at any time)", SALES_DIMS),
        _m("rep_revenue", "Rep revenue", "usd",
           "for a sales rep: sum of sales.amount × sale_splits.share over active sales in the "
           "period where the rep has a split (every employee with role 'sales_rep')",
           ("rep", "branch")),
        _m("rep_ranking", "Rep ranking", "usd",
           "reps of a branch (employees.branch_id) ordered by rep revenue, descending; ties "
           "broken by employee id ascending; rows: branch, rank, rep, rep_name, rep_revenue",
           (), (), columns=("rank", "rep_revenue")),
        _m("pipeline_value", "Pipeline value", "usd",
           "appointments with status = 'scheduled' and scheduled_for after now, count × the "
           "branch's average active sale amount over [now − 90 days, now)", BRANCH, (),
           snapshot=True),
        _m("weighted_pipeline", "Weighted pipeline", "usd",
           "pipeline value × the branch's closing rate over appointments scheduled in "
           "[now − 90 days, now)", BRANCH, (), snapshot=True),
        _m("marketing_roi", "Marketing ROI", "rate",
           "net revenue of sales whose lead has the source / marketing spend of the source with "
           "from ≤ month < to, − 1; null when that spend is 0", SALES_DIMS, MONTHLY_GRAINS),
        _m("jobs_in_progress", "Jobs in progress", "count",
           "count of jobs with status = 'in_progress' at the time of the query", BRANCH, (),
           snapshot=True),
        _m("job_completion_rate", "Job completion rate", "rate",
           "of the jobs created in the period with status <> 'canceled', the share with "
           "status = 'completed'", BRANCH),
        _m("days_outstanding", "Days outstanding", "days",
           "open jobs (pending, scheduled, in_progress): elapsed days from created_at to now, "
           "mean and max", BRANCH, (), snapshot=True,
           columns=("days_outstanding_mean", "days_outstanding_max")),
        _m("ticket_volume", "Ticket volume", "count",
           "count of service_tickets opened in the period", BRANCH),
        _m("resolution_hours", "Resolution time", "hours",
           "median (percentile_cont) hours from opened_at to resolved_at of tickets resolved "
           "in the period", BRANCH),
        _m("csat", "Customer satisfaction", "score",
           "mean csat of tickets resolved in the period that have a csat", BRANCH),
        _m("calls_made", "Calls made", "count", "count of calls in the period", BRANCH),
        _m("appointments_set", "Appointments set", "count",
           "count of calls in the period with outcome = 'appointment_set'", BRANCH),
        _m("telemarketing_conversion", "Telemarketing conversion", "rate",
           "appointments set / calls made", BRANCH),
        _m("doors_knocked", "Doors knocked", "count",
           "count of door_knocks in the period", BRANCH),
        _m("leads_generated", "Leads generated", "count",
           "count of door_knocks in the period with outcome = 'lead'", BRANCH),
        _m("api_latency_p50", "API latency p50", "ms",
           "p50 (percentile_cont) of api_requests.latency_ms in the period", SERVICE),
        _m("api_latency_p95", "API latency p95", "ms",
           "p95 (percentile_cont) of api_requests.latency_ms in the period", SERVICE),
        _m("error_rate", "Error rate", "rate",
           "share of api_requests with status_code >= 500 in the period", SERVICE),
        _m("system_health", "System health", "rate",
           "share of health_checks with ok in the period", SERVICE),
    )
}  # fmt: skip


def catalog() -> list[MetricInfo]:
    """Every metric, in the contract's order."""
    return list(CATALOG.values())
