-- Sales per local day, sale branch and the lead's source (null when the lead is missing), part
-- {part} of {parts} by lead id: the leads joined are those of the same part.
select (s.sold_at at time zone {tz})::date as day,
       s.branch_id,
       l.source_id,
       coalesce(sum(s.amount) filter (where s.status = 'active'), 0) as net_revenue,
       -- each sale is added once (status is never null): one numeric addition per row, not two
       coalesce(sum(s.amount) filter (where s.status = 'active'), 0)
           + coalesce(sum(s.amount) filter (where s.status <> 'active'), 0) as bookings,
       count(*) as sales
from crm.sales s
left join (select id, source_id from crm.leads where abs(id % {parts}) = {part}) l
       on l.id = s.lead_id
where abs(s.lead_id % {parts}) = {part}
group by 1, 2, 3
