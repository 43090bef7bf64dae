"""`compute`: validate a request, answer from the cache or the database, return a DataFrame."""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import ProgrammingError

from pulsebi import cache
from pulsebi.errors import ConfigError, UsageError
from pulsebi.metrics import due, special
from pulsebi.metrics.catalog import CATALOG, DIMENSIONS, GRAINS, MetricInfo
from pulsebi.metrics.cut import aggregate_metric
from pulsebi.metrics.dimensions import (
    COLUMNS,
    ID_COLUMNS,
    load_members,
    resolve_branch,
    unknown_labels,
)
from pulsebi.metrics.filters import check_where, keep_members, where_args
from pulsebi.metrics.query import Query, grid_axes, measures_at
from pulsebi.metrics.raw import fresh_spec
from pulsebi.metrics.specs import SPECS
from pulsebi.settings import Settings, get_settings
from pulsebi.views import DataState, ensure_views, read_data_state

log = logging.getLogger(__name__)

# Metrics relative to "now" are cached at most this long (seconds), whatever cache_ttl says.
SNAPSHOT_TTL = 15


def metric_info(metric_id: str) -> MetricInfo:
    """The catalog entry of one metric.

    Parameters
    ----------
    metric_id : str
        The metric's id, e.g. ``"net_revenue"`` (`catalog` lists them).

    Returns
    -------
    MetricInfo
        Its label, unit, definition, allowed dimensions and grains, value columns.

    Raises
    ------
    UsageError
        If no metric has this id; the message lists the ids there are.
    """
    info = CATALOG.get(metric_id)
    if info is None:
        raise UsageError(
            f"unknown metric {metric_id!r}; `pulsebi kpi --list` lists them ({', '.join(CATALOG)})"
        )
    return info


def _check_date(value: object, name: str) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise UsageError(f"{name} {value!r} is not a date (YYYY-MM-DD)") from None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise UsageError(f"{name} {value!r} is not a date (YYYY-MM-DD)")
    return value


def check_until(value: object) -> time | None:
    """A local clock time (`datetime.time` without a zone, or "HH:MM[:SS]"), or None."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = time.fromisoformat(value)
        except ValueError:
            raise UsageError(f"until {value!r} is not a clock time (HH:MM)") from None
    if not isinstance(value, time) or value.tzinfo is not None:
        raise UsageError(
            f"until {value!r} is not a local clock time: give a datetime.time without a zone"
        )
    return value


def validate(
    info: MetricInfo, start: object, end: object, by: Sequence[str], grain: str | None
) -> tuple[date, date, tuple[str, ...], str | None]:
    start, end = _check_date(start, "start"), _check_date(end, "end")
    if not info.snapshot and end <= start:
        raise UsageError(f"the period is empty: end {end} must be after start {start}")
    if isinstance(by, str):
        by = (by,)
    dims: list[str] = []
    for dim in by:
        if dim not in DIMENSIONS:
            raise UsageError(f"unknown dimension {dim!r}; dimensions: {', '.join(DIMENSIONS)}")
        if dim not in info.dimensions:
            allowed = ", ".join(info.dimensions) or "none"
            raise UsageError(f"{info.id} cannot be grouped by {dim!r} (allowed: {allowed})")
        if dim not in dims:
            dims.append(dim)
    if "source" in dims and "channel" in dims:
        raise UsageError("group by source or by channel, not both (a source has one channel)")
    if grain is not None:
        if grain not in GRAINS:
            raise UsageError(f"unknown grain {grain!r}; grains: {', '.join(GRAINS)}")
        if grain not in info.grains:
            allowed = ", ".join(info.grains) or "none: it is a snapshot at the time of the query"
            raise UsageError(f"{info.id} has no grain {grain!r} (allowed: {allowed})")
    return start, end, tuple(dims), grain


def _data_state(conn: Connection, engine: Engine, settings: Settings) -> DataState:
    try:
        state = read_data_state(conn)
    except ProgrammingError:
        raise ConfigError("the database has no bi schema yet: run `pulsebi migrate`") from None
    if not state.zones:
        conn.rollback()
        ensure_views(engine, settings)
        state = read_data_state(conn)
    if state.zones != (settings.tz,):
        raise ConfigError(
            f"the bi views are built for the time zone {', '.join(state.zones)} but PULSEBI_TZ "
            f"is {settings.tz}: run `pulsebi refresh` to rebuild them for {settings.tz}"
        )
    return state


# Dimension members per database and data version, reused while the version lasts: saves a
# round trip (or a distinct scan, for ticket categories) per call. A result key the cached
# members do not list (a branch added since) makes them be read again.
_MEMBERS: dict[tuple, dict] = {}
_MEMBERS_KEPT = 256


def _members(
    conn: Connection, dim: str, service_table, state: DataState | None, reload: bool = False
) -> dict:
    if state is None or state.version is None:
        return load_members(conn, dim, service_table)
    table = None if service_table is None else service_table.name
    key = (conn.engine.url, state.version, state.as_of, dim, table)
    found = None if reload else _MEMBERS.get(key)
    if found is None:
        if len(_MEMBERS) >= _MEMBERS_KEPT:
            _MEMBERS.clear()
        found = _MEMBERS[key] = load_members(conn, dim, service_table)
    return found


def _unlisted(results: dict, members: list[dict]) -> bool:
    """A result key (not the null group) that its dimension's members do not list."""
    for i, listed in enumerate(members):
        seen = {key[i] for key in results}
        seen.discard(None)
        if not seen <= listed.keys():
            return True
    return False


def compute_rows(
    conn: Connection,
    info: MetricInfo,
    q: Query,
    fresh: bool = False,
    state: DataState | None = None,
) -> tuple[list[str], list[tuple]]:
    """The result's columns and rows (no cache); `fresh` reads crm tables, not views.

    With the data `state`, dimension members are reused for the same data version."""
    if info.id == "rep_ranking":
        return special.rank_reps(conn, q, fresh)
    service_table = None
    if info.id == "marketing_roi":
        results, defaults, finalize = special.marketing_roi(conn, q, fresh)
        dated = True
    elif info.id in ("pipeline_value", "weighted_pipeline"):
        results, defaults, _ = special.pipeline(conn, q)
        name = "pipeline" if info.id == "pipeline_value" else "weighted"
        finalize, dated = (lambda m: (m[name],)), False
    elif info.id in due.COLUMNS:
        results, defaults, finalize = due.pipeline_due(conn, info.id, q)
        dated = False
    else:
        spec = fresh_spec(info.id) if fresh else SPECS[info.id]
        results = aggregate_metric(conn, info.id, q, fresh)
        defaults, finalize, dated = spec.defaults, spec.finalize, spec.dated
        service_table = spec.services
    state = None if fresh else state
    members = [_members(conn, dim, service_table, state) for dim in q.by]
    if state is not None and _unlisted(results, members):
        members = [_members(conn, dim, service_table, state, reload=True) for dim in q.by]
    if q.where:  # a grouped dimension lists the members its filter keeps, not all
        members = [keep_members(conn, d, m, q.where) for d, m in zip(q.by, members, strict=True)]
    has_period = dated and q.grain is not None
    columns = [col for dim in q.by for col in COLUMNS[dim]]
    columns += ["period"] if has_period else []
    columns += list(info.columns)
    axes = grid_axes(results, q, members, dated)
    # each axis's output values, computed once per member, not once per row
    labelled = [
        [labels.get(k) or unknown_labels(dim, k) for k in axis]
        for dim, labels, axis in zip(q.by, members, axes, strict=False)
    ]
    if has_period:
        labelled.append([(p,) for p in axes[-1]])
    # each result's output values once; every other cell shows the defaults' (finalized once)
    finals = {key: tuple(finalize(measures_at(results, key, defaults))) for key in results}
    empty = tuple(finalize(defaults))
    rows = []
    for key, parts in zip(itertools.product(*axes), itertools.product(*labelled), strict=True):
        rows.append(sum(parts, ()) + finals.get(key, empty))
    return columns, rows


# while active: (the day before which the views hold every change, or None; the metrics that
# may take those days from them)
_CURRENT_ROWS: contextvars.ContextVar[tuple[date | None, frozenset[str]] | None] = (
    contextvars.ContextVar("pulsebi_metrics_current_rows", default=None)
)


@contextlib.contextmanager
def current_rows(views_before: date | None = None, split: Iterable[str] = ()) -> Iterator[None]:
    """Compute the figures of the current moment from the rows committed a moment ago.

    Inside it, a `compute` request whose period reaches today (and every snapshot) counts the
    crm rows committed a moment ago, uncached, as the live KPIs do: from the crm tables
    (``fresh=True``), or, for a metric in `split` that stops at a clock time today (`until`)
    while the views hold every change to the days before today (`views_before` is today), its
    past days from the views and today from the crm tables. For a page recomputed after a live
    change (`pulsebi.dashboards.follow`); other periods keep the views and the cache. The
    setting is a context variable: it holds in this thread (or task) only, and nests.

    Parameters
    ----------
    views_before : datetime.date, optional
        The day before which the views hold every change to the crm tables; None (the
        default) when that is not known, and every request reaching today reads the crm
        tables.
    split : iterable of str, optional
        Ids of the metrics that may take their past days from the views and today from the
        crm tables, when `views_before` is today and the request stops at a clock time today.

    Yields
    ------
    None
        The block runs with the setting; it is undone on leaving, also on an exception.
    """
    token = _CURRENT_ROWS.set((views_before, frozenset(split)))
    try:
        yield
    finally:
        _CURRENT_ROWS.reset(token)


def _current_options(
    info: MetricInfo, end: date, until: time | None, settings: Settings
) -> dict[str, bool]:
    """`fresh` / `use_cache` overrides inside `current_rows` (none outside it)."""
    current = _CURRENT_ROWS.get()
    if current is None:
        return {}
    today = datetime.now(settings.zone).date()
    if not (info.snapshot or info.now_relative or end > today):
        return {}
    views_before, split = current
    days_in_views = (
        info.id in split
        and until is not None
        and views_before == today
        and end == today + timedelta(days=1)
    )
    return {"use_cache": False} if days_in_views else {"use_cache": False, "fresh": True}


def compute(
    metric_id: str,
    *,
    start: date,
    end: date,
    by: Sequence[str] = (),
    grain: str | None = None,
    branch: str | None = None,
    settings: Settings | None = None,
    use_cache: bool = True,
    fresh: bool = False,
    until: time | None = None,
    where: Mapping[str, Sequence] | None = None,
):
    """One metric over [start, end) (local dates), grouped by `by` and bucketed by `grain`.

    Definitions are the contract's (`MetricInfo.definition`); results are exact. A result is
    cached in Redis under the data version (the last view refresh), for
    ``settings.cache_ttl`` seconds, at most `SNAPSHOT_TTL` for a metric relative to now; with
    Redis unreachable it is computed from the database, uncached. Inside `current_rows`, a
    period reaching today (and every snapshot) counts the crm rows committed a moment ago,
    uncached, whatever `fresh` and `use_cache` say.

    Parameters
    ----------
    metric_id : str
        The metric's id, e.g. ``"net_revenue"`` (`catalog` lists them).
    start : datetime.date or str
        First day of the period, a local date (``"YYYY-MM-DD"`` is accepted; a datetime is
        not). Snapshot metrics (pipeline_value, weighted_pipeline, jobs_in_progress,
        days_outstanding) ignore the period, but `start` and `end` must still be dates.
    end : datetime.date or str
        The day after the period's last day (exclusive); after `start` unless the metric is a
        snapshot.
    by : sequence of str or str, optional
        Dimensions to group by, in the order of the result's columns (a repeated one counts
        once); each must be one of `MetricInfo.dimensions`, and source and channel cannot be
        combined. Default: no grouping, one row (or one per bucket).
    grain : {"day", "week", "month", "quarter", "year"}, optional
        Bucket the period by calendar day, week (from Monday), month, quarter (from 1
        January, April, July, October) or year, in the reporting zone; one of
        `MetricInfo.grains`. Default: the whole period in one value.
    branch : str, optional
        Keep only the branch with this code, e.g. ``"DAL"``. Default: every branch. Only for
        metrics with a branch dimension, and rep_ranking.
    settings : Settings, optional
        Where the database and Redis are and the reporting zone; default: `get_settings()`.
    use_cache : bool, default True
        False computes from the database and caches nothing.
    fresh : bool, default False
        Read the crm tables instead of the views: rows committed a moment ago count; slower on
        big tables; never cached.
    until : datetime.time or str, optional
        A local clock time (``"HH:MM[:SS]"`` is accepted; not a time with a zone) that cuts
        the last day, `end` − 1, at that time: the period is then [start 00:00, (end − 1)
        until) in the reporting zone, e.g. today up to 09:45 (the contract's to-date
        comparisons). The whole days come from the views, the cut day from the crm tables.
        Snapshot metrics ignore it; marketing ROI's spend (monthly rows) too.
    where : mapping of str to list, optional
        Keep only the rows whose dimension, as `by` groups them, is one of the values, e.g.
        ``{"channel": ["tv", "radio"], "source": [1, 4]}``: branch codes, channel, service,
        job status, category and priority as text, rep, source, telemarketer and canvasser
        ids as integers, None for the null group (ids that do not resolve). Each dimension
        must be one of `MetricInfo.dimensions`; filters on several dimensions (and `branch`)
        all apply. A real WHERE: a filtered rate is the rate over the kept rows, a filtered
        sum the sum of the kept groups; a grouped dimension that is also filtered lists only
        the kept members. Values are bound parameters; a value no row has matches nothing.
        Default: no filter.

    Returns
    -------
    pandas.DataFrame
        The `by` dimension columns in the order asked, each key followed by its label
        (``branch``, ``branch_name``; ``rep``, ``rep_name``...), then ``period`` (the
        bucket's calendar start) when a grain is given, then the metric's value column(s)
        (`MetricInfo.columns`; rep_ranking: ``branch, rank, rep, rep_name, rep_revenue``).
        Every member of a dimension and every bucket has a row; rows whose id does not
        resolve form one group keyed None. Money is Decimal (0 when empty), counts int,
        rates, means and percentiles float (NaN over no rows); ids are Int64.

    Raises
    ------
    UsageError
        If the metric is unknown; `start` or `end` is not a date; the period is empty; a
        dimension is unknown or not one of the metric's, or source and channel are both
        asked; the grain is unknown or not one of the metric's; `until` is not a local clock
        time; `branch` is given for a metric without a branch dimension, or is no branch's
        code; `where` names a dimension the metric cannot be split by, or holds something
        other than a non-empty list of values of the dimension's type.
    ConfigError
        If the database has no ``bi`` schema (run ``pulsebi migrate``), or its views were
        built for a time zone other than ``PULSEBI_TZ`` (run ``pulsebi refresh``).
    ServiceError
        If ``DATABASE_URL`` is unset and the embedded PostgreSQL cannot be started.

    See Also
    --------
    current_rows : the figures of the current moment, for a page following live changes.
    """
    from pulsebi.db import get_engine

    settings = settings or get_settings()
    info = metric_info(metric_id)
    start, end, by, grain = validate(info, start, end, by, grain)
    until = None if info.snapshot else check_until(until)
    current = _current_options(info, end, until, settings)
    fresh, use_cache = current.get("fresh", fresh), current.get("use_cache", use_cache)
    if branch is not None and "branch" not in info.dimensions and info.id != "rep_ranking":
        raise UsageError(f"{info.id} has no branch dimension: drop the branch filter")
    where = check_where(info, where)
    args = {"start": start, "end": end, "by": by, "grain": grain, "branch": branch}
    if info.snapshot:
        args = {"by": by, "branch": branch}
    elif until is not None:
        args["until"] = until.isoformat()
    if where:  # absent when unfiltered: the keys of unfiltered requests stay as they were
        args["where"] = where_args(where)
    args["tz"] = settings.tz
    use_cache = use_cache and not fresh
    if use_cache:
        # fast path: version and result both from Redis, no database round trip
        version = cache.published_version(settings)
        if version is not None:
            hit = cache.get(settings, cache.metric_key(settings, info.id, version, args))
            if hit is not None:
                return _frame_of_columns(*hit)
    engine = get_engine(settings)
    with engine.connect() as conn:
        state = _data_state(conn, engine, settings)
        key = cache.metric_key(settings, info.id, state.version, args)
        hit = cache.get(settings, key) if use_cache else None
        if hit is None:
            branch_ids = resolve_branch(conn, branch) if branch is not None else None
            q = Query(start, end, by, grain, settings.tz, branch_ids, until, where)
            columns, rows = compute_rows(conn, info, q, fresh, state)
            if use_cache:
                brief = info.snapshot or info.now_relative
                ttl = min(settings.cache_ttl, SNAPSHOT_TTL) if brief else settings.cache_ttl
                cache.put(settings, key, columns, [list(r) for r in rows], ttl)
    if use_cache and state.version is not None:
        cache.publish_version(settings, state.version)
    return _frame(columns, rows) if hit is None else _frame_of_columns(*hit)


def _with_int_ids(frame):
    """Id columns as nullable integers (Int64): pandas would make a column of ids beside the
    null group (None) float, and ids are integers on every surface."""
    for column in ID_COLUMNS.intersection(frame.columns):
        frame[column] = frame[column].astype("Int64")
    return frame


def _frame(columns: list[str], rows: list):
    import pandas as pd

    return _with_int_ids(pd.DataFrame.from_records(rows, columns=columns))


def _frame_of_columns(columns: list[str], data: list[list]):
    """The same frame as `_frame` gives, from values column by column (a cache hit)."""
    import pandas as pd

    if not data or not data[0]:
        return _frame(columns, [])
    return _with_int_ids(pd.DataFrame(dict(zip(columns, data, strict=True)), columns=columns))


def data_as_of(settings: Settings | None = None) -> datetime | None:
    """When the data the views hold was taken: the start of their last refresh.

    Views that do not exist yet (a database just migrated) are built first.

    Parameters
    ----------
    settings : Settings, optional
        Where the database is and the reporting zone; default: `get_settings()`.

    Returns
    -------
    datetime.datetime or None
        The start of the last refresh (or re-creation) of the ``bi`` views, time zone aware;
        None when they were never refreshed.

    Raises
    ------
    ConfigError
        If the database has no ``bi`` schema (run ``pulsebi migrate``), or its views were
        built for a time zone other than ``PULSEBI_TZ`` (run ``pulsebi refresh``).
    ServiceError
        If ``DATABASE_URL`` is unset and the embedded PostgreSQL cannot be started.
    """
    from pulsebi.db import get_engine

    settings = settings or get_settings()
    engine = get_engine(settings)
    with engine.connect() as conn:
        return _data_state(conn, engine, settings).as_of
