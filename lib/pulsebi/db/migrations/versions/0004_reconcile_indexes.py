"""Indexes on crm lookup columns for the reconciliation checks and their drill-downs.

The contract guarantees only primary keys and NOT NULL; these are plain (non-unique) indexes,
no constraint: dirty rows still load. They turn the checks' joins on the CRM's foreign-key
columns and their period filters into index lookups when a check is filtered (one branch, one
month) and let a drill-down fetch one sale's splits or one appointment's sales at once.

Revision ID: 0004
Revises: 0001
"""

from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None

# (index name, crm table, column): the same as lib/pulsebi/db/schema.py declares.
INDEXES = [
    ("ix_sales_appointment_id", "sales", "appointment_id"),  # ghosts: appointment -> sales
    ("ix_jobs_sale_id", "jobs", "sale_id"),  # ghosts: sale -> jobs
    ("ix_sale_splits_sale_id", "sale_splits", "sale_id"),  # splits: sale -> splits
    ("ix_sales_external_ref", "sales", "external_ref"),  # external: invoice -> sales
    ("ix_sales_sold_at", "sales", "sold_at"),  # period filter of splits and external
    ("ix_appointments_scheduled_for", "appointments", "scheduled_for"),  # ghosts' period
]


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column], schema="crm")


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table, schema="crm")
