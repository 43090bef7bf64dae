"""A saved report as a page and as a report (notebooks/custom_report.ipynb) on the seeded demo
data: the page says the report's title, period and filters and shows its figures in the first
paint; a bad id, a deleted report or a spec that no longer fits is a notice in place, and
`pulsebi report run` refuses it before running; the PDF (pdftotext), the workbook (openpyxl)
and the CSV hold the pivot's figures cell for cell, totals included, in files named after the
report."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import text

from pulsebi.builder import delete_report, get_report, run_spec, save_report
from pulsebi.builder.export import csv_rows, export_report, export_tables, notebook_path, to_csv
from pulsebi.charts.formats import format_value, is_missing
from pulsebi.db import get_engine
from pulsebi.reports import history
from pulsebi.reports.execute import execute_report
from pulsebi.reports.sinks import write_outputs
from pulsebi.settings import Settings, get_settings, use_settings

YEAR = {"preset": "custom", "from": "2025-01-01", "to": "2026-01-01"}
PIVOT = {
    "title": "Revenue by branch",
    "visual": "pivot",
    "values": ["net_revenue", "closing_rate"],
    "x": "quarter",
    "series": "branch",
    "dates": YEAR,
}
LINE = {
    "visual": "line",
    "values": ["leads"],
    "x": "month",
    "series": "branch",
    "filters": [{"field": "channel", "values": ["tv", "digital"]}],
    "dates": YEAR,
}
NOTEBOOK = notebook_path()


@pytest.fixture(scope="module")
def saved(demo: Settings) -> Iterator[dict[str, int]]:
    """Reports saved in the seeded database for this module (removed after it)."""
    ids = {
        "pivot": save_report(PIVOT, by="ana", name="Revenue by branch", settings=demo).id,
        "line": save_report(LINE, by="ana", name="Leads by month", settings=demo).id,
        "gone": save_report(LINE, by="ana", name="Deleted one", settings=demo).id,
    }
    delete_report(ids["gone"], settings=demo)
    yield ids
    with get_engine(demo).begin() as conn:
        drop = text("delete from bi.saved_reports where id = any(:ids)")
        conn.execute(drop, {"ids": list(ids.values())})
        conn.execute(text("delete from bi.report_runs where idempotency_key like 'export|%'"))


@pytest.fixture
def in_demo(demo: Settings) -> Iterator[Settings]:
    """The process's settings pointed at the seeded database (the page reads get_settings())."""
    previous = get_settings()
    use_settings(demo)
    yield demo
    use_settings(previous)


@pytest.fixture(scope="module")
def pivot_run(demo: Settings, saved: dict[str, int]):
    """The pivot report run as `pulsebi report run` runs it, every format written."""
    run = execute_report(demo, NOTEBOOK, {"report_id": saved["pivot"]})
    write_outputs(run, ["html", "pdf", "xlsx"])
    return run


def _pdftotext(path: Path) -> str:
    args = ["pdftotext", "-layout", str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def _close(shown: object, expected: object) -> bool:
    """A workbook's (or CSV's) cell against the frame's: equal text, or the same number (money
    to the cent, other numbers to 12 significant digits)."""
    if is_missing(expected):
        return shown in (None, "")
    if isinstance(expected, str):
        return shown == expected
    if isinstance(expected, Decimal):
        return Decimal(str(shown)).quantize(Decimal("0.01")) == expected.quantize(Decimal("0.01"))
    return abs(float(shown) - float(expected)) <= 1e-12 * max(1.0, abs(float(expected)))


def test_the_report_files_are_named_after_the_report(pivot_run) -> None:
    assert {f: p.name for f, p in pivot_run.outputs.items()} == {
        "html": "Revenue_by_branch.html",
        "pdf": "Revenue_by_branch.pdf",
        "xlsx": "Revenue_by_branch.xlsx",
    }
    assert pivot_run.title == "Revenue by branch · Jan 01, 2025 – Dec 31, 2025"


def test_workbook_csv_and_pdf_equal_the_pivot_cell_for_cell(pivot_run, demo, tmp_path) -> None:
    tables = export_tables(run_spec(PIVOT, settings=demo))
    assert [t.name for t in tables] == ["Net revenue", "Closing rate"]
    book = openpyxl.load_workbook(pivot_run.outputs["xlsx"])
    assert book.sheetnames == ["Summary", "Net revenue", "Closing rate"]
    pdf = _pdftotext(pivot_run.outputs["pdf"])
    lines = [re.split(r"\s{2,}", line.strip()) for line in pdf.splitlines()]
    for table in tables:
        frame = table.df
        assert frame.iloc[-1, 0] == "Total" and list(frame.columns)[-1] == "Total"
        rows = list(book[table.name].iter_rows(values_only=True))
        assert list(rows[0]) == list(frame.columns)  # headers as the page shows them
        assert len(rows) == len(frame) + 1  # every row, the totals row included
        for shown, expected in zip(rows[1:], frame.itertuples(index=False), strict=True):
            assert all(_close(s, e) for s, e in zip(shown, expected, strict=True)), shown
        sheet = book[table.name]
        unit = table.formats[frame.columns[1]]
        assert sheet.cell(2, 2).number_format == {"usd": "$#,##0.00", "rate": "0.0%"}[unit]
        for _, record in frame.iterrows():  # each row on one line of the PDF
            cells = [format_value(v, table.formats.get(c, "text")) for c, v in record.items()]
            assert cells in lines, f"{cells} not in the PDF"
    rows = list(csv.reader(io.StringIO(to_csv(run_spec(PIVOT, settings=demo), tmp_path / "r.csv"))))
    assert rows[0] == ["Measure", *tables[0].df.columns]
    body = [r for t in tables for r in t.df.itertuples(index=False)]
    assert len(rows) == len(body) + 1
    for shown, expected in zip(rows[1:], body, strict=True):
        assert all(_close(s, e) for s, e in zip(shown[1:], expected, strict=True)), shown
    assert (tmp_path / "r.csv").read_bytes().startswith("\ufeffMeasure".encode())


def test_the_formatted_csv_is_the_screens_text(demo) -> None:
    result = run_spec(PIVOT, settings=demo)
    (table, _) = export_tables(result)
    shown = csv_rows(result, formatted=True)[1 : len(table.df) + 1]
    first = [format_value(v, table.formats.get(c, "text")) for c, v in table.df.iloc[0].items()]
    assert shown[0] == ["Net revenue", *first]


def test_export_report_writes_the_workbook_and_csv_named_after_it(demo, saved) -> None:
    files = export_report(saved["pivot"], ("xlsx", "csv"), settings=demo)
    assert {f: p.name for f, p in files.items()} == {
        "xlsx": "Revenue_by_branch.xlsx",
        "csv": "Revenue_by_branch.csv",
    }
    expected = to_csv(run_spec(PIVOT, settings=demo))
    assert files["csv"].read_bytes().decode("utf-8-sig") == expected
    runs = history.list_runs(get_engine(demo), limit=5)
    assert any(r["idempotency_key"].startswith("export|") and r["status"] == "done" for r in runs)


def test_a_charts_figures_go_to_the_workbook(demo, saved) -> None:
    run = execute_report(demo, NOTEBOOK, {"report_id": saved["line"]})
    write_outputs(run, ["xlsx"])
    assert run.outputs["xlsx"].name == "Leads_by_month.xlsx"
    (table,) = export_tables(run_spec(LINE, settings=demo))
    book = openpyxl.load_workbook(run.outputs["xlsx"])
    rows = list(book.worksheets[1].iter_rows(values_only=True))
    assert list(rows[0]) == ["Month", "Branch", "Leads"]
    assert len(rows) == len(table.df) + 1 == 5 * 12 + 1
    for shown, expected in zip(rows[1:], table.df.itertuples(index=False), strict=True):
        assert all(_close(s, e) for s, e in zip(shown, expected, strict=True)), shown
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r[0]}
    assert summary["Leads by month"] is None and summary["Period"] == "Jan 01, 2025 – Dec 31, 2025"
    assert summary["Filters"] == "Lead channel: TV, Digital"  # as the page and the PDF say
    assert "data:image/svg+xml" in run.html and "Lead channel: TV, Digital" in run.html


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("999999", "no saved report has id 999999 (or it was deleted)"),
        ("abc", "report_id='abc' is not a saved report's id: give a whole number"),
        (None, "report_id is missing: give -p report_id=N"),
        ("gone", "(or it was deleted)"),
    ],
)
def test_a_bad_report_id_is_refused_before_running(demo, saved, tmp_path, value, message) -> None:
    env = {**os.environ, **demo.replace(data_dir=tmp_path).to_environ()}
    given = str(saved["gone"]) if value == "gone" else value
    args = ["pulsebi", "report", "run", str(NOTEBOOK), "--format", "pdf"]
    args += ["-p", f"report_id={given}"] if given is not None else []
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("Error: ") and message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not (tmp_path / "runs").exists()


def _page(**parameters):
    from pulsebi.dashboards import custom_report

    return custom_report.prepare(static=False, **parameters)


def _paint(page) -> str:
    """The page's first paint, its text unescaped."""
    return html.unescape(page.first_paint_html())


def test_the_page_shows_title_period_filters_and_figures_first(in_demo, saved) -> None:
    page = _page(report_id=saved["line"])
    paint = page.first_paint_html()
    assert paint.startswith('<div class="pbi-first-paint" style="display:flex')
    assert paint.index("<h1") < paint.index("pbi-page-context") < paint.index("pbi-first-paint-")
    assert "Leads by month" in paint and "Jan 01, 2025 – Dec 31, 2025" in paint
    assert "Lead channel: TV, Digital" in paint and "data as of" in paint
    assert "pbi-first-paint-chart" in paint  # the chart's box, filled by the live chart

    pivot = _page(report_id=saved["pivot"])
    paint = pivot.first_paint_html()
    total = export_tables(run_spec(PIVOT, settings=in_demo))[0].df.iloc[-1, -1]
    assert "No filters" in paint and format_value(total, "usd") in paint
    assert paint.count("<table") == 2 and "pbi-notice" not in paint


def test_a_report_the_page_cannot_show_is_a_notice_in_place(in_demo, saved) -> None:
    unknown = _page(report_id=999999).first_paint_html()
    assert "no saved report has id 999999 (or it was deleted)" in unknown
    assert f'href="?report_id={saved["pivot"]}"' in unknown  # the saved reports, to open one
    assert f'report_id={saved["gone"]}"' not in unknown
    assert "deleted" in _page(report_id=saved["gone"]).first_paint_html()
    page = _page()  # a preheated kernel's page: the request names the report
    page.follow_request({"report_id": str(saved["line"])})
    assert page.title == "Leads by month" and "Leads by month" in page.first_paint_html()
    page.follow_request({"report_id": "abc"})
    assert "report_id='abc' is not a saved report's id" in _paint(page)


def test_a_preheated_list_shows_the_reports_saved_before_the_visit(in_demo) -> None:
    page = _page()  # built ahead of the visit, with no report named
    report = save_report(LINE, by="ana", name="Saved meanwhile", settings=in_demo)
    try:
        page.follow_request({})  # the visit names none: the list as it is now
        assert f'href="?report_id={report.id}"' in page.first_paint_html()
    finally:
        with get_engine(in_demo).begin() as conn:
            conn.execute(text("delete from bi.saved_reports where id = :id"), {"id": report.id})


def test_a_spec_that_no_longer_fits_is_a_notice_in_place(in_demo, saved) -> None:
    engine = get_engine(in_demo)
    report = save_report(LINE, by="ana", name="Old report", settings=in_demo)
    bad = {**LINE, "values": ["revenue_of_old"]}
    try:
        with engine.begin() as conn:
            change = "update bi.saved_report_versions set spec = cast(:spec as jsonb)"
            conn.execute(
                text(f"{change} where report_id = :id"), {"spec": json.dumps(bad), "id": report.id}
            )
        paint = _paint(_page(report_id=report.id))
        assert f"saved report {report.id} ('Old report'), version 1, no longer fits" in paint
        assert "values[0]: 'revenue_of_old' is no field of the catalog" in paint
        with pytest.raises(Exception, match="no longer fits"):
            get_report(report.id, settings=in_demo)
    finally:
        with engine.begin() as conn:
            conn.execute(text("delete from bi.saved_reports where id = :id"), {"id": report.id})
