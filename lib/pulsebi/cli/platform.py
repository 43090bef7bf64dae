"""`pulsebi up | down | status | migrate`."""

from __future__ import annotations

import click

from pulsebi.settings import get_settings


@click.command()
@click.option("--no-seed", is_flag=True, help="Do not load demo data into an empty database.")
def up(no_seed: bool) -> None:
    """Start what the platform needs, migrate, load demo data when empty, and say where it is."""
    from pulsebi.stack import bring_up

    status = bring_up(get_settings(), seed=not no_seed, echo=click.echo)
    click.echo(status.describe())


@click.command()
def down() -> None:
    """Stop the embedded servers (and processes) that `pulsebi up` started."""
    from pulsebi.stack import bring_down

    for line in bring_down(get_settings()):
        click.echo(line)


@click.command()
def status() -> None:
    """Say where the database and Redis are and what the database holds."""
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
