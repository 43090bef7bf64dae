"""The crm contract tables and the bi schema's seed ground truth.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BIG, INT, TEXT, DATE = sa.BigInteger(), sa.Integer(), sa.Text(), sa.Date()
TS = sa.DateTime(timezone=True)
MONEY, SHARE = sa.Numeric(12, 2), sa.Numeric(5, 4)

# Frozen copy of the contract as of this revision: (table, id type, [(column, type, nullable)]).
TABLES = [
    (
        "branches",
        INT,
        [
            ("code", TEXT, False),
            ("name", TEXT, False),
            ("timezone", TEXT, False),
            ("opened_on", DATE, False),
        ],
    ),
    (
        "employees",
        INT,
        [
            ("branch_id", INT, False),
            ("full_name", TEXT, False),
            ("role", TEXT, False),
            ("hired_on", DATE, False),
            ("terminated_on", DATE, True),
        ],
    ),
    ("lead_sources", INT, [("name", TEXT, False), ("channel", TEXT, False)]),
    (
        "marketing_spend",
        BIG,
        [
            ("source_id", INT, False),
            ("branch_id", INT, False),
            ("month", DATE, False),
            ("amount", MONEY, False),
        ],
    ),
    (
        "leads",
        BIG,
        [
            ("branch_id", INT, False),
            ("source_id", INT, False),
            ("created_at", TS, False),
            ("status", TEXT, False),
            ("canvasser_id", INT, True),
            ("telemarketer_id", INT, True),
            ("postal_code", TEXT, True),
        ],
    ),
    (
        "lead_touches",
        BIG,
        [("lead_id", BIG, False), ("source_id", INT, False), ("touched_at", TS, False)],
    ),
    (
        "door_knocks",
        BIG,
        [
            ("canvasser_id", INT, False),
            ("branch_id", INT, False),
            ("knocked_at", TS, False),
            ("outcome", TEXT, False),
            ("lead_id", BIG, True),
        ],
    ),
    (
        "calls",
        BIG,
        [
            ("telemarketer_id", INT, False),
            ("branch_id", INT, False),
            ("lead_id", BIG, True),
            ("called_at", TS, False),
            ("duration_s", INT, False),
            ("outcome", TEXT, False),
        ],
    ),
    (
        "appointments",
        BIG,
        [
            ("lead_id", BIG, False),
            ("branch_id", INT, False),
            ("rep_id", INT, False),
            ("set_by_id", INT, True),
            ("created_at", TS, False),
            ("scheduled_for", TS, False),
            ("status", TEXT, False),
            ("result", TEXT, True),
        ],
    ),
    (
        "sales",
        BIG,
        [
            ("lead_id", BIG, False),
            ("appointment_id", BIG, True),
            ("branch_id", INT, False),
            ("sold_at", TS, False),
            ("amount", MONEY, False),
            ("commission_rate", SHARE, False),
            ("product", TEXT, False),
            ("status", TEXT, False),
            ("canceled_at", TS, True),
            ("external_ref", TEXT, True),
        ],
    ),
    (
        "sale_splits",
        BIG,
        [
            ("sale_id", BIG, False),
            ("employee_id", INT, False),
            ("share", SHARE, False),
            ("commission", MONEY, False),
        ],
    ),
    (
        "jobs",
        BIG,
        [
            ("sale_id", BIG, False),
            ("branch_id", INT, False),
            ("status", TEXT, False),
            ("created_at", TS, False),
            ("started_at", TS, True),
            ("completed_at", TS, True),
        ],
    ),
    (
        "service_tickets",
        BIG,
        [
            ("branch_id", INT, False),
            ("job_id", BIG, True),
            ("opened_at", TS, False),
            ("resolved_at", TS, True),
            ("category", TEXT, False),
            ("priority", TEXT, False),
            ("csat", sa.SmallInteger(), True),
        ],
    ),
    (
        "api_requests",
        BIG,
        [
            ("ts", TS, False),
            ("service", TEXT, False),
            ("endpoint", TEXT, False),
            ("status_code", sa.SmallInteger(), False),
            ("latency_ms", sa.REAL(), False),
        ],
    ),
    (
        "health_checks",
        BIG,
        [("ts", TS, False), ("service", TEXT, False), ("ok", sa.Boolean(), False)],
    ),
]


def upgrade() -> None:
    op.execute("create schema if not exists crm")
    for name, id_type, columns in TABLES:
        op.create_table(
            name,
            sa.Column("id", id_type, primary_key=True, autoincrement=False),
            *(sa.Column(col, type_, nullable=nullable) for col, type_, nullable in columns),
            schema="crm",
        )
    op.create_table(
        "seed_truth",
        sa.Column("id", BIG, sa.Identity(), primary_key=True),
        sa.Column("kind", TEXT, nullable=False),
        sa.Column("reason", TEXT, nullable=False),
        sa.Column("appointment_id", BIG),
        sa.Column("sale_id", BIG),
        sa.Column("employee_id", INT),
        sa.Column("invoice_no", TEXT),
        sa.Column("branch_id", INT),
        sa.Column("day", DATE),
        sa.Column("detail", TEXT),
        schema="bi",
    )


def downgrade() -> None:
    op.drop_table("seed_truth", schema="bi")
    for name, _, _ in reversed(TABLES):
        op.drop_table(name, schema="crm")
    op.execute("drop schema if exists crm")
