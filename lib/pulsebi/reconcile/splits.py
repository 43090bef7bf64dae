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
    in [date_from, date_to) local dates. `employee_id` is the first split's employee concerned
    (all of them are in `detail`); commission figures are that split's."""
    filters = parse_filters(branch, date_from, date_to)
    engine, settings = engine_for(engine, settings)
    with engine.begin() as conn:
        params = prepare(conn, filters, settings)
        return fetch_frame(conn, read_sql("splits"), params, ID_COLUMNS)
