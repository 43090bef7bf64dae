"""An attribution's rows: per source (or channel) the credited conversions and revenue.

The contract's output rulings: every source of `lead_sources` is listed (0 when it earned
nothing), in id order (channels: every channel of `lead_sources`, in text order), plus one null
group (key None) when it is not empty. The null group is listed when some journey of the period
holds a touch of it (a dangling source, a missing lead), whatever the model credits it, so
every model of one period lists the same rows. `conversions` is the sum of credits
(fractional), `revenue` the sum of credit × amount (float; never rounded here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from pulsebi.attribution.journeys import Journeys

SOURCE_COLUMNS = ("source", "source_name", "conversions", "revenue")
CHANNEL_COLUMNS = ("channel", "conversions", "revenue")


@dataclass(frozen=True)
class SourceInfo:
    """One row of `lead_sources`."""

    id: int
    name: str
    channel: str


@dataclass(frozen=True)
class AttributionResult:
    """What a model credits each source (or channel) with over a period.

    `rows` holds plain dicts in output order (`SOURCE_COLUMNS` or `CHANNEL_COLUMNS`);
    `total_conversions` and `total_revenue` are the period's count of conversions and their
    amount, which the rows add up to.
    """

    model: str
    by: str
    start: date
    end: date
    rows: list[dict[str, object]]
    total_conversions: int
    total_revenue: float
    branch: str | None = None
    options: dict[str, object] = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        """The rows' keys, in order."""
        return SOURCE_COLUMNS if self.by == "source" else CHANNEL_COLUMNS

    def to_records(self) -> list[dict[str, object]]:
        """The rows as JSON-ready dicts (ids int, the null group's key None, numbers float).

        Returns
        -------
        list of dict
            One dict per row, keys as `columns`.
        """
        return [dict(row) for row in self.rows]

    def to_frame(self) -> pd.DataFrame:
        """The rows as a DataFrame (`source` an Int64 column: ids stay integers).

        Returns
        -------
        pandas.DataFrame
            One row per source (or channel), columns as `columns`.
        """
        frame = pd.DataFrame(self.to_records(), columns=list(self.columns))
        if self.by == "source":
            frame["source"] = frame["source"].astype("Int64")
        frame["conversions"] = frame["conversions"].astype(float)
        frame["revenue"] = frame["revenue"].astype(float)
        return frame


def credit_totals(journeys: Journeys, credits: np.ndarray) -> dict[int, tuple[float, float]]:
    """Conversions and revenue credited to each source key present in the journeys.

    Parameters
    ----------
    journeys : Journeys
        The conversions and their touches.
    credits : numpy.ndarray
        The credit of every touch (as a model returns it).

    Returns
    -------
    dict
        source key (`NULL_SOURCE` for the null group) -> (conversions, revenue).
    """
    code, keys = journeys.codes
    conversions = np.bincount(code, weights=credits, minlength=len(keys))
    cents = np.bincount(code, weights=credits * journeys.cents[journeys.conv], minlength=len(keys))
    return {
        int(key): (float(c), float(v) / 100.0)
        for key, c, v in zip(keys, conversions, cents, strict=True)
    }


def source_rows(
    totals: dict[int, tuple[float, float]], sources: list[SourceInfo]
) -> list[dict[str, object]]:
    """Rows per source: every source of `sources`, then the null group when not empty.

    Parameters
    ----------
    totals : dict
        As `credit_totals` gives; keys not in `sources` fall into the null group.
    sources : list of SourceInfo
        Every lead source, in output order.

    Returns
    -------
    list of dict
        `SOURCE_COLUMNS` rows.
    """
    known = {s.id for s in sources}
    rows = []
    for s in sources:
        conversions, revenue = totals.get(s.id, (0.0, 0.0))
        rows.append(
            {"source": s.id, "source_name": s.name, "conversions": conversions, "revenue": revenue}
        )
    stray = [v for key, v in totals.items() if key not in known]
    if stray:
        rows.append(
            {
                "source": None,
                "source_name": None,
                "conversions": float(sum(c for c, _ in stray)),
                "revenue": float(sum(r for _, r in stray)),
            }
        )
    return rows


def channel_rows(
    totals: dict[int, tuple[float, float]], sources: list[SourceInfo]
) -> list[dict[str, object]]:
    """Rows per channel: every channel of `sources` (text order), then the null group.

    Parameters
    ----------
    totals : dict
        As `credit_totals` gives; keys not in `sources` fall into the null group.
    sources : list of SourceInfo
        Every lead source.

    Returns
    -------
    list of dict
        `CHANNEL_COLUMNS` rows.
    """
    sums: dict[str | None, list[float]] = {
        ch: [0.0, 0.0] for ch in sorted({s.channel for s in sources})
    }
    channel_of = {s.id: s.channel for s in sources}
    for key, (conversions, revenue) in totals.items():
        acc = sums.setdefault(channel_of.get(key), [0.0, 0.0])
        acc[0] += conversions
        acc[1] += revenue
    return [
        {"channel": ch, "conversions": c, "revenue": r}
        for ch, (c, r) in sorted(sums.items(), key=lambda item: (item[0] is None, item[0] or ""))
    ]
