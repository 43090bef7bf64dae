-- Leads per local creation day, lead branch and source, with their cohort outcomes (at any time).
-- `in (subquery)` outside WHERE runs as one hashed subplan per table: no join, no sort.
select (l.created_at at time zone {tz})::date as day,
       l.branch_id,
       l.source_id,
       count(*) as leads,
       count(*) filter (where l.id in (select lead_id from crm.appointments)) as with_appointment,
       count(*) filter (
           where l.id in (select lead_id from crm.sales where status = 'active')
       ) as with_active_sale
from crm.leads l
group by 1, 2, 3
