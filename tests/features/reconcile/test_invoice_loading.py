"""The export's two loading paths (COPY + SQL checks, or the Python reader) load the same rows,
and the fast one steps aside whenever it cannot vouch for a file."""

import pytest
from sqlalchemy import text

from pulsebi.reconcile.accounting import load_invoices, read_accounting_file
from pulsebi.reconcile.invoices import load_accounting_file

HEADER = "invoice_no,invoiced_on,customer,amount,status"
ROWS = "SELECT line, invoice_no, invoiced_on, customer, amount, status FROM pg_temp.reconcile_invoices ORDER BY line"  # noqa: E501


def loaded(db, load) -> list[tuple]:
    with db.begin() as conn:
        load(conn)
        return [tuple(r) for r in conn.execute(text(ROWS))]


@pytest.mark.parametrize(
    "body",
    [
        "A,2026-06-01,Smith,10.00,paid\nB,2026-06-02,,-5,void\n",  # plain; an empty customer
        'A,2026-06-01,"Smith, Jo",10.00,paid\nB,2026-06-02,"",7.5,open\n',  # quoted fields
        'A,2026-06-01,Jo "Bob" Smith,10.00,paid\n',  # a quote inside an unquoted field
        'A,2026-06-01,Smith",10.00,paid\n',  # one at its end
        'A,2026-06-01,"Jo ""Bob"" Smith",10.00,paid\n',  # doubled inside a quoted field
        'A,2026-06-01,"two\nlines",10.00,paid\nB,2026-06-02,x,1,paid\n',  # a record over 2 lines
        "A,2026-06-01,x,10.00,paid\n\nB,2026-06-02,x,1,paid\n",  # a blank line
        "A,2026-06-01,x,10.00,paid\r\nB,2026-06-02,x,1,paid",  # CRLF, no final line end
        "A,2026-06-01,x,10.00,paid\rB,2026-06-02,x,1,paid\r",  # old Mac line ends
        "A,2026-06-01,x,10.00,paid\n\\.\nB,2026-06-02,x,1,paid\n",  # COPY's end-of-data mark
        "A,2026-06-01,x\\y,10.00,paid\n",  # a backslash
        'A,2026-06-01,x,10.00,Paid\nB,2026-06-02,x,1,\nC,2026-06-02,x,1,""\nD,2026-06-02,x,1, x\n',
        'A,2026-06-01,"two\nlines",10.00,refunded\nB,2026-06-02,x,1,\n',  # odd, Python path
    ],
)
def test_both_paths_load_the_same_rows(db, tmp_path, body) -> None:
    path = tmp_path / "accounting.csv"
    path.write_bytes(f"{HEADER}\n{body}".encode())
    if "\\.\n" in body:
        with pytest.raises(Exception, match="line 3"):
            read_accounting_file(path)  # `\.` is a bad row for the Python reader too
        return
    slow = loaded(db, lambda conn: load_invoices(conn, read_accounting_file(path)))
    fast = loaded(db, lambda conn: load_accounting_file(conn, path))
    assert fast == slow
    assert [r[0] for r in fast] == [r[0] for r in slow] and len(fast) >= 1


def test_a_plain_export_takes_the_copy_path(db, tmp_path, monkeypatch) -> None:
    from pulsebi.reconcile import invoices

    def python_reader(path):
        raise AssertionError("the Python reader was used")

    monkeypatch.setattr(invoices, "read_accounting_file", python_reader)
    path = tmp_path / "accounting.csv"
    path.write_text(
        f'{HEADER}\nA,2026-06-01,"Smith, Jo",10.00,paid\nB,2026-06-02,x,-5,void\n'
        "C,2026-06-03,y,1.00,Paid\n"  # an odd status is data: the fast path keeps it
    )
    rows = loaded(db, lambda conn: load_accounting_file(conn, path))
    assert [(r[0], r[1], r[3], r[5]) for r in rows] == [
        (2, "A", "Smith, Jo", "paid"),
        (3, "B", "x", "void"),
        (4, "C", "y", "Paid"),
    ]
