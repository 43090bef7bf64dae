"""The crm triggers: what they notify, and that bulk loads do not flood the channel."""

from __future__ import annotations

import io
import json
import select
from collections.abc import Iterator

import psycopg2
import pytest
from sqlalchemy import Engine, text

from pulsebi.live.triggers import CHANNEL, TABLES, parse_change, suppress_notify


@pytest.fixture
def listener(db: Engine) -> Iterator:
    args, params = db.dialect.create_connect_args(db.url)
    conn = psycopg2.connect(*args, **params)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"listen {CHANNEL}")
    yield conn
    conn.close()


def received(conn, wait: float = 0.5) -> list[dict]:
    """Every notification that arrives within `wait` seconds of quiet."""
    out = []
    while select.select([conn], [], [], wait)[0]:
        conn.poll()
        out += [json.loads(n.payload) for n in conn.notifies]
        conn.notifies.clear()
    return out


def test_a_single_insert_names_table_branch_and_row(db: Engine, listener) -> None:
    with db.begin() as conn:
        conn.execute(
            text("insert into crm.leads values (42, 3, 1, now(), 'new', null, null, null)")
        )
    assert received(listener) == [
        {"table": "leads", "branch_id": 3, "id": 42, "op": "INSERT", "rows": 1}
    ]


def test_every_live_table_notifies(db: Engine, listener) -> None:
    with db.begin() as conn:
        for table in TABLES:
            conn.execute(text(f"update crm.{table} set branch_id = branch_id"))  # no rows
            conn.execute(text(f"delete from crm.{table} where id = -1"))
    assert received(listener, 0.2) == []  # statements that touch no row say nothing
    with db.begin() as conn:
        conn.execute(text(f"truncate {', '.join(f'crm.{t}' for t in TABLES)}"))
    assert sorted(n["table"] for n in received(listener)) == sorted(TABLES)


def test_an_update_moving_a_row_notifies_both_branches(db: Engine, listener) -> None:
    with db.begin() as conn:
        conn.execute(text("insert into crm.jobs values (1, 1, 1, 'pending', now(), null, null)"))
    received(listener)
    with db.begin() as conn:
        conn.execute(text("update crm.jobs set branch_id = 2, status = 'in_progress'"))
    notes = received(listener)
    assert sorted((n["branch_id"], n["id"], n["op"]) for n in notes) == [
        (1, 1, "UPDATE"),
        (2, 1, "UPDATE"),
    ]


def test_a_bulk_insert_sends_one_notification_per_branch(db: Engine, listener) -> None:
    with db.begin() as conn:
        conn.execute(
            text(
                "insert into crm.calls select g, 1, 1 + g % 3, null, now(), 30, 'no_answer' "
                "from generate_series(1, 5000) g"
            )
        )
    notes = received(listener)
    assert sorted((n["branch_id"], n["rows"], n["id"]) for n in notes) == [
        (1, 1666, None),
        (2, 1667, None),
        (3, 1667, None),
    ]


def test_copy_sends_one_notification_per_branch(db: Engine, listener) -> None:
    rows = "".join(f"{i}\t7\t{1 + i % 2}\t2026-01-05 10:00:00+00\tlead\t\\N\n" for i in range(1000))
    raw = db.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.copy_expert("copy crm.door_knocks from stdin", io.StringIO(rows))
        raw.commit()
    finally:
        raw.close()
    notes = received(listener)
    assert sorted(n["branch_id"] for n in notes) == [1, 2]


def test_suppress_notify_silences_one_transaction(db: Engine, listener) -> None:
    with db.begin() as conn:
        suppress_notify(conn)
        conn.execute(
            text(
                "insert into crm.sales select g, 1, null, 1, now(), 10, 0.1, 'roof', 'active', "
                "null, null from generate_series(1, 100) g"
            )
        )
    assert received(listener) == []
    with db.begin() as conn:  # the next transaction notifies again
        conn.execute(text("delete from crm.sales where id = 1"))
    assert [n["op"] for n in received(listener)] == ["DELETE"]


def test_parse_change_reads_ours_and_ignores_the_rest() -> None:
    change = parse_change('{"table": "sales", "branch_id": 2, "id": 7, "op": "INSERT", "rows": 1}')
    assert (change.table, change.branch_id, change.id, change.op) == ("sales", 2, 7, "INSERT")
    assert parse_change("not json") is None
    assert parse_change('{"branch_id": 2}') is None
