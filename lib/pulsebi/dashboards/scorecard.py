"""What every department scorecard shares: headline tiles and the scorecard table, each metric
against the previous period and the same period last year, and the notebook entry point."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pulsebi import metrics
from pulsebi.charts import describe_change, format_value
from pulsebi.dashboards.figures import value
from pulsebi.dashboards.filters import list_branches, resolve_filters
from pulsebi.dashboards.page import Page, Section, Table, Tile, Tiles
from pulsebi.widgets import thresholds
from pulsebi.widgets.dates import previous_period, same_period_last_year
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


@dataclass(frozen=True)
class Comparison:
    headline: Headline
    current: Any
    previous: Any  # previous period (None for a snapshot)
    last_year: Any  # same period last year (None for a snapshot)


def compare(headline: Headline, filters: Filters) -> Comparison:
    period = (filters.date_from, filters.date_to)
    current = value(headline.metric, period, filters.branch, headline.column)
    if headline.snapshot:
        return Comparison(headline, current, None, None)
    return Comparison(
        headline,
        current,
        value(headline.metric, previous_period(*period), filters.branch, headline.column),
        value(headline.metric, same_period_last_year(*period), filters.branch, headline.column),
    )


def _change_text(c: Comparison, other: Any) -> str:
    change = describe_change(
        c.current, other, c.headline.info.unit, thresholds.better(c.headline.metric)
    )
    return f"{change.arrow} {change.text}".strip()


def headline_blocks(headlines: Sequence[Headline], filters: Filters) -> list[Any]:
    """Tiles (vs last year, previous period in the note) and the scorecard table."""
    comparisons = [compare(h, filters) for h in headlines]
    tiles, rows = [], []
    for c in comparisons:
        unit = c.headline.info.unit
        note = "now" if c.headline.snapshot else (
            f"previous period {format_value(c.previous, unit)} ({_change_text(c, c.previous)})"
        )  # fmt: skip
        tiles.append(
            Tile(
                c.headline.title, c.current, unit, c.headline.metric,
                previous=c.last_year, comparison="" if c.headline.snapshot else "vs last year",
                note=note, key=f"kpi-{c.headline.column or c.headline.metric}",
            )
        )  # fmt: skip
        rows.append(
            {
                "metric": c.headline.title,
                "value": format_value(c.current, unit),
                "previous_period": format_value(c.previous, unit)
                if not c.headline.snapshot
                else "",
                "vs_previous": _change_text(c, c.previous) if not c.headline.snapshot else "",
                "last_year": format_value(c.last_year, unit) if not c.headline.snapshot else "",
                "vs_last_year": _change_text(c, c.last_year) if not c.headline.snapshot else "",
            }
        )
    import pandas as pd

    table = pd.DataFrame(rows)
    labels = {"previous_period": "Previous period", "vs_previous": "Change",
              "last_year": "Same period last year", "vs_last_year": "Change"}  # fmt: skip
    return [Tiles(tiles, columns=min(len(tiles), 4)), Table(table, "Scorecard", labels=labels)]


def headline_section(headlines: Sequence[Headline], title: str = "Headline figures") -> Section:
    return Section(title, lambda filters: headline_blocks(headlines, filters))


def show_scorecard(
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
    today: Callable[[], dt.date] | None = None,
) -> Page:
    """Build and show a scorecard page from the notebook's parameters (+ the query string)."""
    from pulsebi.charts import use_mode

    use_mode(static)
    query = None
    if not static:
        from pulsebi.serve.params import request_params

        query = request_params()
    known = list_branches()
    filters = resolve_filters(
        branch=branch, preset=preset, date_from=date_from, date_to=date_to, grain=grain,
        known_branches=known, query=query, today=today() if today else None,
    )  # fmt: skip
    page = Page(title, sections, filters, known, grains=grains, data_as_of=metrics.data_as_of)
    page.show()
    return page
