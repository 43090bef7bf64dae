"""`pulsebi report run | history | prune`."""

from __future__ import annotations

import click

from pulsebi.settings import get_settings


@click.group()
def report() -> None:
    """Run report notebooks, see their history, prune old outputs."""


@report.command("run")
@click.argument("notebook", type=click.Path(dir_okay=False))
@click.option(
    "-p",
    "--parameter",
    "parameters",
    multiple=True,
    metavar="KEY=VALUE",
    help="A notebook parameter (value read as YAML: 3, 2026-01-31, true, DAL).",
)
@click.option(
    "--format",
    "formats",
    default="html,pdf,xlsx",
    show_default=True,
    help="Comma-separated output formats.",
)
@click.option(
    "--to",
    "recipients",
    multiple=True,
    metavar="ADDR",
    help="Email the report to this address (repeatable).",
)
@click.option("--subject", default=None, help="Email subject (default: the report title).")
def run(
    notebook: str,
    parameters: tuple[str, ...],
    formats: str,
    recipients: tuple[str, ...],
    subject: str | None,
) -> None:
    """Execute NOTEBOOK with Papermill, write its outputs, optionally email them."""
    import uuid

    from pulsebi.reports.deliver import Delivery, deliver
    from pulsebi.reports.email import check_header, validate_recipients
    from pulsebi.reports.execute import (
        check_parameter_values,
        check_parameters,
        find_notebook,
        parse_parameter,
    )
    from pulsebi.reports.sinks import parse_formats

    path = find_notebook(notebook)
    values = dict(parse_parameter(p) for p in parameters)
    check_parameters(path, values)
    check_parameter_values(path, values)  # bad values: one line, exit 2, nothing run or written
    names = parse_formats(formats)
    to = validate_recipients(recipients) if recipients else []
    if subject is not None:
        check_header("subject", subject)
    if to:  # the email attaches the PDF and the workbook
        names += [f for f in ("pdf", "xlsx") if f not in names]
    delivery = Delivery(
        key=f"adhoc|{uuid.uuid4().hex}",
        notebook=str(path),
        parameters=values,
        formats=names,
        recipients=to,
        subject=subject,
    )
    result = deliver(get_settings(), delivery)
    if result.error is not None:
        raise result.error
    click.echo(f"run {result.run.run_id}  {result.run.directory}")
    for name, out in result.run.outputs.items():
        click.echo(f"  {name:<5} {out}")
    if result.status == "sent":
        click.echo(f"sent to {', '.join(to)}")


@report.command()
@click.option("--limit", default=30, show_default=True, help="How many runs, newest first.")
@click.option("--schedule", default=None, help="Only this schedule's runs.")
def history(limit: int, schedule: str | None) -> None:
    """Recent report runs: schedule, status, attempts, timings, error."""
    from pulsebi.db import get_engine
    from pulsebi.reports.history import list_runs

    rows = list_runs(get_engine(), limit=limit, schedule=schedule)
    if not rows:
        click.echo("no report runs yet")
        return
    for row in rows:
        what = row["schedule"] or row["notebook"].rsplit("/", 1)[-1]
        when = row["scheduled_for"] or row["created_at"]
        took = ""
        if row["started_at"] and row["finished_at"]:
            took = f"{(row['finished_at'] - row['started_at']).total_seconds():.1f}s"
        params = ",".join(f"{k}={v}" for k, v in row["parameters"].items())
        status = row["status"]
        if status in ("running", "sending") and row["lease_expired"]:
            status += "?"  # its worker stopped; the next attempt takes it over
        line = (
            f"{row['id']:>5}  {when:%Y-%m-%d %H:%M %Z}  {row['kind']:<14} {what:<24} "
            f"{params:<20} {status:<9} x{row['attempts']} {took:>6}  "
            f"{','.join(row['recipients'])}"
        )
        click.echo(line.rstrip())
        if row["error"]:
            cell = f" (cell {row['failed_cell']})" if row["failed_cell"] is not None else ""
            click.echo(f"       error{cell}: {row['error'].splitlines()[0][:160]}")


@report.command()
@click.option(
    "--older-than",
    "older_than",
    default="30d",
    show_default=True,
    help="Age of the runs to delete (e.g. 30d, 12h).",
)
def prune(older_than: str) -> None:
    """Delete run directories and finished history rows older than --older-than."""
    from pulsebi.reports.prune import prune_reports

    dirs, rows = prune_reports(get_settings(), older_than)
    click.echo(f"deleted {dirs} run directories and {rows} history rows older than {older_than}")
