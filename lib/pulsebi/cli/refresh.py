"""`pulsebi refresh`: rebuild changed views, refresh all concurrently, bump the data version."""

from __future__ import annotations

import click

from pulsebi.settings import get_settings


@click.command()
def refresh() -> None:
    """Refresh the bi materialized views (readers are never blocked) and log it."""
    from pulsebi.db import get_engine
    from pulsebi.views import refresh_views

    settings = get_settings()
    result = refresh_views(get_engine(settings), settings)
    if result.created:
        click.echo(f"created {len(result.created)} views for {settings.tz}")
    click.echo(result.describe())
