"""Small helpers shared by the live tests: write crm rows, read the snapshot, ask the metrics."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

import redis as redis_lib
from sqlalchemy import Engine, text

from pulsebi import metrics
from pulsebi.live import channel
from pulsebi.live.kpis import get_kpi
from pulsebi.live.values import fresh_option, freshen
from pulsebi.settings import Settings


def wait_until(check: Callable[[], object], timeout: float = 15, what: str = "condition"):
    """Poll `check` until it returns something truthy; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what} (last: {result!r})")
        time.sleep(0.02)


def insert_sale(
    engine: Engine,
    id_: int,
    branch_id: int,
    amount: str,
    status: str = "active",
    days_ago: int = 0,
):
    with engine.begin() as conn:
        conn.execute(
            text(
                "insert into crm.sales (id, lead_id, branch_id, sold_at, amount, "
                "commission_rate, product, status) values (:id, 1, :b, "
                "now() - make_interval(days => :ago), :amount, 0.1, 'roof', :status)"
            ),
            {"id": id_, "b": branch_id, "amount": amount, "status": status, "ago": days_ago},
        )


def snapshot_value(client: redis_lib.Redis, settings: Settings, field: str):
    entry = channel.decode(client.hget(channel.snapshot_key(settings.namespace), field))
    return None if entry is None else entry["v"]


def metric_value(settings: Settings, kpi_key: str, branch: str | None = None) -> float:
    """What the metric layer says now (fresh, or views refreshed first), as the snapshot has it."""
    kpi = get_kpi(kpi_key)
    freshen(settings, [kpi])
    start, end = kpi.dates(datetime.now(settings.zone).date())
    by = ("branch",) if branch else ()
    frame = metrics.compute(
        kpi.metric,
        start=start,
        end=end,
        by=by,
        settings=settings,
        use_cache=False,
        **dict(fresh_option()),
    )
    if branch:
        frame = frame[frame["branch"] == branch]
    return channel.plain_value(frame[kpi.metric].iloc[0])
