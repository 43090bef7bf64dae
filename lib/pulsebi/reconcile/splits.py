"""Commission split integrity of active sales (the contract's split-integrity rules)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from pulsebi.reconcile._query import engine_for, fetch_frame, prepare, read_sql
from pulsebi.reconcile.filters import parse_filters
from pulsebi.settings import Settings

if TYPE_CHECKING:
    import pandas as pd

REASONS = (
    "share_sum",
    "commission_mismatch",
    "duplicate_employee",
    "employee_missing",
    "not_sales_rep",
    "not_employed",
    "no_split",
)
ID_COLUMNS = ("sale_id", "employee_id", "splits")


def find_split_exceptions(
    engine: Engine | None = None,
    *,
    branch: str | None = None,
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """One row per active sale and reason, filtered by the sale's branch code and `sold_at`
    in [date_from, date_to) local dates.

    The contract's split-integrity rules, in exact decimals with inclusive tolerances: shares
    summing to 1 (±0.0001), each commission equal to ``round(amount × commission_rate ×
    share, 2)`` (±0.01), no employee twice, every split's employee existing, a sales rep and
    employed on the sale's local date, at least one split.

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
        By sale id, then reason in the order ``share_sum``, ``commission_mismatch``,
        ``duplicate_employee``, ``employee_missing``, ``not_sales_rep``, ``not_employed``,
        ``no_split`` (a sale without splits gets only no_split). Columns: ``reason``,
        ``sale_id``, ``employee_id`` (the first split's employee concerned, all of them are in
        ``detail``; ``<NA>`` for share_sum and no_split), ``branch`` (the code), ``sold_at``
        (in the reporting zone), ``sold_on`` (its local date), ``amount``,
        ``commission_rate``, ``splits`` (how many the sale has), ``share_sum``,
        ``expected_commission``, ``recorded_commission`` and ``commission_difference`` (that
        split's, for commission_mismatch), ``role`` (for not_sales_rep), ``hired_on`` and
        ``terminated_on`` (for not_employed) and ``detail`` (in words); a figure that does not
        apply to the reason is null. Ids are Int64, money and shares exact Decimal.

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
        return fetch_frame(conn, read_sql("splits"), params, ID_COLUMNS)
