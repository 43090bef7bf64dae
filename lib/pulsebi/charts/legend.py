"""Legends outside the data: entries in columns under the x axis, a note on partial buckets on
its own row. Both renderers lay them out from here, so a live chart and its static twin list
the same entries in the same places."""

from __future__ import annotations

from collections.abc import Sequence

from pulsebi.charts.spec import BAR_KINDS, ChartData, ChartSpec
from pulsebi.charts.style import MUTED, PARTIAL_TINT, series_color
from pulsebi.charts.ticks import CHAR_PX, PLOT_PX

ROW_PX = 18
SWATCH_PX = 16  # the swatch and the gap before the entry's text
BAR_SWATCH = "■"
LINE_SWATCH = "━"
PARTIAL_LINE = "┅"


def legend_entries(spec: ChartSpec, data: ChartData) -> list[tuple[str, str, str]]:
    """(swatch, colour, text) per series when there are several, then the partial note."""
    bars = spec.kind in BAR_KINDS or data.single
    entries = []
    if len(data.series) > 1:
        swatch = BAR_SWATCH if bars else LINE_SWATCH
        entries = [(swatch, series_color(i), s.name) for i, s in enumerate(data.series)]
    if data.note:
        swatch, colour = (BAR_SWATCH, PARTIAL_TINT) if bars else (PARTIAL_LINE, MUTED)
        entries.append((swatch, colour, data.note))
    return entries


def is_note(text: str) -> bool:
    return text.startswith("Partial ")


def legend_layout(
    texts: Sequence[str], width_px: float = PLOT_PX
) -> tuple[list[tuple[float, int]], int]:
    """Where each entry goes: (x as a fraction of the plot width, row), and the number of rows.
    Series share rows in equal columns; a note starts a row of its own."""
    names = [t for t in texts if not is_note(t)]
    column_px = SWATCH_PX + CHAR_PX * max((len(t) for t in names), default=0) + 18
    columns = max(1, int(width_px // column_px)) if names else 1
    slots, row, col = [], 0, 0
    for text in texts:
        if is_note(text):
            if col:
                row, col = row + 1, 0
            slots.append((0.0, row))
            row += 1
            continue
        if col == columns:
            row, col = row + 1, 0
        slots.append((col * column_px / width_px, row))
        col += 1
    return slots, row + (1 if col else 0)
