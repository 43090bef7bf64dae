"""What the field-zones widget (`pulsebi.widgets.field_zones.FieldZones`) is given for the
builder: the catalog's fields, the zones' rules as data (so that the page refuses a drop with
the words `Zones.refusal` uses), and the check run on every change the page sends.

    from pulsebi.builder.zone_options import widget_options
    from pulsebi.widgets.field_zones import FieldZones
    widget = FieldZones(**widget_options())
    Zones.from_dict(widget.zones).spec_fields()
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pulsebi.builder.fields import fields
from pulsebi.builder.zones import KINDS, ZONES, Zones


def check_zones(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """`data` checked as zones and in `to_dict()` form (`ZoneError` when it cannot be)."""
    return Zones.from_dict(data).to_dict()


def field_list() -> list[dict[str, str]]:
    """The builder's fields for the widget: id, label, kind and what a measure is."""
    return [{"id": f.id, "label": f.label, "kind": f.kind, "title": f.definition} for f in fields()]


def zone_rules() -> dict[str, Any]:
    """The zones and field kinds as data, for the page to refuse a drop as `refusal` does."""
    return {
        "zones": [
            {
                "id": z.id,
                "label": z.label,
                "kinds": list(z.kinds),
                "takes": z.takes,
                "capacity": z.capacity,
                "group": z.group,
            }
            for z in ZONES
        ],
        "kinds": [
            {"id": kind, "title": title, "name": name, "hint": hint}
            for kind, (title, name, hint) in KINDS.items()
        ],
    }


def widget_options(zones: Zones | None = None) -> dict[str, Any]:
    """Keyword arguments of `pulsebi.widgets.field_zones.FieldZones` for the builder.

    Parameters
    ----------
    zones : Zones, optional
        What the zones hold at first; default empty.

    Returns
    -------
    dict
        ``fields``, ``rules``, ``zones`` and ``check`` (`check_zones`).
    """
    start = zones or Zones()
    check: Callable[[Mapping[str, Any]], dict[str, list[str]]] = check_zones
    return {"fields": field_list(), "rules": zone_rules(), "zones": start.to_dict(), "check": check}
