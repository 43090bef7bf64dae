"""`pulsebi seed`: load deterministic demo data (replaces the crm tables' rows)."""

from __future__ import annotations

from datetime import date, datetime

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


def _parse_until(value: str | None):
    if value is None:
        return None
    for form in ("%H:%M", "%H:%M:%S"):
        try:
            return datetime.strptime(value, form).time()
        except ValueError:
            pass
    raise UsageError(f"--until {value!r} is not a clock time: use HH:MM (24-hour)")


def history_end(today: str | None, until: str | None) -> date | datetime | None:
    """What `seed_database` is given: None (now), a day (its start) or a local datetime."""
    day, clock = _parse_day(today), _parse_until(until)
    if clock is None:
        return day
    if day is None:
        raise UsageError("--until needs --today (without both, history runs up to now)")
    return datetime.combine(day, clock)


@click.command()
@click.option("--years", default=3, show_default=True, type=int, help="Years of history.")
@click.option(
    "--scale",
    default=1.0,
    show_default=True,
    type=float,
    help="Volume multiplier (1.0 is about 1M rows).",
)
@click.option("--seed", "seed_", default=42, show_default=True, type=int, help="Random seed.")
@click.option(
    "--today",
    default=None,
    metavar="YYYY-MM-DD",
    help=(
        "History ends at the start of this day (whole days before it; the same "
        "bytes on every run). Default: history runs up to now, today's activity "
        "so far included."
    ),
)
@click.option(
    "--until",
    default=None,
    metavar="HH:MM",
    help="With --today: history runs into that day up to this local time.",
)
def seed(years: int, scale: float, seed_: int, today: str | None, until: str | None) -> None:
    """Replace the crm data with generated demo data and write the accounting export."""
    from pulsebi.db import get_engine
    from pulsebi.db.migrate import upgrade_database
    from pulsebi.seed import check_arguments, seed_database

    end = history_end(today, until)
    check_arguments(years, scale, seed_)
    settings = get_settings()
    engine = get_engine(settings)
    upgrade_database(engine)
    summary = seed_database(
        engine,
        settings=settings,
        years=years,
        scale=scale,
        seed=seed_,
        today=end,
        show_progress=True,
    )
    click.echo(summary.describe())
    click.echo(f"accounting export: {summary.accounting_csv}")
