"""Dimension filters (`compute(..., where={"channel": ["tv"], "source": [1, 4]})`): checked
once, then a WHERE on the very ids `by` groups by, with the values bound, never spliced.

A filter keeps the rows whose dimension, as `by` groups them (the contract's ruling: a sale
by `sales.branch_id`, sales and leads by the lead's `source_id`, an appointment by its
`rep_id` when that is a sales rep...), is one of the values. So a filtered sum equals the sum
of the kept groups of `by`, and a filtered rate is the rate over the kept rows. A value no row
has matches nothing; None stands for the null group (ids that do not resolve).
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral

from sqlalchemy import Connection, bindparam, or_, select
from sqlalchemy.sql import ColumnElement

from pulsebi.db.schema import branches, lead_sources
from pulsebi.errors import UsageError
from pulsebi.metrics.catalog import DIMENSIONS, MetricInfo
from pulsebi.metrics.dimensions import ID_COLUMNS

# ((dimension, (value, ...)), ...): dimensions sorted, values sorted and unique, None last
Where = tuple[tuple[str, tuple[object, ...]], ...]

# what the values of each kind of dimension are, for messages
_KINDS = {
    "branch": "branch codes (text)",
    "rep": "employee ids (integers)",
    "source": "lead source ids (integers)",
    "telemarketer": "employee ids (integers)",
    "canvasser": "employee ids (integers)",
}
_EXAMPLES = {"branch": "'CHI'", "channel": "'tv'", "service": "'api'", "job_status": "'pending'"}


def _listed(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _value(info: MetricInfo, dim: str, value: object) -> object:
    """One filter value, checked against its dimension's type (None: the null group)."""
    if value is None:
        return None
    if dim in ID_COLUMNS:
        if isinstance(value, Integral) and not isinstance(value, bool):
            return int(value)  # numpy integers too
    elif isinstance(value, str):
        return value
    kind = _KINDS.get(dim, f"{dim} values (text)")
    raise UsageError(
        f"the {dim} filter of {info.id} holds {value!r} ({type(value).__name__}): "
        f"{dim} values are {kind}, or None for the null group"
    )


def check_where(info: MetricInfo, where: object) -> Where:
    """`where` checked against the metric and normalised (the same filter, the same key).

    Raises UsageError naming the dimension and the metric: an unknown dimension, one the
    metric cannot be split by, values that are not a list, an empty list, a value of the
    wrong type (ids are integers, codes and names text)."""
    if where is None:
        return ()
    if not isinstance(where, Mapping):
        raise UsageError(
            f"where must map dimensions to lists of values, e.g. {{'channel': ['tv']}}, "
            f"not {where!r}"
        )
    out = []
    for dim, values in where.items():
        if dim not in DIMENSIONS:
            raise UsageError(
                f"{info.id} cannot be filtered by {dim!r}: no such dimension "
                f"(dimensions: {', '.join(DIMENSIONS)})"
            )
        if dim not in info.dimensions:
            split = (
                f"it is split by {_listed(info.dimensions)} only"
                if info.dimensions
                else "it is not split by any dimension"
            )
            raise UsageError(f"{info.id} cannot be filtered by {dim}: {split}")
        if not isinstance(values, (list, tuple, set, frozenset)):
            example = _EXAMPLES.get(dim, "1" if dim in ID_COLUMNS else "'...'")
            raise UsageError(
                f"the {dim} filter of {info.id} takes a list of values, e.g. "
                f"where={{'{dim}': [{example}]}}, not {values!r}"
            )
        if not values:
            raise UsageError(
                f"the {dim} filter of {info.id} is an empty list, which keeps no row: "
                f"give at least one value or drop the {dim} filter"
            )
        kept = {_value(info, dim, value) for value in values}
        out.append((dim, tuple(sorted(kept, key=lambda v: (v is None, 0 if v is None else v)))))
    return tuple(sorted(out))


def where_args(where: Where) -> list[list]:
    """The filter as JSON-able lists (part of the cache key)."""
    return [[dim, list(values)] for dim, values in where]


def _members_in(dim: str, column: ColumnElement, values: object) -> ColumnElement:
    """Rows whose `column` (a raw id) is a member with one of the values."""
    if dim == "branch":
        return column.in_(select(branches.c.id).where(branches.c.code.in_(values)))
    if dim == "source":  # a dangling source id is the null group, not a source
        return column.in_(select(lead_sources.c.id).where(lead_sources.c.id.in_(values)))
    if dim == "channel":
        return column.in_(select(lead_sources.c.id).where(lead_sources.c.channel.in_(values)))
    return column.in_(values)  # the source's column already holds the member or null


def _null_group(dim: str, column: ColumnElement) -> ColumnElement:
    """Rows whose id does not resolve (the group `by` keys None)."""
    if dim == "branch":
        return or_(column.is_(None), column.not_in(select(branches.c.id)))
    if dim in ("source", "channel"):
        return or_(column.is_(None), column.not_in(select(lead_sources.c.id)))
    return column.is_(None)


def where_conditions(
    where: Where, dims: Mapping[str, str], c, embed: bool = False
) -> list[ColumnElement]:
    """One condition per filtered dimension, on the columns `c` (`dims`: dimension -> column).

    The values are bound parameters named ``where_<dim>`` (see `where_parameters`), or, with
    `embed`, bound parameters that carry their values (a statement built for one call)."""
    out = []
    for dim, values in where:
        column = c[dims["source" if dim == "channel" else dim]]
        members = [value for value in values if value is not None]
        parts = []
        if members:
            kw = {"value": members} if embed else {}
            parts.append(_members_in(dim, column, bindparam(f"where_{dim}", expanding=True, **kw)))
        if None in values:
            parts.append(_null_group(dim, column))
        out.append(parts[0] if len(parts) == 1 else or_(*parts))
    return out


def where_parameters(where: Where) -> dict[str, list]:
    """The values of `where_conditions`' parameters."""
    out = {}
    for dim, values in where:
        members = [value for value in values if value is not None]
        if members:
            out[f"where_{dim}"] = members
    return out


def where_shape(where: Where) -> tuple:
    """What the statement depends on (not the values): part of its cache key."""
    return tuple((dim, values != (None,), None in values) for dim, values in where)


def keep_members(conn: Connection, dim: str, members: dict, where: Where) -> dict:
    """A grouped dimension's members that the filters keep: those its own filter names (a
    branch by its code), and, source and channel being one hierarchy (a source has one
    channel), the sources of the filtered channels or the channels of the filtered sources."""
    filtered = {d: [v for v in values if v is not None] for d, values in where}
    related = None
    if dim == "source" and "channel" in filtered:
        related = select(lead_sources.c.id).where(lead_sources.c.channel.in_(filtered["channel"]))
    elif dim == "channel" and "source" in filtered:
        related = select(lead_sources.c.channel).where(lead_sources.c.id.in_(filtered["source"]))
    if related is not None:
        kept = set(conn.execute(related).scalars())
        members = {key: labels for key, labels in members.items() if key in kept}
    if dim not in filtered:
        return members
    wanted = set(filtered[dim])
    if dim == "branch":
        return {key: labels for key, labels in members.items() if labels[0] in wanted}
    return {key: labels for key, labels in members.items() if key in wanted}
