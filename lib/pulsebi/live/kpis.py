"""The live KPIs: key → (metric id, period, dimensions), and which crm tables feed each metric.

Every value is a `pulsebi.metrics.compute` result; this registry only says which ones the
worker keeps fresh. A KPI is kept for the company (field `<key>`) and, with the `branch`
dimension, for every branch (field `<key>@<branch code>`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from pulsebi.errors import UsageError
from pulsebi.widgets.dates import preset_range

# Live period → the date preset it means (the filter bar's own date arithmetic). "now" is for
# snapshot metrics, which ignore the period; today's range keeps compute happy.
PRESETS = {
    "today": "today",
    "wtd": "week_to_date",
    "mtd": "month_to_date",
    "ytd": "year_to_date",
    "now": "today",
}

# metric id -> crm tables whose writes can change it
METRIC_TABLES: dict[str, frozenset[str]] = {
    "net_revenue": frozenset({"sales"}),
    "leads": frozenset({"leads"}),
    "lead_to_appointment_rate": frozenset({"leads", "appointments"}),
    "closing_rate": frozenset({"appointments"}),
    "pipeline_value": frozenset({"appointments", "sales"}),
    "calls_made": frozenset({"calls"}),
    "appointments_set": frozenset({"calls"}),
    "doors_knocked": frozenset({"door_knocks"}),
    "leads_generated": frozenset({"door_knocks"}),
    "ticket_volume": frozenset({"service_tickets"}),
    "jobs_in_progress": frozenset({"jobs"}),
}


# Metrics that are sums over days, with the crm table and timestamp their days come from. For
# these the worker may take the days before the views' last refresh from the views and only the
# later days from the crm tables (a year to date then reads days, not millions of rows), as
# long as no change since that refresh touched an earlier day (live.worker tracks that).
DAILY_SUMS: dict[str, tuple[str, str]] = {"net_revenue": ("sales", "sold_at")}


@dataclass(frozen=True)
class LiveKpi:
    """`min_interval`: a costly KPI a change makes due is recomputed at most every that many
    seconds (0: with every change), so it never holds back the cheap ones."""

    key: str
    metric: str
    period: str
    by: tuple[str, ...] = ("branch",)
    min_interval: float = 0.0

    @property
    def tables(self) -> frozenset[str]:
        return METRIC_TABLES[self.metric]

    def dates(self, today: date) -> tuple[date, date]:
        return preset_range(PRESETS[self.period], today)


def _kpi(metric: str, period: str, min_interval: float = 0.0) -> LiveKpi:
    return LiveKpi(f"{metric}.{period}", metric, period, min_interval=min_interval)


REGISTRY: dict[str, LiveKpi] = {
    k.key: k
    for k in (
        _kpi("net_revenue", "today"),
        _kpi("net_revenue", "wtd"),
        _kpi("net_revenue", "mtd"),
        _kpi("net_revenue", "ytd"),
        _kpi("leads", "today"),
        _kpi("lead_to_appointment_rate", "mtd"),
        _kpi("closing_rate", "mtd"),
        _kpi("calls_made", "today"),
        _kpi("appointments_set", "today"),
        _kpi("doors_knocked", "today"),
        _kpi("leads_generated", "today"),
        _kpi("ticket_volume", "today"),
        _kpi("jobs_in_progress", "now"),
        # raw tables over 90 trailing days: seconds on a large CRM
        _kpi("pipeline_value", "now", min_interval=10.0),
    )
}


def get_kpi(key: str) -> LiveKpi:
    try:
        return REGISTRY[key]
    except KeyError:
        raise UsageError(f"unknown live KPI {key!r}; live KPIs: {', '.join(REGISTRY)}") from None


def kpis_fed_by(tables: Iterable[str]) -> list[LiveKpi]:
    """The KPIs a write to any of `tables` can change."""
    tables = set(tables)
    return [k for k in REGISTRY.values() if k.tables & tables]


def field_name(key: str, branch: str | None = None) -> str:
    """The snapshot field of a KPI: the company value, or one branch's (by branch code)."""
    return key if branch is None else f"{key}@{branch}"


def split_field(field: str) -> tuple[str, str | None]:
    key, _, branch = field.partition("@")
    return key, (branch or None)
