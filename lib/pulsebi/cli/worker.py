"""`pulsebi worker` and `pulsebi beat`: the Celery faces of report delivery, and
`pulsebi worker live`, the live-KPI worker."""

from __future__ import annotations

import os
from pathlib import Path

import click

from pulsebi.cli.live import live


@click.group(invoke_without_command=True)
@click.option("--concurrency", "-c", default=2, show_default=True, help="Worker processes.")
@click.option("--loglevel", default="INFO", show_default=True)
@click.pass_context
def worker(ctx: click.Context, concurrency: int, loglevel: str) -> None:
    """Run a Celery worker delivering reports (start as many, on as many machines, as needed).

    `pulsebi worker live` runs the live-KPI worker instead."""
    if ctx.invoked_subcommand is not None:
        return
    from pulsebi.tasks import QUEUE, app

    app.worker_main(
        [
            "worker",
            f"--concurrency={concurrency}",
            f"--loglevel={loglevel}",
            "--pool=prefork",
            f"--queues={QUEUE}",
            f"--hostname=pulsebi-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
        ]
    )


worker.add_command(live)


@click.command()
@click.option(
    "--schedules",
    "schedules",
    default="schedules",
    show_default=True,
    type=click.Path(file_okay=False),
    help="The schedules folder (re-read on each scan).",
)
@click.option("--scan-every", default=15.0, show_default=True, help="Seconds between scans.")
@click.option("--loglevel", default="INFO", show_default=True)
def beat(schedules: str, scan_every: float, loglevel: str) -> None:
    """Run Celery beat: queue due deliveries from schedules/*.yaml (edits apply without restart).

    More than one beat is harmless: every delivery is sent once (idempotency keys)."""
    from pulsebi.tasks import ReportScheduler, app

    app.conf.pulsebi_schedules_dir = str(Path(schedules).absolute())
    app.conf.pulsebi_scan_every = scan_every
    app.Beat(scheduler=ReportScheduler, loglevel=loglevel, max_interval=scan_every).run()
