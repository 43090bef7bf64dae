-- Multiply the sales side of a seeded database by :copies (psql -v copies=8) for the
-- reconciliation bench: each copy k shifts ids by k * 10,000,000 and suffixes external_ref
-- with '-k', so every injected problem is repeated and nothing new appears. Run it in a
-- database of its own (created from the seeded one as a template).
\set ON_ERROR_STOP on
select set_config('pulsebi.copies', :'copies', false);
insert into crm.appointments
select a.id + k * 10000000, a.lead_id + k * 10000000, a.branch_id, a.rep_id, a.set_by_id,
       a.created_at, a.scheduled_for, a.status, a.result
from crm.appointments a, generate_series(1, :copies - 1) k where a.id < 10000000;
insert into crm.sales
select s.id + k * 10000000, s.lead_id + k * 10000000, s.appointment_id + k * 10000000,
       s.branch_id, s.sold_at, s.amount, s.commission_rate, s.product, s.status, s.canceled_at,
       s.external_ref || '-' || k
from crm.sales s, generate_series(1, :copies - 1) k where s.id < 10000000;
insert into crm.sale_splits
select sp.id + k * 10000000, sp.sale_id + k * 10000000, sp.employee_id, sp.share, sp.commission
from crm.sale_splits sp, generate_series(1, :copies - 1) k where sp.id < 10000000;
insert into crm.jobs
select j.id + k * 10000000, j.sale_id + k * 10000000, j.branch_id, j.status, j.created_at,
       j.started_at, j.completed_at
from crm.jobs j, generate_series(1, :copies - 1) k where j.id < 10000000;
vacuum analyze crm.appointments, crm.sales, crm.sale_splits, crm.jobs;
