"""The Trends page: one metric's series with its expected band and anomalies, this year against
last year, its trend and seasonality, its growth, and a forecast to the end of the quarter and
the year (`pulsebi.trends` computes them; the sections are in `trends_sections`,
`trends_seasons` and `trends_forecast`).

Parameters (the notebook's, and the page's query string: ``?metric=leads&branch=HOU&grain=day``,
as the early-warning strip links to it): the metric (a catalog id with a history), the branch,
the grain (day, week, month) and a range, by default three years of whole buckets up to today's
(the page object: `trends_page`). What the data cannot give (an unknown or snapshot metric, a
grain the metric lacks, a series too short for a method) is said in place, and the page keeps
working.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from pulsebi import metrics
from pulsebi.dashboards.filters import list_branches, today_source
from pulsebi.dashboards.page import Section
from pulsebi.dashboards.trends_data import DEFAULT_METRIC, GRAINS
from pulsebi.dashboards.trends_forecast import forecast_blocks
from pulsebi.dashboards.trends_page import TrendsPage, resolve_trend_filters
from pulsebi.dashboards.trends_seasons import growth_blocks, seasonality_blocks
from pulsebi.dashboards.trends_sections import series_blocks, yoy_blocks
from pulsebi.dashboards.trends_view import TrendsView, in_place
from pulsebi.errors import UsageError
from pulsebi.widgets.dates import local_today

TITLE = "Trends"
SECTION_TITLES = (
    "Series and anomalies",
    "This year against last year",
    "Trend and seasonality",
    "Growth",
    "Forecast",
)


def sections(view: TrendsView) -> tuple[Section, ...]:
    """The page's sections over `view`'s metric.

    Parameters
    ----------
    view
        The page's metric and day.

    Returns
    -------
    tuple of Section
    """
    builders = (series_blocks, yoy_blocks, seasonality_blocks, growth_blocks, forecast_blocks)
    return tuple(
        Section(title, in_place(view, build, first=i == 0))
        for i, (title, build) in enumerate(zip(SECTION_TITLES, builders, strict=True))
    )


def build(
    *,
    metric: str = DEFAULT_METRIC,
    branch: str | None = "all",
    grain: str = "week",
    date_from: str = "",
    date_to: str = "",
    query: dict[str, str] | None = None,
    today: dt.date | str | Callable[[], dt.date] | None = None,
) -> TrendsPage:
    """The Trends page for the notebook's parameters (and the page's query string).

    Parameters
    ----------
    metric
        A catalog metric with a history (`trends_data.trend_metrics`).
    branch
        A branch code, or all.
    grain
        day, week or month.
    date_from
        The range's first day (YYYY-MM-DD; "" for three years of buckets before date_to).
    date_to
        The day after its last ("" for the start of today's bucket).
    query
        The page's query string (``?metric=leads&branch=HOU&grain=day``), over the parameters.
    today
        The local date the default range counts from (a date or YYYY-MM-DD; default: today in
        the reporting time zone, read at each build).

    Returns
    -------
    TrendsPage
        Not computed yet. A parameter the page does not offer is said in a notice above it,
        which shows its default filters; a metric it cannot show, in place.

    Raises
    ------
    UsageError
        `today` is not a date.
    """
    clock = today_source(today)
    day = clock() if clock else local_today()
    known = list_branches()
    query = dict(query or {})
    view = TrendsView(query.get("metric", metric), clock)
    given = {"branch": branch, "grain": grain, "date_from": date_from, "date_to": date_to}
    notice = None
    try:
        filters = resolve_trend_filters(**given, known_branches=known, query=query, today=day)
    except UsageError as error:
        notice = f"{error}. The page shows its default filters instead."
        defaults = {"branch": "all", "grain": "week", "date_from": "", "date_to": ""}
        filters = resolve_trend_filters(**defaults, known_branches=known, today=day)
        given = defaults
    page = TrendsPage(
        view,
        TITLE,
        sections(view),
        filters,
        known,
        grains=GRAINS,
        data_as_of=metrics.data_as_of,
        today=clock,
    )
    page.parameters = given
    page.notify(notice)
    return page


def prepare(*, static: bool = False, **parameters: Any) -> TrendsPage:
    """The page for the notebook's parameters, computed and (live) built but not shown yet.

    Under Voilà with preheated kernels this runs before a viewer asks for the page.

    Parameters
    ----------
    static
        True under Papermill (HTML and SVG, computed when shown), False under Voilà (widgets,
        computed now).
    **parameters
        `build`'s: metric, branch, grain, date_from, date_to, query, today.

    Returns
    -------
    TrendsPage
        Ready for `present`.
    """
    from pulsebi.charts import use_mode

    use_mode(static)
    page = build(**parameters)
    if not static:
        page.prepare()
    return page


def present(page: TrendsPage) -> None:
    """Show a prepared page, first applying the page's query string if any.

    Parameters
    ----------
    page
        From `prepare`.
    """
    page.present()


def show(*, static: bool = False, **parameters: Any) -> TrendsPage:
    """Build the page from the notebook's parameters (and the query string), show it.

    Parameters
    ----------
    static
        True under Papermill, False under Voilà.
    **parameters
        `build`'s parameters.

    Returns
    -------
    TrendsPage
        The page shown.
    """
    page = prepare(static=static, **parameters)
    present(page)
    return page
