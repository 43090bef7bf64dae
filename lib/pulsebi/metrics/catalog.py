"""What each metric is: id, label, unit, definition, allowed dimensions and grains.

The definitions are the contract's (shared/docs/crm-contract.md, "Metric definitions"); the
report builder, the CLI (`pulsebi kpi --list`) and the dashboards read this catalog.
"""

from __future__ import annotations

from dataclasses import dataclass

UNITS = ("usd", "count", "rate", "hours", "days", "ms", "score")
GRAINS = ("day", "week", "month", "quarter", "year")
DIMENSIONS = (
    "branch",
    "rep",
    "source",
    "channel",
    "service",
    "job_status",
    "category",
    "priority",
    "telemarketer",
    "canvasser",
)

PERIOD_GRAINS = GRAINS
MONTHLY_GRAINS = ("month", "quarter", "year")  # spend rows are monthly
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
    now_relative: bool = False  # takes a period but also depends on "now": cached briefly

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
TICKET_DIMS = ("branch", "category", "priority")
CALL_DIMS = ("branch", "telemarketer")
KNOCK_DIMS = ("branch", "canvasser")

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
           "with result = 'sold'; by rep: appointments.rep_id (every sales rep listed; a rep_id "
           "that is not a sales rep falls in the null group)", ("branch", "rep")),
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
           "count of service_tickets opened in the period", TICKET_DIMS),
        _m("resolution_hours", "Resolution time", "hours",
           "median (percentile_cont) hours from opened_at to resolved_at of tickets resolved "
           "in the period", TICKET_DIMS),
        _m("csat", "Customer satisfaction", "score",
           "mean csat of tickets resolved in the period that have a csat", TICKET_DIMS),
        _m("calls_made", "Calls made", "count", "count of calls in the period", CALL_DIMS),
        _m("appointments_set", "Appointments set", "count",
           "count of calls in the period with outcome = 'appointment_set'", CALL_DIMS),
        _m("telemarketing_conversion", "Telemarketing conversion", "rate",
           "appointments set / calls made", CALL_DIMS),
        _m("doors_knocked", "Doors knocked", "count",
           "count of door_knocks in the period", KNOCK_DIMS),
        _m("leads_generated", "Leads generated", "count",
           "count of door_knocks in the period with outcome = 'lead'", KNOCK_DIMS),
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

# Not in the contract's table: what the executive dashboard and the department scorecards need.
# Built on the contract's definitions and rulings; where they are silent, the choice is written
# into the definition.
FUNNEL = ("funnel_leads", "funnel_appointments", "funnel_ran", "funnel_sold")
CATALOG.update({
    m.id: m
    for m in (
        _m("lead_funnel", "Lead funnel", "count",
           "of the leads created in the period (cohort, like lead_to_appointment_rate): "
           "funnel_leads = all of them, funnel_appointments = with ≥ 1 appointment (any status), "
           "funnel_ran = with ≥ 1 appointment with status = 'ran', funnel_sold = with ≥ 1 active "
           "sale; appointments and sales at any time", SALES_DIMS, columns=FUNNEL),
        _m("rep_sales", "Rep sales", "count",
           "for a sales rep: count of active sales in the period (sold_at) where the rep has a "
           "split (every employee with role 'sales_rep'; splits of anyone else count for no "
           "rep); a sale split between reps counts once for each of them and once in a total",
           ("rep", "branch")),
        _m("pipeline_due", "Pipeline due", "usd",
           "pipeline_value over the appointments with status = 'scheduled' and scheduled_for "
           "in [from, to) and after now: count × the branch's average active sale amount over "
           "[now − 90 days, now)", BRANCH, (), now_relative=True),
        _m("weighted_pipeline_due", "Weighted pipeline due", "usd",
           "pipeline_due × the branch's closing rate over appointments scheduled in "
           "[now − 90 days, now)", BRANCH, (), now_relative=True),
        _m("jobs_created", "Jobs created", "count",
           "count of jobs created in the period (created_at); by job_status: jobs.status as "
           "it is (the contract's values, and any other value present)",
           ("branch", "job_status")),
        _m("csat_top2_share", "Share of CSAT 4–5", "rate",
           "of the tickets resolved in the period that have a csat, the share with csat 4 or 5",
           TICKET_DIMS),
        _m("set_appointments_ran", "Set appointments ran", "count",
           "appointments with a set_by_id and scheduled_for in the period, with status = 'ran'; "
           "by telemarketer: set_by_id (every telemarketer listed; an id that is no "
           "telemarketer falls in the null group)", CALL_DIMS),
        _m("set_appointments_sold", "Set appointments sold", "count",
           "appointments with a set_by_id and scheduled_for in the period, with status = 'ran' "
           "and result = 'sold'; by telemarketer: set_by_id", CALL_DIMS),
        _m("canvass_lead_rate", "Canvass lead rate", "rate",
           "leads generated / doors knocked (door_knocks in the period)", KNOCK_DIMS),
        _m("canvass_sales", "Canvass sales", "count",
           "of the leads with a canvasser_id created in the period (cohort: the lead's branch "
           "and canvasser), the number of their active sales, at any time", KNOCK_DIMS),
        _m("canvass_revenue", "Canvass revenue", "usd",
           "of the leads with a canvasser_id created in the period (cohort: the lead's branch "
           "and canvasser), the net revenue (sum of amount) of their active sales, at any time",
           KNOCK_DIMS),
    )
})  # fmt: skip


def catalog() -> list[MetricInfo]:
    """Every metric of the catalog.

    Returns
    -------
    list of MetricInfo
        The contract's metrics in the contract's order, then those the executive dashboard
        and the scorecards add (lead_funnel, rep_sales, pipeline_due...). A new list each
        call.
    """
    return list(CATALOG.values())
