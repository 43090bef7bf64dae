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
    branch code and `scheduled_for` in [date_from, date_to) local dates."""
    filters = parse_filters(branch, date_from, date_to)
    engine, settings = engine_for(engine, settings)
    with engine.begin() as conn:
        params = prepare(conn, filters, settings)
        return fetch_frame(conn, read_sql("ghosts"), params, ID_COLUMNS)
