"""`pulsebi import`: every CSV-import ruling of the contract, with tiny files written per test."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from pulsebi.cli import main
from pulsebi.db.schema import CRM_TABLES
from pulsebi.errors import ImportRejected, UsageError
from pulsebi.importer import import_directory
from pulsebi.importer.checks import PATTERNS, check_sql, column_type
from pulsebi.services import resolve_database_url

UTC = dt.UTC

BRANCHES = "id,code,name,timezone,opened_on\n"
HEALTH = "id,ts,service,ok\n"
SALES = "id,lead_id,branch_id,sold_at,amount,commission_rate,product,status\n"
API = "id,ts,service,endpoint,status_code,latency_ms\n"


def write(directory: Path, name: str, content: str | bytes) -> Path:
    path = directory / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def load(db: Engine, directory: Path, append: bool = False):
    return import_directory(directory, append=append, engine=db)


def rejected(db: Engine, directory: Path, append: bool = False) -> list[tuple]:
    with pytest.raises(ImportRejected) as info:
        import_directory(directory, append=append, engine=db)
    assert "nothing was loaded" in str(info.value)
    return info.value.problems


def fetch(db: Engine, sql: str) -> list[tuple]:
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def count(db: Engine, table: str) -> int:
    return fetch(db, f"select count(*) from crm.{table}")[0][0]


def sale(id_: int = 1, **values: str) -> str:
    row = {
        "id": str(id_),
        "lead_id": "10",
        "branch_id": "1",
        "sold_at": "2024-03-01T10:00:00Z",
        "amount": "100.00",
        "commission_rate": "0.1000",
        "product": "roof",
        "status": "active",
    }
    row.update(values)
    return ",".join(row.values()) + "\n"


def only_problem(problems: list[tuple]) -> tuple:
    assert len(problems) == 1, problems
    return problems[0]


# --- which files ------------------------------------------------------------------------------


def test_files_not_named_after_a_table_are_ignored(db, tmp_path) -> None:
    write(tmp_path, "accounting.csv", "invoice_no,invoiced_on\nX,not a date\n")
    write(tmp_path, "notes.txt", "hello")
    write(tmp_path, "Branches.csv", "garbage")
    write(tmp_path, "branches.csv", BRANCHES + "1,AUS,Austin,America/Chicago,2020-01-01\n")
    result = load(db, tmp_path)
    assert [(t.table, t.rows) for t in result.tables] == [("branches", 1)]
    assert result.ignored == ["Branches.csv", "accounting.csv", "notes.txt"]


def test_every_table_file_is_optional_and_tables_without_a_file_are_untouched(db, tmp_path) -> None:
    with db.begin() as conn:
        conn.execute(text("insert into crm.lead_sources values (1, 'Door', 'canvass')"))
    write(tmp_path, "branches.csv", BRANCHES + "1,AUS,Austin,America/Chicago,2020-01-01\n")
    load(db, tmp_path)
    assert fetch(db, "select * from crm.lead_sources") == [(1, "Door", "canvass")]


def test_a_directory_without_table_files_is_a_usage_error(db, tmp_path) -> None:
    write(tmp_path, "accounting.csv", "invoice_no\n")
    with pytest.raises(UsageError, match="no table files"):
        load(db, tmp_path)
    with pytest.raises(UsageError, match="not a directory"):
        load(db, tmp_path / "missing")


# --- headers ----------------------------------------------------------------------------------


def test_header_columns_may_come_in_any_order(db, tmp_path) -> None:
    write(
        tmp_path, "branches.csv", "opened_on,timezone,name,id,code\n2020-01-01,UTC,Austin,1,AUS\n"
    )
    load(db, tmp_path)
    assert fetch(db, "select * from crm.branches") == [
        (1, "AUS", "Austin", "UTC", dt.date(2020, 1, 1))
    ]


def test_a_header_column_not_in_the_table_is_an_error(db, tmp_path) -> None:
    write(
        tmp_path, "branches.csv", "id,code,name,timezone,opened_on,region\n1,A,B,UTC,2020-01-01,S\n"
    )
    file, line, column, reason = only_problem(rejected(db, tmp_path))
    assert (file, line, column) == ("branches.csv", 1, "region")
    assert "unknown column" in reason and "opened_on" in reason


def test_a_header_column_twice_is_an_error(db, tmp_path) -> None:
    write(tmp_path, "branches.csv", "id,code,name,name,timezone,opened_on\n")
    assert only_problem(rejected(db, tmp_path))[2] == "name"


def test_a_missing_nullable_column_loads_as_null(db, tmp_path) -> None:
    write(
        tmp_path,
        "employees.csv",
        "id,branch_id,full_name,role,hired_on\n7,1,Ann,sales_rep,2021-05-03\n",
    )
    load(db, tmp_path)
    assert fetch(db, "select id, terminated_on from crm.employees") == [(7, None)]


def test_a_missing_not_null_column_is_an_error(db, tmp_path) -> None:
    write(tmp_path, "employees.csv", "id,branch_id,full_name,role\n7,1,Ann,sales_rep\n")
    file, line, column, reason = only_problem(rejected(db, tmp_path))
    assert (file, line, column) == ("employees.csv", 1, "hired_on")
    assert "missing" in reason


def test_an_empty_file_is_an_error(db, tmp_path) -> None:
    write(tmp_path, "branches.csv", "")
    assert "empty" in only_problem(rejected(db, tmp_path))[3]


def test_a_header_only_file_empties_the_table(db, tmp_path) -> None:
    with db.begin() as conn:
        conn.execute(text("insert into crm.branches values (1, 'A', 'A', 'UTC', '2020-01-01')"))
    write(tmp_path, "branches.csv", BRANCHES)
    result = load(db, tmp_path)
    assert (result.tables[0].rows, result.tables[0].replaced) == (0, 1)
    assert count(db, "branches") == 0


# --- encoding, quoting, nulls, text -----------------------------------------------------------


def test_unquoted_empty_is_null_and_quoted_empty_is_an_empty_string(db, tmp_path) -> None:
    write(
        tmp_path,
        "leads.csv",
        "id,branch_id,source_id,created_at,status,canvasser_id,postal_code\n"
        '1,1,1,2024-01-01T00:00:00Z,new,,\n2,1,1,2024-01-01T00:00:00Z,new,,""\n',
    )
    load(db, tmp_path)
    assert fetch(db, "select id, canvasser_id, postal_code from crm.leads order by id") == [
        (1, None, None),
        (2, None, ""),
    ]


def test_a_quoted_empty_field_in_a_number_column_is_a_type_error(db, tmp_path) -> None:
    write(
        tmp_path,
        "leads.csv",
        "id,branch_id,source_id,created_at,status,canvasser_id\n"
        '1,1,1,2024-01-01T00:00:00Z,new,""\n',
    )
    _file, line, column, reason = only_problem(rejected(db, tmp_path))
    assert (line, column) == (2, "canvasser_id") and "not an integer" in reason


def test_an_empty_unquoted_not_null_field_is_rejected(db, tmp_path) -> None:
    write(tmp_path, "branches.csv", BRANCHES + '1,,"",UTC,2020-01-01\n')
    _file, line, column, reason = only_problem(rejected(db, tmp_path))
    assert (line, column) == (2, "code") and "NOT NULL" in reason


def test_text_stays_text_exactly(db, tmp_path) -> None:
    odd = [
        "None",
        "NA",
        "02134",
        "\\N",
        "NULL",
        " padded ",
        "Ünïcødé ✓",
        'say "hi", ok',
        "two\nlines",
    ]
    quoted = ['"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n') else v for v in odd]
    rows = "".join(f"{i},{q},other\n" for i, q in enumerate(quoted, 1))
    write(tmp_path, "lead_sources.csv", "id,name,channel\n" + rows)
    load(db, tmp_path)
    assert [r[0] for r in fetch(db, "select name from crm.lead_sources order by id")] == odd


def test_a_byte_order_mark_and_crlf_line_ends_are_accepted(db, tmp_path) -> None:
    content = BRANCHES + '1,AUS,Austin,UTC,2020-01-01\n2,DAL,"Dal\r\nlas",UTC,2020-01-02\n'
    write(
        tmp_path,
        "branches.csv",
        b"\xef\xbb\xbf" + content.replace("\n", "\r\n").replace("\r\r\n", "\r\n").encode(),
    )
    load(db, tmp_path)
    assert fetch(db, "select id, code, name from crm.branches order by id") == [
        (1, "AUS", "Austin"),
        (2, "DAL", "Dal\r\nlas"),
    ]


def test_a_nul_byte_is_rejected_with_its_line(db, tmp_path) -> None:
    write(tmp_path, "branches.csv", BRANCHES.encode() + b"1,A,A,UTC,2020-01-01\n2,B,\x00,U,x\n")
    _, line, _, reason = only_problem(rejected(db, tmp_path))
    assert line == 3 and "NUL" in reason


def test_invalid_utf8_is_rejected_with_its_line(db, tmp_path) -> None:
    write(tmp_path, "branches.csv", BRANCHES.encode() + b"1,A,\xff\xfe,UTC,2020-01-01\n")
    _file, line, _column, reason = only_problem(rejected(db, tmp_path))
    assert line == 2 and "UTF-8" in reason


# --- types ------------------------------------------------------------------------------------


def bad_values(db: Engine, directory: Path, file: str, rows: list[str]) -> list[tuple]:
    """Write one row per value (each with one bad field); return (line, column, reason)s."""
    write(directory, file, rows[0] + "".join(rows[1:]))
    return [(line, column, reason) for _, line, column, reason in rejected(db, directory)]


def test_booleans_true_false_t_f_1_0_load(db, tmp_path) -> None:
    raws = ["true", "false", "t", "f", "1", "0"]
    rows = [f"{i},2024-01-01T00:00:00Z,api,{raw}\n" for i, raw in enumerate(raws, 1)]
    write(tmp_path, "health_checks.csv", HEALTH + "".join(rows))
    load(db, tmp_path)
    assert [r[0] for r in fetch(db, "select ok from crm.health_checks order by id")] == [
        True,
        False,
        True,
        False,
        True,
        False,
    ]


def test_other_boolean_spellings_are_type_errors(db, tmp_path) -> None:
    raws = ["yes", "no", "on", "off", "y", "TRUE", "True", " t", "2", '""']
    rows = [f"{i},2024-01-01T00:00:00Z,api,{raw}\n" for i, raw in enumerate(raws, 1)]
    problems = bad_values(db, tmp_path, "health_checks.csv", [HEALTH, *rows])
    assert [(line, column) for line, column, _ in problems] == [(n, "ok") for n in range(2, 12)]
    assert all("not a boolean" in reason for _, _, reason in problems)


TIMESTAMPS = [
    ("2024-03-01T10:00:00Z", dt.datetime(2024, 3, 1, 10, tzinfo=UTC)),
    ("2024-03-01T10:00:00+00:00", dt.datetime(2024, 3, 1, 10, tzinfo=UTC)),
    ("2024-03-01T10:00:00-06:00", dt.datetime(2024, 3, 1, 16, tzinfo=UTC)),
    ("2024-03-01 10:00:00-06", dt.datetime(2024, 3, 1, 16, tzinfo=UTC)),
    ("2024-03-01T10:00:00+0530", dt.datetime(2024, 3, 1, 4, 30, tzinfo=UTC)),
    ("2024-03-01T10:00Z", dt.datetime(2024, 3, 1, 10, tzinfo=UTC)),
    ("2024-03-01T10:00:00.5Z", dt.datetime(2024, 3, 1, 10, 0, 0, 500000, tzinfo=UTC)),
    ("2024-03-01T10:00:00.123456+01:00", dt.datetime(2024, 3, 1, 9, 0, 0, 123456, tzinfo=UTC)),
    ("2024-02-29T23:59:59Z", dt.datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC)),
]


def test_timestamps_with_an_offset_or_z_load_as_that_instant(db, tmp_path) -> None:
    rows = [f"{i},{raw},api,t\n" for i, (raw, _) in enumerate(TIMESTAMPS, 1)]
    write(tmp_path, "health_checks.csv", HEALTH + "".join(rows))
    load(db, tmp_path)
    got = [r[0] for r in fetch(db, "select ts from crm.health_checks order by id")]
    assert got == [instant for _, instant in TIMESTAMPS]


def test_a_timestamp_without_offset_is_a_type_error(db, tmp_path) -> None:
    raws = ["2024-03-01T10:00:00", "2024-03-01 10:00", "2024-03-01"]
    rows = [f"{i},{raw},api,t\n" for i, raw in enumerate(raws, 1)]
    problems = bad_values(db, tmp_path, "health_checks.csv", [HEALTH, *rows])
    assert [(line, column) for line, column, _ in problems] == [(2, "ts"), (3, "ts"), (4, "ts")]
    assert all("without offset" in reason for _, _, reason in problems)


def test_malformed_or_impossible_timestamps_are_type_errors(db, tmp_path) -> None:
    raws = [
        "2023-02-29T10:00:00Z",
        "2024-03-01T24:00:00Z",
        "2024-03-01T10:60:00Z",
        "2024-03-01T10:00:61Z",
        "2024-03-01T10:00:00+16:00",
        "2024-03-01T10:00:00.1234567Z",
        "now",
        "epoch",
        "infinity",
        "2024-3-1T10:00:00Z",
        "01/03/2024 10:00 +00",
        "0000-01-01T00:00Z",
        "2024-03-01T10:00:00 +00:00",
        '""',
    ]
    rows = [f"{i},{raw},api,t\n" for i, raw in enumerate(raws, 1)]
    problems = bad_values(db, tmp_path, "health_checks.csv", [HEALTH, *rows])
    assert [(line, column) for line, column, _ in problems] == [
        (n, "ts") for n in range(2, len(raws) + 2)
    ]


def test_dates_are_yyyy_mm_dd(db, tmp_path) -> None:
    write(tmp_path, "branches.csv", BRANCHES + "1,A,A,UTC,2024-02-29\n2,B,B,UTC,0999-12-31\n")
    load(db, tmp_path)
    assert fetch(db, "select opened_on from crm.branches order by id") == [
        (dt.date(2024, 2, 29),),
        (dt.date(999, 12, 31),),
    ]


def test_other_dates_are_type_errors(db, tmp_path) -> None:
    raws = [
        "2023-02-29",
        "2024-04-31",
        "2024-13-01",
        "2024-1-5",
        "01/05/2024",
        "20240105",
        "2024-01-05T00:00:00Z",
        "today",
        "2024-01-05 ",
        "0000-01-01",
    ]
    rows = [f"{i},A,A,UTC,{raw}\n" for i, raw in enumerate(raws, 1)]
    problems = bad_values(db, tmp_path, "branches.csv", [BRANCHES, *rows])
    assert [(line, column) for line, column, _ in problems] == [
        (n, "opened_on") for n in range(2, len(raws) + 2)
    ]


def test_numbers_that_fit_their_types_exactly_load(db, tmp_path) -> None:
    write(
        tmp_path,
        "sales.csv",
        SALES
        + sale(1, amount="9999999999.99", commission_rate="9.9999")
        + sale(2, amount="-0.5", commission_rate="0.25000", lead_id="9223372036854775807")
        + sale(3, amount="12", branch_id="-2147483648", lead_id="007"),
    )
    write(
        tmp_path,
        "api_requests.csv",
        API + "1,2024-01-01T00:00:00Z,api,/x,32767,1.5e3\n"
        "2,2024-01-01T00:00:00Z,api,/x,-32768,.25\n",
    )
    load(db, tmp_path)
    assert fetch(
        db, "select lead_id, branch_id, amount, commission_rate from crm.sales order by id"
    ) == [
        (10, 1, Decimal("9999999999.99"), Decimal("9.9999")),
        (9223372036854775807, 1, Decimal("-0.50"), Decimal("0.2500")),
        (7, -2147483648, Decimal("12.00"), Decimal("0.1000")),
    ]
    assert fetch(db, "select status_code, latency_ms from crm.api_requests order by id") == [
        (32767, 1500.0),
        (-32768, 0.25),
    ]


NOT_EXACT = [
    ("amount", "10.005", "decimal places"),
    ("amount", "10000000000.00", "too large"),
    ("amount", "abc", "not a decimal"),
    ("amount", "1e3", "not a decimal"),
    ("amount", "NaN", "not a decimal"),
    ("amount", "1,000.00", "not a decimal"),
    ("amount", "$5", "not a decimal"),
    ("commission_rate", "10", "too large for numeric(5,4)"),
    ("commission_rate", "0.12345", "decimal places"),
    ("lead_id", "9223372036854775808", "out of range for bigint"),
    ("lead_id", "99999999999999999999999999", "out of range for bigint"),
    ("branch_id", "2147483648", "out of range for integer"),
    ("branch_id", "1.0", "not an integer"),
    ("branch_id", " 5", "not an integer"),
    ("branch_id", "1_000", "not an integer"),
    ("branch_id", "0x1F", "not an integer"),
    ("id", "abc", "not an integer"),
]


def test_numbers_that_do_not_fit_their_type_exactly_are_type_errors(db, tmp_path) -> None:
    rows = [sale(i, **{column: f'"{raw}"'}) for i, (column, raw, _) in enumerate(NOT_EXACT, 1)]
    problems = bad_values(db, tmp_path, "sales.csv", [SALES, *rows])
    assert len(problems) == len(NOT_EXACT)
    for (line, column, reason), (n, (want_column, raw, words)) in zip(
        problems, enumerate(NOT_EXACT, 2), strict=True
    ):
        assert (line, column) == (n, want_column), raw
        assert words in reason and repr(raw) in reason


def test_smallint_and_real_out_of_range_are_type_errors(db, tmp_path) -> None:
    cases = [
        ("32768", "1"),
        ("-32769", "1"),
        ("200.0", "1"),
        ("200", "1e39"),
        ("200", "NaN"),
        ("200", "Infinity"),
        ("200", "1e-50"),
        ("200", "fast"),
        ("200", "1e99999"),
    ]
    rows = [
        f"{i},2024-01-01T00:00:00Z,api,/x,{code},{ms}\n" for i, (code, ms) in enumerate(cases, 1)
    ]
    problems = bad_values(db, tmp_path, "api_requests.csv", [API, *rows])
    assert [column for _, column, _ in problems] == ["status_code"] * 3 + ["latency_ms"] * 6


# --- malformed CSV and line numbers -----------------------------------------------------------


def test_lines_are_physical_lines_counting_line_breaks_inside_quotes(db, tmp_path) -> None:
    write(
        tmp_path,
        "sales.csv",
        SALES
        + sale(1, product='"two\nlines"')
        + sale(2)
        + sale(3, product='"three\n\nlines"')
        + sale(4, amount="x"),
    )
    assert only_problem(rejected(db, tmp_path))[:3] == ("sales.csv", 8, "amount")


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        (sale(1) + sale(2).rstrip("\n") + ",extra\n", 3, "wrong number of fields"),
        (sale(1) + "2,10,1\n", 3, "wrong number of fields"),
        (sale(1) + sale(2, product='"open\nquote') + sale(3), 3, "unterminated"),
        (sale(1) + "\n" + sale(2), 3, "wrong number of fields"),
        (sale(1) + "\\.\n" + sale(2), 3, "wrong number of fields"),
        (sale(1, product='"a\nb"') + sale(2) + "3,1\n", 5, "wrong number of fields"),
        (sale(1).replace("\n", "\r\n") + sale(2), 2, "line end"),
    ],
)
def test_malformed_csv_is_rejected_with_the_line(db, tmp_path, body, line, words) -> None:
    write(tmp_path, "sales.csv", SALES + body)
    file, got_line, _column, reason = only_problem(rejected(db, tmp_path))
    assert (file, got_line) == ("sales.csv", line)
    assert words in reason


def test_many_bad_rows_are_summarised(db, tmp_path) -> None:
    write(tmp_path, "sales.csv", SALES + "".join(sale(i, amount="x") for i in range(1, 151)))
    with pytest.raises(ImportRejected) as info:
        load(db, tmp_path)
    assert len(info.value.problems) == 101
    assert info.value.problems[0] == (
        "sales.csv",
        None,
        None,
        "150 rows break a type or NOT NULL rule; the first 100 follow",
    )
    assert info.value.problems[1][:3] == ("sales.csv", 2, "amount")
    assert "... and 81 more" in str(info.value)


# --- primary keys, replace and append ---------------------------------------------------------


def test_a_duplicate_id_within_a_file_is_rejected(db, tmp_path) -> None:
    write(tmp_path, "sales.csv", SALES + sale(1) + sale(2) + sale(3, id="007") + sale(7))
    _file, line, column, reason = only_problem(rejected(db, tmp_path))
    assert (line, column) == (5, "id") and "duplicate id 7" in reason and "line 4" in reason


def test_a_missing_id_is_rejected(db, tmp_path) -> None:
    write(tmp_path, "sales.csv", SALES + sale(1, id=""))
    assert only_problem(rejected(db, tmp_path))[1:3] == (2, "id")


def test_default_mode_replaces_the_rows_of_tables_with_files(db, tmp_path) -> None:
    write(tmp_path, "sales.csv", SALES + sale(1) + sale(2))
    load(db, tmp_path)
    write(tmp_path, "sales.csv", SALES + sale(2, amount="5.00") + sale(3))
    result = load(db, tmp_path)
    assert result.tables[0].replaced == 2
    assert fetch(db, "select id, amount from crm.sales order by id") == [
        (2, Decimal("5.00")),
        (3, Decimal("100.00")),
    ]


def test_append_adds_rows(db, tmp_path) -> None:
    write(tmp_path, "sales.csv", SALES + sale(1))
    load(db, tmp_path)
    write(tmp_path, "sales.csv", SALES + sale(2))
    load(db, tmp_path, append=True)
    assert fetch(db, "select id from crm.sales order by id") == [(1,), (2,)]


def test_append_with_an_existing_id_rejects_everything(db, tmp_path) -> None:
    write(tmp_path, "sales.csv", SALES + sale(1))
    load(db, tmp_path)
    write(tmp_path, "branches.csv", BRANCHES + "1,A,A,UTC,2020-01-01\n")
    write(tmp_path, "sales.csv", SALES + sale(2) + sale(1, amount="7.00"))
    file, line, column, reason = only_problem(rejected(db, tmp_path, append=True))
    assert (file, line, column) == ("sales.csv", 3, "id") and "already exists" in reason
    assert fetch(db, "select id, amount from crm.sales") == [(1, Decimal("100.00"))]
    assert count(db, "branches") == 0


def test_one_bad_file_loads_nothing_and_leaves_existing_rows_untouched(db, tmp_path) -> None:
    with db.begin() as conn:
        conn.execute(text("insert into crm.branches values (9, 'OLD', 'Old', 'UTC', '2019-01-01')"))
        conn.execute(text("insert into crm.health_checks values (9, now(), 'old', true)"))
    write(tmp_path, "branches.csv", BRANCHES + "1,AUS,Austin,UTC,2020-01-01\n")
    write(tmp_path, "health_checks.csv", HEALTH + "1,2024-01-01T00:00:00Z,api,t\n")
    write(tmp_path, "sales.csv", SALES + sale(1) + sale(2, amount="10.005"))
    write(tmp_path, "jobs.csv", "id,sale_id,branch_id,status,created_at\n1,1,1,done,yesterday\n")
    problems = rejected(db, tmp_path)
    assert [(p[0], p[1], p[2]) for p in problems] == [
        ("sales.csv", 3, "amount"),
        ("jobs.csv", 2, "created_at"),
    ]
    assert fetch(db, "select id, code from crm.branches") == [(9, "OLD")]
    assert fetch(db, "select id, service from crm.health_checks") == [(9, "old")]
    assert count(db, "sales") == 0


def test_a_malformed_file_does_not_hide_the_problems_of_the_others(db, tmp_path) -> None:
    write(tmp_path, "branches.csv", BRANCHES + '1,"A,A,UTC,2020-01-01\n')
    write(tmp_path, "sales.csv", SALES + sale(1, amount="x"))
    assert [p[0] for p in rejected(db, tmp_path)] == ["branches.csv", "sales.csv"]


def test_dirty_but_typed_data_loads(db, tmp_path) -> None:
    write(
        tmp_path,
        "sales.csv",
        SALES
        + sale(1, lead_id="999999", branch_id="42", status="Active")
        + sale(2, status="Sold "),
    )
    write(
        tmp_path,
        "sale_splits.csv",
        "id,sale_id,employee_id,share,commission\n"
        "1,1,5,0.7000,1.00\n2,1,5,0.7000,99.99\n3,12345,-1,-0.5,0\n",
    )
    tickets = "id,branch_id,opened_at,category,priority,csat,resolved_at\n"
    write(
        tmp_path,
        "service_tickets.csv",
        tickets + "1,77,2024-01-02T00:00:00Z,leak,whenever,9,2024-01-01T00:00:00Z\n",
    )
    result = load(db, tmp_path)
    assert {t.table: t.rows for t in result.tables} == {
        "sales": 2,
        "sale_splits": 3,
        "service_tickets": 1,
    }


# --- injection --------------------------------------------------------------------------------


def test_sql_in_a_header_is_an_unknown_column_and_runs_nothing(db, tmp_path) -> None:
    write(tmp_path, "sales.csv", 'id"; drop table crm.sales; --,' + SALES[3:] + sale(1))
    write(tmp_path, "branches.csv", '"id) values (1); drop table crm.branches; --",code\n1,A\n')
    problems = rejected(db, tmp_path)
    assert {p[2] for p in problems if "unknown column" in p[3]} == {
        'id"; drop table crm.sales; --',
        "id) values (1); drop table crm.branches; --",
    }
    assert count(db, "sales") == 0 and count(db, "branches") == 0


def test_sql_in_values_loads_as_plain_text(db, tmp_path) -> None:
    evil = ["'); drop table crm.sales; --", 'x"; truncate crm.sales; --', "$$; select 1; $$", "\\."]
    rows = "".join(
        f'{i},"{v.replace(chr(34), chr(34) * 2)}",other\n' for i, v in enumerate(evil, 1)
    )
    write(tmp_path, "lead_sources.csv", "id,name,channel\n" + rows)
    write(tmp_path, "sales.csv", SALES + sale(1))
    load(db, tmp_path)
    assert [r[0] for r in fetch(db, "select name from crm.lead_sources order by id")] == evil
    assert count(db, "sales") == 1


# --- round trip -------------------------------------------------------------------------------

ROUND_TRIP = {
    "branches": "insert into crm.branches values (1, 'AUS', 'Austin, \"TX\"', 'America/Chicago', '2019-03-01'), (2, '', 'Dal\nlas', 'UTC', '0999-01-01')",  # noqa: E501
    "employees": "insert into crm.employees values (1, 1, 'Ann O''Neil', 'sales_rep', '2020-01-01', null), (2, 99, 'None', 'NA', '2020-01-01', '2021-12-31')",  # noqa: E501
    "sales": "insert into crm.sales values (1, 10, null, 1, '2024-03-10 01:30:00.123456-06', 1234.5, 0.0725, 'roof', 'active', null, ''), (2, 9223372036854775807, 3, -5, '2024-11-03 01:30:00-05', -0.01, 9.9999, '', 'Canceled', '2024-11-04 00:00:00+00', '02134')",  # noqa: E501
    "api_requests": "insert into crm.api_requests values (1, '2024-01-01T00:00:00Z', 'api', '/x?a=1,b=2', -32768, 0.1), (2, '2024-01-01T00:00:00.5Z', 'api', '', 503, 3.4028235e38)",  # noqa: E501
    "health_checks": "insert into crm.health_checks values (1, '2024-06-01T12:00:00Z', 'db', true), (2, '2024-06-01T12:00:00Z', 'db', false)",  # noqa: E501
}


def test_exported_tables_import_back_identically(db, tmp_path) -> None:
    with db.begin() as conn:
        for sql in ROUND_TRIP.values():
            conn.execute(text(sql))
    before = {t: fetch(db, f"select * from crm.{t} order by id") for t in ROUND_TRIP}
    raw = db.raw_connection()
    try:
        cursor = raw.cursor()
        for table in ROUND_TRIP:
            out = io.BytesIO()
            cursor.copy_expert(f"copy crm.{table} to stdout with (format csv, header)", out)
            (tmp_path / f"{table}.csv").write_bytes(out.getvalue())
        raw.commit()
    finally:
        raw.close()
    with db.begin() as conn:
        conn.execute(text("truncate " + ", ".join(f"crm.{t}" for t in ROUND_TRIP)))
    load(db, tmp_path)
    assert {t: fetch(db, f"select * from crm.{t} order by id") for t in ROUND_TRIP} == before


# --- the command ------------------------------------------------------------------------------


def test_cli_prints_row_counts_per_table(db, tmp_path) -> None:
    write(tmp_path, "sales.csv", SALES + sale(1) + sale(2))
    write(tmp_path, "accounting.csv", "invoice_no\n")
    result = CliRunner().invoke(main, ["import", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "2 rows loaded into crm.sales" in result.output
    assert "accounting.csv" in result.output
    result = CliRunner().invoke(main, ["import", "--append", str(tmp_path)])
    assert result.exit_code == 2
    assert "already exists" in result.output


def test_cli_rejects_with_exit_code_2_and_the_reasons(db, tmp_path) -> None:
    write(tmp_path, "sales.csv", SALES + sale(1, amount="10.005"))
    result = CliRunner().invoke(main, ["import", str(tmp_path)])
    assert result.exit_code == 2
    assert "Error: import rejected, nothing was loaded" in result.output
    assert "sales.csv, line 2, column amount: more than 2 decimal places" in result.output
    assert CliRunner().invoke(main, ["import", str(tmp_path / "nope")]).exit_code == 2


def test_cli_as_a_subprocess(db, cli_env, tmp_path) -> None:
    write(tmp_path, "health_checks.csv", HEALTH + "1,2024-01-01T00:00:00Z,api,t\n")
    ok = subprocess.run(
        ["pulsebi", "import", str(tmp_path)],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "1 rows loaded into crm.health_checks" in ok.stdout
    write(tmp_path, "health_checks.csv", HEALTH + "1,2024-01-01T00:00:00,api,yes\n")
    bad = subprocess.run(
        ["pulsebi", "import", str(tmp_path)],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2
    assert "health_checks.csv, line 2, column ts: timestamp without offset" in bad.stderr
    assert "column ok: not a boolean" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert count(db, "health_checks") == 1


# --- the SQL checks against a Python reference --------------------------------------------------

TS_REFERENCE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?"
    r"(?:Z|([+-])([0-9]{2})(?::?([0-9]{2}))?)"
)


def reference_epoch(value: str) -> Decimal | None:
    """The instant of a contract timestamp in seconds since 1970, or None when it is invalid."""
    m = TS_REFERENCE.fullmatch(value)
    if not m or len(m[7] or "") > 6:
        return None
    y, mo, d, h, mi, s = (int(g or 0) for g in m.groups()[:6])
    oh, om = int(m[9] or 0), int(m[10] or 0)
    try:
        day = dt.date(y, mo, d)
    except ValueError:
        return None
    if h > 23 or mi > 59 or s > 59 or oh > 15 or om > 59:
        return None
    offset = (oh * 3600 + om * 60) * (-1 if m[8] == "-" else 1)
    seconds = (day.toordinal() - dt.date(1970, 1, 1).toordinal()) * 86400 + h * 3600 + mi * 60
    return seconds + s - offset + Decimal("0." + (m[7] or "0"))


def checked(db: Engine, column: str, table: str, values: list[str]) -> list[tuple]:
    """(value, reason code or None, cast value or None) from the importer's SQL check."""
    col = CRM_TABLES[table].c[column]
    cast = (
        "extract(epoch from v::timestamptz)"
        if column_type(col).kind == "timestamptz"
        else f"v::{column_type(col).sql}::text"
    )
    check = check_sql(col).replace(f'"{column}"', "v")
    with db.connect() as conn:
        rows = conn.execute(
            text(
                f"""SELECT v, code, CASE WHEN code IS NULL THEN {cast} END FROM (
                      SELECT v, {check} AS code
                      FROM unnest(CAST(:values AS text[])) AS u(v)) c"""
            ),
            {**PATTERNS, "values": values},
        )
        return [tuple(r) for r in rows]


def test_the_timestamp_check_agrees_with_the_reference_on_tricky_values(db) -> None:
    dates = [
        "2024-02-29",
        "2023-02-29",
        "2024-04-31",
        "2024-12-31",
        "2024-00-10",
        "2024-13-01",
        "0000-01-01",
        "0001-01-01",
        "9999-12-31",
        "2024-1-05",
        "2024-01-32",
    ]
    times = [
        "00:00",
        "23:59:59",
        "24:00:00",
        "12:60",
        "12:00:60",
        "12:00:00.1",
        "09:30:00.123456",
        "09:30:00.1234567",
        "9:30:00",
        "12:00:00.",
        "12:00:5",
    ]
    offsets = [
        "Z",
        "z",
        "+00",
        "-06",
        "+05:30",
        "+0530",
        "+15:59",
        "-16:00",
        "-05:60",
        "+5",
        "+05:3",
        "",
        " +00",
        "+05:30:00",
        "UTC",
    ]
    values = [f"{d}{sep}{t}{o}" for d in dates for sep in "T t" for t in times for o in offsets]
    values += ["now", "epoch", "infinity", "2024-01-05", "", "  2024-01-05T10:00:00Z", "T"]
    results = checked(db, "sold_at", "sales", values)
    mismatches = [
        (value, code, epoch)
        for value, code, epoch in results
        if (code is None) != (reference_epoch(value) is not None)
        or (epoch is not None and epoch != reference_epoch(value))
    ]
    assert mismatches == []
    assert sum(code is None for _, code, _ in results) > 100


def test_the_number_checks_agree_with_the_reference(db) -> None:
    values = ["0", "-0", "+0", "007", "1.", ".5", "-.5", "1.50", "1.500", "1.505", "1.5.0", "--1",
              "+-1", "1e2", "1E2", "", " 1", "1 ", "1_0", "0x10", "NaN", "-", ".", "1,5",
              "9999999999.99", "9999999999.999", "9999999999.990", "10000000000",
              "00000000000001.1", "-9999999999.99", "١٢", "9223372036854775807",
              "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
              "0000000000000000000000000000001"]  # fmt: skip

    def money(v: str) -> str | None:
        if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", v):
            return None
        d = Decimal(v)
        return (
            str(d.quantize(Decimal("0.01")))
            if d == d.quantize(Decimal("0.01")) and abs(d) < 10**10
            else None
        )

    def bigint(v: str) -> str | None:
        ok = re.fullmatch(r"[+-]?[0-9]+", v) and -(2**63) <= int(v) < 2**63
        return str(int(v)) if ok else None

    for column, table, reference in (("amount", "sales", money), ("lead_id", "sales", bigint)):
        got = {v: cast for v, _, cast in checked(db, column, table, values)}
        expected = {v: reference(v) for v in values}
        assert {v: c.replace("-0.00", "0.00") if c else c for v, c in got.items()} == {
            v: c.replace("-0.00", "0.00") if c else c for v, c in expected.items()
        }


def test_a_header_with_an_empty_name_or_bare_cr_line_ends_is_explained(db, tmp_path) -> None:
    write(tmp_path, "branches.csv", BRANCHES.replace("\n", ",\n"))
    assert "no name" in only_problem(rejected(db, tmp_path))[3]
    write(tmp_path, "branches.csv", (BRANCHES + "1,A,A,UTC,2020-01-01\n").replace("\n", "\r"))
    assert "bare CR" in only_problem(rejected(db, tmp_path))[3]


SAMPLE = {
    "smallint": "1",
    "integer": "2",
    "bigint": "3",
    "numeric": "1.50",
    "real": "2.5",
    "boolean": "t",
    "date": "2024-01-02",
    "timestamptz": "2024-01-02T03:04:05Z",
    "text": "x",
}


def test_every_contract_table_imports_in_one_go(db, tmp_path) -> None:
    for name, table in CRM_TABLES.items():
        header = [c.name for c in table.columns]
        row = [SAMPLE[column_type(c).kind] for c in table.columns]
        write(tmp_path, f"{name}.csv", ",".join(header) + "\n" + ",".join(row) + "\n")
    result = load(db, tmp_path)
    assert {t.table: t.rows for t in result.tables} == dict.fromkeys(CRM_TABLES, 1)
    assert fetch(
        db, "select m.id, m.amount, a.ts from crm.marketing_spend m, crm.api_requests a"
    ) == [(3, Decimal("1.50"), dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))]


def test_a_database_without_the_crm_tables_is_told_to_migrate(server_settings, tmp_path) -> None:
    write(tmp_path, "branches.csv", BRANCHES)
    server_url = resolve_database_url(server_settings)
    name = f"pulsebi_import_bare_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'create database "{name}"'))
    bare = create_engine(make_url(server_url).set(database=name))
    try:
        with pytest.raises(UsageError, match="pulsebi migrate"):
            import_directory(tmp_path, engine=bare)
    finally:
        bare.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'drop database if exists "{name}" with (force)'))
        admin.dispose()


def test_type_and_key_problems_of_one_file_are_reported_together(db, tmp_path) -> None:
    write(tmp_path, "sales.csv", SALES + sale(1) + sale(1, amount="x"))
    assert [p[2] for p in rejected(db, tmp_path)] == ["id", "amount"]
