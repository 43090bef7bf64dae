"""Deliveries of saved reports scheduled from the builder, stored in `bi.report_deliveries`.

    from pulsebi.builder import schedule
    d = schedule.schedule_report(7, cron="0 7 * * 1", timezone="America/Chicago",
                                 recipients=["ana@pulse.example"], formats=["pdf", "xlsx"],
                                 by="ana@pulse.example")
    schedule.list_deliveries(7)          # the report's deliveries
    schedule.unschedule(d.id)

Everything is checked before anything is written: the saved report (it exists, its spec still
fits the catalog), a 5-field cron, an IANA time zone, bare addresses, known formats, a subject
without line breaks; a mistake is a `ScheduleInputError` naming the field and the fix. Beat reads
the table on every scan (`pulsebi.reports.stored_schedules`): a new, changed or removed delivery
takes effect without a restart, each slot sent once, as the YAML schedules are.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from pulsebi.builder.records import engine_of
from pulsebi.db.schema import report_deliveries as deliveries
from pulsebi.db.schema import saved_reports as reports
from pulsebi.errors import UsageError
from pulsebi.settings import Settings

DEFAULT_FORMATS = ("pdf", "xlsx")
CRON_HELP = "5 fields: minute hour day month weekday (weekday 0 = Sunday), e.g. '0 7 * * 1'"


class ScheduleInputError(UsageError):
    """A delivery's field is wrong; `field` names it (cron, timezone, recipients...)."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class StoredDelivery:
    """One delivery of a saved report: when (cron in a time zone), to whom, in which formats."""

    id: int
    report_id: int
    report_name: str
    cron: str
    timezone: str
    recipients: tuple[str, ...]
    formats: tuple[str, ...]
    subject: str | None
    owner: str | None
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime


COLUMNS = (
    deliveries.c.id,
    deliveries.c.report_id,
    reports.c.name,
    deliveries.c.cron,
    deliveries.c.timezone,
    deliveries.c.recipients,
    deliveries.c.formats,
    deliveries.c.subject,
    deliveries.c.owner,
    deliveries.c.created_by,
    deliveries.c.created_at,
    deliveries.c.updated_at,
)


def _row(row: object) -> StoredDelivery:
    values = list(row)  # type: ignore[call-overload]
    values[5], values[6] = tuple(values[5]), tuple(values[6])
    return StoredDelivery(*values)


def check_cron(cron: str) -> str:
    """A standard 5-field cron expression, stripped; ScheduleInputError otherwise."""
    from croniter import croniter

    text = cron.strip() if isinstance(cron, str) else ""
    if len(text.split()) != 5 or not croniter.is_valid(text):
        raise ScheduleInputError("cron", f"{cron!r} is not a cron expression: {CRON_HELP}")
    return text


def check_timezone(timezone: str) -> str:
    """An IANA time zone name; ScheduleInputError otherwise."""
    try:
        zoneinfo.ZoneInfo(str(timezone).strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ScheduleInputError(
            "timezone", f"{timezone!r} is not an IANA time zone: use one such as America/Chicago"
        ) from None
    return str(timezone).strip()


def check_delivery(
    cron: str,
    timezone: str,
    recipients: Sequence[str],
    formats: Sequence[str],
    subject: str | None = None,
    owner: str | None = None,
) -> tuple[str, str, list[str], list[str], str | None, str | None]:
    """A delivery's fields, checked and normalised (the report aside).

    Parameters
    ----------
    cron, timezone, recipients, formats, subject, owner
        As `schedule_report` takes them.

    Returns
    -------
    tuple
        (cron, timezone, recipients, formats, subject, owner): addresses stripped, each once;
        formats lowercase, each once.

    Raises
    ------
    ScheduleInputError
        Naming the first wrong field and what to give instead.
    """
    from pulsebi.reports.email import check_header, validate_recipients
    from pulsebi.reports.sinks import parse_formats

    cron, timezone = check_cron(cron), check_timezone(timezone)
    if isinstance(recipients, str):
        recipients = [recipients]
    addresses: list[str] = []
    for i, address in enumerate(recipients):
        try:
            (checked,) = validate_recipients([str(address)])
        except UsageError as error:
            raise ScheduleInputError(f"recipients[{i}]", str(error)) from None
        if checked.lower() not in (a.lower() for a in addresses):
            addresses.append(checked)
    if not addresses:
        raise ScheduleInputError("recipients", "nobody to send to: give one address or more")
    checks = (
        ("formats", lambda: parse_formats(formats)),
        ("subject", lambda: check_header("subject", subject) if subject else None),
        ("owner", lambda: validate_recipients([owner])[0] if owner else None),
    )
    checked: list[object] = []
    for field, check in checks:
        try:
            checked.append(check())
        except UsageError as error:
            raise ScheduleInputError(field, str(error)) from None
    names, subject, owner = checked  # type: ignore[assignment]
    return cron, timezone, addresses, names, subject, owner  # type: ignore[return-value]


def schedule_report(
    report_id: int,
    *,
    cron: str,
    timezone: str,
    recipients: Sequence[str],
    by: str,
    formats: Sequence[str] = DEFAULT_FORMATS,
    subject: str | None = None,
    owner: str | None = None,
    settings: Settings | None = None,
) -> StoredDelivery:
    """Store a delivery of saved report `report_id`; beat sends it from its next scan on.

    Parameters
    ----------
    report_id : int
        The saved report (it must exist, not deleted, its spec fitting the catalog).
    cron : str
        When, a standard 5-field cron (``"0 7 * * 1"``: Mondays 07:00), read in `timezone`.
    timezone : str
        An IANA time zone (``America/Chicago``).
    recipients : sequence of str
        Bare email addresses (at least one).
    by : str
        Who schedules it; also the owner told of a failure when it is an address and `owner`
        is not given.
    formats : sequence of str, default ("pdf", "xlsx")
        The report pipeline's formats (html, pdf, xlsx); the email attaches the PDF and the
        workbook.
    subject : str, optional
        The email's subject; default the report's (name, period, filters).
    owner : str, optional
        The address told once when a delivery finally fails.
    settings : Settings, optional
        Where the database is; default `get_settings()`.

    Returns
    -------
    StoredDelivery
        The delivery as stored.

    Raises
    ------
    ScheduleInputError
        A field is wrong (`check_delivery`): nothing is stored.
    ReportNotFound
        No saved report has this id, or it was deleted: nothing is stored.
    SpecError
        Its spec no longer fits the catalog: nothing is stored.
    """
    from pulsebi.builder.store import get_report
    from pulsebi.reports.email import validate_recipients

    if owner is None:
        try:
            owner = validate_recipients([by])[0]
        except UsageError:
            owner = None  # a login, not an address: no one to tell
    cron, timezone, to, names, subject, owner = check_delivery(
        cron, timezone, recipients, formats, subject, owner
    )
    get_report(report_id, settings=settings)
    values = dict(cron=cron, timezone=timezone, recipients=to, formats=names)
    values.update(subject=subject, owner=owner, created_by=by, report_id=report_id)
    with engine_of(settings).begin() as conn:
        new_id = conn.execute(insert(deliveries).values(**values).returning(deliveries.c.id))
        return _read(conn, new_id.scalar_one())


def _read(conn: object, delivery_id: int) -> StoredDelivery:
    query = select(*COLUMNS).join(reports, reports.c.id == deliveries.c.report_id)
    row = conn.execute(query.where(deliveries.c.id == delivery_id)).first()  # type: ignore[attr-defined]
    if row is None:
        raise UsageError(f"no delivery has id {delivery_id!r}: list_deliveries() lists them")
    return _row(row)


def list_deliveries(
    report_id: int | None = None, *, settings: Settings | None = None
) -> list[StoredDelivery]:
    """The stored deliveries of saved reports not deleted, in the order they were made.

    Parameters
    ----------
    report_id : int, optional
        Only this report's; default every report's.
    settings : Settings, optional
        Where the database is; default `get_settings()`.

    Returns
    -------
    list of StoredDelivery
    """
    query = (
        select(*COLUMNS)
        .join(reports, reports.c.id == deliveries.c.report_id)
        .where(reports.c.deleted_at.is_(None))
        .order_by(deliveries.c.id)
    )
    if report_id is not None:
        query = query.where(deliveries.c.report_id == report_id)
    with engine_of(settings).connect() as conn:
        return [_row(row) for row in conn.execute(query)]


def unschedule(delivery_id: int, *, settings: Settings | None = None) -> None:
    """Remove a stored delivery: beat sends it no more (from its next scan).

    Parameters
    ----------
    delivery_id : int
        The delivery's id (`StoredDelivery.id`).
    settings : Settings, optional
        Where the database is; default `get_settings()`.

    Raises
    ------
    UsageError
        If no delivery has this id.
    """
    with engine_of(settings).begin() as conn:
        gone = conn.execute(delete(deliveries).where(deliveries.c.id == delivery_id)).rowcount
    if not gone:
        raise UsageError(f"no delivery has id {delivery_id!r}: list_deliveries() lists them")
