"""Which pending KPI the worker computes next: most watched first, none starved, costly ones
held back by their minimum interval."""

from __future__ import annotations

from pulsebi.live.kpis import REGISTRY
from pulsebi.live.worker import AGING, LiveWorker
from pulsebi.settings import Settings


def worker_with(settings: Settings, *keys: str, since: float = 100.0) -> LiveWorker:
    worker = LiveWorker(settings)
    worker.kpis = list(REGISTRY.values())
    worker.order = {k.key: i for i, k in enumerate(worker.kpis)}
    for key in keys:
        worker.pending[key] = (since, REGISTRY[key])
    return worker


def test_the_most_watched_pending_kpi_goes_first(settings: Settings) -> None:
    worker = worker_with(settings, "net_revenue.ytd", "leads.today", "net_revenue.today")
    assert worker.next_ready(100.01).key == "net_revenue.today"


def test_a_kpi_pending_longer_than_aging_is_not_passed_over(settings: Settings) -> None:
    worker = worker_with(settings, "net_revenue.today", since=100.0 + AGING)
    worker.pending["net_revenue.ytd"] = (100.0, REGISTRY["net_revenue.ytd"])
    assert worker.next_ready(100.0 + AGING + 0.01).key == "net_revenue.ytd"


def test_a_costly_kpi_waits_for_its_minimum_interval(settings: Settings) -> None:
    pipeline = REGISTRY["pipeline_value.now"]
    assert pipeline.min_interval > 0
    worker = worker_with(settings, "pipeline_value.now")
    worker.computed_at["pipeline_value.now"] = 100.0
    assert worker.next_ready(100.0 + pipeline.min_interval / 2) is None
    assert worker.next_due() == 100.0 + pipeline.min_interval
    assert worker.next_ready(100.0 + pipeline.min_interval).key == "pipeline_value.now"


def test_nothing_pending_means_nothing_to_do(settings: Settings) -> None:
    worker = worker_with(settings)
    assert worker.next_ready(100.0) is None
    assert worker.next_due() == float("inf")
