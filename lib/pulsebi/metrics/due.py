"""`pipeline_due` / `weighted_pipeline_due`: the pipeline metrics over the appointments that are
due in a period (scheduled_for in [from, to) and after now), e.g. today → month end for the
executive dashboard's month-end forecast. Each branch is valued at its own trailing average
sale and closing rate, exactly as `pipeline_value` / `weighted_pipeline` (special.py)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection, func, select

from pulsebi.db.schema import appointments, branches
from pulsebi.metrics.filters import where_conditions
from pulsebi.metrics.query import Query
from pulsebi.metrics.special import Results, _pipeline_inputs
from pulsebi.metrics.specs import BRANCH_DIMS, ZERO

COLUMNS = {"pipeline_due": "pipeline", "weighted_pipeline_due": "weighted"}


def _due_counts(conn: Connection, q: Query) -> dict[int, int]:
    a = appointments.c
    stmt = select(a.branch_id, func.count()).where(
        a.status == "scheduled",
        a.scheduled_for > func.now(),
        a.scheduled_for >= q.instant(q.start),
        a.scheduled_for < q.end_at,
    )
    if q.branch_ids is not None:
        stmt = stmt.where(a.branch_id.in_(q.branch_ids))
    stmt = stmt.where(*where_conditions(q.where, BRANCH_DIMS, appointments.c, embed=True))
    return {bid: n for bid, n in conn.execute(stmt.group_by(a.branch_id))}


def pipeline_due(conn: Connection, metric_id: str, q: Query) -> tuple[Results, dict, object]:
    """Per branch (or in total): due appointments × trailing average (× closing rate)."""
    due = _due_counts(conn, q)
    inputs = _pipeline_inputs(conn, q) if due else {}
    known = set(conn.execute(select(branches.c.id)).scalars())
    results: Results = {}
    for branch_id, n in due.items():
        branch = inputs.get(branch_id, {})
        total, count = branch.get("sales", [None, 0])
        value = Decimal(n) * total / count if count else None
        sold, ran = branch.get("closing", [0, 0])
        weighted = None if value is None or not ran else value * Decimal(sold) / Decimal(ran)
        key = (branch_id if branch_id in known else None,) if "branch" in q.by else ()
        group = results.setdefault(key, {"pipeline": None, "weighted": None})
        for name, part in (("pipeline", value), ("weighted", weighted)):
            if part is not None:
                group[name] = (group[name] or ZERO) + part
    name = COLUMNS[metric_id]
    return results, {"pipeline": ZERO, "weighted": ZERO}, lambda m: (m[name],)
