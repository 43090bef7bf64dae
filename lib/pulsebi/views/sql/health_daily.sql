-- Health checks per local day and service.
select (h.ts at time zone {tz})::date as day,
       h.service,
       count(*) as checks,
       count(*) filter (where h.ok) as ok
from crm.health_checks h
group by 1, 2
