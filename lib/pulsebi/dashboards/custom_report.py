"""The page of one saved report (`notebooks/custom_report.ipynb?report_id=N`): its title, period,
filters said in words and its visual, live under Voilà or static under Papermill; the report
alone, no builder (`pulsebi.builder` runs the spec and makes the blocks).

The report comes from the notebook's `report_id` parameter or the page's query string (a
preheated kernel prepares the page before the request names the report: it then loads and
computes the report the viewer asks for). An id that is no saved report's, a deleted report or a
spec that no longer fits the catalog is a notice in place, above the list of saved reports
(without an id the page is that list); static, it fails the run (`pulsebi report run` refuses
it before running: `pulsebi.reports.custom_report`). A chart's figures also go to the workbook
as a sheet of their own (`pulsebi.builder.export.export_tables`), shown nowhere else.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Mapping
from typing import Any

from pulsebi import metrics
from pulsebi.dashboards.custom_report_view import (
    PARAMETER,
    TITLE,
    ReportView,
    list_html,
    open_view,
    parse_report_id,
    problem_html,
    report_filters,
)
from pulsebi.dashboards.filters import today_source
from pulsebi.dashboards.page import Block, Html, Page, Section
from pulsebi.errors import UsageError
from pulsebi.widgets.dates import Filters, local_today

__all__ = ["PARAMETER", "TITLE", "ReportPage", "build", "prepare", "present"]
_H1 = "<h1 style='margin:0 0 4px'>{}</h1>"
_WIDGET = "margin:2px;line-height:28px"


class ReportPage(Page):
    """A `Page` of one saved report: no filter bar (the report's spec holds its filters), a
    context line of period and filters in words, the report's blocks in one section."""

    def __init__(self, view: ReportView, today: Callable[[], dt.date] | None = None):
        self.view = view
        day = today() if today else local_today()
        section = Section("", self.report_blocks)
        super().__init__(view.title, [section], report_filters(view, day), {}, today=today)
        self._data_as_of = metrics.data_as_of

    def day(self) -> dt.date:
        return self._today() if self._today else local_today()

    def report_blocks(self, _filters: Filters) -> list[Block]:
        """The report's blocks (computed now); the problem and the list when it has none."""
        from pulsebi.charts import current_mode

        view = self.view
        if view.saved is None:
            if current_mode().static:  # a report missing its figures is never sent
                raise UsageError(view.problem or f"no saved report named: give {PARAMETER}=N")
            notice = [Html(problem_html(view.problem))] if view.problem else []
            return [*notice, Html(list_html())]
        from pulsebi.builder import report_blocks, run_spec

        self.result = run_spec(view.saved.spec, today=self.day())
        return report_blocks(self.result)

    def describe(self, filters: Filters) -> str:
        if self.view.saved is None:
            return "Open a saved report: each has a page of its own."
        words = self.view.filters_text()
        through = filters.date_to - dt.timedelta(days=1)
        text = f"{filters.date_from:%b %d, %Y} – {through:%b %d, %Y} · {words}"
        as_of = self._data_as_of() if self._data_as_of else None
        return text + (f" · data as of {as_of:%Y-%m-%d %H:%M %Z}" if as_of else "")

    def follow_request(self, query: Mapping[str, str]) -> None:
        """Show the report the query string names (``?report_id=7``); a bad id: a notice."""
        if PARAMETER not in query:
            if self.view.saved is None and not self.view.problem and self._root is not None:
                self.show_view(ReportView())  # the list as it is at the visit (preheated)
            return
        try:
            report_id = parse_report_id(query[PARAMETER])
        except UsageError as error:
            self.show_view(ReportView(problem=str(error)))
            return
        if report_id != self.view.report_id or self.view.problem:
            self.show_view(open_view(report_id))

    def show_view(self, view: ReportView) -> None:
        """Show another report (or problem) in this page, recomputed."""
        self.view, self.title = view, view.title
        filters = report_filters(view, self.day())
        if self._root is None:
            self.filters = filters
            return
        self._title.value = _H1.format(html.escape(self.title))
        self.refresh(filters)
        self.follow_live()

    def follow_live(self) -> None:
        """Follow live CRM changes (once) when the report's period reaches today."""
        reaches_today = self.view.saved is not None and self.filters.date_to > self.day()
        if reaches_today and not getattr(self, "_following", False):
            self._following = True
            super().follow_live()

    def first_paint_html(self, svg_charts: bool = False) -> str:
        from pulsebi.dashboards.first_paint import block_html

        blocks = [
            (block_html(b.block, b.widget, None, svg_charts=svg_charts), b.block)
            for b in self._live[0]
        ]
        notice = [self._notice.value] if self._notice.value else []
        parts = [self._title.value, *notice, self._context.value]
        # laid out as the live page's HTML widgets are (2px margins, 28px lines): no jump
        shown = [f'<div style="{_WIDGET}">{part}</div>' for part in parts]
        shown += [  # an HTML widget as the others; a table's or a chart's widget has no margin
            f'<div style="{_WIDGET if isinstance(block, Html) else "margin:0"}">{part}</div>'
            for part, block in blocks
        ]
        column = "display:flex;flex-direction:column"  # margins add up, as between widgets
        return f'<div class="pbi-first-paint" style="{column}">{"".join(shown)}</div>'

    def _show_static(self) -> None:
        from IPython.display import HTML, display

        from pulsebi.builder.export import data_bundle
        from pulsebi.dashboards.page import _static_bundle

        blocks = self.report_blocks(self.filters)  # raising fails the run
        display(HTML(self.header_html(self.filters)))
        for block in blocks:
            display(_static_bundle(block), raw=True)
        extra = data_bundle(self.result) if self.view.saved is not None else None
        if extra is not None:  # a chart's figures, for the workbook only
            display(extra, raw=True)

    def _build_live(self) -> Any:
        import ipywidgets as w

        self._title = w.HTML(_H1.format(html.escape(self.title)))
        self._context = w.HTML(self._context_html(self.filters))
        self._notice = w.HTML()
        self._notice.add_class("pbi-page-notice")
        self.notify(self._notice_text)
        blocks: list[Any] = []
        self._build_section(self.sections[0], self.filters, blocks)
        self._context.value = self._context_html(self.filters)  # the figures' data as of
        self._live = [blocks]
        self._boxes = [w.VBox([b.widget for b in blocks], layout=w.Layout(width="100%"))]
        page = w.VBox(
            [self._title, self._notice, self._context, self._boxes[0]],
            layout=w.Layout(width="100%"),
        )
        page.add_class("pbi-page")
        self.follow_live()
        return page


def build(
    *,
    report_id: int | str | None = None,
    query: dict[str, str] | None = None,
    today: dt.date | str | None = None,
) -> ReportPage:
    """The page of a saved report for the notebook's parameters (and the query string).

    Parameters
    ----------
    report_id
        The saved report's id (None or 0: the list of saved reports).
    query
        The page's query string (``?report_id=7``), over the parameter.
    today
        The local date relative periods are resolved on (a date or YYYY-MM-DD; default: today
        in the reporting time zone, read at each build).

    Returns
    -------
    ReportPage
        Not computed yet. A report it cannot show is said in place (static: the run fails).

    Raises
    ------
    UsageError
        `report_id` (the notebook's parameter) is not a whole number, or `today` not a date.
    """
    clock = today_source(today)
    page = ReportPage(open_view(parse_report_id(report_id)), clock)
    if query:
        page.follow_request(query)
    return page


def prepare(*, static: bool = False, **parameters: Any) -> ReportPage:
    """The page for the notebook's parameters, computed and (live) built but not shown yet.

    Parameters
    ----------
    static
        True under Papermill (HTML and SVG, computed when shown), False under Voilà (widgets,
        computed now).
    **parameters
        `build`'s: report_id, query, today.

    Returns
    -------
    ReportPage
        Ready for `present`.
    """
    from pulsebi.charts import use_mode

    use_mode(static)
    page = build(**parameters)
    if not static:
        page.prepare()
        if page.view.saved is None:  # a preheated kernel: the report comes with the request
            warm_up()
    return page


def warm_up() -> None:
    """Import what showing a report needs (pandas, the builder, live charts) ahead of the
    request that names it, so that only its figures are left to compute then."""
    import pandas  # noqa: F401

    import pulsebi.builder.blocks
    import pulsebi.builder.query
    import pulsebi.charts.live  # noqa: F401


def present(page: ReportPage) -> None:
    """Show a prepared page, first loading the report the query string names (live).

    Parameters
    ----------
    page
        From `prepare`.
    """
    page.present()
