"""Running a dashboard notebook and reading its figures; the expected ones from `pulsebi kpi`."""

from __future__ import annotations

import html
import json
import re
import subprocess
from decimal import Decimal
from pathlib import Path

from pulsebi.charts import format_value

ROOT = Path(__file__).resolve().parents[3]


def execute_notebook(path: str, tmp_path: Path, **parameters) -> str:
    """Run the notebook under Papermill (in-process, kernel python3); its HTML without inputs."""
    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    output = tmp_path / f"{Path(path).stem}.out.ipynb"
    notebook = papermill.execute_notebook(
        str(ROOT / path),
        str(output),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(ROOT / Path(path).parent),
    )
    body, _ = HTMLExporter(exclude_input=True).from_notebook_node(nbformat.from_dict(notebook))
    return body


def tile_value(page: str, key: str) -> str:
    """The exact value of the tile `data-tile=key` in the page, as its hover title shows it
    (the tile itself shows money compact: $42K)."""
    match = re.search(
        rf'data-tile="{re.escape(key)}".*?class="pbi-tile-value"[^>]*?title="([^"]*)"', page, re.S
    )
    assert match, f"no tile {key!r} in the page"
    return html.unescape(match.group(1)).strip()


def kpi_value(env: dict[str, str], metric: str, *args: str, column: str | None = None) -> object:
    """`pulsebi kpi METRIC ARGS --format json`: the one row's value (exact: Decimal money)."""
    done = subprocess.run(
        ["pulsebi", "kpi", metric, *args, "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    [row] = json.loads(done.stdout, parse_float=Decimal)
    value = row[column or metric]
    return float(value) if isinstance(value, Decimal) and metric_unit(metric) != "usd" else value


def metric_unit(metric: str) -> str:
    from pulsebi import metrics

    return metrics.metric_info(metric).unit


def shown(value: object, metric: str) -> str:
    """The value as a tile shows it."""
    return format_value(value, metric_unit(metric))
