"""bi.report_runs: report deliveries, their idempotency keys and run history.

Revision ID: 0003
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "report_runs",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("idempotency_key", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("schedule", sa.Text(), nullable=True),
        sa.Column("scheduled_for", TS, nullable=True),
        sa.Column("notebook", sa.Text(), nullable=False),
        sa.Column("parameters", JSONB(), nullable=False),
        sa.Column("formats", JSONB(), nullable=False),
        sa.Column("recipients", JSONB(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.Text(), nullable=True),
        sa.Column("lease_until", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("run_id", sa.Text(), nullable=True),
        sa.Column("outputs", JSONB(), nullable=True),
        sa.Column("message_id", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("failed_cell", sa.Integer(), nullable=True),
        sa.UniqueConstraint("idempotency_key", name="uq_report_runs_idempotency_key"),
        schema="bi",
    )
    op.create_index("ix_report_runs_created_at", "report_runs", ["created_at"], schema="bi")


def downgrade() -> None:
    op.drop_table("report_runs", schema="bi")
