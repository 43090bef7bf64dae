"""An index on the lead touches' lead ids, in time order.

Attribution (`pulsebi.attribution`) reads the touches of the period's converted leads only;
without an index that is a hash of the whole touch table on every load (about 2 s of a 77-day
load on the bench data). (lead_id, touched_at, id) also hands each journey over in its order.

Revision ID: 0009
Revises: 0001
"""

from alembic import op

revision = "0009"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_lead_touches_lead_id",
        "lead_touches",
        ["lead_id", "touched_at", "id"],
        schema="crm",
    )


def downgrade() -> None:
    op.drop_index("ix_lead_touches_lead_id", table_name="lead_touches", schema="crm")
