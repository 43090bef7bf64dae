"""The executive dashboard: early warnings, revenue, lead flow, conversion, the sales team,
pipeline, forecast.

Every figure comes from `pulsebi.metrics`; this module only chooses which and lays them out.
"Same period last year" is the same calendar dates one year earlier.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from pulsebi import metrics
from pulsebi.charts import ChartSpec
from pulsebi.dashboards.figures import (
    compare_to_date,
    empty_note,
    plain,
    snapshot,
    value,
    value_to_date,
)
from pulsebi.dashboards.filters import chart_span, list_branches, resolve_filters, today_source
from pulsebi.dashboards.page import Chart, Page, Section, Table, Tile, Tiles
from pulsebi.dashboards.warnings_strip import strip_section
from pulsebi.widgets.dates import local_today, preset_range
from pulsebi.widgets.filters import Filters

TITLE = "Executive dashboard"
REVENUE_PERIODS = (
    ("today", "Revenue today", "net_revenue.today"),
    ("week_to_date", "Week to date", "net_revenue.wtd"),
    ("month_to_date", "Month to date", "net_revenue.mtd"),
    ("year_to_date", "Year to date", "net_revenue.ytd"),
)


def revenue_tiles(filters: Filters, today: dt.date | None = None) -> list[Any]:
    """Net revenue today, week, month and year to date, each against the same dates last year.

    Parameters
    ----------
    filters
        The page's filters (their branch; the periods are today's).
    today
        The local date the periods count from (default: today). When it is today, each is
        compared up to now's clock time ("vs last year to 09:14").

    Returns
    -------
    list
        One `Tiles` block; each tile follows its live KPI on a live page.
    """
    today = today or local_today()
    tiles = []
    for preset, label, live in REVENUE_PERIODS:
        c = compare_to_date("net_revenue", preset_range(preset, today), filters.branch)
        key = f"revenue-{preset.replace('_', '-')}"
        tiles.append(
            Tile(
                label, c.current, "usd", "net_revenue", c.last_year, c.against(), key=key, live=live
            )
        )
    return [Tiles(tiles, columns=4)]


def period_tiles(filters: Filters) -> list[Any]:
    """The selected period's revenue, leads and rates, against the same period last year.

    Parameters
    ----------
    filters
        The page's filters (period, branch).

    Returns
    -------
    list
        One `Tiles` block: to date when the period holds today; a cohort still maturing is
        not compared, an empty figure says why.
    """
    period = (filters.date_from, filters.date_to)
    tiles = []
    for metric, label, unit in (
        ("net_revenue", "Net revenue", "usd"),
        ("leads", "Leads", "count"),
        ("lead_to_appointment_rate", "Lead → appointment", "rate"),
        ("closing_rate", "Closing rate", "rate"),
        ("lead_to_sale_rate", "Lead → sale", "rate"),
    ):
        c = compare_to_date(metric, period, filters.branch)
        judged = None if c.maturing else metric  # a maturing cohort is not held to thresholds
        tiles.append(
            Tile(
                label,
                c.current,
                unit,
                judged,
                c.last_year,
                c.against(),
                note=c.note,
                key=f"period-{metric}",
            )
        )
    return [Tiles(tiles, columns=5)]


def channel_label(channel: str) -> str:
    """A lead source channel as a legend says it: "direct_mail" → "Direct mail", "tv" → "TV"."""
    text = str(channel).replace("_", " ")
    return text.upper() if text == "tv" else text.capitalize()


def lead_flow(filters: Filters) -> list[Any]:
    """Leads per grain bucket by channel, and leads with their conversion rates by source.

    Parameters
    ----------
    filters
        The page's filters (period, branch, grain).

    Returns
    -------
    list
        A stacked bar `Chart` (partial buckets marked) and a `Table`.
    """
    period = dict(start=filters.date_from, end=filters.date_to, branch=filters.branch)
    by_channel = metrics.compute("leads", by=["channel"], grain=filters.grain, **period)
    by_channel["channel"] = by_channel["channel"].map(channel_label)
    by_source = metrics.compute("leads", by=["source"], **period)
    for rate in ("lead_to_appointment_rate", "lead_to_sale_rate"):
        by_source[rate] = metrics.compute(rate, by=["source"], **period)[rate].to_numpy()
    by_source = by_source.drop(columns=["source"]).rename(columns={"source_name": "source"})
    spec = ChartSpec(
        "stacked_bar",
        by_channel,
        x="period",
        y="leads",
        series="channel",
        title=f"Leads per {filters.grain} by channel",
        units="count",
        **chart_span(filters),
    )
    formats = {"leads": "count", "lead_to_appointment_rate": "rate", "lead_to_sale_rate": "rate"}
    return [Chart(spec), Table(by_source, "Leads by source", formats)]


def funnel(filters: Filters) -> list[Any]:
    """Leads created in the period → with an appointment → with one that ran → with a sale.

    Parameters
    ----------
    filters
        The page's filters (period, branch).

    Returns
    -------
    list
        The funnel `Chart` and a `Tiles` block of its rates, to date as the period's tiles.
    """
    period = (filters.date_from, filters.date_to)
    counts = metrics.compute("lead_funnel", start=period[0], end=period[1], branch=filters.branch)
    stages = [
        ("Leads", "funnel_leads"),
        ("Appointments", "funnel_appointments"),
        ("Ran", "funnel_ran"),
        ("Sold", "funnel_sold"),
    ]
    import pandas as pd

    frame = pd.DataFrame(
        {"stage": [s for s, _ in stages], "leads": [int(counts[c].iloc[0]) for _, c in stages]}
    )
    rates = []
    for metric, label in (
        ("lead_to_appointment_rate", "Lead → appointment"),
        ("closing_rate", "Closing rate (appointments ran → sold)"),
        ("lead_to_sale_rate", "Lead → sale"),
    ):
        c = compare_to_date(metric, period, filters.branch)  # as the period's tiles: to date
        judged = None if c.maturing else metric
        rates.append(Tile(label, c.current, "rate", judged, note=c.note, key=f"funnel-{metric}"))
    spec = ChartSpec(
        "funnel", frame, x="stage", y="leads", title="Conversion funnel", units="count"
    )
    return [Chart(spec), Tiles(rates, columns=3)]


def sales_team(filters: Filters) -> list[Any]:
    """Reps by rep revenue per branch, with their closing rate and number of sales.

    Parameters
    ----------
    filters
        The page's filters (period, branch).

    Returns
    -------
    list
        One `Table` (at most 60 rows shown).
    """
    period = dict(start=filters.date_from, end=filters.date_to, branch=filters.branch)
    ranking = metrics.compute("rep_ranking", **period)
    closing = metrics.compute("closing_rate", by=["rep"], **period)
    sales = metrics.compute("rep_sales", by=["rep"], **period)
    table = ranking.merge(closing[["rep", "closing_rate"]], on="rep", how="left").merge(
        sales[["rep", "rep_sales"]], on="rep", how="left"
    )
    table = table[["branch", "rank", "rep_name", "rep_revenue", "closing_rate", "rep_sales"]]
    formats = {"rank": "count", "rep_revenue": "usd", "closing_rate": "rate", "rep_sales": "count"}
    labels = {"rep_name": "Rep", "rep_revenue": "Rep revenue", "rep_sales": "Sales"}
    return [Table(table, "Sales team ranking", formats, labels=labels, max_rows=60)]


def pipeline(filters: Filters, today: dt.date | None = None) -> list[Any]:
    """Pipeline and weighted pipeline now, per branch; the month-end forecast with its basis.

    The tiles show the metric layer's own figures for the page's branch or the company (the
    sum over the branches that have one: a branch whose appointments cannot be valued counts
    for nothing, and with none valued the tile says why rather than $0). The forecast is the
    month's net revenue to date, cut as the revenue tiles are, plus the weighted pipeline due
    by the month's end.

    Parameters
    ----------
    filters
        The page's filters (its branch; the pipeline is a snapshot, not of the period).
    today
        The local date whose month the forecast is for (default: today).

    Returns
    -------
    list
        A `Tiles` block (pipeline, weighted pipeline, forecast) and the `Table` per branch.
    """
    today = today or local_today()
    month = preset_range("month_to_date", today)
    month_end = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    snapshot_day = dict(start=today, end=today + dt.timedelta(days=1))
    per_branch = metrics.compute("pipeline_value", by=["branch"], **snapshot_day)
    weighted = metrics.compute("weighted_pipeline", by=["branch"], **snapshot_day)
    per_branch["weighted_pipeline"] = weighted["weighted_pipeline"].to_numpy()
    if filters.branch:
        per_branch = per_branch[per_branch["branch"] == filters.branch]
    value_now = snapshot("pipeline_value", filters.branch)
    weighted_now = snapshot("weighted_pipeline", filters.branch)
    mtd = value_to_date("net_revenue", month, filters.branch) or 0
    due = value("weighted_pipeline_due", (today, month_end), filters.branch)
    last_day = month_end - dt.timedelta(days=1)
    # appointments due that cannot be valued (the metric's null) add nothing, and it says so
    due_text = _usd(due) if due is not None else empty_note("weighted_pipeline_due")
    due_text = f"weighted pipeline due by {last_day:%b %d} {due_text}"
    tiles = [
        Tile(
            "Pipeline value",
            value_now.current,
            "usd",
            "pipeline_value",
            note=value_now.note,
            key="pipeline-value",
            live="pipeline_value.now",
        ),
        Tile(
            "Weighted pipeline",
            weighted_now.current,
            "usd",
            "weighted_pipeline",
            note=weighted_now.note,
            key="weighted-pipeline",
        ),
        Tile(
            "Month-end forecast",
            plain(mtd + (due or 0)),
            "usd",
            "net_revenue",
            note=f"month to date {_usd(mtd)} + {due_text}",
            key="forecast",
        ),
    ]
    formats = {"pipeline_value": "usd", "weighted_pipeline": "usd"}
    table = per_branch.drop(columns=["branch"]).rename(columns={"branch_name": "branch"})
    return [Tiles(tiles, columns=3), Table(table, "Pipeline by branch", formats)]


def _usd(amount: Any) -> str:
    from pulsebi.charts import format_value

    return format_value(amount, "usd")


def sections(today: dt.date | None = None) -> tuple[Section, ...]:
    """The page's sections, counting from `today` (None: the local today at each build).

    Parameters
    ----------
    today
        The local date the revenue tiles and the forecast count from.

    Returns
    -------
    tuple of Section
    """
    return (
        strip_section(today),  # above the fold: what went out of its band yesterday, last week
        Section("Revenue", functools.partial(revenue_tiles, today=today)),
        Section("Selected period", period_tiles),
        Section("Lead flow", lead_flow),
        Section("Conversion funnel", funnel),
        Section("Sales team", sales_team),
        Section("Pipeline and forecast", functools.partial(pipeline, today=today)),
    )


SECTIONS = sections()


def build(
    *,
    branch: str | None = "all",
    preset: str = "month_to_date",
    date_from: str = "",
    date_to: str = "",
    grain: str = "week",
    query: dict[str, str] | None = None,
    today: dt.date | str | None = None,
) -> Page:
    """The executive page for the notebook's parameters (and the page's query string).

    Parameters
    ----------
    branch
        A branch code, or all (the notebook's parameters, read as
        `pulsebi.dashboards.filters.resolve_filters` reads them).
    preset
        The date preset, used without a custom range.
    date_from
        A custom range's first day (YYYY-MM-DD; "" for none).
    date_to
        The day after its last ("" for tomorrow).
    grain
        The lead flow chart's buckets.
    query
        The page's query string (`?branch=DAL`), overriding the parameters.
    today
        The local date the page counts from: its presets, the revenue tiles (today, week,
        month and year to date) and the month-end forecast; a date or YYYY-MM-DD (default:
        today in the reporting time zone, read at each build).

    Returns
    -------
    Page
        Not computed yet (`Page.prepare` or `Page.show` computes it).

    Raises
    ------
    UsageError
        A parameter the page does not offer, or `today` not a date.
    """
    clock = today_source(today)
    day = clock() if clock else None
    known = list_branches()
    filters = resolve_filters(
        branch=branch,
        preset=preset,
        date_from=date_from,
        date_to=date_to,
        grain=grain,
        known_branches=known,
        query=query,
        today=day,
    )
    page = Page(
        TITLE,
        sections(day),
        filters,
        known,
        data_as_of=metrics.data_as_of,
        today=clock,
    )
    page.parameters = {
        "branch": branch,
        "preset": preset,
        "date_from": date_from,
        "date_to": date_to,
        "grain": grain,
    }
    return page


def prepare(*, static: bool = False, **parameters: Any) -> Page:
    """The page for the notebook's parameters, computed and (live) built but not shown yet.

    Under Voilà with preheated kernels this runs before a viewer asks for the page, so the
    viewer's request only has to show it (see `present`).

    Parameters
    ----------
    static
        True under Papermill (HTML and SVG, computed when shown), False under Voilà (widgets,
        computed now).
    **parameters
        `build`'s: branch, preset, date_from, date_to, grain, query, today.

    Returns
    -------
    Page
        Ready for `present`.

    Raises
    ------
    UsageError
        A parameter the page does not offer (`build`).
    """
    from pulsebi.charts import use_mode

    use_mode(static)
    page = build(**parameters)
    if not static:
        page.prepare()
    return page


def present(page: Page) -> None:
    """Show a prepared page, first applying the page's query string (`?branch=DAL`) if any.

    Live, with preheating, this waits until a viewer asks for the page; a mistake in the query
    string is said above the page, which keeps the notebook's filters (`Page.present`).

    Parameters
    ----------
    page
        From `prepare`.
    """
    page.present()


def show(*, static: bool = False, **parameters: Any) -> Page:
    """Build the page from the notebook's parameters (and the page's query string), show it.

    Parameters
    ----------
    static
        True under Papermill, False under Voilà (see `prepare`).
    **parameters
        `build`'s parameters.

    Returns
    -------
    Page
        The page shown.

    Raises
    ------
    UsageError
        A parameter the page does not offer (`build`).
    """
    page = prepare(static=static, **parameters)
    present(page)
    return page
