"""The contract's five rule models, vectorised over every journey at once.

Each model takes `Journeys` (sorted, every journey at least one touch) and returns the credit of
every touch (a float array aligned with `journeys.conv`); the credits of a journey sum to 1.
Definitions: shared/docs/crm-contract.md, "Multi-touch attribution (CMO)".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pulsebi.attribution.journeys import Journeys


@dataclass(frozen=True)
class Options:
    """What a model may be tuned by: `half_life` in days (time decay)."""

    half_life: float = 7.0


def first_touch(journeys: Journeys, options: Options) -> np.ndarray:
    """1 for the first touch of each journey, 0 otherwise.

    Parameters
    ----------
    journeys : Journeys
        The conversions and their touches.
    options : Options
        Unused.

    Returns
    -------
    numpy.ndarray
        The credit of every touch.
    """
    return (journeys.position == 0).astype(np.float64)


def last_touch(journeys: Journeys, options: Options) -> np.ndarray:
    """1 for the last touch of each journey, 0 otherwise.

    Parameters
    ----------
    journeys : Journeys
        The conversions and their touches.
    options : Options
        Unused.

    Returns
    -------
    numpy.ndarray
        The credit of every touch.
    """
    return (journeys.position == journeys.length[journeys.conv] - 1).astype(np.float64)


def linear(journeys: Journeys, options: Options) -> np.ndarray:
    """1/n for each of a journey's n touches.

    Parameters
    ----------
    journeys : Journeys
        The conversions and their touches.
    options : Options
        Unused.

    Returns
    -------
    numpy.ndarray
        The credit of every touch.
    """
    return 1.0 / journeys.length[journeys.conv]


def time_decay(journeys: Journeys, options: Options) -> np.ndarray:
    """Credit proportional to 2^(-elapsed days / half-life), elapsed from touch to sale.

    The weights are taken relative to each journey's latest touch (weight 1), so a journey
    months long never underflows to 0/0; the proportions are the contract's.

    Parameters
    ----------
    journeys : Journeys
        The conversions and their touches.
    options : Options
        `half_life` in days (positive, finite).

    Returns
    -------
    numpy.ndarray
        The credit of every touch.
    """
    elapsed = journeys.elapsed_days
    if len(elapsed) == 0:
        return np.zeros(0)
    nearest = np.minimum.reduceat(elapsed, journeys.starts)
    weight = np.exp2(-(elapsed - nearest[journeys.conv]) / options.half_life)
    total = np.bincount(journeys.conv, weights=weight, minlength=len(journeys))
    return weight / total[journeys.conv]


def position_based(journeys: Journeys, options: Options) -> np.ndarray:
    """n = 1: 1; n = 2: 1/2 each; n >= 3: 0.4 first, 0.4 last, 0.2/(n-2) each between.

    Parameters
    ----------
    journeys : Journeys
        The conversions and their touches.
    options : Options
        Unused.

    Returns
    -------
    numpy.ndarray
        The credit of every touch.
    """
    n = journeys.length[journeys.conv]
    pos = journeys.position
    ends = (pos == 0) | (pos == n - 1)
    middle = 0.2 / np.maximum(n - 2, 1)
    credit = np.where(ends, 0.4, middle)
    credit[n == 1] = 1.0
    credit[n == 2] = 0.5
    return credit


RULES = {
    "first_touch": first_touch,
    "last_touch": last_touch,
    "linear": linear,
    "time_decay": time_decay,
    "position_based": position_based,
}
