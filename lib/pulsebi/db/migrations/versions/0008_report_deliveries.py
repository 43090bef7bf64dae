"""bi.report_deliveries: deliveries of saved reports scheduled from the report builder.

One row per delivery: the saved report, a 5-field cron read in an IANA time zone, recipients,
formats, an optional subject and owner (told once when a delivery finally fails), who scheduled
it and when. Beat reads the table on every scan, beside schedules/*.yaml, joined to
bi.saved_reports: a delivery whose report is deleted (or gone) is not sent. No foreign key: the
migrations branch from 0001 and apply in no set order, and bi.saved_reports stays truncatable.

Revision ID: 0008
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "report_deliveries",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("cron", sa.Text(), nullable=False),
        sa.Column("timezone", sa.Text(), nullable=False),
        sa.Column("recipients", JSONB(), nullable=False),
        sa.Column("formats", JSONB(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("owner", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        schema="bi",
    )
    op.create_index(
        "ix_report_deliveries_report_id", "report_deliveries", ["report_id"], schema="bi"
    )


def downgrade() -> None:
    op.drop_table("report_deliveries", schema="bi")
