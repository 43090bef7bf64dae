"""Choosing a forecast model honestly, and calibrating its intervals on its own past errors.

Two stages. Within the ETS family the fits are compared by AICc (one likelihood family, so the
criterion is comparable). The best ETS then meets Theta and (seasonal) naive in a rolling-origin
backtest: each is refitted on the series up to a few origins near its end and forecasts the
next periods it did not see; the lowest mean absolute scaled error (MASE) wins. The chosen
model's backtest errors, set against its own analytic standard deviations, tell how much its
intervals must widen (`calibration_factors`). Last, where fits run: BLAS on one thread
(`one_blas_thread`) and a process pool's start (`pool_context`, `start_worker`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from pulsebi.trends.forecast_models import Fit, Spec, ets_specs, fit_spec

# The backtest forecasts at most this far ahead (a quarter of days, half a year of weeks...),
# from up to ORIGINS origins spaced half that horizon apart.
BACKTEST_CAP = {"day": 28, "week": 26, "month": 18, "quarter": 8, "year": 6}
ORIGINS = 3
# Near-equal backtest errors are a tie, won by the simpler model (order of the finalists).
TIE = 1e-9


@dataclass
class Selection:
    """The chosen model fitted on the whole series, and how it was chosen.

    `candidates` has one row per criterion value: model, criterion ("AICc" or "MASE"), value,
    chosen. `errors` holds the chosen model's backtest errors (origins × `horizon`).
    """

    best: Fit
    candidates: pd.DataFrame
    errors: np.ndarray
    horizon: int
    origins: list[int]


def select_model(y: np.ndarray, period: int | None, horizon: int, grain: str) -> Selection:
    """Fit the candidates on `y` and choose one (AICc within ETS, then the backtest)."""
    ets = fit_family(y, period)
    ets.sort(key=lambda fit: fit.aicc)  # stable: the simpler of equals stays first
    rows = [(fit.spec.name, "AICc", fit.aicc) for fit in ets]

    finalists = [Spec("snaive", period)] + [ets[0].spec] * bool(ets) + [Spec("theta", period)]
    min_train = max(spec.min_length() for spec in finalists)
    h = min(horizon, BACKTEST_CAP[grain], len(y) - min_train)
    origins = backtest_origins(len(y), h, min_train)
    scale = mase_scale(y, period)
    scores, errors = [], {}
    for spec in finalists:
        start = ets[0].params if ets and spec == ets[0].spec else None
        err = backtest_errors(spec, y, origins, h, start)
        if err is None:
            continue
        errors[spec] = err
        scores.append((spec, float(np.mean(np.abs(err))) / scale if err.size else math.nan))
    rows += [(spec.name, "MASE", score) for spec, score in scores]

    chosen = _choose(scores)
    best = ets[0] if ets and chosen == ets[0].spec else _try_fit(chosen, y)
    if best is None or _try_point_of(best) is None:  # cannot forecast: seasonal naive can
        chosen = finalists[0]
        best = fit_spec(chosen, y)
    candidates = pd.DataFrame(rows, columns=["model", "criterion", "value"])
    candidates["chosen"] = candidates["model"] == chosen.name
    return Selection(best, candidates, errors.get(chosen, np.empty((0, 0))), h, origins)


def fit_family(y: np.ndarray, period: int | None) -> list[Fit]:
    """Every ETS model the data allow, fitted; those with a usable AICc.

    A multiplicative-error model starts from its additive twin's weights, a multiplicative
    season from the additive one's: the same optimum in ~15% less time.
    """
    fits: dict[Spec, Fit] = {}
    for spec in ets_specs(y, period):
        twin = (
            replace(spec, error="add") if spec.seasonal != "mul" else replace(spec, seasonal="add")
        )
        start = fits[twin].params if twin in fits else None
        fit = _try_fit(spec, y, start)
        if fit is not None:
            fits[spec] = fit
    return [fit for fit in fits.values() if not math.isnan(fit.aicc) and fit.aicc != math.inf]


def backtest_origins(n: int, horizon: int, min_train: int) -> list[int]:
    """Training lengths of up to ORIGINS backtests whose `horizon` ends within the series."""
    if horizon < 1:
        return []
    stride = max(1, horizon // 2)
    ends = [n - horizon - i * stride for i in range(ORIGINS)]
    return sorted(end for end in ends if end >= min_train)


def backtest_errors(
    spec: Spec, y: np.ndarray, origins: list[int], horizon: int, start: np.ndarray | None = None
) -> np.ndarray | None:
    """Actual minus forecast, one row per origin (refitted there, from `start`: the whole
    series' ETS weights, a first guess only); None if a fit fails."""
    rows = []
    for end in origins:
        forecast = _try_point(spec, y[:end], horizon, start)
        if forecast is None:
            return None
        rows.append(y[end : end + horizon] - forecast)
    return np.array(rows).reshape(len(origins), horizon)


def mase_scale(y: np.ndarray, period: int | None) -> float:
    """In-sample mean absolute error of seasonal naive (naive, then 1, when that is zero)."""
    for lag in (period or 1, 1):
        if len(y) > lag:
            scale = float(np.mean(np.abs(y[lag:] - y[:-lag])))
            if scale > 0:
                return scale
    return 1.0


def level_ratios(y: np.ndarray, origins: list[int], period: int | None) -> np.ndarray:
    """Per origin, the series' level at its end over its level at that origin (positive data).

    Errors grow with the level (money, counts): an error made when sales were half today's
    counts double against today's intervals. Levels are means over a season (3 values at least).
    """
    ratios = np.ones(len(origins))
    if not np.all(y > 0):
        return ratios
    w = max(3, period or 1)
    end = float(np.mean(y[-w:]))
    for i, origin in enumerate(origins):
        ratios[i] = end / float(np.mean(y[max(0, origin - w) : origin]))
    return ratios


def calibration_factors(
    errors: np.ndarray, sd: np.ndarray, tiny: float = 0.0
) -> tuple[float, float]:
    """How much the analytic intervals must widen, below and above, to match the backtest.

    Each error (at today's level: `level_ratios`) is divided by the analytic standard
    deviation at its step ahead; were the intervals right, these would have unit variance and
    no sign. Each side's factor is the root mean square of the errors on that side (others
    counted as 0) times √2, when above 1, else 1: a model that kept falling short of a growing
    series has its upper band widened, not its lower; intervals are widened, never narrowed, on
    a few origins' evidence. Steps whose deviation is at most `tiny` (an exact fit: rounding
    noise) are left out.
    """
    if errors.size == 0:
        return 1.0, 1.0
    spread = np.broadcast_to(sd[: errors.shape[1]], errors.shape)
    ok = spread > tiny
    if not ok.any():
        return 1.0, 1.0
    z = errors[ok] / spread[ok]
    below = float(np.sqrt(2 * np.mean(np.minimum(z, 0) ** 2)))
    above = float(np.sqrt(2 * np.mean(np.maximum(z, 0) ** 2)))
    return max(1.0, below), max(1.0, above)


def change_floor(y: np.ndarray, horizon: int, level: float = 0.95) -> np.ndarray:
    """Per step ahead h, the `level` quantile of |y[t + h] − y[t]| over `y` (the series' own
    h-period changes): the least half-width a `level` band may have.

    A prior on how far the series can move, for when the last few origins' errors understate
    it (M1's yearly series grew faster than their training part showed). Steps with fewer
    than 3 changes to measure repeat the last step's floor; a constant series has none.
    """
    floor = np.zeros(horizon)
    for h in range(1, horizon + 1):
        if len(y) - h >= 3:
            floor[h - 1] = float(np.quantile(np.abs(y[h:] - y[:-h]), level))
        elif h > 1:
            floor[h - 1] = floor[h - 2]
    return floor


def band_bounds(
    mean: np.ndarray, below: np.ndarray, above: np.ndarray, log_scale: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds from the half-widths below and above `mean`.

    On a log scale (`log_scale` and a positive forecast: money, counts) the half-widths are
    read as relative ones, mean · exp(∓width / mean): the band leans up, as growth compounds,
    and stays above 0. Otherwise mean − below, mean + above.
    """
    if log_scale and np.all(mean > 0):
        return mean * np.exp(-below / mean), mean * np.exp(above / mean)
    return mean - below, mean + above


def _choose(scores: list[tuple[Spec, float]]) -> Spec:
    """The finalist with the lowest backtest MASE; ties to the earlier (simpler) one."""
    valid = [(spec, s) for spec, s in scores if math.isfinite(s)]
    if not valid:  # no backtest possible: AICc's choice stands
        return next((spec for spec, _ in scores if spec.kind == "ets"), scores[0][0])
    low = min(s for _, s in valid)
    return next(spec for spec, s in valid if s <= low + TIE * max(1.0, low))


FIT_ERRORS = (ValueError, ArithmeticError, np.linalg.LinAlgError, IndexError)


def _try_fit(spec: Spec, y: np.ndarray, start: np.ndarray | None = None) -> Fit | None:
    """`fit_spec`, or None when statsmodels cannot fit it (singular, diverged...)."""
    try:
        return fit_spec(spec, y, start)
    except FIT_ERRORS:
        return None


def _try_point_of(fit: Fit) -> np.ndarray | None:
    try:
        forecast = fit.point(1)
    except FIT_ERRORS:
        return None
    return forecast if np.all(np.isfinite(forecast)) else None


def _try_point(
    spec: Spec, y: np.ndarray, horizon: int, start: np.ndarray | None = None
) -> np.ndarray | None:
    """`spec` fitted on `y` and its finite point forecasts, or None."""
    fit = _try_fit(spec, y, start)
    try:
        forecast = None if fit is None else fit.point(horizon)
    except FIT_ERRORS:
        return None
    return forecast if forecast is not None and np.all(np.isfinite(forecast)) else None


# What the fits load: imported before BLAS is limited, so that the limit reaches every copy.
FITTERS = (
    "scipy.stats",
    "statsmodels.tsa.exponential_smoothing.ets",
    "statsmodels.tsa.forecasting.theta",
)


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """BLAS on one thread while fitting (threadpoolctl, when installed).

    The fits multiply tiny matrices: OpenBLAS's extra threads only spin, and doubled the CPU
    time per series; a pool of processes is the parallelism that pays.
    """
    limits = _limit_blas()
    try:
        yield
    finally:
        if limits is not None:
            limits.restore_original_limits()


def start_worker() -> None:
    """A pool worker: BLAS on one thread for good (libraries not yet loaded read the variables)."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    _limit_blas()


def pool_context():
    """fork where it is safe (one thread: the CLI) and cheap; forkserver otherwise."""
    import multiprocessing
    import threading

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        ctx.set_forkserver_preload(["pulsebi.trends.forecast", *FITTERS])
    return ctx


def _limit_blas():
    """Load the fitters, then limit BLAS to one thread: the limit (None without threadpoolctl)."""
    import importlib

    for name in FITTERS:
        importlib.import_module(name)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits(1)
