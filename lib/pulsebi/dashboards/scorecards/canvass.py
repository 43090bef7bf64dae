"""Canvass scorecard: doors knocked, leads generated and lead rate; a per-canvasser ranking with
how many of their leads became sales and the revenue of those sales."""

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

TITLE = "Canvass scorecard"
METRICS = [
    "doors_knocked",
    "leads_generated",
    "canvass_lead_rate",
    "canvass_sales",
    "canvass_revenue",
]
HEADLINES = tuple(Headline(m) for m in METRICS)
FORMATS = {
    "rank": "count",
    "doors_knocked": "count",
    "leads_generated": "count",
    "canvass_lead_rate": "rate",
    "canvass_sales": "count",
    "canvass_revenue": "usd",
}
LABELS = {
    "canvasser_name": "Canvasser",
    "canvass_lead_rate": "Lead rate",
    "canvass_sales": "Sales from their leads",
    "canvass_revenue": "Revenue from their leads",
}


def canvasser_ranking(filters: Filters) -> list[Any]:
    """Canvassers by leads generated (then revenue), with doors, lead rate, sales, revenue."""
    table = ranking(METRICS, "canvasser", filters, ["leads_generated", "canvass_revenue"])
    top = table[table["rank"].notna()].head(15)
    spec = ChartSpec(
        "hbar",
        top,
        x="canvasser_name",
        y="leads_generated",
        units="count",
        title="Leads generated (top 15)",
    )
    return [Chart(spec), Table(table, "Canvasser ranking", FORMATS, labels=LABELS, max_rows=100)]


def over_time(filters: Filters) -> list[Any]:
    return counts_side_by_side(
        filters, "doors_knocked", "leads_generated", "Doors knocked and leads generated"
    )


SECTIONS = (
    headline_section(HEADLINES),
    Section("Canvasser ranking", canvasser_ranking),
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
