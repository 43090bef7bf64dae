"""Series from a CSV file of anyone's own data: `date,value` (one series) or `series,date,value`.

The file is UTF-8 (a byte order mark is tolerated), comma-separated, with a header row. Dates
are ISO (YYYY-MM-DD), in any order; values are plain numbers (a dot for decimals, no thousands
separator). An empty value is a bucket without a value (NaN), which every method handles (the
anomaly detector skips it). Each series gets its own grain, inferred from its dates unless one
is given. Every error is one line naming the file, the line (1-based as an editor shows it, the
header being line 1) and, in a several-series file, the series.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path

import pandas as pd

from pulsebi.trends.series import GRAINS, TrendInputError, TrendSeries, step

COLUMNS = ("series", "date", "value")
_FORM = "series,date,value"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class _Rows:
    """One series' rows as read: date -> (value, line)."""

    values: dict[date, float] = field(default_factory=dict)
    lines: dict[date, int] = field(default_factory=dict)


def read_series_csv(path: str | Path, grain: str | None = None) -> dict[str, TrendSeries]:
    """Read one or several regular series from a CSV file.

    Parameters
    ----------
    path : str or Path
        A file with the header `date,value` or `series,date,value` (column names in any
        order and case).
    grain : {"day", "week", "month", "quarter", "year"}, optional
        The grain of every series; inferred per series from its dates by default.

    Returns
    -------
    dict of str to TrendSeries
        Keyed by series name in order of first appearance; the key (and name) is "" for a
        `date,value` file.

    Raises
    ------
    TrendInputError
        Missing file, not UTF-8, empty file, no rows, a missing or unknown column, an
        unparsable date or value, a duplicated date in a series, irregular spacing, or an
        unknown grain: one line naming file, line and series.
    """
    path = Path(path)
    if grain is not None and grain not in GRAINS:
        raise TrendInputError(f"unknown grain {grain!r}: use one of {', '.join(GRAINS)}")
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next((row for row in reader if any(c.strip() for c in row)), None)
    if header is None:
        raise TrendInputError(f"{path}: empty file: expected a header date,value or {_FORM}")
    at = _header_columns(path, header, reader.line_num)
    header_line = reader.line_num
    grouped: dict[str, _Rows] = {}
    for row in reader:
        if not any(c.strip() for c in row):
            continue  # blank lines (a trailing newline, a spacer) carry nothing
        line = reader.line_num
        if len(row) != len(header):
            raise TrendInputError(
                f"{_where(path, line)}: {len(row)} fields where the header has {len(header)}"
            )
        key = row[at["series"]].strip() if "series" in at else ""
        if "series" in at and not key:
            raise TrendInputError(f"{_where(path, line)}: no series name: name every row's series")
        day = parse_date(row[at["date"]], _where(path, line, key))
        value = parse_value(row[at["value"]], _where(path, line, key))
        rows = grouped.setdefault(key, _Rows())
        if day in rows.values:
            raise TrendInputError(
                f"{_where(path, line, key)}: date {day} appears twice "
                f"(first on line {rows.lines[day]}): give one value per date"
            )
        rows.values[day] = value
        rows.lines[day] = line
    if not grouped:
        raise TrendInputError(f"{path}: no rows after the header (line {header_line})")
    return {key: _build_series(path, key, rows, grain) for key, rows in grouped.items()}


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise TrendInputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise TrendInputError(f"{path}: is a directory, not a CSV file") from None
    except OSError as exc:
        raise TrendInputError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise TrendInputError(
            f"{path}, line {line}: not UTF-8 (byte 0x{raw[exc.start]:02x}): save the file as UTF-8"
        ) from None


def _header_columns(path: Path, header: list[str], line: int) -> dict[str, int]:
    names = [c.strip().lower() for c in header]
    found = ",".join(c.strip() for c in header)
    for name in names:
        if name not in COLUMNS:
            raise TrendInputError(
                f"{path}, line {line}: no such column {name!r} (header found: {found}): "
                f"use date,value or {_FORM}"
            )
    for name in ("date", "value"):
        if name not in names:
            raise TrendInputError(
                f"{path}, line {line}: no column {name!r} (header found: {found}): "
                f"use date,value or {_FORM}"
            )
    at = {}
    for i, name in enumerate(names):
        if name in at:
            raise TrendInputError(f"{path}, line {line}: column {name!r} appears twice")
        at[name] = i
    return at


def _where(path: Path, line: int | None = None, key: str | None = None) -> str:
    where = str(path)
    if line is not None:
        where += f", line {line}"
    if key:
        where += f", series {key!r}"
    return where


def parse_date(text: str, where: str) -> date:
    """An ISO date (YYYY-MM-DD), or TrendInputError quoting `text` after `where`."""
    cell = text.strip()
    try:
        if not _ISO_DATE.fullmatch(cell):
            raise ValueError
        return date.fromisoformat(cell)
    except ValueError:
        raise TrendInputError(f"{where}: date {text!r} is not an ISO date (YYYY-MM-DD)") from None


def parse_value(text: str, where: str) -> float:
    """A finite number; NaN for an empty cell (a bucket without a value)."""
    cell = text.strip()
    if not cell:
        return math.nan
    try:
        value = float(cell)
        if math.isinf(value) or (math.isnan(value) and cell.lower() != "nan"):
            raise ValueError
    except ValueError:
        raise TrendInputError(
            f"{where}: value {text!r} is not a number (use digits and a dot, e.g. 1234.5; "
            "leave it empty for no value)"
        ) from None
    return value


def _build_series(path: Path, key: str, rows: _Rows, grain: str | None) -> TrendSeries:
    days = sorted(rows.values)
    used = grain or _first_grain(path, key, rows, days)
    values = pd.Series([rows.values[d] for d in days], index=pd.DatetimeIndex(days))
    try:
        return TrendSeries(values, used, key)  # checks the spacing
    except TrendInputError as exc:
        reason = str(exc).removeprefix(f"series {key!r}: " if key else "")
        raise TrendInputError(
            f"{_where(path, _break_line(rows, days, used), key)}: {reason}"
        ) from None


def _first_grain(path: Path, key: str, rows: _Rows, days: list[date]) -> str:
    if len(days) < 2:
        raise TrendInputError(
            f"{_where(path, rows.lines[days[0]], key)}: one date is not enough to tell the grain: "
            "give --grain (day, week, month, quarter or year)"
        )
    for grain in GRAINS:
        if step(days[0], grain) == days[1]:
            return grain
    raise TrendInputError(
        f"{_where(path, rows.lines[days[1]], key)}: irregular spacing: {days[1]} follows "
        f"{days[0]}, which is no day, week, month, quarter or year apart"
    )


def _break_line(rows: _Rows, days: list[date], grain: str) -> int:
    """The line of the first date that does not follow its predecessor by one `grain` step."""
    for before, after in pairwise(days):
        if step(before, grain) != after:
            return rows.lines[after]
    return rows.lines[days[-1]]
