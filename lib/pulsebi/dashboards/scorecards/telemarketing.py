"""Telemarketing scorecard: calls made, appointments set and conversion; a per-telemarketer
ranking with how many of the appointments they set ran and sold."""

from __future__ import annotations

from typing import Any

from pulsebi.charts import ChartSpec
from pulsebi.dashboards.page import Chart, Page, Section, Table
from pulsebi.dashboards.scorecard import (
    Headline,
    counts_side_by_side,
    headline_section,
    prepare_scorecard,
    ranking,
)
from pulsebi.widgets.filters import Filters

TITLE = "Telemarketing scorecard"
METRICS = [
    "calls_made",
    "appointments_set",
    "telemarketing_conversion",
    "set_appointments_ran",
    "set_appointments_sold",
]
HEADLINES = tuple(Headline(m) for m in METRICS)
FORMATS = {
    "rank": "count",
    "calls_made": "count",
    "appointments_set": "count",
    "telemarketing_conversion": "rate",
    "set_appointments_ran": "count",
    "set_appointments_sold": "count",
}
LABELS = {
    "telemarketer_name": "Telemarketer",
    "telemarketing_conversion": "Conversion",
    "set_appointments_ran": "Their appointments ran",
    "set_appointments_sold": "Their appointments sold",
}


def telemarketer_ranking(filters: Filters) -> list[Any]:
    """Telemarketers by appointments set (then sold), with calls, conversion, ran and sold."""
    table = ranking(METRICS, "telemarketer", filters, ["appointments_set", "set_appointments_sold"])
    top = table[table["rank"].notna()].head(15)
    spec = ChartSpec(
        "hbar",
        top,
        x="telemarketer_name",
        y="appointments_set",
        units="count",
        title="Appointments set (top 15)",
    )
    return [
        Chart(spec),
        Table(table, "Telemarketer ranking", FORMATS, labels=LABELS, max_rows=100),
    ]


def over_time(filters: Filters) -> list[Any]:
    return counts_side_by_side(
        filters, "calls_made", "appointments_set", "Calls and appointments set"
    )


SECTIONS = (
    headline_section(HEADLINES),
    Section("Telemarketer ranking", telemarketer_ranking),
    Section("Over time", over_time),
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
