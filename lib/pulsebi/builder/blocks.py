"""A report's figures as page blocks (`pulsebi.dashboards.page`): live (bqplot, widgets) or
static (SVG, HTML) with the existing toolkit, like any dashboard section.

bar / stacked_bar / line / area → `Chart` blocks: one chart per unit (net revenue and leads
are not drawn on one axis), one per measure when a Series splits them; table → one `Table`
with its totals row; pivot → one `Table` per measure (rows × columns, totals); gauge → the
gauge's HTML; pie → an SVG pie; kpi → `Tiles`, one per measure, with its comparison. Tables
show every row (no cap).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pulsebi.builder.fields import find_field, metric_of
from pulsebi.builder.pie import pie_html
from pulsebi.builder.result import ReportResult, label_of
from pulsebi.charts import ChartSpec
from pulsebi.charts.spec import GRAINS as CHART_GRAINS

if TYPE_CHECKING:
    from pulsebi.dashboards.page import Block, Html, Table, Tiles

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
X, SERIES = "x_shown", "series_shown"  # chart columns: X's and Series' labels


def sheet_name(text: str, fallback: str = "Report") -> str:
    """`text` as a table (and so Excel sheet) name: 1–31 characters, none of []:*?/\\."""
    name = _SHEET_BAD.sub(" ", text).strip()[:31].strip()
    return name or fallback


def title_of(result: ReportResult) -> str:
    """The report's title, or one made of its fields: 'Net revenue by month and branch'."""
    spec = result.spec
    if spec.title:
        return spec.title
    measures = ", ".join(label_of(v) for v in spec.values) or "Report"
    split = [label_of(f).lower() for f in (spec.x, spec.series) if f]
    return measures + (f" by {' and '.join(split)}" if split else "")


def report_blocks(result: ReportResult) -> list[Block]:
    """The page blocks that show `result` as its spec's visual.

    Parameters
    ----------
    result : ReportResult
        From `run_spec`.

    Returns
    -------
    list of Block
        `Chart`, `Table`, `Tiles` or `Html` blocks (module docstring), for a page section.
    """
    visual = result.spec.visual
    if visual == "kpi":
        return [_tiles(result)]
    if visual == "gauge":
        return [_gauge(result)]
    if visual == "pie":
        return [_pie(result)]
    if visual == "table":
        return [_table(result)]
    if visual == "pivot":
        return _pivots(result)
    return _charts(result)


def _tiles(result: ReportResult) -> Tiles:
    from pulsebi.dashboards.page import Tile, Tiles

    units = result.units
    tiles = [
        Tile(
            label_of(f.measure),
            f.value,
            units[f.measure],
            metric_of(f.measure),
            f.previous,
            f.against,
            note=f.note,
            key=f"report-{f.measure}",
        )
        for f in result.figures
    ]
    return Tiles(tiles, columns=min(len(tiles), 4) or None)


def _gauge(result: ReportResult) -> Html:
    from pulsebi.dashboards.page import Html
    from pulsebi.widgets.gauges import gauge_html

    measure = result.spec.values[0]
    value = result.frame[measure].iloc[0] if len(result.frame) else None
    return Html(
        gauge_html(
            label=title_of(result),
            value=value,
            target=result.spec.options.target,
            unit=result.units[measure],
            metric=metric_of(measure),
            key=f"report-{measure}",
        )
    )


def _pie(result: ReportResult) -> Html:
    from pulsebi.dashboards.page import Html

    measure = result.spec.values[0]
    labels = result.axis_labels(result.spec.x or "")
    return Html(
        pie_html(title_of(result), labels, list(result.frame[measure]), result.units[measure])
    )


def _table(result: ReportResult) -> Table:
    from pulsebi.dashboards.page import Table

    frame = result.table_frame()
    formats = {v: result.units[v] for v in result.spec.values}
    labels = {c: result.labels.get(c, c) for c in frame.columns}
    title = title_of(result)
    return Table(frame, sheet_name(title), formats, labels=labels, max_rows=None, caption=title)


def _pivots(result: ReportResult) -> list[Block]:
    from pulsebi.dashboards.page import Table

    blocks: list[Block] = []
    several = len(result.spec.values) > 1
    for measure in result.spec.values:
        frame = result.pivot_frame(measure)
        unit = result.units[measure]
        formats = {c: unit for c in frame.columns[1:]}
        name = label_of(measure) if several else title_of(result)
        labels = {c: str(c) for c in frame.columns}
        table = Table(frame, sheet_name(name), formats, labels=labels, max_rows=None, caption=name)
        blocks.append(table)
    return blocks


def _charts(result: ReportResult) -> list[Block]:
    from pulsebi.dashboards.page import Chart

    spec, data = result.spec, result.frame.copy()
    x_field = find_field(spec.x or "")
    over_time = x_field is not None and x_field.kind == "time"
    if over_time and result.grain in CHART_GRAINS:
        x_column = "period"  # a time axis; partial buckets marked
    else:
        data[X] = result.axis_labels(spec.x or "")
        x_column = X
    series = None
    if spec.series:
        data[SERIES] = result.axis_labels(spec.series)
        series = SERIES
    groups = [[v] for v in spec.values] if series else _by_unit(result)
    title, blocks = title_of(result), []
    for group in groups:
        kind = spec.visual
        if kind == "bar" and (len(group) > 1 or series):
            kind = "grouped_bar"
        chart_title = title if len(groups) == 1 else f"{title}: {', '.join(map(label_of, group))}"
        timed = over_time and x_column == "period"
        chart = ChartSpec(
            kind,
            data,
            x=x_column,
            y=group,
            series=series,
            title=chart_title,
            units=result.units[group[0]],
            names={v: label_of(v) for v in group},
            x_label=label_of(spec.x or ""),
            period=(result.start, result.end) if timed else None,
            grain=result.grain if timed else None,
        )
        blocks.append(Chart(chart))
    return blocks


def _by_unit(result: ReportResult) -> list[list[str]]:
    groups: dict[str, list[str]] = {}
    for value in result.spec.values:
        groups.setdefault(result.units[value], []).append(value)
    return list(groups.values())


def report_frames(result: ReportResult) -> list[tuple[str, Any]]:
    """(name, frame) of every table the report shows (the exports' sheets); charts, gauges,
    pies and tiles show `result.frame`.

    Parameters
    ----------
    result : ReportResult
        From `run_spec`.

    Returns
    -------
    list of (str, pandas.DataFrame)
        The table's or each pivot's frame, totals included; else the tidy frame.
    """
    from pulsebi.dashboards.page import Table

    tables = [b for b in report_blocks(result) if isinstance(b, Table)]
    if tables:
        return [(t.name, t.df) for t in tables]
    return [(sheet_name(title_of(result)), result.frame)]
