"""The Trends page's page object and filters: a `Page` with a metric (`trends` builds it).

The filter bar starts with a Metric list; the context line names the metric; the query string
may carry ``metric`` (the early-warning strip links with ``?metric=leads&branch=HOU&grain=day``);
a range left at a grain's default follows the grain when it changes; the page does not follow
live CRM changes (it shows whole past buckets, from the views).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from collections.abc import Mapping
from typing import Any

from pulsebi.charts import current_mode
from pulsebi.dashboards.filters import parse_date, resolve_filters
from pulsebi.dashboards.notices import notice_html
from pulsebi.dashboards.page import Page
from pulsebi.dashboards.trends_data import GRAINS, check_grain, default_range, trend_metrics
from pulsebi.dashboards.trends_view import TrendsView
from pulsebi.errors import UsageError
from pulsebi.widgets.dates import local_today
from pulsebi.widgets.filters import Filters


def resolve_trend_filters(
    *,
    branch: str | None,
    grain: str,
    date_from: object,
    date_to: object,
    known_branches: Mapping[str, str],
    query: Mapping[str, str] | None = None,
    today: dt.date | None = None,
) -> Filters:
    """The page's filters: the parameters, overridden by the query string.

    Parameters
    ----------
    branch
        A branch code, or all.
    grain
        day, week or month.
    date_from, date_to
        The range [from, to) (YYYY-MM-DD or dates); either left "" takes the grain's default
        (`trends_data.default_range`): three years of buckets ending where today's begins.
    known_branches
        Branch code → name.
    query
        ``branch``, ``grain``, ``from``, ``to`` or a ``preset`` override the parameters.
    today
        The local date (default: today in the reporting zone).

    Returns
    -------
    Filters
        A custom range (preset "custom"), unless the query asks for a preset.

    Raises
    ------
    UsageError
        A value the page does not offer; the message names it and what to use instead.
    """
    query = dict(query or {})
    today = today or local_today()
    common = dict(known_branches=known_branches, today=today, grains=GRAINS)
    if "preset" in query and not ("from" in query or "to" in query):
        return resolve_filters(
            branch=branch, preset="custom", date_from="", date_to="", grain=grain,
            query=query, **common,
        )  # fmt: skip
    grain = check_grain(query.get("grain", grain))
    start = parse_date(query.get("from", date_from), "from" if "from" in query else "date_from")
    end = parse_date(query.get("to", date_to), "to" if "to" in query else "date_to")
    default_from, default_to = default_range(grain, today)
    if start is None:
        start = default_range(grain, end)[0] if end else default_from
    end = end or default_to
    rest = {k: v for k, v in query.items() if k in ("branch", "grain")}
    return resolve_filters(
        branch=branch, preset="custom", date_from=start, date_to=end, grain=grain,
        query=rest, **common,
    )  # fmt: skip


def check_report_parameters(
    *,
    metric: str,
    branch: str | None,
    grain: str,
    date_from: object,
    date_to: object,
    settings: Any = None,
    today: dt.date | None = None,
) -> tuple[Filters, dict[str, str]]:
    """The page's filters for a report run, refusing what the page would only say in place.

    `pulsebi report run` checks a page's parameters before anything runs (exit 2, one line);
    its Summary sheet, subject and file names take the period, branch and grain from here.

    Parameters
    ----------
    metric
        The notebook's `metric` parameter (a catalog id).
    branch
        Its `branch` ("all", None or a branch code).
    grain
        Its `grain` (day, week or month).
    date_from
        Its `date_from` ("" for the default range, or YYYY-MM-DD).
    date_to
        Its `date_to` (exclusive; "" for the default range).
    settings
        Where the branches are looked up (default: the process's settings).
    today
        The local date the default range counts from (default: today in the reporting zone).

    Returns
    -------
    tuple
        The filters (`pulsebi.widgets.filters.Filters`) and the branches (code → name).

    Raises
    ------
    UsageError
        A metric the page cannot show or one not counted by the grain, an unknown branch or
        grain, a date that does not parse: the message names the value and what to use.
    """
    from pulsebi.dashboards.filters import list_branches
    from pulsebi.dashboards.trends_data import check_metric

    info = check_metric(str(metric))
    known = list_branches(settings)
    given = {"branch": branch, "grain": str(grain), "date_from": date_from, "date_to": date_to}
    filters = resolve_trend_filters(**given, known_branches=known, today=today)
    if filters.grain not in info.grains:
        offered = ", ".join(g for g in GRAINS if g in info.grains)
        raise UsageError(f"{metric} is not counted by {filters.grain}: use grain {offered}")
    return filters, known


class TrendsPage(Page):
    """A `Page` with a metric: the filter bar starts with a Metric list, the context line names
    the metric, the query string may carry ``metric``; a default range follows the grain."""

    def __init__(self, view: TrendsView, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.view = view
        self.metrics = trend_metrics()

    def describe(self, filters: Filters) -> str:
        label = self.metrics.get(self.view.metric, self.view.metric)
        return f"{label} · {super().describe(filters)}"

    def header_html(self, filters: Filters) -> str:
        notice = notice_html(self._notice_text) if self._notice_text else ""
        header = super().header_html(filters)
        label = self.metrics.get(self.view.metric)
        if label and current_mode().static:  # a report's title (its subject, its files' names)
            title = f">{html.escape(self.title)}</h1>"
            header = header.replace(title, f">{html.escape(f'{self.title}: {label}')}</h1>", 1)
        return header + notice

    def follow_live(self) -> None:
        """Nothing to follow: the page shows whole past buckets, from the views."""

    def follow_request(self, query: Mapping[str, str]) -> None:
        """Show the metric and filters the query string asks for (a mistake: a notice).

        Parameters
        ----------
        query
            The serving request's query parameters (``metric``, ``branch``, ``grain``,
            ``from``, ``to``, ``preset``).
        """
        metric = query.get("metric")
        changed = metric is not None and metric != self.view.metric
        if changed:
            self.view.metric = metric
        try:
            filters = resolve_trend_filters(
                **self.parameters, known_branches=self.branches, query=query, today=self.day()
            )
        except UsageError as error:
            self.notify(f"{error}. The page shows its default filters instead.")
            filters = self.filters
        if self._root is not None and self.picker.value != self._picked():
            self._quiet_picker = True  # the page follows below, once
            try:
                self.picker.value = self._picked()
            finally:
                self._quiet_picker = False
        if changed and filters == self.filters and self._root is not None:
            self.refresh(filters)
        else:
            self.apply(filters)

    def day(self) -> dt.date:
        """The local date the page counts from.

        Returns
        -------
        datetime.date
        """
        return self._today() if self._today else local_today()

    def refresh(self, filters: Filters) -> None:
        super().refresh(self._regrained(filters))

    def _regrained(self, filters: Filters) -> Filters:
        """A range left at another grain's default becomes this grain's default (a weekly
        range ends on a Monday, which would cut the last month short)."""
        today = self.day()
        if (filters.date_from, filters.date_to) == default_range(filters.grain, today):
            return filters
        if not any((filters.date_from, filters.date_to) == default_range(g, today) for g in GRAINS):
            return filters
        start, end = default_range(filters.grain, today)
        bar = getattr(self, "bar", None)
        if bar is not None:
            bar.set(notify=False, preset="custom", date_from=start, date_to=end)
        return dataclasses.replace(filters, date_from=start, date_to=end, preset="custom")

    def _picked(self) -> str | None:
        return self.view.metric if self.view.metric in self.metrics else None

    def _build_live(self) -> Any:
        import ipywidgets as w

        page = super()._build_live()
        self._quiet_picker = False
        self.picker = w.Dropdown(
            options=[(label, key) for key, label in self.metrics.items()],
            value=self._picked(),
            description="Metric",
        )
        self.picker.style.description_width = "initial"
        self.picker.layout.width = "auto"
        self.picker.layout.margin = "2px 8px 2px 0"
        self.picker.add_class("pbi-metric-picker")
        self.bar.children = (self.picker, *self.bar.children)
        self.picker.observe(self._metric_picked, names="value")
        return page

    def _metric_picked(self, change: Any) -> None:
        if self._quiet_picker or change.new is None:
            return
        self.view.metric = change.new
        self._mark_loading(change)
        self.bar.set()  # no value changes: the bar's debounced refresh, with the new metric
