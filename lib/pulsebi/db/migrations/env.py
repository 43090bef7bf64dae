"""Alembic environment: the engine is handed in by pulsebi.db.migrate, never read from a file."""

from alembic import context
from sqlalchemy import text

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    connection.execute(text("create schema if not exists bi"))
    connection.commit()
    context.configure(
        connection=connection,
        version_table_schema="bi",
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
