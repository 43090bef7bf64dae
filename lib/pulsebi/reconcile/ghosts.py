"""Ghost appointments: ran and sold, but no job was ever created from a sale of theirs."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from pulsebi.reconcile._query import engine_for, fetch_frame, prepare, read_sql
from pulsebi.reconcile.filters import parse_filters
from pulsebi.settings import Settings

if TYPE_CHECKING:
    import pandas as pd

REASONS = ("no_sale", "no_job")
ID_COLUMNS = ("appointment_id", "sale_id", "rep_id", "lead_id", "sales")


def find_ghost_appointments(
    engine: Engine | None = None,
    *,
    branch: str | None = None,
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """One row per ghost appointment (`no_sale` or `no_job`), filtered by the appointment's
    branch code and `scheduled_for` in [date_from, date_to) local dates.

    A ghost appointment ran and was sold (``status = 'ran'``, ``result = 'sold'``), yet no job
    exists whose sale points to it (the contract's definition; any sale and any job count,
    whatever their status).

    Parameters
    ----------
    engine : sqlalchemy.Engine, optional
        The database to check; default: the configured one (`pulsebi.db.get_engine`).
    branch : str, optional
        Keep only the exceptions of the branch with this code, e.g. ``"DAL"``; None, ``""`` or
        ``"all"``: every branch.
    date_from : datetime.date or str, optional
        First local date of the period (``"YYYY-MM-DD"`` is accepted; a datetime is not).
        Default: no lower bound.
    date_to : datetime.date or str, optional
        The day after the period's last day (exclusive), not before `date_from`. Default: no
        upper bound.
    settings : Settings, optional
        The reporting zone (and the database when `engine` is None); default:
        `get_settings()`.

    Returns
    -------
    pandas.DataFrame
        One row per appointment, by appointment id: ``reason`` (``no_sale``: no sale points to
        it; ``no_job``: sales do, none has a job), ``appointment_id``, ``sale_id`` (its lowest
        sale's, ``<NA>`` for no_sale), ``branch`` (the code), ``scheduled_for`` (in the
        reporting zone), ``scheduled_on`` (its local date), ``rep_id``, ``lead_id``,
        ``sales`` (how many sales point to it) and ``detail`` (the sales and their statuses,
        in words). Ids are Int64.

    Raises
    ------
    UsageError
        If `date_from` or `date_to` is not a date, `date_from` is after `date_to`, or `branch`
        is no branch's code (the message lists the codes there are).
    """
    filters = parse_filters(branch, date_from, date_to)
    engine, settings = engine_for(engine, settings)
    with engine.begin() as conn:
        params = prepare(conn, filters, settings)
        return fetch_frame(conn, read_sql("ghosts"), params, ID_COLUMNS)
