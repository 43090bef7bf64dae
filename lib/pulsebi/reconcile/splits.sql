-- Split integrity of active sales: one row per sale and reason.
-- Exact numeric arithmetic; tolerances are inclusive (a difference equal to it is fine).
with sale as (
    select s.id, s.branch_id, s.sold_at, s.amount, s.commission_rate,
           (s.sold_at at time zone :tz)::date as sold_on
    from crm.sales s
    where s.status = 'active'
      and (cast(:branch as text) is null
           or s.branch_id in (select b.id from crm.branches b where b.code = :branch))
      and (cast(:date_from as date) is null
           or s.sold_at >= cast(:date_from as date)::timestamp at time zone :tz)
      and (cast(:date_to as date) is null
           or s.sold_at < cast(:date_to as date)::timestamp at time zone :tz)
),
split as materialized (
    select sp.id as split_id, sp.sale_id, sp.employee_id, sp.share, sp.commission,
           round(s.amount * s.commission_rate * sp.share, 2) as expected,
           e.id is null as missing, e.role, e.hired_on, e.terminated_on,
           s.sold_on < e.hired_on or s.sold_on > e.terminated_on as unemployed
    from crm.sale_splits sp
    join sale s on s.id = sp.sale_id
    left join crm.employees e on e.id = sp.employee_id
),
flagged as (
    select *,
           abs(commission - expected) > 0.01 as bad_commission,
           not missing and role <> 'sales_rep' as bad_role,
           coalesce(unemployed, false) as bad_dates
    from split
),
per_sale as (
    select sale_id, count(*) as splits, sum(share) as share_sum,
           string_agg(share::text, ' + ' order by split_id) as shares,
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
    from flagged
    group by sale_id
),
duplicate as (
    select sale_id, min(employee_id) as employee_id,
           string_agg('employee ' || employee_id || ' ' || times || ' times', '; '
                      order by employee_id) as detail
    from (select sale_id, employee_id, count(*) as times
          from split group by sale_id, employee_id having count(*) > 1) d
    group by sale_id
),
exception as (
    select 'share_sum' as reason, p.sale_id, null::integer as employee_id,
           null::numeric as expected, null::numeric as recorded, null::text as role,
           null::date as hired_on, null::date as terminated_on,
           'shares ' || p.shares || ' = ' || p.share_sum as detail
    from per_sale p where abs(p.share_sum - 1) > 0.0001
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
           p.date_terminated, p.date_detail || '; sold ' || s.sold_on
    from per_sale p join sale s on s.id = p.sale_id where p.date_detail is not null
    union all
    select 'no_split', s.id, null, null, null, null, null, null, 'the sale has no split'
    from sale s where not exists (select 1 from crm.sale_splits sp where sp.sale_id = s.id)
)
select
    x.reason,
    x.sale_id,
    x.employee_id,
    b.code as branch,
    s.sold_at,
    s.sold_on,
    s.amount,
    s.commission_rate,
    coalesce(p.splits, 0) as splits,
    p.share_sum,
    x.expected as expected_commission,
    x.recorded as recorded_commission,
    x.recorded - x.expected as commission_difference,
    x.role,
    x.hired_on,
    x.terminated_on,
    x.detail
from exception x
join sale s on s.id = x.sale_id
left join per_sale p on p.sale_id = x.sale_id
left join crm.branches b on b.id = s.branch_id
order by x.sale_id,
         array_position(array['share_sum', 'commission_mismatch', 'duplicate_employee',
                               'employee_missing', 'not_sales_rep', 'not_employed',
                               'no_split'], x.reason)
