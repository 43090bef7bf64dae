"""The data-driven model `markov`: removal effects of a first-order Markov chain.

The chain (the platform's own choice, as the contract allows):
- States: `start`, one per source (the null group is one source state), `conversion` and
  `null` (absorbing). It is estimated from the journeys handed in, that is, the period's
  conversions (their stand-in touch for an empty journey): transitions start → first touch's
  source, each touch's source → the next one's (a source repeated is a self-loop), last
  touch's source → conversion. Transition probabilities are the observed counts normalised
  per state. Only converting journeys are read, so P(conversion) from start is 1.
- Removal effect of a source s: 1 − P(conversion from start when s leads to null), i.e. the
  share of the chain's paths to conversion that pass through s. Every source on some journey
  has an effect > 0 (its journey is a path through it); a source on no journey has none.
- Credit: each conversion's one unit is split over the distinct sources of its journey in
  proportion to their removal effects; a source's share is split evenly over its touches in
  that journey. So credits sum to 1 per conversion (totals hold), none is negative, and a
  source on no journey gets nothing. Should every effect of a journey round to 0, the
  journey is split evenly over its touches (not seen in practice; it keeps the totals).

The chain is global to the period (and branch) asked: the same journey can get other credits in
another period. Cost: a few passes over the touches and one small linear solve per source.
"""

from __future__ import annotations

import numpy as np

from pulsebi.attribution.journeys import Journeys
from pulsebi.attribution.rules import Options


def transition_counts(journeys: Journeys) -> np.ndarray:
    """Observed transitions: a (k + 1) × (k + 1) matrix of counts.

    Parameters
    ----------
    journeys : Journeys
        The conversions and their touches (k distinct sources).

    Returns
    -------
    numpy.ndarray
        Rows: the k source states (in code order), then `start`; columns: the k source states,
        then `conversion`.
    """
    code, keys = journeys.codes
    k = len(keys)
    conv = journeys.conv
    same = conv[1:] == conv[:-1]
    pairs = [
        k * (k + 1) + code[journeys.starts],  # start -> first touch
        code[:-1][same] * (k + 1) + code[1:][same],  # touch -> next touch
        code[journeys.starts + journeys.length - 1] * (k + 1) + k,  # last touch -> conversion
    ]
    counts = np.bincount(np.concatenate(pairs), minlength=(k + 1) * (k + 1))
    return counts.reshape(k + 1, k + 1).astype(np.float64)


def removal_effects(journeys: Journeys) -> tuple[np.ndarray, np.ndarray]:
    """The removal effect of every source on the journeys.

    Parameters
    ----------
    journeys : Journeys
        The conversions and their touches.

    Returns
    -------
    tuple of numpy.ndarray
        (source keys, as `journeys.codes`; their removal effects, each in (0, 1]).
    """
    _, keys = journeys.codes
    k = len(keys)
    if k == 0:
        return keys, np.zeros(0)
    counts = transition_counts(journeys)
    out = counts.sum(axis=1, keepdims=True)
    prob = np.divide(counts, out, out=np.zeros_like(counts), where=out > 0)
    q, r = prob[:, :k], prob[:, k]
    q = np.hstack([q, np.zeros((k + 1, 1))])  # nothing goes back to start
    full = _conversion_probability(q, r)
    effects = np.empty(k)
    for s in range(k):  # one small solve per source, not per conversion
        q_s, r_s = q.copy(), r.copy()
        q_s[s, :], r_s[s] = 0.0, 0.0  # s leads to null
        effects[s] = 1.0 - _conversion_probability(q_s, r_s) / full
    return keys, np.clip(effects, 0.0, None)


def _conversion_probability(q: np.ndarray, r: np.ndarray) -> float:
    """P(absorbed in conversion | start) of the absorbing chain (transient part q, r)."""
    x = np.linalg.solve(np.eye(len(r)) - q, r)
    return float(x[-1])


def markov(journeys: Journeys, options: Options) -> np.ndarray:
    """Credits from the removal effects, normalised per conversion over its journey's sources.

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
    if len(journeys.conv) == 0:
        return np.zeros(0)
    code, keys = journeys.codes
    _, effects = removal_effects(journeys)
    pair = journeys.conv * len(keys) + code
    _, inverse, multiplicity = np.unique(pair, return_inverse=True, return_counts=True)
    weight = effects[code] / multiplicity[inverse]
    total = np.bincount(journeys.conv, weights=weight, minlength=len(journeys))
    credit = np.divide(weight, total[journeys.conv], out=np.zeros_like(weight),
                       where=total[journeys.conv] > 0)  # fmt: skip
    flat = total[journeys.conv] <= 0
    credit[flat] = 1.0 / journeys.length[journeys.conv[flat]]
    return credit
