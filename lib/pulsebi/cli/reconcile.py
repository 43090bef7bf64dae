"""`pulsebi reconcile ghost-appointments | splits | external --file ACCOUNTING.csv`."""

from __future__ import annotations

from typing import Any

import click

FORMATS = ("table", "json", "csv")


def _filter_options(command):
    command = click.option(
        "--format", "format_", type=click.Choice(FORMATS), default="table", show_default=True
    )(command)
    command = click.option("--to", "date_to", metavar="D", help="End date (exclusive).")(command)
    command = click.option("--from", "date_from", metavar="D", help="Start date (inclusive).")(
        command
    )
    return click.option("--branch", metavar="CODE", help="Only this branch (its code).")(command)


@click.group()
def reconcile() -> None:
    """Reconciliation checks; one row per exception. Exit 0 whether or not any is found."""


@reconcile.command("ghost-appointments")
@_filter_options
def ghost_appointments(branch, date_from, date_to, format_) -> None:
    """Appointments that ran and sold but have no sale with a job (by `scheduled_for`)."""
    from pulsebi.reconcile import find_ghost_appointments

    _echo(find_ghost_appointments(branch=branch, date_from=date_from, date_to=date_to), format_)


@reconcile.command("splits")
@_filter_options
def splits(branch, date_from, date_to, format_) -> None:
    """Commission split problems of active sales (by `sold_at`)."""
    from pulsebi.reconcile import find_split_exceptions

    _echo(find_split_exceptions(branch=branch, date_from=date_from, date_to=date_to), format_)


@reconcile.command("external")
@click.option(
    "--file",
    "accounting_file",
    required=True,
    metavar="ACCOUNTING.csv",
    help="The accounting export: invoice_no,invoiced_on,customer,amount,status.",
)
@_filter_options
def external(accounting_file, branch, date_from, date_to, format_) -> None:
    """CRM sales against the accounting export (by `sold_at`; `invoiced_on` for invoices
    missing in the CRM). Invoices with a status outside open, paid, void are compared as
    written; a note on stderr says how many there were."""
    from pulsebi.reconcile import find_external_mismatches
    from pulsebi.reconcile.accounting import describe_odd_statuses

    frame = find_external_mismatches(
        accounting_file, branch=branch, date_from=date_from, date_to=date_to
    )
    _echo(frame, format_)
    note = describe_odd_statuses(frame.attrs.get("odd_statuses", {}))
    if note:
        click.echo(f"Note: {note}.", err=True)


def _echo(frame: Any, format_: str) -> None:
    from pulsebi.reconcile import output

    if format_ == "json":
        click.echo(output.format_json(frame))
    elif format_ == "csv":
        click.echo(output.format_csv(frame), nl=False)
    else:
        _print_table(frame)


def _print_table(frame: Any) -> None:
    """Only the columns that say something (no all-empty ones, dates rather than instants),
    as wide as they need: a long line beats a folded one."""
    from rich.console import Console
    from rich.table import Table

    from pulsebi.reconcile.output import format_cell

    if frame.empty:
        Console().print("no exceptions")
        return
    columns = [
        c
        for c in frame.columns
        if frame[c].notna().any() and not (c.endswith("_at") and f"{c[:-3]}_on" in frame)
    ]
    cells = [[format_cell(v) for v in row] for row in frame[columns].itertuples(index=False)]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    console = Console(width=max(Console().width, sum(widths) + 3 * len(widths) + 1))
    table = Table()
    for column in columns:
        table.add_column(column, no_wrap=True)
    for row in cells:
        table.add_row(*row)
    console.print(table)
    counts = frame["reason"].value_counts().sort_index()
    console.print(", ".join(f"{reason}: {n}" for reason, n in counts.items()))
