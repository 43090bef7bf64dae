"""Service scorecard: ticket volume, resolution time, customer satisfaction and the share of 4–5
scores, by category and by priority, over time; the oldest open tickets."""

from __future__ import annotations

from typing import Any

from pulsebi.charts import ChartSpec
from pulsebi.dashboards.filters import chart_span
from pulsebi.dashboards.page import Chart, Page, Section, Table
from pulsebi.dashboards.scorecard import (
    Headline,
    by_dimension,
    headline_section,
    prepare_scorecard,
    trend,
)
from pulsebi.metrics import details
from pulsebi.widgets.filters import Filters

TITLE = "Service scorecard"
HEADLINES = tuple(
    Headline(m) for m in ("ticket_volume", "resolution_hours", "csat", "csat_top2_share")
)
METRICS = [h.metric for h in HEADLINES]
FORMATS = {
    "ticket_volume": "count",
    "resolution_hours": "hours",
    "csat": "score",
    "csat_top2_share": "rate",
}
LABELS = {
    "ticket_volume": "Tickets opened",
    "resolution_hours": "Median resolution (h)",
    "csat": "CSAT",
    "csat_top2_share": "CSAT 4–5",
}


def _breakdown(dim: str, title: str, filters: Filters) -> list[Any]:
    table = by_dimension(METRICS, dim, filters)
    spec = ChartSpec(
        "bar", table, x=dim, y="ticket_volume", title=f"Tickets opened by {dim}", units="count"
    )
    return [Chart(spec), Table(table, title, FORMATS, labels=LABELS)]


def by_category(filters: Filters) -> list[Any]:
    return _breakdown("category", "By category", filters)


def by_priority(filters: Filters) -> list[Any]:
    return _breakdown("priority", "By priority", filters)


def over_time(filters: Filters) -> list[Any]:
    volume = trend("ticket_volume", filters)
    csat = trend("csat", filters)
    volume_spec = ChartSpec(
        "bar",
        volume,
        x="period",
        y="ticket_volume",
        units="count",
        title=f"Tickets opened per {filters.grain}",
        **chart_span(filters),
    )
    csat_spec = ChartSpec(
        "line",
        csat,
        x="period",
        y="csat",
        units="score",
        title=f"CSAT of tickets resolved per {filters.grain}",
        **chart_span(filters),
    )
    return [Chart(volume_spec), Chart(csat_spec)]


def oldest_open_tickets(filters: Filters) -> list[Any]:
    tickets = details.oldest_open_tickets(branch=filters.branch, limit=10)
    tickets["opened_at"] = tickets["opened_at"].dt.strftime("%Y-%m-%d %H:%M")
    formats = {"ticket_id": "text", "hours_open": "hours"}
    labels = {"ticket_id": "Ticket", "opened_at": "Opened", "hours_open": "Hours open"}
    return [Table(tickets, "Oldest open tickets", formats, labels=labels)]


SECTIONS = (
    headline_section(HEADLINES),
    Section("By category", by_category),
    Section("By priority", by_priority),
    Section("Over time", over_time),
    Section("Oldest open tickets (now)", oldest_open_tickets),
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
