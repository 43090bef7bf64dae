"""Dimension members (every branch, source, channel, sales rep, service, job status, ticket
category and priority, telemarketer, canvasser) and their labels."""

from __future__ import annotations

from sqlalchemy import Connection, Table, select

from pulsebi.db.schema import branches, employees, lead_sources, service_tickets
from pulsebi.errors import UsageError

# dimension -> output columns (the key first, then its labels)
COLUMNS: dict[str, tuple[str, ...]] = {
    "branch": ("branch", "branch_name"),
    "rep": ("rep", "rep_name"),
    "source": ("source", "source_name"),
    "channel": ("channel",),
    "service": ("service",),
    "job_status": ("job_status",),
    "category": ("category",),
    "priority": ("priority",),
    "telemarketer": ("telemarketer", "telemarketer_name"),
    "canvasser": ("canvasser", "canvasser_name"),
}
# Columns holding integer ids (branch is its code, text); the frames keep them as Int64.
ID_COLUMNS = frozenset({"rep", "source", "telemarketer", "canvasser"})
# The contract's value sets; other values present in the rows are listed after them.
VALUE_SETS = {
    "job_status": ("pending", "scheduled", "in_progress", "completed", "canceled"),
    "priority": ("low", "normal", "high", "urgent"),
}
# Dimensions whose members are the employees with this role.
ROLES = {"rep": "sales_rep", "telemarketer": "telemarketer", "canvasser": "canvasser"}


def load_members(conn: Connection, dim: str, service_table: Table | None = None) -> dict:
    """`{key: (output values...)}` for every member, in display order."""
    if dim == "branch":
        rows = conn.execute(
            select(branches.c.id, branches.c.code, branches.c.name).order_by(
                branches.c.code, branches.c.id
            )
        )
        return {r.id: (r.code, r.name) for r in rows}
    if dim in ROLES:
        rows = conn.execute(
            select(employees.c.id, employees.c.full_name)
            .where(employees.c.role == ROLES[dim])
            .order_by(employees.c.id)
        )
        return {r.id: (r.id, r.full_name) for r in rows}
    if dim in VALUE_SETS:
        return {value: (value,) for value in VALUE_SETS[dim]}
    if dim == "category":
        col = service_tickets.c.category
        rows = conn.execute(select(col).distinct().order_by(col))
        return {r.category: (r.category,) for r in rows}
    if dim == "source":
        rows = conn.execute(
            select(lead_sources.c.id, lead_sources.c.name).order_by(lead_sources.c.id)
        )
        return {r.id: (r.id, r.name) for r in rows}
    if dim == "channel":
        rows = conn.execute(
            select(lead_sources.c.channel).distinct().order_by(lead_sources.c.channel)
        )
        return {r.channel: (r.channel,) for r in rows}
    if dim == "service" and service_table is not None:
        col = service_table.c.service
        rows = conn.execute(select(col).distinct().order_by(col))
        return {r.service: (r.service,) for r in rows}
    return {}


def unknown_labels(dim: str, key: object) -> tuple:
    """Output values for a key that is not a member (a dangling id's null group, ...)."""
    if dim == "branch":
        return (None, None)
    if dim in ("source", *ROLES):
        return (key, None)
    return (key,)


def resolve_branch(conn: Connection, code: str) -> tuple[int, ...]:
    """The ids of the branch(es) with exactly this code; UsageError when there is none."""
    ids = tuple(conn.execute(select(branches.c.id).where(branches.c.code == code)).scalars().all())
    if not ids:
        known = conn.execute(select(branches.c.code).order_by(branches.c.code)).scalars().all()
        raise UsageError(
            f"unknown branch {code!r}; known branch codes: {', '.join(known) or '(none)'}"
        )
    return ids
