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

    Sales and invoices are matched by ``external_ref = invoice_no`` exactly; every matched
    pair is compared (duplicates on either side included). Filters: the sale's branch code and
    `sold_at` in [date_from, date_to) local dates; `missing_in_crm` rows by `invoiced_on`
    instead (and none with a branch filter: an invoice without a sale has no branch).

    The file's invoices with a status outside open, paid, void take part as written; their
    count by status is `frame.attrs["odd_statuses"]` ({} when none; see
    accounting.describe_odd_statuses).

    Parameters
    ----------
    accounting_file : path-like or str
        The accounting export: a UTF-8 CSV with the header
        ``invoice_no,invoiced_on,customer,amount,status`` (any order; extra columns ignored).
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
    now : datetime.datetime, optional
        The instant `missing_externally` counts its 7 days back from (time zone aware);
        default: the query's instant.
    settings : Settings, optional
        The reporting zone (and the database when `engine` is None); default:
        `get_settings()`.

    Returns
    -------
    pandas.DataFrame
        By reason in the order ``amount_mismatch`` (amounts differ by more than 0.01),
        ``status_mismatch`` (a canceled sale with an invoice not void, or an active sale with
        a void one), ``missing_in_crm`` (an invoice no sale points to), ``missing_externally``
        (an active sale older than 7 days with no invoice), then by sale id, invoice number
        and line. Columns: ``reason``, ``invoice_no``, ``sale_id``, ``branch`` (the code),
        ``sold_at`` (in the reporting zone), ``sold_on`` (its local date), ``sale_status``,
        ``crm_amount``, ``invoice_amount``, ``amount_difference`` (crm − invoice, Decimal),
        ``invoice_status``, ``invoiced_on``, ``customer`` and ``invoice_line`` (the line in
        the file); a side that is missing is ``<NA>`` / None. ``attrs["odd_statuses"]``:
        status -> number of invoices, for the statuses outside open, paid, void.

    Raises
    ------
    AccountingFileError
        A `UsageError`: the file cannot be read, is not UTF-8 or not CSV, its header lacks or
        repeats a column, or a row has the wrong number of fields, an empty invoice_no, a date
        that is not YYYY-MM-DD or an amount that is not like 1234.50; the message names the
        file and each bad line (the first 20). Nothing is compared.
    UsageError
        If `date_from` or `date_to` is not a date, `date_from` is after `date_to`, or `branch`
        is no branch's code (the message lists the codes there are).
    ValueError
        If `now` has no time zone.
    """
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
