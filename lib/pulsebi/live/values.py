"""Compute live KPI values, always through `pulsebi.metrics.compute` (never own SQL).

`compute` answers the additive metrics from the `bi` materialized views, which hold the crm
rows as of their last refresh. Live values must see the rows just written, so before a
recompute the worker calls `freshen`: when `compute` offers a `fresh` option (read current crm
rows) it is used; otherwise the views are refreshed (concurrently, through `pulsebi.views`).
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Iterable, Iterator
from datetime import date

from pulsebi.errors import PulseBIError
from pulsebi.live.channel import is_connection_error, plain_value
from pulsebi.live.kpis import DAILY_SUMS, REGISTRY, LiveKpi, field_name
from pulsebi.settings import Settings

log = logging.getLogger(__name__)


def available_kpis() -> list[LiveKpi]:
    """The registry's KPIs whose metric the catalog has."""
    from pulsebi import metrics

    known = {m.id for m in metrics.catalog()}
    missing = sorted({k.metric for k in REGISTRY.values()} - known)
    if missing:
        log.warning("live KPIs skipped, metrics not in the catalog: %s", ", ".join(missing))
    return [k for k in REGISTRY.values() if k.metric in known]


@functools.cache
def fresh_option() -> tuple[tuple[str, object], ...]:
    """The keyword(s) that make `metrics.compute` read current crm rows, if it has one."""
    from pulsebi import metrics

    return (("fresh", True),) if "fresh" in inspect.signature(metrics.compute).parameters else ()


def freshen(settings: Settings, kpis: Iterable[LiveKpi]) -> None:
    """Make the next `compute` calls of `kpis` see every committed crm row.

    Snapshot metrics (relative to now) read the crm tables already: they need nothing."""
    from pulsebi import metrics

    if fresh_option() or all(metrics.metric_info(k.metric).snapshot for k in kpis):
        return
    from pulsebi.db import get_engine
    from pulsebi.views import refresh_views

    refresh_views(get_engine(settings), settings)


def compute_kpi(
    kpi: LiveKpi, settings: Settings, today: date, views_before: date | None = None
) -> Iterator[dict[str, object]]:
    """`{field: value}` for the company, then (with the branch dimension) for every branch.

    `views_before`: the views hold every change to the days before it (see the worker): a
    daily sum then takes those days from the views and only the rest from the crm tables."""
    start, end = kpi.dates(today)
    current = dict(fresh_option(), use_cache=False)  # rows committed a moment ago count
    split = (
        views_before is not None
        and kpi.metric in DAILY_SUMS
        and fresh_option()
        and start < views_before <= today
    )
    for by in ((), ("branch",)) if "branch" in kpi.by else ((),):
        if split:
            past = _values(kpi, by, settings, start, views_before, use_cache=True)
            recent = _values(kpi, by, settings, views_before, end, **current)
            values = {f: _add(past.get(f), recent.get(f)) for f in past.keys() | recent.keys()}
        else:
            values = _values(kpi, by, settings, start, end, **current)
        yield {field: plain_value(value) for field, value in values.items()}


def _values(
    kpi: LiveKpi, by: tuple[str, ...], settings: Settings, start: date, end: date, **options
) -> dict[str, object]:
    from pulsebi import metrics

    frame = metrics.compute(kpi.metric, start=start, end=end, by=by, settings=settings, **options)
    if not by:
        return {field_name(kpi.key): frame[kpi.metric].iloc[0] if len(frame) else None}
    # the null group of dangling branch ids has no tile
    return {
        field_name(kpi.key, code): value
        for code, value in zip(frame["branch"], frame[kpi.metric], strict=True)
        if isinstance(code, str)
    }


def _add(a: object, b: object) -> object:
    if a is None or b is None:
        return b if a is None else a
    return a + b


def compute_kpis(
    kpis: Iterable[LiveKpi], settings: Settings, today: date, views_before: date | None = None
) -> Iterator[tuple[LiveKpi, dict[str, object]]]:
    """Values as they are computed (a KPI's company value, then its branches'); a KPI the
    metric layer refuses is logged and skipped."""
    for kpi in kpis:
        try:
            for values in compute_kpi(kpi, settings, today, views_before):
                yield kpi, values
        except PulseBIError as exc:
            log.warning("live KPI %s not computed: %s", kpi.key, exc)
        except Exception as exc:
            if is_connection_error(exc):
                raise
            log.exception("live KPI %s failed; the others go on", kpi.key)
