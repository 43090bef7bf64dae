"""The Celery app: report deliveries on workers, a beat that reads `schedules/` as it runs.

Broker: the Redis of the settings (keys prefixed with the namespace). Tasks are acknowledged
late and requeued when a worker dies; exactly-once is kept by the deliveries' idempotency keys
(pulsebi.reports.deliver), so any number of workers, machines or beats can run unchanged.
Nothing here connects at import: the app is configured on first use.
"""

from __future__ import annotations

import logging
import random
import time
from typing import Any

from celery import Celery, signals
from celery.beat import Scheduler

from pulsebi.settings import get_settings

log = logging.getLogger(__name__)

QUEUE = "reports"
BUSY_RECHECK = 60.0  # seconds
app = Celery("pulsebi", set_as_current=False)


def broker_url(redis_url: str) -> str:
    """kombu spells redis-py's unix:// sockets redis+socket://."""
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url[len("unix://") :]
    return redis_url


@app.on_configure.connect
def _configure(sender: Celery, **_: Any) -> None:
    from celery.schedules import crontab

    from pulsebi.services import resolve_redis_url

    settings = get_settings()
    sender.conf.update(
        broker_url=broker_url(resolve_redis_url(settings)),
        broker_transport_options={
            "global_keyprefix": f"{settings.namespace}:celery:",
            "visibility_timeout": 2 * 3600,
        },
        broker_connection_retry_on_startup=True,
        task_default_queue=QUEUE,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_prefetch_multiplier=1,
        worker_max_tasks_per_child=100,
        worker_hijack_root_logger=False,
        timezone=settings.tz,
        beat_schedule={
            "prune-reports": {
                "task": "pulsebi.prune_reports",
                "schedule": crontab(hour=3, minute=17),
                "args": ("30d",),
            },
            # keep the bi views fresh; a late run is dropped, not piled up behind the next
            "refresh-views": {
                "task": "pulsebi.refresh_views",
                "schedule": float(settings.refresh_every),
                "options": {"expires": float(settings.refresh_every)},
            },
        },
    )


@signals.worker_init.connect
def _preload(**_: Any) -> None:
    # import the heavy report stack once, before the pool forks (saves seconds per child)
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401
    import weasyprint  # noqa: F401
    import xlsxwriter  # noqa: F401

    import pulsebi.reports.deliver
    import pulsebi.reports.email
    import pulsebi.reports.html  # noqa: F401


@signals.worker_process_init.connect
def _fresh_connections(**_: Any) -> None:
    # a forked pool process must not share the parent's database connections
    from pulsebi.db import reset_engines

    reset_engines()


def backoff(base: float, retries: int) -> float:
    """Exponential backoff with jitter: base, 2·base, 4·base... (at most an hour)."""
    return min(base * 2**retries, 3600) * random.uniform(0.8, 1.2)


@app.task(bind=True, name="pulsebi.deliver_report", max_retries=None)
def deliver_report(self, data: dict[str, Any]) -> str:
    from pulsebi.errors import DeliveryDeferred
    from pulsebi.reports.deliver import Delivery, deliver, give_up

    delivery = Delivery.from_dict(data)
    settings = get_settings()
    retries = self.request.retries
    try:
        result = deliver(settings, delivery)
    except DeliveryDeferred as exc:
        if retries + 1 >= delivery.retry_attempts:
            log.error(
                "delivery %s: giving up after %d attempts: %s", delivery.key, retries + 1, exc
            )
            give_up(settings, delivery, str(exc))
            return "failed"
        log.warning("delivery %s: %s; retry %d", delivery.key, exc, retries + 1)
        raise self.retry(countdown=backoff(delivery.retry_backoff, retries)) from None
    if result.status == "busy":  # another worker holds it: look again (its lease may end)
        raise self.retry(countdown=min(result.retry_in, BUSY_RECHECK))
    if result.notice_pending and retries + 1 < delivery.retry_attempts:
        raise self.retry(countdown=backoff(delivery.retry_backoff, retries))
    return result.status


@app.task(name="pulsebi.prune_reports")
def prune_reports(older_than: str = "30d") -> list[int]:
    from pulsebi.reports.prune import prune_reports as prune

    return list(prune(get_settings(), older_than))


@app.task(name="pulsebi.refresh_views")
def refresh_views() -> int:
    """Refresh the bi materialized views (every PULSEBI_REFRESH_EVERY seconds from beat)."""
    from pulsebi.db import get_engine
    from pulsebi.views import refresh_views as refresh

    settings = get_settings()
    version = refresh(get_engine(settings), settings).version
    # the early-warning strip of the new data, ahead of the pages that read it (queued first:
    # the snapshots' pages read it too); a late one is dropped, the next refresh queues another
    try:
        compute_strip.apply_async(queue=QUEUE, expires=float(settings.refresh_every))
    except Exception:  # the refresh is done: the first page built computes the strip instead
        log.warning("could not queue the early-warning strip", exc_info=True)
    # the page snapshots of the new data, ahead of the viewers; a late rebuild is dropped (the
    # next refresh queues another)
    if settings.serve_snapshots != "on":
        return version
    try:
        rebuild_snapshots.apply_async(queue=QUEUE, expires=float(settings.refresh_every))
    except Exception:  # the refresh is done: viewers get kernels until the next one queues
        log.warning("could not queue the page snapshots' rebuild", exc_info=True)
    return version


@app.task(name="pulsebi.compute_strip")
def compute_strip() -> int:
    """Compute the early-warning strip of the new data into Redis (after each views refresh).

    Returns
    -------
    int
        How many warnings it holds.
    """
    from pulsebi.trends.strip import compute_strip as compute

    return len(compute(get_settings()))


@app.task(name="pulsebi.rebuild_snapshots")
def rebuild_snapshots() -> int:
    """Rebuild every page's snapshots for its default parameters (after each views refresh)."""
    from pulsebi.snapshots import rebuild_snapshots as rebuild

    return rebuild(get_settings())


def enqueue_delivery(delivery: Any) -> None:
    deliver_report.apply_async(args=(delivery.to_dict(),), queue=QUEUE)


class ReportScheduler(Scheduler):
    """Beat scheduler that also scans the schedules folder every `pulsebi_scan_every` seconds
    and queues the deliveries that came due (files are re-read on every scan)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._next_scan = 0.0
        self._failing: str | None = None  # the last scan's error, logged once until it changes

    def tick(self, *args: Any, **kwargs: Any) -> float:
        now = time.monotonic()
        every = float(self.app.conf.get("pulsebi_scan_every", 15))
        if now >= self._next_scan:
            self._next_scan = now + every
            self.scan()
        delay = super().tick(*args, **kwargs)
        return max(min(delay, self._next_scan - time.monotonic()), 0.1)

    def scan(self) -> None:
        from pulsebi.reports.beat import collect_due

        directory = self.app.conf.get("pulsebi_schedules_dir", "schedules")
        try:
            for delivery in collect_due(get_settings(), directory):
                log.info("queueing %s", delivery.key)
                enqueue_delivery(delivery)
        except Exception as exc:  # a beat must outlive a bad scan (Redis restarting...)
            # Log a failure when it starts or changes, not on every scan while it lasts.
            if self._failing != repr(exc):
                log.exception("scanning %s failed; retrying on every scan", directory)
            self._failing = repr(exc)
            return
        if self._failing is not None:
            log.info("scanning %s works again", directory)
            self._failing = None


def start_delivery(settings: Any, schedules: str = "schedules") -> str:
    """`pulsebi up`: a report worker and a beat, detached (`pulsebi down` stops them)."""
    import shutil
    import sys
    from pathlib import Path

    from pulsebi import processes

    exe = shutil.which("pulsebi") or sys.argv[0]
    folder = str(Path(schedules).absolute())
    worker = processes.start_detached(settings, "report-worker", [exe, "worker"])
    beat = processes.start_detached(settings, "report-beat", [exe, "beat", "--schedules", folder])
    return f"report delivery: worker pid {worker}, beat pid {beat} reading {folder}"
