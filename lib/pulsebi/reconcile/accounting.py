"""The accounting export: read and validate the CSV, then load it into a TEMP table.

Header `invoice_no,invoiced_on,customer,amount,status` (any order; extra columns are ignored).
Every row must have as many fields as the header, a non-empty invoice_no, a date YYYY-MM-DD
and an amount with at most two decimals that fits numeric(12,2); anything else rejects the whole
file with its name and line, and nothing is loaded. The status is data (contract ruling): one
outside open, paid, void (`Paid`, `refunded`, empty) is loaded as written, compared exactly
like any other value and counted (`count_odd_statuses`, `describe_odd_statuses`).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import io
import re
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, text

from pulsebi.errors import UsageError

COLUMNS = ("invoice_no", "invoiced_on", "customer", "amount", "status")
STATUSES = ("open", "paid", "void")  # the contract's; others are counted, not rejected
TEMP_TABLE = "reconcile_invoices"
MAX_PROBLEMS = 20

# ASCII digits only (Python's \d takes any Unicode digit); the same rules as invoices.py's SQL.
AMOUNT_PATTERN = r"-?[0-9]{1,10}(\.[0-9]{1,2})?"
DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_AMOUNT = re.compile(AMOUNT_PATTERN)
_DATE = re.compile(DATE_PATTERN)


class AccountingFileError(UsageError):
    """The accounting export cannot be used; `problems` lists (line, message), first first."""

    def __init__(self, path: Path | str, problems: list[tuple[int | None, str]]):
        self.path = str(path)
        self.problems = problems
        shown = [_where(self.path, n) + f": {m}" for n, m in problems[:MAX_PROBLEMS]]
        if len(problems) > MAX_PROBLEMS:
            shown.append(f"... and {len(problems) - MAX_PROBLEMS} more")
        super().__init__("accounting file rejected:\n  " + "\n  ".join(shown))


def _where(path: str, line: int | None) -> str:
    return f"{path}, line {line}" if line else path


def read_accounting_file(path: Path | str) -> list[tuple[int, str, str, str, str, str]]:
    """Validated rows `(line, invoice_no, invoiced_on, customer, amount, status)` of the export.

    Raises AccountingFileError naming the file and line of every problem found."""
    with _gc_paused():  # millions of small lists and tuples: the collector would rescan them
        return _read(Path(path))


def read_text(path: Path) -> str:
    """The file's text (UTF-8, a byte-order mark dropped), or AccountingFileError."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AccountingFileError(path, [(None, f"cannot be read ({exc.strerror})")]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise AccountingFileError(path, [(line, "is not UTF-8 text")]) from None


def read_header(path: Path, content: str) -> tuple[list[str], list[int]]:
    """The header row and the positions of COLUMNS in it, or AccountingFileError."""
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise AccountingFileError(path, [(1, f"is not valid CSV ({exc})")]) from None
    if header is None:
        expected = ",".join(COLUMNS)
        raise AccountingFileError(path, [(1, f"is empty; expected the header {expected}")])
    return header, _header_index(path, header)


def _read(path: Path) -> list[tuple[int, str, str, str, str, str]]:
    content = read_text(path)
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            expected = ",".join(COLUMNS)
            raise AccountingFileError(path, [(1, f"is empty; expected the header {expected}")])
        index = _header_index(path, header)
        records = [(reader.line_num, r) for r in reader if r and r != [""]]  # no blank lines
    except csv.Error as exc:
        raise AccountingFileError(path, [(reader.line_num, f"is not valid CSV ({exc})")]) from None
    if not _all_valid(records, index, len(header)):
        raise AccountingFileError(path, _find_problems(records, index, len(header)))
    i_no, i_on, i_customer, i_amount, i_status = index
    return [(n, r[i_no], r[i_on], r[i_customer], r[i_amount], r[i_status]) for n, r in records]


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _all_valid(records: list[tuple[int, list[str]]], index: list[int], width: int) -> bool:
    """The fast whole-file check (column-wise, in C where possible); `_find_problems` says
    where when it fails. Both apply the same rules."""
    if any(len(r) != width for _, r in records):
        return False
    i_no, i_on, _, i_amount, _ = index
    if not all(r[i_no] for _, r in records):
        return False
    if not all(map(_AMOUNT.fullmatch, [r[i_amount] for _, r in records])):
        return False
    return all(map(is_date, set(r[i_on] for _, r in records)))


def _find_problems(
    records: list[tuple[int, list[str]]], index: list[int], width: int
) -> list[tuple[int | None, str]]:
    problems: list[tuple[int | None, str]] = []
    i_no, i_on, _, i_amount, _ = index
    for line, record in records:
        if len(record) != width:
            problems.append((line, f"has {len(record)} fields, the header has {width}"))
            continue
        invoice_no, invoiced_on = record[i_no], record[i_on]
        amount = record[i_amount]
        bad = []
        if invoice_no == "":
            bad.append("invoice_no is empty")
        if not is_date(invoiced_on):
            bad.append(f"invoiced_on {invoiced_on!r} is not a date YYYY-MM-DD")
        if not _AMOUNT.fullmatch(amount):
            bad.append(f"amount {amount!r} is not an amount like 1234.50")
        if bad:
            problems.append((line, "; ".join(bad)))
    return problems


def _header_index(path: Path, header: list[str]) -> list[int]:
    names = [h.strip() for h in header]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    missing = [c for c in COLUMNS if c not in names]
    problems = []
    if missing:
        problems.append(
            (1, f"header lacks column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}")
        )
    if duplicated:
        problems.append((1, f"header repeats column(s) {', '.join(duplicated)}"))
    if problems:
        raise AccountingFileError(path, problems)
    return [names.index(c) for c in COLUMNS]


def is_date(value: str) -> bool:
    if not _DATE.fullmatch(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def load_invoices(conn: Connection, rows: list[tuple]) -> int:
    """COPY rows read by `read_accounting_file` into the TEMP table `reconcile_invoices`
    (dropped at commit); returns the number of invoices loaded."""
    conn.execute(text(f"drop table if exists pg_temp.{TEMP_TABLE}"))
    conn.execute(
        text(
            f"create temp table {TEMP_TABLE} (line integer not null, invoice_no text not null,"
            " invoiced_on date not null, customer text, amount numeric(12,2) not null,"
            " status text not null) on commit drop"
        )
    )
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.copy_expert(
            f"copy pg_temp.{TEMP_TABLE} (line, invoice_no, invoiced_on, customer, amount, status)"
            " from stdin with (format csv, force_not_null (status))",  # empty: '', as written
            buffer,
        )
    finally:
        cursor.close()
    conn.execute(text(f"analyze pg_temp.{TEMP_TABLE}"))
    return len(rows)


def count_odd_statuses(conn: Connection) -> dict[str, int]:
    """Invoices of the loaded export by status, for the statuses outside STATUSES only
    (most frequent first)."""
    rows = conn.execute(
        text(
            f"select status, count(*) from pg_temp.{TEMP_TABLE}"
            " where status <> all(:statuses) group by status order by count(*) desc, status"
        ),
        {"statuses": list(STATUSES)},
    )
    return {status: count for status, count in rows}


def describe_odd_statuses(counts: dict[str, int], shown: int = 5) -> str:
    """A note for people about `count_odd_statuses`' result ('' when there is none).

    Parameters
    ----------
    counts : dict of str to int
        Invoices by status, for the statuses outside open, paid, void, most frequent first
        (`count_odd_statuses`, or a check's ``frame.attrs["odd_statuses"]``).
    shown : int, default 5
        How many statuses the note names; the rest are counted ("and 2 more").

    Returns
    -------
    str
        E.g. "3 invoices have a status outside open, paid, void ('Paid': 2, 'refunded': 1);
        they were matched and compared as written (e.g. 'Paid' is not void)"; '' when `counts`
        holds no invoice.
    """
    total = sum(counts.values())
    if not total:
        return ""
    listed = ", ".join(f"{status!r}: {n}" for status, n in list(counts.items())[:shown])
    if len(counts) > shown:
        listed += f", and {len(counts) - shown} more"
    invoices, they = ("invoice has", "it was") if total == 1 else ("invoices have", "they were")
    return (
        f"{total} {invoices} a status outside {', '.join(STATUSES)} ({listed}); "
        f"{they} matched and compared as written (e.g. 'Paid' is not void)"
    )
