"""What people read on the reconciliation pages: reason labels, column headers, the columns
worth a page. Exports and the CLI keep the contract's codes and every column."""

from __future__ import annotations

from typing import Any

from pulsebi.widgets.paged_table import Column

REASON_LABELS = {
    # ghost appointments
    "no_sale": "No sale",
    "no_job": "No job",
    # split integrity
    "share_sum": "Shares do not sum to 100%",
    "commission_mismatch": "Commission differs from its share",
    "duplicate_employee": "Employee on the sale twice",
    "employee_missing": "Employee does not exist",
    "not_sales_rep": "Not a sales rep",
    "not_employed": "Not employed on the sale's date",
    "no_split": "No split",
    # external reconciliation
    "amount_mismatch": "Amounts differ",
    "status_mismatch": "Statuses disagree",
    "missing_in_crm": "Invoice not in the CRM",
    "missing_externally": "Sale not invoiced",
}

# check -> the page's columns, in order; a column empty throughout is left out
PAGE_COLUMNS: dict[str, tuple[Column, ...]] = {
    "ghost-appointments": (
        Column("reason", "Reason", labels=REASON_LABELS),
        Column("appointment_id", "Appointment"),
        Column("branch", "Branch"),
        Column("scheduled_for", "Scheduled for", "datetime"),
        Column("rep_id", "Rep"),
        Column("lead_id", "Lead"),
        Column("sales", "Sales", "count"),
        Column("detail", "Detail", wrap=True),
    ),
    "splits": (
        Column("reason", "Reason", labels=REASON_LABELS),
        Column("sale_id", "Sale"),
        Column("branch", "Branch"),
        Column("sold_at", "Sold", "datetime"),
        Column("amount", "Amount", "usd"),
        Column("commission_rate", "Commission rate", "rate"),
        Column("splits", "Splits", "count"),
        Column("employee_id", "Employee"),
        Column("detail", "Detail", wrap=True),
    ),
    "external": (
        Column("reason", "Reason", labels=REASON_LABELS),
        Column("invoice_no", "Invoice"),
        Column("sale_id", "Sale"),
        Column("branch", "Branch"),
        Column("sold_at", "Sold", "datetime"),
        Column("sale_status", "Sale status"),
        Column("crm_amount", "CRM amount", "usd"),
        Column("invoice_amount", "Invoiced amount", "usd"),
        Column("amount_difference", "Difference", "usd"),
        Column("invoice_status", "Invoice status"),
        Column("invoiced_on", "Invoiced on", "date"),
        Column("customer", "Customer"),
        Column("invoice_line", "File line"),
    ),
}


def reason_label(code: str) -> str:
    return REASON_LABELS.get(code, code)


def page_columns(check: str, frame: Any) -> list[Column]:
    """The check's page columns that have a value somewhere in `frame` (all of them when
    the frame is empty, so the headers do not jump)."""
    columns = [c for c in PAGE_COLUMNS[check] if c.key in frame.columns]
    if len(frame) == 0:
        return columns
    return [c for c in columns if frame[c.key].notna().any()] or columns


def detail_columns(frame: Any) -> list[Column]:
    """Columns for any crm rows (drill-down): 'sale_id' -> 'Sale', times and money formatted."""
    columns = []
    for key in frame.columns:
        label = key.removesuffix("_id").replace("_", " ").capitalize() if key != "id" else "Id"
        if key.endswith("_at"):
            unit = "datetime"
        elif key.endswith("_on"):
            unit = "date"
        elif key == "commission_rate":
            unit = "rate"
        elif key in ("amount", "commission", "expected_commission"):
            unit = "usd"
        else:
            unit = "text"
        columns.append(Column(key, label, unit))
    return columns
