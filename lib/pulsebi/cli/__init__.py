"""The `pulsebi` command: a thin click face over library functions.

Each subcommand lives in its own module and is imported only when it runs, so `pulsebi --help`
stays fast and a command never pays for another's imports.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

import click

from pulsebi.errors import PulseBIError

# name -> "module:attribute" of the click command.
COMMANDS = {
    "up": "pulsebi.cli.platform:up",
    "down": "pulsebi.cli.platform:down",
    "status": "pulsebi.cli.platform:status",
    "migrate": "pulsebi.cli.platform:migrate",
    "seed": "pulsebi.cli.seed:seed",
    "import": "pulsebi.cli.importer:import_",
    "refresh": "pulsebi.cli.refresh:refresh",
    "kpi": "pulsebi.cli.kpi:kpi",
    "trends": "pulsebi.cli.trends:trends",
    "attribution": "pulsebi.cli.attribution:attribution",
    "reconcile": "pulsebi.cli.reconcile:reconcile",
    "serve": "pulsebi.cli.serve:serve",
    "lab": "pulsebi.cli.lab:lab",
    "report": "pulsebi.cli.report:report",
    "schedule": "pulsebi.cli.schedule:schedule",
    "worker": "pulsebi.cli.worker:worker",
    "beat": "pulsebi.cli.worker:beat",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, target in COMMANDS.items() if _module_exists(target))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None or not _module_exists(target):
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PulseBIError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)


def _module_exists(target: str) -> bool:
    return importlib.util.find_spec(target.split(":")[0]) is not None


@click.group(cls=LazyGroup)
@click.version_option(package_name="pulsebi")
def main() -> None:
    """Pulse BI: dashboards, scheduled reports and reconciliation over the company's CRM."""
