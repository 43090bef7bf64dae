"""The materialized views in `bi`: their columns (for queries) and unique keys (for refresh).

Every view is a daily (or monthly, for spend) aggregate whose `day` is the local date in the
reporting time zone; the DDL lives in `sql/<name>.sql` with a `{tz}` placeholder.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, Integer, MetaData, Numeric, Table, Text

BI = "bi"

# Not part of pulsebi.db.schema.metadata: views are built by ensure_views, not by migrations.
view_metadata = MetaData()


def _view(
    name: str, keys: tuple[str, ...], *columns: Column, rollup_of: str | None = None
) -> Table:
    table = Table(name, view_metadata, *columns, schema=BI)
    table.info["keys"] = keys
    table.info["rollup_of"] = rollup_of  # built from that view: refreshed after it
    return table


def _count(name: str) -> Column:
    return Column(name, BigInteger)


def _money(name: str) -> Column:
    return Column(name, Numeric)


DAY = "day"

sales_daily = _view(
    "sales_daily", ("day", "branch_id", "source_id"),
    Column("day", Date), Column("branch_id", Integer), Column("source_id", Integer),
    _money("net_revenue"), _money("bookings"), _count("sales"),
)  # fmt: skip
leads_daily = _view(
    "leads_daily", ("day", "branch_id", "source_id"),
    Column("day", Date), Column("branch_id", Integer), Column("source_id", Integer),
    _count("leads"), _count("with_appointment"), _count("with_ran_appointment"),
    _count("with_active_sale"),
)  # fmt: skip
appointments_daily = _view(
    "appointments_daily", ("day", "branch_id"),
    Column("day", Date), Column("branch_id", Integer), _count("ran"), _count("ran_sold"),
)  # fmt: skip
rep_revenue_daily = _view(
    "rep_revenue_daily", ("day", "branch_id", "employee_id"),
    Column("day", Date), Column("branch_id", Integer), Column("employee_id", Integer),
    _money("revenue"),
)  # fmt: skip
jobs_daily = _view(
    "jobs_daily", ("day", "branch_id"),
    Column("day", Date), Column("branch_id", Integer), _count("not_canceled"),
    _count("completed"),
)  # fmt: skip
tickets_opened_daily = _view(
    "tickets_opened_daily", ("day", "branch_id"),
    Column("day", Date), Column("branch_id", Integer), _count("opened"),
)  # fmt: skip
tickets_resolved_daily = _view(
    "tickets_resolved_daily", ("day", "branch_id"),
    Column("day", Date), Column("branch_id", Integer), _count("resolved"),
    _count("csat_sum"), _count("csat_count"),
)  # fmt: skip
calls_daily = _view(
    "calls_daily", ("day", "branch_id"),
    Column("day", Date), Column("branch_id", Integer), _count("calls"),
    _count("appointments_set"),
)  # fmt: skip
knocks_daily = _view(
    "knocks_daily", ("day", "branch_id"),
    Column("day", Date), Column("branch_id", Integer), _count("knocks"), _count("leads"),
)  # fmt: skip
api_daily = _view(
    "api_daily", ("day", "service"),
    Column("day", Date), Column("service", Text), _count("requests"), _count("errors"),
)  # fmt: skip
health_daily = _view(
    "health_daily", ("day", "service"),
    Column("day", Date), Column("service", Text), _count("checks"), _count("ok"),
)  # fmt: skip
spend_monthly = _view(
    "spend_monthly", ("day", "branch_id", "source_id"),
    Column("day", Date), Column("branch_id", Integer), Column("source_id", Integer),
    _money("amount"),
)  # fmt: skip

sales_branch_daily = _view(
    "sales_branch_daily", ("day", "branch_id"),
    Column("day", Date), Column("branch_id", Integer),
    _money("net_revenue"), _money("bookings"), _count("sales"),
    rollup_of="sales_daily",
)  # fmt: skip
leads_branch_daily = _view(
    "leads_branch_daily", ("day", "branch_id"),
    Column("day", Date), Column("branch_id", Integer),
    _count("leads"), _count("with_appointment"), _count("with_ran_appointment"),
    _count("with_active_sale"), rollup_of="leads_daily",
)  # fmt: skip

VIEWS: dict[str, Table] = {t.name: t for t in view_metadata.tables.values()}  # costliest first
VIEW_NAMES: tuple[str, ...] = tuple(VIEWS)
