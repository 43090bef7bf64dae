-- Appointments per local scheduled day and appointment branch.
select (a.scheduled_for at time zone {tz})::date as day,
       a.branch_id,
       count(*) filter (where a.status = 'ran') as ran,
       count(*) filter (where a.status = 'ran' and a.result = 'sold') as ran_sold
from crm.appointments a
group by 1, 2
