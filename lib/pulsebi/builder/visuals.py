"""What each visual can show: how many values, which X, whether parts must add up, and what
it still needs before it can be drawn (`missing_problems`: a measure, an X axis, a pivot's
Columns, a gauge's target)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pulsebi.builder.fields import TIME_GRAINS, Field, find_field

if TYPE_CHECKING:
    from pulsebi.builder.spec import Problem, ReportSpec

NAMES = {
    "bar": "a bar chart",
    "stacked_bar": "a stacked bar chart",
    "line": "a line chart",
    "area": "an area chart",
    "pie": "a pie",
    "table": "a table",
    "pivot": "a pivot table",
    "gauge": "a gauge",
    "kpi": "a KPI tile",
}
PARTS_OF_A_WHOLE = ("pie", "stacked_bar")  # their parts must add up
ONE_VALUE = ("pie", "gauge")
ONE_NUMBER = ("gauge", "kpi")  # no X, no Series
OVER_TIME = ("line", "area")  # X is a time grain
NEEDS_X = ("bar", "stacked_bar", "line", "area", "pie", "pivot")
GRAINS = ", ".join(TIME_GRAINS)


def visual_problems(
    spec: ReportSpec,
    measures: list[tuple[int, Field]],
    x: Field | None,
    series: Field | None,
) -> list[Problem]:
    """What `spec`'s visual cannot show of its (known) fields: `measures` are the Values'
    (index, field), `x` and `series` the axes' fields (None: empty or unknown)."""
    problems: list[Problem] = []
    visual, name = spec.visual, NAMES[spec.visual]
    if visual in ONE_VALUE and len(spec.values) > 1:
        shown = ", ".join(spec.values)
        problems.append(
            (
                "values",
                f"{name} shows one value, not {len(spec.values)} ({shown}): keep one, or "
                f"use {'bar' if visual == 'pie' else 'kpi'}",
            )
        )
    if visual in PARTS_OF_A_WHOLE:
        for i, measure in measures:
            if not measure.additive:
                problems.append(
                    (
                        f"values[{i}]",
                        f"{name} shows parts of a whole, and {measure.id} "
                        f"({measure.unit}) does not add up: use bar",
                    )
                )
    if visual in ONE_NUMBER:
        for where, field in (("x", x), ("series", series)):
            if field is not None:
                problems.append(
                    (where, f"{name} shows one number: remove {field.id}, or use table")
                )
        return problems
    if visual == "pie":
        if x is not None and x.kind == "time":
            problems.append(
                ("x", f"a pie's slices are a dimension, not the {x.id}: use line or bar over time")
            )
        if series is not None:
            problems.append(
                ("series", f"a pie has no Series (its slices are X): remove {series.id}")
            )
    if visual in OVER_TIME and x is not None and x.kind == "dimension":
        problems.append(
            (
                "x",
                f"{name} needs a time grain on X ({GRAINS}), not {x.id}: use bar, or put "
                f"{x.id} in Series",
            )
        )
    return problems


def missing_problems(spec: ReportSpec) -> list[Problem]:
    """What `spec`'s visual still needs before it can be shown.

    Parameters
    ----------
    spec : ReportSpec
        A spec whose fields fit (`fit_problems` found nothing).

    Returns
    -------
    list of (str, str)
        (place in the spec, what it needs); empty when the spec can be shown.
    """
    visual, name = spec.visual, NAMES[spec.visual]
    missing: list[Problem] = []
    if not spec.values:
        missing.append(("values", f"{name} needs a measure in Values"))
    if visual in NEEDS_X and spec.x is None:
        if visual in OVER_TIME:
            wants = f"a time grain ({GRAINS})"
        elif visual == "pie":
            wants = "a dimension (its slices)"
        else:
            wants = "a dimension or a time grain"
        zone = "X (Rows)" if visual == "pivot" else "X"
        missing.append(("x", f"{name} needs {zone}: put {wants} on it"))
    if visual == "pivot" and spec.series is None:
        missing.append(
            (
                "series",
                "a pivot table needs Columns: put a dimension in Series (Columns), or use table",
            )
        )
    if visual == "gauge" and spec.options.target is None:
        unit = find_field(spec.values[0]).unit if spec.values else None  # type: ignore[union-attr]
        in_unit = f" (in {spec.values[0]}'s unit, {unit})" if unit else ""
        missing.append(("options.target", f"a gauge needs a target: set options.target{in_unit}"))
    return missing
