"""The bi tables behind the materialized views: refresh log and view state.

The materialized views themselves are not migrations: their DDL depends on the reporting time
zone (a setting), so `pulsebi.views.ensure_views` (re)creates them after every upgrade.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "refresh_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("tz", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        schema="bi",
    )
    op.create_table(
        "view_state",
        sa.Column("name", sa.Text(), primary_key=True),
        sa.Column("definition_hash", sa.Text(), nullable=False),
        sa.Column("tz", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        schema="bi",
    )


def downgrade() -> None:
    # every materialized view in bi (and, by cascade, the plain views over them)
    op.execute(
        "do $$ declare r record; begin"
        " for r in select matviewname from pg_matviews where schemaname = 'bi' loop"
        " execute format('drop materialized view if exists bi.%I cascade', r.matviewname);"
        " end loop; end $$"
    )
    op.drop_table("view_state", schema="bi")
    op.drop_table("refresh_log", schema="bi")
