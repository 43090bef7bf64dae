"""`pulsebi up | down | status | migrate`."""

from __future__ import annotations

import signal
import sys

import click

from pulsebi.settings import get_settings


@click.command()
@click.option("--no-seed", is_flag=True, help="Do not load demo data into an empty database.")
def up(no_seed: bool) -> None:
    """Start what the platform needs, migrate, load demo data when empty, and say where it is."""
    from pulsebi.stack import bring_up

    settings = get_settings()
    # `pulsebi down` (SIGTERM) or Ctrl-C: stop here, leaving what was started to `down`.
    signal.signal(signal.SIGTERM, _interrupted)
    try:
        summary = bring_up(settings, seed=not no_seed, echo=click.echo)
    except KeyboardInterrupt as stop:
        if str(stop) == "SIGTERM":
            click.echo("\nstopped by SIGTERM (`pulsebi down`)", err=True)
            sys.exit(143)
        click.echo(
            "\ninterrupted: `pulsebi down` stops what was started so far, "
            "`pulsebi up` carries on from where it is",
            err=True,
        )
        sys.exit(130)
    click.echo("")
    click.echo(summary.describe())


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt("SIGTERM")


@click.command()
def down() -> None:
    """Stop everything `pulsebi up` started (also while it is still at work): the dashboards,
    workers and beat, then the embedded servers."""
    from pulsebi.stack import bring_down

    for line in bring_down(get_settings()):
        click.echo(line)


@click.command()
def status() -> None:
    """Say what runs and what does not (starting nothing), and the dashboards' URL."""
    from pulsebi.stack import read_status

    click.echo(read_status(get_settings()).describe())


@click.command()
def migrate() -> None:
    """Upgrade the database schemas to the latest revision."""
    from pulsebi.db import get_engine
    from pulsebi.db.migrate import current_revision, upgrade_database
    from pulsebi.views import refresh_views

    engine = get_engine()
    upgrade_database(engine)
    click.echo(f"database at revision {current_revision(engine)}")
    click.echo(refresh_views(engine, get_settings()).describe())
