"""The worker: crm writes reach the Redis snapshot with the metric layer's values, also across
a lost database session."""

from __future__ import annotations

import redis as redis_lib
from live_helpers import insert_sale, metric_value, snapshot_value, wait_until
from sqlalchemy import Engine, create_engine, text

from pulsebi.live import channel
from pulsebi.live.worker import APPLICATION_NAME
from pulsebi.services import resolve_redis_url


def client_for(settings) -> redis_lib.Redis:
    return redis_lib.Redis.from_url(resolve_redis_url(settings))


def test_a_new_sale_reaches_the_snapshot_with_the_metric_value(
    branches: Engine, live_settings, start_worker
) -> None:
    insert_sale(branches, 1, 1, "100.00")
    start_worker(live_settings)
    client = client_for(live_settings)
    wait_until(
        lambda: snapshot_value(client, live_settings, "net_revenue.today@DAL") == 100.0,
        what="the first full computation",
    )

    insert_sale(branches, 2, 1, "1234.56")
    insert_sale(branches, 3, 2, "50.25")

    for field, kpi, branch, expected in [
        ("net_revenue.today@DAL", "net_revenue.today", "DAL", 1334.56),
        ("net_revenue.today@HOU", "net_revenue.today", "HOU", 50.25),
        ("net_revenue.today", "net_revenue.today", None, 1384.81),
        ("net_revenue.ytd", "net_revenue.ytd", None, 1384.81),
    ]:
        wait_until(
            lambda f=field, e=expected: snapshot_value(client, live_settings, f) == e,
            what=f"{field} = {expected}",
        )
        assert snapshot_value(client, live_settings, field) == metric_value(
            live_settings, kpi, branch
        )


def test_canceling_and_deleting_sales_lower_net_revenue(
    branches: Engine, live_settings, start_worker
) -> None:
    insert_sale(branches, 1, 1, "100.00")
    insert_sale(branches, 2, 1, "40.00")
    start_worker(live_settings)
    client = client_for(live_settings)
    field = "net_revenue.today@DAL"
    wait_until(lambda: snapshot_value(client, live_settings, field) == 140.0, what="140")
    with branches.begin() as conn:
        conn.execute(text("update crm.sales set status = 'canceled' where id = 1"))
    wait_until(lambda: snapshot_value(client, live_settings, field) == 40.0, what="40 after cancel")
    wait_until(
        lambda: snapshot_value(client, live_settings, "net_revenue.ytd@DAL") == 40.0,
        what="year to date after cancel",
    )
    with branches.begin() as conn:
        conn.execute(text("delete from crm.sales where id = 2"))
    wait_until(lambda: snapshot_value(client, live_settings, field) == 0.0, what="0 after delete")


def test_other_tables_feed_their_kpis(branches: Engine, live_settings, start_worker) -> None:
    start_worker(live_settings)
    client = client_for(live_settings)
    wait_until(lambda: snapshot_value(client, live_settings, "leads.today") == 0, what="0 leads")
    with branches.begin() as conn:
        for sql in (
            "insert into crm.leads values (1, 2, 1, now(), 'new', null, null, null)",
            "insert into crm.calls values (1, 7, 2, 1, now(), 60, 'appointment_set')",
            "insert into crm.jobs values (1, 1, 1, 'in_progress', now(), now(), null)",
        ):
            conn.execute(text(sql))
    for field, expected in [
        ("leads.today@HOU", 1),
        ("calls_made.today", 1),
        ("appointments_set.today@HOU", 1),
        ("jobs_in_progress.now@DAL", 1),
    ]:
        wait_until(
            lambda f=field, e=expected: snapshot_value(client, live_settings, f) == e,
            what=f"{field} = {expected}",
        )


def test_after_its_database_session_is_killed_the_worker_reconnects_and_catches_up(
    branches: Engine, live_settings, start_worker
) -> None:
    start_worker(live_settings)
    client = client_for(live_settings)
    field = "net_revenue.today"
    wait_until(lambda: snapshot_value(client, live_settings, field) == 0.0, what="first values")

    def worker_pids() -> set[int]:
        with branches.connect() as conn:
            return set(
                conn.execute(
                    text(
                        "select pid from pg_stat_activity where application_name = :app "
                        "and datname = current_database()"
                    ),
                    {"app": APPLICATION_NAME},
                ).scalars()
            )

    def status() -> str | None:
        data = channel.decode(client.get(channel.status_key(live_settings.namespace)))
        return data and data["status"]

    before = wait_until(worker_pids, what="the worker's LISTEN session")
    database = branches.url.database
    admin = create_engine(branches.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    allow = 'alter database "{}" allow_connections {}'
    with branches.connect() as conn, admin.connect() as admin_conn:
        # keep the worker out while the sale is written: its notification reaches nobody, so
        # only the recompute on reconnection can put it right
        admin_conn.execute(text(allow.format(database, "false")))
        try:
            for pid in before:
                conn.execute(text("select pg_terminate_backend(:pid)"), {"pid": pid})
            conn.execute(
                text(
                    "insert into crm.sales (id, lead_id, branch_id, sold_at, amount, "
                    "commission_rate, product, status) values (9, 1, 2, now(), 777.77, 0.1, "
                    "'roof', 'active')"
                )
            )
            conn.commit()
            wait_until(lambda: status() == "db_down", what="the worker to report its database down")
            assert snapshot_value(client, live_settings, field) == 0.0
        finally:
            admin_conn.execute(text(allow.format(database, "true")))
    admin.dispose()
    wait_until(
        lambda: snapshot_value(client, live_settings, field) == 777.77,
        what="the sale written while the worker was away",
    )
    wait_until(lambda: status() == "live", what="the worker to report itself live again")
    after = wait_until(worker_pids, what="a new LISTEN session")
    assert not after & before
    assert snapshot_value(client, live_settings, field) == metric_value(
        live_settings, "net_revenue.today"
    )


def test_after_a_lost_session_new_writes_are_followed_again(
    branches: Engine, live_settings, start_worker
) -> None:
    start_worker(live_settings)
    client = client_for(live_settings)
    wait_until(lambda: snapshot_value(client, live_settings, "leads.today") == 0, what="values")
    with branches.begin() as conn:
        conn.execute(
            text(
                "select pg_terminate_backend(pid) from pg_stat_activity "
                "where application_name = :app and datname = current_database()"
            ),
            {"app": APPLICATION_NAME},
        )
    for n in (1, 2):
        with branches.begin() as conn:
            conn.execute(
                text("insert into crm.leads values (:id, 1, 1, now(), 'new', null, null, null)"),
                {"id": n},
            )
        wait_until(
            lambda n=n: snapshot_value(client, live_settings, "leads.today") == n,
            what=f"{n} lead(s)",
        )
