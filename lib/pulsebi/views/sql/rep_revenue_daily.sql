-- Split revenue (amount x share) of active sales per local sale day, sale branch and employee.
select (s.sold_at at time zone {tz})::date as day,
       s.branch_id,
       sp.employee_id,
       sum(s.amount * sp.share) as revenue
from crm.sale_splits sp
join crm.sales s on s.id = sp.sale_id
where s.status = 'active'
group by 1, 2, 3
