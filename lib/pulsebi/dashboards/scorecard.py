"""What every department scorecard shares: headline tiles and the scorecard table, each metric
against the previous period and the same period last year, and the notebook entry point."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pulsebi import metrics
from pulsebi.charts import ChartSpec
from pulsebi.dashboards.figures import Compared, compare_to_date, snapshot
from pulsebi.dashboards.filters import (
    chart_span,
    list_branches,
    resolve_filters,
    today_source,
)
from pulsebi.dashboards.page import Chart, Page, Scorecard, Section, Tile, Tiles
from pulsebi.widgets.filters import Filters


@dataclass(frozen=True)
class Headline:
    """One headline figure: a metric (value column `column`, default the id)."""

    metric: str
    label: str | None = None
    column: str | None = None

    @property
    def info(self) -> metrics.MetricInfo:
        return metrics.metric_info(self.metric)

    @property
    def title(self) -> str:
        return self.label or self.info.label

    @property
    def snapshot(self) -> bool:
        return self.info.snapshot


def compare(headline: Headline, filters: Filters) -> Compared:
    """A headline's figure over the page's period, with its comparisons.

    Parameters
    ----------
    headline
        The figure.
    filters
        The page's filters (period and branch).

    Returns
    -------
    Compared
        Against the previous period and the same period last year, to date when the period
        holds today (`pulsebi.dashboards.figures.compare_to_date`); a cohort still maturing and
        a snapshot ("now") are not compared. A figure without a value says why (`note`).
    """
    if headline.snapshot:
        return snapshot(headline.metric, filters.branch, headline.column)
    period = (filters.date_from, filters.date_to)
    return compare_to_date(headline.metric, period, filters.branch, headline.column, previous=True)


COMPARISONS = {"vs previous period": "previous", "vs same period last year": "last_year"}


def headline_blocks(headlines: Sequence[Headline], filters: Filters) -> list[Any]:
    """The headline tiles and the scorecard table (`pulsebi.widgets.scorecard`).

    Each figure is compared with the same period last year and the previous period, both cut
    at the same clock time when the period holds today ("vs last year to 09:14"); a cohort
    still maturing says so instead and is not held to its thresholds; snapshot figures say
    "now" and have no comparison.

    Parameters
    ----------
    headlines
        The figures, in order.
    filters
        The page's filters.

    Returns
    -------
    list
        A `Tiles` block and a `Scorecard` block.
    """
    tiles, rows = [], []
    until = None
    for h in headlines:
        c = compare(h, filters)
        until = until or c.until
        compared = not (h.snapshot or c.maturing)
        tiles.append(
            Tile(
                h.title,
                c.current,
                h.info.unit,
                None if c.maturing else h.metric,  # a maturing cohort: no threshold colour
                previous=c.last_year,
                comparison=c.against("vs last year") if compared else "",
                note=c.note or ("now" if h.snapshot else ""),
                also=[(c.against("vs previous period"), c.previous)] if compared else [],
                key=f"kpi-{h.column or h.metric}",
            )
        )
        label = f"{h.title} (now)" if h.snapshot else h.title
        rows.append(
            {
                "label": f"{label} ({c.note})" if c.maturing else label,
                "metric": h.metric,
                "unit": h.info.unit,
                "value": c.current,
                "previous": c.previous if compared else None,
                "last_year": c.last_year if compared else None,
                "maturing": c.maturing,
            }
        )
    import pandas as pd

    columns = ["label", "metric", "unit", "value", "previous", "last_year", "maturing"]
    table = pd.DataFrame(rows, columns=columns)
    table = table.astype(object).where(table.notna(), None)
    cut = Compared(None, until=until)  # the table's headers say where the comparisons stop
    headers = {cut.against(text): column for text, column in COMPARISONS.items()}
    return [Tiles(tiles, columns=min(len(tiles), 5)), Scorecard(table, "Scorecard", headers)]


def period_args(filters: Filters, branch: bool = True) -> dict[str, Any]:
    """`metrics.compute` arguments for the page's period (and branch).

    Parameters
    ----------
    filters
        The page's filters.
    branch
        False: the company, whatever branch the page shows (company-wide figures).

    Returns
    -------
    dict
        ``start``, ``end`` and (with `branch`) ``branch``.
    """
    args: dict[str, Any] = {"start": filters.date_from, "end": filters.date_to}
    if branch:
        args["branch"] = filters.branch
    return args


def by_dimension(
    metric_ids: Sequence[str], dim: str, filters: Filters, *, branch: bool = True
) -> Any:
    """Several metrics side by side, one row per member of a dimension.

    Parameters
    ----------
    metric_ids
        The metrics, in column order.
    dim
        A dimension every one of them has (`pulsebi.metrics.catalog.DIMENSIONS`).
    filters
        The page's filters (period, branch).
    branch
        False: over the company, whatever branch the page shows.

    Returns
    -------
    pandas.DataFrame
        The dimension's key and label columns (every member listed), then the value columns
        of each metric, in order.
    """
    from pulsebi.metrics.dimensions import COLUMNS

    keys = list(COLUMNS[dim])
    table = None
    for metric_id in metric_ids:
        frame = metrics.compute(metric_id, by=[dim], **period_args(filters, branch))
        frame = frame[keys + list(metrics.metric_info(metric_id).columns)]
        table = frame if table is None else table.merge(frame, on=keys, how="outer", sort=False)
    return table


def ranking(metric_ids: Sequence[str], dim: str, filters: Filters, order: Sequence[str]) -> Any:
    """Members of an employee dimension ranked by the `order` columns (descending; ties by id).

    The null group (ids that are no such employee) comes last, unranked, labelled as such. With
    one branch, members with nothing in that branch are left out.

    Parameters
    ----------
    metric_ids
        The metrics shown (`by_dimension`).
    dim
        An employee dimension: rep, telemarketer, canvasser.
    filters
        The page's filters.
    order
        The value columns ranked on, first decides.

    Returns
    -------
    pandas.DataFrame
        ``rank`` (None for the null group), the member's name and the value columns; no id.
    """
    from pulsebi.metrics.dimensions import COLUMNS

    key, name = COLUMNS[dim][:2]
    table = by_dimension(metric_ids, dim, filters)
    values = [c for c in table.columns if c not in (key, name)]
    if filters.branch is not None:
        active = table[values].fillna(0).astype(float).ne(0).any(axis=1)
        table = table[active]
    unknown = table[key].isna()
    ranked = table[~unknown].sort_values(
        [*order, key], ascending=[False] * len(order) + [True], na_position="last", kind="stable"
    )
    ranked.insert(0, "rank", range(1, len(ranked) + 1))
    rest = table[unknown].assign(rank=None)
    rest[name] = f"(not a {dim})"
    import pandas as pd

    out = pd.concat([ranked, rest[ranked.columns]], ignore_index=True) if len(rest) else ranked
    return out.drop(columns=[key]).reset_index(drop=True)


def trend(metric_id: str, filters: Filters, *, by: str | None = None, branch: bool = True) -> Any:
    """The metric per grain bucket of the page's period.

    Parameters
    ----------
    metric_id
        A metric with the page's grain.
    filters
        The page's filters (period, branch, grain).
    by
        A dimension to split each bucket by (one row per bucket and member).
    branch
        False: over the company, whatever branch the page shows.

    Returns
    -------
    pandas.DataFrame
        ``period`` and the value columns, every bucket of the period; a bucket without a value
        (a mean over no rows) is kept, and charts draw it as a gap.
    """
    return metrics.compute(
        metric_id, by=[by] if by else [], grain=filters.grain, **period_args(filters, branch)
    )


def counts_side_by_side(filters: Filters, first: str, second: str, title: str) -> list[Any]:
    """Two count metrics per grain bucket as grouped bars (e.g. calls and appointments set).

    Parameters
    ----------
    filters
        The page's filters.
    first
        The first count metric (the left bar of each bucket).
    second
        The second.
    title
        The chart's title; " per <grain>" is added.

    Returns
    -------
    list
        One `Chart` block, its buckets cut by the period marked partial.
    """
    frame = trend(first, filters)
    frame[second] = trend(second, filters)[second].to_numpy()
    spec = ChartSpec(
        "grouped_bar",
        frame,
        x="period",
        y=[first, second],
        units="count",
        title=f"{title} per {filters.grain}",
        **chart_span(filters),
    )
    return [Chart(spec)]


def headline_section(headlines: Sequence[Headline], title: str = "Headline figures") -> Section:
    """A section of headline tiles and the scorecard table (`headline_blocks`).

    Parameters
    ----------
    headlines
        The figures, in order.
    title
        The section's heading.

    Returns
    -------
    Section
    """
    return Section(title, lambda filters: headline_blocks(headlines, filters))


def prepare_scorecard(
    title: str,
    sections: Sequence[Section],
    *,
    static: bool,
    branch: str | None,
    date_from: str,
    date_to: str,
    grain: str,
    preset: str = "month_to_date",
    grains: Sequence[str] = ("day", "week", "month"),
    today: Callable[[], dt.date] | dt.date | str | None = None,
) -> Page:
    """A scorecard page for the notebook's parameters, computed and (live) built, not shown.

    Under Voilà with preheated kernels this runs before a viewer asks for the page; `present`
    then shows it, following the page's query string (`?branch=DAL`).

    Parameters
    ----------
    title
        The page's title.
    sections
        What the page shows.
    static
        True under Papermill (HTML and SVG), False under Voilà (widgets).
    branch
        A branch code, or all (the notebook's parameters, read as
        `pulsebi.dashboards.filters.resolve_filters` reads them).
    date_from
        A custom range's first day (YYYY-MM-DD; "" for none).
    date_to
        The day after its last ("" for tomorrow).
    grain
        The charts' buckets.
    preset
        The date preset, used without a custom range.
    grains
        The grains the page offers.
    today
        The local date the presets count from: a date, YYYY-MM-DD, or a function giving it
        (read again when a page prepared yesterday is shown); default: today in the reporting
        time zone.

    Returns
    -------
    Page
        Ready for `present`.

    Raises
    ------
    UsageError
        A parameter the page does not offer, or `today` not a date.
    """
    from pulsebi.charts import use_mode

    today = today_source(today)
    use_mode(static)
    known = list_branches()
    parameters = {
        "branch": branch,
        "preset": preset,
        "date_from": date_from,
        "date_to": date_to,
        "grain": grain,
    }
    filters = resolve_filters(
        **parameters, known_branches=known, grains=grains, today=today() if today else None
    )
    page = Page(
        title, sections, filters, known, grains=grains, data_as_of=metrics.data_as_of, today=today
    )
    page.parameters = parameters
    if not static:
        page.prepare()
    return page


def present(page: Page) -> None:
    """Show a prepared scorecard (live: following the page's query string; see `Page.present`).

    Parameters
    ----------
    page
        From `prepare_scorecard`.
    """
    page.present()


def show_scorecard(title: str, sections: Sequence[Section], **parameters: Any) -> Page:
    """Prepare and show a scorecard page at once.

    Parameters
    ----------
    title
        The page's title.
    sections
        What the page shows.
    **parameters
        `prepare_scorecard`'s other parameters.

    Returns
    -------
    Page
        The page shown.

    Raises
    ------
    UsageError
        A parameter the page does not offer.
    """
    page = prepare_scorecard(title, sections, **parameters)
    present(page)
    return page
