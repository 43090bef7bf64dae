-- Roll-up of leads_branch_daily by week (Monday; 0001-01-01 was a Monday): 7x fewer rows.
select day - (day - date '0001-01-01') % 7 as day, branch_id,
       sum(leads)::bigint as leads, sum(with_appointment)::bigint as with_appointment,
       sum(with_ran_appointment)::bigint as with_ran_appointment,
       sum(with_active_sale)::bigint as with_active_sale
from bi.leads_branch_daily
group by 1, 2
