-- CRM sales against the accounting export (TEMP table reconcile_invoices), matched by
-- external_ref = invoice_no exactly; every matched pair is compared, duplicates included.
with sale as not materialized (
    select s.id, s.branch_id, s.sold_at, s.amount, s.status, s.external_ref
    from crm.sales s
    where (cast(:branch as text) is null
           or s.branch_id in (select b.id from crm.branches b where b.code = :branch))
      and (cast(:date_from as date) is null
           or s.sold_at >= cast(:date_from as date)::timestamp at time zone :tz)
      and (cast(:date_to as date) is null
           or s.sold_at < cast(:date_to as date)::timestamp at time zone :tz)
),
pair as (
    -- each matched pair once; only those with a problem are kept (few)
    select p.*
    from (
        select s.id as sale_id, s.branch_id, s.sold_at, s.status as sale_status,
               s.amount as crm_amount, i.invoice_no, i.amount as invoice_amount,
               i.status as invoice_status, i.invoiced_on, i.customer, i.line,
               abs(s.amount - i.amount) > 0.01 as bad_amount,
               (s.status = 'canceled' and i.status <> 'void')
               or (s.status = 'active' and i.status = 'void') as bad_status
        from sale s
        join pg_temp.reconcile_invoices i on i.invoice_no = s.external_ref
    ) p
    where p.bad_amount or p.bad_status
),
exception as (
    select 1 as rank, 'amount_mismatch' as reason, sale_id, branch_id, sold_at, sale_status,
           crm_amount, invoice_no, invoice_amount, invoice_status, invoiced_on, customer, line
    from pair where bad_amount
    union all
    select 2, 'status_mismatch', sale_id, branch_id, sold_at, sale_status, crm_amount,
           invoice_no, invoice_amount, invoice_status, invoiced_on, customer, line
    from pair where bad_status
    union all
    -- an invoice has no branch: with a branch filter it cannot be attributed, so it is left out
    select 3, 'missing_in_crm', null, null, null, null, null, i.invoice_no, i.amount, i.status,
           i.invoiced_on, i.customer, i.line
    from pg_temp.reconcile_invoices i
    where cast(:branch as text) is null
      and (cast(:date_from as date) is null or i.invoiced_on >= cast(:date_from as date))
      and (cast(:date_to as date) is null or i.invoiced_on < cast(:date_to as date))
      and not exists (select 1 from crm.sales s where s.external_ref = i.invoice_no)
    union all
    select 4, 'missing_externally', s.id, s.branch_id, s.sold_at, s.status, s.amount,
           s.external_ref, null, null, null, null, null
    from sale s
    where s.status = 'active'
      and s.sold_at < coalesce(cast(:now as timestamptz), now()) - interval '7 days'
      and not exists (select 1 from pg_temp.reconcile_invoices i
                      where i.invoice_no = s.external_ref)
)
select
    x.reason,
    x.invoice_no,
    x.sale_id,
    b.code as branch,
    x.sold_at,
    (x.sold_at at time zone :tz)::date as sold_on,
    x.sale_status,
    x.crm_amount,
    x.invoice_amount,
    x.crm_amount - x.invoice_amount as amount_difference,
    x.invoice_status,
    x.invoiced_on,
    x.customer,
    x.line as invoice_line
from exception x
left join crm.branches b on b.id = x.branch_id
order by x.rank, x.sale_id nulls last, x.invoice_no, x.line
