"""What the Trends page's sections share: the page's metric and day, the series they load,
and how a section says in place what its data cannot give."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pulsebi.dashboards.notices import notice_html
from pulsebi.dashboards.page import Html
from pulsebi.dashboards.trends_data import TrendRequest, check_metric, load_series
from pulsebi.errors import UsageError
from pulsebi.trends.series import TrendSeries
from pulsebi.widgets.dates import local_today
from pulsebi.widgets.filters import Filters

MUTED = "#5b6473"
SEE_ABOVE = "Nothing to analyse here: see the first section."


@dataclass
class Loaded:
    """One request's series, with what the sections say about it."""

    request: TrendRequest
    series: TrendSeries
    note: str
    label: str
    unit: str

    @property
    def grain(self) -> str:
        return self.series.grain


class TrendsView:
    """The page's metric (the filter bar holds branch, grain and range) and the day it is."""

    def __init__(self, metric: str, today: Callable[[], dt.date] | None = None):
        self.metric = metric
        self._today = today

    def today(self) -> dt.date:
        """The local date the page counts from.

        Returns
        -------
        datetime.date
        """
        return self._today() if self._today else local_today()

    def load(self, filters: Filters) -> Loaded:
        """The series the filters and the metric ask for.

        Parameters
        ----------
        filters
            The page's filters.

        Returns
        -------
        Loaded

        Raises
        ------
        UsageError
            What the page cannot show (`pulsebi.dashboards.trends_data.load_series`).
        """
        info = check_metric(self.metric)
        request = TrendRequest(
            self.metric, filters.branch, filters.grain, filters.date_from, filters.date_to
        )
        request, series, note = load_series(request, self.today())
        unit = info.unit if info.unit in UNIT_OF else "count"
        return Loaded(request, series, note, info.label, unit)


# the catalog's units that charts and tables format (all of them today)
UNIT_OF = ("usd", "count", "rate", "hours", "days", "ms", "score")


def in_place(view: TrendsView, build: Callable[[Loaded], list[Any]], first: bool = False):
    """A section builder that says in place what its data cannot give.

    Parameters
    ----------
    view
        The page's view.
    build
        Makes the section's blocks from the loaded series.
    first
        The section that says why no series loads (the others point to it).

    Returns
    -------
    callable
        ``filters -> blocks``.
    """

    def section(filters: Filters) -> list[Any]:
        try:
            loaded = view.load(filters)
        except UsageError as error:
            return [Html(notice_html(str(error)) if first else quiet_html(SEE_ABOVE))]
        try:
            return build(loaded)
        except UsageError as error:  # the method's own limits: a series too short for it
            return [Html(notice_html(str(error)))]

    return section


def quiet_html(text: str) -> str:
    """A muted line of text (a section with nothing to show says why).

    Parameters
    ----------
    text
        Plain text (escaped).

    Returns
    -------
    str
        ``div.pbi-quiet``.
    """
    return (
        f'<div class="pbi-quiet" style="color:{MUTED};margin:4px 0 8px">{html.escape(text)}</div>'
    )


def bucket_label(day: Any, grain: str) -> str:
    """A bucket as a reader names it: "Nov 30, 2026", "week of Nov 23, 2026", "Nov 2026".

    Parameters
    ----------
    day
        The bucket's first day.
    grain
        day, week or month.

    Returns
    -------
    str
    """
    day = pd.Timestamp(day)
    if grain == "month":
        return f"{day:%b %Y}"
    text = f"{day:%b %d, %Y}"
    return f"week of {text}" if grain == "week" else text


def plural(n: int, noun: str) -> str:
    """ "1 week", "3 weeks"."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def with_dates(frame: pd.DataFrame, column: str = "date") -> pd.DataFrame:
    """The frame with its date column as plain dates (tables show them as ISO dates)."""
    out = frame.copy()
    out[column] = pd.to_datetime(out[column]).dt.date
    return out


def number(value: Any) -> float | None:
    """A value for a tile: None for NaN."""
    if value is None or pd.isna(value):
        return None
    return float(value)
