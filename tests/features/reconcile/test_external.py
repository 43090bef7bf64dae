"""CRM sales against the accounting export, matched by external_ref = invoice_no."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from pulsebi.reconcile import find_external_mismatches
from pulsebi.reconcile.accounting import AccountingFileError

HEADER = "invoice_no,invoiced_on,customer,amount,status"
NOW = dt.datetime(2026, 6, 30, 12, 0, tzinfo=ZoneInfo("America/Chicago"))
OLD = "2026-06-15T12:00:00-05:00"  # well over 7 days before NOW


@pytest.fixture
def invoices(tmp_path):
    """Write the accounting export from lines 'invoice_no,invoiced_on,customer,amount,status'."""

    def write(*lines: str):
        path = tmp_path / "accounting.csv"
        path.write_text("\n".join([HEADER, *lines]) + "\n")
        return path

    return write


def check(crm, path, **filters):
    return find_external_mismatches(path, crm.engine, now=NOW, **filters)


def pairs(frame):
    return {(r, i) for r, i in zip(frame["reason"], frame["invoice_no"], strict=True)}


def test_matching_sale_and_invoice_is_clean(crm, invoices) -> None:
    crm.sale(1, amount="1000.00", external_ref="INV-1", sold_at=OLD)
    assert check(crm, invoices("INV-1,2026-06-15,Smith,1000.00,paid")).empty


@pytest.mark.parametrize(
    ("invoice_amount", "flagged"),
    [("1000.01", False), ("999.99", False), ("1000.02", True), ("999.98", True)],
)
def test_amounts_may_differ_by_exactly_a_cent(crm, invoices, invoice_amount, flagged) -> None:
    crm.sale(1, amount="1000.00", external_ref="INV-1", sold_at=OLD)
    frame = check(crm, invoices(f"INV-1,2026-06-15,Smith,{invoice_amount},paid"))
    assert pairs(frame) == ({("amount_mismatch", "INV-1")} if flagged else set())
    if flagged:
        row = frame.iloc[0]
        assert row["sale_id"] == 1 and row["branch"] == "DAL"
        assert row["crm_amount"] == Decimal("1000.00")
        assert row["invoice_amount"] == Decimal(invoice_amount)
        assert row["amount_difference"] == Decimal("1000.00") - Decimal(invoice_amount)


@pytest.mark.parametrize(
    ("sale_status", "invoice_status", "flagged"),
    [
        ("canceled", "open", True),
        ("canceled", "paid", True),
        ("canceled", "void", False),
        ("active", "void", True),
        ("active", "paid", False),
        ("active", "open", False),
        ("Active", "void", False),  # neither active nor canceled
        ("Active", "paid", False),
    ],
)
def test_status_must_agree(crm, invoices, sale_status, invoice_status, flagged) -> None:
    crm.sale(1, status=sale_status, external_ref="INV-1", sold_at=OLD)
    frame = check(crm, invoices(f"INV-1,2026-06-15,Smith,1000.00,{invoice_status}"))
    assert pairs(frame) == ({("status_mismatch", "INV-1")} if flagged else set())
    if flagged:
        assert frame.iloc[0]["sale_status"] == sale_status
        assert frame.iloc[0]["invoice_status"] == invoice_status


@pytest.mark.parametrize("status", ["open", "paid", "void"])
def test_an_invoice_without_a_sale_is_missing_in_crm_even_void(crm, invoices, status) -> None:
    crm.sale(1, external_ref="INV-1", sold_at=OLD)
    frame = check(
        crm, invoices("INV-1,2026-06-15,A,1000.00,paid", f"INV-2,2026-06-16,B,5.00,{status}")
    )
    assert pairs(frame) == {("missing_in_crm", "INV-2")}
    row = frame.iloc[0]
    assert row["invoice_line"] == 3 and row["customer"] == "B"
    assert row["sale_id"] is None or str(row["sale_id"]) == "<NA>"


def test_invoice_numbers_match_exactly(crm, invoices) -> None:
    crm.sale(1, external_ref="INV-1", sold_at=OLD)
    frame = check(crm, invoices("inv-1,2026-06-15,A,1000.00,paid"))
    assert pairs(frame) == {("missing_in_crm", "inv-1"), ("missing_externally", "INV-1")}


def test_an_old_active_sale_without_invoice_is_missing_externally(crm, invoices) -> None:
    crm.sale(1, external_ref="INV-1", sold_at=OLD)
    crm.sale(2, external_ref=None, sold_at=OLD)
    crm.sale(3, external_ref="INV-3", sold_at=OLD, status="canceled")  # no exception
    crm.sale(4, external_ref="INV-4", sold_at=OLD, status="Active")  # neither
    crm.sale(5, external_ref="INV-5", sold_at="2026-06-29T12:00:00-05:00")  # too recent
    frame = check(crm, invoices())
    assert crm.reasons(frame, "sale_id") == {("missing_externally", 1), ("missing_externally", 2)}


def test_missing_externally_starts_at_the_same_local_time_seven_days_before(crm, invoices) -> None:
    edge = NOW - dt.timedelta(days=7)  # wall-clock arithmetic: 2026-06-23 12:00 local
    crm.sale(1, external_ref="A", sold_at=edge)
    crm.sale(2, external_ref="B", sold_at=edge - dt.timedelta(microseconds=1))
    frame = check(crm, invoices())
    assert crm.reasons(frame, "sale_id") == {("missing_externally", 2)}


def test_seven_days_are_calendar_days_across_a_dst_change(crm, invoices) -> None:
    # DST began 2026-03-08: 7 calendar days before 03-10 12:00 CDT is 03-03 12:00 CST (18:00Z),
    # 169 elapsed hours. A sale at 17:30Z on 03-03 is before it (168 hours would say not).
    now = dt.datetime(2026, 3, 10, 12, 0, tzinfo=ZoneInfo("America/Chicago"))
    crm.sale(1, external_ref="A", sold_at="2026-03-03T17:30:00+00:00")
    crm.sale(2, external_ref="B", sold_at="2026-03-03T18:30:00+00:00")
    frame = find_external_mismatches(invoices(), crm.engine, now=now)
    assert crm.reasons(frame, "sale_id") == {("missing_externally", 1)}


def test_every_pair_of_duplicated_invoices_is_compared(crm, invoices) -> None:
    crm.sale(1, amount="100.00", external_ref="INV-1", sold_at=OLD)
    frame = check(
        crm,
        invoices(
            "INV-1,2026-06-15,A,100.00,paid",
            "INV-1,2026-06-15,A,90.00,paid",
            "INV-1,2026-06-15,A,80.00,void",
        ),
    )
    got = {(r, int(n)) for r, n in zip(frame["reason"], frame["invoice_line"], strict=True)}
    assert got == {("amount_mismatch", 3), ("amount_mismatch", 4), ("status_mismatch", 4)}


def test_every_pair_of_duplicated_sales_is_compared(crm, invoices) -> None:
    crm.sale(1, amount="100.00", external_ref="INV-1", sold_at=OLD)
    crm.sale(2, amount="100.00", external_ref="INV-1", sold_at=OLD)
    crm.sale(3, amount="120.00", external_ref="INV-1", sold_at=OLD, status="canceled")
    frame = check(crm, invoices("INV-1,2026-06-15,A,100.00,paid"))
    assert crm.reasons(frame, "sale_id") == {("amount_mismatch", 3), ("status_mismatch", 3)}


def test_filters_branch_and_dates(crm, invoices) -> None:
    crm.sale(1, branch_id=1, external_ref="X1", sold_at="2026-06-01T12:00:00-05:00")
    crm.sale(2, branch_id=2, external_ref="X2", sold_at="2026-06-10T12:00:00-05:00")
    path = invoices("Y1,2026-06-01,A,1.00,paid", "Y2,2026-06-10,B,1.00,paid")
    hou = check(crm, path, branch="HOU")
    assert set(hou["reason"]) == {"missing_externally"} and list(hou["sale_id"]) == [2]
    june_first_week = check(crm, path, date_from="2026-06-01", date_to="2026-06-08")
    assert pairs(june_first_week) == {("missing_externally", "X1"), ("missing_in_crm", "Y1")}


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (f"{HEADER}\nINV-1,2026-06-15,A,1000.00,paid\nINV-2,2026-06-16,B,5.00,open\n", 3),
        # a record over two lines and a blank line: the file's own line numbers still
        (
            f'{HEADER}\r\nINV-1,2026-06-15,"A\r\nB",1000.00,paid\r\n\r\nINV-2,2026-06-16,B,5.00,open',
            5,
        ),
        (f"\ufeff{HEADER}\nINV-1,2026-06-15,A,1000.00,paid\nINV-2,2026-06-16,B,5.00,open", 3),
    ],
)
def test_invoice_lines_are_the_files_line_numbers(crm, tmp_path, content, line) -> None:
    crm.sale(1, amount="1000.00", external_ref="INV-1", sold_at=OLD)
    path = tmp_path / "accounting.csv"
    path.write_bytes(content.encode())
    frame = check(crm, path)
    assert pairs(frame) == {("missing_in_crm", "INV-2")}
    assert frame.iloc[0]["invoice_line"] == line
    assert frame.iloc[0]["invoice_amount"] == Decimal("5.00")


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ("INV-2,2026-06-16,B,5.001,open", "line 3: amount '5.001'"),
        ("INV-2,2026-06-31,B,5.00,open", "line 3: invoiced_on '2026-06-31'"),
        ("INV-2,2026-06-16,B,\u0665.00,open", "line 3: amount"),  # a non-ASCII digit
        ("INV-2,2026-06-16,B,5.00", "line 3: has 4 fields"),
        ("INV-2,2026-06-16,B,5.00,open,x", "line 3: has 6 fields"),
        (",2026-06-16,B,5.00,open", "line 3: invoice_no is empty"),
    ],
)
def test_a_bad_export_fails_the_check_naming_the_line(crm, invoices, row, words) -> None:
    path = invoices("INV-1,2026-06-15,A,1000.00,paid", row)
    with pytest.raises(AccountingFileError, match=words):
        check(crm, path)


def test_odd_statuses_are_matched_compared_exactly_and_counted(crm, invoices) -> None:
    crm.sale(1, status="canceled", external_ref="INV-1", sold_at=OLD)  # 'Paid' is not void
    crm.sale(2, status="active", external_ref="INV-2", sold_at=OLD)  # 'VOID' is not void
    crm.sale(3, status="canceled", external_ref="INV-3", sold_at=OLD)
    crm.sale(4, amount="10.00", external_ref="INV-4", sold_at=OLD)  # odd and amount off
    path = invoices(
        "INV-1,2026-06-15,A,1000.00,Paid",
        "INV-2,2026-06-15,B,1000.00,VOID",
        "INV-3,2026-06-15,C,1000.00,",
        "INV-4,2026-06-15,D,12.00,Paid",
        "INV-5,2026-06-15,E,5.00,refunded",  # no sale: missing in the CRM as any invoice
        "INV-6,2026-06-15,F,5.00,paid",
    )
    frame = check(crm, path)
    assert pairs(frame) == {
        ("status_mismatch", "INV-1"),
        ("status_mismatch", "INV-3"),
        ("amount_mismatch", "INV-4"),
        ("missing_in_crm", "INV-5"),
        ("missing_in_crm", "INV-6"),
    }
    assert set(frame["invoice_status"].dropna()) == {"Paid", "", "refunded", "paid"}
    assert frame.attrs["odd_statuses"] == {"Paid": 2, "": 1, "VOID": 1, "refunded": 1}


def test_a_clean_file_has_no_odd_status(crm, invoices) -> None:
    crm.sale(1, amount="1000.00", external_ref="INV-1", sold_at=OLD)
    frame = check(crm, invoices("INV-1,2026-06-15,Smith,1000.00,paid"))
    assert frame.empty and frame.attrs["odd_statuses"] == {}


def test_the_odd_status_note_says_how_many_and_which() -> None:
    from pulsebi.reconcile.accounting import describe_odd_statuses

    assert describe_odd_statuses({}) == ""
    note = describe_odd_statuses({"Paid": 2, "refunded": 1})
    assert note.startswith("3 invoices have a status outside open, paid, void ('Paid': 2, ")
    assert "compared as written" in note
    assert describe_odd_statuses({"x": 1}).startswith("1 invoice has a status")
