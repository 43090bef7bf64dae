"""Loading the accounting export into the TEMP table `reconcile_invoices` for the SQL checks.

Fast path: PostgreSQL's COPY reads the file as text into a raw TEMP table, the rules are
checked in SQL (the few distinct dates in Python), and the typed table is built from it.
Whenever the fast path cannot vouch for the file (a row breaks a rule, COPY refuses it, or a
record spans lines so its line number would be off) the exact Python reader decides: it names
every bad line (AccountingFileError), or its rows are loaded. Either way the table holds
`line, invoice_no, invoiced_on, customer (empty: NULL), amount, status (as written, empty:
'')` and is dropped at commit.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import Connection, text

from pulsebi.reconcile.accounting import (
    AMOUNT_PATTERN,
    TEMP_TABLE,
    is_date,
    load_invoices,
    read_accounting_file,
    read_header,
    read_text,
)

RAW_TABLE = "reconcile_raw"
# A quote inside an unquoted field: Python's reader keeps it, PostgreSQL's opens a quoted part.
_INNER_QUOTE = re.compile(r'(?<=[^,"\r\n])"(?=[^,"\r\n])')


def load_accounting_file(conn: Connection, path: Path | str) -> int:
    """Validate the export at `path` and load it; returns the number of invoices."""
    path = Path(path)
    content = read_text(path)
    header, index = read_header(path, content)
    fast = _INNER_QUOTE.search(content) is None
    if fast and _copy_raw(conn, content, len(header)) and _raw_is_clean(conn, index, content):
        count = _build_typed(conn, index)
    else:
        count = load_invoices(conn, read_accounting_file(path))
    conn.execute(text(f"drop table if exists pg_temp.{RAW_TABLE}"))
    return count


def _columns(width: int) -> list[str]:
    # identifiers made here from positions, never taken from the file
    return [f"c{i}" for i in range(width)]


def _copy_raw(conn: Connection, content: str, width: int) -> bool:
    """COPY the file as text; False when PostgreSQL's CSV reader refuses it."""
    import psycopg2

    conn.execute(text(f"drop table if exists pg_temp.{RAW_TABLE}"))
    conn.execute(
        text(
            f"create temp table {RAW_TABLE} ("
            + "".join(f"{c} text, " for c in _columns(width))
            + "record bigint generated always as identity) on commit drop"
        )
    )
    savepoint = conn.begin_nested()
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.copy_expert(
            f"copy pg_temp.{RAW_TABLE} ({', '.join(_columns(width))})"
            " from stdin with (format csv, header true)",
            io.StringIO(content),
        )
    except psycopg2.Error:
        savepoint.rollback()
        return False
    finally:
        cursor.close()
    savepoint.commit()
    return True


def _raw_is_clean(conn: Connection, index: list[int], content: str) -> bool:
    """Every row keeps the rules and sits on a line of its own (so line = record + 1)."""
    no, on, _, amount, _ = (f"c{i}" for i in index)
    lines = content.count("\n") + (0 if content.endswith("\n") else 1)
    rows, bad = conn.execute(
        text(
            f"select count(*), count(*) filter (where not coalesce({no} <> ''"
            f" and {amount} ~ :amount, false))"
            f" from pg_temp.{RAW_TABLE}"
        ),
        {"amount": f"^{AMOUNT_PATTERN}$"},
    ).one()
    lone_cr = content.count("\r") != content.count("\r\n")  # old Mac line ends: let Python read
    if bad or rows != lines - 1 or lone_cr:
        return False
    dates = conn.execute(text(f"select distinct {on} from pg_temp.{RAW_TABLE}")).scalars()
    return all(value is not None and is_date(value) for value in dates)


def _build_typed(conn: Connection, index: list[int]) -> int:
    no, on, customer, amount, status = (f"c{i}" for i in index)
    conn.execute(text(f"drop table if exists pg_temp.{TEMP_TABLE}"))
    result = conn.execute(
        text(
            f"create temp table {TEMP_TABLE} on commit drop as"
            f" select (record + 1)::integer as line, {no} as invoice_no,"
            f" {on}::date as invoiced_on, nullif({customer}, '') as customer,"
            f" {amount}::numeric(12,2) as amount, coalesce({status}, '') as status"
            f" from pg_temp.{RAW_TABLE}"
        )
    )
    conn.execute(text(f"analyze pg_temp.{TEMP_TABLE}"))
    return result.rowcount
