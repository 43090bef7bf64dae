"""Live KPIs: crm tables that feed live tiles NOTIFY `pulsebi_crm` when they change.

Statement-level AFTER triggers with transition tables: one notification per statement and
branch, however many rows the statement wrote, so bulk loads (COPY, INSERT ... SELECT) send a
handful of notifications instead of one per row. Payload (JSON):
``{"table", "branch_id", "id" (the row id when the statement wrote one row of that branch, else
null), "op", "rows"}``. TRUNCATE sends one notification with a null branch. A session (or
transaction) that sets ``pulsebi.notify = 'off'`` sends none.

Revision ID: 0005
Revises: 0001
"""

from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen copy as of this revision (pulsebi.live.triggers names the same channel and tables).
CHANNEL = "pulsebi_crm"
TABLES = ("sales", "leads", "appointments", "calls", "door_knocks", "service_tickets", "jobs")
FUNCTION = "bi.notify_crm_change"

FUNCTION_SQL = f"""
create or replace function {FUNCTION}() returns trigger
language plpgsql as $$
declare
    n bigint;
    b0 integer;
    b1 integer;
    first_id bigint;
    r record;
begin
    if current_setting('pulsebi.notify', true) = 'off' then
        return null;
    end if;
    if tg_op = 'TRUNCATE' then
        perform pg_notify('{CHANNEL}', json_build_object(
            'table', tg_table_name, 'branch_id', null, 'id', null, 'op', tg_op, 'rows', null
        )::text);
        return null;
    end if;
    -- the common case (one row, or rows of one branch) costs one aggregate over the rows
    if tg_op = 'INSERT' then
        select count(*), min(branch_id), max(branch_id), min(id) into n, b0, b1, first_id
        from new_rows;
    elsif tg_op = 'DELETE' then
        select count(*), min(branch_id), max(branch_id), min(id) into n, b0, b1, first_id
        from old_rows;
    else
        select count(*), min(branch_id), max(branch_id), min(id) into n, b0, b1, first_id
        from (select branch_id, id from new_rows union select branch_id, id from old_rows) t;
    end if;
    if n = 0 then
        return null;
    end if;
    if b0 = b1 then
        perform pg_notify('{CHANNEL}', json_build_object(
            'table', tg_table_name, 'branch_id', b0,
            'id', case when n = 1 then first_id end, 'op', tg_op, 'rows', n
        )::text);
        return null;
    end if;
    -- several branches: one notification each (an UPDATE moving a row touches both)
    if tg_op = 'INSERT' then
        for r in select branch_id, min(id) as id, count(*) as n from new_rows group by branch_id
        loop
            perform pg_notify('{CHANNEL}', json_build_object('table', tg_table_name,
                'branch_id', r.branch_id, 'id', case when r.n = 1 then r.id end,
                'op', tg_op, 'rows', r.n)::text);
        end loop;
    elsif tg_op = 'DELETE' then
        for r in select branch_id, min(id) as id, count(*) as n from old_rows group by branch_id
        loop
            perform pg_notify('{CHANNEL}', json_build_object('table', tg_table_name,
                'branch_id', r.branch_id, 'id', case when r.n = 1 then r.id end,
                'op', tg_op, 'rows', r.n)::text);
        end loop;
    else
        for r in
            select branch_id, min(id) as id, count(*) as n
            from (select branch_id, id from new_rows union select branch_id, id from old_rows) t
            group by branch_id
        loop
            perform pg_notify('{CHANNEL}', json_build_object('table', tg_table_name,
                'branch_id', r.branch_id, 'id', case when r.n = 1 then r.id end,
                'op', tg_op, 'rows', r.n)::text);
        end loop;
    end if;
    return null;
end
$$
"""

# (trigger suffix, event, REFERENCING clause): transition tables allow one event per trigger.
TRIGGERS = (
    ("ins", "insert", "referencing new table as new_rows"),
    ("upd", "update", "referencing old table as old_rows new table as new_rows"),
    ("del", "delete", "referencing old table as old_rows"),
    ("trunc", "truncate", ""),
)


def upgrade() -> None:
    op.execute(FUNCTION_SQL)
    for table in TABLES:
        for suffix, event, referencing in TRIGGERS:
            op.execute(
                f"create trigger pulsebi_notify_{suffix} after {event} on crm.{table} "
                f"{referencing} for each statement execute function {FUNCTION}()"
            )


def downgrade() -> None:
    for table in TABLES:
        for suffix, _, _ in TRIGGERS:
            op.execute(f"drop trigger if exists pulsebi_notify_{suffix} on crm.{table}")
    op.execute(f"drop function if exists {FUNCTION}()")
