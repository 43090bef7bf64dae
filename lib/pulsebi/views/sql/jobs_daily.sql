-- Jobs per local creation day and job branch.
select (j.created_at at time zone {tz})::date as day,
       j.branch_id,
       count(*) filter (where j.status <> 'canceled') as not_canceled,
       count(*) filter (where j.status = 'completed') as completed
from crm.jobs j
group by 1, 2
