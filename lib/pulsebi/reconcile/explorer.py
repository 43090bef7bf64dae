"""The live reconciliation page (Voilà): filters, summary, a paged exception table, drill-down.

The check runs once without filters; the branch, date and reason filters then select rows in
memory exactly as the CLI's --branch/--from/--to would have (filters.select_rows). "Through"
is the last day shown (inclusive); the query string's and notebook's `to` is exclusive.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import ipywidgets as w

from pulsebi.errors import UsageError
from pulsebi.reconcile.filters import Filters, parse_filters, select_rows
from pulsebi.reconcile.labels import REASON_LABELS, page_columns
from pulsebi.reconcile.output import json_value
from pulsebi.reconcile.page import (
    EXCEPTIONS,
    describe_filters,
    message_html,
    summarize,
    summary_html,
    table_html,
)
from pulsebi.widgets.paged_table import PagedTable, format_date

ALL = ""
PAGE_SIZE = 25


class CheckExplorer(w.VBox):
    """One check's live page over `frame` (the unfiltered result)."""

    def __init__(
        self,
        check: str,
        frame: Any,
        *,
        branches: dict[str, str],
        reasons: tuple[str, ...],
        note: str = "",
        tz: str = "",
    ):
        self.check, self.frame, self.reasons = check, frame, reasons
        self.tz = tz
        self.heading = w.HTML()
        notes = [n for n in (note, f"Times are local to {tz}." if tz else "") if n]
        self.note = w.HTML(
            "".join(f'<p class="pbi-note" style="margin:2px 0">{html.escape(n)}</p>' for n in notes)
        )
        self.branch = w.Dropdown(
            description="Branch",
            options=[("All branches", ALL), *[(f"{c} · {n}", c) for c, n in branches.items()]],
        )
        self.date_from = w.DatePicker(description="From")
        self.date_through = w.DatePicker(description="Through")
        self.reason = w.Dropdown(
            description="Reason",
            options=[("All reasons", ALL), *[(REASON_LABELS.get(r, r), r) for r in reasons]],
        )
        controls = [self.branch, self.date_from, self.date_through, self.reason]
        for control in controls:
            control.style.description_width = "initial"
            control.layout.width = "auto"
            control.layout.margin = "2px 12px 2px 0"
        bar = w.HBox(controls, layout=w.Layout(flex_flow="row wrap", align_items="center"))
        bar.add_class("pbi-filter-bar")
        self.message = w.HTML()
        self.summary = w.HTML()
        self.table = PagedTable(
            frame, page_columns(check, frame), page_size=PAGE_SIZE, empty="No exceptions."
        )
        self.details = w.HTML("<p>Click an exception to see the CRM rows behind it.</p>")
        self.table.on_select(self._drill)
        super().__init__(
            [
                self.heading,
                self.note,
                bar,
                self.message,
                self.summary,
                w.HTML(f"<h4 style='margin:10px 0 0'>{EXCEPTIONS}</h4>"),
                self.table,
                self.details,
            ],
            layout=w.Layout(width="100%"),
        )
        self.add_class("pbi-reconcile")
        self.refresh()
        for control in controls:
            control.observe(self.refresh, names="value")

    def set_filters(self, filters: Filters) -> None:
        """Show the rows of `filters` (branch, [date_from, date_to)) from code."""
        options = [v for _, v in self.branch.options]
        if filters.branch is not None and filters.branch not in options:
            known = ", ".join(o for o in options if o) or "none"
            raise UsageError(f"unknown branch {filters.branch!r}; known branch codes: {known}")
        with self.hold_trait_notifications():
            self.branch.value = filters.branch or ALL
            self.date_from.value = filters.date_from
            self.date_through.value = (
                filters.date_to - dt.timedelta(days=1) if filters.date_to else None
            )
        self.refresh()

    def filters(self) -> Filters:
        start, through = self.date_from.value, self.date_through.value
        # through = from - 1 is the CLI's empty --from D --to D; before that is a mistake
        if start and through and through + dt.timedelta(days=1) < start:
            raise UsageError(
                f"From {format_date(start)} is after Through {format_date(through)};"
                " pick a From on or before the Through date"
            )
        return parse_filters(
            self.branch.value or None,
            self.date_from.value,
            through + dt.timedelta(days=1) if through else None,
        )

    def rows(self) -> Any:
        """The exceptions the filters select, in the check's order."""
        rows = select_rows(self.frame, self.check, self.filters())
        if self.reason.value:
            rows = rows[rows["reason"] == self.reason.value]
        return rows

    def refresh(self, _: Any = None) -> None:
        try:
            filters, rows = self.filters(), self.rows()
        except UsageError as exc:
            self.message.value = message_html(str(exc))
            return
        self.message.value = ""
        reason = f", {REASON_LABELS.get(self.reason.value, '')}" if self.reason.value else ""
        self.heading.value = (
            f'<p style="margin:4px 0"><b>{len(rows):,} exception(s)</b> · '
            f"{html.escape(describe_filters(filters) + reason)}</p>"
        )
        self.summary.value = summary_html(summarize(rows, self.reasons))
        self.table.update(rows)
        self.details.value = "<p>Click an exception to see the CRM rows behind it.</p>"

    def _drill(self, row: Any) -> None:
        if row is None:
            return
        from pulsebi.db import get_engine
        from pulsebi.reconcile.details import describe_exception

        record = {k: json_value(v) for k, v in row.items()}
        parts = [f"<h4>{html.escape(row_label(row))}</h4>"]
        for title, rows in describe_exception(get_engine(), record).items():
            parts.append(f"<h4>{html.escape(title)}</h4>{table_html(rows)}")
        self.details.value = "".join(parts)


def row_label(row: Any) -> str:
    """'Not a sales rep · DAL · sale 1, employee 12'."""
    names = {
        "appointment_id": "appointment",
        "sale_id": "sale",
        "invoice_no": "invoice",
        "employee_id": "employee",
    }
    ids = [
        f"{name} {json_value(row[k])}"
        for k, name in names.items()
        if k in row and json_value(row[k]) is not None
    ]
    branch = json_value(row["branch"]) or "no branch"
    return f"{REASON_LABELS.get(row['reason'], row['reason'])} · {branch} · " + ", ".join(ids)
