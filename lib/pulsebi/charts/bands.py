"""Band charts: lines over shaded bands, with marked points. Both renderers draw from here.

    BandSpec("line", df, x="date", y=["value", "expected"], units="count",
             bands=(Band("lower", "upper", "Expected band"),), markers="anomaly",
             dashed=("expected",), title="Leads per day")
    BandSpec("line", df, x="date", y=["value", "forecast"], bands=(
             Band("lower_95", "upper_95", "95% interval", opacity=0.12),
             Band("lower_80", "upper_80", "80% interval", opacity=0.24)))

A `BandSpec` is a line chart (its kind is "line", so a page, the first paint and the Excel
writer treat it as one) plus what a line chart cannot say: the range a value was expected in
(an anomaly band, a forecast's intervals), drawn under the lines in order, and the points a
boolean column marks (anomalies), drawn over them. `render` draws it live (bqplot,
`bands_live`) or static (matplotlib, `bands_static`); `band_data` gives both the same points.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pulsebi.charts.legend import BAR_SWATCH, LINE_SWATCH, PARTIAL_LINE
from pulsebi.charts.spec import ChartData, ChartSpec, chart_data
from pulsebi.charts.style import MUTED, TONES, series_color
from pulsebi.errors import UsageError

MARKER_SWATCH = "●"
MARKER_COLOR = TONES["bad"]


@dataclass(frozen=True)
class Band:
    """A shaded range between two columns, with its legend text."""

    lower: str
    upper: str
    label: str
    color: str | None = None  # default: the first line's colour
    opacity: float = 0.2


@dataclass(frozen=True, eq=False)
class BandSpec(ChartSpec):
    """A line chart (`kind` "line") with shaded `bands` and the points `markers` marks.

    `dashed` lines are drawn dashed (an expected value, a forecast); `colors` maps a y column
    to its colour (default: the palette in order, the second line grey when dashed).
    """

    bands: Sequence[Band] = ()
    markers: str | None = None  # a boolean column: points marked on the first y column
    marker_label: str = "Anomaly"
    dashed: Sequence[str] = ()
    colors: Any = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.kind != "line":
            raise UsageError(f"chart {self.title!r}: a band chart is a line chart (kind 'line')")
        wanted = [c for b in self.bands for c in (b.lower, b.upper)]
        wanted += [self.markers] if self.markers else []
        missing = [c for c in wanted if c not in self.data.columns]
        if missing:
            raise UsageError(
                f"chart {self.title!r}: band column(s) {', '.join(map(repr, missing))} not in"
                f" the data; it has {', '.join(map(str, self.data.columns))}"
            )
        # in x order, rows without an x dropped: chart_data's order, so bands line up with it
        frame = self.data[self.data[self.x].notna()].sort_values(self.x, kind="stable")
        object.__setattr__(self, "data", frame.reset_index(drop=True))
        object.__setattr__(self, "bands", tuple(self.bands))
        object.__setattr__(self, "dashed", tuple(self.dashed))


@dataclass(frozen=True)
class BandData:
    """What a band chart draws: the lines (`ChartData`), each band's bounds, the marked rows."""

    lines: ChartData
    bands: list[tuple[Band, list[float], list[float]]]
    marked: list[int]
    line_colors: list[str]
    dashed: list[bool]

    def values(self) -> list[float]:
        """Every value drawn (lines and bounds), NaN left out: what the value axis covers.

        A bound below zero by rounding only (a count's band clipped at 0) counts as 0, so the
        axis of a series that never goes below zero starts at 0."""
        out = [v for row in self.lines.plotted("line") for v in row]
        out += [v for _, lower, upper in self.bands for v in (*lower, *upper)]
        out = [v for v in out if not math.isnan(v)]
        tiny = 1e-9 * max((abs(v) for v in out), default=0.0)
        return [0.0 if -tiny <= v < 0 else v for v in out]


def band_data(spec: BandSpec) -> BandData:
    """The points of `spec`, shared by the live and the static renderer.

    Parameters
    ----------
    spec
        The band chart.

    Returns
    -------
    BandData
        Lines as `chart_data` gives them, each band's lower and upper bounds (NaN where
        missing) in the same order, the indexes of marked points that have a value.
    """
    lines = chart_data(spec)
    bands = [(b, _floats(spec.data[b.lower]), _floats(spec.data[b.upper])) for b in spec.bands]
    first = lines.plotted("line")[0] if lines.series else []
    marked: list[int] = []
    if spec.markers and not lines.empty:
        flags = spec.data[spec.markers].fillna(False).astype(bool).tolist()
        marked = [i for i, f in enumerate(flags) if f and not math.isnan(first[i])]
    colors, dashed = [], []
    for i, column in enumerate(spec.y_columns):
        dash = column in spec.dashed
        default = MUTED if dash and i else series_color(i)
        colors.append(spec.colors.get(column, default))
        dashed.append(dash)
    return BandData(lines, bands, marked, colors, dashed)


def band_legend(spec: BandSpec, data: BandData) -> list[tuple[str, str, str]]:
    """(swatch, colour, text) per line, band and the markers (when any point is marked)."""
    entries = [
        (PARTIAL_LINE if dash else LINE_SWATCH, colour, s.name)
        for s, colour, dash in zip(data.lines.series, data.line_colors, data.dashed, strict=True)
    ]
    # a band's swatch a little stronger than the band, which sits under lines and over white
    entries += [
        (BAR_SWATCH, tint(band_color(b, data), 1.6 * b.opacity), b.label) for b, _, _ in data.bands
    ]
    if data.marked:
        entries.append((MARKER_SWATCH, MARKER_COLOR, spec.marker_label))
    return entries


def band_color(band: Band, data: BandData) -> str:
    """A band's colour: its own, else the first line's."""
    return band.color or (data.line_colors[0] if data.line_colors else series_color(0))


def tint(colour: str, opacity: float) -> str:
    """`colour` (#rrggbb) as it looks at `opacity` over white: a band's legend swatch."""
    opacity = min(1.0, max(0.0, opacity))
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(255 - (255 - c) * opacity) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def runs(lower: list[float], upper: list[float]) -> list[list[int]]:
    """The stretches of consecutive indexes where both bounds are known (a band has holes
    where nothing was expected yet: the first points of an anomaly band)."""
    out: list[list[int]] = []
    current: list[int] = []
    for i, (lo, hi) in enumerate(zip(lower, upper, strict=True)):
        if math.isnan(lo) or math.isnan(hi):
            if current:
                out.append(current)
            current = []
        else:
            current.append(i)
    if current:
        out.append(current)
    return out


def _floats(column: Any) -> list[float]:
    out = []
    for v in column:
        try:
            out.append(math.nan if v is None else float(v))
        except (TypeError, ValueError):
            out.append(math.nan)
    return out
