"""Switching a report to another visual keeps every field it can use, and says which it cannot.

Line → Table → Line loses nothing (a table shows X and Series as row groups); Line (month ×
branch) → Pie slices by branch (Series moves to X) and drops the month; Bar by branch → Line
moves branch to Series and leaves X for a time grain. Filters, dates, title and options always
stay (a gauge's target waits for the switch back).
"""

from __future__ import annotations

from dataclasses import dataclass

from pulsebi.builder.fields import find_field
from pulsebi.builder.spec import VISUALS, ReportSpec, SpecError
from pulsebi.builder.visuals import NAMES, ONE_NUMBER, ONE_VALUE, OVER_TIME, PARTS_OF_A_WHOLE


@dataclass(frozen=True)
class Dropped:
    """A field the new visual cannot use: its id, the zone it was in, and why."""

    field: str
    zone: str  # "values", "x" or "series"
    why: str


def _kind(field_id: str | None) -> str | None:
    field = find_field(field_id) if field_id else None
    return field.kind if field is not None else None


def _values(spec: ReportSpec, visual: str, dropped: list[Dropped]) -> list[str]:
    name, values = NAMES[visual], []
    for value in spec.values:
        field = find_field(value)
        if visual in PARTS_OF_A_WHOLE and field is not None and not field.additive:
            why = f"{name} shows parts of a whole, and {value} ({field.unit}) does not add up"
            dropped.append(Dropped(value, "values", why))
        elif visual in ONE_VALUE and values:
            dropped.append(Dropped(value, "values", f"{name} shows one value ({values[0]})"))
        else:
            values.append(value)
    return values


def _axes(spec: ReportSpec, visual: str, dropped: list[Dropped]) -> tuple[str | None, str | None]:
    name, x, series = NAMES[visual], spec.x, spec.series
    if visual in ONE_NUMBER:
        for zone, field in (("x", x), ("series", series)):
            if field is not None:
                dropped.append(Dropped(field, zone, f"{name} shows one number"))
        return None, None
    if visual == "pie":
        if _kind(x) == "time":
            dropped.append(Dropped(x or "", "x", "a pie has no time axis"))
            x, series = series, None  # the Series' members become the slices
        if series is not None:
            dropped.append(Dropped(series, "series", f"a pie's slices are X ({x})"))
            series = None
    if visual in OVER_TIME and _kind(x) == "dimension":
        if series is None:
            x, series = None, x  # X waits for a time grain; the dimension splits the lines
        else:
            dropped.append(Dropped(x or "", "x", f"{name} needs a time grain on X"))
            x = None
    return x, series


def fields_kept(spec: ReportSpec, visual: str) -> tuple[ReportSpec, list[Dropped]]:
    """`spec` shown as `visual`: the fields it can use kept, the others dropped with why.

    Parameters
    ----------
    spec : ReportSpec
        The report as it is.
    visual : str
        The visual to switch to, one of `VISUALS`.

    Returns
    -------
    (ReportSpec, list of Dropped)
        The spec with the new visual and every field that fits it (moved between X and
        Series where that keeps it), and the fields left out, each with the reason. The kept
        spec may still miss something the visual needs (`ReportSpec.missing`: a gauge's
        target, a line's time grain).

    Raises
    ------
    SpecError
        If `visual` is not one of `VISUALS`.
    """
    if visual not in VISUALS:
        raise SpecError.of(
            [("visual", f"{visual!r} is not a visual; use one of {', '.join(VISUALS)}")]
        )
    dropped: list[Dropped] = []
    values = _values(spec, visual, dropped)
    x, series = _axes(spec, visual, dropped)
    document = {**spec.to_json(), "visual": visual, "values": values, "x": x, "series": series}
    return ReportSpec.model_validate(document), dropped
