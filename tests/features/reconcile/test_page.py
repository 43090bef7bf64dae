"""The page logic behind the notebooks: summary by reason and branch, live filters, drill-down."""

from pulsebi.reconcile.page import explorer, run_check, summarize
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


def test_live_filters_narrow_the_rows_and_a_selection_shows_the_sales_splits(crm) -> None:
    box = explorer(dirty_splits(crm))
    (branch_box, reason_box), rows_box, details, table = box.children[0].children, *box.children[1:]
    assert len(rows_box.options) == 3
    branch_box.value = "DAL"
    assert [label for label, _ in rows_box.options] == [
        "not_sales_rep · DAL · sale_id 1, employee_id 12"
    ]
    branch_box.value = "all"
    reason_box.value = "no_split"
    assert len(rows_box.options) == 2 and "not_sales_rep" not in table.value
    reason_box.value = "not_sales_rep"
    rows_box.value = rows_box.options[0][1]
    assert "Splits of sale 1" in details.value
    assert "canvasser" in details.value and "Employee 12" in details.value


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
