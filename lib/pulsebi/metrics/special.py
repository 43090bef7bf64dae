"""Metrics that are not one grouped query: marketing ROI (revenue and spend, merged), the
pipeline metrics (relative to now, per branch), and the rep ranking."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from sqlalchemy import Connection, and_, func, select, text

from pulsebi.db.schema import appointments, branches, employees, sales
from pulsebi.metrics.cut import aggregate_metric
from pulsebi.metrics.filters import where_conditions
from pulsebi.metrics.query import Query, Source, aggregate
from pulsebi.metrics.specs import BRANCH_DIMS, SALES_DIMS, ZERO
from pulsebi.views import definitions as v

Results = dict[tuple, dict[str, object]]


# Sources and measures built once: `aggregate` keeps each query shape's statement by them.
SPEND = Source(v.spend_monthly, SALES_DIMS, day="day")
SPEND_SUM = {"spend": lambda c: func.sum(c.amount)}


def marketing_roi(conn: Connection, q: Query, fresh: bool = False) -> tuple[Results, dict, object]:
    """Net revenue over the period (its last day cut at `q.until` if set) over the spend of
    the months in it (monthly rows: `until` plays no part)."""
    from pulsebi.metrics import raw

    revenue = aggregate_metric(conn, "net_revenue", q, fresh)
    spend = aggregate(conn, raw.SPEND if fresh else SPEND, SPEND_SUM, q)
    merged: Results = {}
    for key in revenue.keys() | spend.keys():
        found = revenue.get(key, {})
        merged[key] = {**spend.get(key, {})}
        if "net_revenue" in found:
            merged[key]["revenue"] = found["net_revenue"]
    return merged, {"revenue": ZERO, "spend": ZERO}, _roi


def _roi(m: dict) -> tuple:
    if not m["spend"]:
        return (None,)
    return (float(Decimal(m["revenue"]) / Decimal(m["spend"]) - 1),)


# Per raw branch id, at one instant (now() is the transaction's): scheduled future
# appointments, trailing-90-day active sales (sum, count) and ran/sold appointments.
def _pipeline_inputs(conn: Connection, q: Query) -> dict[int, dict[str, object]]:
    now, trailing = func.now(), func.now() - text("interval '90 days'")
    queries = {
        "scheduled": select(appointments.c.branch_id, func.count()).where(
            appointments.c.status == "scheduled", appointments.c.scheduled_for > now
        ),
        "sales": select(sales.c.branch_id, func.sum(sales.c.amount), func.count()).where(
            sales.c.status == "active", sales.c.sold_at >= trailing, sales.c.sold_at < now
        ),
        "closing": select(
            appointments.c.branch_id,
            func.count().filter(appointments.c.result == "sold"),
            func.count(),
        ).where(
            appointments.c.status == "ran",
            appointments.c.scheduled_for >= trailing,
            appointments.c.scheduled_for < now,
        ),
    }
    out: dict[int, dict[str, object]] = {}
    for name, stmt in queries.items():
        table = stmt.get_final_froms()[0]
        if q.branch_ids is not None:
            stmt = stmt.where(table.c.branch_id.in_(q.branch_ids))
        stmt = stmt.where(*where_conditions(q.where, BRANCH_DIMS, table.c, embed=True))
        for branch_id, *values in conn.execute(stmt.group_by(table.c.branch_id)):
            out.setdefault(branch_id, {})[name] = values
    return out


def pipeline(conn: Connection, q: Query) -> tuple[Results, dict, object]:
    """Pipeline and weighted pipeline per branch (each branch valued at its own average)."""
    known = set(conn.execute(select(branches.c.id)).scalars())
    results: Results = {}
    for branch_id, inputs in _pipeline_inputs(conn, q).items():
        n = inputs.get("scheduled", [0])[0]
        if not n:
            continue
        total, count = inputs.get("sales", [None, 0])
        value = Decimal(n) * total / count if count else None
        sold, ran = inputs.get("closing", [0, 0])
        weighted = None if value is None or not ran else value * Decimal(sold) / Decimal(ran)
        key = (branch_id if branch_id in known else None,) if "branch" in q.by else ()
        group = results.setdefault(key, {"pipeline": None, "weighted": None, "n": 0})
        group["n"] += n
        for name, part in (("pipeline", value), ("weighted", weighted)):
            if part is not None:
                group[name] = (group[name] or ZERO) + part
    return results, {"pipeline": ZERO, "weighted": ZERO, "n": 0}, None


def rank_reps(conn: Connection, q: Query, fresh: bool = False) -> tuple[list[str], list[tuple]]:
    """Every sales rep's revenue over the period, ranked within the rep's own branch."""
    by_rep = aggregate_metric(
        conn, "rep_revenue", dataclasses.replace(q, by=("rep",), grain=None, branch_ids=None), fresh
    )
    stmt = (
        select(employees.c.id, employees.c.full_name, branches.c.id.label("bid"), branches.c.code)
        .select_from(employees.outerjoin(branches, branches.c.id == employees.c.branch_id))
        .where(employees.c.role == "sales_rep")
    )
    if q.branch_ids is not None:
        stmt = stmt.where(and_(employees.c.branch_id.in_(q.branch_ids)))
    groups: dict[tuple, list[tuple]] = {}
    for rep in conn.execute(stmt):
        revenue = by_rep.get((rep.id,), {}).get("rep_revenue") or ZERO
        groups.setdefault((rep.code is None, rep.code or "", rep.bid), []).append(
            (rep.code, rep.id, rep.full_name, revenue)
        )
    rows = []
    for key in sorted(groups, key=lambda k: (k[0], k[1], k[2] or 0)):
        ranked = sorted(groups[key], key=lambda r: (-r[3], r[1]))
        rows += [(code, i, rep, name, rev) for i, (code, rep, name, rev) in enumerate(ranked, 1)]
    return ["branch", "rank", "rep", "rep_name", "rep_revenue"], rows
