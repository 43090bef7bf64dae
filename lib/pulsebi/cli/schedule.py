"""`pulsebi schedule list | validate | run NAME`."""

from __future__ import annotations

import click

from pulsebi.settings import get_settings

_DIR = click.option(
    "--dir",
    "directory",
    default="schedules",
    show_default=True,
    type=click.Path(file_okay=False),
    help="The schedules folder.",
)


@click.group()
def schedule() -> None:
    """Scheduled report deliveries: schedules/*.yaml and those stored from the report builder."""


def _load(directory: str):
    from pulsebi.reports.schedules import load_schedules

    loaded = load_schedules(directory)
    for error in loaded.errors:
        click.echo(f"error: {error}", err=True)
    for warning in loaded.warnings:
        click.echo(f"warning: {warning}", err=True)
    return loaded


def _stored() -> list:
    """The deliveries stored from the report builder; none (said on stderr) without a database."""
    from sqlalchemy.exc import DBAPIError

    from pulsebi.errors import PulseBIError
    from pulsebi.reports.stored_schedules import stored_schedules

    try:
        return stored_schedules(get_settings())
    except (DBAPIError, PulseBIError) as exc:
        reason = getattr(exc, "orig", None) or exc
        click.echo(f"warning: deliveries stored from the builder not read: {reason}", err=True)
        return []


@schedule.command("list")
@_DIR
def list_(directory: str) -> None:
    """The valid schedules (schedules/*.yaml, then the deliveries stored from the report
    builder) and when each runs next; bad files are reported on stderr."""
    import datetime as dt

    loaded = _load(directory)
    now = dt.datetime.now(dt.UTC)
    schedules = [*loaded.schedules, *_stored()]
    for s in schedules:
        who = f"for each {s.for_each} ({len(s.members)})" if s.for_each else "once"
        nxt = s.next_time(now)
        click.echo(
            f"{s.name:<20} {s.cron:<14} {s.timezone:<18} next {nxt:%Y-%m-%d %H:%M %Z}  "
            f"{s.notebook}  {who}  -> {','.join(s.formats)}  owner {s.owner or '-'}  "
            f"source {s.origin}"
        )
    if not schedules:
        click.echo("no valid schedules")


@schedule.command()
@_DIR
def validate(directory: str) -> None:
    """Check every schedule file; exit 2 when one is wrong."""
    from sqlalchemy.exc import DBAPIError

    from pulsebi.errors import UsageError
    from pulsebi.reports.schedules import check_schedule_values

    loaded = _load(directory)
    for sched in list(loaded.schedules):  # values the page would refuse (branch, dates...)
        try:
            bad = check_schedule_values(sched)
        except DBAPIError as exc:  # the branches are in the database: check the rest
            click.echo(
                f"warning: parameter values not checked, database unreachable: {exc.orig}", err=True
            )
            break
        for error in bad:
            click.echo(f"error: {error}", err=True)
        if bad:
            loaded.schedules.remove(sched)
            loaded.errors.append(bad[0])
    click.echo(f"{len(loaded.schedules)} valid, {len(loaded.errors)} with errors")
    if loaded.errors:
        raise UsageError(f"{len(loaded.errors)} schedule file(s) have errors (listed above)")


@schedule.command()
@click.argument("name")
@_DIR
@click.option("--at", "at", default=None, help="Scheduled time (ISO 8601; default: now).")
@click.option("--enqueue", is_flag=True, help="Hand the deliveries to the Celery workers.")
def run(name: str, directory: str, at: str | None, enqueue: bool) -> None:
    """Deliver schedule NAME now (once per scheduled time: a repeat sends nothing)."""
    import datetime as dt

    from pulsebi.errors import UsageError

    loaded = _load(directory)
    stored = [s for s in _stored() if s.name == name] if name.startswith("saved-report-") else []
    sched = stored[0] if stored else loaded.get(name)
    try:
        when = dt.datetime.fromisoformat(at) if at else dt.datetime.now(dt.UTC)
    except ValueError:
        raise UsageError(f"--at {at!r} is not an ISO 8601 time (e.g. 2026-11-23T07:00)") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=sched.zone)
    when = when.astimezone(sched.zone).replace(second=0, microsecond=0)
    deliveries = sched.deliveries(when)
    if enqueue:
        from pulsebi.tasks import enqueue_delivery

        for d in deliveries:
            enqueue_delivery(d)
            click.echo(f"queued  {d.key}")
        return
    from pulsebi.reports.deliver import deliver

    failed = 0
    for d in deliveries:
        result = deliver(get_settings(), d)
        failed += result.status == "failed"
        click.echo(f"{result.status:<9} {d.key}")
        if result.error is not None:
            click.echo(f"          {str(result.error).splitlines()[0]}", err=True)
    if failed:
        raise UsageError(
            f"{failed} of {len(deliveries)} deliveries failed (see `pulsebi report history`)"
        )
