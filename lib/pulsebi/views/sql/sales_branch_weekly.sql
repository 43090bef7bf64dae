-- Roll-up of sales_branch_daily by week (Monday; 0001-01-01 was a Monday): 7x fewer rows.
select day - (day - date '0001-01-01') % 7 as day, branch_id,
       sum(net_revenue) as net_revenue, sum(bookings) as bookings, sum(sales)::bigint as sales
from bi.sales_branch_daily
group by 1, 2
