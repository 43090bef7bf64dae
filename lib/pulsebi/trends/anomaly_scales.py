"""The scale `anomalies` judges a series on, and the least noise that scale can have.

- counts: Anscombe's 2·sqrt(x + 3/8), on which Poisson noise has a standard deviation of 1
  (the Poisson floor);
- money (usd, non-negative): sqrt(x). A day's revenue is a compound Poisson sum: N sales
  (Poisson, rate λ) of amounts A. Its variance is λ·E[A²] = φ·mean with φ = E[A²] / E[A], so
  V / φ is roughly a Poisson count and sqrt(V) has a standard deviation of about sqrt(φ) / 2
  (the compound-Poisson floor). φ comes from the days themselves: over the last year of
  points, the share of days without a sale p0 gives λ = -ln p0 and the sales of a day with any,
  λ / (1 - p0); the median non-zero day over that is a typical amount a, and its quartiles
  the spread σ of log amounts (lognormal amounts: φ = a·exp(1.5σ²)). Weekdays are read apart,
  and only those that mostly have no sale (p0 ≥ 1/2: a day with any has about one): a branch's
  lumpy days (mostly 0, now and then one $12,000 sale) get the floor; busy days get none, even
  with holidays or weekends closed (their residuals' spread is all the scale);
- anything else (rates, latencies, other people's data): as given.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MONEY_UNITS = ("usd",)
# Points φ is estimated over: a year of days holds ~20 sales even at one sale in 20 days, and
# what one sale is worth changes slowly.
DISPERSION_WINDOW = 365
_IQR = 1.349  # interquartile range → standard deviation under normal noise


def transform_kind(s) -> str:
    """ "count", "sqrt" (non-negative money) or "identity": the scale a series is judged on."""
    if s.is_count:
        return "count"
    v = s.values.to_numpy()
    if s.unit in MONEY_UNITS and not np.any(v[~np.isnan(v)] < 0):
        return "sqrt"
    return "identity"


def stabilise(x: np.ndarray, kind: str) -> np.ndarray:
    """Values on the scale they are judged on."""
    if kind == "count":
        return 2.0 * np.sqrt(np.maximum(x, 0.0) + 0.375)
    if kind == "sqrt":
        return np.sqrt(np.maximum(x, 0.0))
    return x


def unstabilise(y: np.ndarray, kind: str) -> np.ndarray:
    """Back to the data's scale (clipped at zero where the data cannot go below it)."""
    if kind == "count":
        y = np.maximum(y, 2.0 * np.sqrt(0.375))
        return (y / 2.0) ** 2 - 0.375
    if kind == "sqrt":
        return np.maximum(y, 0.0) ** 2
    return y


def noise_floor(x: np.ndarray, kind: str, phases: int = 1) -> np.ndarray:
    """Each point's least scale on the judged scale, from the year of points before it.

    1 for counts (Poisson); sqrt(φ) / 2 for money (compound Poisson, see the module; `phases`
    7 for days: weekdays are told apart), 0 where nothing is lumpy; 0 otherwise.
    """
    if kind == "count":
        return np.ones(len(x))
    if kind != "sqrt":
        return np.zeros(len(x))
    return np.sqrt(dispersion(x, phases)) / 2.0


def dispersion(x: np.ndarray, phases: int = 1, window: int = DISPERSION_WINDOW) -> np.ndarray:
    """φ = E[A²] / E[A] of one sale, for each point from the `window` points before it.

    Read per phase (weekday) off the phases that mostly have no sale (a share of zero days
    p0 ≥ 1/2, so that a day with any has about one), the median over them: a weekday that
    always sells (or a closed one) says nothing of one sale's worth. 0 where no phase is
    lumpy; carried forward over a window without any sale.
    """
    v = np.asarray(x, dtype="float64")
    n = len(v)
    phi = np.full((n, phases), np.nan)
    p0 = np.full((n, phases), np.nan)
    t = np.arange(n)
    for w in range(phases):
        sub_phi, sub_p0 = phase_dispersion(v[w::phases], max(window // phases, 1))
        last = (t - 1 - w) // phases  # the phase's last point before t
        seen = t - 1 >= w
        phi[seen, w], p0[seen, w] = sub_phi[last[seen]], sub_p0[last[seen]]
    lumpy = ~np.isnan(phi)
    ordered = np.sort(np.where(lumpy, phi, np.inf), axis=1)
    count = lumpy.sum(axis=1)
    lo = ordered[t, np.maximum((count - 1) // 2, 0)]
    hi = ordered[t, np.minimum(count // 2, phases - 1)]
    out = np.where(count > 0, (lo + hi) / 2.0, 0.0)
    # no sale at all in any phase's window: what one sale was worth still holds
    out = np.where((count == 0) & np.all(p0 == 1, axis=1), np.nan, out)
    return np.nan_to_num(pd.Series(out).ffill().to_numpy(), nan=0.0)


def phase_dispersion(v: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """φ (NaN where the phase is not lumpy: p0 < 1/2, or no sale) and p0, over each point's
    trailing `window` of one phase's values, that point included."""
    s = pd.Series(v)
    p0 = (s == 0).where(s.notna()).rolling(window, min_periods=1).mean().to_numpy()
    rolled = s.where(s > 0).rolling(window, min_periods=1)
    q25, q50, q75 = (rolled.quantile(q).to_numpy() for q in (0.25, 0.5, 0.75))
    with np.errstate(divide="ignore", invalid="ignore"):
        per_day = -np.log(p0) / (1.0 - p0)  # sales on a day with any: λ / (1 - p0)
        sigma = np.log(q75 / q25) / _IQR  # of log amounts
        phi = q50 / per_day * np.exp(1.5 * np.nan_to_num(sigma) ** 2)
    return np.where((p0 >= 0.5) & (p0 < 1), phi, np.nan), p0
