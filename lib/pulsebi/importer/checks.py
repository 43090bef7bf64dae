"""Per-type checks of raw CSV text, in SQL, stricter than PostgreSQL's own input functions.

COPY alone would round `10.005` into numeric(12,2), read a timestamp without offset in the
session zone, accept `yes` as a boolean, ` 5` or `1_000` as an integer. Each column of a staging
table (all text) gets a CASE expression that is NULL when the value is acceptable and a short
reason code otherwise; every cast in it runs only after a regex has made it safe, so a check
never raises. Column types come from `pulsebi.db.schema` (the one source of truth).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Context

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    Numeric,
    SmallInteger,
    String,
)

INT_RANGES = {
    "smallint": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "bigint": (-(2**63), 2**63 - 1),
}
# float4 input rounds to nearest: below 2**128 - 2**103 it is finite, above 2**-150 it is not 0.
REAL_OVERFLOW = str(2**128 - 2**103)
REAL_UNDERFLOW = format(Context(prec=200).divide(1, 2**150), "f")  # exact
BOOLEANS = ["true", "false", "t", "f", "1", "0"]
MAX_FRACTION_DIGITS = 6  # timestamptz keeps microseconds

# Bound as parameters of every check query.
PATTERNS = {  # non-capturing groups: PostgreSQL's regex engine is much slower with captures
    "int_re": r"^[+-]?[0-9]+$",
    "num_re": r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$",
    "real_re": r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$",
    "real_exp_re": r"[eE][+-]?([0-9]+)$",
    "date_re": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "ts_re": (
        r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
        r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)$"
    ),
    "ts_local_re": (
        r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?$"
    ),
    "ts_long_frac_re": rf"\.[0-9]{{{MAX_FRACTION_DIGITS + 1}}}",
    "booleans": BOOLEANS,
}
# Integers this long (sign included) always fit, so they skip the range check.
SAFE_INT_LENGTH = {"smallint": 4, "integer": 9, "bigint": 18}


@dataclass(frozen=True)
class ColumnType:
    """What a contract column accepts: its kind, SQL cast target, and numeric precision."""

    kind: str  # smallint integer bigint numeric real boolean date timestamptz text
    sql: str
    precision: int | None = None
    scale: int | None = None


def column_type(column: Column) -> ColumnType:
    """The import type of a schema column (order matters: subclasses first)."""
    t = column.type
    if isinstance(t, SmallInteger):
        return ColumnType("smallint", "smallint")
    if isinstance(t, BigInteger):
        return ColumnType("bigint", "bigint")
    if isinstance(t, Integer):
        return ColumnType("integer", "integer")
    if isinstance(t, Float):
        return ColumnType("real", "real")
    if isinstance(t, Numeric):
        p, s = t.precision, t.scale
        return ColumnType("numeric", f"numeric({p},{s})", p, s)
    if isinstance(t, Boolean):
        return ColumnType("boolean", "boolean")
    if isinstance(t, DateTime) and t.timezone:
        return ColumnType("timestamptz", "timestamptz")
    if isinstance(t, Date) and not isinstance(t, DateTime):
        return ColumnType("date", "date")
    if isinstance(t, String):
        return ColumnType("text", "text")
    raise TypeError(f"the importer has no check for {column} of type {t!r}")


def quote(name: str) -> str:
    """Quote a column name taken from the schema whitelist (never from user input)."""
    if '"' in name:
        raise ValueError(f"not a schema column name: {name!r}")
    return f'"{name}"'


def check_sql(column: Column) -> str | None:
    """SQL that is NULL when the staged text of `column` is acceptable, else a reason code."""
    c = quote(column.name)
    ct = column_type(column)
    null = "NULL" if column.nullable else "'null'"
    body = _TYPE_CHECKS[ct.kind](c, ct)
    if body is None:
        return None if column.nullable else f"CASE WHEN {c} IS NULL THEN 'null' END"
    return f"CASE WHEN {c} IS NULL THEN {null} {body} END"


def cast_sql(column: Column) -> str:
    """SQL that turns the checked staged text of `column` into its contract type."""
    ct = column_type(column)
    c = quote(column.name)
    return c if ct.kind == "text" else f"{c}::{ct.sql}"


def explain(column: Column, code: str, value: str | None) -> str:
    """The user-facing reason for a check's code."""
    ct = column_type(column)
    v = _show(value)
    reasons = {
        "null": "missing value (the column is NOT NULL; an empty unquoted field is NULL)",
        "int_format": f"not an integer: {v}",
        "int_range": f"out of range for {ct.kind}: {v}",
        "num_format": f"not a decimal number: {v}",
        "num_scale": f"more than {ct.scale} decimal places for {ct.sql}: {v}",
        "num_range": f"too large for {ct.sql}: {v}",
        "real_format": f"not a number: {v}",
        "real_range": f"out of range for real: {v}",
        "bool": f"not a boolean (use true/false, t/f or 1/0): {v}",
        "date_format": f"not a date (use YYYY-MM-DD): {v}",
        "date_range": f"no such date: {v}",
        "ts_format": f"not an ISO 8601 timestamp with offset (e.g. 2024-03-01T09:30:00-06:00): {v}",
        "ts_offset": f"timestamp without offset (add Z or +hh:mm): {v}",
        "ts_range": f"no such date, time or offset: {v}",
        "ts_precision": f"more than {MAX_FRACTION_DIGITS} fractional second digits: {v}",
    }
    return reasons.get(code, f"{code}: {v}")


def _show(value: str | None, limit: int = 40) -> str:
    if value is None:
        return "NULL"
    return repr(value if len(value) <= limit else value[:limit] + "…")


def _int_check(c: str, ct: ColumnType) -> str:
    lo, hi = INT_RANGES[ct.kind]
    return (
        f"WHEN {c} !~ :int_re THEN 'int_format' "
        f"WHEN length({c}) <= {SAFE_INT_LENGTH[ct.kind]} THEN NULL "
        f"WHEN length(ltrim(ltrim({c}, '+-'), '0')) > 19 THEN 'int_range' "
        f"WHEN {c}::numeric NOT BETWEEN {lo} AND {hi} THEN 'int_range'"
    )


def _numeric_check(c: str, ct: ColumnType) -> str:
    assert ct.precision is not None and ct.scale is not None
    whole = ct.precision - ct.scale
    return (
        f"WHEN {c} !~ :num_re THEN 'num_format' "
        f"WHEN length(rtrim(split_part({c}, '.', 2), '0')) > {ct.scale} THEN 'num_scale' "
        f"WHEN length(ltrim(split_part(ltrim({c}, '+-'), '.', 1), '0')) > {whole} "
        "THEN 'num_range'"
    )


def _real_check(c: str, ct: ColumnType) -> str:
    return (
        f"WHEN {c} !~ :real_re THEN 'real_format' "
        f"WHEN length({c}) > 1000 "
        f"OR length(ltrim(coalesce(substring({c} from :real_exp_re), ''), '0')) > 3 "
        "THEN 'real_range' "
        f"WHEN abs({c}::numeric) >= {REAL_OVERFLOW} "
        f"OR ({c}::numeric <> 0 AND abs({c}::numeric) <= {REAL_UNDERFLOW}) THEN 'real_range'"
    )


def _bool_check(c: str, ct: ColumnType) -> str:
    return f"WHEN NOT ({c} = ANY(:booleans)) THEN 'bool'"


def _valid_date(c: str) -> str:
    """True when the YYYY-MM-DD at the start of `c` (its shape already matched) is a date.

    Digit strings of equal length compare like numbers in the C collation, which is cheaper
    than casting; only days 29 to 31 need the month's length.
    """
    y, m, d = (f'substr({c}, {a}, {n}) COLLATE "C"' for a, n in ((1, 4), (6, 2), (9, 2)))
    yi, mi, di = (f"substr({c}, {a}, {n})::int" for a, n in ((1, 4), (6, 2), (9, 2)))
    leap = f"(mod({yi}, 4) = 0 AND (mod({yi}, 100) <> 0 OR mod({yi}, 400) = 0))"
    days = (
        f"CASE WHEN {mi} = 2 THEN CASE WHEN {leap} THEN 29 ELSE 28 END "
        f"WHEN {mi} IN (4, 6, 9, 11) THEN 30 ELSE 31 END"
    )
    return (
        f"({y} <> '0000' AND {m} BETWEEN '01' AND '12' AND {d} BETWEEN '01' AND '31' "
        f"AND ({d} <= '28' OR {di} <= {days}))"
    )


def _date_check(c: str, ct: ColumnType) -> str:
    return f"WHEN {c} !~ :date_re THEN 'date_format' WHEN NOT {_valid_date(c)} THEN 'date_range'"


def _timestamp_check(c: str, ct: ColumnType) -> str:
    def part(start: str, n: int) -> str:
        return f'substr({c}, {start}, {n}) COLLATE "C"'

    clock = (
        f"{part('12', 2)} <= '23' AND {part('15', 2)} <= '59' "
        f"AND (substr({c}, 17, 1) <> ':' OR {part('18', 2)} <= '59')"
    )
    # The offset is the end of the value: Z, ±hh, ±hhmm or ±hh:mm (the regex vouches for it).
    hours = (
        f"CASE WHEN substr({c}, length({c}) - 2, 1) IN ('+', '-') THEN {part(f'length({c}) - 1', 2)} "  # noqa: E501
        f"WHEN substr({c}, length({c}) - 5, 1) IN ('+', '-') THEN {part(f'length({c}) - 4', 2)} "
        f"ELSE {part(f'length({c}) - 3', 2)} END"
    )
    offset = f"(right({c}, 1) = 'Z' OR ({hours} <= '15' AND {part(f'length({c}) - 1', 2)} <= '59'))"
    return (
        f"WHEN {c} !~ :ts_re THEN CASE WHEN {c} ~ :ts_local_re THEN 'ts_offset' "
        "ELSE 'ts_format' END "
        f"WHEN NOT ({_valid_date(c)} AND {clock} AND {offset}) THEN 'ts_range' "
        f"WHEN strpos({c}, '.') > 0 AND {c} ~ :ts_long_frac_re THEN 'ts_precision'"
    )


_TYPE_CHECKS = {
    "smallint": _int_check,
    "integer": _int_check,
    "bigint": _int_check,
    "numeric": _numeric_check,
    "real": _real_check,
    "boolean": _bool_check,
    "date": _date_check,
    "timestamptz": _timestamp_check,
    "text": lambda c, ct: None,
}
