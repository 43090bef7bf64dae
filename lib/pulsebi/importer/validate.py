"""Find the rows of a staged file that break a type, a NOT NULL or the primary key.

A staging table holds a file's fields as text plus `rn`, the record's number in the file
(1 = first data record). Problems are reported at the record's physical starting line.
"""

from __future__ import annotations

from sqlalchemy import Connection, Table, text

from pulsebi.importer.checks import PATTERNS, check_sql, explain, quote
from pulsebi.importer.files import Problem, TableFile

MAX_ROWS_REPORTED = 100  # per file

# (rn, column position in the header, column, reason)
Finding = tuple[int, int, str, str]


def find_type_problems(conn: Connection, stage: str, tf: TableFile) -> tuple[list[Finding], int]:
    """Type and NOT NULL problems of the first bad rows, and how many rows have one."""
    found: list[Finding] = []
    total = _type_problems(conn, stage, tf, found)
    return found, total


def find_key_problems(conn: Connection, stage: str, tf: TableFile, append: bool) -> list[Finding]:
    """Primary-key problems: ids repeated in the file, and (with `append`) ids already in crm.

    The load itself catches both through the primary key, so this runs only to explain a
    rejection (or when the import is rejected anyway).
    """
    found: list[Finding] = []
    pk = _pk_column(tf.table)
    _duplicate_ids(conn, stage, tf, pk, found)
    if append:
        _existing_ids(conn, stage, tf, pk, found)
    return found


def describe(
    conn: Connection, stage: str, tf: TableFile, found: list[Finding], total: int = 0
) -> list[Problem]:
    """The findings of the first bad rows as (file, line, column, reason), in file order."""
    if not found:
        return []
    found = sorted(found, key=lambda p: (p[0], p[1]))
    rows = sorted({rn for rn, *_ in found})[:MAX_ROWS_REPORTED]
    lines = physical_lines(conn, stage, tf, rows)
    problems: list[Problem] = [
        (tf.name, lines[rn], column, reason) for rn, _, column, reason in found if rn in lines
    ]
    if total > len(rows):
        summary = f"{total:,} rows break a type or NOT NULL rule; the first {len(rows)} follow"
        problems.insert(0, (tf.name, None, None, summary))
    return problems


def physical_lines(conn: Connection, stage: str, tf: TableFile, rns: list[int]) -> dict[int, int]:
    """The physical line where each record `rn` starts (line breaks inside fields counted)."""
    fields = ", ".join(quote(c) for c in tf.columns)
    joined = f"concat({fields})"
    has_breaks = conn.execute(
        text(f"SELECT EXISTS (SELECT 1 FROM {stage} WHERE strpos({joined}, chr(10)) > 0)")
    ).scalar()
    if not has_breaks:
        return {rn: tf.header_lines + rn for rn in rns}
    rows = conn.execute(
        text(
            f"""SELECT rn, before FROM (
                  SELECT rn, sum(breaks) OVER (ORDER BY rn) - breaks AS before
                  FROM (SELECT rn, length({joined}) - length(replace({joined}, chr(10), ''))
                               AS breaks FROM {stage}) b
                ) w WHERE rn = ANY(:rns)"""
        ),
        {"rns": rns},
    )
    return {rn: tf.header_lines + rn + int(before) for rn, before in rows}


def _type_problems(conn: Connection, stage: str, tf: TableFile, found: list[Finding]) -> int:
    """Append type and NOT NULL problems of the first bad rows; return the number of bad rows."""
    columns = [tf.table.c[name] for name in tf.columns]
    checks = [(col, check_sql(col)) for col in columns]
    checks = [(col, sql) for col, sql in checks if sql is not None]
    if not checks:
        return 0
    selects = ", ".join(f"{quote(col.name)}, {sql} AS r{i}" for i, (col, sql) in enumerate(checks))
    outputs = ", ".join(f"{quote(col.name)}, r{i}" for i, (col, _) in enumerate(checks))
    bad = " OR ".join(f"r{i} IS NOT NULL" for i in range(len(checks)))
    rows = conn.execute(
        text(
            f"""SELECT rn, count(*) OVER () AS total, {outputs}
                FROM (SELECT rn, {selects} FROM {stage}) c
                WHERE {bad} ORDER BY rn LIMIT :limit"""
        ),
        {**PATTERNS, "limit": MAX_ROWS_REPORTED},
    ).all()
    for row in rows:
        for i, (col, _) in enumerate(checks):
            value, code = row[2 + 2 * i], row[3 + 2 * i]
            if code is not None:
                found.append(
                    (row.rn, tf.columns.index(col.name), col.name, explain(col, code, value))
                )
    return rows[0].total if rows else 0


def _valid_key_sql(tf: TableFile, pk: str) -> str:
    """The primary key cast to bigint where its text passed the checks, else NULL."""
    return f"CASE WHEN ({check_sql(tf.table.c[pk])}) IS NULL THEN {quote(pk)}::bigint END"


def _duplicate_ids(
    conn: Connection, stage: str, tf: TableFile, pk: str, found: list[Finding]
) -> None:
    rows = conn.execute(
        text(
            f"""WITH k AS (SELECT rn, {_valid_key_sql(tf, pk)} AS k FROM {stage}),
                     d AS (SELECT k FROM k WHERE k IS NOT NULL GROUP BY k HAVING count(*) > 1)
                SELECT rn, k, first FROM (
                  SELECT k.rn, k.k, min(k.rn) OVER (PARTITION BY k.k) AS first
                  FROM k JOIN d USING (k)
                ) x WHERE rn <> first ORDER BY rn LIMIT :limit"""
        ),
        {**PATTERNS, "limit": MAX_ROWS_REPORTED},
    ).all()
    if not rows:
        return
    firsts = physical_lines(conn, stage, tf, sorted({r.first for r in rows}))
    position = tf.columns.index(pk)
    for r in rows:
        found.append(
            (r.rn, position, pk, f"duplicate {pk} {r.k} (first at line {firsts[r.first]})")
        )


def _existing_ids(
    conn: Connection, stage: str, tf: TableFile, pk: str, found: list[Finding]
) -> None:
    target = f"crm.{tf.table.name}"
    rows = conn.execute(
        text(
            f"""SELECT s.rn, s.k FROM (SELECT rn, {_valid_key_sql(tf, pk)} AS k FROM {stage}) s
                JOIN {target} t ON t.{quote(pk)} = s.k ORDER BY s.rn LIMIT :limit"""
        ),
        {**PATTERNS, "limit": MAX_ROWS_REPORTED},
    ).all()
    position = tf.columns.index(pk)
    for r in rows:
        found.append(
            (
                r.rn,
                position,
                pk,
                f"{pk} {r.k} already exists in {target} (--append only adds new ids)",
            )
        )


def _pk_column(table: Table) -> str:
    (pk,) = [c.name for c in table.primary_key.columns]
    return pk
