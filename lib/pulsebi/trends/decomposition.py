"""The decomposition behind `seasonality`: robust STL / MSTL, or harmonics for few cycles.

`decompose` runs MSTL's loop over the periods. A cycle seen only a few times gets a seasonal
profile of harmonics beside a smooth trend instead of STL:

STL smooths each cycle-subseries (every Monday, every week 12...) across cycles. With fewer than
`FEW_CYCLES` cycles (three years of weeks: three points per week of the year) that smoothing has
nothing to smooth: its LOESS runs through the two or three points, the robust weights then drop
whatever does not fit, and the seasonal part absorbs the noise (a remainder of exactly 0 in the
first and last year, a seasonal strength near 1 on pure noise).

Here the profile is smooth across the phases of the cycle instead: K harmonics (Fourier terms,
as in dynamic harmonic regression, Hyndman & Athanasopoulos, FPP3 §12.1, for weekly data) fitted
jointly with a cubic B-spline trend whose knots lie about 1.5 cycles apart, like STL's trend
window. K is chosen by AICc; the fit is made robust by bisquare weights on the remainder (as in
STL's outer loop). With 2K + a few coefficients for n points, the remainder keeps nearly all of
the noise (on noise alone, var(R) ≈ (1 - p/n) var(noise)).
"""

from __future__ import annotations

import math

import numpy as np

FEW_CYCLES = 5  # below this many cycles the cycle-subseries are too short for STL's LOESS
MAX_HARMONICS = 12  # month-of-year resolution, the finest the indices show
TREND_SPAN = 1.5  # cycles between the trend's knots (STL's trend window is ~1.5 cycles)
ROBUST_ROUNDS = 6  # reweighting rounds (STL's robust outer loop)
_RELATIVE_FLOOR = 1e-12  # a residual sum of squares below (this × scale)² · n is rounding


def decompose(
    y: np.ndarray, periods: tuple[int, ...], fast: bool = True, few_cycles: float = FEW_CYCLES
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """Robust STL (one period) or MSTL (several): trend, seasonal parts, remainder.

    MSTL's loop (Bandara, Hyndman & Bergmeir 2021) as statsmodels' `MSTL` runs it (two rounds,
    seasonal windows 11, 15, ...), but each period's STL gets its own LOESS jumps, R's
    defaults (a tenth of each window): a yearly cycle of days fits in ~0.1 s instead of ~2 s.
    A period seen fewer than `few_cycles` times gets a harmonic profile beside a spline trend
    instead (`fit_harmonic`). `fast=False, few_cycles=0`: statsmodels' MSTL / STL.
    """
    from statsmodels.tsa.seasonal import STL

    several = len(periods) > 1
    parts = [np.zeros_like(y) for _ in periods]
    deseasoned = y.copy()
    for _ in range(2 if several else 1):
        for i, period in enumerate(periods):
            deseasoned = deseasoned + parts[i]
            if len(y) < few_cycles * period:
                trend, parts[i] = fit_harmonic(deseasoned, period)
            else:
                window = 7 + 4 * (i + 1) if several else 7
                stl = STL(deseasoned, period=period, seasonal=window, robust=True)
                if fast:
                    stl = STL(deseasoned, **_with_jumps(stl.config))
                fit = stl.fit()
                trend, parts[i] = np.asarray(fit.trend), np.asarray(fit.seasonal)
            deseasoned = deseasoned - parts[i]
    return trend, parts, deseasoned - trend


def _with_jumps(config: dict) -> dict:
    names = ("seasonal", "trend", "low_pass")
    return config | {f"{n}_jump": max(1, math.ceil(config[n] / 10)) for n in names}


def fit_harmonic(y: np.ndarray, period: int, robust: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Trend and seasonal part of `y` for one cycle of `period` points seen a few times.

    Parameters
    ----------
    y : numpy.ndarray
        Values without NaN.
    period : int
        Points per cycle (52 weeks, 365 days, 12 months, 4 quarters, 7 days).
    robust : bool, default True
        Bisquare weights, so that an outlier lands in the remainder.

    Returns
    -------
    trend, seasonal : numpy.ndarray
        The seasonal part sums to 0 over any whole cycle; y - trend - seasonal is the remainder.
    """
    y = np.asarray(y, dtype="float64")
    n = len(y)
    t = np.arange(n, dtype="float64")
    trend_basis = spline_basis(n, period)
    waves = harmonic_basis(t, period, max_harmonics(n, period, trend_basis.shape[1]))
    floor = (_RELATIVE_FLOOR * max(float(np.max(np.abs(y))), 1.0)) ** 2 * n
    weights = np.ones(n)
    k = choose_harmonics(y, trend_basis, waves, weights, floor)
    for _ in range(ROBUST_ROUNDS if robust else 0):
        fitted, _ = weighted_fit(y, trend_basis, waves[:, : columns(k, period)], weights)
        new = bisquare(y - fitted)
        if np.allclose(new, weights, atol=1e-6):
            break
        weights = new
    if robust:  # K once more, now that outliers weigh nothing
        k = choose_harmonics(y, trend_basis, waves, weights, floor)
    design = np.hstack([trend_basis, waves[:, : columns(k, period)]])
    coef = solve(design, y, weights)
    split = trend_basis.shape[1]
    return trend_basis @ coef[:split], waves[:, : columns(k, period)] @ coef[split:]


def spline_basis(n: int, period: int) -> np.ndarray:
    """A cubic B-spline basis on 0..n-1, knots ~1.5 cycles apart, at most n/4 columns (a line
    or a parabola on very short series). Its columns sum to 1: the constant is in it."""
    from scipy.interpolate import BSpline

    interior = max(0, math.ceil(n / (TREND_SPAN * period)) - 1)
    dim = max(2, min(interior + 4, n // 4))
    degree = min(3, dim - 1)
    interior = dim - degree - 1
    x = np.arange(n, dtype="float64")
    inner = np.linspace(0.0, n - 1.0, interior + 2)
    knots = np.r_[[0.0] * degree, inner, [n - 1.0] * degree]
    return BSpline.design_matrix(x, knots, degree).toarray()


def harmonic_basis(t: np.ndarray, period: int, k: int) -> np.ndarray:
    """cos and sin of 2πjt/period for j = 1..k (the sine of period/2 is nil and left out)."""
    cols = []
    for j in range(1, k + 1):
        angle = 2.0 * np.pi * j * t / period
        cols.append(np.cos(angle))
        if 2 * j != period:
            cols.append(np.sin(angle))
    return np.column_stack(cols) if cols else np.empty((len(t), 0))


def columns(k: int, period: int) -> int:
    """Columns of the first k harmonics."""
    return 2 * k - (1 if 2 * k == period else 0)


def max_harmonics(n: int, period: int, trend_columns: int) -> int:
    """The most harmonics worth trying: period/2, MAX_HARMONICS, and room for AICc (p < n - 2)."""
    k = min(period // 2, MAX_HARMONICS)
    while k > 1 and trend_columns + columns(k, period) > n - 3:
        k -= 1
    return max(k, 1)


def choose_harmonics(
    y: np.ndarray, trend_basis: np.ndarray, waves: np.ndarray, weights: np.ndarray, floor: float
) -> int:
    """The number of harmonics with the lowest AICc (the fewest among ties)."""
    n, best, best_k = len(y), math.inf, 1
    period_cols = waves.shape[1]
    k = 1
    while True:
        used = min(2 * k, period_cols)
        p = trend_basis.shape[1] + used
        if p >= n - 1:
            break
        _, rss = weighted_fit(y, trend_basis, waves[:, :used], weights)
        rss = max(rss, floor)
        aicc = n * math.log(rss / n) + 2 * p + 2 * p * (p + 1) / (n - p - 1)
        if aicc < best - 1e-9:
            best, best_k = aicc, k
        if used >= period_cols:
            break
        k += 1
    return best_k


def weighted_fit(
    y: np.ndarray, trend_basis: np.ndarray, waves: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, float]:
    """Fitted values and the weighted residual sum of squares of trend + harmonics."""
    design = np.hstack([trend_basis, waves])
    fitted = design @ solve(design, y, weights)
    return fitted, float(np.sum(weights * (y - fitted) ** 2))


def solve(design: np.ndarray, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted least squares by the normal equations: B-splines and harmonics are well
    conditioned, and a p × p solve is ~50 times faster than lstsq on n × p."""
    weighted = design * weights[:, None]
    gram = design.T @ weighted
    try:
        return np.linalg.solve(gram, weighted.T @ y)
    except np.linalg.LinAlgError:  # too few points of weight: the minimum-norm solution
        root = np.sqrt(weights)
        return np.linalg.lstsq(design * root[:, None], y * root, rcond=None)[0]


def bisquare(residual: np.ndarray) -> np.ndarray:
    """STL's robustness weights: (1 - (r / 6 median|r|)²)², 0 beyond; all 1 when median|r| is
    nil (an exact fit)."""
    h = 6.0 * float(np.median(np.abs(residual)))
    if not h > 0:
        return np.ones(len(residual))
    u = np.clip(np.abs(residual) / h, 0.0, 1.0)
    return (1.0 - u**2) ** 2
