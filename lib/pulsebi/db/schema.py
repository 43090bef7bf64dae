"""Table definitions: the `crm` contract (../shared/docs/crm-contract.md) and the `bi` schema.

The `crm` tables carry only what the contract guarantees: primary keys and NOT NULL. No foreign
keys, no checks: they hold a real CRM's dirty data, which the reconciliation checks report.
These objects are what queries are written against; the migrations create the same tables
(a test compares the two).
"""

from __future__ import annotations

from sqlalchemy import (
    REAL,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

CRM = "crm"
BI = "bi"

metadata = MetaData()

Money = Numeric(12, 2)
Share = Numeric(5, 4)
Timestamp = DateTime(timezone=True)


def _pk(type_=BigInteger) -> Column:
    return Column("id", type_, primary_key=True, autoincrement=False)


def _req(name: str, type_) -> Column:
    return Column(name, type_, nullable=False)


def _opt(name: str, type_) -> Column:
    return Column(name, type_, nullable=True)


branches = Table(
    "branches",
    metadata,
    _pk(Integer),
    _req("code", Text),
    _req("name", Text),
    _req("timezone", Text),
    _req("opened_on", Date),
    schema=CRM,
)
employees = Table(
    "employees",
    metadata,
    _pk(Integer),
    _req("branch_id", Integer),
    _req("full_name", Text),
    _req("role", Text),
    _req("hired_on", Date),
    _opt("terminated_on", Date),
    schema=CRM,
)
lead_sources = Table(
    "lead_sources",
    metadata,
    _pk(Integer),
    _req("name", Text),
    _req("channel", Text),
    schema=CRM,
)
marketing_spend = Table(
    "marketing_spend",
    metadata,
    _pk(),
    _req("source_id", Integer),
    _req("branch_id", Integer),
    _req("month", Date),
    _req("amount", Money),
    schema=CRM,
)
leads = Table(
    "leads",
    metadata,
    _pk(),
    _req("branch_id", Integer),
    _req("source_id", Integer),
    _req("created_at", Timestamp),
    _req("status", Text),
    _opt("canvasser_id", Integer),
    _opt("telemarketer_id", Integer),
    _opt("postal_code", Text),
    schema=CRM,
)
lead_touches = Table(
    "lead_touches",
    metadata,
    _pk(),
    _req("lead_id", BigInteger),
    _req("source_id", Integer),
    _req("touched_at", Timestamp),
    schema=CRM,
)
door_knocks = Table(
    "door_knocks",
    metadata,
    _pk(),
    _req("canvasser_id", Integer),
    _req("branch_id", Integer),
    _req("knocked_at", Timestamp),
    _req("outcome", Text),
    _opt("lead_id", BigInteger),
    schema=CRM,
)
calls = Table(
    "calls",
    metadata,
    _pk(),
    _req("telemarketer_id", Integer),
    _req("branch_id", Integer),
    _opt("lead_id", BigInteger),
    _req("called_at", Timestamp),
    _req("duration_s", Integer),
    _req("outcome", Text),
    schema=CRM,
)
appointments = Table(
    "appointments",
    metadata,
    _pk(),
    _req("lead_id", BigInteger),
    _req("branch_id", Integer),
    _req("rep_id", Integer),
    _opt("set_by_id", Integer),
    _req("created_at", Timestamp),
    _req("scheduled_for", Timestamp),
    _req("status", Text),
    _opt("result", Text),
    schema=CRM,
)
sales = Table(
    "sales",
    metadata,
    _pk(),
    _req("lead_id", BigInteger),
    _opt("appointment_id", BigInteger),
    _req("branch_id", Integer),
    _req("sold_at", Timestamp),
    _req("amount", Money),
    _req("commission_rate", Share),
    _req("product", Text),
    _req("status", Text),
    _opt("canceled_at", Timestamp),
    _opt("external_ref", Text),
    schema=CRM,
)
sale_splits = Table(
    "sale_splits",
    metadata,
    _pk(),
    _req("sale_id", BigInteger),
    _req("employee_id", Integer),
    _req("share", Share),
    _req("commission", Money),
    schema=CRM,
)
jobs = Table(
    "jobs",
    metadata,
    _pk(),
    _req("sale_id", BigInteger),
    _req("branch_id", Integer),
    _req("status", Text),
    _req("created_at", Timestamp),
    _opt("started_at", Timestamp),
    _opt("completed_at", Timestamp),
    schema=CRM,
)
service_tickets = Table(
    "service_tickets",
    metadata,
    _pk(),
    _req("branch_id", Integer),
    _opt("job_id", BigInteger),
    _req("opened_at", Timestamp),
    _opt("resolved_at", Timestamp),
    _req("category", Text),
    _req("priority", Text),
    _opt("csat", SmallInteger),
    schema=CRM,
)
api_requests = Table(
    "api_requests",
    metadata,
    _pk(),
    _req("ts", Timestamp),
    _req("service", Text),
    _req("endpoint", Text),
    _req("status_code", SmallInteger),
    _req("latency_ms", REAL),
    schema=CRM,
)
health_checks = Table(
    "health_checks",
    metadata,
    _pk(),
    _req("ts", Timestamp),
    _req("service", Text),
    _req("ok", Boolean),
    schema=CRM,
)

# The contract's tables in load order (lookups first).
CRM_TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        branches,
        employees,
        lead_sources,
        marketing_spend,
        leads,
        lead_touches,
        door_knocks,
        calls,
        appointments,
        sales,
        sale_splits,
        jobs,
        service_tickets,
        api_requests,
        health_checks,
    )
}

# --- bi: what the platform owns ------------------------------------------------------------

# Problems the demo-data generator injected on purpose, for tests to find again.
seed_truth = Table(
    "seed_truth",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    _req("kind", Text),  # ghost_appointment, split, external, anomalous_day
    _req("reason", Text),  # the contract's reason code (or spike / dip)
    _opt("appointment_id", BigInteger),
    _opt("sale_id", BigInteger),
    _opt("employee_id", Integer),
    _opt("invoice_no", Text),
    _opt("branch_id", Integer),
    _opt("day", Date),
    _opt("detail", Text),
    schema=BI,
)

# Each refresh (or re-creation) of the materialized views; the newest id is the data version.
refresh_log = Table(
    "refresh_log",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    _req("started_at", Timestamp),
    _req("finished_at", Timestamp),
    _req("duration_ms", Float),
    _req("kind", Text),  # refresh | create
    _req("tz", Text),
    _opt("detail", Text),
    schema=BI,
)
# The definition (hash of the rendered DDL, time zone) each materialized view was built from.
view_state = Table(
    "view_state",
    metadata,
    Column("name", Text, primary_key=True),
    _req("definition_hash", Text),
    _req("tz", Text),
    _req("created_at", Timestamp),
    schema=BI,
)

# Scheduled and ad-hoc report deliveries (pulsebi.reports.history): one row per idempotency key.
report_runs = Table(
    "report_runs",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    _req("idempotency_key", Text),  # schedule|scheduled time (UTC)|recipients
    _req("kind", Text),  # scheduled, adhoc, failure_notice
    _opt("schedule", Text),
    _opt("scheduled_for", Timestamp),
    _req("notebook", Text),
    _req("parameters", JSONB),
    _req("formats", JSONB),
    _req("recipients", JSONB),
    _opt("owner", Text),
    _req("status", Text),  # running, sending, sent, done, retrying, failed, uncertain
    _req("attempts", Integer),
    _opt("worker", Text),
    _opt("lease_until", Timestamp),
    Column("created_at", Timestamp, nullable=False, server_default=func.now()),
    _opt("started_at", Timestamp),
    _opt("finished_at", Timestamp),
    _opt("run_id", Text),
    _opt("outputs", JSONB),
    _opt("message_id", Text),
    _opt("error", Text),
    _opt("failed_cell", Integer),
    UniqueConstraint("idempotency_key", name="uq_report_runs_idempotency_key"),
    Index("ix_report_runs_created_at", "created_at"),
    schema=BI,
)

# Plain lookup indexes on crm columns for reconciliation and drill-downs (migration 0004);
# indexes, not constraints: dirty rows still load.
Index("ix_sales_appointment_id", sales.c.appointment_id)
Index("ix_jobs_sale_id", jobs.c.sale_id)
Index("ix_sale_splits_sale_id", sale_splits.c.sale_id)
Index("ix_sales_external_ref", sales.c.external_ref)
Index("ix_sales_sold_at", sales.c.sold_at)
Index("ix_appointments_scheduled_for", appointments.c.scheduled_for)
# migration 0006: bi.leads_daily's "has an active sale" as an index-only scan
Index("ix_sales_lead_id_active", sales.c.lead_id, postgresql_where=sales.c.status == "active")
Index(  # attribution reads the converted leads' journeys, in order (migration 0009)
    "ix_lead_touches_lead_id", lead_touches.c.lead_id, lead_touches.c.touched_at, lead_touches.c.id
)

# Saved custom reports (pulsebi.builder.store): a report's name and owner, and every save of its
# spec kept as a numbered version (restoring one saves it again as the newest). Deleting sets
# deleted_at: the versions stay.
saved_reports = Table(
    "saved_reports",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    _req("name", Text),
    _req("owner", Text),
    Column("created_at", Timestamp, nullable=False, server_default=func.now()),
    Column("updated_at", Timestamp, nullable=False, server_default=func.now()),
    _req("current_version", Integer),
    _opt("deleted_at", Timestamp),
    Index("ix_saved_reports_updated_at", "updated_at"),
    schema=BI,
)
saved_report_versions = Table(
    "saved_report_versions",
    metadata,
    Column(
        "report_id",
        BigInteger,
        ForeignKey("bi.saved_reports.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("version", Integer, primary_key=True),
    _req("spec", JSONB),
    Column("saved_at", Timestamp, nullable=False, server_default=func.now()),
    _req("saved_by", Text),
    schema=BI,
)

# Deliveries scheduled from the report builder (pulsebi.builder.schedule; migration 0008): a saved
# report sent by cron in a time zone to recipients in formats. Beat reads them on every scan
# (pulsebi.reports.stored_schedules), beside schedules/*.yaml, joined to saved_reports: a deleted
# report's deliveries are no longer sent (no foreign key: the migrations apply in no set order).
report_deliveries = Table(
    "report_deliveries",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    _req("report_id", BigInteger),
    _req("cron", Text),
    _req("timezone", Text),
    _req("recipients", JSONB),
    _req("formats", JSONB),
    _opt("subject", Text),
    _opt("owner", Text),  # the address told once when a delivery finally fails
    _req("created_by", Text),
    Column("created_at", Timestamp, nullable=False, server_default=func.now()),
    Column("updated_at", Timestamp, nullable=False, server_default=func.now()),
    Index("ix_report_deliveries_report_id", "report_id"),
    schema=BI,
)
