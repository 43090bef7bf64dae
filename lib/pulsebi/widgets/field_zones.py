"""The report builder's field list and drop zones, live (anywidget; its ESM and CSS are files
of this package under static/: no CDN, no build step, works in Voilà and JupyterLab).

    from pulsebi.builder.zone_options import widget_options
    widget = FieldZones(**widget_options())      # the catalog's fields, the builder's rules
    widget.zones        # {"values": ["net_revenue", "leads"], "x": ["month"], ...}
    widget.zones = {...}                         # redrawn in the page; checked first
    widget.on_change(lambda zones: ...)

On the left the fields, grouped by kind (Measures, Dimensions, Time) with a search box; on the
right a zone per rule. A field is dragged (mouse, pen or finger) to a zone, within a zone to
reorder it, to another zone to move it, out of the zones (or its ×) to remove it; a zone that
refuses it says why while it hovers and after the drop. The keyboard does the same: Tab to a
field, Enter opens a "Put in" menu of the zones (arrows choose, Enter puts, Escape closes); in a
zone, Enter moves the field elsewhere, Alt+Up/Down reorders, Delete removes. Every change is
said in a live region. The widget knows no catalog: `fields` (id, label, kind, title) and
`rules` (the zones and kinds as data) come from the caller, and `check` is run on every
`zones` value, the page's and Python's alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from pulsebi.errors import UsageError

STATIC = Path(__file__).with_name("static")
Check = Callable[[Mapping[str, Any]], Mapping[str, Any]]


class FieldZones(anywidget.AnyWidget):
    """Fields dragged (or moved with the keyboard) into drop zones; `zones` syncs both ways.

    Parameters
    ----------
    fields : sequence of dict
        Each ``{"id", "label", "kind"}`` and optionally ``"title"`` (a tooltip).
    rules : mapping
        ``{"zones": [{"id", "label", "kinds", "takes", "capacity", "group"}], "kinds": [{"id",
        "title", "name", "hint"}]}``, as `pulsebi.builder.zone_options.zone_rules` gives them.
    zones : mapping, optional
        What each zone holds at first (field ids in order); default nothing.
    check : callable, optional
        Takes a zones mapping, returns it checked (normalised) or raises `UsageError`. A
        refused change from the page leaves `zones` as it was, redrawn, and says why in the
        page (`notice`); a refused assignment in Python raises.

    Raises
    ------
    UsageError
        When `rules` names no zone, or `zones` is refused.
    """

    _esm = STATIC / "field_zones.js"
    _css = STATIC / "field_zones.css"
    fields = traitlets.List(traitlets.Dict()).tag(sync=True)
    rules = traitlets.Dict().tag(sync=True)
    zones = traitlets.Dict().tag(sync=True)
    notice = traitlets.Unicode("").tag(sync=True)  # a refusal for the page to show and say

    def __init__(
        self,
        fields: Sequence[Mapping[str, Any]],
        rules: Mapping[str, Any],
        zones: Mapping[str, Any] | None = None,
        *,
        check: Check | None = None,
        **kwargs: Any,
    ):
        ids = [z.get("id") for z in rules.get("zones", ())]
        if not ids:
            raise UsageError("rules name no zone: give rules={'zones': [{'id': ...}], ...}")
        self._zone_ids = ids
        self._check = check
        super().__init__(
            fields=[dict(f) for f in fields], rules=dict(rules), zones=dict(zones or {}), **kwargs
        )

    @traitlets.validate("zones")
    def _valid_zones(self, proposal: Any) -> dict[str, list[str]]:
        return self._checked(proposal["value"])

    def _checked(self, value: Mapping[str, Any]) -> dict[str, list[str]]:
        if not isinstance(value, Mapping):
            raise UsageError(
                f"zones are a mapping of zone to field ids, not {type(value).__name__}"
            )
        unknown = [key for key in value if key not in self._zone_ids]
        if unknown:
            raise UsageError(f"{unknown[0]!r} is no zone here: use {', '.join(self._zone_ids)}")
        if self._check is not None:
            value = self._check(value)
        return {zone: [str(f) for f in value.get(zone) or ()] for zone in self._zone_ids}

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """Take the page's changes; zones the check refuses are sent back as they stay."""
        if "zones" in sync_data:
            try:
                self._checked(sync_data["zones"])
            except UsageError as error:
                rest = {k: v for k, v in sync_data.items() if k != "zones"}
                if rest:
                    super().set_state(rest)
                self.say(str(error))
                self.send_state("zones")  # the page draws the zones as they still are
                return
        super().set_state(sync_data)

    def say(self, text: str) -> None:
        """Show `text` in the page's status line and have screen readers announce it."""
        if text == self.notice:
            self.notice = ""  # the same words again are still news
        self.notice = text

    def on_change(self, callback: Callable[[dict[str, list[str]]], Any]) -> None:
        """Call `callback(zones)` after each change of `zones`, the page's or Python's."""
        self.observe(lambda change: callback(change["new"]), names="zones")
