"""The PDF and the workbook of a report show the same figures as `pulsebi kpi` (demo data)."""

from __future__ import annotations

import json
import os
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"
pytestmark = pytest.mark.slow


def test_report_pdf_and_workbook_agree_with_pulsebi_kpi(seeded, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": seeded.database_url,
        "REDIS_URL": seeded.redis_url,
        "PULSEBI_NAMESPACE": seeded.namespace,
        "PULSEBI_DATA_DIR": str(tmp_path),
        "PULSEBI_TZ": seeded.tz,
    }

    def pulsebi(*args: str) -> str:
        result = subprocess.run(
            ["pulsebi", *args], env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    kpi = json.loads(pulsebi("kpi", "net_revenue", "--from", "2026-01-01", "--to", "2026-07-01",
                             "--by", "branch", "--format", "json"))  # fmt: skip
    expected = {row["branch"]: Decimal(str(row["net_revenue"])) for row in kpi}
    assert len(expected) >= 4
    notebook = str(NOTEBOOKS / "metric_by_branch.ipynb")
    period = ["-p", "start=2026-01-01", "-p", "end=2026-07-01"]
    out = pulsebi("report", "run", notebook, *period, "--format", "pdf,xlsx")
    paths = dict(line.split() for line in out.splitlines()[1:])
    book = openpyxl.load_workbook(paths["xlsx"])
    assert book.sheetnames[0] == "Summary"
    sheet = book.worksheets[1]
    in_workbook = {
        r[0]: Decimal(str(r[1])).quantize(Decimal("0.01"))
        for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert in_workbook == expected
    assert sheet["B2"].number_format == "$#,##0.00"
    text = subprocess.run(
        ["pdftotext", "-layout", paths["pdf"], "-"], capture_output=True, text=True, check=True
    ).stdout
    for branch, value in expected.items():
        assert f"{branch}" in text and f"${value:,.2f}" in text


def test_an_in_process_run_reads_the_database_of_its_settings(seeded):
    from datetime import date

    from pulsebi import metrics
    from pulsebi.reports.execute import execute_report

    run = execute_report(seeded, NOTEBOOKS / "metric_by_branch.ipynb", {"start": "2026-01-01"})
    frame = metrics.compute(
        "net_revenue", start=date(2026, 1, 1), end=date(2026, 7, 1), by=["branch"], settings=seeded
    )
    expected = {b: float(v) for b, v in zip(frame["branch"], frame["net_revenue"], strict=True)}
    (table,) = run.tables
    assert dict(table.rows) == pytest.approx(expected) and expected
