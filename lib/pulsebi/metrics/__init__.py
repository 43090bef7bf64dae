"""The metric layer: every figure on every surface comes from here.

    from pulsebi import metrics
    metrics.catalog()                       # list[MetricInfo]
    metrics.compute("net_revenue", start=date(2026, 1, 1), end=date(2026, 7, 1),
                    by=["branch"], grain="month")   # pandas DataFrame
    metrics.compute("net_revenue", start=date(2026, 3, 2), end=date(2026, 3, 4),
                    until=time(9, 45))      # Mar 2 and Mar 3 until 09:45 (local)
    metrics.compute("leads", start=date(2026, 1, 1), end=date(2027, 1, 1), grain="quarter",
                    where={"channel": ["tv", "radio"], "source": [7, 8]})  # filtered
    metrics.dimension_values("channel")     # [{"key": "canvass", "label": "canvass"}, ...]
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

Grains: day, week (from Monday), month, quarter (calendar quarters labelled by their first
day: 1 January, April, July, October) and year, in the reporting zone; marketing_roi takes
month, quarter and year (its spend rows are monthly and fall in quarters whole).

Filters: `where={dim: [values]}` keeps the rows whose dimension, as `by` groups them (the
contract's ruling: each row by its own branch_id, sales and leads by the lead's source_id...),
is one of the values: branch codes, channel/service/job_status/category/priority text, rep,
source, telemarketer and canvasser ids as int, None for the null group. A real WHERE, its
values bound parameters: a filtered rate is the rate over the kept rows, a filtered sum the
sum of the kept groups of `by`; a value no row has matches nothing. Filters on several
dimensions and `branch=` all apply (AND). A grouped dimension lists only the members the
filters keep (its own filter's; for source and channel, one hierarchy, also the sources of
the filtered channels and the channels of the filtered sources). A dimension the metric is
not split by, values that are not a non-empty list, or of the wrong type: UsageError naming
the dimension and the metric. Results are cached per filter. `dimension_values(dim,
search=, limit=200)` lists a dimension's members as they exist in the data ({key, label},
the keys `where` takes), for filter pickers.

Ids (`rep`, `source`, `telemarketer`, `canvasser`) are Int64 columns: integers, `<NA>` for
the null group (a float column would print `1.0`).

Freshness: period metrics read the `bi` views as of their last refresh (`data_as_of`), or the
crm tables with `fresh=True`. Snapshot metrics (pipeline_value, weighted_pipeline,
jobs_in_progress, days_outstanding) read the crm tables at the instant of the query, ignore
`start`/`end`, and are cached at most `compute.SNAPSHOT_TTL` (15) seconds.

Where the contract is silent: a branch with scheduled appointments but no active sale in the
trailing 90 days has a null pipeline (the total sums the branches that have one); trailing
90 days is `now() - interval '90 days'` in the reporting zone; marketing_roi takes only month,
quarter and year grains and, ungrouped, is all net revenue (the null-source group too) over all
spend; rep_revenue sums split rows (an employee twice on one sale counts twice); by source
and by channel cannot be combined (filtering on both can: the sources of those channels).

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
from pulsebi.metrics.values import dimension_values

__all__ = [
    "DIMENSIONS",
    "GRAINS",
    "UNITS",
    "MetricInfo",
    "catalog",
    "compute",
    "data_as_of",
    "dimension_values",
    "metric_info",
]
