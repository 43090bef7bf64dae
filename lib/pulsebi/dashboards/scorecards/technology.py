"""Technology scorecard: system health, API latency p50/p95 and error rate per service, over
time; and the platform's own health (last view refresh and its duration, live worker lag,
failed report runs). The technology metrics are per service, company-wide: the branch filter
does not apply (the page says so)."""

from __future__ import annotations

import dataclasses
import html
from typing import Any

from pulsebi.charts import ChartSpec
from pulsebi.dashboards.filters import chart_span
from pulsebi.dashboards.page import Chart, Html, Page, Section, Table, Tile, Tiles
from pulsebi.dashboards.scorecard import (
    Headline,
    by_dimension,
    headline_blocks,
    prepare_scorecard,
    trend,
)
from pulsebi.metrics import platform
from pulsebi.widgets.filters import Filters

TITLE = "Technology scorecard"
METRICS = ["system_health", "api_latency_p50", "api_latency_p95", "error_rate"]
HEADLINES = tuple(Headline(m) for m in METRICS)
FORMATS = {
    "system_health": "rate",
    "api_latency_p50": "ms",
    "api_latency_p95": "ms",
    "error_rate": "rate",
}


def company_wide(filters: Filters) -> Filters:
    return dataclasses.replace(filters, branch=None)


def headlines(filters: Filters) -> list[Any]:
    blocks: list[Any] = []
    if filters.branch is not None:
        blocks.append(
            Html(
                '<p class="pbi-note" data-note="branch-ignored">Technology is company-wide: the '
                f"branch filter ({html.escape(filters.branch)}) does not apply to this page.</p>"
            )
        )
    return blocks + headline_blocks(HEADLINES, company_wide(filters))


def per_service(filters: Filters) -> list[Any]:
    table = by_dimension(METRICS, "service", company_wide(filters))
    return [Table(table, "Per service", FORMATS)]


def over_time(filters: Filters) -> list[Any]:
    f = company_wide(filters)
    charts = []
    for metric, title, units in (
        ("api_latency_p95", "API latency p95", "ms"),
        ("api_latency_p50", "API latency p50", "ms"),
        ("error_rate", "Error rate", "rate"),
        ("system_health", "System health", "rate"),
    ):
        spec = ChartSpec(
            "line",
            trend(metric, f, by="service"),
            x="period",
            y=metric,
            series="service",
            units=units,
            title=f"{title} per {f.grain} by service",
            **chart_span(f),
        )
        charts.append(Chart(spec))
    return charts


def platform_health(filters: Filters) -> list[Any]:
    """The platform's own health: figures from bi.refresh_log, the live worker's heartbeat in
    Redis and bi.report_runs (failed runs created in the period)."""
    checks = platform.platform_health(filters.date_from, filters.date_to)
    tiles = [
        Tile(
            c["label"],
            c["value"],
            c["unit"],
            c["check"],
            note=c["detail"],
            key=c["check"].replace("_", "-"),
        )
        for c in checks
    ]
    return [Tiles(tiles, columns=4)]


SECTIONS = (
    Section("Headline figures", headlines),
    Section("Per service", per_service),
    Section("Over time", over_time),
    Section("Platform health", platform_health),
)


def prepare(**parameters: Any) -> Page:
    """The page for the notebook's parameters, computed (live: and built), not shown yet.

    Parameters
    ----------
    **parameters
        `pulsebi.dashboards.scorecard.prepare_scorecard`'s: static, branch, date_from,
        date_to, grain, preset, today.

    Returns
    -------
    Page
        Ready for `present`.

    Raises
    ------
    UsageError
        A parameter the page does not offer.
    """
    return prepare_scorecard(TITLE, SECTIONS, **parameters)


def present(page: Page) -> None:
    """Show the prepared page, following the page's query string (`?branch=DAL`).

    Parameters
    ----------
    page
        From `prepare`.
    """
    page.present()


def show(**parameters: Any) -> Page:
    """Prepare and show the page at once.

    Parameters
    ----------
    **parameters
        `prepare`'s.

    Returns
    -------
    Page
        The page shown.

    Raises
    ------
    UsageError
        A parameter the page does not offer.
    """
    page = prepare(**parameters)
    present(page)
    return page
