"""The views in `bi`: their columns (for queries), unique keys and how each is built (for refresh).

Every view is a daily (or monthly, for spend; weekly, for the weekly roll-ups) aggregate whose
`day` is the local date in the reporting time zone; the DDL lives in `sql/<name>.sql` with a
`{tz}` placeholder. A view is one materialized view, except one built in `parts`: then
`sql/<name>.sql` selects part `{part}` of `{parts}`, each part is a materialized view of its own
(`<name>_part<i>`, refreshed side by side with the others), and `bi.<name>` is a plain view of
their union, where a key may appear once per part (every reader sums).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, Integer, MetaData, Numeric, Table, Text

BI = "bi"

# Not part of pulsebi.db.schema.metadata: views are built by ensure_views, not by migrations.
view_metadata = MetaData()


def _view(
    name: str,
    keys: tuple[str, ...],
    *columns: Column,
    rollup_of: str | None = None,
    parts: int = 1,
    planner: tuple[tuple[str, str], ...] = (),
) -> Table:
    table = Table(name, view_metadata, *columns, schema=BI)
    table.info["keys"] = keys
    table.info["rollup_of"] = rollup_of  # built from that view: refreshed after it
    table.info["parts"] = parts
    table.info["planner"] = planner  # planner settings for building it (set local)
    return table


def materialized_names(name: str) -> tuple[str, ...]:
    """The materialized views that hold view `name`: itself, or its parts."""
    parts = VIEWS[name].info["parts"]
    return (name,) if parts == 1 else tuple(f"{name}_part{i}" for i in range(parts))


def _count(name: str) -> Column:
    return Column(name, BigInteger)


def _money(name: str) -> Column:
    return Column(name, Numeric)


DAY = "day"

# Costliest first: the refresh hands them to its workers in this order.
# In parts by lead id: each joins only its share of the leads (hash tables a quarter the size:
# 9.5 s alone as one view on 5M sales, ~8 s as parts), and the parts refresh side by side.
sales_daily = _view(
    "sales_daily",
    ("day", "branch_id", "source_id"),
    Column("day", Date),
    Column("branch_id", Integer),
    Column("source_id", Integer),
    _money("net_revenue"),
    _money("bookings"),
    _count("sales"),
    parts=4,
)
# Merge joins along the leads' primary key and the active sales' lead index instead of hash
# tables of a million leads: 4.0 -> 2.3 s on 1.1M leads (the planner prefers the hashes).
leads_daily = _view(
    "leads_daily",
    ("day", "branch_id", "source_id"),
    Column("day", Date),
    Column("branch_id", Integer),
    Column("source_id", Integer),
    _count("leads"),
    _count("with_appointment"),
    _count("with_ran_appointment"),
    _count("with_active_sale"),
    planner=(("enable_hashjoin", "off"),),
)
rep_revenue_daily = _view(
    "rep_revenue_daily",
    ("day", "branch_id", "employee_id"),
    Column("day", Date),
    Column("branch_id", Integer),
    Column("employee_id", Integer),
    _money("revenue"),
)
appointments_daily = _view(
    "appointments_daily",
    ("day", "branch_id"),
    Column("day", Date),
    Column("branch_id", Integer),
    _count("ran"),
    _count("ran_sold"),
)
jobs_daily = _view(
    "jobs_daily",
    ("day", "branch_id"),
    Column("day", Date),
    Column("branch_id", Integer),
    _count("not_canceled"),
    _count("completed"),
)
tickets_opened_daily = _view(
    "tickets_opened_daily",
    ("day", "branch_id"),
    Column("day", Date),
    Column("branch_id", Integer),
    _count("opened"),
)
tickets_resolved_daily = _view(
    "tickets_resolved_daily",
    ("day", "branch_id"),
    Column("day", Date),
    Column("branch_id", Integer),
    _count("resolved"),
    _count("csat_sum"),
    _count("csat_count"),
)
calls_daily = _view(
    "calls_daily",
    ("day", "branch_id"),
    Column("day", Date),
    Column("branch_id", Integer),
    _count("calls"),
    _count("appointments_set"),
)
knocks_daily = _view(
    "knocks_daily",
    ("day", "branch_id"),
    Column("day", Date),
    Column("branch_id", Integer),
    _count("knocks"),
    _count("leads"),
)
api_daily = _view(
    "api_daily",
    ("day", "service"),
    Column("day", Date),
    Column("service", Text),
    _count("requests"),
    _count("errors"),
)
health_daily = _view(
    "health_daily",
    ("day", "service"),
    Column("day", Date),
    Column("service", Text),
    _count("checks"),
    _count("ok"),
)
spend_monthly = _view(
    "spend_monthly",
    ("day", "branch_id", "source_id"),
    Column("day", Date),
    Column("branch_id", Integer),
    Column("source_id", Integer),
    _money("amount"),
)

sales_branch_daily = _view(
    "sales_branch_daily",
    ("day", "branch_id"),
    Column("day", Date),
    Column("branch_id", Integer),
    _money("net_revenue"),
    _money("bookings"),
    _count("sales"),
    rollup_of="sales_daily",
)
leads_branch_daily = _view(
    "leads_branch_daily",
    ("day", "branch_id"),
    Column("day", Date),
    Column("branch_id", Integer),
    _count("leads"),
    _count("with_appointment"),
    _count("with_ran_appointment"),
    _count("with_active_sale"),
    rollup_of="leads_daily",
)


def _weekly(daily: Table) -> Table:
    """The weekly roll-up of `daily` (`day` = the Monday starting the week): its very columns
    and keys, so a query can read whole weeks here and the days at its ends from `daily`."""
    columns = (Column(col.name, col.type) for col in daily.columns)
    name = daily.name.removesuffix("_daily") + "_weekly"
    return _view(name, daily.info["keys"], *columns, rollup_of=daily.name)


# Weekly roll-ups: a query over a long period reads its whole weeks there (metrics.query).
WEEKLY: dict[str, Table] = {
    daily.name: _weekly(daily)
    for daily in (appointments_daily, sales_branch_daily, leads_branch_daily)
}

# definition order: costliest first, each roll-up after its base
VIEWS: dict[str, Table] = {t.name: t for t in view_metadata.tables.values()}
VIEW_NAMES: tuple[str, ...] = tuple(VIEWS)
