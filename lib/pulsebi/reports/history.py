"""`bi.report_runs`: one row per delivery idempotency key; claims, status changes, history.

A delivery is claimed before any work: the INSERT ... ON CONFLICT either creates the row or
takes over a row that is `retrying` or `running` with an expired lease (its worker died). Every
later change is conditioned on the claim token, so a worker that lost its lease changes nothing.
A row in `sending` is never claimed again: see pulsebi.reports.deliver for why.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, delete, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from pulsebi.db.schema import report_runs as runs

TERMINAL = ("sent", "done", "failed", "uncertain")


@dataclass(frozen=True)
class Claim:
    key: str
    token: str
    attempts: int


def new_token() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim(engine: Engine, row: dict[str, Any], lease: dt.timedelta) -> Claim | None:
    """Take the delivery `row["idempotency_key"]`, or None when another worker has it or it is
    finished."""
    token = new_token()
    lease_until = func.now() + literal(lease)
    stmt = pg_insert(runs).values(
        **row,
        status="running",
        attempts=1,
        worker=token,
        lease_until=lease_until,
        started_at=func.now(),
    )
    stmt = stmt.on_conflict_do_update(
        constraint="uq_report_runs_idempotency_key",
        set_={
            "status": "running",
            "attempts": runs.c.attempts + 1,
            "worker": token,
            "lease_until": lease_until,
            "started_at": func.now(),
            "error": None,
        },
        where=or_(
            runs.c.status == "retrying",
            and_(runs.c.status == "running", runs.c.lease_until < func.now()),
        ),
    ).returning(runs.c.attempts)
    with engine.begin() as conn:
        attempts = conn.execute(stmt).scalar_one_or_none()
    return None if attempts is None else Claim(row["idempotency_key"], token, attempts)


def read_run(engine: Engine, key: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(runs, (runs.c.lease_until < func.now()).label("lease_expired")).where(
                runs.c.idempotency_key == key
            )
        ).first()
    return dict(row._mapping) if row else None


def update_claimed(engine: Engine, claim: Claim, **values: Any) -> bool:
    """Change the claimed row; False when the claim was lost (lease expired, taken over)."""
    if values.get("status") in TERMINAL:
        values.setdefault("finished_at", func.now())
        values.setdefault("lease_until", None)
    stmt = (
        update(runs)
        .where(runs.c.idempotency_key == claim.key, runs.c.worker == claim.token)
        .values(**values)
    )
    with engine.begin() as conn:
        return conn.execute(stmt).rowcount == 1


def release(engine: Engine, claim: Claim, error: str) -> bool:
    """running/sending -> retrying (nothing was handed over); a finished row stays finished."""
    stmt = (
        update(runs)
        .where(
            runs.c.idempotency_key == claim.key,
            runs.c.worker == claim.token,
            runs.c.status.in_(("running", "sending")),
        )
        .values(status="retrying", error=error, lease_until=None)
    )
    with engine.begin() as conn:
        return conn.execute(stmt).rowcount == 1


def mark_sending(engine: Engine, claim: Claim) -> bool:
    """running -> sending, only while we still hold the claim."""
    stmt = (
        update(runs)
        .where(
            runs.c.idempotency_key == claim.key,
            runs.c.worker == claim.token,
            runs.c.status == "running",
        )
        .values(status="sending")
    )
    with engine.begin() as conn:
        return conn.execute(stmt).rowcount == 1


def mark_stale_sending_uncertain(engine: Engine, key: str) -> bool:
    """A `sending` row whose lease ran out: its worker died between SMTP and the record."""
    stmt = (
        update(runs)
        .where(
            runs.c.idempotency_key == key,
            runs.c.status == "sending",
            runs.c.lease_until < func.now(),
        )
        .values(
            status="uncertain",
            finished_at=func.now(),
            error="the worker stopped while handing the message to SMTP; it may have been sent",
        )
    )
    with engine.begin() as conn:
        return conn.execute(stmt).rowcount == 1


def list_runs(engine: Engine, *, limit: int = 50, schedule: str | None = None) -> list[dict]:
    """The report runs of ``bi.report_runs``, newest first.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The database holding ``bi.report_runs``.
    limit : int, default 50
        How many rows at most.
    schedule : str, optional
        Only the runs of the schedule with this name; default (None or ``""``): every run,
        ad hoc ones included.

    Returns
    -------
    list of dict
        One dict per run (by ``created_at``, then id, descending) with every column of
        ``bi.report_runs`` (key, kind, status, attempts, times, outputs, error...) and
        ``lease_expired``: True when the row's lease ran out (a running or sending row: its
        worker is gone), False while it holds, None when the row has none (finished,
        retrying).
    """
    expired = (runs.c.lease_until < func.now()).label("lease_expired")
    query = select(runs, expired).order_by(runs.c.created_at.desc(), runs.c.id.desc()).limit(limit)
    if schedule:
        query = query.where(runs.c.schedule == schedule)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def prune_runs(engine: Engine, older_than: dt.timedelta) -> int:
    """Delete finished history rows created before now - `older_than`; returns the count."""
    stmt = delete(runs).where(
        runs.c.created_at < func.now() - literal(older_than), runs.c.status.in_(TERMINAL)
    )
    with engine.begin() as conn:
        return conn.execute(stmt).rowcount


def fail_released(engine: Engine, key: str, error: str) -> bool:
    """retrying -> failed (no claim: nobody holds a released row)."""
    stmt = (
        update(runs)
        .where(runs.c.idempotency_key == key, runs.c.status == "retrying")
        .values(status="failed", error=error, finished_at=func.now(), lease_until=None)
    )
    with engine.begin() as conn:
        return conn.execute(stmt).rowcount == 1
