-- Split integrity of active sales: one row per sale and reason.
-- Exact numeric arithmetic; tolerances are inclusive (a difference equal to it is fine).
-- Only the few offending split rows are aggregated in detail; every split is touched once
-- for its sale's share sum, once for duplicate employees, once for its per-split checks.
with sale as (
    select s.id, s.branch_id, s.sold_at, s.amount, s.commission_rate
    from crm.sales s
    where s.status = 'active'
      and (cast(:branch as text) is null
           or s.branch_id in (select b.id from crm.branches b where b.code = :branch))
      and (cast(:date_from as date) is null
           or s.sold_at >= cast(:date_from as date)::timestamp at time zone :tz)
      and (cast(:date_to as date) is null
           or s.sold_at < cast(:date_to as date)::timestamp at time zone :tz)
),
employee as (
    -- employment as instants: from local midnight of hired_on to local midnight after
    -- terminated_on, so a sale's local date is inside both days inclusive
    select e.id, e.role, e.hired_on, e.terminated_on,
           e.hired_on::timestamp at time zone :tz as employed_from,
           (e.terminated_on + 1)::timestamp at time zone :tz as employed_until
    from crm.employees e
),
split as materialized (
    -- a sale without any split keeps one row with split_id null (-> no_split)
    select sp.id as split_id, s.id as sale_id, sp.employee_id, sp.share, sp.commission,
           s.amount, s.commission_rate, s.sold_at, s.branch_id
    from sale s
    left join crm.sale_splits sp on sp.sale_id = s.id
),
total as materialized (
    -- shares in ten-thousandths: numeric(5,4) x 10000 is an exact integer, and an integer
    -- sum is far cheaper than a numeric one; |sum - 10000| > 1 is |sum(share) - 1| > 0.0001
    select sale_id, count(*) as splits, sum((share * 10000)::integer) as units
    from split
    where split_id is not null
    group by sale_id
),
off_sum as (
    select sale_id from total where abs(units - 10000) > 1
),
checked as (
    select x.*,
           abs(x.commission - x.expected) > 0.01 as bad_commission,
           not x.missing and x.role <> 'sales_rep' as bad_role,
           coalesce(x.unemployed, false) as bad_dates
    from (
        select sp.*, round(sp.amount * sp.commission_rate * sp.share, 2) as expected,
               e.id is null as missing, e.role, e.hired_on, e.terminated_on,
               sp.sold_at < e.employed_from or sp.sold_at >= e.employed_until as unemployed
        from split sp
        left join employee e on e.id = sp.employee_id
        where sp.split_id is not null
    ) x
),
bad as (
    select * from checked
    where bad_commission or missing or bad_role or bad_dates
),
per_sale as (
    select sale_id,
           -- commission: the first mismatching split's figures, all of them in the detail
           (array_agg(employee_id order by split_id) filter (where bad_commission))[1] as comm_emp,
           (array_agg(expected order by split_id) filter (where bad_commission))[1] as comm_expected,
           (array_agg(commission order by split_id) filter (where bad_commission))[1] as comm_recorded,
           string_agg('employee ' || employee_id || ': expected ' || expected || ', recorded '
                      || commission, '; ' order by split_id) filter (where bad_commission) as comm_detail,
           min(employee_id) filter (where missing) as missing_emp,
           string_agg(employee_id::text, ', ' order by split_id) filter (where missing) as missing_list,
           (array_agg(employee_id order by split_id) filter (where bad_role))[1] as role_emp,
           (array_agg(role order by split_id) filter (where bad_role))[1] as role_role,
           string_agg('employee ' || employee_id || ' is ' || role, '; ' order by split_id)
               filter (where bad_role) as role_detail,
           (array_agg(employee_id order by split_id) filter (where bad_dates))[1] as date_emp,
           (array_agg(hired_on order by split_id) filter (where bad_dates))[1] as date_hired,
           (array_agg(terminated_on order by split_id) filter (where bad_dates))[1] as date_terminated,
           string_agg('employee ' || employee_id || ' employed ' || hired_on || ' to '
                      || coalesce(terminated_on::text, 'now'), '; ' order by split_id)
               filter (where bad_dates) as date_detail
    from bad
    group by sale_id
),
duplicate as (
    select sale_id, min(employee_id) as employee_id,
           string_agg('employee ' || employee_id || ' ' || times || ' times', '; '
                      order by employee_id) as detail
    from (select sale_id, employee_id, count(*) as times
          from split
          where sale_id in (select t.sale_id from total t where t.splits > 1)
          group by sale_id, employee_id having count(*) > 1) d
    group by sale_id
),
exception as (
    select 'share_sum' as reason, o.sale_id, null::integer as employee_id,
           null::numeric as expected, null::numeric as recorded, null::text as role,
           null::date as hired_on, null::date as terminated_on, null::text as detail
    from off_sum o
    union all
    select 'commission_mismatch', p.sale_id, p.comm_emp, p.comm_expected, p.comm_recorded,
           null, null, null, p.comm_detail
    from per_sale p where p.comm_emp is not null
    union all
    select 'duplicate_employee', d.sale_id, d.employee_id, null, null, null, null, null, d.detail
    from duplicate d
    union all
    select 'employee_missing', p.sale_id, p.missing_emp, null, null, null, null, null,
           'no employee ' || p.missing_list
    from per_sale p where p.missing_emp is not null
    union all
    select 'not_sales_rep', p.sale_id, p.role_emp, null, null, p.role_role, null, null,
           p.role_detail
    from per_sale p where p.role_detail is not null
    union all
    select 'not_employed', p.sale_id, p.date_emp, null, null, null, p.date_hired,
           p.date_terminated, p.date_detail
    from per_sale p where p.date_detail is not null
    union all
    select 'no_split', sp.sale_id, null, null, null, null, null, null, 'the sale has no split'
    from split sp where sp.split_id is null
),
stats as (
    -- the figures of the sales with an exception only (every such sale has a row in split)
    select sp.sale_id, count(sp.split_id) as splits, sum(sp.share) as share_sum,
           string_agg(sp.share::text, ' + ' order by sp.split_id) as shares,
           min(sp.branch_id) as branch_id, min(sp.sold_at) as sold_at,
           min(sp.amount) as amount, min(sp.commission_rate) as commission_rate
    from split sp
    where sp.sale_id in (select sale_id from exception)
    group by sp.sale_id
)
select
    x.reason,
    x.sale_id,
    x.employee_id,
    b.code as branch,
    s.sold_at,
    (s.sold_at at time zone :tz)::date as sold_on,
    s.amount,
    s.commission_rate,
    s.splits,
    s.share_sum,
    x.expected as expected_commission,
    x.recorded as recorded_commission,
    x.recorded - x.expected as commission_difference,
    x.role,
    x.hired_on,
    x.terminated_on,
    case x.reason
        when 'share_sum' then 'shares ' || s.shares || ' = ' || s.share_sum
        when 'not_employed' then x.detail || '; sold ' || (s.sold_at at time zone :tz)::date
        else x.detail
    end as detail
from exception x
join stats s on s.sale_id = x.sale_id
left join crm.branches b on b.id = s.branch_id
order by x.sale_id,
         array_position(array['share_sum', 'commission_mismatch', 'duplicate_employee',
                               'employee_missing', 'not_sales_rep', 'not_employed',
                               'no_split'], x.reason)
