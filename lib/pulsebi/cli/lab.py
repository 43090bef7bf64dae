"""`pulsebi lab`: JupyterLab with the platform's settings, in the project's folder."""

from __future__ import annotations

import click

from pulsebi.settings import get_settings


@click.command()
@click.option("--port", type=int, help="Listen on this port (default: 8888, else the next free).")
@click.option("--no-browser", is_flag=True, help="Do not open a browser.")
def lab(port: int | None, no_browser: bool) -> None:
    """Start JupyterLab for analysts: same database, Redis and time zone as the dashboards.

    Notebooks saved under notebooks/ or scorecards/ show in the dashboards' navigation at once,
    and `pulsebi report run` runs them.
    """
    from pulsebi.serve.lab import describe_lab, prepare_lab

    settings = get_settings()
    server = prepare_lab(settings, port=port, open_browser=not no_browser)
    for label, text in describe_lab(server, settings):
        click.echo(f"{label:<7} {text}")
    server.run()
