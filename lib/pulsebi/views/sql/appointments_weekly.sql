-- Roll-up of appointments_daily by week (Monday; 0001-01-01 was a Monday): 7x fewer rows.
select day - (day - date '0001-01-01') % 7 as day, branch_id,
       sum(ran)::bigint as ran, sum(ran_sold)::bigint as ran_sold
from bi.appointments_daily
group by 1, 2
