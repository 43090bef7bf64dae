-- Door knocks per local day and knock branch.
select (k.knocked_at at time zone {tz})::date as day,
       k.branch_id,
       count(*) as knocks,
       count(*) filter (where k.outcome = 'lead') as leads
from crm.door_knocks k
group by 1, 2
