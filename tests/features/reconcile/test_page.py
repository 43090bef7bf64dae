"""The page logic behind the notebooks: summary, labels and local times, the live filters
(the CLI's --branch/--from/--to, in memory), paging and drill-down."""

import datetime as dt
import html

import pytest

from pulsebi.reconcile.filters import parse_filters, select_rows
from pulsebi.reconcile.page import prepare_check, run_check, summarize
from pulsebi.reconcile.splits import REASONS


def dirty_splits(crm):
    crm.employee(10)
    crm.employee(12, role="canvasser")
    crm.sale(1, branch_id=1)
    crm.split(1, 1, 10, "0.5000", "50.00")
    crm.split(2, 1, 12, "0.5000", "50.00")
    crm.sale(2, branch_id=2)
    crm.sale(3, branch_id=99)
    return run_check("splits", engine=crm.engine)


def test_summary_counts_every_reason_by_branch(crm) -> None:
    summary = summarize(dirty_splits(crm), REASONS)
    assert list(summary["reason"]) == list(REASONS)
    assert list(summary.columns) == ["reason", "DAL", "HOU", "(no branch)", "total"]
    by_reason = summary.set_index("reason")
    assert by_reason.loc["no_split"].tolist() == [0, 1, 1, 2]
    assert by_reason.loc["not_sales_rep"].tolist() == [1, 0, 0, 1]
    assert by_reason["total"].sum() == 3


def test_live_filters_narrow_the_rows_and_a_click_shows_the_sales_splits(crm) -> None:
    dirty_splits(crm)
    explorer = prepare_check("splits").explorer
    assert len(explorer.table.frame) == 3
    explorer.branch.value = "DAL"
    assert list(explorer.table.frame["sale_id"]) == [1]
    assert "Not a sales rep" in explorer.table.html and "not_sales_rep" not in explorer.table.html
    assert "branch DAL" in explorer.heading.value and "1 exception(s)" in explorer.heading.value
    explorer.branch.value = ""
    explorer.reason.value = "no_split"
    assert len(explorer.table.frame) == 2 and "Not a sales rep" not in explorer.table.html
    explorer.reason.value = "not_sales_rep"
    explorer.table.selected = 0  # what a click on the first row sends
    assert "Splits of sale 1" in explorer.details.value
    assert "canvasser" in explorer.details.value and "Employee 12" in explorer.details.value
    assert "Not a sales rep · DAL · sale 1, employee 12" in explorer.details.value
    assert "Jun 15, 2026 12:00" in explorer.details.value.replace("&nbsp;", " ")  # local time
    assert "Expected commission" in explorer.details.value and "$50.00" in explorer.details.value


def test_the_page_shows_labels_and_local_times(crm) -> None:
    crm.employee(10)
    crm.sale(1, sold_at="2026-11-30T20:05:00+00:00")  # 14:05 in Chicago
    crm.split(1, 1, 10, "0.9000", "90.00")
    explorer = prepare_check("splits").explorer
    page = explorer.table.html
    assert "Shares do not sum to 100%" in page and "share_sum" not in page
    assert "Nov&nbsp;30,&nbsp;2026 14:05" in page and "2026-11-30" not in page
    assert "shares 0.9000 = 0.9000" in page  # the detail, whole
    assert "Times are local to America/Chicago" in explorer.note.value
    assert "Shares do not sum to 100%" in explorer.summary.value


CASES = [
    ("DAL", None, None),
    (None, "2026-06-10", None),
    (None, None, "2026-06-15"),
    ("HOU", "2026-06-01", "2026-06-16"),
    (None, "2026-06-15", "2026-06-16"),
    (None, "2026-06-16", "2026-06-16"),
]


@pytest.mark.parametrize(("branch", "date_from", "date_to"), CASES)
def test_the_date_and_branch_filters_select_what_the_cli_filters(
    crm, tmp_path, branch, date_from, date_to
) -> None:
    crm.employee(10)
    times = ("09T23:30", "10T00:00", "14T23:59:59", "15T00:00", "15T23:59:59", "16T00:00")
    days = [f"2026-06-{t}-05:00" for t in times]
    for n, when in enumerate(days, start=1):
        crm.sale(n, branch_id=1 + n % 2, sold_at=when, external_ref=f"INV-{n}")
        crm.appointment(n, branch_id=1 + n % 2, scheduled_for=when)
    accounting = tmp_path / "accounting.csv"
    accounting.write_text(
        "invoice_no,invoiced_on,customer,amount,status\n"
        + "".join(f"X-{n},2026-06-{9 + n},c,1.00,paid\n" for n in range(1, 8))
    )
    filters = parse_filters(branch, date_from, date_to)
    for check in ("ghost-appointments", "splits", "external"):
        everything = run_check(check, accounting_file=accounting)
        filtered = run_check(
            check, branch=branch, date_from=date_from, date_to=date_to, accounting_file=accounting
        )
        selected = select_rows(everything, check, filters)
        assert selected.to_dict("records") == filtered.to_dict("records"), check
        page = prepare_check(check, accounting_file=accounting).explorer
        page.set_filters(filters)
        assert page.rows().to_dict("records") == filtered.to_dict("records"), check
        through = page.date_through.value
        assert through == (
            dt.date.fromisoformat(date_to) - dt.timedelta(days=1) if date_to else None
        )


def test_a_from_after_through_is_said_in_place(crm) -> None:
    dirty_splits(crm)
    explorer = prepare_check("splits").explorer
    explorer.date_from.value = dt.date(2026, 6, 30)
    explorer.date_through.value = dt.date(2026, 6, 1)
    assert "From Jun 30, 2026 is after Through Jun 1, 2026" in explorer.message.value
    explorer.date_from.value = dt.date(2026, 6, 1)
    explorer.date_through.value = dt.date(2026, 6, 30)
    assert explorer.message.value == "" and len(explorer.table.frame) == 3
    assert (
        "3 exception(s)</b> · all branches, Jun 1, 2026 through Jun 30, 2026"
        in explorer.heading.value
    )


def test_an_unknown_branch_or_a_bad_file_is_said_in_place(crm, tmp_path) -> None:
    dirty_splits(crm)
    page = prepare_check("splits", branch="XXX")
    assert "unknown branch 'XXX'" in page.error and len(page.explorer.table.frame) == 3
    page = prepare_check("splits", branch="DAL", date_to="2026-13-01")
    assert (
        page.error
        == "to '2026-13-01' is not a date; use YYYY-MM-DD. Showing all branches and dates."
    )
    assert page.explorer.branch.value == "" and len(page.explorer.table.frame) == 3
    bad = tmp_path / "accounting.csv"
    bad.write_text("invoice_no,invoiced_on,customer,amount,status\nA,2026-06-01,x,abc,paid\n")
    page = prepare_check("external", accounting_file=bad)
    assert page.explorer is None and f"{bad}, line 2: amount 'abc'" in page.error


def test_odd_statuses_are_noted_on_the_page(crm, tmp_path) -> None:
    crm.sale(1, external_ref="INV-1", sold_at="2026-06-15T12:00:00-05:00")
    path = tmp_path / "accounting.csv"
    path.write_text(
        "invoice_no,invoiced_on,customer,amount,status\nINV-1,2026-06-15,A,1000.00,Paid\n"
    )
    page = prepare_check("external", accounting_file=path)
    assert page.note.startswith("1 invoice has a status outside open, paid, void ('Paid': 1)")
    assert html.escape(page.note) in page.explorer.note.value
    static = prepare_check("external", accounting_file=path, static=True)
    assert static.note == page.note


def test_drill_down_of_a_ghost_lists_its_sales_and_their_jobs(crm) -> None:
    from pulsebi.reconcile.details import describe_exception

    crm.appointment(1)
    crm.sale(7, appointment_id=1, status="canceled")
    tables = describe_exception(crm.engine, {"appointment_id": 1, "sale_id": 7})
    sales = tables["Sales of appointment 1"]
    assert list(sales["sale_id"]) == [7] and sales.iloc[0]["job_id"] is None


def test_drill_down_of_an_invoice_finds_every_sale_with_its_number(crm) -> None:
    from pulsebi.reconcile.details import describe_exception

    crm.sale(1, external_ref="INV-1")
    crm.sale(2, external_ref="INV-1")
    crm.sale(3, external_ref="INV-3")
    tables = describe_exception(crm.engine, {"invoice_no": "INV-1", "sale_id": None})
    assert list(tables["Sales"]["sale_id"]) == [1, 2]
