"""The metric layer: every figure on every surface comes from here.

    from pulsebi import metrics
    metrics.catalog()                       # list[MetricInfo]
    metrics.compute("net_revenue", start=date(2026, 1, 1), end=date(2026, 7, 1),
                    by=["branch"], grain="month")   # pandas DataFrame
    metrics.compute("net_revenue", start=date(2026, 3, 2), end=date(2026, 3, 4),
                    until=time(9, 45))      # Mar 2 and Mar 3 until 09:45 (local)
    metrics.data_as_of()                    # datetime of the last view refresh

Definitions are the contract's (shared/docs/crm-contract.md); results are exact (money as
Decimal, rates as float fractions, null over no rows).

Result frame: the `by` dimensions in the order asked, each key followed by its label
(`branch`, `branch_name`; `rep`, `rep_name`; `source`, `source_name`; `channel`; `service`),
then `period` (the bucket's calendar start) when a grain is given, then the value column(s)
(`MetricInfo.columns`: the id, or `days_outstanding_mean` / `_max`; `rep_ranking` rows are
`branch, rank, rep, rep_name, rep_revenue`). Every member and every bucket is listed; rows
whose id does not resolve form one group keyed None. Money columns hold Decimal (0 when
empty), counts int, rates/means/percentiles float (NaN in the frame when over no rows).

To a time of day: `until=time(9, 45)` cuts the period's last day (`end` − 1) at that local
clock time, [start 00:00, (end − 1) 09:45) in the reporting zone (the contract's to-date
comparisons; `pulsebi kpi --until`). Whole days are read from the views, the cut day from the
crm tables (`metrics.cut`); results are cached per `until`.

Ids (`rep`, `source`, `telemarketer`, `canvasser`) are Int64 columns: integers, `<NA>` for
the null group (a float column would print `1.0`).

Freshness: period metrics read the `bi` views as of their last refresh (`data_as_of`), or the
crm tables with `fresh=True`. Snapshot metrics (pipeline_value, weighted_pipeline,
jobs_in_progress, days_outstanding) read the crm tables at the instant of the query, ignore
`start`/`end`, and are cached at most `compute.SNAPSHOT_TTL` (15) seconds.

Where the contract is silent: a branch with scheduled appointments but no active sale in the
trailing 90 days has a null pipeline (the total sums the branches that have one); trailing
90 days is `now() - interval '90 days'` in the reporting zone; marketing_roi takes only month
and year grains and, ungrouped, is all net revenue (the null-source group too) over all
spend; rep_revenue sums split rows (an employee twice on one sale counts twice); by source
and by channel cannot be combined.

Beyond the contract's table (departments.py, due.py), for the executive dashboard and the
scorecards; each catalog definition says its choices: lead_funnel, rep_sales, pipeline_due /
weighted_pipeline_due (a period, but relative to now: cached like snapshots), jobs_created,
csat_top2_share, set_appointments_ran/_sold, canvass_lead_rate, canvass_sales/_revenue. Extra
dimensions: job_status and priority (the contract's values, then any other value present),
category (every value present), telemarketer and canvasser (every employee of that role; ids
of anyone else and dangling ids form the null group, as do non-rep `rep_id`s for closing_rate
by rep; rep_sales follows rep_revenue: splits of non-reps count for no one). Metrics grouped
by these dimensions read the crm tables (the views hold no such column): between refreshes
they may be newer than the same metric ungrouped. Row lists (oldest open jobs and tickets)
are in `metrics.details`, the platform's own health in `metrics.platform`.
"""

from pulsebi.metrics.catalog import DIMENSIONS, GRAINS, UNITS, MetricInfo, catalog
from pulsebi.metrics.compute import compute, data_as_of, metric_info

__all__ = [
    "DIMENSIONS",
    "GRAINS",
    "UNITS",
    "MetricInfo",
    "catalog",
    "compute",
    "data_as_of",
    "metric_info",
]
