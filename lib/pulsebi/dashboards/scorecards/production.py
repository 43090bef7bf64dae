"""Production scorecard: jobs in progress, completion rate, days outstanding (mean, max and the
oldest open jobs), jobs created by status over time; with all branches, the branches side by
side."""

from __future__ import annotations

from typing import Any

from pulsebi.charts import ChartSpec
from pulsebi.dashboards.filters import chart_span
from pulsebi.dashboards.page import Chart, Html, Page, Section, Table
from pulsebi.dashboards.scorecard import (
    Headline,
    by_dimension,
    headline_section,
    prepare_scorecard,
    trend,
)
from pulsebi.metrics import details
from pulsebi.widgets.filters import Filters

TITLE = "Production scorecard"
HEADLINES = (
    Headline("jobs_in_progress"),
    Headline("job_completion_rate"),
    Headline("days_outstanding", "Days outstanding (mean)", "days_outstanding_mean"),
    Headline("days_outstanding", "Days outstanding (max)", "days_outstanding_max"),
    Headline("jobs_created"),
)
FORMATS = {
    "jobs_in_progress": "count",
    "job_completion_rate": "rate",
    "days_outstanding_mean": "days",
    "days_outstanding_max": "days",
    "jobs_created": "count",
}


def jobs_by_status(filters: Filters) -> list[Any]:
    """Jobs created per grain bucket, stacked by their current status."""
    frame = trend("jobs_created", filters, by="job_status")
    spec = ChartSpec(
        "stacked_bar",
        frame,
        x="period",
        y="jobs_created",
        series="job_status",
        title=f"Jobs created per {filters.grain} by status",
        units="count",
        **chart_span(filters),
    )
    table = frame.pivot_table(
        index="period", columns="job_status", values="jobs_created", aggfunc="sum", sort=False
    ).reset_index()
    table.columns = [str(c) for c in table.columns]
    return [Chart(spec), Table(table, "Jobs created by status", {"period": "text"})]


def branches(filters: Filters) -> list[Any]:
    """Every branch's production figures (all branches only)."""
    if filters.branch is not None:
        return [Html('<p class="pbi-note">All branches side by side: choose "all".</p>')]
    table = by_dimension(list({h.metric: None for h in HEADLINES}), "branch", filters)
    return [Table(table, "Branches side by side", FORMATS, labels={"branch_name": "Name"})]


def oldest_open_jobs(filters: Filters) -> list[Any]:
    jobs = details.oldest_open_jobs(branch=filters.branch, limit=10)
    jobs["created_at"] = jobs["created_at"].dt.strftime("%Y-%m-%d %H:%M")
    formats = {"job_id": "text", "days_outstanding": "days"}
    labels = {"job_id": "Job", "created_at": "Created", "days_outstanding": "Days outstanding"}
    return [Table(jobs, "Oldest open jobs", formats, labels=labels)]


SECTIONS = (
    headline_section(HEADLINES),
    Section("Jobs created by status", jobs_by_status),
    Section("Oldest open jobs (now)", oldest_open_jobs),
    Section("Branches", branches),
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
