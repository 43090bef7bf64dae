"""bi.saved_reports and bi.saved_report_versions: the report builder's saved reports.

A report row holds its name, owner, timestamps, the number of its current version and, once
deleted, when; every save of its spec is a version row (JSONB), kept for restoring. The
versions go with their report only when the report row itself is dropped (ON DELETE CASCADE);
deleting a report in the builder sets deleted_at.

Revision ID: 0007
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "saved_reports",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", TS, nullable=True),
        schema="bi",
    )
    op.create_index("ix_saved_reports_updated_at", "saved_reports", ["updated_at"], schema="bi")
    op.create_table(
        "saved_report_versions",
        sa.Column(
            "report_id",
            sa.BigInteger(),
            sa.ForeignKey("bi.saved_reports.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("spec", JSONB(), nullable=False),
        sa.Column("saved_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("saved_by", sa.Text(), nullable=False),
        schema="bi",
    )


def downgrade() -> None:
    op.drop_table("saved_report_versions", schema="bi")
    op.drop_table("saved_reports", schema="bi")
