-- Leads per local creation day, lead branch and source, with their cohort outcomes (at any time).
-- Joins to the distinct lead ids (hash aggregates and joins spill to disk when they must; a
-- hashed `in (subquery)` would silently turn into a per-row rescan once too big for memory).
select (l.created_at at time zone {tz})::date as day,
       l.branch_id,
       l.source_id,
       count(*) as leads,
       count(a.lead_id) as with_appointment,
       count(a.lead_id) filter (where a.ran) as with_ran_appointment,
       count(s.lead_id) as with_active_sale
from crm.leads l
left join (select lead_id, bool_or(status = 'ran') as ran from crm.appointments group by lead_id) a
       on a.lead_id = l.id
left join (select distinct lead_id from crm.sales where status = 'active') s on s.lead_id = l.id
group by 1, 2, 3
