"""`pulsebi import DIR [--append]`."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
@click.option(
    "--append", is_flag=True, help="Add the rows to the tables instead of replacing their rows."
)
@click.option("--no-refresh", is_flag=True, help="Do not refresh the bi views after the import.")
def import_(directory: Path, append: bool, no_refresh: bool) -> None:
    """Load DIR/<table>.csv files into the crm tables, all or nothing.

    One file per contract table (e.g. sales.csv), header row = column names. Without --append,
    each table that has a file is emptied first. A row that breaks a type, NOT NULL or primary key
    rejects the whole import (exit code 2) and nothing is loaded.
    """
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from pulsebi.importer import import_directory

    console = Console(stderr=True)
    tasks: dict[str, int] = {}
    with Progress(
        SpinnerColumn(finished_text="✓"),
        TextColumn("{task.description:<28}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:

        def on_progress(table: str, phase: str, done: int, total: int) -> None:
            # One byte more than the file until the table is loaded, so the clock keeps running
            # while PostgreSQL checks and loads.
            if table not in tasks:
                tasks[table] = progress.add_task(f"{table}: reading", total=total + 1)
            task = tasks[table]
            if phase == "copy":
                progress.update(task, completed=done)
            elif phase in ("check", "load"):
                verb = "checking" if phase == "check" else "loading"
                progress.update(task, description=f"{table}: {verb}")
            else:
                progress.update(task, description=f"{table}: {done:,} rows", advance=1)

        result = import_directory(directory, append=append, on_progress=on_progress)

    verb = "appended to" if append else "loaded into"
    for t in result.tables:
        note = "" if t.replaced is None else f" (replacing {t.replaced:,})"
        click.echo(f"{t.rows:>12,} rows {verb} crm.{t.table}{note}")
    if result.ignored:
        click.echo(f"ignored (not a crm table file): {', '.join(result.ignored)}")
    click.echo(
        f"imported {result.rows:,} rows from {len(result.tables)} file(s) in {result.seconds:.1f} s"
    )
    if no_refresh:
        click.echo("dashboards show it after the next view refresh (`pulsebi refresh` does it now)")
        return
    from pulsebi.db import get_engine
    from pulsebi.settings import get_settings
    from pulsebi.views import refresh_views

    settings = get_settings()
    click.echo(refresh_views(get_engine(settings), settings).describe())
