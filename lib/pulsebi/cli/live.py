"""`pulsebi worker live`: the live-KPI worker (LISTEN → recompute → Redis)."""

from __future__ import annotations

import click

from pulsebi.settings import get_settings


@click.command("live")
@click.option(
    "--coalesce-ms",
    type=click.IntRange(0, 1000),
    default=2,
    show_default=True,
    help="How long to collect a burst of changes before recomputing.",
)
@click.option(
    "--full-every",
    type=click.IntRange(5, 86400),
    default=60,
    show_default=True,
    help="Seconds between full recomputes (time-driven KPIs, missed changes).",
)
@click.option("--detach", is_flag=True, help="Start in the background and return its pid.")
def live(coalesce_ms: int, full_every: int, detach: bool) -> None:
    """Keep the live KPIs in Redis fresh: follow crm changes and publish new values."""
    from pulsebi.live.process import serve_worker, start_live_worker

    settings = get_settings()
    if detach:
        pid = start_live_worker(settings)
        click.echo(f"live worker running (pid {pid}), log in {settings.data_dir / 'run'}")
        return
    serve_worker(settings, coalesce=coalesce_ms / 1000, full_every=full_every)
