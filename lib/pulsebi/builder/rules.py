"""What a report spec may say: each field where it can go, as the catalog allows.

`fit_problems` finds what can never work: an unknown field, a measure in Series, a dimension in
Values, a split, filter or grain a chosen metric lacks, a filter value of the wrong type, a
date range that is empty, and (`visuals.py`) what the visual cannot show. Each problem names
its place in the spec and says what to do instead.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from pulsebi.builder.dates import PRESETS
from pulsebi.builder.fields import (
    ID_DIMENSIONS,
    NOT_MEASURES,
    Field,
    fields,
    find_field,
)
from pulsebi.builder.visuals import GRAINS, visual_problems
from pulsebi.metrics.catalog import CATALOG, DIMENSIONS, MetricInfo

if TYPE_CHECKING:
    from pulsebi.builder.spec import Problem, ReportSpec

DIMS = ", ".join(DIMENSIONS)
TEXT_EXAMPLES = {"branch": "branch codes ('DAL')", "channel": "channels ('tv')"}


def _unknown(field_id: str, kind: str) -> str:
    pool = [f.id for f in fields()]
    close = difflib.get_close_matches(field_id, pool, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    if kind == "measure":
        where = "`pulsebi kpi --list` lists the metrics, builder.fields('measure') the measures"
    else:
        where = f"dimensions: {DIMS}; time grains: {GRAINS}"
    return f"{field_id!r} is no field of the catalog: {hint}{where}"


def _measures(spec: ReportSpec, problems: list[Problem]) -> list[tuple[int, Field]]:
    found: list[tuple[int, Field]] = []
    seen: dict[str, int] = {}
    for i, value in enumerate(spec.values):
        where, field = f"values[{i}]", find_field(value)
        if value in NOT_MEASURES:
            problems.append((where, NOT_MEASURES[value]))
        elif field is None:
            problems.append((where, _unknown(value, "measure")))
        elif field.kind == "dimension":
            problems.append(
                (
                    where,
                    f"{value} is a dimension: Values take measures; put {value} on X or in Series",
                )
            )
        elif field.kind == "time":
            problems.append((where, f"{value} is a time grain: Values take measures; put it on X"))
        elif value in seen:
            problems.append((where, f"{value} is already in Values (values[{seen[value]}])"))
        else:
            seen[value] = i
            found.append((i, field))
    return found


def _axis(spec: ReportSpec, problems: list[Problem]) -> tuple[Field | None, Field | None]:
    x = find_field(spec.x) if spec.x else None
    series = find_field(spec.series) if spec.series else None
    if spec.x and x is None:
        problems.append(("x", _unknown(spec.x, "axis")))
    elif x is not None and x.kind == "measure":
        problems.append(
            ("x", f"{x.id} is a measure: X takes a dimension or a time grain; put {x.id} in Values")
        )
        x = None
    if spec.series and series is None:
        problems.append(("series", _unknown(spec.series, "axis")))
    elif series is not None and series.kind == "measure":
        problems.append(
            (
                "series",
                f"{series.id} is a measure: Series takes a dimension ({DIMS}); put "
                f"{series.id} in Values",
            )
        )
        series = None
    elif series is not None and series.kind == "time":
        problems.append(
            (
                "series",
                f"{series.id} is a time grain: Series takes a dimension; put {series.id} on X",
            )
        )
        series = None
    elif series is not None and x is not None and series.id == x.id:
        problems.append(("series", f"{series.id} is already on X: split by another dimension"))
        series = None
    if x is not None and series is not None and {x.id, series.id} == {"source", "channel"}:
        problems.append(("series", "split by source or by channel, not both (a source has one)"))
    return x, series


def _filters(spec: ReportSpec, problems: list[Problem]) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(spec.filters):
        where, field = f"filters[{i}]", find_field(item.field)
        if field is None:
            problems.append((f"{where}.field", _unknown(item.field, "dimension")))
        elif field.kind == "measure":
            problems.append(
                (f"{where}.field", f"{item.field} is a measure: filters take a dimension ({DIMS})")
            )
        elif field.kind == "time":
            problems.append(
                (
                    f"{where}.field",
                    f"{item.field} is a time grain: the date range (dates) sets the dates",
                )
            )
        elif item.field in seen:
            problems.append(
                (
                    where,
                    f"{item.field} is filtered twice (filters[{seen[item.field]}]): put all "
                    "its values in one filter",
                )
            )
        else:
            seen[item.field] = i
            found.append((i, item.field))
            problems.extend(_value_types(where, item.field, item.values))
    return found


def _value_types(where: str, dim: str, values: tuple[int | str, ...]) -> list[Problem]:
    wants_id = dim in ID_DIMENSIONS
    bad = []
    for j, value in enumerate(values):
        if wants_id and not isinstance(value, int):
            bad.append(
                (
                    f"{where}.values[{j}]",
                    f"{value!r} is not a {dim} id: {dim} filters take "
                    f"integer ids (metrics.dimension_values({dim!r}) lists them)",
                )
            )
        elif not wants_id and not isinstance(value, str):
            example = TEXT_EXAMPLES.get(dim, "its values as text")
            bad.append(
                (f"{where}.values[{j}]", f"{value!r} is not a {dim}: {dim} filters take {example}")
            )
    return bad


def _split_by(info: MetricInfo) -> str:
    return ", ".join(info.dimensions) or "nothing"


def _no_grain(info: MetricInfo, grain: str) -> str:
    if not info.grains:
        why = "a snapshot at the time of the query" if info.snapshot else "relative to now"
        return f"{info.id} takes no time grain (it is {why}): put a dimension on X or drop it"
    return f"{info.id} has no {grain} grain (it takes {', '.join(info.grains)})"


def _catalog(
    measures: list[tuple[int, Field]],
    axes: dict[str, Field | None],
    filters: list[tuple[int, str]],
    problems: list[Problem],
) -> None:
    for _, measure in measures:
        info = CATALOG[measure.metric or ""]
        for where, field in axes.items():
            if field is None:
                continue
            if field.kind == "time" and field.id not in info.grains:
                problems.append((where, _no_grain(info, field.id)))
            elif field.kind == "dimension" and field.id not in info.dimensions:
                problems.append(
                    (
                        where,
                        f"{measure.id} cannot be split by {field.id} (it is split by "
                        f"{_split_by(info)}): remove {field.id} or {measure.id}",
                    )
                )
        for i, dim in filters:
            if dim not in info.dimensions:
                problems.append(
                    (
                        f"filters[{i}]",
                        f"{measure.id} cannot be filtered by {dim} (it is split "
                        f"by {_split_by(info)} only): remove the filter or {measure.id}",
                    )
                )


def _dates(spec: ReportSpec, problems: list[Problem]) -> None:
    dates = spec.dates
    if dates.preset not in PRESETS:
        problems.append(
            (
                "dates.preset",
                f"{dates.preset!r} is not a date preset; use one of {', '.join(PRESETS)}",
            )
        )
    elif dates.preset == "custom":
        if dates.date_from is None or dates.date_to is None:
            problems.append(("dates", "a custom date range needs from and to (to is exclusive)"))
        elif dates.date_from >= dates.date_to:
            problems.append(
                (
                    "dates",
                    f"the date range {dates.date_from}..{dates.date_to} is empty: from "
                    "must be before to (to is exclusive)",
                )
            )
    elif dates.date_from is not None or dates.date_to is not None:
        problems.append(
            (
                "dates",
                f"from and to are for the custom preset, not {dates.preset!r}: drop them "
                "or set preset to custom",
            )
        )


def _options(spec: ReportSpec, measures: list[tuple[int, Field]], problems: list[Problem]) -> None:
    comparison = spec.options.comparison
    if comparison is None:
        return
    for i, measure in measures:
        info = CATALOG[measure.metric or ""]
        if info.snapshot:
            problems.append(
                (
                    f"values[{i}]",
                    f"{measure.id} is a snapshot at the time of the query: it has "
                    f"no {comparison.replace('_', ' ')} to compare with; remove the comparison",
                )
            )


def fit_problems(spec: ReportSpec) -> list[Problem]:
    """Every field of `spec` that cannot be where it is.

    Parameters
    ----------
    spec : ReportSpec
        The spec (`ReportSpec` calls this as it is made).

    Returns
    -------
    list of (str, str)
        (place in the spec, problem and fix), in the spec's order; empty when all fit.
    """
    problems: list[Problem] = []
    measures = _measures(spec, problems)
    x, series = _axis(spec, problems)
    filters = _filters(spec, problems)
    _catalog(measures, {"x": x, "series": series}, filters, problems)
    problems.extend(visual_problems(spec, measures, x, series))
    _dates(spec, problems)
    _options(spec, measures, problems)
    return problems
