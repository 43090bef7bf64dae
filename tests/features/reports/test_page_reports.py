"""The executive dashboard and a scorecard run as reports on the demo data, their files opened as
recipients open them: named after the report and its parameters, tiles inside their boxes in the
PDF, a workbook that starts with a Summary (title, period, branch, data as of, every tile) and
whose sheets are headed and formatted as the page shows them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from pdf_layout import overflowing_words, tile_boxes

from pulsebi.reports.execute import execute_report
from pulsebi.reports.sinks import write_outputs
from pulsebi.reports.summary_sheet import NUMBER_FORMATS, TILE_HEADERS

ROOT = Path(__file__).parents[3]
PERIOD = {"date_from": "2026-10-01", "date_to": "2026-11-01"}
REPORTS = {
    "executive": ("notebooks/executive.ipynb", {**PERIOD}, "executive-dashboard_all"),
    "branch": ("scorecards/branch.ipynb", {"branch": "DAL", **PERIOD}, "branch-scorecard_DAL"),
}


@pytest.fixture(scope="module", params=sorted(REPORTS))
def page_run(request, seeded):
    notebook, parameters, _ = REPORTS[request.param]
    run = execute_report(seeded, ROOT / notebook, parameters)
    write_outputs(run, ["html", "pdf", "xlsx"])
    return request.param, run


def test_files_are_named_after_the_report_and_its_parameters(page_run):
    name, run = page_run
    stem = f"{REPORTS[name][2]}_2026-10-01_2026-10-31"  # the last day, as the heading
    assert {f: p.name for f, p in run.outputs.items()} == {
        "html": f"{stem}.html",
        "pdf": f"{stem}.pdf",
        "xlsx": f"{stem}.xlsx",
    }


def test_pdf_tiles_hold_their_text(page_run, tmp_path):
    _, run = page_run
    boxes = tile_boxes(run.print_html, tmp_path)
    assert sum(len(b) for b in boxes.values()) == len(run.tiles) > 0
    assert overflowing_words(run.outputs["pdf"], boxes) == []


def test_workbook_starts_with_a_summary_of_period_branch_as_of_and_every_tile(page_run, seeded):
    name, run = page_run
    book = openpyxl.load_workbook(run.outputs["xlsx"])
    assert book.sheetnames[0] == "Summary"
    sheet = book["Summary"]
    assert sheet["A1"].value == run.context.title
    facts = {row[0].value: row[1] for row in sheet.iter_rows(min_row=3, max_row=9) if row[0].value}
    assert facts["Period"].value == "Oct 01, 2026 – Oct 31, 2026"
    assert facts["From"].value == dt.datetime(2026, 10, 1) and facts["From"].is_date
    assert facts["Through"].value == dt.datetime(2026, 10, 31)
    assert facts["Branch"].value == ("Dallas (DAL)" if name == "branch" else "All branches")
    assert facts["Data as of"].is_date and "hh:mm" in facts["Data as of"].number_format
    header = next(r for r in sheet.iter_rows() if r[0].value == TILE_HEADERS[0])
    assert [c.value for c in header] == list(TILE_HEADERS)
    assert sheet.freeze_panes == f"A{header[0].row + 1}"
    rows = list(sheet.iter_rows(min_row=header[0].row + 1))
    assert [r[0].value for r in rows if r[0].value] and len(rows) >= len(run.tiles)
    remaining = iter(rows)
    for tile in run.tiles:  # in the page's order; exact values, formatted cells
        row = next(r for r in remaining if r[0].value == tile["label"])
        if isinstance(tile["value"], int | float):
            assert row[1].value == pytest.approx(tile["value"], abs=1e-9)
            assert row[1].number_format == NUMBER_FORMATS[tile["unit"]]
        # compared as the tile shows it: not at all without a comparison value (maturing)
        shown = tile["comparison"] if tile["previous"] is not None else ""
        assert (row[2].value or "") == (shown or "")


def test_sheets_are_headed_as_the_page_and_no_number_is_left_unformatted(page_run):
    name, run = page_run
    book = openpyxl.load_workbook(run.outputs["xlsx"])
    assert book.sheetnames[1:] == [t.name for t in run.tables]
    for sheet in book.worksheets[1:]:
        headers = [c.value for c in sheet[1]]
        assert all(h and "_" not in h for h in headers), f"{sheet.title}: {headers}"
        assert sheet.freeze_panes == "A2"
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, float):
                    assert cell.number_format != "General", f"{sheet.title}!{cell.coordinate}"
    if name == "branch":
        scorecard = book["Scorecard"]
        assert [c.value for c in scorecard[1]] == [
            "Metric",
            "Metric id",
            "Unit",
            "Value",
            "Previous period",
            "Same period last year",
        ]
        for row in scorecard.iter_rows(min_row=2):
            unit = row[2].value
            for cell in row[3:]:
                if cell.value is not None:
                    assert cell.number_format == NUMBER_FORMATS[unit], (row[0].value, unit)
        assert [c.value for c in book["Rep ranking"][1]][:3] == ["Branch", "Rank", "Rep"]
