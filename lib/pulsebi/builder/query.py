"""Running a report spec: its figures, all through `pulsebi.metrics.compute`.

One `compute` per metric (a metric giving two measures, such as days_outstanding's mean and
max, is asked once), grouped by the spec's dimensions and bucketed by its grain, with its
filters; the frames are merged on the dimension columns (every member and bucket is listed by
each metric, so no row is lost or made up). Totals are asked of the metric layer too, never
added or averaged here: a table's totals row and a pivot's row, column and grand totals are
each metric computed without that grouping, so a rate's total is the rate over all the rows.
No row is capped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pulsebi import metrics
from pulsebi.builder.dates import resolve_range
from pulsebi.builder.fields import find_field, metric_of
from pulsebi.builder.result import Figure, ReportResult
from pulsebi.builder.spec import ReportSpec, load_spec
from pulsebi.dashboards.figures import MATURING_NOTE, empty_note, is_maturing, plain
from pulsebi.metrics.dimensions import COLUMNS
from pulsebi.settings import Settings, get_settings
from pulsebi.widgets import dates

AGAINST = {"previous_period": "vs previous period", "last_year": "vs same period last year"}


def grouping(spec: ReportSpec) -> tuple[tuple[str, ...], str | None]:
    """The dimensions (X's first, then Series') and the grain a spec groups by."""
    by: list[str] = []
    grain = None
    for field_id in (spec.x, spec.series):
        field = find_field(field_id) if field_id else None
        if field is None:
            continue
        if field.kind == "time":
            grain = field.id
        else:
            by.append(field.id)
    return tuple(by), grain


def key_columns(by: Sequence[str], grain: str | None) -> list[str]:
    """The columns a metric's frame is keyed by: each dimension's key and labels, the period."""
    return [c for dim in by for c in COLUMNS[dim]] + (["period"] if grain else [])


def filter_arguments(spec: ReportSpec) -> dict[str, Any]:
    """`metrics.compute`'s `where` for the spec's filters (values bound there, never spliced)."""
    where = {f.field: list(f.values) for f in spec.filters}
    return {"where": where} if where else {}


@dataclass(frozen=True)
class Asker:
    """`metrics.compute` with a run's period, filters and settings."""

    start: dt.date
    end: dt.date
    filters: dict[str, Any]
    settings: Settings
    use_cache: bool = True

    def frame(
        self,
        metric: str,
        by: Sequence[str] = (),
        grain: str | None = None,
        period: tuple[dt.date, dt.date] | None = None,
        until: dt.time | None = None,
    ) -> Any:
        start, end = period or (self.start, self.end)
        return metrics.compute(
            metric,
            start=start,
            end=end,
            by=list(by),
            grain=grain,
            settings=self.settings,
            use_cache=self.use_cache,
            until=until,
            **self.filters,
        )

    def measures(self, values: Sequence[str], by: Sequence[str], grain: str | None) -> Any:
        """One frame: the key columns, then each measure's column, in `values`' order."""
        keys = key_columns(by, grain)
        frames = []
        for metric in dict.fromkeys(metric_of(v) for v in values):
            wanted = [v for v in values if metric_of(v) == metric]
            frames.append(self.frame(metric, by, grain)[keys + wanted])
        return merge_frames(frames, keys)[keys + list(values)]

    def total(self, values: Sequence[str]) -> dict[str, Any]:
        """Each measure over every row (no grouping): the totals row, the grand total."""
        row = self.measures(values, (), None)
        return {v: plain(row[v].iloc[0]) if len(row) else None for v in values}


def merge_frames(frames: list[Any], keys: list[str]) -> Any:
    """The frames side by side, matched on `keys` (nulls match nulls), rows in first-seen
    order."""
    import pandas as pd

    if not keys:
        return pd.concat([f.reset_index(drop=True) for f in frames], axis=1)
    order = pd.concat([f[keys] for f in frames], ignore_index=True).drop_duplicates()
    merged = order.reset_index(drop=True)
    for frame in frames:
        merged = merged.merge(frame, on=keys, how="left")
    return merged


def run_spec(
    spec: ReportSpec | dict[str, Any] | str,
    *,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    settings: Settings | None = None,
    use_cache: bool = True,
) -> ReportResult:
    """The figures of a report spec.

    Parameters
    ----------
    spec : ReportSpec, dict or str
        The spec, or its JSON document (checked with `load_spec`).
    today : datetime.date, optional
        The local date relative presets are resolved on; default the reporting zone's today
        at `now`.
    now : datetime.datetime, optional
        The instant (time zone aware) a KPI tile's to-date comparison stops at; default this
        instant, or the end of `today` when only `today` is given (whole days).
    settings : Settings, optional
        Database, Redis and reporting zone; default `get_settings()`.
    use_cache : bool, default True
        False: every figure from the database, nothing cached.

    Returns
    -------
    ReportResult
        The tidy frame, its labels and units, and what the visual needs: totals (table,
        pivot), row and column totals (pivot), figures and comparisons (KPI tiles).

    Raises
    ------
    SpecError
        If the spec is invalid or incomplete.
    UsageError
        From `pulsebi.metrics.compute` (e.g. a branch code no branch has).
    """
    spec = load_spec(spec)
    settings = settings or get_settings()
    if now is None and today is not None:  # that day as a whole: to-date figures end at 24:00
        now = dt.datetime.combine(today, dt.time(23, 59, 59), settings.zone)
    now = now or dt.datetime.now(dt.UTC)
    today = today or dates.local_today(now, settings.tz)
    start, end = resolve_range(spec.dates.preset, today, spec.dates.date_from, spec.dates.date_to)
    ask = Asker(start, end, filter_arguments(spec), settings, use_cache)
    by, grain = grouping(spec)
    result = {"spec": spec, "start": start, "end": end, "by": by, "grain": grain}
    if spec.visual == "kpi":
        figures = [_figure(ask, v, spec.options.comparison, today, now) for v in spec.values]
        return ReportResult(**result, frame=ask.measures(spec.values, (), None), figures=figures)
    frame = ask.measures(spec.values, by, grain)
    totals: dict[str, Any] = {}
    rows = columns = None
    if spec.visual in ("table", "pivot") and (by or grain):
        totals = ask.total(spec.values)
    if spec.visual == "pivot":
        x_by = by[:1] if spec.x in by else ()
        rows = ask.measures(spec.values, x_by, grain)
        columns = ask.measures(spec.values, by[-1:], None)
    return ReportResult(
        **result, frame=frame, totals=totals, row_totals=rows, column_totals=columns
    )


def _figure(
    ask: Asker, measure: str, comparison: str | None, today: dt.date, now: dt.datetime
) -> Figure:
    """A KPI tile's figure; compared to date (both periods stopping at now's clock time) when
    the period holds today, not compared while a cohort matures."""
    metric = metric_of(measure)
    period, until = (ask.start, ask.end), None
    if comparison is None:
        value = plain(ask.frame(metric)[measure].iloc[0])
        note = empty_note(metric, period, now) if value is None else ""
        return Figure(measure, value, note=note)
    if dates.contains_today(*period, today):
        until = dates.to_date_until(now, ask.settings.tz)
        period = dates.period_to_date(ask.start, today)
        before = (
            dates.previous_to_date(ask.start, today)
            if comparison == "previous_period"
            else dates.last_year_to_date(ask.start, today)
        )
    elif comparison == "previous_period":
        before = dates.previous_period(*period)
    else:
        before = dates.same_period_last_year(*period)
    value = plain(ask.frame(metric, period=period, until=until)[measure].iloc[0])
    note = empty_note(metric, period, now) if value is None else ""
    against = AGAINST[comparison] + ("" if until is None else f" to {until:%H:%M}")
    if is_maturing(metric, period, today):
        return Figure(measure, value, note=note or MATURING_NOTE, period=period, until=until)
    previous = plain(ask.frame(metric, period=before, until=until)[measure].iloc[0])
    return Figure(measure, value, previous, against, note, period, before, until)
