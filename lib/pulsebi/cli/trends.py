"""`pulsebi trends anomalies|forecast|seasonality (--input FILE.csv | --metric ID ...)`.

A thin face: the series come from `pulsebi.trends.csvinput` or the metric layer, each is
handed to its method on its own, and `pulsebi.trends.output` renders the results. The whole
output is built before any of it is printed, so an error leaves stdout empty.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta

import click

from pulsebi.errors import UsageError

FORMATS = ("table", "json", "csv")
_INPUT_HELP = (
    "A CSV file: header date,value (one series) or series,date,value (several, each analysed "
    "on its own); UTF-8, ISO dates (YYYY-MM-DD), a dot for decimals. An empty value is a "
    "bucket without a value (NaN): anomalies skip it."
)


def _source_options(command):
    """The options every subcommand shares: where the series come from, and the format."""
    options = [
        click.option("--input", "input_", metavar="FILE.csv", help=_INPUT_HELP),
        click.option(
            "--metric",
            metavar="ID",
            help="A catalog metric (`pulsebi kpi --list`) read through the metric layer; its "
            "series is named ID (ID:CODE with --branch).",
        ),
        click.option("--branch", metavar="CODE", help="With --metric: only this branch."),
        click.option(
            "--grain",
            metavar="G",
            help="day, week, month, quarter or year. --input: inferred per series from its "
            "dates by default; --metric: day by default (no quarter).",
        ),
        click.option(
            "--from",
            "start",
            metavar="YYYY-MM-DD",
            help="With --metric: first day (inclusive). Default: the last 2 whole years up to "
            "today's bucket (today's partial day, week or month left out).",
        ),
        click.option("--to", "end", metavar="YYYY-MM-DD", help="With --metric: end (exclusive)."),
        click.option("--format", "fmt", default="table", metavar="F", help="table, json or csv."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.group()
def trends() -> None:
    """Anomalies, forecasts and seasonality of your own CSV series or of a metric.

    JSON output is a list of objects, each with a `series` key ("" for a date,value file).
    Bad input is one line on stderr naming file, line and series, exit 2, and nothing on
    stdout.
    """


@trends.command()
@_source_options
@click.option("--sensitivity", default="medium", metavar="S", help="low, medium (default) or high.")
def anomalies(sensitivity: str, fmt: str, **source) -> None:
    """Judge every point against the band its own past expects.

    JSON/CSV: one row per input point (series, date, value, expected, lower, upper, score,
    anomaly); table: the points out of band, explained, and a count per series.
    """
    from pulsebi.trends.anomalies import SENSITIVITIES
    from pulsebi.trends.anomalies import anomalies as detect

    _check_format(fmt)
    if sensitivity not in SENSITIVITIES:
        raise UsageError(
            f"unknown --sensitivity {sensitivity!r}: use one of {', '.join(SENSITIVITIES)}"
        )
    where, series = load_series(**source)
    results = run_each(where, series, functools.partial(detect, sensitivity=sensitivity))
    _emit("anomalies", results, fmt)


@trends.command()
@_source_options
@click.option("--horizon", metavar="N", help="Periods to forecast (required; a positive integer).")
@click.option("--jobs", metavar="N", help="Processes to forecast in (default: one per core).")
def forecast(horizon: str | None, jobs: str | None, fmt: str, **source) -> None:
    """Forecast each series N periods ahead (80% and 95% intervals).

    The model is chosen per series (ETS variants, Theta, seasonal naive) and named in the
    output: one row per future period (series, date, forecast, lower_80, upper_80, lower_95,
    upper_95, model).
    """
    from pulsebi.trends import TrendInputError
    from pulsebi.trends.forecast import forecast_many

    _check_format(fmt)
    if horizon is None:
        raise UsageError("forecast needs --horizon N (the periods ahead, a positive integer)")
    n = _positive_int("--horizon", horizon)
    workers = None if jobs is None else _positive_int("--jobs", jobs)
    where, series = load_series(**source)
    try:
        results = forecast_many(series, n, jobs=workers)  # checks every series before fitting
    except TrendInputError as exc:
        raise TrendInputError(f"{where}: {exc}") from None
    _emit("forecast", results, fmt)


@trends.command()
@_source_options
def seasonality(fmt: str, **source) -> None:
    """Decompose each series (robust STL): strength of trend and seasonality, and the seasonal
    indices (weekday, month, quarter) in the series' own unit.

    JSON: one object per series (series, period, strength_trend, strength_seasonal, indices
    {name: {label: value}}); CSV: one row per index entry, the strengths on each.
    """
    from pulsebi.trends.seasonality import seasonality as decompose

    _check_format(fmt)
    where, series = load_series(**source)
    _emit("seasonality", run_each(where, series, decompose), fmt)


# --- input ------------------------------------------------------------------------------------


def load_series(input_, metric, branch, grain, start, end) -> tuple[str, dict]:
    """(where the series came from, for messages; {key: TrendSeries})."""
    if input_ and metric:
        raise UsageError("give either --input FILE.csv or --metric ID, not both")
    if not input_ and not metric:
        raise UsageError("give --input FILE.csv (your own series) or --metric ID (a metric)")
    if input_:
        for name, value in (("--branch", branch), ("--from", start), ("--to", end)):
            if value is not None:
                raise UsageError(f"{name} goes with --metric; a CSV file holds its own dates")
        from pulsebi.trends.csvinput import read_series_csv

        return input_, read_series_csv(input_, grain)
    return _load_metric(metric, branch, grain or "day", start, end)


def _load_metric(metric, branch, grain, start, end) -> tuple[str, dict]:
    from pulsebi.settings import get_settings
    from pulsebi.trends import TrendSeries

    settings = get_settings()
    if (start is None) != (end is None):
        raise UsageError("give both --from and --to, or neither (the last 2 whole years)")
    if start is None:
        first, last = default_range(grain, datetime.now(settings.zone).date())
    else:
        first, last = _parse_date("--from", start), _parse_date("--to", end)
        if first >= last:
            raise UsageError(f"--from {start} is not before --to {end}")
    s = TrendSeries.from_metric(
        metric, start=first, end=last, grain=grain, branch=branch, settings=settings
    )
    where = f"metric {metric}" + (f", branch {branch}" if branch else "")
    return where, {f"{metric}:{branch}" if branch else metric: s}


def default_range(grain: str, today: date) -> tuple[date, date]:
    """[start, end): the 2 years of whole `grain` buckets before today's (partial) one."""
    if grain == "week":
        end = today - timedelta(days=today.weekday())
        return end - timedelta(weeks=104), end
    if grain == "month":
        end = today.replace(day=1)
    elif grain == "quarter":
        end = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    elif grain == "year":
        end = date(today.year, 1, 1)
    else:
        end = today
    leap = (end.month, end.day) == (2, 29)  # 29 February two years back is the 28th
    return end.replace(year=end.year - 2, day=28 if leap else end.day), end


def _parse_date(name: str, value: str) -> date:
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{name} {value!r} is not a date (YYYY-MM-DD)") from None


def _positive_int(name: str, value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise UsageError(f"{name} {value!r} is not a positive integer")
    return n


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"unknown --format {fmt!r}: use one of {', '.join(FORMATS)}")


# --- running ----------------------------------------------------------------------------------


def run_each(where: str, series: dict, method) -> dict:
    """{key: method(series)}; a method's TrendInputError (too short...) gets file and series."""
    from pulsebi.trends import TrendInputError

    out = {}
    for key, s in series.items():
        try:
            out[key] = method(s)
        except TrendInputError as exc:
            raise TrendInputError(locate(where, key, str(exc))) from None
    return out


def locate(where: str, key: str, message: str) -> str:
    """`message` prefixed by the file and the series, unless it names the series already (a
    metric's series is named by `where`)."""
    if not key or f"series {key!r}" in message or where.startswith("metric "):
        return f"{where}: {message}"
    return f"{where}, series {key!r}: {message}"


def _emit(kind: str, results: dict, fmt: str) -> None:
    from pulsebi.trends.output import render

    text = render(kind, results, fmt)  # built whole before a byte is printed
    click.echo(text, nl=False)
