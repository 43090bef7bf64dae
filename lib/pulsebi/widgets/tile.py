"""KPI tiles: label, value formatted by unit, change against a comparison, status and state.

    tile = kpi_tile(label="Revenue YTD", metric="net_revenue", unit="usd",
                    value=1234567.891, previous=1100000, comparison="vs last year")
    tile.update(value=1240000.0, previous=1100000, state="live")   # one atomic change

The change arrow's colour is direction-aware (thresholds.yaml's `better`): a rising resolution
time is shown red. Money shows compact ($73.6M); the exact value is the value's hover title and
its `data-value` (what exports read). In the page a tile is `.pbi-tile[data-tile=<key>]`, its
value `.pbi-tile-value`, its state `data-state`.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence
from typing import Any

import traitlets as t

from pulsebi.charts.export import json_value
from pulsebi.charts.formats import (
    check_unit,
    describe_change,
    format_compact,
    format_value,
    is_missing,
)
from pulsebi.charts.style import FONT_STACK, INK, MUTED, RULE, SURFACE, TONES
from pulsebi.settings import get_settings
from pulsebi.widgets import thresholds
from pulsebi.widgets.base import Figures, HtmlWidget, StaticView, pick

STATE_BADGES = {
    "live": ("● Live", TONES["good"]),
    "reconnecting": ("◌ Reconnecting…", TONES["warn"]),
    "stale": ("◼ Stale", TONES["bad"]),
    "loading": ("Loading…", MUTED),
    "error": ("⚠ Not available", TONES["bad"]),
}


class TileFigures(Figures):
    label = t.Unicode("")
    value = t.Any(None)
    previous = t.Any(None)  # the comparison period's value
    unit = t.Unicode("count")
    metric = t.Unicode(None, allow_none=True)  # metric id: thresholds and direction
    better = t.Unicode(None, allow_none=True)  # "higher"/"lower"; default from thresholds
    comparison = t.Unicode("")  # e.g. "vs same period last year"
    also = t.List()  # more comparisons: [(label, value), ...], e.g. [("vs previous period", 9.5)]
    note = t.Unicode("")  # small print: a basis, a period
    key = t.Unicode("")  # stable id in the page (data-tile); default: the label slugged
    _drawn = (
        "label",
        "value",
        "previous",
        "unit",
        "metric",
        "better",
        "comparison",
        "also",
        "note",
        "key",
    )

    @t.validate("unit")
    def _check_unit(self, proposal: Any) -> str:
        return check_unit(proposal["value"])

    @property
    def direction(self) -> str | None:
        return self.better or thresholds.better(self.metric)

    def to_html(self) -> str:
        return tile_html(
            label=self.label,
            value=self.value,
            previous=self.previous,
            unit=self.unit,
            metric=self.metric,
            better=self.direction,
            comparison=self.comparison,
            also=self.also,
            note=self.note,
            key=self.key,
            state=self.state,
            stale_since=self.stale_since,
        )


class KpiTile(TileFigures, HtmlWidget):
    """The live tile (an ipywidgets Box, CSS only)."""


class StaticKpiTile(TileFigures, StaticView):
    """The tile in static mode: the same HTML, no widget."""


def kpi_tile(**kwargs: Any) -> KpiTile | StaticKpiTile:
    """A tile for the current mode: `KpiTile` live, `StaticKpiTile` static (same arguments)."""
    return pick(KpiTile, StaticKpiTile, kwargs)


def tile_html(
    *,
    label: str,
    value: Any,
    unit: str,
    previous: Any = None,
    metric: str | None = None,
    better: str | None = None,
    comparison: str = "",
    also: Sequence[tuple[str, Any]] = (),
    note: str = "",
    key: str = "",
    state: str = "ready",
    stale_since: dt.datetime | None = None,
) -> str:
    """A tile as self-contained HTML (inline styles only): the static rendering and the live one."""
    status = thresholds.status(metric, value) if state != "loading" else None
    edge = TONES.get(status or "", RULE)
    comparisons = [(comparison, previous)] if previous is not None else []
    comparisons += [(str(text), other) for text, other in also]
    badge = _badge(state, stale_since)
    dim = "opacity:0.45;" if state in ("loading", "stale") else ""
    parts = [
        f'<div class="pbi-tile" data-tile="{html.escape(key or slug(label))}"'
        f' data-metric="{html.escape(metric or "")}" data-state="{state}"'
        f' data-status="{status or ""}" style="font-family:{FONT_STACK};background:{SURFACE};'
        f"border:1px solid {RULE};border-left:5px solid {edge};border-radius:8px;"
        f"padding:10px 14px;min-width:0;max-width:100%;box-sizing:border-box;overflow:hidden;"
        f'overflow-wrap:anywhere;color:{INK}">',
        f'<div style="display:flex;flex-wrap:wrap;justify-content:space-between;gap:2px 8px;'
        f'font-size:12px;color:{MUTED};text-transform:uppercase;letter-spacing:0.04em">'
        f'<span class="pbi-tile-label">{html.escape(label)}</span>{badge}</div>',
        _value_html(value, unit, dim),
    ]
    for text, other in comparisons:
        if is_missing(value):
            # nothing to compare: say the other period's figure, not "— vs last year"
            if not is_missing(other):
                parts.append(
                    f'<div class="pbi-tile-change" data-tone="neutral" style="font-size:13px;'
                    f'color:{MUTED}">{html.escape(text.removeprefix("vs "))}: '
                    f"{html.escape(format_compact(other, unit))}</div>"
                )
            continue
        change = describe_change(value, other, unit, better)
        parts.append(
            f'<div class="pbi-tile-change" data-tone="{change.tone}" style="font-size:13px;'
            f'color:{TONES[change.tone]}">{change.arrow} {html.escape(change.text)}'
            f' <span style="color:{MUTED}">{html.escape(text)}</span></div>'
        )
    if note:
        parts.append(
            f'<div class="pbi-tile-note" style="font-size:11px;color:{MUTED};margin-top:4px">'
            f"{html.escape(note)}</div>"
        )
    parts.append("</div>")
    return "".join(parts)


def _value_html(value: Any, unit: str, dim: str) -> str:
    """The headline figure: compact, the exact value on hover and in `data-value`; long texts
    get a smaller font and wrap rather than overflow the box (PDF tiles are narrow)."""
    shown, exact = format_compact(value, unit), format_value(value, unit)
    size = 26 if len(shown) <= 9 else 21 if len(shown) <= 13 else 17
    raw = json_value(value)
    data = "" if raw is None else f' data-value="{html.escape(str(raw))}"'
    # elementtiming: the browser records when the value was first painted (bench/)
    return (
        f'<div class="pbi-tile-value" elementtiming="pbi-tile-value" title="{html.escape(exact)}"'
        f'{data} style="font-size:{size}px;font-weight:700;margin:4px 0;line-height:1.15;'
        f'overflow-wrap:anywhere;{dim}">{html.escape(shown)}</div>'
    )


def _badge(state: str, since: dt.datetime | None) -> str:
    if state not in STATE_BADGES:
        return ""
    text, colour = STATE_BADGES[state]
    if state == "stale" and since is not None:
        text = f"◼ Stale since {format_since(since)}"
    return (
        f'<span class="pbi-tile-state" style="color:{colour};text-transform:none;'
        f'white-space:nowrap">{html.escape(text)}</span>'
    )


def format_since(moment: dt.datetime, now: dt.datetime | None = None) -> str:
    """A moment in the reporting zone: '14:32' today, else 'Nov 23 14:32'."""
    zone = get_settings().zone
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(zone)
    today = (now or dt.datetime.now(dt.UTC)).astimezone(zone).date()
    return local.strftime("%H:%M") if local.date() == today else local.strftime("%b %d %H:%M")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
