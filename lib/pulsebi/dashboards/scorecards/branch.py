"""Branch scorecard: the branch's early warnings, revenue, leads, conversion and the location's
rep ranking; with all branches, the five side by side."""

from __future__ import annotations

from typing import Any

from pulsebi import metrics
from pulsebi.charts import ChartSpec
from pulsebi.dashboards.filters import chart_span
from pulsebi.dashboards.page import Chart, Page, Section, Table
from pulsebi.dashboards.scorecard import Headline, headline_section, prepare_scorecard
from pulsebi.dashboards.warnings_strip import strip_section
from pulsebi.widgets.filters import Filters

TITLE = "Branch scorecard"
HEADLINES = tuple(
    Headline(m)
    for m in (
        "net_revenue",
        "bookings",
        "leads",
        "lead_to_appointment_rate",
        "closing_rate",
        "lead_to_sale_rate",
    )
)
UNITS = {h.metric: h.info.unit for h in HEADLINES}


def side_by_side(filters: Filters) -> list[Any]:
    """Every branch's headline figures in one table (all branches), or the revenue trend."""
    period = dict(start=filters.date_from, end=filters.date_to)
    if filters.branch is None:
        table = None
        for h in HEADLINES:
            frame = metrics.compute(h.metric, by=["branch"], **period)[
                ["branch", "branch_name", h.metric]
            ]
            table = (
                frame
                if table is None
                else table.merge(frame, on=["branch", "branch_name"], how="outer")
            )
        spec = ChartSpec(
            "bar", table, x="branch", y="net_revenue", title="Net revenue by branch", units="usd"
        )
        return [Chart(spec), Table(table, "Branches side by side", UNITS)]
    trend = metrics.compute("net_revenue", grain=filters.grain, branch=filters.branch, **period)
    spec = ChartSpec(
        "line",
        trend,
        x="period",
        y="net_revenue",
        title=f"Net revenue per {filters.grain}",
        units="usd",
        **chart_span(filters),
    )
    return [Chart(spec)]


def rep_ranking(filters: Filters) -> list[Any]:
    ranking = metrics.compute(
        "rep_ranking", start=filters.date_from, end=filters.date_to, branch=filters.branch
    )
    ranking = ranking.drop(columns=["rep"])
    formats = {"rank": "count", "rep_revenue": "usd"}
    return [Table(ranking, "Rep ranking", formats, labels={"rep_name": "Rep"}, max_rows=60)]


def sections(today: Any = None) -> tuple[Section, ...]:
    """The page's sections; the early-warning strip judges `today`'s yesterday and last week.

    Parameters
    ----------
    today
        A date, YYYY-MM-DD, a function giving it, or None for the local today at each build.

    Returns
    -------
    tuple of Section
    """
    return (
        strip_section(today),  # first: the branch's pairs out of their band
        headline_section(HEADLINES),
        Section("Branches", side_by_side),
        Section("Rep ranking", rep_ranking),
    )


SECTIONS = sections()


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
    return prepare_scorecard(TITLE, sections(parameters.get("today")), **parameters)


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
