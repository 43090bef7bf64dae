"""A report run becomes a self-contained HTML page, an A4 PDF and an Excel workbook."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import openpyxl
import pytest

from pulsebi.errors import NotebookFailed, UsageError
from pulsebi.reports.execute import check_parameters, execute_report, parse_parameter
from pulsebi.reports.sinks import get_sink, parse_formats, register_sink

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"


def pdftotext(path, first: int | None = None, last: int | None = None) -> str:
    args = ["pdftotext", "-layout"]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    return subprocess.run(
        [*args, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_executed_notebook_is_kept_in_the_run_store_with_static_injected(long_run, settings):
    assert long_run.directory.parent == settings.data_dir / "runs"
    assert long_run.notebook_path.is_file()
    injected = [
        c for c in long_run.notebook.cells if "injected-parameters" in c.metadata.get("tags", [])
    ]
    assert "static = True" in injected[0].source
    assert 'branch = "HOU"' in injected[0].source


def test_html_has_no_code_no_scripts_no_cdn_links_and_inline_images(long_run):
    html = long_run.outputs["html"].read_text()
    assert "<script" not in html.lower()
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "base = {" not in html  # no code cell source
    assert "$2,000.25" in html
    assert "data:image/svg+xml;base64," in html or "<svg" in html


def test_pdf_is_a4_and_a_long_table_repeats_its_header_on_every_page(long_run):
    pdf = long_run.outputs["pdf"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 3
    assert "(A4)" in info
    text = pdftotext(pdf)
    assert "$2,000.25" in text and "$240,030.00" in text  # first and last rows
    for page in range(2, pages):
        assert "net_revenue" in pdftotext(pdf, page), f"no table header on page {page}"


def test_workbook_has_a_formatted_sheet_per_export_table_with_a_native_chart(long_run):
    book = openpyxl.load_workbook(long_run.outputs["xlsx"])
    assert book.sheetnames == ["Summary", "Revenue HOU"]
    summary = {r[0].value: r[1].value for r in book["Summary"].iter_rows(min_row=3) if r[0].value}
    assert summary == {"Parameters": "branch=HOU, rows=120"}  # not a page: no period, no tiles
    sheet = book["Revenue HOU"]
    assert [c.value for c in sheet[1]] == ["month", "net_revenue", "close_rate", "appointments"]
    assert sheet["B2"].value == 2000.25 and sheet["B2"].number_format == "$#,##0.00"
    assert sheet["C2"].number_format == "0.0%"
    assert sheet["D2"].number_format == "#,##0"
    assert sheet["A2"].is_date
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:D121"
    assert len(sheet._charts) == 1


def test_failing_notebook_raises_with_cell_index_source_and_traceback(settings):
    with pytest.raises(NotebookFailed) as caught:
        execute_report(settings, NOTEBOOKS / "fails_in_cell_3.ipynb")
    error = caught.value
    assert error.cell_index == 3
    assert error.source == "ratio = total / divisor"
    assert "ZeroDivisionError" in error.traceback and "\x1b[" not in error.traceback


def test_parameters_are_yaml_scalars():
    assert parse_parameter("rows=3") == ("rows", 3)
    assert parse_parameter("branch=DAL") == ("branch", "DAL")
    assert parse_parameter("day=2026-01-31") == ("day", "2026-01-31")
    assert parse_parameter("static=true") == ("static", True)
    with pytest.raises(UsageError, match="not a scalar"):
        parse_parameter("rows=[1, 2]")
    with pytest.raises(UsageError, match="key=value"):
        parse_parameter("no equals sign")


def test_unknown_parameter_is_refused_naming_it_and_the_known_ones(settings):
    with pytest.raises(
        UsageError, match=r"unknown parameter 'brnach'.*known: branch, rows, static"
    ):
        check_parameters(NOTEBOOKS / "table_and_chart.ipynb", {"brnach": "DAL"})
    runs_before = set((settings.data_dir / "runs").glob("*"))
    with pytest.raises(UsageError):
        execute_report(settings, NOTEBOOKS / "table_and_chart.ipynb", {"brnach": "DAL"})
    assert set((settings.data_dir / "runs").glob("*")) == runs_before  # nothing half-written


def test_unknown_format_has_no_handler_and_new_ones_can_be_registered():
    with pytest.raises(UsageError, match="no handler for docx; known: html, pdf, xlsx"):
        get_sink("docx")
    with pytest.raises(UsageError, match="no handler for docx"):
        parse_formats("html,docx")
    register_sink("ipynb", lambda run: run.notebook_path)
    try:
        assert parse_formats("HTML, ipynb,html") == ["html", "ipynb"]
    finally:
        from pulsebi.reports import sinks

        sinks._sinks.pop("ipynb")


def test_outputs_are_named_after_the_report_and_its_parameters(long_run):
    assert {f: p.name for f, p in long_run.outputs.items()} == {
        "html": "table-and-chart_HOU_120.html",
        "pdf": "table-and-chart_HOU_120.pdf",
        "xlsx": "table-and-chart_HOU_120.xlsx",
    }
