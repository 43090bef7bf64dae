"""`pulsebi attribution`: JSON, CSV and table output on hand-made rows; bad input is one line
on stderr, exit 2, no traceback, nothing on stdout."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import date, datetime
from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlalchemy import insert

from pulsebi.cli import main
from pulsebi.db import schema

TZ = "-06:00"


def _insert(engine, table, *rows):
    with engine.begin() as conn:
        conn.execute(insert(schema.CRM_TABLES[table]), list(rows))


@pytest.fixture
def journeys(db):
    _insert(db, "branches",
            {"id": 1, "code": "CHI", "name": "Chicago", "timezone": "America/Chicago",
             "opened_on": date(2020, 1, 1)})  # fmt: skip
    _insert(db, "lead_sources",
            {"id": 1, "name": "Web", "channel": "digital"},
            {"id": 2, "name": "TV", "channel": "tv"})  # fmt: skip
    _insert(db, "leads",
            {"id": 1, "branch_id": 1, "source_id": 1, "status": "sold",
             "created_at": datetime.fromisoformat(f"2026-01-02T09:00:00{TZ}")})  # fmt: skip
    _insert(db, "lead_touches",
            {"id": 1, "lead_id": 1, "source_id": 2,
             "touched_at": datetime.fromisoformat(f"2026-01-02T09:00:00{TZ}")},
            {"id": 2, "lead_id": 1, "source_id": 1,
             "touched_at": datetime.fromisoformat(f"2026-01-03T09:00:00{TZ}")})  # fmt: skip
    sale = {"appointment_id": None, "commission_rate": Decimal("0.1"), "product": "roof",
            "canceled_at": None, "external_ref": None, "branch_id": 1,
            "status": "active"}  # fmt: skip
    _insert(db, "sales",
            {**sale, "id": 1, "lead_id": 1, "amount": Decimal("1000.01"),
             "sold_at": datetime.fromisoformat(f"2026-01-05T10:00:00{TZ}")},
            {**sale, "id": 2, "lead_id": 99, "amount": Decimal("10.00"),
             "sold_at": datetime.fromisoformat(f"2026-01-06T10:00:00{TZ}")})  # fmt: skip
    return db


def run(*args: str):
    return CliRunner().invoke(main, ["attribution", *args])


PERIOD = ("--from", "2026-01-01", "--to", "2026-02-01")


def test_json_one_object_per_source_with_the_null_group(journeys) -> None:
    result = run("--model", "first_touch", *PERIOD, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"source": 1, "source_name": "Web", "conversions": 0.0, "revenue": 0.0},
        {"source": 2, "source_name": "TV", "conversions": 1.0, "revenue": 1000.01},
        {"source": None, "source_name": None, "conversions": 1.0, "revenue": 10.0},
    ]
    assert '"source": 1,' in result.stdout  # an integer, never 1.0


def test_json_by_channel_and_branch(journeys) -> None:
    result = run("--model", "linear", *PERIOD, "--by", "channel", "--branch", "CHI",
                 "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"channel": "digital", "conversions": 0.5, "revenue": 500.005},
        {"channel": "tv", "conversions": 0.5, "revenue": 500.005},
        {"channel": None, "conversions": 1.0, "revenue": 10.0},
    ]


def test_csv_and_table(journeys) -> None:
    result = run("--model", "time_decay", *PERIOD, "--half-life", "1", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["source"] for r in rows] == ["1", "2", ""]
    assert list(rows[0]) == ["source", "source_name", "conversions", "revenue"]
    # weights 2^-(49/24) and 2^-(73/24) with a half-life of 1 day
    w1, w2 = 2 ** (-49 / 24), 2 ** (-73 / 24)
    assert float(rows[0]["conversions"]) == pytest.approx(w1 / (w1 + w2))
    table = run("--model", "markov", *PERIOD)
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["source", "source_name", "conversions", "revenue"]
    assert any(line.split()[:2] == ["—", "—"] for line in lines)
    assert any(line.split() == ["total", "2.00", "1,010.01"] for line in lines)
    assert "2 conversions" in lines[-1] and "exclusive" in lines[-1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--model", "shapley", *PERIOD), "unknown model 'shapley': use one of first_touch"),
        (("--model", "linear", "--from", "2026-02-01", "--to", "2026-01-01"), "is not before"),
        (("--model", "linear", "--from", "2026-01-01", "--to", "2026-01-01"), "is not before"),
        (("--model", "linear", "--from", "2026-1-1", "--to", "2026-02-01"), "is not a date"),
        (("--model", "linear", *PERIOD, "--branch", "XXX"), "unknown branch 'XXX'"),
        (("--model", "time_decay", *PERIOD, "--half-life", "-3"), "--half-life '-3'"),
        (("--model", "time_decay", *PERIOD, "--half-life", "0"), "positive"),
        (("--model", "linear", *PERIOD, "--lookback", "-1"), "--lookback '-1'"),
        (("--model", "linear", *PERIOD, "--by", "branch"), "unknown dimension 'branch'"),
        (("--model", "linear", *PERIOD, "--format", "xml"), "unknown --format 'xml'"),
        (PERIOD, "give --model"),
        (("--model", "linear", "--from", "2026-01-01"), "needs --to"),
    ],
)
def test_bad_input_is_one_line_exit_2(journeys, args, message) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_subprocess_error_has_no_traceback(journeys, cli_env) -> None:
    done = subprocess.run(
        ["pulsebi", "attribution", "--model", "nope", *PERIOD],
        env=cli_env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("Error: unknown model 'nope'")
    assert "Traceback" not in done.stderr
    helped = subprocess.run(["pulsebi", "attribution", "--help"], env=cli_env,
                            capture_output=True, text=True, check=True)  # fmt: skip
    assert "exclusive" in helped.stdout and "markov" in helped.stdout
