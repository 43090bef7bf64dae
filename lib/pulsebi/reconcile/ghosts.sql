-- Ghost appointments: ran and sold, yet no job exists whose sale points to the appointment.
-- Any sale and any job count as matching, whatever their status.
with sold as (
    select a.id, a.branch_id, a.lead_id, a.rep_id, a.scheduled_for
    from crm.appointments a
    where a.status = 'ran' and a.result = 'sold'
      and (cast(:branch as text) is null
           or a.branch_id in (select b.id from crm.branches b where b.code = :branch))
      and (cast(:date_from as date) is null
           or a.scheduled_for >= cast(:date_from as date)::timestamp at time zone :tz)
      and (cast(:date_to as date) is null
           or a.scheduled_for < cast(:date_to as date)::timestamp at time zone :tz)
),
ghost as materialized (
    select g.*
    from sold g
    where not exists (
        select 1 from crm.sales s join crm.jobs j on j.sale_id = s.id
        where s.appointment_id = g.id
    )
)
select
    case when t.sale_id is null then 'no_sale' else 'no_job' end as reason,
    g.id as appointment_id,
    t.sale_id,
    b.code as branch,
    g.scheduled_for,
    (g.scheduled_for at time zone :tz)::date as scheduled_on,
    g.rep_id,
    g.lead_id,
    coalesce(t.sales, 0) as sales,
    case when t.sale_id is null
         then 'no sale points to this appointment'
         when t.sales = 1 then 'sale ' || t.sale_list || ' has no job'
         else 'sales ' || t.sale_list || ' have no job'
    end as detail
from ghost g
-- per ghost (few) through ix_sales_appointment_id (migration 0004)
left join lateral (
    select min(s.id) as sale_id, count(*) as sales,
           string_agg(s.id::text || ' (' || s.status || ')', ', ' order by s.id) as sale_list
    from crm.sales s
    where s.appointment_id = g.id
) t on true
left join crm.branches b on b.id = g.branch_id
order by g.id
