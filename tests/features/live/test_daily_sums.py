"""Revenue to date takes the days before the views' last refresh from the views, and reads the
crm tables alone whenever a change since that refresh touched those days."""

from __future__ import annotations

import time
from datetime import datetime

import redis as redis_lib
from live_helpers import insert_sale, metric_value, snapshot_value, wait_until
from sqlalchemy import Engine, text

from pulsebi.live.kpis import get_kpi
from pulsebi.live.values import compute_kpi
from pulsebi.live.worker import LiveWorker, connect_listener
from pulsebi.services import resolve_redis_url
from pulsebi.views import refresh_views


def take_notifications(worker: LiveWorker, conn) -> None:
    deadline = time.monotonic() + 5
    while not conn.notifies and time.monotonic() < deadline:
        conn.poll()
        time.sleep(0.01)
    assert conn.notifies, "no notification arrived"
    worker.take(conn)


def test_views_serve_past_days_only_while_no_change_since_their_refresh_touched_them(
    branches: Engine, live_settings
) -> None:
    worker = LiveWorker(live_settings)
    worker.kpis = [get_kpi("net_revenue.ytd")]
    insert_sale(branches, 1, 1, "100.00", days_ago=3)
    refresh_views(branches, live_settings)
    conn = connect_listener(live_settings)
    try:
        today = worker.today()
        assert worker.views_before() == today

        insert_sale(branches, 2, 1, "7.00")  # today: the views need not have it
        take_notifications(worker, conn)
        assert worker.views_before() == today

        insert_sale(branches, 3, 1, "20.00", days_ago=2)  # a past day the views lack
        take_notifications(worker, conn)
        assert worker.views_before() is None
        refresh_views(branches, live_settings)
        assert worker.views_before() == today

        with branches.begin() as conn_:
            conn_.execute(text("update crm.sales set status = 'canceled' where id = 1"))
        take_notifications(worker, conn)  # an update: its row's old day is unknown
        assert worker.views_before() is None
        refresh_views(branches, live_settings)

        kpi = get_kpi("net_revenue.ytd")
        split = list(compute_kpi(kpi, live_settings, today, views_before=today))
        assert split == list(compute_kpi(kpi, live_settings, today))
    finally:
        conn.close()


def test_a_backdated_sale_reaches_revenue_to_date_before_the_next_refresh(
    branches: Engine, live_settings, start_worker
) -> None:
    insert_sale(branches, 1, 1, "100.00", days_ago=3)
    insert_sale(branches, 2, 2, "5.00", days_ago=3)
    start_worker(live_settings)
    client = redis_lib.Redis.from_url(resolve_redis_url(live_settings))
    fields = [
        (key if branch is None else f"{key}@{branch}", key, branch)
        for key in ("net_revenue.wtd", "net_revenue.mtd", "net_revenue.ytd")
        for branch in (None, "DAL", "HOU")
    ]

    def all_agree() -> bool:
        return all(
            snapshot_value(client, live_settings, field) == metric_value(live_settings, key, b)
            for field, key, b in fields
        )

    wait_until(all_agree, what="the first full computation")
    refresh_views(branches, live_settings)  # after the worker connected: past days from views
    insert_sale(branches, 3, 1, "40.00")  # today
    wait_until(all_agree, what="today's sale in every total")
    insert_sale(branches, 4, 1, "2.50", days_ago=2)  # a past day the views lack
    insert_sale(branches, 5, 2, "1.25", days_ago=1)
    wait_until(all_agree, what="the backdated sales in every total")
    refresh_views(branches, live_settings)
    insert_sale(branches, 6, 1, "0.75")
    wait_until(all_agree, what="the totals after the next refresh")
    if datetime.now(live_settings.zone).date().timetuple().tm_yday > 3:  # all this year
        assert snapshot_value(client, live_settings, "net_revenue.ytd") == 149.5
