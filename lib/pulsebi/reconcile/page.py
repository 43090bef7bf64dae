"""The reconciliation pages: what each notebook under notebooks/reconciliation/ shows.

`show_check("splits", branch=..., date_from=..., date_to=..., static=...)` displays a summary by
reason and branch and the exception table, both marked for Excel export (charts/export.py).
Live (Voilà): filters by branch and reason and a drill-down into the selected row. Static
(Papermill): plain HTML tables only.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pulsebi.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd

TITLES = {
    "ghost-appointments": "Ghost appointments",
    "splits": "Commission split integrity",
    "external": "CRM vs accounting",
}
NO_BRANCH = "(no branch)"
MAX_HTML_ROWS = 500
MAX_CHOICES = 2000


def run_check(
    check: str,
    *,
    branch: str | None = None,
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
    accounting_file: str | Path | None = None,
    engine: Any = None,
) -> pd.DataFrame:
    """Run one check by its CLI name; `external` reads settings.data_dir/accounting.csv unless
    `accounting_file` is given."""
    from pulsebi import reconcile
    from pulsebi.settings import get_settings

    filters = {"branch": branch, "date_from": date_from, "date_to": date_to}
    if check == "ghost-appointments":
        return reconcile.find_ghost_appointments(engine, **filters)
    if check == "splits":
        return reconcile.find_split_exceptions(engine, **filters)
    if check == "external":
        path = accounting_file or get_settings().data_dir / "accounting.csv"
        return reconcile.find_external_mismatches(path, engine, **filters)
    raise UsageError(f"unknown check {check!r}; use one of {', '.join(TITLES)}")


def reasons_of(check: str) -> tuple[str, ...]:
    from pulsebi.reconcile import external, ghosts, splits

    module = {"ghost-appointments": ghosts, "splits": splits, "external": external}[check]
    return module.REASONS


def summarize(frame: pd.DataFrame, reasons: tuple[str, ...]) -> pd.DataFrame:
    """Exceptions counted by reason (rows, every reason of the check) and branch (columns)."""
    import pandas as pd

    branches = frame["branch"].astype(object).where(frame["branch"].notna(), NO_BRANCH)
    counts = pd.crosstab(frame["reason"], branches) if len(frame) else pd.DataFrame()
    counts = counts.reindex(index=list(reasons), fill_value=0)
    counts = counts.reindex(columns=sorted(counts.columns, key=lambda c: (c == NO_BRANCH, c)))
    counts = counts.fillna(0).astype(int)
    counts["total"] = counts.sum(axis=1)
    counts.columns.name = None
    return counts.rename_axis("reason").reset_index()


def show_check(
    check: str,
    *,
    branch: str | None = "all",
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
    accounting_file: str | Path | None = None,
    static: bool = False,
) -> pd.DataFrame:
    """Display the page of one check; returns the exceptions."""
    from IPython.display import HTML, display

    from pulsebi.charts import show_table, use_mode

    use_mode(static)  # the rendering layer decides live or static from here on
    frame = run_check(
        check, branch=branch, date_from=date_from, date_to=date_to,
        accounting_file=accounting_file,
    )  # fmt: skip
    period = _describe_period(branch, date_from, date_to)
    display(HTML(f"<p><b>{html.escape(TITLES[check])}</b>: {html.escape(period)}, "
                 f"{len(frame)} exception(s)</p>"))  # fmt: skip
    summary = summarize(frame, reasons_of(check))
    units = {c: ("text" if c == "reason" else "count") for c in summary.columns}
    show_table(summary, "Summary by reason and branch", units)
    shown = for_display(frame)
    if current_static():  # all columns to the export, the telling ones on the page
        display(export_bundle(shown, "Exceptions", compact(shown)), raw=True)
    else:  # the table goes to the export; the explorer shows the rows
        display(export_bundle(shown, "Exceptions"), raw=True)
        display(explorer(frame))
    return frame


def compact(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns worth a page: none that is empty throughout, dates rather than instants."""
    keep = [
        c
        for c in frame.columns
        if frame[c].notna().any() and not (c.endswith("_at") and f"{c[:-3]}_on" in frame)
    ]
    return frame[keep or list(frame.columns)]


def current_static() -> bool:
    from pulsebi.charts import current_mode

    return current_mode().static


def for_display(frame: pd.DataFrame) -> pd.DataFrame:
    """Plain Python values (ints, Decimals, None) that every renderer and the export take."""
    shown = frame.astype(object)
    return shown.where(frame.notna(), None)


def formats_of(frame: pd.DataFrame) -> dict[str, str]:
    """Units for the rendering layer: money in dollars, rates as %, ids and shares as written."""
    units = {}
    for column in frame.columns:
        if column in ("splits", "sales", "total"):
            units[column] = "count"
        elif "amount" in column or column.endswith(("_commission", "commission_difference")):
            units[column] = "usd"
        elif column == "commission_rate":
            units[column] = "rate"
        else:
            units[column] = "text"
    return units


def export_bundle(
    frame: pd.DataFrame, name: str, page: pd.DataFrame | None = None
) -> dict[str, Any]:
    """One output marking `frame` for export as sheet `name`; it shows `page` as a table
    (the first MAX_HTML_ROWS rows), or only the title without one."""
    from pulsebi.charts.export import TABLE_MIMETYPE
    from pulsebi.charts.table import column_formats, export_payload
    from pulsebi.charts.table import table_html as styled_html

    units = column_formats(frame, formats_of(frame))
    shown = f"<h3>{html.escape(name)}</h3>"
    if page is not None:
        shown = styled_html(page, formats_of(page), caption=name, max_rows=MAX_HTML_ROWS)
    return {
        "text/plain": f"<{name}: {len(frame)} rows>",
        "text/html": shown,
        TABLE_MIMETYPE: export_payload(frame, name, units, None),
    }


def table_html(frame: pd.DataFrame, max_rows: int = MAX_HTML_ROWS) -> str:
    """A plain, self-contained HTML table (values as text, escaped) for the drill-down."""
    from pulsebi.reconcile.output import format_cell

    if frame.empty:
        return "<p>No exceptions.</p>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(format_cell(v))}</td>" for v in row) + "</tr>"
        for row in frame.head(max_rows).itertuples(index=False, name=None)
    )
    more = (
        f"<p>… {len(frame) - max_rows} more rows in the export.</p>"
        if len(frame) > max_rows
        else ""
    )
    return (
        '<table class="pbi-reconcile" border="1" style="border-collapse:collapse;font-size:12px">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"
    )


def explorer(frame: pd.DataFrame) -> Any:
    """Live widgets: filter by branch and reason, select a row to see the crm rows behind it."""
    import ipywidgets as w

    from pulsebi.charts.table import table_html as styled_html
    from pulsebi.db import get_engine
    from pulsebi.reconcile.details import describe_exception
    from pulsebi.reconcile.output import to_records

    branches = frame["branch"].astype(object).where(frame["branch"].notna(), NO_BRANCH)
    branch_box = w.Dropdown(description="Branch", options=["all", *sorted(set(branches))])
    reason_box = w.Dropdown(description="Reason", options=["all", *sorted(set(frame["reason"]))])
    rows_box = w.Select(description="Exceptions", rows=12, layout=w.Layout(width="100%"))
    table = w.HTML()
    details = w.HTML("<p>Select an exception to see its details.</p>")

    def refresh(_: Any = None) -> None:
        keep = (branch_box.value == "all") | (branches == branch_box.value)
        keep &= (reason_box.value == "all") | (frame["reason"] == reason_box.value)
        shown = compact(for_display(frame[keep]))
        table.value = styled_html(shown, formats_of(shown), max_rows=MAX_HTML_ROWS)
        rows_box.options = [(_label(r), i) for i, r in shown.head(MAX_CHOICES).iterrows()]

    def drill(change: dict[str, Any]) -> None:
        if change["new"] is None:
            return
        row = to_records(frame.loc[[change["new"]]])[0]
        parts = [f"<h4>{html.escape(_label(frame.loc[change['new']]))}</h4>"]
        for title, rows in describe_exception(get_engine(), row).items():
            parts.append(f"<h4>{html.escape(title)}</h4>{table_html(rows)}")
        details.value = "".join(parts)

    branch_box.observe(refresh, names="value")
    reason_box.observe(refresh, names="value")
    rows_box.observe(drill, names="value")
    refresh()
    return w.VBox([w.HBox([branch_box, reason_box]), rows_box, details, table])


def _label(row: Any) -> str:
    ids = [f"{k} {row[k]}" for k in ("appointment_id", "sale_id", "invoice_no", "employee_id")
           if k in row and row[k] is not None and str(row[k]) != "<NA>"]  # fmt: skip
    return f"{row['reason']} · {row['branch'] or NO_BRANCH} · " + ", ".join(ids)


def _describe_period(branch: Any, date_from: Any, date_to: Any) -> str:
    where = "all branches" if branch in (None, "", "all") else f"branch {branch}"
    start = f"from {date_from}" if date_from else "from the start"
    end = f"to {date_to} (exclusive)" if date_to else "to now"
    return f"{where}, {start} {end}"
