-- Roll-up of leads_daily without the source.
select day, branch_id, sum(leads)::bigint as leads,
       sum(with_appointment)::bigint as with_appointment,
       sum(with_ran_appointment)::bigint as with_ran_appointment,
       sum(with_active_sale)::bigint as with_active_sale
from bi.leads_daily
group by 1, 2
