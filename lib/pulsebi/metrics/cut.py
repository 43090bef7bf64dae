"""A spec's measures over a request, with the last day cut at a clock time (`Query.until`).

The daily views hold whole days only. A period that stops at a time of day reads its whole
days from the views and its last, cut day from the crm tables (the `fresh` spec's source and
measures, named alike); both halves are sums (as the weekly roll-ups already require of a
view's measures), so adding them per key gives the period's measures. Sources on crm tables
(timestamps) simply end at `Query.end_at`.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlalchemy import Connection

from pulsebi.metrics.query import Query, aggregate
from pulsebi.metrics.specs import SPECS

Results = dict[tuple, dict[str, object]]


def add_results(whole: Results, part: Results) -> Results:
    """Per key, the sum of each measure of both (a measure missing on one side is its default,
    which for sums is 0)."""
    out = {key: dict(found) for key, found in whole.items()}
    for key, found in part.items():
        into = out.setdefault(key, {})
        for name, value in found.items():
            into[name] = value if name not in into else into[name] + value
    return out


def aggregate_metric(conn: Connection, metric_id: str, q: Query, fresh: bool = False) -> Results:
    """The measures of `SPECS[metric_id]` (or its fresh spec) over `q`, `q.until` honoured."""
    from pulsebi.metrics.raw import fresh_spec  # here: raw imports departments, which needs specs

    spec = fresh_spec(metric_id) if fresh else SPECS[metric_id]
    source = spec.source_for(q.dims)
    if q.until is None or source.day is None or not spec.dated:
        return aggregate(conn, source, spec.measures, q, dated=spec.dated)
    raw = fresh_spec(metric_id)
    raw_source = raw.source_for(q.dims)
    if raw_source.day is not None:  # a view with no crm-table twin: a bug in the specs
        raise AssertionError(f"{metric_id} by {q.dims} has no crm-table source for a cut day")
    last = q.end - timedelta(days=1)
    whole: Results = {}
    if q.start < last:
        days = dataclasses.replace(q, end=last, until=None)
        whole = aggregate(conn, source, spec.measures, days)
    cut = aggregate(conn, raw_source, raw.measures, dataclasses.replace(q, start=last))
    return add_results(whole, cut)
