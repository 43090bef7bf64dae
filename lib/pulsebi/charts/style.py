"""Company look: palette, fonts and the matplotlib settings static charts use.

Fonts are ones every machine here has offline (DejaVu Sans ships with matplotlib and Debian);
nothing is fetched from a CDN. HTML outputs use inline styles so they survive e-mail clients.
"""

from __future__ import annotations

from typing import Any

# 12 distinct series colours: the company navy, then Okabe & Ito's colour-blind-safe set, then
# Paul Tol's muted tones; more than 12 series reuse them in order
PALETTE = (
    "#1f4e79",  # company navy
    "#e69f00",  # orange
    "#56b4e9",  # sky blue
    "#009e73",  # bluish green
    "#d55e00",  # vermillion
    "#cc79a7",  # reddish purple
    "#999933",  # olive
    "#882255",  # wine
    "#117733",  # green
    "#aa4499",  # purple
    "#ddcc77",  # sand
    "#555555",  # dark grey
)
PARTIAL_TINT = "#9fb3c8"  # the legend swatch of partial (lighter) bars
TONES = {"good": "#1e8e3e", "warn": "#b26a00", "bad": "#c5221f", "neutral": "#5f6368"}
INK = "#202124"
MUTED = "#5f6368"
RULE = "#dadce0"
ZEBRA = "#f5f7fa"
SURFACE = "#ffffff"
FONT_STACK = "'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif"
MPL_FONT = "DejaVu Sans"


def series_color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def mpl_rc() -> dict[str, Any]:
    """matplotlib rc settings of static charts (text stays text in the SVG: small, searchable)."""
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [MPL_FONT],
        "font.size": 10,
        "axes.titlesize": 13,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.edgecolor": RULE,
        "axes.labelcolor": MUTED,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.grid.axis": "y",
        "axes.axisbelow": True,
        "axes.prop_cycle": _cycler(),
        "grid.color": RULE,
        "grid.linewidth": 0.6,
        "xtick.color": MUTED,
        "ytick.color": MUTED,
        "legend.frameon": False,
        "svg.fonttype": "none",
        "text.color": INK,
    }


def _cycler() -> Any:
    from cycler import cycler

    return cycler(color=list(PALETTE))


def bq_title_style() -> dict[str, str]:
    return {"font-size": "15px", "font-weight": "bold", "fill": INK, "font-family": FONT_STACK}
