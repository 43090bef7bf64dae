"""A report's exports: the tables the screen shows, cell for cell, as CSV, and PDF and Excel
through the report pipeline (the saved report's notebook run as a report).

`export_tables(result)` is what every export writes: a table's and each pivot's `Table` block,
exactly as the page shows it (totals row, subtotals and grand total included, no row cap); for
a chart, a pie, a gauge or KPI tiles, their figures as one table (X and Series as labelled
columns, then the measures). `to_csv` writes those tables; the static page adds a chart's
table to the notebook for the workbook only (`data_bundle`); `export_report` runs
``notebooks/custom_report.ipynb`` for a saved report and writes its PDF, workbook and CSV.

    result = builder.run_spec(spec)
    text = builder.export.to_csv(result)                 # exact figures, headers as shown
    files = builder.export.export_report(7, ("pdf", "xlsx", "csv"))
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pulsebi.builder.blocks import report_blocks, sheet_name, title_of
from pulsebi.builder.result import ReportResult, label_of
from pulsebi.charts.formats import format_value, is_missing
from pulsebi.charts.spec import pretty
from pulsebi.settings import Settings, get_settings

if TYPE_CHECKING:
    from pulsebi.dashboards.page import Table

NOTEBOOK = "notebooks/custom_report.ipynb"
MEASURE = "Measure"  # a several-measure pivot's first CSV column
TABLE_VISUALS = ("table", "pivot")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet read text as a formula


def export_tables(result: ReportResult) -> list[Table]:
    """The tables a report's exports hold, as the page's `Table` blocks.

    Parameters
    ----------
    result : ReportResult
        From `run_spec`.

    Returns
    -------
    list of pulsebi.dashboards.page.Table
        A table's block (its totals row included), or one block per pivot (a measure each,
        subtotals and grand total included); for other visuals one table of their figures:
        X and Series by their labels, then each measure.
    """
    from pulsebi.dashboards.page import Table

    if result.spec.visual in TABLE_VISUALS:
        return [b for b in report_blocks(result) if isinstance(b, Table)]
    frame = result.table_frame()
    formats = {v: result.units[v] for v in result.spec.values}
    labels = {c: result.labels.get(c, c) for c in frame.columns}
    return [Table(frame, sheet_name(title_of(result)), formats, labels=labels, max_rows=None)]


def data_bundle(result: ReportResult) -> dict[str, Any] | None:
    """A chart's (pie's, gauge's, tiles') figures as a table for the workbook only: an output
    with the export payload and no visible HTML; None for a table or a pivot (shown already).

    Parameters
    ----------
    result : ReportResult
        From `run_spec`.

    Returns
    -------
    dict or None
        A display bundle (``display(bundle, raw=True)``).
    """
    if result.spec.visual in TABLE_VISUALS:
        return None
    from pulsebi.charts.export import TABLE_MIMETYPE
    from pulsebi.charts.table import column_formats, export_payload

    (table,) = export_tables(result)
    named = table.df.rename(columns={c: header(table, c) for c in table.df.columns})
    units = column_formats(named, {header(table, c): u for c, u in table.formats.items()})
    return {
        "text/plain": "",
        "text/html": "",
        TABLE_MIMETYPE: export_payload(named, table.name, units, None),
    }


def header(table: Table, column: Any) -> str:
    """A column's header as the page shows it (its label, else its name made readable)."""
    labels = table.labels or {}
    return str(labels.get(column, pretty(str(column))))


def csv_rows(result: ReportResult, *, formatted: bool = False) -> list[list[Any]]:
    """The CSV's rows: a header row, then every row of the exported table.

    A pivot of several measures is one table: a first column names each row's measure, and
    each measure's pivot follows the previous one (its Total row included).

    Parameters
    ----------
    result : ReportResult
        From `run_spec`.
    formatted : bool, default False
        False: exact values (money to the cent as the metric layer gives it, rates as
        fractions); True: each value as the screen shows it ($1,234.50, 12.3%).

    Returns
    -------
    list of list
        Text and numbers (``None`` for an empty cell).
    """
    tables = export_tables(result)
    several = len(tables) > 1
    rows: list[list[Any]] = []
    for table, measure in zip(tables, result.spec.values if several else [""], strict=False):
        head = [header(table, c) for c in table.df.columns]
        if not rows:
            rows.append([MEASURE, *head] if several else head)
        for record in table.df.itertuples(index=False, name=None):
            cells = [
                _cell(v, table.formats.get(c), formatted)
                for c, v in zip(table.df.columns, record, strict=True)
            ]
            rows.append([measure_label(measure), *cells] if several else cells)
    return rows


def measure_label(measure: str) -> str:
    """A measure's label ('' for none)."""
    return label_of(measure) if measure else ""


def _cell(value: Any, unit: str | None, formatted: bool) -> Any:
    if is_missing(value):
        return None
    if formatted and unit is not None:
        return format_value(value, unit)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, decimal.Decimal):
        return value.item()  # numpy scalars
    if isinstance(value, str) and value[:1] in _FORMULA:
        return "'" + value  # a name read as a formula by a spreadsheet: shown as text
    return value


def to_csv(result: ReportResult, path: str | Path | None = None, *, formatted: bool = False) -> str:
    """The report's table (or pivots, or a chart's figures) as CSV, every row, totals included.

    Parameters
    ----------
    result : ReportResult
        From `run_spec`.
    path : path-like, optional
        Also write the text there (UTF-8, with a byte order mark so Excel reads it as UTF-8).
    formatted : bool, default False
        Values as the screen shows them instead of exact ones (`csv_rows`).

    Returns
    -------
    str
        The CSV text (comma-separated, CRLF line ends, headers as the page shows them).
    """
    out = io.StringIO()
    writer = csv.writer(out)
    for row in csv_rows(result, formatted=formatted):
        writer.writerow(["" if v is None else v for v in row])
    text = out.getvalue()
    if path is not None:
        Path(path).write_text(text, encoding="utf-8-sig", newline="")
    return text


def export_report(
    report_id: int,
    formats: Sequence[str] = ("pdf", "xlsx", "csv"),
    *,
    settings: Settings | None = None,
) -> dict[str, Path]:
    """A saved report's files, through the report pipeline: its notebook run under Papermill
    (`pulsebi.reports.execute`), the PDF and workbook its renderers write, and the CSV.

    Parameters
    ----------
    report_id : int
        The saved report's id.
    formats : sequence of str, default ("pdf", "xlsx", "csv")
        The report pipeline's formats (html, pdf, xlsx...) and csv.
    settings : Settings, optional
        Database, Redis and data directory; default `get_settings()`.

    Returns
    -------
    dict of str to pathlib.Path
        Format → file, in the run's directory, named after the report
        (``Revenue_by_branch.pdf``).

    Raises
    ------
    UsageError
        An unknown format, or a report id that is no saved report's (or whose spec no longer
        fits): before anything runs.
    NotebookFailed
        If the notebook failed while running.
    DeliveryDeferred
        If the database is unreachable.
    """
    import uuid

    from pulsebi.builder.query import run_spec
    from pulsebi.builder.store import get_report
    from pulsebi.reports.deliver import Delivery, deliver
    from pulsebi.reports.sinks import parse_formats

    settings = settings or get_settings()
    wanted = [f.strip().lower() for f in formats]
    names = parse_formats([f for f in wanted if f != "csv"]) if set(wanted) - {"csv"} else []
    export = Delivery(
        key=f"export|{uuid.uuid4().hex}",
        notebook=str(notebook_path()),
        parameters={"report_id": report_id},
        formats=names,
    )  # as `pulsebi report run` runs it: in the report history, no one mailed
    done = deliver(settings, export)
    if done.error is not None:
        raise done.error
    run, files = done.run, dict(done.run.outputs)
    if "csv" in wanted:
        result = run_spec(get_report(report_id, settings=settings).spec, settings=settings)
        files["csv"] = run.directory / f"{run.file_stem}.csv"
        to_csv(result, files["csv"])
    return {f: files[f] for f in wanted if f in files}


def notebook_path() -> Path:
    """The saved report's notebook.

    Returns
    -------
    pathlib.Path
        ``notebooks/custom_report.ipynb`` of the checkout this package is in, else of the
        working directory.
    """
    checkout = Path(__file__).resolve().parents[3]
    path = checkout / NOTEBOOK
    return path if path.is_file() else Path.cwd() / NOTEBOOK
