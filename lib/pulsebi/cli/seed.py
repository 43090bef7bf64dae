"""`pulsebi seed`: load deterministic demo data (replaces the crm tables' rows)."""

from __future__ import annotations

from datetime import date

import click

from pulsebi.errors import UsageError
from pulsebi.settings import get_settings


def _parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--today {value!r} is not a date: use YYYY-MM-DD") from None


@click.command()
@click.option("--years", default=3, show_default=True, type=int, help="Years of history.")
@click.option("--scale", default=1.0, show_default=True, type=float,
              help="Volume multiplier (1.0 is about 1M rows).")  # fmt: skip
@click.option("--seed", "seed_", default=42, show_default=True, type=int, help="Random seed.")
@click.option("--today", default=None, metavar="YYYY-MM-DD",
              help="Last day of history is the day before this one (default: today).")  # fmt: skip
def seed(years: int, scale: float, seed_: int, today: str | None) -> None:
    """Replace the crm data with generated demo data and write the accounting export."""
    from pulsebi.db import get_engine
    from pulsebi.db.migrate import upgrade_database
    from pulsebi.seed import check_arguments, seed_database

    day = _parse_day(today)
    check_arguments(years, scale, seed_)
    settings = get_settings()
    engine = get_engine(settings)
    upgrade_database(engine)
    summary = seed_database(
        engine, settings=settings, years=years, scale=scale, seed=seed_, today=day,
        show_progress=True,
    )  # fmt: skip
    click.echo(summary.describe())
    click.echo(f"accounting export: {summary.accounting_csv}")
