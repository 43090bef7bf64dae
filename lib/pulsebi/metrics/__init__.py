"""The metric layer: every figure on every surface comes from here.

    from pulsebi import metrics
    metrics.catalog()                       # list[MetricInfo]
    metrics.compute("net_revenue", start=date(2026, 1, 1), end=date(2026, 7, 1),
                    by=["branch"], grain="month")   # pandas DataFrame
    metrics.data_as_of()                    # datetime of the last view refresh

Definitions are the contract's (shared/docs/crm-contract.md); results are exact (money as
Decimal, rates as float fractions, null over no rows).
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
