"""The metric API: the catalog covers the contract, and bad requests name what is wrong."""

from datetime import date

import pytest

from pulsebi import metrics
from pulsebi.errors import UsageError

CONTRACT_IDS = {
    "net_revenue",
    "bookings",
    "leads",
    "lead_to_appointment_rate",
    "closing_rate",
    "lead_to_sale_rate",
    "rep_revenue",
    "rep_ranking",
    "pipeline_value",
    "weighted_pipeline",
    "marketing_roi",
    "jobs_in_progress",
    "job_completion_rate",
    "days_outstanding",
    "ticket_volume",
    "resolution_hours",
    "csat",
    "calls_made",
    "appointments_set",
    "telemarketing_conversion",
    "doors_knocked",
    "leads_generated",
    "api_latency_p50",
    "api_latency_p95",
    "error_rate",
    "system_health",
}


def test_the_catalog_lists_every_contract_metric_with_its_unit_and_dimensions():
    catalog = {m.id: m for m in metrics.catalog()}
    assert set(catalog) >= CONTRACT_IDS  # and metrics the surfaces need beyond the contract
    for info in catalog.values():
        assert info.unit in metrics.UNITS
        assert set(info.dimensions) <= set(metrics.DIMENSIONS)
        assert set(info.grains) <= set(metrics.GRAINS)
        assert info.definition
    assert catalog["api_latency_p95"].dimensions == ("service",)
    assert catalog["days_outstanding"].columns == ("days_outstanding_mean", "days_outstanding_max")


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"metric_id": "revenue"}, "'revenue'"),
        ({"metric_id": "net_revenue", "by": ["region"]}, "'region'"),
        ({"metric_id": "net_revenue", "by": ["service"]}, "'service'"),
        ({"metric_id": "net_revenue", "grain": "fortnight"}, "'fortnight'"),
        ({"metric_id": "pipeline_value", "grain": "month"}, "'month'"),
        ({"metric_id": "net_revenue", "branch": "NOPE"}, "'NOPE'"),
        ({"metric_id": "error_rate", "branch": "CHI"}, "branch"),
        ({"metric_id": "net_revenue", "start": "2026-02-30"}, "'2026-02-30'"),
        ({"metric_id": "net_revenue", "end": date(2025, 1, 1)}, "empty"),
    ],
)
def test_bad_requests_raise_a_usage_error_naming_the_problem(db, settings, kwargs, named):
    args = {"start": date(2026, 1, 1), "end": date(2026, 2, 1), "settings": settings, **kwargs}
    with pytest.raises(UsageError, match=named):
        metrics.compute(args.pop("metric_id"), **args)
