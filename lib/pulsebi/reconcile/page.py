"""The reconciliation pages: what each notebook under notebooks/reconciliation/ shows.

`show_check("splits", branch=..., date_from=..., date_to=..., static=...)` displays a summary by
reason and branch and the exception table, both marked for Excel export (charts/export.py) with
every row and column and the contract's reason codes. On the page reasons read as words
(labels.py) and times as local times ("Nov 30, 2026 14:05"). Live (Voilà, explorer.py): filters
by branch, dates and reason, a paged sortable table, a drill-down into the clicked row. Static
(Papermill): HTML only, the first MAX_HTML_ROWS exceptions and their count.
`show_check` = `prepare_check` (the slow part) + `present_check` (the query string, the display).
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pulsebi.errors import UsageError
from pulsebi.reconcile.filters import Filters, list_branches, parse_filters
from pulsebi.reconcile.labels import page_columns, reason_label

if TYPE_CHECKING:
    import pandas as pd

TITLES = {
    "ghost-appointments": "Ghost appointments",
    "splits": "Commission split integrity",
    "external": "CRM vs accounting",
}
NO_BRANCH = "(no branch)"
MAX_HTML_ROWS = 200
SUMMARY = "Summary by reason and branch"
EXCEPTIONS = "Exceptions"


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


@dataclass
class CheckPage:
    """A check's page, computed (`prepare_check`) and not shown yet (`present_check`)."""

    check: str
    frame: pd.DataFrame  # static: the filtered exceptions; live: all of them
    filters: Filters
    static: bool
    note: str = ""
    explorer: Any = None
    error: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)  # the notebook's branch, from, to


def show_check(
    check: str,
    *,
    branch: str | None = "all",
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
    accounting_file: str | Path | None = None,
    static: bool = False,
) -> pd.DataFrame:
    """Display the page of one check; returns its exceptions.

    What a notebook under notebooks/reconciliation/ calls: `prepare_check`, then
    `present_check`. Static (Papermill), the filters go to the query and a bad one raises.
    Live (Voilà), the check runs once unfiltered and the filters (the parameters, then the
    page's query string ``?branch=DAL&from=...&to=...``) become the explorer's; a bad one, or
    an accounting file that cannot be used, is said in place on the page.

    Parameters
    ----------
    check : {"ghost-appointments", "splits", "external"}
        The check, by its CLI name.
    branch : str, optional
        A branch code; ``"all"`` (the default), None or ``""``: every branch.
    date_from : datetime.date or str, optional
        First local date of the period (``"YYYY-MM-DD"``); default: no lower bound.
    date_to : datetime.date or str, optional
        The day after the period's last day (exclusive); default: no upper bound.
    accounting_file : path-like or str, optional
        The accounting export, for ``external`` only; default: ``accounting.csv`` in the data
        directory (``PULSEBI_DATA_DIR``).
    static : bool, default False
        True for a static page (HTML only, the first `MAX_HTML_ROWS` exceptions and their
        count); False for the live explorer.

    Returns
    -------
    pandas.DataFrame
        Static: the exceptions the filters select; live: every exception (the explorer
        filters them on the page), empty when the check could not run.

    Raises
    ------
    UsageError
        If `check` is none of the three. Static only: a bad filter or unknown branch (as
        `parse_filters` and `check_branch` say), or an accounting file that cannot be used
        (`AccountingFileError`).
    """
    page = prepare_check(
        check,
        branch=branch,
        date_from=date_from,
        date_to=date_to,
        accounting_file=accounting_file,
        static=static,
    )
    present_check(page)
    return page.frame


def prepare_check(
    check: str,
    *,
    branch: str | None = "all",
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
    accounting_file: str | Path | None = None,
    static: bool = False,
) -> CheckPage:
    """Run the check and (live) build its widgets. Static, the filters go to SQL and a bad
    one raises; live, the check runs unfiltered once and the filters become the widgets'
    values (a bad one, or a file that cannot be used, is said in place on the page)."""
    from pulsebi.charts import use_mode
    from pulsebi.settings import get_settings

    use_mode(static)  # the rendering layer decides live or static from here on
    if check not in TITLES:
        raise UsageError(f"unknown check {check!r}; use one of {', '.join(TITLES)}")
    if static:
        filters = parse_filters(branch, date_from, date_to)
        frame = run_check(
            check,
            branch=filters.branch,
            date_from=filters.date_from,
            date_to=filters.date_to,
            accounting_file=accounting_file,
        )
        return CheckPage(check, frame, filters, True, odd_status_note(frame))
    try:
        frame = run_check(check, accounting_file=accounting_file)
    except UsageError as exc:  # e.g. the accounting file: nothing to explore
        return CheckPage(check, _empty(), Filters(), False, error=str(exc))
    from pulsebi.reconcile.explorer import CheckExplorer

    page = CheckPage(check, frame, Filters(), False, odd_status_note(frame))
    page.explorer = CheckExplorer(
        check,
        frame,
        branches=_branches(),
        reasons=reasons_of(check),
        note=page.note,
        tz=get_settings().tz,
    )
    page.parameters = {"branch": branch, "from": date_from, "to": date_to}
    page.error = _apply_filters(page, page.parameters)
    return page


def present_check(page: CheckPage) -> None:
    """Show a prepared page; live, first applying the page's query string (`?branch=DAL`,
    `from`, `to`: dates, `to` exclusive) if any."""
    from IPython.display import HTML, display

    if page.static:
        display(HTML(heading_html(page.check, page.filters, len(page.frame), page.note)))
        display(summary_bundle(summarize(page.frame, reasons_of(page.check))), raw=True)
        display(exceptions_bundle(page.check, page.frame, page=True), raw=True)
        return
    if page.explorer is None:
        display(HTML(f"<p><b>{html.escape(TITLES[page.check])}</b></p>" + message_html(page.error)))
        return
    from pulsebi.dashboards.first_paint import first_paint_of, with_first_paint
    from pulsebi.dashboards.request import request_params

    query = {k: v for k, v in request_params().items() if k in ("branch", "from", "to")}
    if query:
        page.error = _apply_filters(page, {**page.parameters, **query})
    if page.error:
        page.explorer.message.value = message_html(page.error)
    # the exports: every row and column, with the contract's codes
    display(summary_bundle(summarize(page.frame, reasons_of(page.check)), shown=False), raw=True)
    display(exceptions_bundle(page.check, page.frame, page=False), raw=True)
    # its figures as HTML too, shown as the page streams, before Voilà's widgets have started
    first_paint = first_paint_of(page.explorer, ".pbi-reconcile .pbi-paged")
    display(with_first_paint(page.explorer, first_paint, TITLES[page.check]), raw=True)


def static_page_html(
    check: str, *, branch: str | None = "all", accounting_file: str | Path | None = None
) -> str:
    """What a check's static page shows, as one HTML text (a page snapshot's body).

    Parameters
    ----------
    check : {"ghost-appointments", "splits", "external"}
        The check, by its CLI name.
    branch : str, optional
        A branch code; ``"all"`` (the default), None or ``""``: every branch.
    accounting_file : path-like or str, optional
        The accounting export, for ``external`` only (default: as `show_check`).

    Returns
    -------
    str
        The heading (filters, count, notes), the summary by reason and branch, the first
        `MAX_HTML_ROWS` exceptions: what `present_check` displays for a static page.

    Raises
    ------
    UsageError
        As `show_check` static: an unknown check or branch, an accounting file that cannot be
        used.
    """
    from pulsebi.charts import use_mode

    with use_mode(True):
        page = prepare_check(check, branch=branch, accounting_file=accounting_file, static=True)
    summary = summary_bundle(summarize(page.frame, reasons_of(check)))["text/html"]
    table = exceptions_bundle(check, page.frame, page=True)["text/html"]
    return heading_html(check, page.filters, len(page.frame), page.note) + summary + table


def _apply_filters(page: CheckPage, values: dict[str, Any]) -> str:
    """Give the explorer these filters; '' or the message saying why they cannot apply."""
    try:
        filters = parse_filters(values.get("branch"), values.get("from"), values.get("to"))
        page.explorer.set_filters(filters)
    except UsageError as exc:
        page.explorer.set_filters(Filters())
        page.filters = Filters()
        said = str(exc).replace("--from", "from").replace("--to", "to")  # the URL's names
        return f"{said}. Showing all branches and dates."
    page.filters = filters
    return ""


def _branches() -> dict[str, str]:
    from pulsebi.db import get_engine

    with get_engine().connect() as conn:
        return list_branches(conn)


def _empty() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({"reason": [], "branch": []})


def odd_status_note(frame: pd.DataFrame) -> str:
    from pulsebi.reconcile.accounting import describe_odd_statuses

    note = describe_odd_statuses(frame.attrs.get("odd_statuses", {}))
    return f"{note[:1].upper()}{note[1:]}." if note else ""


def heading_html(check: str, filters: Filters, count: int, note: str = "") -> str:
    from pulsebi.settings import get_settings

    notes = [n for n in (note, f"Times are local to {get_settings().tz}.") if n]
    return (
        f"<p><b>{html.escape(TITLES[check])}</b>: {html.escape(describe_filters(filters))}, "
        f"{count:,} exception(s)</p>"
        + "".join(f'<p class="pbi-note" style="margin:2px 0">{html.escape(n)}</p>' for n in notes)
    )


def summary_html(summary: pd.DataFrame) -> str:
    """The summary for people: reasons as labels."""
    from pulsebi.charts.table import table_html as styled_html

    shown = summary.assign(reason=summary["reason"].map(reason_label))
    units = {c: ("text" if c == "reason" else "count") for c in shown.columns}
    # a heading, not a caption: a caption wraps to the width of a narrow table
    return f'<h4 style="margin:10px 0 0">{SUMMARY}</h4>' + styled_html(shown, units)


def summary_bundle(summary: pd.DataFrame, shown: bool = True) -> dict[str, Any]:
    """The summary shown with labels and exported with the codes."""
    from pulsebi.charts.export import TABLE_MIMETYPE
    from pulsebi.charts.table import column_formats, export_payload

    units = column_formats(summary, {c: "count" for c in summary.columns if c != "reason"})
    return {
        "text/plain": f"<{SUMMARY}: {len(summary)} rows>",
        "text/html": summary_html(summary) if shown else "",
        TABLE_MIMETYPE: export_payload(summary, SUMMARY, units, None),
    }


def exceptions_bundle(check: str, frame: pd.DataFrame, page: bool) -> dict[str, Any]:
    """Every row and column of `frame` marked for export (codes, exact values); with `page`,
    also shown as a table for people (labels, local times, at most MAX_HTML_ROWS rows)."""
    from pulsebi.charts.export import TABLE_MIMETYPE
    from pulsebi.charts.table import column_formats, export_payload
    from pulsebi.widgets.paged_table import paged_table_html

    exported = for_display(frame)
    units = column_formats(exported, formats_of(exported))
    shown = ""
    if page:
        shown = paged_table_html(
            frame,
            page_columns(check, frame),
            max_rows=MAX_HTML_ROWS,
            noun="exceptions",
            empty="No exceptions.",
            title=EXCEPTIONS,
        )
    return {
        "text/plain": f"<{EXCEPTIONS}: {len(frame)} rows>",
        "text/html": shown,
        TABLE_MIMETYPE: export_payload(exported, EXCEPTIONS, units, None),
    }


def for_display(frame: pd.DataFrame) -> pd.DataFrame:
    """Plain Python values (ints, Decimals, None) that every renderer and the export take."""
    shown = frame.astype(object)
    return shown.where(frame.notna(), None)


def formats_of(frame: pd.DataFrame) -> dict[str, str]:
    """Units for the export: money in dollars, rates as %, ids and shares as written."""
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


def message_html(message: str) -> str:
    """A viewer's mistake or an unusable input, said in place."""
    return (
        '<div class="pbi-message" role="alert" style="border-left:4px solid #b26a00;'
        f'background:#fff8e1;padding:6px 10px;margin:6px 0">{html.escape(message)}</div>'
    )


def table_html(frame: pd.DataFrame, max_rows: int = MAX_HTML_ROWS) -> str:
    """A drill-down table (crm rows behind an exception): labelled headers, local times."""
    import pandas as pd

    from pulsebi.reconcile.labels import detail_columns
    from pulsebi.settings import get_settings
    from pulsebi.widgets.paged_table import paged_table_html

    shown = frame.copy()
    for column in shown.columns:
        if column.endswith("_at") and shown[column].notna().any():
            times = pd.to_datetime(shown[column], utc=True).dt.tz_convert(get_settings().tz)
            shown[column] = times.astype(object).where(shown[column].notna(), None)
    return paged_table_html(
        shown, detail_columns(shown), max_rows=max_rows, noun="rows", empty="None."
    )


def describe_filters(filters: Filters) -> str:
    """'all branches, Jun 1, 2026 through Jun 30, 2026' (to is exclusive: through its eve)."""
    from pulsebi.widgets.paged_table import format_date

    where = "all branches" if filters.branch is None else f"branch {filters.branch}"
    if filters.date_from is None and filters.date_to is None:
        return f"{where}, all dates"
    start = format_date(filters.date_from) if filters.date_from else "the start"
    end = format_date(filters.date_to - dt.timedelta(days=1)) if filters.date_to else "now"
    return f"{where}, {start} through {end}"
