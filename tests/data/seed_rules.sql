-- The contract's reconciliation rules, written plainly (tests/data/test_seed.py).
-- Parameters: :tz (reporting zone). Needs a temporary table `invoices` (the accounting export).

-- name: ghost_appointment
select 'ghost_appointment' as kind,
       case when exists (select 1 from crm.sales s where s.appointment_id = a.id)
            then 'no_job' else 'no_sale' end as reason,
       a.id as appointment_id, null::bigint as sale_id, null::text as invoice_no
from crm.appointments a
where a.status = 'ran' and a.result = 'sold'
  and not exists (select 1 from crm.sales s join crm.jobs j on j.sale_id = s.id
                  where s.appointment_id = a.id);

-- name: split
with active as (select * from crm.sales where status = 'active'),
problems as (
  select s.id, 'no_split' as reason from active s
  where not exists (select 1 from crm.sale_splits x where x.sale_id = s.id)
  union
  select s.id, 'share_sum' from active s join crm.sale_splits x on x.sale_id = s.id
  group by s.id having abs(sum(x.share) - 1) > 0.0001
  union
  select s.id, 'commission_mismatch' from active s join crm.sale_splits x on x.sale_id = s.id
  where abs(x.commission - round(s.amount * s.commission_rate * x.share, 2)) > 0.01
  union
  select s.id, 'duplicate_employee' from active s join crm.sale_splits x on x.sale_id = s.id
  group by s.id, x.employee_id having count(*) > 1
  union
  select s.id, 'employee_missing' from active s join crm.sale_splits x on x.sale_id = s.id
  where not exists (select 1 from crm.employees e where e.id = x.employee_id)
  union
  select s.id, 'not_sales_rep' from active s join crm.sale_splits x on x.sale_id = s.id
  join crm.employees e on e.id = x.employee_id where e.role <> 'sales_rep'
  union
  select s.id, 'not_employed' from active s join crm.sale_splits x on x.sale_id = s.id
  join crm.employees e on e.id = x.employee_id
  where (s.sold_at at time zone :tz)::date < e.hired_on
     or (s.sold_at at time zone :tz)::date > e.terminated_on
)
select 'split' as kind, reason, null::bigint as appointment_id, id as sale_id,
       null::text as invoice_no
from problems;

-- name: external
select 'external' as kind, 'amount_mismatch' as reason, null::bigint as appointment_id,
       s.id as sale_id, i.invoice_no
from crm.sales s join invoices i on i.invoice_no = s.external_ref
where abs(i.amount - s.amount) > 0.01
union all
select 'external', 'status_mismatch', null, s.id, i.invoice_no
from crm.sales s join invoices i on i.invoice_no = s.external_ref
where (s.status = 'canceled' and i.status <> 'void') or (s.status = 'active' and i.status = 'void')
union all
select 'external', 'missing_in_crm', null, null, i.invoice_no
from invoices i where not exists (select 1 from crm.sales s where s.external_ref = i.invoice_no)
union all
select 'external', 'missing_externally', null, s.id, s.external_ref
from crm.sales s
where s.status = 'active' and s.sold_at < now() - interval '7 days'
  and not exists (select 1 from invoices i where i.invoice_no = s.external_ref);
