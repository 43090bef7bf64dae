"""Trend analysis on any series: year over year, growth, seasonality, anomalies, forecasts.

    from pulsebi import trends
    s = trends.TrendSeries.from_metric("leads", start=date(2024, 1, 1), end=date(2026, 12, 1),
                                       grain="day", branch="HOU")
    s = trends.TrendSeries.from_pandas(my_series)          # grain inferred from the dates
    trends.seasonality(s).indices["weekday"]               # Monday..Sunday, in the series' unit
    trends.yoy(s).weekday                                  # a Monday against a Monday
    trends.growth(s).to_frame()                            # PoP, YoY, CAGR, rolling 4/13/52 weeks
    trends.read_series_csv("mine.csv")                     # {series: TrendSeries}, date,value
    trends.read_strip(settings)                            # the early-warning strip, cached
    trends.forecast(s, trends.horizon_to(s, year_end)).frame   # 80% / 95% bands, .model named
    trends.anomalies(s).explain(day)                       # "12, expected 31–44, lowest in 2 years"

Each method fits once and returns a results object to ask for what is shown (statsmodels'
model/results split). Importing this package loads no statsmodels: each method does, when run.
"""

from pulsebi.trends.anomalies import SENSITIVITIES, anomalies
from pulsebi.trends.anomaly_results import AnomalyResults
from pulsebi.trends.csvinput import read_series_csv
from pulsebi.trends.forecast import ForecastResults, forecast, forecast_many, horizon_to
from pulsebi.trends.growth import GrowthResults, growth
from pulsebi.trends.seasonality import SeasonalityResults, seasonality
from pulsebi.trends.series import GRAINS, TrendInputError, TrendSeries
from pulsebi.trends.strip import HEADLINE_METRICS, compute_strip, read_strip
from pulsebi.trends.yoy import YoYResults, yoy

__all__ = [
    "GRAINS",
    "HEADLINE_METRICS",
    "SENSITIVITIES",
    "AnomalyResults",
    "ForecastResults",
    "GrowthResults",
    "SeasonalityResults",
    "TrendInputError",
    "TrendSeries",
    "YoYResults",
    "anomalies",
    "compute_strip",
    "forecast",
    "forecast_many",
    "growth",
    "horizon_to",
    "read_series_csv",
    "read_strip",
    "seasonality",
    "yoy",
]
