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
    """Bring the database's schemas up to `revision` (idempotent).

    Each revision runs in its own transaction: one that fails leaves the revisions before it
    applied and nothing of itself.

    Raises
    ------
    ConfigError
        If the database refuses a revision (e.g. a table it creates exists already, made
        outside the migrations): the message names the revision and the database's reason.
    """
    from sqlalchemy.exc import DBAPIError

    from pulsebi.errors import ConfigError

    try:
        command.upgrade(alembic_config(engine), revision)
    except DBAPIError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        applied = current_revision(engine) or "none"
        raise ConfigError(
            f"migrating the database stopped: {reason} (applied: {applied}; newest: "
            f"{head_revision()}); the failed revision left nothing behind: fix what the "
            "database says, e.g. drop a table made outside the migrations, and run "
            "`pulsebi migrate` again"
        ) from None


def downgrade_database(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)
