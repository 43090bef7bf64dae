"""`pulsebi reconcile`: exit 0 with or without exceptions, JSON shape, exit 2 on bad input."""

import json
import subprocess

import pytest
from click.testing import CliRunner

from pulsebi.cli import main

OLD = "2026-06-15T12:00:00-05:00"


def invoke(*args: str):
    return CliRunner().invoke(main, ["reconcile", *args])


@pytest.fixture
def accounting(tmp_path):
    path = tmp_path / "accounting.csv"
    path.write_text(
        "invoice_no,invoiced_on,customer,amount,status\n"
        "INV-1,2026-06-15,Smith,1000.50,paid\nINV-9,2026-06-16,Jones,20.00,void\n"
    )
    return path


@pytest.fixture
def dirty(crm):
    crm.employee(10)
    crm.appointment(1)
    crm.sale(1, appointment_id=None, external_ref="INV-1", sold_at=OLD)
    crm.split(1, 1, 10, "0.9000", "90.00")
    return crm


def test_json_lists_each_exception_with_its_reason_and_ids(dirty, accounting) -> None:
    ghosts = invoke("ghost-appointments", "--format", "json")
    assert ghosts.exit_code == 0, ghosts.output
    rows = json.loads(ghosts.output)
    assert [(r["reason"], r["appointment_id"], r["sale_id"]) for r in rows] == [
        ("no_sale", 1, None)
    ]
    splits = json.loads(invoke("splits", "--format", "json").output)
    assert [(r["reason"], r["sale_id"], r["employee_id"]) for r in splits] == [
        ("share_sum", 1, None)
    ]
    assert splits[0]["share_sum"] == 0.9 and splits[0]["branch"] == "DAL"
    result = invoke("external", "--file", str(accounting), "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["reason"], r["invoice_no"], r["sale_id"]) for r in rows] == [
        ("amount_mismatch", "INV-1", 1),
        ("missing_in_crm", "INV-9", None),
    ]
    assert rows[0]["crm_amount"] == 1000.0 and rows[0]["invoice_amount"] == 1000.5


def test_no_exceptions_exits_0(crm) -> None:
    for fmt, expected in (("json", "[]"), ("table", "no exceptions")):
        result = invoke("splits", "--format", fmt)
        assert result.exit_code == 0, result.output
        assert result.output.strip() == expected


def test_csv_and_table_formats(dirty) -> None:
    csv_out = invoke("ghost-appointments", "--format", "csv").output.splitlines()
    assert csv_out[0].startswith("reason,appointment_id,sale_id,branch")
    assert csv_out[1].startswith("no_sale,1,,DAL")
    table = invoke("ghost-appointments", "--branch", "DAL").output
    assert "no_sale" in table and "no_sale: 1" in table


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["splits", "--branch", "NOPE"], "unknown branch 'NOPE'; known branch codes: DAL, HOU"),
        (["splits", "--from", "2026-13-01"], "--from '2026-13-01' is not a date"),
        (["ghost-appointments", "--to", "tomorrow"], "--to 'tomorrow' is not a date"),
        (["splits", "--from", "2026-02-01", "--to", "2026-01-01"], "is after --to"),
        (["external", "--file", "/nonexistent/accounting.csv"], "cannot be read"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(crm, args, words) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert words in result.output
    assert "Traceback" not in result.output


def test_the_installed_command_names_the_bad_line(crm, cli_env, tmp_path) -> None:
    path = tmp_path / "accounting.csv"
    path.write_text("invoice_no,invoiced_on,customer,amount,status\nA,2026-06-01,x,abc,paid\n")
    result = subprocess.run(
        ["pulsebi", "reconcile", "external", "--file", str(path)],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"Error: accounting file rejected:\n  {path}, line 2: amount")
    assert result.stdout == ""


def test_odd_statuses_are_matched_and_noted_on_stderr(crm, cli_env, tmp_path) -> None:
    crm.sale(1, status="canceled", external_ref="INV-1", sold_at=OLD)
    path = tmp_path / "accounting.csv"
    path.write_text(
        "invoice_no,invoiced_on,customer,amount,status\n"
        "INV-1,2026-06-15,A,1000.00,Paid\nINV-2,2026-06-15,B,5.00,refunded\n"
    )
    for fmt in ("json", "csv", "table"):
        result = subprocess.run(
            ["pulsebi", "reconcile", "external", "--file", str(path), "--format", fmt],
            env=cli_env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert result.stderr.startswith("Note: 2 invoices have a status outside open, paid, void")
        if fmt == "json":  # the output keeps its shape: a list of exceptions
            rows = json.loads(result.stdout)
            assert [(r["reason"], r["invoice_status"]) for r in rows] == [
                ("status_mismatch", "Paid"),
                ("missing_in_crm", "refunded"),
            ]
        elif fmt == "csv":
            assert result.stdout.splitlines()[0].startswith("reason,invoice_no,sale_id")
            assert "Note" not in result.stdout
