"""The "data as of" line: when the figures on the page were last refreshed, in the company zone.

as_of = DataAsOf(moment=last_refresh)      # an aware datetime, or None
as_of.update(moment=new_refresh)
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import traitlets as t

from pulsebi.charts.style import FONT_STACK, MUTED
from pulsebi.settings import get_settings
from pulsebi.widgets.base import Figures, HtmlWidget, StaticView, pick


class AsOfFigures(Figures):
    moment = t.Instance(dt.datetime, allow_none=True)
    prefix = t.Unicode("Data as of")
    _drawn = ("moment", "prefix")

    def to_html(self) -> str:
        return as_of_html(self.moment, self.prefix)


class DataAsOf(AsOfFigures, HtmlWidget):
    """The live line."""


class StaticDataAsOf(AsOfFigures, StaticView):
    """The line in static mode."""


def data_as_of(**kwargs: Any) -> DataAsOf | StaticDataAsOf:
    """The "data as of" line for the current mode."""
    return pick(DataAsOf, StaticDataAsOf, kwargs)


def as_of_html(moment: dt.datetime | None, prefix: str = "Data as of") -> str:
    text = f"{prefix} {format_moment(moment)}" if moment else f"{prefix}: not refreshed yet"
    return (
        f'<div class="pbi-as-of" style="font-family:{FONT_STACK};font-size:12px;color:{MUTED}">'
        f"{html.escape(text)}</div>"
    )


def format_moment(moment: dt.datetime) -> str:
    """'Nov 24, 2026 08:32 CST' in the reporting zone (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(get_settings().zone)
    return local.strftime("%b %d, %Y %H:%M %Z")
