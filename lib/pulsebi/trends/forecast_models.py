"""The forecasting candidates: the ETS family, Theta and (seasonal) naive, fitted on plain arrays.

A `Spec` names a candidate and knows how long a series it needs; `fit_spec` fits it once and
returns a `Fit`, which answers point forecasts and their analytic standard deviations. Everything
here works on a float array without gaps (the caller interpolates) and imports statsmodels only
when a model is fitted. Last, where fits run: BLAS on one thread (`one_blas_thread`) and the
process pool's start (`pool_context`, `start_worker`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

# Fewest values a non-seasonal ETS or Theta fit is given (backtest origins included).
MIN_FIT = 5
# ETS intervals of multiplicative models are simulated: a fixed seed keeps results reproducible
# (forecast_many must equal forecast), 1,000 paths as statsmodels' default.
SIMULATIONS = 1000
SEED = 20261201


@contextmanager
def quiet() -> Iterator[None]:
    """statsmodels' warnings (convergence, overflow in a bad candidate) kept inside."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


@dataclass(frozen=True)
class Spec:
    """One candidate model: kind "ets", "theta" or "snaive", and its components.

    `period` is the seasonal cycle the candidate uses (None: none). For ETS, `error`, `trend`
    ("add" or None), `damped` and `seasonal` ("add", "mul" or None) are ETSModel's arguments.
    """

    kind: str
    period: int | None = None
    error: str = "add"
    trend: str | None = None
    damped: bool = False
    seasonal: str | None = None

    @property
    def name(self) -> str:
        """The name users see: "ETS(M,Ad,M)", "Theta", "Seasonal naive" or "Naive"."""
        if self.kind == "theta":
            return "Theta"
        if self.kind == "snaive":
            return "Seasonal naive" if self.period else "Naive"
        trend = "N" if self.trend is None else "Ad" if self.damped else "A"
        season = {None: "N", "add": "A", "mul": "M"}[self.seasonal]
        return f"ETS({self.error[0].upper()},{trend},{season})"

    @property
    def n_states(self) -> int:
        """Initial states the model starts from (level, trend, one per season)."""
        if self.kind != "ets":
            return 0
        return 1 + (self.trend is not None) + (self.period or 0) * (self.seasonal is not None)

    def min_length(self) -> int:
        """The fewest values this candidate can be fitted on."""
        if self.kind == "snaive":
            return max(2, self.period or 1) + 1
        if self.seasonal is not None or (self.kind == "theta" and self.period):
            return seasonal_min(self.period)
        # level (+ trend, damping) and their smoothing weights, and a few values to spare
        return max(MIN_FIT, 2 * self.n_states + 1 + self.damped)


class Fit:
    """A fitted candidate: its spec, AICc (ETS only, else NaN) and how it forecasts.

    `build` makes, on first use, the in-sample one-step fit and the point and spread functions
    (ETS fits are ranked on their likelihood alone; only the few used go on to forecast).
    `n_resid` residuals estimated its error variance, with `n_params` values fitted on them.
    """

    def __init__(
        self, spec: Spec, aicc: float, build: Callable[[], tuple], n_resid: int, n_params: int
    ) -> None:
        self.spec, self.aicc = spec, aicc
        self._build, self._built = build, None
        self.n_resid, self.n_params = n_resid, n_params
        self.params: np.ndarray | None = None  # ETS: the fitted parameters, a sibling's start

    @property
    def dof(self) -> int:
        """Residual degrees of freedom (at least 1)."""
        return max(1, self.n_resid - self.n_params)

    def _parts(self) -> tuple[np.ndarray, Callable, Callable]:
        if self._built is None:
            with quiet():
                self._built = self._build()
        return self._built

    @property
    def fitted(self) -> np.ndarray:
        """In-sample one-step forecasts (NaN where the model has none)."""
        return np.asarray(self._parts()[0], dtype="float64")

    def point(self, horizon: int) -> np.ndarray:
        """Point forecasts for the next `horizon` periods."""
        point = self._parts()[1]
        with quiet():
            return np.asarray(point(horizon), dtype="float64")

    def predict(self, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        """Point forecasts and their analytic standard deviations (statsmodels' own)."""
        _, point, spread = self._parts()
        with quiet():
            mean = np.asarray(point(horizon), dtype="float64")
            sd = np.asarray(spread(horizon), dtype="float64")
        return mean, np.nan_to_num(sd, nan=0.0, posinf=0.0)


def seasonal_min(period: int | None) -> int:
    """Values a seasonal model needs: two full cycles and a heuristic start's 10 + 2·⌊m/2⌋."""
    if not period:
        return MIN_FIT
    return max(2 * period, 10 + 2 * (period // 2))


def ets_specs(y: np.ndarray, period: int | None) -> list[Spec]:
    """The ETS family the data allow, simplest first.

    Multiplicative error or seasonality only on positive data; seasonality only with two full
    cycles (`period` None otherwise). Additive error with multiplicative seasonality is left out,
    as in R's forecast::ets: its likelihood is numerically unstable.
    """
    positive = bool(np.all(y > 0))
    seasons: list[str | None] = [None]
    if period:
        seasons += ["add", "mul"] if positive else ["add"]
    specs = []
    for error in ("add", "mul") if positive else ("add",):
        for seasonal in seasons:
            if error == "add" and seasonal == "mul":
                continue
            for trend, damped in ((None, False), ("add", False), ("add", True)):
                specs.append(Spec("ets", period, error, trend, damped, seasonal))
    return [spec for spec in specs if spec.min_length() <= len(y)]


def fit_spec(spec: Spec, y: np.ndarray, start: np.ndarray | None = None) -> Fit:
    """Fit `spec` on `y`; statsmodels' warnings stay inside. Raises on a failed fit.

    `start`: an ETS fit's first guess of its smoothing weights (a sibling's `params`).
    """
    with quiet():
        if spec.kind == "ets":
            return _fit_ets(spec, y, start)
        if spec.kind == "theta":
            return _fit_theta(spec, y)
        return _fit_snaive(spec, y)


def aicc(llf: float, nobs: int, k: int) -> float:
    """Akaike's criterion with the small-sample correction; inf when k leaves no freedom."""
    if math.isnan(llf) or nobs - k - 1 <= 0:
        return math.inf
    if llf == math.inf:  # an exact fit (a straight line, a constant)
        return -math.inf
    return -2.0 * llf + 2.0 * k + 2.0 * k * (k + 1) / (nobs - k - 1)


def _fit_ets(spec: Spec, y: np.ndarray, start: np.ndarray | None = None) -> Fit:
    # The heuristic start (Hyndman et al. 2008, §2.6) fixes the initial states from the first
    # cycles instead of optimising 13+ of them: 10-30× faster for seasonal models. They are still
    # counted in AICc's k below, as if estimated, so models stay comparable (and honest).
    heuristic = len(y) >= 10
    model = _ets_model(spec, y, heuristic)
    if start is not None and len(start) != model.k_params:
        start = None
    params = model.fit(disp=False, return_params=True, start_params=start)
    llf = float(model.loglike(params))
    # k as statsmodels' df_model (free parameters + the error variance), plus the fixed states
    k = model.k_params + 1 + (spec.n_states if heuristic else 0)
    n = len(y)
    n_params = k - 1

    def build() -> tuple:
        res = model.smooth(params)
        if not np.all(np.isfinite(res.forecast(1))):
            raise ValueError(f"{spec.name} diverged")

        def spread(h: int) -> np.ndarray:
            import pandas as pd

            # get_prediction needs pandas data (stack notes): rebuilt for the one model asked
            labelled = _ets_model(spec, pd.Series(y), heuristic).smooth(params)
            rng = np.random.default_rng(SEED)
            pred = labelled.get_prediction(n, n + h - 1, simulate_repetitions=SIMULATIONS, rng=rng)
            return np.sqrt(np.asarray(pred.forecast_variance, dtype="float64"))

        return res.fittedvalues, res.forecast, spread

    fit = Fit(spec, aicc(llf, n, k), build, n, n_params)
    fit.params = params
    return fit


def _ets_model(spec: Spec, y, heuristic: bool):
    """statsmodels' ETSModel for `spec` on `y` (a plain array fits ~30% faster than a Series)."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    return ETSModel(
        y,
        error=spec.error,
        trend=spec.trend,
        damped_trend=spec.damped,
        seasonal=spec.seasonal,
        seasonal_periods=spec.period if spec.seasonal else None,
        initialization_method="heuristic" if heuristic else "estimated",
    )


def _fit_theta(spec: Spec, y: np.ndarray) -> Fit:
    from statsmodels.tsa.forecasting.theta import ThetaModel

    seasonal = bool(spec.period) and len(y) >= seasonal_min(spec.period)
    # method "auto": a multiplicative decomposition on positive data, additive otherwise;
    # statsmodels tests the seasonality (ACF at lag m, 90%) before removing it.
    model = ThetaModel(y, period=spec.period if seasonal else None, deseasonalize=seasonal)
    res = model.fit()

    def spread(h: int) -> np.ndarray:
        band = np.asarray(res.prediction_intervals(h, alpha=0.05), dtype="float64")
        return (band[:, 1] - band[:, 0]) / (2 * 1.959963984540054)

    # level, drift and smoothing weight, and the seasonal indices when it removed a season
    removed = seasonal and getattr(res.model, "_has_seasonality", True)
    n_params = 3 + (spec.period or 0) * bool(removed)
    build = lambda: (np.full(len(y), np.nan), res.forecast, spread)  # noqa: E731
    return Fit(spec, math.nan, build, len(y), n_params)


def _fit_snaive(spec: Spec, y: np.ndarray) -> Fit:
    p = spec.period or 1
    resid = y[p:] - y[:-p]
    sigma = float(np.sqrt(np.mean(resid**2))) if len(resid) else 0.0
    last = y[-p:].copy()

    def point(h: int) -> np.ndarray:
        return last[np.arange(h) % p]

    def spread(h: int) -> np.ndarray:
        # a seasonal random walk: the error grows with the number of whole cycles ahead
        return sigma * np.sqrt(np.arange(h) // p + 1.0)

    fitted = np.concatenate([np.full(p, np.nan), y[:-p]])
    return Fit(spec, math.nan, lambda: (fitted, point, spread), len(resid), 0)


_Z80, _Z95 = 1.2815515655446004, 1.959963984540054


def small_sample(fit: Fit) -> tuple[dict, float, float]:
    """The small-sample part of the calibration, and Student's t quantiles for 80% and 95%."""
    from scipy.stats import t

    dof = fit.dof
    q80, q95 = float(t.ppf(0.9, dof)), float(t.ppf(0.975, dof))
    calibration = {
        "dof": dof,
        "small_sample": float(np.sqrt(fit.n_resid / dof)),
        "t_80": q80 / _Z80,
        "t_95": q95 / _Z95,
    }
    return calibration, q80, q95
