-- Marketing spend per month (a date, no time zone involved), spend branch and source.
select m.month as day,
       m.branch_id,
       m.source_id,
       sum(m.amount) as amount
from crm.marketing_spend m
group by 1, 2, 3
