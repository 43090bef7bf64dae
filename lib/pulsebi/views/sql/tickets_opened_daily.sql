-- Service tickets per local opening day and ticket branch.
select (t.opened_at at time zone {tz})::date as day,
       t.branch_id,
       count(*) as opened
from crm.service_tickets t
group by 1, 2
