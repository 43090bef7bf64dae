"""Trend analysis on any series: year over year, growth, seasonality, anomalies, forecasts.

    from pulsebi import trends
    s = trends.TrendSeries.from_metric("leads", start=date(2024, 1, 1), end=date(2026, 12, 1),
                                       grain="day", branch="HOU")
    s = trends.TrendSeries.from_pandas(my_series)          # grain inferred from the dates

Each method fits once and returns a results object to ask for what is shown (statsmodels'
model/results split).
"""

from pulsebi.trends.series import GRAINS, TrendInputError, TrendSeries

__all__ = ["GRAINS", "TrendInputError", "TrendSeries"]
