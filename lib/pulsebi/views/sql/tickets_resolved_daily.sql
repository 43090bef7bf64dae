-- Resolved service tickets per local resolution day and ticket branch, with their csat.
select (t.resolved_at at time zone {tz})::date as day,
       t.branch_id,
       count(*) as resolved,
       coalesce(sum(t.csat), 0) as csat_sum,
       count(t.csat) as csat_count
from crm.service_tickets t
where t.resolved_at is not null
group by 1, 2
