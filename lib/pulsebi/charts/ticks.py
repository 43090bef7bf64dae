"""Axis ticks both renderers share: round value ticks, and which x labels to write.

A live chart's width follows the page, so labels are thinned for a typical plot width
(`PLOT_PX`); a static chart has that width. Thinned labels keep an even step from the first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

PLOT_PX = 820  # plot area of a 9.6 in static chart, and of a live chart on a laptop screen
CHAR_PX = 7.0  # a tick label character (10-11 px sans-serif)
GAP_PX = 14  # between two labels
# the axis of a series with no spread at all (all zero): 0 up to a round top in its unit
EMPTY_TOP = {"rate": 1.0, "usd": 100.0, "count": 5.0}


def nice_ticks(low: float, high: float, target: int = 5, integer: bool = False) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 × 10^k) covering [low, high]; `integer`
    keeps steps whole (counts)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0, 1.0]
    if high <= low:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if integer:
        step = max(1.0, math.ceil(step))
    start, end = math.floor(low / step) * step, math.ceil(high / step) * step
    return [round(start + i * step, 10) for i in range(round((end - start) / step) + 1)]


def value_ticks(values: Sequence[float], unit: str, from_zero: bool) -> list[float]:
    """Ticks of a value axis over `values` (NaN ignored). `from_zero` (bars, areas) keeps 0 on
    the axis; a series without spread at 0 gets 0..a round top, never −1..1."""
    present = [v for v in values if not math.isnan(v)]
    low, high = min(present, default=0.0), max(present, default=0.0)
    if from_zero or (low >= 0 and high == low == 0):
        low, high = min(low, 0.0), max(high, 0.0)
    if low == high == 0:
        high = EMPTY_TOP.get(unit, 1.0)
    ticks = nice_ticks(low, high, integer=unit == "count")
    if unit == "rate" and low >= 0 and high <= 1:  # a share never needs −10% or 110%
        ticks = [t for t in ticks if 0 <= t <= 1]
        ticks = ticks if ticks[-1] >= high else [*ticks, 1.0]
        ticks = ticks if ticks[0] <= low else [0.0, *ticks]
    return ticks


def label_step(labels: Sequence[str], width_px: float = PLOT_PX) -> int:
    """Write every n-th label so that the written ones fit side by side in `width_px`."""
    if not labels:
        return 1
    widest = CHAR_PX * max(len(text) for text in labels) + GAP_PX
    fit = max(1, int(width_px // widest))
    return max(1, math.ceil(len(labels) / fit))


def fits_flat(labels: Sequence[str], width_px: float = PLOT_PX) -> bool:
    """Every label fits unrotated in its slot."""
    return label_step(labels, width_px) == 1


def shorten(text: str, limit: int = 18) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
