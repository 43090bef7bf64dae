"""Table files: which files of a directory are imported, their headers, and line numbers.

Line numbers are physical lines of the file (the header is line 1); a record whose quoted fields
hold line breaks is reported at the line where it starts.
"""

from __future__ import annotations

import csv
import mmap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Table

from pulsebi.db.schema import CRM_TABLES
from pulsebi.errors import UsageError

Problem = tuple[str, int | None, str | None, str]

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class TableFile:
    """A `<table>.csv` file whose header has been read and checked."""

    table: Table
    path: Path
    columns: tuple[str, ...]  # header order
    header_lines: int  # physical lines the header spans (1 unless a quoted name holds a newline)
    size: int

    @property
    def name(self) -> str:
        return self.path.name


def find_table_files(directory: str | Path) -> tuple[list[Path], list[str]]:
    """The `<table>.csv` files of `directory` in load order, and the names of ignored entries."""
    directory = Path(directory)
    if not directory.is_dir():
        raise UsageError(
            f"{str(directory)!r} is not a directory; give the folder that holds the <table>.csv "
            "files (e.g. sales.csv, leads.csv)"
        )
    wanted = {f"{name}.csv": name for name in CRM_TABLES}
    present = {p.name: p for p in directory.iterdir()}
    files = [present[f"{name}.csv"] for name in CRM_TABLES if f"{name}.csv" in present]
    ignored = sorted(name for name in present if name not in wanted)
    if not files:
        raise UsageError(
            f"no table files in {str(directory)!r}: expected files named after crm tables, "
            f"such as {', '.join(list(wanted)[:4])}, ... (all: {', '.join(wanted)})"
        )
    for path in files:
        if not path.is_file():
            raise UsageError(f"{str(path)!r} is not a regular file")
    return files, ignored


def read_header(path: Path, table: Table) -> tuple[TableFile | None, list[Problem]]:
    """Read and check the header of `path` against `table`: unknown, duplicate, missing columns."""
    name = path.name
    reader = csv.reader(_decoded_lines(path, errors="strict"), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return None, [(name, 1, None, "the file is empty: expected a header row of column names")]
    except UnicodeDecodeError as exc:
        return None, [(name, reader.line_num + 1, None, f"the header is not UTF-8 ({exc.reason})")]
    except csv.Error as exc:
        with path.open("rb") as f:
            start = f.read(1 << 16)
        if b"\r" in start and b"\n" not in start:
            reason = "line ends are bare CR (old Mac style); save the file with LF or CRLF"
        else:
            reason = f"malformed header row ({exc})"
        return None, [(name, 1, None, reason)]
    problems = check_header(name, table, header)
    if problems:
        return None, problems
    return TableFile(table, path, tuple(header), reader.line_num, path.stat().st_size), []


def check_header(name: str, table: Table, header: list[str]) -> list[Problem]:
    """Problems of a header: names not in the table, repeated names, missing NOT NULL columns."""
    known = [c.name for c in table.columns]
    problems: list[Problem] = []
    seen: set[str] = set()
    for column in header:
        if column == "":
            problems.append((name, 1, None, "a header column has no name (a stray comma?)"))
        elif column not in known:
            problems.append(
                (
                    name,
                    1,
                    column,
                    f"unknown column {column!r}; {table.name} has: {', '.join(known)}",
                )
            )
        elif column in seen:
            problems.append((name, 1, column, "the column appears twice in the header"))
        seen.add(column)
    for column in table.columns:
        if not column.nullable and column.name not in seen:
            problems.append(
                (name, 1, column.name, "required column is missing from the header (NOT NULL)")
            )
    return problems


def locate_record(path: Path, line: int) -> int:
    """The line where the record that PostgreSQL reports at physical `line` starts.

    COPY counts the line breaks inside quoted fields, so it names the line where a record ends
    (or, for an unterminated quote, the end of the file).
    """
    reader = csv.reader(_decoded_lines(path, errors="replace"), strict=True)
    start = 1
    try:
        for _ in reader:
            if reader.line_num >= line:
                return start
            start = reader.line_num + 1
    except csv.Error:
        return start
    return min(line, start)


def find_end_marker_records(path: Path) -> list[int]:
    """Lines of records that are only `\\.`, which COPY would take as the end of the data.

    PostgreSQL (before 18) silently stops reading at such a line, so the importer looks for it
    first; a record of one field is malformed in every contract table anyway.
    """
    size = path.stat().st_size
    if size == 0:
        return []
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if not _has_end_marker_line(data):
            return []
    reader = csv.reader(_decoded_lines(path, errors="replace"))
    lines = []
    start = 1
    for record in reader:
        if record == ["\\."]:
            lines.append(start)
        start = reader.line_num + 1
    return lines


def _has_end_marker_line(data: mmap.mmap) -> bool:
    at = data.find(b"\\.")
    while at != -1:
        before_ok = at == 0 or data[at - 1 : at] == b"\n" or data[at - 3 : at] == BOM
        after = data[at + 2 : at + 4]
        if before_ok and (after in (b"", b"\r\n") or after[:1] == b"\n"):
            return True
        at = data.find(b"\\.", at + 2)
    return False


def _decoded_lines(path: Path, errors: str) -> Iterator[str]:
    """The file's physical lines as text (split on LF only, line ends kept, BOM dropped)."""
    with path.open("rb") as f:
        first = True
        for raw in f:
            if first:
                raw = raw.removeprefix(BOM)
                first = False
            yield raw.decode("utf-8", errors=errors)
