-- API requests per local day and service.
select (r.ts at time zone {tz})::date as day,
       r.service,
       count(*) as requests,
       count(*) filter (where r.status_code >= 500) as errors
from crm.api_requests r
group by 1, 2
