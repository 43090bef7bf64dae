"""One report delivery, exactly once: claim its key, run the notebook, write the files, send.

Statuses of a `bi.report_runs` row: running -> sending -> sent (or done when nobody is mailed);
running -> retrying (SMTP or database unreachable: the task retries with backoff) -> running...;
running -> failed (the notebook raised, SMTP refused for good, or retries ran out; the owner is
told once, through a `failure_notice` row with its own key).

The crash window. Between the SMTP server accepting the message and the row becoming `sent`
there is a moment where a dying worker leaves the row in `sending`. We choose at most once
there: a `sending` row is never claimed again; once its lease runs out it becomes `uncertain`
(shown in the history). A second copy of a report is the failure we promise never to cause; a
missing one is visible and can be re-sent by hand. The Message-ID is derived from the key, so
a copy that did get through can be recognised.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, ProgrammingError

from pulsebi.errors import (
    ConfigError,
    DeliveryDeferred,
    DeliveryRejected,
    DeliveryUncertain,
    NotebookFailed,
    PulseBIError,
)
from pulsebi.reports import history
from pulsebi.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_LEASE = dt.timedelta(minutes=30)


@dataclass
class Delivery:
    """What to run and whom to send it to; JSON-serializable (it travels as a Celery argument)."""

    key: str
    notebook: str
    parameters: dict[str, Any] = field(default_factory=dict)
    formats: list[str] = field(default_factory=lambda: ["html", "pdf", "xlsx"])
    recipients: list[str] = field(default_factory=list)
    kind: str = "adhoc"
    schedule: str | None = None
    scheduled_for: str | None = None  # ISO 8601 with offset
    owner: str | None = None
    subject: str | None = None
    root: str | None = None  # folder the notebook path is relative to (else the working dir)
    retry_attempts: int = 6
    retry_backoff: float = 60.0
    timeout: float = DEFAULT_LEASE.total_seconds()  # the claim's lease: longest expected run

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Delivery:
        return cls(**data)

    def notebook_path(self) -> Path:
        """The notebook, relative to `root` when it is there, else to the working directory."""
        path = Path(self.notebook)
        if self.root and not path.is_absolute() and (Path(self.root) / path).is_file():
            return Path(self.root) / path
        return path

    def row(self) -> dict[str, Any]:
        return {
            "idempotency_key": self.key,
            "kind": self.kind,
            "schedule": self.schedule,
            "scheduled_for": dt.datetime.fromisoformat(self.scheduled_for)
            if self.scheduled_for
            else None,
            "notebook": self.notebook,
            "parameters": self.parameters,
            "formats": self.formats,
            "recipients": self.recipients,
            "owner": self.owner,
        }


def delivery_key(
    schedule: str, scheduled_for: dt.datetime, recipients: list[str], member: str | None = None
) -> str:
    """(schedule, scheduled time in UTC, [for_each member,] recipients): the same delivery always
    has the same key. The member is part of it: one manager of two branches gets both reports."""
    when = scheduled_for.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")
    to = ",".join(sorted(r.lower() for r in recipients)) or "-"
    return "|".join([schedule, when, *([member] if member else []), to])


def message_id(key: str, settings: Settings) -> str:
    domain = settings.smtp_sender.rpartition("@")[2] or "pulsebi.local"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


@dataclass
class Result:
    status: str  # sent, done, duplicate, busy, failed, uncertain
    key: str
    run: Any = None
    error: PulseBIError | None = None
    retry_in: float = 0.0
    notice_pending: bool = False  # the owner's failure notice could not be sent yet


def deliver(settings: Settings, delivery: Delivery, *, lease: dt.timedelta | None = None) -> Result:
    """Run and send `delivery` unless it was (or is being) delivered already.

    The delivery's key is claimed in ``bi.report_runs`` first; then the notebook runs, its
    files are written and, when it has recipients, the message is sent and recorded. A
    failure that retrying cannot mend ends the row ``failed`` and tells the schedule's owner
    once.

    Parameters
    ----------
    settings : Settings
        The database, SMTP server and data directory to use.
    delivery : Delivery
        What to run, with which parameters and formats, for whom, under which key.
    lease : datetime.timedelta, optional
        How long the claim holds before another worker may take the delivery over (its
        worker presumed dead); default: ``delivery.timeout`` seconds.

    Returns
    -------
    Result
        ``status`` is ``sent`` (mailed and recorded), ``done`` (no recipients: the files
        written), ``duplicate`` (delivered, failed or gone uncertain before, or taken over by
        another worker meanwhile: nothing done), ``busy`` (another worker holds it;
        ``retry_in`` says in how many seconds its lease ends), ``failed`` (the notebook or a
        Pulse BI check refused, SMTP refused for good, or a bug; ``error`` says why;
        ``notice_pending`` when the owner's notice could not be sent yet) or ``uncertain``
        (the connection broke while handing the message over: not resent). ``run`` is the
        `ExecutedRun` when the notebook ran.

    Raises
    ------
    DeliveryDeferred
        The database or the SMTP server is unreachable, or the server deferred the message
        (4xx): worth retrying; the row is left ``retrying``.
    ConfigError
        If ``bi.report_runs`` cannot be written (run ``pulsebi migrate``).
    ServiceError
        If ``DATABASE_URL`` is unset and the embedded PostgreSQL cannot be started.
    """
    from pulsebi.db import get_engine

    engine = get_engine(settings)
    try:
        lease = lease or dt.timedelta(seconds=delivery.timeout)
        claim = history.claim(engine, delivery.row(), lease)
    except (OperationalError, InterfaceError) as exc:
        raise DeliveryDeferred(f"database unreachable: {exc.orig}") from None
    except ProgrammingError as exc:
        raise ConfigError(
            f"cannot record report runs ({exc.orig}); run `pulsebi migrate`"
        ) from None
    if claim is None:
        return _not_claimed(settings, engine, delivery)
    try:
        return _run_claimed(settings, engine, delivery, claim)
    except DeliveryDeferred as exc:
        _release(engine, claim, str(exc))
        raise
    except (OperationalError, InterfaceError) as exc:
        _release(engine, claim, str(exc.orig))
        raise DeliveryDeferred(f"database unreachable: {exc.orig}") from None
    except Exception as exc:  # a bug, not a transient fault: fail now rather than stay "running"
        log.exception("delivery %s failed", delivery.key)
        error = PulseBIError(f"{type(exc).__name__}: {exc}")
        _record(engine, claim, status="failed", error=str(error))
        return _failed(settings, delivery, Result("failed", delivery.key, error=error))


def _not_claimed(settings: Settings, engine, delivery: Delivery) -> Result:
    row = history.read_run(engine, delivery.key) or {}
    status = row.get("status")
    if status == "sending" and row.get("lease_expired"):
        history.mark_stale_sending_uncertain(engine, delivery.key)
        status = "uncertain"
    if status in ("running", "sending"):
        remaining = (row["lease_until"] - dt.datetime.now(dt.UTC)).total_seconds()
        return Result("busy", delivery.key, retry_in=max(remaining, 1.0))
    result = Result("duplicate", delivery.key)
    if status == "failed":
        return _failed(settings, delivery, result, row.get("error") or "failed")
    return result


def _failed(settings: Settings, delivery: Delivery, result: Result, error: str = "") -> Result:
    """Tell the owner (once) and say whether that still has to be retried."""
    notice = notify_owner(settings, delivery, error or str(result.error))
    result.notice_pending = notice is not None and notice.status == "retrying"
    return result


def _run_claimed(settings: Settings, engine, delivery: Delivery, claim: history.Claim) -> Result:
    from pulsebi.reports.email import build_report_message, hand_over, open_smtp, render_subject
    from pulsebi.reports.execute import execute_report
    from pulsebi.reports.sinks import write_outputs

    try:
        run = execute_report(settings, delivery.notebook_path(), delivery.parameters)
    except NotebookFailed as exc:
        _record(engine, claim, status="failed", error=str(exc), failed_cell=exc.cell_index)
        return _failed(settings, delivery, Result("failed", delivery.key, error=exc))
    except PulseBIError as exc:  # missing notebook, unknown parameter: no retry helps
        _record(engine, claim, status="failed", error=str(exc))
        return _failed(settings, delivery, Result("failed", delivery.key, error=exc))
    outputs = write_outputs(run, delivery.formats)
    _record(engine, claim, run_id=run.run_id, outputs={k: str(v) for k, v in outputs.items()})
    if not delivery.recipients:
        _record(engine, claim, status="done")
        return Result("done", delivery.key, run=run)

    msg_id = message_id(delivery.key, settings)
    subject = render_subject(delivery.subject, delivery.parameters) if delivery.subject else None
    msg = build_report_message(
        settings, run, delivery.recipients, subject=subject, message_id=msg_id
    )
    smtp = open_smtp(settings)  # DeliveryDeferred: nothing handed over yet
    try:
        if not history.mark_sending(engine, claim):
            return Result("duplicate", delivery.key)  # our lease ran out and someone took over
        try:
            hand_over(smtp, msg)
        except DeliveryDeferred:
            raise
        except DeliveryRejected as exc:
            _record(engine, claim, status="failed", error=str(exc))
            return _failed(settings, delivery, Result("failed", delivery.key, run=run, error=exc))
        except DeliveryUncertain as exc:
            _record(engine, claim, status="uncertain", error=str(exc))
            return Result("uncertain", delivery.key, run=run, error=exc)
    finally:
        _quit(smtp)
    _record_sent(engine, claim, msg_id)
    return Result("sent", delivery.key, run=run)


def _record(engine, claim: history.Claim, **values: Any) -> None:
    if not history.update_claimed(engine, claim, **values):
        log.warning("delivery %s: claim lost before recording %s", claim.key, values)


def _release(engine, claim: history.Claim, error: str) -> None:
    """Back to `retrying`, best effort (the database may be what failed: then the claim simply
    expires with its lease)."""
    try:
        history.release(engine, claim, error)
    except DBAPIError as exc:
        log.warning("delivery %s: could not release the claim: %s", claim.key, exc.orig)


def _record_sent(engine, claim: history.Claim, msg_id: str) -> None:
    """The message is accepted: record it, insisting a little (the database may be restarting)."""
    import time

    for attempt in range(6):
        try:
            _record(engine, claim, status="sent", message_id=msg_id, error=None)
            return
        except DBAPIError as exc:
            log.warning("delivery %s sent but not recorded yet: %s", claim.key, exc.orig)
            time.sleep(min(2**attempt, 20))
    log.error("delivery %s was sent but could not be recorded; it stays 'sending'", claim.key)


def _quit(smtp) -> None:
    import smtplib

    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def notify_owner(settings: Settings, delivery: Delivery, error: str) -> Result | None:
    """Tell the schedule's owner once that `delivery` failed (a delivery of its own, own key)."""
    if not delivery.owner or delivery.kind == "failure_notice":
        return None
    from pulsebi.db import get_engine
    from pulsebi.reports.email import build_failure_message, hand_over, open_smtp

    engine = get_engine(settings)
    notice = Delivery(
        key=f"{delivery.key}|failure-notice",
        notebook=delivery.notebook,
        parameters=delivery.parameters,
        formats=[],
        recipients=[delivery.owner],
        kind="failure_notice",
        schedule=delivery.schedule,
        scheduled_for=delivery.scheduled_for,
        owner=delivery.owner,
    )
    claim = history.claim(engine, notice.row(), DEFAULT_LEASE)
    if claim is None:
        return None
    what = delivery.schedule or delivery.notebook
    when = f" for {delivery.scheduled_for}" if delivery.scheduled_for else ""
    body = (
        f"The report {what}{when} failed and was not sent.\n\n"
        f"Notebook: {delivery.notebook}\nParameters: {delivery.parameters}\n"
        f"Recipients: {', '.join(delivery.recipients)}\n\n{error}\n"
    )
    msg_id = message_id(notice.key, settings)
    msg = build_failure_message(
        settings, delivery.owner, f"Report failed: {what}", body, message_id=msg_id
    )
    try:
        smtp = open_smtp(settings)
        try:
            history.mark_sending(engine, claim)
            hand_over(smtp, msg)
        finally:
            _quit(smtp)
    except DeliveryDeferred as exc:
        _release(engine, claim, str(exc))
        return Result("retrying", notice.key, error=exc)
    except (DeliveryRejected, DeliveryUncertain) as exc:
        _record(engine, claim, status="failed", error=str(exc))
        return Result("failed", notice.key, error=exc)
    _record_sent(engine, claim, msg_id)
    return Result("sent", notice.key)


def give_up(settings: Settings, delivery: Delivery, error: str) -> None:
    """Retries ran out on transient trouble: fail the delivery and tell the owner (once).

    Only a row left ``retrying`` becomes ``failed`` (error ``gave up: <error>``); when no row
    changed (another worker delivered it meanwhile, or it failed already) nothing is done and
    nobody is told again.

    Parameters
    ----------
    settings : Settings
        The database and SMTP server to use.
    delivery : Delivery
        The delivery given up on; its ``owner`` (if any) is mailed a failure notice.
    error : str
        The last transient error, for the history and the notice.
    """
    from pulsebi.db import get_engine

    if history.fail_released(get_engine(settings), delivery.key, f"gave up: {error}"):
        notify_owner(settings, delivery, f"gave up after retries: {error}")
