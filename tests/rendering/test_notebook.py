"""A tiny notebook run by Papermill: static output has SVG, HTML and the export payload, and
no script; live output has widget views."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pulsebi.charts import TABLE_MIMETYPE, read_export_tables, read_export_tiles

NOTEBOOK = Path(__file__).parents[1] / "notebooks" / "renders_chart_static.ipynb"
WIDGET = "application/vnd.jupyter.widget-view+json"


def execute(tmp_path: Path, static: bool) -> dict[str, Any]:
    import nbformat
    import papermill

    out = tmp_path / f"out-{static}.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters={"static": static},
        progress_bar=False,
        cwd=str(NOTEBOOK.parent),
        kernel_name="python3",
    )
    return nbformat.read(out, as_version=4)


def outputs(notebook: dict[str, Any]) -> list[dict[str, Any]]:
    return [o.get("data", {}) for c in notebook["cells"] for o in c.get("outputs", [])]


@pytest.mark.slow
def test_static_run_has_svg_html_and_export_payload_and_no_script(tmp_path: Path) -> None:
    notebook = execute(tmp_path, static=True)
    data = outputs(notebook)
    assert not any(WIDGET in d for d in data)
    svg, one = [d["image/svg+xml"] for d in data if "image/svg+xml" in d]
    assert "$2,000" in svg  # the money axis of the line chart
    assert "Nov 2026" in one and "Partial month: Nov 2026 (Nov 1–19 only)" in one
    html = "".join(d.get("text/html", "") for d in data)
    assert ">$5.73K</div>" in html and 'title="$5,734.74"' in html  # tiles: compact, exact
    assert "▲ 14.7%" in html and "31.2%" in html
    assert "$2,500.25" in html  # the table
    assert "<script" not in svg + html
    assert "widgets" not in notebook["metadata"]  # static mode made no widget at all
    revenue, rate = read_export_tiles(notebook)  # the tiles' exact figures, for workbooks
    assert revenue == {
        "label": "Revenue MTD",
        "value": 5734.74,
        "unit": "usd",
        "previous": 5000,
        "comparison": "vs last year",
        "note": "",
    }
    assert (rate["label"], rate["value"], rate["unit"]) == ("Closing rate", 0.3125, "rate")
    (table,) = read_export_tables(notebook)
    assert table.name == "Revenue by week" and table.rows[1][1] == 2500.25
    assert table.formats == {"net_revenue": "usd"} and table.chart["type"] == "line"


@pytest.mark.slow
def test_live_run_has_widget_views_and_still_exports(tmp_path: Path) -> None:
    notebook = execute(tmp_path, static=False)
    data = outputs(notebook)
    assert sum(WIDGET in d for d in data) == 4  # charts, table, tile row
    assert not any("image/svg+xml" in d for d in data)
    assert [t.name for t in read_export_tables(notebook)] == ["Revenue by week"]
    assert all(TABLE_MIMETYPE not in d or "text/html" in d for d in data)
