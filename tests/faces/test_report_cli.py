"""`pulsebi report run` and `pulsebi schedule validate` given bad parameter values: one clear
line on stderr (the page's own message), exit 2, no traceback, nothing run or written."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).parents[2]
SCORECARD = ROOT / "scorecards" / "branch.ipynb"

BAD_VALUES = {
    "impossible date": (["date_from=2026-13-01"], "date_from='2026-13-01' is not a date"),
    "not a date": (["date_to=soon"], "date_to='soon' is not a date (YYYY-MM-DD)"),
    "range ends first": (
        ["date_from=2026-11-10", "date_to=2026-11-01"],
        "date range 2026-11-10..2026-11-01 is empty: from must be before to",
    ),
    "end without start": (["date_to=2026-11-01"], "a custom date range needs both from and to"),
    "unknown branch": (["branch=XXX"], "branch 'XXX' is unknown; use all or one of AUS, DAL"),
    "unknown preset": (["preset=fortnight"], "date preset 'fortnight' is unknown; use one of"),
    "unknown grain": (["grain=hour"], "grain 'hour' is unknown; use one of day, week"),
    "static not a bool": (["static=maybe"], "parameter static: 'maybe' is not true or false"),
}


@pytest.fixture
def seeded_env(seeded) -> dict[str, str]:
    return {**os.environ, **seeded.to_environ()}


def runs(seeded) -> set[Path]:
    return set((seeded.data_dir / "runs").glob("*"))


def pulsebi(env, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["pulsebi", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("case", sorted(BAD_VALUES))
def test_a_bad_parameter_value_is_one_line_exit_2_and_nothing_written(case, seeded, seeded_env):
    values, message = BAD_VALUES[case]
    before = runs(seeded)
    args = [a for v in values for a in ("-p", v)]
    done = pulsebi(seeded_env, "report", "run", str(SCORECARD), *args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stdout == ""
    assert runs(seeded) == before, "a run directory was written"


def test_a_pulsebi_error_raised_in_a_cell_shows_its_message_not_the_notebook(
    seeded, seeded_env, tmp_path
):
    notebook = tmp_path / "refuses.ipynb"
    nbformat.write(
        new_notebook(
            cells=[
                new_code_cell("static = False", metadata={"tags": ["parameters"]}),
                new_code_cell(
                    "from pulsebi.errors import UsageError\n"
                    "raise UsageError(\"grain 'quarter' is not offered on this page; use day\")"
                ),
            ],
            metadata={
                "kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}
            },
        ),
        notebook,
    )
    done = pulsebi(seeded_env, "report", "run", str(notebook))
    assert done.returncode == 2, done.stderr
    assert "Error: grain 'quarter' is not offered on this page; use day" in done.stderr
    assert "Traceback" not in done.stderr and "raise UsageError" not in done.stderr
    said = [line for line in done.stderr.splitlines() if not line.startswith("[IPKernelApp]")]
    assert said == ["Error: grain 'quarter' is not offered on this page; use day"]


def test_schedule_validate_reports_bad_parameter_values(seeded_env, tmp_path):
    (tmp_path / "scorecards").mkdir()
    shutil.copy(SCORECARD, tmp_path / "scorecards" / "branch.ipynb")
    folder = tmp_path / "schedules"
    folder.mkdir()
    common = 'cron: "0 7 * * 1"\nnotebook: scorecards/branch.ipynb\nowner: bi@pulse.example\n'
    (folder / "good.yaml").write_text(
        f"name: good\n{common}parameters: {{preset: last_7_days}}\n"
        "for_each: {parameter: branch, members: {DAL: [d@pulse.example]}}\n"
    )
    (folder / "member.yaml").write_text(
        f"name: member\n{common}"
        "for_each: {parameter: branch, members: {DAL: [d@pulse.example], XXX: [x@p.example]}}\n"
    )
    (folder / "dates.yaml").write_text(
        f"name: dates\n{common}recipients: [a@pulse.example]\n"
        "parameters: {date_from: '2026-11-31', date_to: 2026-12-01}\n"
    )
    (folder / "impossible.yaml").write_text(
        f"name: impossible\n{common}recipients: [a@pulse.example]\n"
        "parameters: {date_from: 2026-13-01}\n"
    )
    done = pulsebi(seeded_env, "schedule", "validate", "--dir", str(folder))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "1 valid, 3 with errors" in done.stdout
    assert (
        "member.yaml: field 'for_each.members.XXX': branch 'XXX' is unknown; use all or one of"
        in done.stderr
    )
    assert "dates.yaml: field 'parameters': date_from='2026-11-31' is not a date" in done.stderr
    assert "impossible.yaml: a date in it is not a real date" in done.stderr
    assert "good.yaml" not in done.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("branch=XXX", "unknown branch 'XXX'; known branch codes: AUS, DAL"),
        ("date_from=2026-13-01", "--from '2026-13-01' is not a date; use YYYY-MM-DD"),
    ],
)
def test_a_reconciliation_page_s_values_are_checked_as_it_checks_them(
    value, message, seeded, seeded_env
):
    before = runs(seeded)
    notebook = ROOT / "notebooks" / "reconciliation" / "ghost_appointments.ipynb"
    done = pulsebi(seeded_env, "report", "run", str(notebook), "-p", value)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert runs(seeded) == before
