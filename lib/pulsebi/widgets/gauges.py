"""A gauge: a value against a target on a half dial (an inline SVG, the same live and static).

    Gauge(label="Closing rate", value=0.31, target=0.35, unit="rate", metric="closing_rate")

The dial colour is the thresholds' status of the metric when configured, else the value
against the target (at or beyond target good, within 10% of it warn, otherwise bad).
"""

from __future__ import annotations

import html
import math
from typing import Any

import traitlets as t

from pulsebi.charts.formats import check_unit, format_value, is_missing
from pulsebi.charts.style import FONT_STACK, INK, MUTED, RULE, SURFACE, TONES
from pulsebi.widgets import thresholds
from pulsebi.widgets.base import Figures, HtmlWidget, StaticView, pick
from pulsebi.widgets.tile import STATE_BADGES, slug


class GaugeFigures(Figures):
    label = t.Unicode("")
    value = t.Any(None)
    target = t.Any(None)
    maximum = t.Any(None)  # dial end; default: 1 for rates, else 1.5 × target
    unit = t.Unicode("rate")
    metric = t.Unicode(None, allow_none=True)
    better = t.Unicode(None, allow_none=True)
    key = t.Unicode("")
    _drawn = ("label", "value", "target", "maximum", "unit", "metric", "better", "key")

    @t.validate("unit")
    def _check_unit(self, proposal: Any) -> str:
        return check_unit(proposal["value"])

    def to_html(self) -> str:
        return gauge_html(
            label=self.label,
            value=self.value,
            target=self.target,
            maximum=self.maximum,
            unit=self.unit,
            metric=self.metric,
            better=self.better or thresholds.better(self.metric) or "higher",
            key=self.key,
            state=self.state,
        )


class Gauge(GaugeFigures, HtmlWidget):
    """The live gauge."""


class StaticGauge(GaugeFigures, StaticView):
    """The gauge in static mode: the same HTML, no widget."""


def gauge(**kwargs: Any) -> Gauge | StaticGauge:
    """A gauge for the current mode (same arguments as `Gauge`)."""
    return pick(Gauge, StaticGauge, kwargs)


def gauge_status(value: Any, target: Any, metric: str | None, better: str) -> str | None:
    configured = thresholds.status(metric, value)
    if configured is not None or is_missing(value) or is_missing(target):
        return configured
    value, target = float(value), float(target)
    if better == "lower":
        return "good" if value <= target else "warn" if value <= target * 1.1 else "bad"
    return "good" if value >= target else "warn" if value >= target * 0.9 else "bad"


def gauge_html(
    *,
    label: str,
    value: Any,
    target: Any = None,
    maximum: Any = None,
    unit: str = "rate",
    metric: str | None = None,
    better: str = "higher",
    key: str = "",
    state: str = "ready",
) -> str:
    status = gauge_status(value, target, metric, better) if state != "loading" else None
    colour = TONES.get(status or "", MUTED)
    top = _maximum(value, target, maximum, unit)
    share = 0.0 if is_missing(value) else min(max(float(value) / top, 0.0), 1.0)
    arc = _arc(share, colour) if share > 0 else ""
    tick = ""
    if not is_missing(target):
        ts = min(max(float(target) / top, 0.0), 1.0)
        (x1, y1), (x2, y2) = _point(ts, 62), _point(ts, 98)
        tick = (
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"'
            f' stroke="{INK}" stroke-width="3"/>'
        )
    target_text = "" if is_missing(target) else f"target {format_value(target, unit)}"
    badge = STATE_BADGES.get(state, ("", MUTED))
    dim = ' opacity="0.45"' if state in ("loading", "stale") else ""
    return (
        f'<div class="pbi-gauge" data-tile="{html.escape(key or slug(label))}"'
        f' data-metric="{html.escape(metric or "")}" data-state="{state}"'
        f' data-status="{status or ""}"'
        f' style="font-family:{FONT_STACK};background:{SURFACE};border:1px solid {RULE};'
        f'border-radius:8px;padding:10px 14px;min-width:180px;box-sizing:border-box;color:{INK}">'
        f'<div style="display:flex;justify-content:space-between;font-size:12px;color:{MUTED};'
        f'text-transform:uppercase;letter-spacing:0.04em"><span>{html.escape(label)}</span>'
        f'<span style="color:{badge[1]};text-transform:none">{html.escape(badge[0])}</span></div>'
        f'<svg viewBox="0 0 200 112" width="100%" style="max-width:260px;display:block;margin:auto"'
        f' role="img" aria-label="{html.escape(label)}">'
        f"{_arc(1.0, RULE)}<g{dim}>{arc}</g>{tick}"
        f'<text class="pbi-gauge-value" x="100" y="96" text-anchor="middle" font-size="22"'
        f' font-weight="bold" fill="{INK}">{html.escape(format_value(value, unit))}</text></svg>'
        f'<div class="pbi-gauge-target" style="text-align:center;font-size:12px;color:{MUTED}">'
        f"{html.escape(target_text)}</div>"
        "</div>"
    )


def _maximum(value: Any, target: Any, maximum: Any, unit: str) -> float:
    if not is_missing(maximum) and float(maximum) > 0:
        return float(maximum)
    if unit == "rate":
        return 1.0
    candidates = [float(v) for v in (value, target) if not is_missing(v)]
    if not is_missing(target) and float(target) > 0:
        candidates.append(float(target) * 1.5)
    top = max(candidates, default=1.0)
    return top if top > 0 else 1.0


def _point(share: float, radius: float) -> tuple[float, float]:
    angle = math.pi * (1 - share)
    return 100 + radius * math.cos(angle), 100 - radius * math.sin(angle)


def _arc(share: float, colour: str) -> str:
    (x0, y0), (x1, y1) = _point(0.0, 80), _point(share, 80)
    return (
        f'<path d="M {x0:.1f} {y0:.1f} A 80 80 0 0 1 {x1:.1f} {y1:.1f}" fill="none"'
        f' stroke="{colour}" stroke-width="18"/>'
    )
