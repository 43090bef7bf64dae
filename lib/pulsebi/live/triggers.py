"""The database side of live KPIs: the NOTIFY channel the crm triggers send on (migration
0005), and how a bulk loader can silence them.

The triggers are statement-level, so a COPY or an INSERT ... SELECT sends one notification per
branch it touched, not one per row: bulk loaders need not do anything. `suppress_notify` is
there for a loader that wants no notification at all (the worker's periodic full recompute, or
its next start, then picks the data up).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

CHANNEL = "pulsebi_crm"
TABLES = ("sales", "leads", "appointments", "calls", "door_knocks", "service_tickets", "jobs")
SETTING = "pulsebi.notify"
TRIGGER_FUNCTION = "bi.notify_crm_change"


@dataclass(frozen=True)
class Change:
    """One notification: `branch_id` None means every branch (TRUNCATE); `id` is set when the
    statement wrote a single row of that branch."""

    table: str
    op: str
    branch_id: int | None = None
    id: int | None = None
    rows: int | None = None


def parse_change(payload: str) -> Change | None:
    """The change a notification payload describes; None for a payload that is not ours."""
    try:
        data = json.loads(payload)
        return Change(
            table=str(data["table"]),
            op=str(data["op"]),
            branch_id=data.get("branch_id"),
            id=data.get("id"),
            rows=data.get("rows"),
        )
    except (ValueError, KeyError, TypeError):
        return None


def suppress_notify(conn) -> None:
    """Silence the live triggers for the rest of `conn`'s current transaction.

    `conn` is a SQLAlchemy `Connection` or a DB-API (psycopg2) connection, inside the
    transaction that does the bulk load (the setting is transaction-local).
    """
    sql = "select set_config('pulsebi.notify', 'off', true)"
    if hasattr(conn, "exec_driver_sql"):
        conn.exec_driver_sql(sql)
        return
    with conn.cursor() as cur:
        cur.execute(sql)
