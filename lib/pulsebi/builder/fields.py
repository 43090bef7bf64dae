"""The builder's field list, read from the metric catalog: measures, dimensions, time grains.

A measure is one value column of a catalog metric: the metric's id for a one-column metric
(``net_revenue``), the column's name for the others (``days_outstanding_mean``,
``funnel_sold``). `rep_ranking` is a list of rows, not a measure (rep_revenue by rep is).
Dimensions are the catalog's; the time grains are day, week, month, quarter and year (each
metric says which it takes, `MetricInfo.grains`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from pulsebi.metrics.catalog import CATALOG, DIMENSIONS

TIME_GRAINS = ("day", "week", "month", "quarter", "year")
NOT_MEASURES = {"rep_ranking": "rep_ranking is a ranking (rows), not a measure: use rep_revenue"}
# Parts of a whole (a pie, a stacked bar) must add up: money and counts do, rates, means,
# medians and percentiles do not. rep_sales counts a sale split between reps once per rep.
ADDITIVE_UNITS = ("usd", "count")
NOT_ADDITIVE = frozenset({"rep_sales"})

DIMENSION_LABELS = {
    "branch": "Branch",
    "rep": "Sales rep",
    "source": "Lead source",
    "channel": "Lead channel",
    "service": "Service",
    "job_status": "Job status",
    "category": "Ticket category",
    "priority": "Ticket priority",
    "telemarketer": "Telemarketer",
    "canvasser": "Canvasser",
}
GRAIN_LABELS = {g: g.capitalize() for g in TIME_GRAINS}
# Dimensions keyed by integer ids (the others by text: branch code, channel, ...).
ID_DIMENSIONS = frozenset({"rep", "source", "telemarketer", "canvasser"})


@dataclass(frozen=True)
class Field:
    """One field of the builder's list.

    `kind` is "measure", "dimension" or "time"; a measure names its `metric` (the catalog id
    `metrics.compute` is asked) and `column` (its value column in that metric's frame).
    """

    id: str
    label: str
    kind: str
    unit: str | None = None
    metric: str | None = None
    column: str | None = None
    definition: str = ""

    @property
    def additive(self) -> bool:
        """Whether parts of it add up to the whole (money and counts)."""
        return self.unit in ADDITIVE_UNITS and self.metric not in NOT_ADDITIVE


def _measure_label(label: str, metric: str, column: str) -> str:
    part = column.removeprefix(f"{metric}_").removeprefix("funnel_").replace("_", " ")
    return f"{label} ({part})"


@cache
def _fields() -> dict[str, Field]:
    found: dict[str, Field] = {}
    for info in CATALOG.values():
        if info.id in NOT_MEASURES:
            continue
        for column in info.columns:
            label = info.label if column == info.id else _measure_label(info.label, info.id, column)
            found[column] = Field(
                column, label, "measure", info.unit, info.id, column, info.definition
            )
    for dim in DIMENSIONS:
        found[dim] = Field(dim, DIMENSION_LABELS.get(dim, dim.replace("_", " ")), "dimension")
    for grain in TIME_GRAINS:
        found[grain] = Field(grain, GRAIN_LABELS[grain], "time")
    return found


def fields(kind: str | None = None) -> list[Field]:
    """The builder's fields: measures in catalog order, then dimensions, then time grains.

    Parameters
    ----------
    kind : {"measure", "dimension", "time"}, optional
        Only the fields of this kind; default every field.

    Returns
    -------
    list of Field
        A new list each call.
    """
    return [f for f in _fields().values() if kind is None or f.kind == kind]


def find_field(field_id: str) -> Field | None:
    """The field with this id, or None.

    Parameters
    ----------
    field_id : str
        A measure, dimension or time grain id.

    Returns
    -------
    Field or None
        None when no field has this id.
    """
    return _fields().get(field_id)


def metric_of(measure: str) -> str:
    """The catalog metric a measure's figures come from (``funnel_sold`` → ``lead_funnel``)."""
    field = _fields()[measure]
    assert field.metric is not None, f"{measure} is not a measure"
    return field.metric
