-- Sales per local day, sale branch and the lead's source (null when the lead is missing).
select (s.sold_at at time zone {tz})::date as day,
       s.branch_id,
       l.source_id,
       coalesce(sum(s.amount) filter (where s.status = 'active'), 0) as net_revenue,
       sum(s.amount) as bookings,
       count(*) as sales
from crm.sales s
left join crm.leads l on l.id = s.lead_id
group by 1, 2, 3
