"""`pulsebi attribution --model M --from D --to D [--by source|channel] [--branch CODE]
[--half-life DAYS] [--lookback DAYS] [--format table|json|csv]`: a thin face over
`pulsebi.attribution.attribute`."""

from __future__ import annotations

import math
from datetime import date

import click

from pulsebi.errors import UsageError


@click.command()
@click.option(
    "--model",
    metavar="ID",
    help="first_touch, last_touch, linear, time_decay, position_based or markov (data-driven: "
    "Markov chain removal effects).",
)
@click.option("--from", "start", metavar="YYYY-MM-DD", help="First local day (inclusive).")
@click.option(
    "--to", "end", metavar="YYYY-MM-DD", help="End day (exclusive, as for `pulsebi kpi`)."
)
@click.option("--by", default="source", metavar="DIM", help="source (default) or channel.")
@click.option(
    "--branch", metavar="CODE", help="Only sales of this branch (touches are never filtered)."
)
@click.option(
    "--half-life", "half_life", default="7", metavar="DAYS",
    help="time_decay: days for a touch's weight to halve (default 7; fractional allowed).",
)  # fmt: skip
@click.option(
    "--lookback", metavar="DAYS", help="Only touches at most DAYS before the sale (default: all)."
)
@click.option("--format", "fmt", default="table", metavar="F", help="table (default), json or csv.")
def attribution(model, start, end, by, branch, half_life, lookback, fmt) -> None:
    """Credit the period's conversions (active sales) to lead sources or channels.

    Every lead source (or channel) is listed, plus a null group (dangling sources, missing
    leads) when not empty; conversions add up to the period's count of active sales and
    revenue to its net_revenue. JSON: one object per source (source, source_name,
    conversions, revenue) or channel (channel, conversions, revenue), numbers unrounded.
    """
    from pulsebi.attribution import attribute
    from pulsebi.attribution.output import FORMATS, render
    from pulsebi.settings import get_settings

    if fmt not in FORMATS:
        raise UsageError(f"unknown --format {fmt!r}: use one of {', '.join(FORMATS)}")
    if not model:
        raise UsageError("give --model ID (first_touch, last_touch, linear, time_decay, "
                         "position_based, markov)")  # fmt: skip
    for name, value in (("--from", start), ("--to", end)):
        if value is None:
            raise UsageError(f"attribution needs {name} YYYY-MM-DD")
    first, last = _parse_date("--from", start), _parse_date("--to", end)
    if first >= last:
        raise UsageError(f"--from {start} is not before --to {end} (--to is exclusive)")
    result = attribute(
        model,
        start=first,
        end=last,
        by=by,
        branch=branch,
        half_life=_parse_days("--half-life", half_life),
        lookback=None if lookback is None else _parse_days("--lookback", lookback),
        settings=get_settings(),
    )
    click.echo(render(result, fmt), nl=False)


def _parse_date(name: str, value: str) -> date:
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{name} {value!r} is not a date (YYYY-MM-DD)") from None


def _parse_days(name: str, value: str) -> float:
    try:
        days = float(value)
    except ValueError:
        days = math.nan
    if not math.isfinite(days):
        raise UsageError(f"{name} {value!r} is not a number of days, e.g. 7 or 3.5")
    if days < 0 or (name == "--half-life" and days == 0):
        need = "a positive" if name == "--half-life" else "0 or more"
        raise UsageError(f"{name} {value!r}: give {need} number of days")
    return days
