"""`dimension_values`: the members of a dimension as they exist in the data, for filter pickers
(the report builder's filters take their values from here, `compute(where=...)` takes them)."""

from __future__ import annotations

from sqlalchemy import Connection, select, union

from pulsebi.db.schema import jobs, service_tickets
from pulsebi.errors import UsageError
from pulsebi.metrics.catalog import DIMENSIONS
from pulsebi.metrics.dimensions import VALUE_SETS, load_members
from pulsebi.settings import Settings, get_settings
from pulsebi.views import definitions as v

# Where a value-set dimension's values other than the contract's may appear.
_PRESENT = {"job_status": jobs.c.status, "priority": service_tickets.c.priority}


def _read_members(conn: Connection, dim: str, settings: Settings) -> list[tuple[object, str]]:
    """(key, label) of every member, in display order: the keys `compute(where=...)` takes.

    Read at each call (small tables, or one distinct over jobs or tickets): a member added
    a moment ago is offered at once."""
    if dim == "service":  # the services the views list (--by service lists these)
        from pulsebi.metrics.compute import _data_state

        _data_state(conn, conn.engine, settings)  # builds the views if there are none
        both = union(select(v.api_daily.c.service), select(v.health_daily.c.service)).subquery()
        names = conn.execute(select(both.c.service).order_by(both.c.service)).scalars()
        return [(name, name) for name in names]
    members = load_members(conn, dim)
    if dim == "branch":  # keyed by code; two branches with one code are one member
        pairs: dict[object, str] = {}
        for code, name in members.values():
            pairs.setdefault(code, name)
        return list(pairs.items())
    pairs = [(key, labels[-1]) for key, labels in members.items()]
    if dim in _PRESENT:  # the contract's values first, then any other value present
        column = _PRESENT[dim]
        present = conn.execute(select(column).distinct().order_by(column)).scalars()
        pairs += [(value, value) for value in present if value not in VALUE_SETS[dim]]
    return pairs


def dimension_values(
    dim: str,
    settings: Settings | None = None,
    search: str | None = None,
    limit: int | None = 200,
) -> list[dict[str, object]]:
    """The members of a dimension as they exist in the data, for a filter's picker.

    Parameters
    ----------
    dim : str
        One of `DIMENSIONS`: ``branch`` (key: the code, label: the name), ``rep``,
        ``telemarketer``, ``canvasser`` (every employee of that role; key: the employee id,
        label: the full name), ``source`` (key: the id, label: the name), ``channel``
        (the channels of the lead sources), ``service`` (the services of the API requests
        and health checks in the views), ``category`` (every ticket category present),
        ``job_status``, ``priority`` (the contract's values, then any other value present).
        For text dimensions the label is the key.
    settings : Settings, optional
        Where the database is; default: `get_settings()`.
    search : str, optional
        Keep the members whose key or label contains this text, case-insensitively.
    limit : int or None, default 200
        At most this many members (the first in display order); None for all.

    Returns
    -------
    list of dict
        ``{"key": ..., "label": ...}`` per member, in the order `compute(by=[dim])` lists
        them; each key is a value ``compute(where={dim: [key]})`` takes (ids as int). The
        null group (ids that do not resolve) is not a member: filter it with None.
        Read from the crm tables at each call (services: from the views).

    Raises
    ------
    UsageError
        If `dim` is no dimension, `search` is not text, or `limit` is not a positive integer.
    ConfigError
        If the database has no ``bi`` schema (run ``pulsebi migrate``), or its views were
        built for a time zone other than ``PULSEBI_TZ`` (run ``pulsebi refresh``).
    """
    from pulsebi.db import get_engine

    if dim not in DIMENSIONS:
        raise UsageError(f"unknown dimension {dim!r}; dimensions: {', '.join(DIMENSIONS)}")
    if search is not None and not isinstance(search, str):
        raise UsageError(f"search {search!r} is not text: give the text to look for, or None")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise UsageError(f"limit {limit!r} is not a positive integer: give one, or None for all")
    settings = settings or get_settings()
    with get_engine(settings).connect() as conn:
        members = _read_members(conn, dim, settings)
    if search:
        text = search.casefold()
        members = [m for m in members if text in str(m[0]).casefold() or text in m[1].casefold()]
    return [{"key": key, "label": label} for key, label in members[:limit]]
