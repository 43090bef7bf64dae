"""Report PDFs opened as their recipients see them: every tile's text inside its box, whatever
its figure; a small table never split across pages, its heading with it."""

from __future__ import annotations

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from pdf_layout import inside_any, overflowing_words, page_count, page_text, tile_boxes, words

from pulsebi.charts.table import table_bundle
from pulsebi.reports.execute import ExecutedRun
from pulsebi.reports.sinks import get_sink
from pulsebi.widgets.grid import tiles_bundle

# Figures that are long in every way: big numbers of each unit, long labels, long comparisons.
HOSTILE_TILES = [
    {"label": "Revenue today", "value": 73612345.678, "unit": "usd", "previous": 1.0,
     "comparison": "vs last year to 12:50"},
    {"label": "Leads", "value": 123456789012, "unit": "count", "previous": 5,
     "comparison": "vs same period last year"},
    {"label": "Closing rate (appointments ran → sold)", "value": 0.1234, "unit": "rate",
     "previous": 0.2, "comparison": "vs last year"},
    {"label": "Resolution time", "value": 12345678.9, "unit": "hours", "previous": 3,
     "comparison": "vs last year", "also": [("vs previous period", 4)]},
    {"label": "Status", "value": "A long text without breaks_abcdefghijklmnopqrstuvwxyz0123456789",
     "unit": "text"},
    {"label": "Pipeline", "value": 1234567890123.45, "unit": "usd", "previous": 2.0,
     "comparison": "vs last year", "note": "weighted by stage probability, open quotes only"},
    {"label": "API latency", "value": 123456789, "unit": "ms", "previous": 3,
     "comparison": "vs last year"},
    {"label": "Average ticket age in business days", "value": 98765.4321, "unit": "days",
     "previous": 1, "comparison": "vs last year"},
]  # fmt: skip


def run_of(tmp_path, cells) -> ExecutedRun:
    """An executed-notebook stand-in: the outputs the pages display, written to the run store
    layout the sinks expect."""
    directory = tmp_path / "run"
    directory.mkdir(exist_ok=True)
    path = directory / "layout.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    return ExecutedRun("layout", directory, path, path, {"static": True})


def display(bundle: dict) -> object:
    keep = ("text/html", "text/plain", "image/svg+xml")
    return new_output("display_data", data={k: v for k, v in bundle.items() if k in keep})


@pytest.mark.parametrize("columns", [None, 2, 3, 5])
def test_every_tile_text_lies_inside_its_box_whatever_the_figure(tmp_path, columns):
    outputs = [display(tiles_bundle(HOSTILE_TILES, columns))]
    run = run_of(tmp_path, [new_code_cell("tiles", outputs=outputs)])
    pdf = get_sink("pdf")(run)
    boxes = tile_boxes(run.print_html, tmp_path)
    assert len(boxes[1]) == len(HOSTILE_TILES), "each tile is one box on the first page"
    assert overflowing_words(pdf, boxes) == []
    footer = 800  # pt: the page number in the bottom margin
    loose = [t for b, t in words(pdf, 1) if not inside_any(b, boxes[1]) and b[1] < footer]
    assert loose == [], "text of a tile drawn outside every tile box"
    # three tiles a row at most on A4, all of the content width
    rows = sorted({round(b[1]) for b in boxes[1]})
    assert len(rows) == 3


def five_row_report(tmp_path, filler: int, heading_cell: bool) -> ExecutedRun:
    outputs = [
        display({"text/html": f"<p>Filler paragraph {i}, as a page's text would be.</p>"})
        for i in range(filler)
    ]
    frame = pd.DataFrame(
        {"branch": ["AUS", "DAL", "HOU", "OKC", "SAT"], "net_revenue": [1.5, 2, 3, 4, 5.25]}
    )
    table = display(table_bundle(frame, "Five branches", {"net_revenue": "usd"}, static=True))
    cells = [new_code_cell("filler", outputs=outputs)]
    if heading_cell:  # a markdown heading, then the table in the next cell
        cells += [new_markdown_cell("## Revenue by branch"), new_code_cell("t", outputs=[table])]
    else:  # a page's heading output, then the table, in one cell
        heading = display({"text/html": "<h2>Revenue by branch</h2>"})
        cells.append(new_code_cell("t", outputs=[heading, table]))
    return run_of(tmp_path, cells)


@pytest.mark.parametrize("heading_cell", [False, True], ids=["page-heading", "markdown-heading"])
def test_a_small_table_is_never_split_across_pages_and_keeps_its_heading(tmp_path, heading_cell):
    pages_seen = set()
    for filler in range(24, 44):  # the table crosses the end of page 1 somewhere in here
        run = five_row_report(tmp_path, filler, heading_cell)
        pdf = get_sink("pdf")(run)
        where = {}
        for page in range(1, page_count(pdf) + 1):
            text = page_text(pdf, page)
            for needle in (
                "Revenue by branch",
                "Five branches",
                "AUS",
                "DAL",
                "HOU",
                "OKC",
                "SAT",
                "$5.25",
            ):
                if needle in text:
                    where.setdefault(needle, set()).add(page)
        assert all(len(p) == 1 for p in where.values()), f"{filler} paragraphs: split {where}"
        assert len({min(p) for p in where.values()}) == 1, f"{filler}: heading apart {where}"
        pages_seen |= where["AUS"]
    assert pages_seen == {1, 2}, "the sweep never pushed the table to the next page"


def test_a_long_table_still_breaks_between_rows_with_its_header_on_each_page(tmp_path):
    frame = pd.DataFrame({"rep": [f"Rep {i}" for i in range(120)], "sales": range(120)})
    table = display(table_bundle(frame, "Reps", static=True))
    run = run_of(tmp_path, [new_code_cell("t", outputs=[table])])
    pdf = get_sink("pdf")(run)
    assert page_count(pdf) >= 3
    assert all("Sales" in page_text(pdf, p) for p in range(1, page_count(pdf) + 1))


def test_a_wide_money_table_fits_the_pages_width(tmp_path):
    """A pivot of months × five branches and a total, in dollars: every figure on the page (the
    screen's inline cell padding and font size give way to the print sheet's)."""
    branches = ["Austin", "Dallas", "Houston", "Oklahoma City", "San Antonio", "Total"]
    frame = pd.DataFrame({"month": [f"Sep {2000 + i}" for i in range(12)]})
    for i, name in enumerate(branches):
        frame[name] = [23_871_530.95 + i * 1000.5 + m for m in range(12)]
    formats = dict.fromkeys(branches, "usd")
    table = display(table_bundle(frame, "Revenue by branch", formats, static=True))
    run = run_of(tmp_path, [new_code_cell("t", outputs=[table])])
    pdf = get_sink("pdf")(run)
    width = 595.3  # A4, points
    placed = words(pdf, 1)
    assert any(text == "$23,871,530.95" for _, text in placed)
    assert max(box[2] for box, _ in placed) <= width - 12 / 25.4 * 72 + 1  # inside the margin
    months = [box for box, text in placed if text == "Sep"]
    years = [box for box, text in placed if text == "2000"]
    assert months and years and abs(months[0][1] - years[0][1]) < 2  # "Sep 2000" on one line
