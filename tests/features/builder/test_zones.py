"""The builder's zone model (pulsebi.builder.zones): each refusal's words, a full X or Series
taking the new field, a field in an axis zone and in Filters, the dict forms, agreement with
the report spec, and a property test: a few hundred random sequences of add / move / reorder /
remove against a plain list model (Python lists and the rules written out naively)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulsebi.builder import SpecError, fields, load_spec
from pulsebi.builder.spec import ReportSpec
from pulsebi.builder.zone_options import check_zones, field_list, widget_options, zone_rules
from pulsebi.builder.zones import ZONE_IDS, ZoneError, Zones, zone_of

KIND = {f.id: f.kind for f in fields()}
TAKES = {"values": {"measure"}, "x": {"dimension", "time"}, "series": {"dimension"}}
TAKES["filters"] = {"dimension"}
AXES = ("values", "x", "series")  # a field is in one of them at most
ONE_FIELD = ("x", "series")
# measures that every dimension and grain of the pool fits, so that any zones the model
# allows make a valid spec (source is left out: split by source and by channel is refused)
POOL = ("net_revenue", "leads", "bookings", "branch", "channel", "month", "week", "quarter")
PICKED = {"branch": ["DAL", "HOU"], "channel": ["tv"]}


def test_a_measure_in_series_is_refused_naming_where_it_goes() -> None:
    zones = Zones()
    reason = "Net revenue is a measure: only dimensions go in Series / Columns; put it in Values"
    assert zones.refusal("net_revenue", "series") == reason
    with pytest.raises(ZoneError) as error:
        zones.add("net_revenue", "series")
    assert str(error.value) == reason


@pytest.mark.parametrize(
    ("field", "zone", "reason"),
    [
        (
            "branch",
            "values",
            "Branch is a dimension: only measures go in Values; put it on X axis / Rows or "
            "in Series / Columns",
        ),
        ("month", "series", "Month is a time grain: only dimensions go in Series / Columns; "),
        ("month", "filters", "Month is a time grain: only dimensions go in Filters; put it on X"),
        ("leads", "x", "Leads is a measure: only dimensions and time grains go in X axis"),
        ("nope", "values", "'nope' is no field of the catalog"),
    ],
)
def test_each_kind_goes_only_where_it_can(field: str, zone: str, reason: str) -> None:
    assert Zones().refusal(field, zone).startswith(reason)
    with pytest.raises(ZoneError, match="^" + reason.replace("(", r"\(")[:30]):
        Zones().add(field, zone)


def test_a_field_twice_or_on_two_axes_is_refused() -> None:
    zones = Zones().add("net_revenue", "values").add("branch", "x")
    assert zones.refusal("net_revenue", "values") == "Net revenue is already in Values"
    assert zones.refusal("branch", "series") == (
        "Branch is already in X axis / Rows: move it from there"
    )
    assert zones.refusal("branch", "series", source="x") is None  # a move is fine
    assert zones.move("branch", "series").to_dict()["series"] == ["branch"]


def test_a_full_x_or_series_takes_the_new_field() -> None:
    zones = Zones().add("month", "x").add("branch", "series")
    assert zones.add("week", "x").x == ("week",)
    assert zones.add("channel", "series", index=0).series == ("channel",)
    moved = zones.move("branch", "x")
    assert (moved.x, moved.series) == (("branch",), ())


def test_a_dimension_can_split_and_filter_at_once() -> None:
    zones = Zones().add("branch", "series").add("branch", "filters")
    assert zones.zones_holding("branch") == ["series", "filters"]
    with pytest.raises(ZoneError, match="branch is in Series / Columns and Filters: say which"):
        zones.remove("branch")
    assert zones.remove("branch", "filters").filters == ()
    assert zones.move("branch", "x", source="series").to_dict() == {
        "values": [],
        "x": ["branch"],
        "series": [],
        "filters": ["branch"],
    }
    with pytest.raises(ZoneError, match="branch is not in Values"):
        zones.reorder("branch", 0, zone="values")


def test_operations_return_new_zones_and_clamp_positions() -> None:
    empty = Zones()
    one = empty.add("net_revenue", "values")
    assert empty.values == () and one.values == ("net_revenue",)
    three = one.add("leads", "values", index=-5).add("bookings", "values", index=99)
    assert three.values == ("leads", "net_revenue", "bookings")
    assert three.reorder("bookings", 0).values == ("bookings", "leads", "net_revenue")
    assert three.move("leads", "values", 1).values == ("net_revenue", "leads", "bookings")
    with pytest.raises(ZoneError, match="month is in no zone: add it first"):
        three.remove("month")
    with pytest.raises(ZoneError, match="'rows' is no drop zone: use values, x, series, filters"):
        zone_of("rows")


def test_the_dict_forms_round_trip_and_are_checked() -> None:
    zones = Zones(("leads", "net_revenue"), ("month",), ("branch",), ("branch", "channel"))
    assert Zones.from_dict(zones.to_dict()) == zones
    parts = zones.spec_fields({"branch": ["DAL"], "channel": []})
    assert parts == {
        "values": ["leads", "net_revenue"],
        "x": "month",
        "series": "branch",
        "filters": [{"field": "branch", "values": ["DAL"]}],  # channel: nothing picked, left out
    }
    assert Zones.from_dict(parts) == Zones(zones.values, zones.x, zones.series, ("branch",))
    bad = [
        ({"rows": []}, "'rows' is no drop zone"),
        ({"x": ["month", "week"]}, r"X axis / Rows holds 1 field, not 2 \(month, week\)"),
        ({"values": [3]}, "Values: 3 is not a field id"),
        ({"values": "leads,net_revenue"}, "'leads,net_revenue' is no field of the catalog"),
        ({"filters": {"branch": 1}}, "Filters: a list of field ids, not dict"),
        ({"series": ["month"]}, "Month is a time grain"),
        ([], "zones are a mapping"),
    ]
    for data, message in bad:
        with pytest.raises(ZoneError, match=message):
            Zones.from_dict(data)


def test_a_saved_spec_opens_in_the_zones_and_back() -> None:
    spec = load_spec(
        {
            "visual": "line",
            "values": ["net_revenue", "leads"],
            "x": "month",
            "series": "branch",
            "filters": [{"field": "channel", "values": ["tv", "web"]}],
        }
    )
    zones = Zones.from_spec(spec)
    assert zones.to_dict() == {
        "values": ["net_revenue", "leads"],
        "x": ["month"],
        "series": ["branch"],
        "filters": ["channel"],
    }
    again = load_spec({"visual": "line", **zones.spec_fields({"channel": ["tv", "web"]})})
    assert again == spec


@pytest.mark.parametrize("zone", ZONE_IDS)
@pytest.mark.parametrize("field", ["net_revenue", "branch", "month"])
def test_the_zones_refuse_what_the_spec_refuses(field: str, zone: str) -> None:
    """One field alone in one zone: the zone model and the report spec agree."""
    parts = Zones().to_dict()
    parts[zone] = [field]
    data = {"values": parts["values"], "x": field if zone == "x" else None}
    data["series"] = field if zone == "series" else None
    data["filters"] = [{"field": field, "values": ["DAL"]}] if zone == "filters" else []
    try:
        ReportSpec(visual="table", **data)
        spec_refuses = False
    except SpecError:
        spec_refuses = True
    assert (Zones().refusal(field, zone) is not None) == spec_refuses


def test_the_widget_gets_every_field_the_rules_and_the_check() -> None:
    options = widget_options(Zones(("net_revenue",)))
    assert [f["id"] for f in field_list()] == [f.id for f in fields()]
    assert {f["kind"] for f in options["fields"]} == {"measure", "dimension", "time"}
    rules = zone_rules()
    assert [z["id"] for z in rules["zones"]] == list(ZONE_IDS)
    assert [k["title"] for k in rules["kinds"]] == ["Measures", "Dimensions", "Time"]
    assert options["zones"]["values"] == ["net_revenue"]
    assert options["check"] is check_zones
    assert check_zones({"x": "month"}) == {
        "values": [],
        "x": ["month"],
        "series": [],
        "filters": [],
    }
    with pytest.raises(ZoneError, match="Net revenue is a measure"):
        check_zones({"series": ["net_revenue"]})


# ---- the property test ----


class ListModel:
    """The zones as plain lists, the rules written out one by one."""

    def __init__(self) -> None:
        self.zones: dict[str, list[str]] = {z: [] for z in ZONE_IDS}

    def fits(self, field: str, zone: str, source: str | None) -> bool:
        if KIND[field] not in TAKES[zone]:
            return False
        if source == zone:
            return True
        if field in self.zones[zone]:
            return False
        return zone not in AXES or not any(
            field in self.zones[a] for a in AXES if a not in (source, zone)
        )

    def source(self, field: str, zone: str | None) -> str | None:
        if zone is not None:
            return zone if field in self.zones[zone] else None
        holding = [z for z in ZONE_IDS if field in self.zones[z]]
        return holding[0] if len(holding) == 1 else None

    def insert(self, field: str, zone: str, index: int | None) -> None:
        items = self.zones[zone]
        items.insert(len(items) if index is None else max(0, min(index, len(items))), field)
        if zone in ONE_FIELD:
            self.zones[zone] = [field]

    def apply(self, op: tuple) -> bool:
        """Do `op`; False (and nothing changed) when it is refused."""
        name, field, zone, index, source = op  # reorder and remove name their zone `source`
        if name == "add":
            if not self.fits(field, zone, None):
                return False
            self.insert(field, zone, index)
            return True
        where = self.source(field, source)
        if where is None or (name == "move" and not self.fits(field, zone, where)):
            return False
        self.zones[where].remove(field)
        if name == "move":
            self.insert(field, zone, index)
        elif name == "reorder":
            self.insert(field, where, 0 if index is None else index)
        return True


def _do(zones: Zones, op: tuple) -> Zones:
    name, field, zone, index, source = op
    if name == "add":
        return zones.add(field, zone, index)
    if name == "move":
        return zones.move(field, zone, index, source=source)
    if name == "reorder":
        return zones.reorder(field, 0 if index is None else index, zone=source)
    return zones.remove(field, source)


zone_ids = st.sampled_from(ZONE_IDS)
# (operation, a field of POOL, a zone, an index, a source zone, a placed field to use instead)
steps = st.tuples(
    st.sampled_from(("add", "add", "add", "move", "move", "reorder", "remove")),
    st.sampled_from(POOL),
    zone_ids,
    st.one_of(st.none(), st.integers(-2, 4)),
    st.one_of(st.none(), zone_ids),
    st.one_of(st.none(), st.integers(0, 20), st.integers(0, 20)),
)


def _op(model: ListModel, step: tuple) -> tuple:
    """The operation of `step`. With `placed`, an add goes to a zone that takes the field's
    kind, and a move, reorder or remove takes a field that is in a zone (its zone named or,
    one time in three, found from the field), a move to a zone that takes it; without, the
    random field, zone and source stand (mostly refused)."""
    name, field, zone, index, source, placed = step
    if placed is None:
        return name, field, zone, index, source
    pairs = [(z, f) for z in ZONE_IDS for f in model.zones[z]]
    if name != "add" and pairs:
        source, field = pairs[placed % len(pairs)]
        source = None if placed % 3 == 0 else source
    fitting = [z for z in ZONE_IDS if KIND[field] in TAKES[z]]
    if name in ("add", "move"):
        zone = fitting[(placed // 2) % len(fitting)]
    return name, field, zone, index, source


@settings(max_examples=300, deadline=None)
@given(st.lists(steps, max_size=30))
def test_random_edits_match_a_plain_list_model(sequence: list[tuple]) -> None:
    zones, model = Zones(), ListModel()
    for step in sequence:
        op = _op(model, step)
        allowed = model.apply(op)
        if allowed:
            zones = _do(zones, op)
        else:
            with pytest.raises(ZoneError):
                _do(zones, op)
        assert zones.to_dict() == model.zones, op
    # whatever the edits, the zones hold what the rules allow and make a valid spec
    assert Zones.from_dict(zones.to_dict()) == zones
    assert len(zones.x) <= 1 and len(zones.series) <= 1
    axis_fields = [*zones.values, *zones.x, *zones.series]
    assert len(axis_fields) == len(set(axis_fields))
    ReportSpec(visual="table", **zones.spec_fields(PICKED))
