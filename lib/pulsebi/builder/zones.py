"""The builder's drop zones as plain data: which fields are in Values, X, Series and Filters.

    zones = Zones().add("net_revenue", "values").add("leads", "values").add("month", "x")
    zones = zones.add("branch", "series").reorder("leads", 0)      # leads first
    zones = zones.move("branch", "filters")                        # out of Series
    zones.refusal("net_revenue", "series")   # 'Net revenue is a measure: only dimensions ...'
    zones.to_dict()          # {"values": ["leads", "net_revenue"], "x": ["month"], ...}
    zones.spec_fields({"branch": ["DAL"]})   # values / x / series / filters, as a spec takes

Every operation returns new `Zones` (they are values) or raises `ZoneError` saying why the
field cannot go there and where it can. Values take measures, X a dimension or a time grain,
Series a dimension, Filters dimensions (the date range sets the dates). X and Series hold one
field each: a field dropped on a full one takes its place. A field is in at most one of
Values, X and Series, and may also be in Filters (split by branch and keep two branches).
`pulsebi.builder.zone_options.widget_options()` gives the field-zones widget the fields, these
rules as data, and the check it runs on what the page sends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pulsebi.builder.fields import Field, find_field
from pulsebi.errors import UsageError


@dataclass(frozen=True)
class Zone:
    """One drop zone: the `kinds` of field it takes, at most `capacity` of them (None: any
    number). A field is in at most one zone of a `group`."""

    id: str
    label: str
    kinds: tuple[str, ...]
    takes: str  # the kinds in words: "only {takes} go in {label}"
    capacity: int | None
    group: str


AXIS = ("dimension", "time")
ZONES: tuple[Zone, ...] = (
    Zone("values", "Values", ("measure",), "measures", None, "axes"),
    Zone("x", "X axis / Rows", AXIS, "dimensions and time grains", 1, "axes"),
    Zone("series", "Series / Columns", ("dimension",), "dimensions", 1, "axes"),
    Zone("filters", "Filters", ("dimension",), "dimensions", None, "filters"),
)
ZONE_IDS = tuple(zone.id for zone in ZONES)
_BY_ID = {zone.id: zone for zone in ZONES}
# kind: (group title in the field list, the kind in a sentence, where such a field goes)
KINDS = {
    "measure": ("Measures", "a measure", "put it in Values"),
    "dimension": ("Dimensions", "a dimension", "put it on X axis / Rows or in Series / Columns"),
    "time": ("Time", "a time grain", "put it on X axis / Rows"),
}


class ZoneError(UsageError):
    """A field that cannot go where it was dropped, or an operation on a field or zone that is
    not there."""


def zone_of(zone_id: str) -> Zone:
    """The zone with this id; `ZoneError` names the zones when there is none."""
    try:
        return _BY_ID[zone_id]
    except KeyError:
        raise ZoneError(f"{zone_id!r} is no drop zone: use {', '.join(ZONE_IDS)}") from None


def _field(field_id: str) -> Field:
    field = find_field(field_id) if isinstance(field_id, str) else None
    if field is None:
        raise ZoneError(
            f"{field_id!r} is no field of the catalog: builder.fields() lists the measures, "
            "dimensions and time grains"
        )
    return field


def _clamp(index: int | None, size: int) -> int:
    return size if index is None else max(0, min(int(index), size))


@dataclass(frozen=True)
class Zones:
    """The fields in each drop zone, in order (ids of `pulsebi.builder.fields()`)."""

    values: tuple[str, ...] = ()
    x: tuple[str, ...] = ()
    series: tuple[str, ...] = ()
    filters: tuple[str, ...] = ()

    def fields_in(self, zone: str) -> tuple[str, ...]:
        """The field ids in `zone`, in order."""
        return getattr(self, zone_of(zone).id)

    def zones_holding(self, field: str) -> list[str]:
        """The ids of the zones `field` is in (none, one, or an axis zone and Filters)."""
        return [z for z in ZONE_IDS if field in getattr(self, z)]

    def refusal(self, field: str, zone: str, *, source: str | None = None) -> str | None:
        """Why `field` cannot be dropped on `zone`, or None when it can.

        Parameters
        ----------
        field, zone : str
            A field id and the zone it is dropped on.
        source : str, optional
            The zone it is dragged from; None: from the field list.

        Returns
        -------
        str or None
            The reason, naming the field and where it can go.
        """
        target = zone_of(zone)
        try:
            info = _field(field)
        except ZoneError as error:
            return str(error)
        if info.kind not in target.kinds:
            _, kind, hint = KINDS[info.kind]
            return f"{info.label} is {kind}: only {target.takes} go in {target.label}; {hint}"
        if source == zone:
            return None
        if field in self.fields_in(zone):
            return f"{info.label} is already in {target.label}"
        for other in self.zones_holding(field):
            if other != source and _BY_ID[other].group == target.group:
                return f"{info.label} is already in {_BY_ID[other].label}: move it from there"
        return None

    def add(self, field: str, zone: str, index: int | None = None) -> Zones:
        """These zones with `field` (from the field list) put in `zone` at `index`.

        Parameters
        ----------
        field, zone : str
            A field id and one of ZONE_IDS.
        index : int, optional
            Its position in the zone (clamped); default last. In a full zone (X, Series) it
            takes the place of the field there.

        Returns
        -------
        Zones
            New zones; these are unchanged.

        Raises
        ------
        ZoneError
            When the zone refuses the field (`refusal` says why).
        """
        reason = self.refusal(field, zone)
        if reason:
            raise ZoneError(reason)
        return self._put(field, zone, index)

    def move(
        self, field: str, zone: str, index: int | None = None, *, source: str | None = None
    ) -> Zones:
        """These zones with `field` moved from its zone (`source`) to `zone`, at `index` there
        after the move (clamped; default last). `source` is needed only when the field is in
        two zones (an axis and Filters); its own zone reorders it.

        Returns
        -------
        Zones
            New zones.

        Raises
        ------
        ZoneError
            When it is in no zone (or in two and `source` is not given), or `zone` refuses it.
        """
        source = self._source(field, source)
        reason = self.refusal(field, zone, source=source)
        if reason:
            raise ZoneError(reason)
        return self._without(field, source)._put(field, zone, index)

    def reorder(self, field: str, index: int, *, zone: str | None = None) -> Zones:
        """New zones with `field` at position `index` of its zone (0 first, clamped); `zone`
        is needed only when the field is in two (`ZoneError` otherwise, or when in none)."""
        source = self._source(field, zone)
        return self._without(field, source)._put(field, source, index)

    def remove(self, field: str, zone: str | None = None) -> Zones:
        """New zones without `field` in `zone`, by default the one zone it is in (`ZoneError`
        when it is in none, or in two and `zone` is not given)."""
        return self._without(field, self._source(field, zone))

    def to_dict(self) -> dict[str, list[str]]:
        """Every zone's field ids, lists in order: the widget's `zones` traitlet."""
        return {zone: list(getattr(self, zone)) for zone in ZONE_IDS}

    def spec_fields(self, filter_values: Mapping[str, Sequence[Any]] | None = None) -> dict:
        """The zones as the report spec's parts: values, x, series (an id or None), filters.

        Parameters
        ----------
        filter_values : mapping, optional
            Each filter's picked values; a filter with none picked keeps every row, so it is
            left out.

        Returns
        -------
        dict
            ``{"values": [...], "x": str | None, "series": str | None, "filters": [{"field":
            ..., "values": [...]}]}``, for `builder.load_spec` with a visual.
        """
        picked = filter_values or {}
        return {
            "values": list(self.values),
            "x": self.x[0] if self.x else None,
            "series": self.series[0] if self.series else None,
            "filters": [
                {"field": f, "values": list(picked[f])} for f in self.filters if picked.get(f)
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Zones:
        """Zones from `to_dict()`'s or `spec_fields()`'s form (a report spec's parts too).

        Raises
        ------
        ZoneError
            Naming the zone and field: an unknown zone or field, a field the zone refuses,
            twice, or more fields than X or Series holds.
        """
        if not isinstance(data, Mapping):
            raise ZoneError(f"zones are a mapping of zone to fields, not {type(data).__name__}")
        unknown = [key for key in data if key not in ZONE_IDS]
        if unknown:
            raise ZoneError(f"{unknown[0]!r} is no drop zone: use {', '.join(ZONE_IDS)}")
        zones = cls()
        for zone in ZONES:
            ids = _ids(data.get(zone.id), zone)
            if zone.capacity is not None and len(ids) > zone.capacity:
                raise ZoneError(
                    f"{zone.label} holds {zone.capacity} field, not {len(ids)} ({', '.join(ids)})"
                )
            for field in ids:
                zones = zones.add(field, zone.id)
        return zones

    @classmethod
    def from_spec(cls, spec: Any) -> Zones:
        """The zones of a report spec (`ReportSpec` or its JSON document)."""
        data = spec.to_json() if hasattr(spec, "to_json") else spec
        return cls.from_dict({z: data.get(z) for z in ZONE_IDS})

    def _source(self, field: str, zone: str | None) -> str:
        if zone is not None:
            if field not in self.fields_in(zone):
                raise ZoneError(f"{field} is not in {_BY_ID[zone].label}")
            return zone
        holding = self.zones_holding(field)
        if not holding:
            raise ZoneError(f"{field} is in no zone: add it first")
        if len(holding) > 1:
            names = " and ".join(_BY_ID[z].label for z in holding)
            raise ZoneError(f"{field} is in {names}: say which (zone=...)")
        return holding[0]

    def _without(self, field: str, zone: str) -> Zones:
        return replace(self, **{zone: tuple(f for f in getattr(self, zone) if f != field)})

    def _put(self, field: str, zone: str, index: int | None) -> Zones:
        items = list(getattr(self, zone))
        items.insert(_clamp(index, len(items)), field)
        capacity = _BY_ID[zone].capacity
        if capacity is not None and len(items) > capacity:
            # a full zone: the new field takes the place of the ones there
            items = [field, *(f for f in items if f != field)][:capacity]
        return replace(self, **{zone: tuple(items)})


def _ids(value: Any, zone: Zone) -> list[str]:
    """A zone's entry as field ids: a list of ids or of filters ({"field": ...}), one id, None."""
    if value is None:
        return []
    items: Iterable[Any] = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ZoneError(f"{zone.label}: a list of field ids, not {type(value).__name__}")
    ids = [item.get("field") if isinstance(item, Mapping) else item for item in items]
    bad = [item for item in ids if not isinstance(item, str)]
    if bad:
        raise ZoneError(f"{zone.label}: {bad[0]!r} is not a field id")
    return ids
