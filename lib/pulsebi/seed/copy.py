"""Load a data set with PostgreSQL COPY from in-memory CSV buffers, in one transaction."""

from __future__ import annotations

import io
from collections.abc import Callable

import pandas as pd
from sqlalchemy import Engine

from pulsebi.db.schema import CRM_TABLES
from pulsebi.errors import ConfigError
from pulsebi.seed.generate import Dataset

CHUNK_ROWS = 250_000
TRUTH = "bi.seed_truth"


def to_csv_chunks(frame: pd.DataFrame):
    """CSV text (no header) of `frame` in chunks; timestamps are UTC, NULL is an empty field."""
    for start in range(0, len(frame), CHUNK_ROWS):
        buffer = io.StringIO()
        frame.iloc[start : start + CHUNK_ROWS].to_csv(
            buffer, index=False, header=False, float_format="%.4f", date_format=None
        )
        buffer.seek(0)
        yield buffer


def check_schema(engine: Engine) -> None:
    """Refuse a database the migrations have not prepared (before anything is generated)."""
    wanted = [f"crm.{name}" for name in CRM_TABLES] + [TRUTH]
    with engine.connect() as conn:
        missing = [
            name
            for name in wanted
            if conn.exec_driver_sql("select to_regclass(%(n)s)", {"n": name}).scalar() is None
        ]
    if missing:
        raise ConfigError(
            f"the database has no table {missing[0]} (and {len(missing) - 1} more missing): "
            "run `pulsebi migrate` first"
        )


def load_dataset(
    engine: Engine, dataset: Dataset, advance: Callable[[str, int], None] | None = None
) -> None:
    """Replace every crm table's rows and the seed ground truth with `dataset`, atomically."""
    advance = advance or (lambda _name, _rows: None)
    names = [f"crm.{name}" for name in CRM_TABLES]  # identifiers from the schema's whitelist
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("set local time zone 'UTC'")  # the buffers carry UTC wall-clock times
        cursor.execute(f"truncate {', '.join(names)}, {TRUTH} restart identity")
        for name in CRM_TABLES:
            frame = dataset.tables[name]
            _copy(cursor, f"crm.{name}", frame)
            advance(name, len(frame))
        _copy(cursor, TRUTH, dataset.truth)
        raw.commit()
    except BaseException:
        raw.rollback()
        raw.close()
        raise
    raw.close()
    with engine.begin() as conn:
        conn.exec_driver_sql("analyze " + ", ".join(names))


def _copy(cursor, table: str, frame: pd.DataFrame) -> None:
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    sql = f"copy {table} ({columns}) from stdin with (format csv, freeze)"
    for buffer in to_csv_chunks(frame):
        cursor.copy_expert(sql, buffer)
