"""Conversions and their journeys: one SQL query, handed over as numpy arrays (`Journeys`).

A conversion is an active sale sold in [local midnight of `start`, local midnight of `end`) in
the reporting zone; its journey is the `lead_touches` with `lead_id = sales.lead_id` and
`touched_at <= sold_at` (and `touched_at >= sold_at - L days` with a lookback), ordered by
`touched_at`, ties by touch id (shared/docs/crm-contract.md, "Multi-touch attribution").

Where the contract leaves a choice, this module takes it:
- Sources are resolved in the query: a touch (or a lead) whose `source_id` is not in
  `lead_sources` carries `NULL_SOURCE`, the null group.
- A conversion with an empty journey gets one stand-in touch: its lead's source, at `sold_at`
  (touch id -1); the null group when the lead does not exist or its source does not resolve.
- The journey is matched on `sales.lead_id` alone, as the contract writes it: touches whose
  lead id matches are the journey even when the `leads` row itself is missing.
- A lookback of L days is PostgreSQL's `sold_at - L * interval '1 day'` in the reporting zone
  (calendar days, as the contract's other "N days" rulings); L may be fractional.
- `--branch` filters conversions by `sales.branch_id`; touches are never filtered by branch.

The numpy level (`Journeys.from_rows`) takes long rows in any order and sorts them itself, so
the models never depend on the order rows arrive in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Connection, and_, case, cast, extract, func, literal, select
from sqlalchemy.types import BigInteger, Float

from pulsebi.db.schema import lead_sources, lead_touches, leads, sales

NULL_SOURCE = -(2**40)  # the null source group: outside the range of an integer source_id
NO_TOUCH = -1  # touch id of the stand-in touch of an empty journey


@dataclass(frozen=True, eq=False)
class Journeys:
    """Conversions and their touches, sorted by conversion, then `touched_at`, then touch id.

    Every conversion has at least one touch (an empty journey holds its stand-in touch).
    Per conversion (n): `sale_id`, `cents` (amount in cents, exact), `sold_at` (epoch s).
    Per touch (m): `conv` (index of its conversion), `source` (source id or `NULL_SOURCE`),
    `touched_at` (epoch s), `touch_id`.
    """

    sale_id: np.ndarray
    cents: np.ndarray
    sold_at: np.ndarray
    conv: np.ndarray
    source: np.ndarray
    touched_at: np.ndarray
    touch_id: np.ndarray

    @classmethod
    def from_rows(
        cls,
        sale_id: np.ndarray,
        cents: np.ndarray,
        sold_at: np.ndarray,
        source: np.ndarray,
        touched_at: np.ndarray,
        touch_id: np.ndarray,
    ) -> Journeys:
        """Journeys from long rows (one per touch, the conversion's columns repeated).

        Parameters
        ----------
        sale_id, cents, sold_at : array_like
            The conversion of each row: its sale id, amount in cents and `sold_at` (epoch s).
        source, touched_at, touch_id : array_like
            The touch of each row: source id (`NULL_SOURCE` for the null group), `touched_at`
            (epoch s) and touch id.

        Returns
        -------
        Journeys
            Sorted by sale id, `touched_at`, touch id (rows may come in any order).
        """
        sale_id = np.asarray(sale_id, np.int64)
        touched_at = np.asarray(touched_at, np.float64)
        touch_id = np.asarray(touch_id, np.int64)
        if not _is_sorted(sale_id, touched_at, touch_id):
            order = np.lexsort((touch_id, touched_at, sale_id))
            sale_id, touched_at, touch_id = sale_id[order], touched_at[order], touch_id[order]
            cents, sold_at, source = (np.asarray(a)[order] for a in (cents, sold_at, source))
        new = np.empty(len(sale_id), bool)
        new[:1] = True
        np.not_equal(sale_id[1:], sale_id[:-1], out=new[1:])
        starts = np.flatnonzero(new)
        return cls(
            sale_id=sale_id[starts],
            cents=np.asarray(cents, np.int64)[starts],
            sold_at=np.asarray(sold_at, np.float64)[starts],
            conv=np.cumsum(new) - 1,
            source=np.asarray(source, np.int64),
            touched_at=touched_at,
            touch_id=touch_id,
        )

    def __len__(self) -> int:
        return len(self.sale_id)

    @cached_property
    def starts(self) -> np.ndarray:
        """Index of each conversion's first touch."""
        return np.searchsorted(self.conv, np.arange(len(self)))

    @cached_property
    def length(self) -> np.ndarray:
        """Touches per conversion (n, 1 or more)."""
        return np.diff(np.append(self.starts, len(self.conv)))

    @cached_property
    def position(self) -> np.ndarray:
        """0-based position of each touch in its journey."""
        return np.arange(len(self.conv)) - self.starts[self.conv]

    @cached_property
    def elapsed_days(self) -> np.ndarray:
        """Days (fractional) from each touch to its conversion's sale."""
        return (self.sold_at[self.conv] - self.touched_at) / 86400.0

    @cached_property
    def codes(self) -> tuple[np.ndarray, np.ndarray]:
        """(dense code 0..k-1 of each touch's source, the k source keys in code order)."""
        return encode_sources(self.source)


def encode_sources(source: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes of source ids: (code per element, sorted distinct ids).

    Parameters
    ----------
    source : numpy.ndarray
        Source ids, `NULL_SOURCE` included.

    Returns
    -------
    tuple of numpy.ndarray
        The code of each element and the distinct ids (``keys[code] == source``).
    """
    if len(source) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    null = source == NULL_SOURCE
    real = source[~null]
    if len(real) and real.min() >= 0 and real.max() < 2**20:  # small ids: a lookup table
        present = np.bincount(real, minlength=1) > 0
        ids = np.flatnonzero(present)
        keys = np.concatenate([[NULL_SOURCE], ids]) if null.any() else ids
        table = np.cumsum(present) - 1 + (1 if null.any() else 0)
        code = np.zeros(len(source), np.int64)
        code[~null] = table[real]
        return code, keys.astype(np.int64)
    keys, code = np.unique(source, return_inverse=True)
    return code.astype(np.int64), keys.astype(np.int64)


def _is_sorted(sale_id: np.ndarray, touched_at: np.ndarray, touch_id: np.ndarray) -> bool:
    if len(sale_id) < 2:
        return True
    ds, dt, di = np.diff(sale_id), np.diff(touched_at), np.diff(touch_id)
    return bool(np.all((ds > 0) | ((ds == 0) & ((dt > 0) | ((dt == 0) & (di > 0))))))


def journeys_query(
    start_at: datetime,
    end_at: datetime,
    branch_ids: tuple[int, ...] | None = None,
    lookback: float | None = None,
):
    """The one query of `load_journeys`: a row per touch (or per stand-in touch).

    Parameters
    ----------
    start_at, end_at : datetime.datetime
        The period's instants (aware): `start_at <= sold_at < end_at`.
    branch_ids : tuple of int, optional
        Only sales with one of these `branch_id`s.
    lookback : float, optional
        Days before `sold_at` a touch may be (None: no limit).

    Returns
    -------
    sqlalchemy.Select
        Columns sale_id, cents, sold_at, source, touched_at, touch_id (no NULLs), ordered by
        sale, `touched_at`, touch id; every value a bound parameter.
    """
    touch_on = and_(lead_touches.c.lead_id == sales.c.lead_id,
                    lead_touches.c.touched_at <= sales.c.sold_at)  # fmt: skip
    if lookback is not None:
        reach = sales.c.sold_at - literal(float(lookback)) * literal_interval_day()
        touch_on = and_(touch_on, lead_touches.c.touched_at >= reach)
    touch_source = lead_sources.alias("touch_source")
    lead_source = lead_sources.alias("lead_source")
    sold = cast(extract("epoch", sales.c.sold_at), Float)
    source = case((lead_touches.c.id.is_(None), lead_source.c.id), else_=touch_source.c.id)
    stmt = (
        select(
            sales.c.id.label("sale_id"),
            cast(sales.c.amount * 100, BigInteger).label("cents"),
            sold.label("sold_at"),
            func.coalesce(cast(source, BigInteger), NULL_SOURCE).label("source"),
            func.coalesce(cast(extract("epoch", lead_touches.c.touched_at), Float), sold).label(
                "touched_at"
            ),
            func.coalesce(lead_touches.c.id, NO_TOUCH).label("touch_id"),
        )
        .select_from(
            sales.outerjoin(leads, leads.c.id == sales.c.lead_id)
            .outerjoin(lead_source, lead_source.c.id == leads.c.source_id)
            .outerjoin(lead_touches, touch_on)
            .outerjoin(touch_source, touch_source.c.id == lead_touches.c.source_id)
        )
        .where(
            sales.c.status == "active",
            sales.c.sold_at >= start_at,
            sales.c.sold_at < end_at,
        )
        .order_by(sales.c.id, lead_touches.c.touched_at, lead_touches.c.id)
    )
    if branch_ids is not None:
        stmt = stmt.where(sales.c.branch_id.in_(branch_ids))
    return stmt


def literal_interval_day():
    """`interval '1 day'` as a SQL expression (a constant, not a user value)."""
    return func.make_interval(0, 0, 0, 1)


def local_midnight(day: date, tz: str) -> datetime:
    """Local midnight of `day` in the zone `tz` (aware)."""
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz))


def load_journeys(
    conn: Connection,
    start: date,
    end: date,
    tz: str,
    branch_ids: tuple[int, ...] | None = None,
    lookback: float | None = None,
) -> Journeys:
    """The period's conversions and their journeys, read with one query.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        A connection to the CRM database.
    start, end : datetime.date
        The period [start, end) of local dates in the zone `tz`.
    tz : str
        The reporting time zone (IANA).
    branch_ids : tuple of int, optional
        Only conversions of these branches (`sales.branch_id`).
    lookback : float, optional
        Days a touch may precede its sale (None: no limit).

    Returns
    -------
    Journeys
        Sorted, every conversion with at least one touch.
    """
    stmt = journeys_query(local_midnight(start, tz), local_midnight(end, tz), branch_ids, lookback)
    # The Core statement, its values bound, run on the DBAPI cursor: rows go straight into a
    # numpy record array (SQLAlchemy's Row objects cost ~3x the fetch itself on millions of rows).
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    with conn.connection.dbapi_connection.cursor() as cursor:
        cursor.execute(str(compiled), compiled.params)
        rows = cursor.fetchall()
    data = np.fromiter(rows, dtype=ROW_DTYPE, count=len(rows))
    return Journeys.from_rows(*(data[name] for name in ROW_DTYPE.names))


ROW_DTYPE = np.dtype(
    [("sale_id", np.int64), ("cents", np.int64), ("sold_at", np.float64),
     ("source", np.int64), ("touched_at", np.float64), ("touch_id", np.int64)]
)  # fmt: skip
