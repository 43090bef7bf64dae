"""`pulsebi serve`: a Voilà deployment of the dashboards, in the foreground."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pulsebi.settings import get_settings


@click.command()
@click.option(
    "--deployment", "name", default="main", show_default=True, help="Which deployment (main, cmo)."
)
@click.option("--port", type=int, help="Listen on this port instead of PULSEBI_SERVE_PORT.")
@click.option(
    "--dir",
    "dirs",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Serve this directory instead of the deployment's own (repeatable).",
)
@click.option(
    "--preheat", multiple=True, help="Keep kernels ready for this page, e.g. notebooks/x.ipynb."
)
@click.option(
    "--snapshots/--no-snapshots",
    default=None,
    help="Answer page requests from their snapshots, no kernel until a filter changes "
    "(default: PULSEBI_SERVE_SNAPSHOTS).",
)
@click.option("--hash-password", is_flag=True, help="Ask for a password, print its hash, exit.")
def serve(
    name: str,
    port: int | None,
    dirs: tuple[Path, ...],
    preheat: tuple[str, ...],
    snapshots: bool | None,
    hash_password: bool,
) -> None:
    """Serve the dashboards with Voilà (login required; see PULSEBI_SERVE_* settings)."""
    if hash_password:
        from jupyter_server.auth import passwd

        click.echo(passwd())
        click.echo("put it in PULSEBI_SERVE_PASSWORD_HASH", err=True)
        return
    from pulsebi.serve import get_deployment
    from pulsebi.serve.app import run_server
    from pulsebi.serve.deployment import served_dirs
    from pulsebi.serve.launch import describe_access

    settings = get_settings()
    deployment = get_deployment(name)
    if port is not None:
        settings = settings.replace(serve_port=port - deployment.port_offset)
    if dirs:
        absolute = tuple(d.absolute() for d in dirs)
        # the home stays when a served folder holds it; otherwise the first page is the home
        deployment = deployment.replace(dirs=tuple(str(d) for d in absolute))
    if preheat:
        deployment = deployment.replace(preheat=preheat)
    if snapshots is None:
        snapshots = deployment.snapshots or settings.serve_snapshots == "on"
    deployment = deployment.replace(snapshots=snapshots)
    served_dirs(deployment)  # a missing folder is said before any URL is printed
    # The token goes to a terminal only: detached (`pulsebi up`), this output is a log file.
    for label, text in describe_access(deployment, settings, reveal=sys.stdout.isatty()):
        click.echo(f"{label:<7} {text}")
    run_server(deployment, settings)
