"""The one query shape every metric uses: filter a period, bucket by grain, group by dimensions.

A `Source` is a view (a local `day` column) or a raw crm table (a timestamp bucketed in the
reporting zone at query time). `aggregate` returns `{key: {measure: value}}` where key is
`(*dimension ids, period?)`; `grid_axes` and `measures_at` turn that into a grid listing every
member and every bucket.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import (
    TIMESTAMP,
    Connection,
    Date,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql import ColumnElement, FromClause, Select

from pulsebi.db.schema import branches, employees, lead_sources
from pulsebi.metrics.filters import Where, where_conditions, where_parameters, where_shape

Measures = dict[str, Callable[[object], ColumnElement]]


@dataclass(frozen=True)
class Query:
    """A validated request: half-open local dates, grain, dimensions, branch filter.

    `until` cuts the period's last day (`end` − 1) at that local clock time: the period is
    then [start 00:00, (end − 1) until) in the reporting zone ("to date", up to a time of day).
    `where` keeps the rows whose dimensions hold one of the values (`filters.check_where`).
    """

    start: date
    end: date
    by: tuple[str, ...]
    grain: str | None
    tz: str
    branch_ids: tuple[int, ...] | None = None  # None: no branch filter
    until: time | None = None  # None: the last day is whole
    where: Where = ()  # dimension filters, ANDed with each other and with branch_ids

    @property
    def dims(self) -> tuple[str, ...]:
        """The dimensions a source must hold: those grouped by, then those filtered on."""
        return tuple(dict.fromkeys((*self.by, *(dim for dim, _ in self.where))))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def instant(self, day: date) -> datetime:
        """Local midnight of `day` in the reporting zone."""
        return datetime(day.year, day.month, day.day, tzinfo=self.zone)

    @property
    def end_at(self) -> datetime:
        """The instant the period ends: local midnight of `end`, or the last day at `until`.

        A clock time that happens twice (the hour repeated when DST ends) is its later
        instant, so the period holds both; one that never happens (the hour skipped when DST
        starts) is read with the offset before the change. Both as PostgreSQL reads a local
        timestamp `AT TIME ZONE`."""
        if self.until is None:
            return self.instant(self.end)
        local = datetime.combine(self.end - timedelta(days=1), self.until, tzinfo=self.zone)
        return max(local, local.replace(fold=1), key=datetime.timestamp).astimezone(UTC)


@dataclass(frozen=True)
class Source:
    table: FromClause
    dims: dict[str, str]  # dimension -> column holding its raw id ("channel" uses "source")
    day: str | None = None  # a local-date column (views)
    ts: str | None = None  # a timestamptz column (raw tables)
    where: Callable[[object], ColumnElement] | None = None
    defaults: dict[str, object] = field(default_factory=dict)  # value of a measure over no rows
    weekly: FromClause | None = None  # the view's weekly roll-up (same columns, Monday `day`)


def bucket_start(day: date, grain: str) -> date:
    """The calendar start of the `grain` bucket holding `day` (a week's Monday, a quarter's
    first day: 1 January, 1 April, 1 July or 1 October)."""
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if grain == "year":
        return day.replace(month=1, day=1)
    return day


def _next_bucket(day: date, grain: str) -> date:
    if grain == "week":
        return day + timedelta(days=7)
    if grain == "month":
        return date(day.year + day.month // 12, day.month % 12 + 1, 1)
    if grain == "quarter":  # `day` is a quarter's first day: month 1, 4, 7 or 10
        return date(day.year + 1, 1, 1) if day.month == 10 else day.replace(month=day.month + 3)
    if grain == "year":
        return date(day.year + 1, 1, 1)
    return day + timedelta(days=1)


def periods(start: date, end: date, grain: str) -> list[date]:
    """Calendar starts of every bucket overlapping [start, end)."""
    out, day = [], bucket_start(start, grain)
    while day < end:
        out.append(day)
        day = _next_bucket(day, grain)
    return out


def _bucket(local: ColumnElement, grain: str) -> ColumnElement:
    if grain == "day":
        return cast(local, Date)
    # grain comes from the fixed GRAINS whitelist; date_trunc on a timestamp, never timestamptz
    return cast(func.date_trunc(literal_column(f"'{grain}'"), local), Date)


# 0001-01-01 is a Monday (proleptic Gregorian, as PostgreSQL counts): whole days since it, mod 7,
# give the weekday without date_trunc's round trip through a timestamp (a third of the query).
_MONDAY = literal_column("date '0001-01-01'", Date)


def _bucket_day(day: ColumnElement, grain: str) -> ColumnElement:
    """The bucket of a local-date column."""
    if grain == "day":
        return day
    if grain == "week":
        return day - (day - _MONDAY) % 7
    return _bucket(cast(day, TIMESTAMP), grain)


def _week_bounds(q: Query) -> tuple[date, date] | None:
    """The whole weeks of [start, end) as [first Monday, last Monday); None if there are none."""
    first = bucket_start(q.start + timedelta(days=6), "week")  # first Monday on or after start
    last = bucket_start(q.end, "week")  # whole weeks end at the Monday on or before end
    return (first, last) if first < last else None


def _whole_weeks(src: Source) -> FromClause:
    """The view's rows over [:start, :end), its whole weeks [:first, :last) read from the
    weekly roll-up (one row per week instead of seven), the days at either end from the daily
    view."""
    names = [col.name for col in src.weekly.c]
    weekly, daily = src.weekly.c, src.table.c
    first, last = bindparam("first", type_=Date), bindparam("last", type_=Date)
    weeks = select(*(weekly[n] for n in names)).where(
        weekly[src.day] >= first, weekly[src.day] < last
    )
    days = select(*(daily[n] for n in names)).where(
        daily[src.day] >= bindparam("start", type_=Date),
        daily[src.day] < bindparam("end", type_=Date),
        or_(daily[src.day] < first, daily[src.day] >= last),
    )
    return union_all(weeks, days).subquery(src.table.name)


def _statement(
    src: Source, measures: Measures, q: Query, dated: bool, weeks: bool
) -> tuple[Select, int]:
    """The grouped query (its values bound by name, see `_parameters`) and its key count."""
    frm = _whole_weeks(src) if weeks else src.table
    c = frm.c
    keys: list[ColumnElement] = []
    conditions: list[ColumnElement] = []
    joined_sources = False
    for dim in q.by:
        if dim in ("source", "channel"):
            if not joined_sources:
                frm = frm.outerjoin(lead_sources, lead_sources.c.id == c[src.dims["source"]])
                joined_sources = True
            keys.append(lead_sources.c.id if dim == "source" else lead_sources.c.channel)
        elif dim == "branch":
            # the branch id when it exists, else null: dangling ids form one group (tested
            # against the branches' ids, hashed once: cheaper than a join)
            col = c[src.dims["branch"]]
            keys.append(case((col.in_(select(branches.c.id)), col), else_=None))
        else:
            keys.append(c[src.dims[dim]])
    if dated and src.day:
        start, end = bindparam("start", type_=Date), bindparam("end", type_=Date)
        conditions += [c[src.day] >= start, c[src.day] < end]
        if q.grain:
            keys.append(_bucket_day(c[src.day], q.grain))
    elif dated and src.ts:
        start, end = bindparam("start_at"), bindparam("end_at")
        conditions += [c[src.ts] >= start, c[src.ts] < end]
        if q.grain:
            keys.append(_bucket(func.timezone(bindparam("tz"), c[src.ts]), q.grain))
    if q.branch_ids is not None:
        conditions.append(c[src.dims["branch"]].in_(bindparam("branch_ids", expanding=True)))
    conditions += where_conditions(q.where, src.dims, c)
    if src.where is not None:
        conditions.append(src.where(c))
    labels = [f"k{i}" for i in range(len(keys))]
    stmt = select(
        *(k.label(n) for k, n in zip(keys, labels, strict=True)),
        *(fn(c).label(name) for name, fn in measures.items()),
    ).select_from(frm)
    if conditions:
        stmt = stmt.where(and_(*conditions))
    if keys:
        stmt = stmt.group_by(*(literal_column(str(i + 1)) for i in range(len(keys))))
    return stmt, len(keys)


def _parameters(q: Query, weeks: tuple[date, date] | None) -> dict[str, object]:
    params: dict[str, object] = {
        "start": q.start,
        "end": q.end,
        "start_at": q.instant(q.start),
        "end_at": q.end_at,
        "tz": q.tz,
    }
    if weeks is not None:
        params["first"], params["last"] = weeks
    if q.branch_ids is not None:
        params["branch_ids"] = list(q.branch_ids)
    params.update(where_parameters(q.where))
    return params


# Built statements by shape; each entry keeps its source and measures alive, so their ids (in
# the key) cannot be reused by other objects while it is here.
_STATEMENTS: dict[tuple, tuple[Source, Measures, Select, int]] = {}
_STATEMENTS_KEPT = 512


def aggregate(
    conn: Connection, src: Source, measures: Measures, q: Query, *, dated: bool = True
) -> dict[tuple, dict[str, object]]:
    """Run the grouped query; `dated=False` ignores the period (snapshot metrics).

    Where the source has a weekly roll-up its measures must be sums: questions by week, or
    over the whole period, read their whole weeks from the roll-up."""
    weeks = None
    if dated and src.weekly is not None and q.grain in (None, "week"):
        weeks = _week_bounds(q)
    filtered = (q.branch_ids is not None, where_shape(q.where))
    shape = (id(src), id(measures), q.by, q.grain, dated, bool(weeks), filtered)
    found = _STATEMENTS.get(shape)
    if found is None or found[0] is not src or found[1] is not measures:
        if len(_STATEMENTS) >= _STATEMENTS_KEPT:
            _STATEMENTS.clear()
        stmt, width = _statement(src, measures, q, dated, weeks is not None)
        found = _STATEMENTS[shape] = (src, measures, stmt, width)
    _, _, stmt, width = found
    names = list(measures)
    out = {}
    # plain tuples: cheaper to slice and index
    for row in map(tuple, conn.execute(stmt, _parameters(q, weeks)).all()):
        values = row[width:]
        if None in values:  # a null aggregate (no rows at all) leaves the measure's default
            out[row[:width]] = {n: v for n, v in zip(names, values, strict=True) if v is not None}
        else:
            out[row[:width]] = dict(zip(names, values, strict=True))
    return out


def sales_reps_only(column_name: str) -> Callable[[object], ColumnElement]:
    """Only employees whose role is exactly 'sales_rep' count as reps."""

    def where(c) -> ColumnElement:
        reps = select(employees.c.id).where(employees.c.role == "sales_rep")
        return c[column_name].in_(reps)

    return where


def grid_axes(
    results: dict[tuple, dict[str, object]],
    q: Query,
    members: Sequence[Iterable],
    dated: bool = True,
) -> list[list]:
    """The keys along each axis of the result grid: every member of each dimension, then every
    bucket of the period. Members seen only in the results (a dangling id's null group, a new
    service) are added at the end of their axis."""
    axes: list[list] = [list(m) for m in members]
    if dated and q.grain:
        axes.append(periods(q.start, q.end, q.grain))
    for i, axis in enumerate(axes):
        seen = set(axis)
        extra = {key[i] for key in results if key[i] not in seen}
        axis += sorted((e for e in extra if e is not None), key=str)
        if None in extra:
            axis.append(None)
    return axes


def measures_at(
    results: dict[tuple, dict[str, object]], key: tuple, defaults: dict[str, object]
) -> dict[str, object]:
    """The measures of one grid cell, defaults where the query returned none (the dicts are
    shared, not copied: callers only read them)."""
    found = results.get(key)
    if found is None:
        return defaults
    if found.keys() >= defaults.keys():
        return found
    return {**defaults, **found}
