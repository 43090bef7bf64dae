"""Row lists behind the scorecards' figures: the oldest open jobs and service tickets.

    details.oldest_open_jobs(branch="DAL", limit=10)   # job_id, branch, status, created_at,
                                                      # days_outstanding
    details.oldest_open_tickets(limit=10)             # ticket_id, branch, category, priority,
                                                      # opened_at, hours_open

"Open" is the contract's: a job whose status is exactly pending, scheduled or in_progress (as
`days_outstanding`); a ticket whose `resolved_at` is null. Ages are elapsed time to now (the
query's instant); times are shown in the reporting zone; `branch` is the code (null when the
branch id dangles).
"""

from __future__ import annotations

from sqlalchemy import extract, func, select

from pulsebi.db.schema import branches, jobs, service_tickets
from pulsebi.errors import UsageError
from pulsebi.metrics.dimensions import resolve_branch
from pulsebi.metrics.specs import OPEN_JOB_STATUSES
from pulsebi.settings import Settings, get_settings


def _check_limit(limit: object) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000:
        raise UsageError(f"limit {limit!r} must be a whole number from 1 to 1000")
    return limit


def _rows(stmt, table, branch, limit: int, settings: Settings | None, times: tuple[str, ...]):
    import pandas as pd

    from pulsebi.db import get_engine

    settings = settings or get_settings()
    limit = _check_limit(limit)
    with get_engine(settings).connect() as conn:
        if branch is not None:
            stmt = stmt.where(table.c.branch_id.in_(resolve_branch(conn, branch)))
        result = conn.execute(stmt.limit(limit))
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    for column in times:
        frame[column] = pd.to_datetime(frame[column], utc=True).dt.tz_convert(settings.tz)
    return frame


def oldest_open_jobs(branch: str | None = None, limit: int = 10, settings: Settings | None = None):
    """The `limit` open jobs created longest ago (oldest first, then by id).

    Open is the contract's: status exactly pending, scheduled or in_progress. Read from the
    crm tables at the instant of the query (never cached).

    Parameters
    ----------
    branch : str, optional
        Keep only the jobs of the branch with this code, e.g. ``"DAL"``. Default: every branch.
    limit : int, default 10
        How many jobs at most, a whole number from 1 to 1000.
    settings : Settings, optional
        Where the database is and the reporting zone; default: `get_settings()`.

    Returns
    -------
    pandas.DataFrame
        Columns ``job_id``, ``branch`` (the code; None when the branch id dangles),
        ``status``, ``created_at`` (in the reporting zone) and ``days_outstanding`` (float,
        elapsed days from ``created_at`` to now).

    Raises
    ------
    UsageError
        If `limit` is not a whole number from 1 to 1000, or `branch` is no branch's code.
    """
    age = extract("epoch", func.now() - jobs.c.created_at) / 86400
    stmt = (
        select(
            jobs.c.id.label("job_id"),
            branches.c.code.label("branch"),
            jobs.c.status,
            jobs.c.created_at,
            age.label("days_outstanding"),
        )
        .select_from(jobs.outerjoin(branches, branches.c.id == jobs.c.branch_id))
        .where(jobs.c.status.in_(OPEN_JOB_STATUSES))
        .order_by(jobs.c.created_at, jobs.c.id)
    )
    frame = _rows(stmt, jobs, branch, limit, settings, ("created_at",))
    frame["days_outstanding"] = frame["days_outstanding"].astype(float)
    return frame


def oldest_open_tickets(
    branch: str | None = None, limit: int = 10, settings: Settings | None = None
):
    """The `limit` unresolved tickets opened longest ago (oldest first, then by id).

    Unresolved: ``resolved_at`` is null. Read from the crm tables at the instant of the query
    (never cached).

    Parameters
    ----------
    branch : str, optional
        Keep only the tickets of the branch with this code, e.g. ``"DAL"``. Default: every
        branch.
    limit : int, default 10
        How many tickets at most, a whole number from 1 to 1000.
    settings : Settings, optional
        Where the database is and the reporting zone; default: `get_settings()`.

    Returns
    -------
    pandas.DataFrame
        Columns ``ticket_id``, ``branch`` (the code; None when the branch id dangles),
        ``category``, ``priority``, ``opened_at`` (in the reporting zone) and ``hours_open``
        (float, elapsed hours from ``opened_at`` to now).

    Raises
    ------
    UsageError
        If `limit` is not a whole number from 1 to 1000, or `branch` is no branch's code.
    """
    t = service_tickets.c
    age = extract("epoch", func.now() - t.opened_at) / 3600
    stmt = (
        select(
            t.id.label("ticket_id"),
            branches.c.code.label("branch"),
            t.category,
            t.priority,
            t.opened_at,
            age.label("hours_open"),
        )
        .select_from(service_tickets.outerjoin(branches, branches.c.id == t.branch_id))
        .where(t.resolved_at.is_(None))
        .order_by(t.opened_at, t.id)
    )
    frame = _rows(stmt, service_tickets, branch, limit, settings, ("opened_at",))
    frame["hours_open"] = frame["hours_open"].astype(float)
    return frame
