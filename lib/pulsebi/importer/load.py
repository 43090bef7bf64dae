"""The import transaction: COPY each file raw into a staging table, check it, cast it into `crm`.

Everything happens in one transaction on one connection: the staging tables are temporary
(dropped at commit), a file that cannot even be parsed is isolated in a savepoint so the other
files are still checked, and any problem rolls back the whole import. The primary key itself
catches repeated ids while loading (a savepoint again); only then, or when the import is
rejected anyway, do the slower key queries run to name the lines. Once a file is rejected, the
later files are still checked (not loaded) so one run reports every file's problems.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from pulsebi.db.schema import CRM_TABLES
from pulsebi.errors import ImportRejected, UsageError
from pulsebi.importer.checks import cast_sql, quote
from pulsebi.importer.files import (
    Problem,
    TableFile,
    find_end_marker_records,
    find_table_files,
    locate_record,
    read_header,
)
from pulsebi.importer.validate import describe, find_key_problems, find_type_problems

# on_progress(table, phase, done, total): total is the file's size in bytes; "copy" reports the
# bytes sent so far, "check" and "load" are announced once, "done" once with the rows loaded.
ProgressCallback = Callable[[str, str, int, int], None]

COPY_CHUNK = 1 << 20


@dataclass(frozen=True)
class TableResult:
    table: str
    file: str
    rows: int  # rows loaded
    replaced: int | None  # rows the table held before (None with --append)


@dataclass
class ImportResult:
    append: bool
    tables: list[TableResult] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # entries of the directory not imported
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def import_directory(
    directory: str | Path,
    *,
    append: bool = False,
    engine: Engine | None = None,
    on_progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import every `<table>.csv` of `directory` into `crm`, all or nothing.

    Without `append` each table that has a file is emptied first; with it, rows are added and an
    id that already exists is a primary-key violation. Raises `ImportRejected` listing
    (file, line, column, reason) when any row breaks a type, a NOT NULL or a primary key.
    """
    started = time.monotonic()
    paths, ignored = find_table_files(directory)
    files: list[TableFile] = []
    problems: list[Problem] = []
    for path in paths:
        tf, header_problems = read_header(path, CRM_TABLES[path.name.removesuffix(".csv")])
        problems += header_problems
        if tf is not None:
            files.append(tf)
    if problems:
        raise ImportRejected(problems)

    if engine is None:
        from pulsebi.db import get_engine

        engine = get_engine()
    report = on_progress or (lambda *args: None)
    result = ImportResult(append=append, ignored=ignored)
    with engine.connect() as conn, conn.begin():
        _require_tables(conn, files)
        conn.execute(text("SET LOCAL work_mem = '64MB'"))
        for tf in files:
            stage = f"pg_temp.import_{tf.table.name}"
            _create_stage(conn, tf)
            copy_problems = _copy_file(conn, stage, tf, report)
            if copy_problems:
                problems += copy_problems
            else:
                report(tf.table.name, "check", 0, tf.size)
                found, total = find_type_problems(conn, stage, tf)
                loaded, tried = None, not found and not problems
                if tried:
                    report(tf.table.name, "load", 0, tf.size)
                    loaded = _load_table(conn, stage, tf, append)
                if loaded is None:  # the import is rejected: explain primary-key problems too
                    found += find_key_problems(conn, stage, tf, append)
                    file_problems = describe(conn, stage, tf, found, total)
                    problems += file_problems or ([_key_refused(tf)] if tried else [])
                else:
                    result.tables.append(loaded)
                    report(tf.table.name, "done", loaded.rows, tf.size)
            conn.execute(text(f"DROP TABLE IF EXISTS {stage}"))
        if problems:
            raise ImportRejected(problems)  # leaving the block rolls everything back
    result.seconds = time.monotonic() - started
    return result


def _require_tables(conn: Connection, files: list[TableFile]) -> None:
    names = [f"crm.{tf.table.name}" for tf in files]
    found = (
        conn.execute(
            text(
                "SELECT name FROM unnest(CAST(:names AS text[])) AS n(name) "
                "WHERE to_regclass(name) IS NULL"
            ),
            {"names": names},
        )
        .scalars()
        .all()
    )
    if found:
        raise UsageError(
            f"the database has no table {', '.join(found)}: run `pulsebi migrate` (or "
            "`pulsebi up`) first"
        )


def _create_stage(conn: Connection, tf: TableFile) -> None:
    # C collation: the checks compare digit strings, and LIKE and comparisons run faster.
    fields = ", ".join(f'{quote(c)} text COLLATE "C"' for c in tf.columns)
    conn.execute(
        text(
            f"CREATE TEMP TABLE import_{tf.table.name} "
            f"(rn bigint GENERATED ALWAYS AS IDENTITY, {fields}) ON COMMIT DROP"
        )
    )


def _copy_file(
    conn: Connection, stage: str, tf: TableFile, report: ProgressCallback
) -> list[Problem]:
    """COPY the file's fields as text into `stage`; malformed CSV becomes a problem."""
    import psycopg2

    width = len(tf.columns)
    markers = find_end_marker_records(tf.path)
    if markers:
        return [
            (tf.name, line, None, f"wrong number of fields: 1 instead of {width} (a line '\\.')")
            for line in markers
        ]
    columns = ", ".join(quote(c) for c in tf.columns)
    sql = f"COPY {stage} ({columns}) FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')"
    savepoint = conn.begin_nested()
    cursor = conn.connection.cursor()
    try:
        with tf.path.open("rb") as raw:
            cursor.copy_expert(sql, _Progress(raw, tf, report), size=COPY_CHUNK)
    except psycopg2.DataError as exc:
        savepoint.rollback()
        return [_copy_problem(tf, exc)]
    finally:
        cursor.close()
    savepoint.commit()
    return []


def _copy_problem(tf: TableFile, exc) -> Problem:
    message = exc.diag.message_primary or str(exc).splitlines()[0]
    match = re.search(r"line (\d+)", exc.diag.context or "")
    line = locate_record(tf.path, int(match.group(1))) if match else None
    width = len(tf.columns)
    if message.startswith("extra data after last expected column"):
        reason = f"wrong number of fields: more than the {width} of the header"
    elif message.startswith("missing data for column"):
        reason = f"wrong number of fields: fewer than the {width} of the header"
    elif message.startswith("unterminated CSV quoted field"):
        reason = 'unterminated quoted field (a " opens a field that never closes)'
    elif "newline" in message or "carriage return" in message:
        reason = (
            f"malformed CSV ({message}): use one kind of line end throughout and quote fields "
            "that contain line breaks"
        )
    elif "invalid byte sequence" in message and "0x00" in message:
        reason = "a NUL byte (0x00), which PostgreSQL text cannot hold"
    elif "invalid byte sequence" in message:
        reason = f"not valid UTF-8 ({message})"
    else:
        reason = f"malformed CSV ({message})"
    return (tf.name, line, None, reason)


def _load_table(conn: Connection, stage: str, tf: TableFile, append: bool) -> TableResult | None:
    """Cast the checked rows into crm; None when the primary key refuses them (nothing loaded)."""
    import psycopg2.errors

    target = f"crm.{tf.table.name}"
    columns = [tf.table.c[name] for name in tf.columns]
    names = ", ".join(quote(c.name) for c in columns)
    casts = ", ".join(cast_sql(c) for c in columns)
    savepoint = conn.begin_nested()
    try:
        replaced = None
        if not append:
            replaced = conn.execute(text(f"SELECT count(*) FROM {target}")).scalar_one()
            conn.execute(text(f"TRUNCATE {target}"))
        inserted = conn.execute(
            text(f"INSERT INTO {target} ({names}) SELECT {casts} FROM {stage}")
        ).rowcount
    except DBAPIError as exc:
        savepoint.rollback()
        if isinstance(exc.orig, psycopg2.errors.UniqueViolation):
            return None
        # a check let through what PostgreSQL refuses: still all or nothing
        reason = str(exc.orig).splitlines()[0]
        raise ImportRejected(
            [(tf.name, None, None, f"PostgreSQL refused a row: {reason}")]
        ) from exc
    savepoint.commit()
    return TableResult(tf.table.name, tf.name, inserted, replaced)


def _key_refused(tf: TableFile) -> Problem:
    """The primary key refused the rows but no repeated id was found (a concurrent writer)."""
    return (tf.name, None, "id", "an id collides with a row written meanwhile; try again")


class _Progress:
    """A file object for COPY that reports the bytes read."""

    def __init__(self, raw: BinaryIO, tf: TableFile, report: ProgressCallback):
        self.raw, self.tf, self.report, self.done = raw, tf, report, 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.done += len(data)
        self.report(self.tf.table.name, "copy", self.done, self.tf.size)
        return data

    def readline(self, size: int = -1) -> bytes:
        return self.raw.readline(size)
