-- Roll-up of sales_daily without the source: what branch-level questions read (10x fewer rows).
select day, branch_id, sum(net_revenue) as net_revenue, sum(bookings) as bookings,
       sum(sales)::bigint as sales
from bi.sales_daily
group by 1, 2
