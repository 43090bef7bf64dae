"""Multi-touch attribution: which marketing sources earned the period's revenue.

    from pulsebi import attribution
    result = attribution.attribute("linear", start=date(2026, 1, 1), end=date(2026, 7, 1))
    result.to_frame()            # source, source_name, conversions, revenue
    attribution.attribute("time_decay", start=..., end=..., by="channel", half_life=3.5,
                          branch="DAL", lookback=90).to_records()
    sorted(attribution.MODELS)   # the model ids

Definitions are the contract's (shared/docs/crm-contract.md, "Multi-touch attribution (CMO)"
and its output rulings): a conversion is an active sale sold in [start, end) (local dates of
the reporting zone, `end` exclusive as everywhere in the metric layer), its value its amount;
its journey the touches of its lead up to the sale. Models: `first_touch`, `last_touch`,
`linear`, `time_decay`, `position_based` (rules.py) and the data-driven `markov` (removal
effects, markov.py). Whatever the model, the rows' conversions add up to the number of
conversions and their revenue to the period's `net_revenue`.

Layers: journeys.py reads (one SQL query → numpy arrays), rules.py / markov.py credit every
touch (numpy over all journeys at once), results.py sums credits per source or channel.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date

import numpy as np
from sqlalchemy import Connection, select

from pulsebi.attribution.journeys import Journeys, load_journeys
from pulsebi.attribution.markov import markov
from pulsebi.attribution.results import (
    AttributionResult,
    SourceInfo,
    channel_rows,
    credit_totals,
    source_rows,
)
from pulsebi.attribution.rules import RULES, Options
from pulsebi.db.schema import branches
from pulsebi.errors import UsageError
from pulsebi.settings import Settings, get_settings

Model = Callable[[Journeys, Options], np.ndarray]
MODELS: dict[str, Model] = {**RULES, "markov": markov}
DIMENSIONS = ("source", "channel")

__all__ = ["MODELS", "AttributionResult", "Journeys", "attribute", "credit", "model_function"]


class AttributionInputError(UsageError):
    """A model, dimension, period or parameter that attribution cannot take."""


def model_function(model: str) -> Model:
    """The credit function of a model id.

    Parameters
    ----------
    model : str
        A key of `MODELS`.

    Returns
    -------
    callable
        `(journeys, options) -> credit of every touch`.

    Raises
    ------
    AttributionInputError
        For an unknown model, naming the known ones.
    """
    try:
        return MODELS[model]
    except KeyError:
        raise AttributionInputError(
            f"unknown model {model!r}: use one of {', '.join(MODELS)}"
        ) from None


def check_options(half_life: float, lookback: float | None) -> Options:
    """Options from a half-life and a lookback, checked.

    Parameters
    ----------
    half_life : float
        Days; positive and finite.
    lookback : float or None
        Days; 0 or more and finite, or None (no lookback).

    Returns
    -------
    Options
        For the models.

    Raises
    ------
    AttributionInputError
        When either is out of range.
    """
    if not isinstance(half_life, (int, float)) or not math.isfinite(half_life) or half_life <= 0:
        raise AttributionInputError(
            f"half-life {half_life!r} must be a positive number of days, e.g. 7"
        )
    if lookback is not None and (
        not isinstance(lookback, (int, float)) or not math.isfinite(lookback) or lookback < 0
    ):
        raise AttributionInputError(
            f"lookback {lookback!r} must be 0 or more days, e.g. 90 (or none for no limit)"
        )
    return Options(half_life=float(half_life))


def credit(model: str, journeys: Journeys, *, half_life: float = 7.0) -> np.ndarray:
    """The credit a model gives every touch of the journeys (pure numpy, no database).

    Parameters
    ----------
    model : str
        A key of `MODELS`.
    journeys : Journeys
        The conversions and their touches.
    half_life : float, default 7.0
        Days (time_decay).

    Returns
    -------
    numpy.ndarray
        Aligned with `journeys.conv`; each conversion's credits sum to 1.
    """
    return model_function(model)(journeys, check_options(half_life, None))


def attribute(
    model: str,
    *,
    start: date,
    end: date,
    by: str = "source",
    branch: str | None = None,
    half_life: float = 7.0,
    lookback: float | None = None,
    settings: Settings | None = None,
) -> AttributionResult:
    """Credit the period's conversions to sources (or channels) with one model.

    Parameters
    ----------
    model : str
        A key of `MODELS`: first_touch, last_touch, linear, time_decay, position_based, markov.
    start, end : datetime.date
        The period [start, end): local dates in the reporting zone, `end` exclusive.
    by : {"source", "channel"}
        Rows per lead source (`source`, `source_name`) or per channel (`channel`).
    branch : str, optional
        A branch code: only conversions with that `sales.branch_id` (touches are never
        filtered by branch).
    half_life : float, default 7.0
        Days (time_decay; checked for every model).
    lookback : float, optional
        Only touches at most this many days before the sale (default: no limit).
    settings : Settings, optional
        Database and reporting zone; default `get_settings()`.

    Returns
    -------
    AttributionResult
        Every lead source (or channel) listed, plus the null group when not empty.

    Raises
    ------
    AttributionInputError
        An unknown model or dimension, `start` not before `end`, a half-life or lookback
        out of range.
    UsageError
        An unknown branch code.
    """
    from pulsebi.db import get_engine
    from pulsebi.db.schema import lead_sources

    function = model_function(model)
    if by not in DIMENSIONS:
        raise AttributionInputError(f"unknown dimension {by!r}: use one of {', '.join(DIMENSIONS)}")
    if not start < end:
        raise AttributionInputError(f"the period's start {start} is not before its end {end}")
    options = check_options(half_life, lookback)
    settings = settings or get_settings()
    with get_engine(settings).connect() as conn:
        branch_ids = branch_ids_of(conn, branch) if branch is not None else None
        journeys = load_journeys(conn, start, end, settings.tz, branch_ids, lookback)
        sources = [
            SourceInfo(r.id, r.name, r.channel)
            for r in conn.execute(
                select(lead_sources.c.id, lead_sources.c.name, lead_sources.c.channel).order_by(
                    lead_sources.c.id
                )
            )
        ]
    totals = credit_totals(journeys, function(journeys, options))
    rows = source_rows(totals, sources) if by == "source" else channel_rows(totals, sources)
    return AttributionResult(
        model=model,
        by=by,
        start=start,
        end=end,
        rows=rows,
        total_conversions=len(journeys),
        total_revenue=float(journeys.cents.sum()) / 100.0,
        branch=branch,
        options={"half_life": options.half_life, "lookback": lookback},
    )


def branch_ids_of(conn: Connection, code: str) -> tuple[int, ...]:
    """The ids of the branch(es) with exactly this code.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        A connection to the CRM database.
    code : str
        A branch code (`branches.code`, compared exactly).

    Returns
    -------
    tuple of int
        One id or more.

    Raises
    ------
    UsageError
        When no branch has that code (the message lists the known codes).
    """
    ids = tuple(conn.execute(select(branches.c.id).where(branches.c.code == code)).scalars())
    if not ids:
        known = conn.execute(select(branches.c.code).order_by(branches.c.code)).scalars().all()
        raise UsageError(
            f"unknown branch {code!r}; known branch codes: {', '.join(known) or '(none)'}"
        )
    return ids
