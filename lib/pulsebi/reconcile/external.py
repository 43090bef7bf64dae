"""CRM sales against the accounting export: amounts, statuses, and what is missing on a side."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from pulsebi.reconcile._query import engine_for, fetch_frame, prepare, read_sql
from pulsebi.reconcile.accounting import count_odd_statuses
from pulsebi.reconcile.filters import parse_filters
from pulsebi.reconcile.invoices import load_accounting_file
from pulsebi.settings import Settings

if TYPE_CHECKING:
    import pandas as pd

REASONS = ("amount_mismatch", "status_mismatch", "missing_in_crm", "missing_externally")
ID_COLUMNS = ("sale_id", "invoice_line")


def find_external_mismatches(
    accounting_file: Path | str,
    engine: Engine | None = None,
    *,
    branch: str | None = None,
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
    now: dt.datetime | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """One row per mismatch between crm.sales and the accounting export.

    Filters: the sale's branch code and `sold_at` in [date_from, date_to) local dates;
    `missing_in_crm` rows by `invoiced_on` instead (and none with a branch filter: an invoice
    without a sale has no branch). `now` (default: the query's instant) anchors the 7 days.

    The file's invoices with a status outside open, paid, void take part as written; their
    count by status is `frame.attrs["odd_statuses"]` ({} when none; see
    accounting.describe_odd_statuses)."""
    filters = parse_filters(branch, date_from, date_to)
    if now is not None and now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    engine, settings = engine_for(engine, settings)
    with engine.begin() as conn:
        params = prepare(conn, filters, settings)
        load_accounting_file(conn, accounting_file)  # a bad file rolls everything back
        frame = fetch_frame(conn, read_sql("external"), {**params, "now": now}, ID_COLUMNS)
        frame.attrs["odd_statuses"] = count_odd_statuses(conn)
        return frame
