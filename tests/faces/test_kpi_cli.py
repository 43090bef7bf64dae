"""`pulsebi kpi` and `pulsebi refresh`: exact JSON, CSV and table output; one-line errors."""

import json
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlalchemy import insert

from pulsebi.cli import main
from pulsebi.db import schema
from pulsebi.views import VIEW_NAMES


def _insert(engine, table, *rows):
    with engine.begin() as conn:
        conn.execute(insert(schema.CRM_TABLES[table]), list(rows))


@pytest.fixture
def two_branches(db):
    _insert(
        db, "branches",
        {"id": 1, "code": "CHI", "name": "Chicago", "timezone": "America/Chicago",
         "opened_on": date(2020, 1, 1)},
        {"id": 2, "code": "AUS", "name": "Austin", "timezone": "America/Chicago",
         "opened_on": date(2020, 1, 1)},
    )  # fmt: skip
    sale = {
        "lead_id": 1,
        "appointment_id": None,
        "commission_rate": Decimal("0.1"),
        "product": "roof",
        "canceled_at": None,
        "external_ref": None,
    }
    _insert(
        db, "sales",
        {**sale, "id": 1, "branch_id": 1, "sold_at": "2026-01-05T10:00:00-06:00",
         "amount": Decimal("1234567.89"), "status": "active"},
        {**sale, "id": 2, "branch_id": 1, "sold_at": "2026-02-05T10:00:00-06:00",
         "amount": Decimal("0.01"), "status": "active"},
        {**sale, "id": 3, "branch_id": 2, "sold_at": "2026-01-05T10:00:00-06:00",
         "amount": Decimal("99.99"), "status": "canceled"},
    )  # fmt: skip
    return db


def kpi(*args: str):
    return CliRunner().invoke(main, ["kpi", *args])


def test_refresh_then_kpi_json_gives_exact_numbers_by_branch(two_branches) -> None:
    refreshed = CliRunner().invoke(main, ["refresh"])
    assert refreshed.exit_code == 0, refreshed.output
    assert f"refreshed {len(VIEW_NAMES)} views" in refreshed.output

    result = kpi("net_revenue", "--from", "2026-01-01", "--to", "2026-07-01",
                 "--by", "branch", "--format", "json", "--no-cache")  # fmt: skip

    assert result.exit_code == 0, result.output
    assert json.loads(result.output, parse_float=Decimal) == [
        {"branch": "AUS", "branch_name": "Austin", "net_revenue": 0},
        {"branch": "CHI", "branch_name": "Chicago", "net_revenue": Decimal("1234567.90")},
    ]


def test_kpi_csv_and_table_with_a_grain(two_branches) -> None:
    CliRunner().invoke(main, ["refresh"])
    args = ["bookings", "--from", "2026-01-01", "--to", "2026-03-01", "--grain", "month"]

    csv_out = kpi(*args, "--format", "csv").output
    table = kpi(*args, "--branch", "CHI").output

    assert csv_out.splitlines() == ["period,bookings", "2026-01-01,1234667.88", "2026-02-01,0.01"]
    assert "1,234,567.89" in table and "2026-02-01" in table
    assert table.splitlines()[-1].startswith("data as of 20")


def test_kpi_fresh_reads_rows_not_yet_in_the_views(two_branches) -> None:
    CliRunner().invoke(main, ["refresh"])
    _insert(
        two_branches,
        "sales",
        {
            "id": 9,
            "lead_id": 1,
            "branch_id": 2,
            "sold_at": "2026-01-09T10:00:00-06:00",
            "amount": Decimal("5.00"),
            "commission_rate": Decimal("0.1"),
            "product": "roof",
            "status": "active",
        },
    )
    args = ["net_revenue", "--from", "2026-01-01", "--to", "2026-02-01", "--format", "csv"]

    assert kpi(*args, "--branch", "AUS").output.splitlines()[1] == "0"
    assert kpi(*args, "--branch", "AUS", "--fresh").output.splitlines()[1] == "5.00"


def test_kpi_list_prints_the_catalog(db) -> None:
    result = kpi("--list", "--format", "json")
    assert result.exit_code == 0
    ids = [m["id"] for m in json.loads(result.output)]
    assert "net_revenue" in ids and "system_health" in ids and len(ids) == len(set(ids)) >= 26


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["revenue", "--from", "2026-01-01", "--to", "2026-02-01"], "'revenue'"),
        (["net_revenue", "--from", "2026-01-01", "--to", "2026-02-01", "--by", "x"], "'x'"),
        (["net_revenue", "--from", "01/01/2026", "--to", "2026-02-01"], "'01/01/2026'"),
        (["net_revenue", "--from", "2026-01-01", "--to", "2026-02-01", "--branch", "Z"], "'Z'"),
        (["net_revenue", "--from", "2026-01-01", "--to", "2026-02-01", "--grain", "q"], "'q'"),
        (["net_revenue", "--from", "2026-01-01"], "--to"),
    ],
)
def test_bad_input_is_one_line_naming_it_with_exit_2(cli_env, two_branches, args, named):
    result = subprocess.run(
        ["pulsebi", "kpi", *args],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and named in lines[0]


def test_migrate_builds_and_refreshes_the_views(db) -> None:
    result = CliRunner().invoke(main, ["migrate"])
    assert result.exit_code == 0, result.output
    assert f"refreshed {len(VIEW_NAMES)} views" in result.output


def test_kpi_json_keeps_rep_revenue_decimals(two_branches) -> None:
    _insert(
        two_branches,
        "employees",
        {
            "id": 7,
            "branch_id": 1,
            "full_name": "Ann",
            "role": "sales_rep",
            "hired_on": date(2020, 1, 1),
            "terminated_on": None,
        },
    )
    _insert(
        two_branches,
        "sale_splits",
        {
            "id": 1,
            "sale_id": 1,
            "employee_id": 7,
            "share": Decimal("0.3333"),
            "commission": Decimal("0"),
        },
    )
    CliRunner().invoke(main, ["refresh"])

    result = kpi("rep_revenue", "--from", "2026-01-01", "--to", "2026-02-01",
                 "--by", "rep", "--format", "json")  # fmt: skip

    assert result.output == (
        '[{"rep": 7, "rep_name": "Ann", "rep_revenue": 411481.477737}]\n'
    )  # 1234567.89 × 0.3333, not rounded to the cent


def test_kpi_until_stops_the_last_day_at_a_local_clock_time(two_branches) -> None:
    """Sales at 10:00 local on 5 January: in the day until 10:01, not in it until 09:59."""
    base = ["net_revenue", "--from", "2026-01-05", "--to", "2026-01-06", "--by", "branch",
            "--format", "json", "--no-cache"]  # fmt: skip
    for until, chicago in (("09:59", "0"), ("10:01", "1234567.89"), ("10:00", "0")):
        result = kpi(*base, "--until", until)
        assert result.exit_code == 0, result.output
        rows = json.loads(result.output, parse_float=Decimal)
        assert {r["branch"]: r["net_revenue"] for r in rows}["CHI"] == Decimal(chicago), until


@pytest.mark.parametrize("until", ["9h45", "24:00", "10"])
def test_kpi_refuses_an_until_that_is_no_clock_time(two_branches, until) -> None:
    result = kpi("net_revenue", "--from", "2026-01-05", "--to", "2026-01-06", "--until", until)
    assert result.exit_code == 2
    assert f"--until {until!r} is not a clock time" in result.output
    assert "Traceback" not in result.output
