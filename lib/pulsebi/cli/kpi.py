"""`pulsebi kpi METRIC --from D --to D [--until HH:MM] [--by DIM ...] [--grain G] [--branch CODE]
[--where DIM=V[,V...] ...] [--format F]`."""

from __future__ import annotations

import click

from pulsebi.errors import UsageError
from pulsebi.settings import get_settings

FORMATS = ("table", "json", "csv")


@click.command()
@click.argument("metric", required=False)
@click.option("--from", "start", metavar="YYYY-MM-DD", help="First local day (inclusive).")
@click.option("--to", "end", metavar="YYYY-MM-DD", help="Last local day (exclusive).")
@click.option(
    "--until",
    metavar="HH:MM",
    help="Stop the period's last day (the day before --to) at this local clock time, e.g. "
    "today to date: --from D --to D+1 --until 09:45.",
)
@click.option(
    "--by",
    "by",
    multiple=True,
    metavar="DIM",
    help="branch, rep, source, channel, service, job_status, category, priority, telemarketer,"
    " canvasser (repeatable; `--list` shows which a metric takes).",
)
@click.option("--grain", metavar="G", help="day, week, month, quarter or year.")
@click.option("--branch", metavar="CODE", help="Only this branch (by code).")
@click.option(
    "--where",
    "where",
    multiple=True,
    metavar="DIM=V[,V...]",
    help="Only the rows whose DIM (as --by groups them) is one of the values: branch codes, "
    "rep/source/telemarketer/canvasser ids, channel/service/... text; repeatable, e.g. "
    "--where channel=tv,radio --where source=7.",
)
@click.option("--format", "fmt", default="table", metavar="F", help="table (default), json or csv.")
@click.option("--list", "list_", is_flag=True, help="Print the metric catalog.")
@click.option("--no-cache", is_flag=True, help="Compute from the database, bypassing Redis.")
@click.option("--fresh", is_flag=True, help="Read the crm tables, not the views (slower).")
def kpi(metric, start, end, until, by, grain, branch, where, fmt, list_, no_cache, fresh) -> None:
    """Print one metric (from the bi views, through the cache), or the catalog with --list."""
    from pulsebi import metrics
    from pulsebi.cli import kpi_output

    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if list_:
        click.echo(kpi_output.render_catalog(metrics.catalog(), fmt), nl=False)
        return
    if not metric:
        raise UsageError("name a METRIC (or use --list to see them)")
    info = metrics.metric_info(metric)
    by = [d.strip() for item in by for d in item.split(",") if d.strip()]
    _parse_where(where)  # a malformed --where is named before anything is read
    if info.snapshot:
        from datetime import date, timedelta

        today = date.today()
        start, end = start or today.isoformat(), end or (today + timedelta(days=1)).isoformat()
    for name, value in (("--from", start), ("--to", end)):
        if value is None:
            raise UsageError(f"{metric} needs {name} YYYY-MM-DD")
        _parse_date(name, value)
    frame = metrics.compute(
        metric,
        start=_parse_date("--from", start),
        end=_parse_date("--to", end),
        by=by,
        grain=grain,
        branch=branch,
        settings=get_settings(),
        use_cache=not no_cache,
        fresh=fresh,
        until=_parse_until(until),
        where=_parse_where(where),
    )
    click.echo(kpi_output.render_frame(frame, info, fmt), nl=False)
    if fmt == "table":
        as_of = "now (crm tables)" if fresh else metrics.data_as_of(get_settings())
        click.echo(f"data as of {as_of}")


def _parse_date(name: str, value: str):
    from datetime import date

    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{name} {value!r} is not a date (YYYY-MM-DD)") from None


def _parse_until(value: str | None):
    from datetime import datetime

    if value is None:
        return None
    for form in ("%H:%M", "%H:%M:%S"):
        try:
            return datetime.strptime(value, form).time()
        except ValueError:
            pass
    raise UsageError(f"--until {value!r} is not a clock time (HH:MM, 24-hour)")


def _parse_where(items: tuple[str, ...]) -> dict[str, list] | None:
    """`("channel=tv,radio", "source=7")` -> `{"channel": ["tv", "radio"], "source": [7]}`;
    a dimension repeated adds its values. Values are taken exactly (never trimmed); ids are
    integers."""
    from pulsebi.metrics.dimensions import ID_COLUMNS

    where: dict[str, list] = {}
    for item in items:
        dim, sep, values = item.partition("=")
        dim = dim.strip()
        if not sep or not dim:
            raise UsageError(f"--where {item!r} is not DIM=VALUE[,VALUE...], e.g. channel=tv,radio")
        parts = values.split(",")
        if "" in parts:
            raise UsageError(f"--where {item!r} has an empty value: give DIM=VALUE[,VALUE...]")
        if dim in ID_COLUMNS:
            try:
                parts = [int(part) for part in parts]
            except ValueError:
                raise UsageError(
                    f"--where {item!r}: {dim} values are ids (integers), e.g. {dim}=1,4"
                ) from None
        where.setdefault(dim, []).extend(parts)
    return where or None
