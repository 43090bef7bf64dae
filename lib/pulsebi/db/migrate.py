"""Versioned migrations (Alembic), run from code: `pulsebi migrate`, `pulsebi up`, tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_SCHEMA = "bi"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def current_revision(engine: Engine) -> str | None:
    """The applied revision(s), comma-separated; None for an empty database."""
    with engine.connect() as conn:
        heads = MigrationContext.configure(
            conn, opts={"version_table_schema": VERSION_SCHEMA}
        ).get_current_heads()
    return ",".join(sorted(heads)) or None


def head_revision() -> str:
    """The newest revision(s) shipped, in the form `current_revision` reports."""
    return ",".join(sorted(ScriptDirectory(str(MIGRATIONS)).get_heads()))


def upgrade_database(engine: Engine, revision: str = "heads") -> None:
    """Bring the database's schemas up to `revision` (idempotent)."""
    command.upgrade(alembic_config(engine), revision)


def downgrade_database(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)
