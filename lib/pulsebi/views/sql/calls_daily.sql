-- Telemarketing calls per local day and call branch.
select (c.called_at at time zone {tz})::date as day,
       c.branch_id,
       count(*) as calls,
       count(*) filter (where c.outcome = 'appointment_set') as appointments_set
from crm.calls c
group by 1, 2
