"""The report spec: one versioned document (pydantic) naming only catalog fields.

    {"version": 1, "title": "Revenue by branch", "visual": "line",
     "values": ["net_revenue"], "x": "month", "series": "branch",
     "filters": [{"field": "channel", "values": ["tv", "digital"]}],
     "dates": {"preset": "last_12_months"}, "options": {}}

`values` are measures (ordered); `x` a dimension or a time grain (a table's and a pivot's
Rows); `series` a dimension (a pivot's Columns); `filters` keep the rows whose dimension is
one of the values; `dates` a preset (`PRESETS`) or ``{"preset": "custom", "from": ..., "to":
...}`` (to exclusive); `options` a gauge's `target`, a KPI tile's `comparison`.

A `ReportSpec` is checked against the catalog as it is made: a field that does not exist, or
that cannot go where it is, raises `SpecError` naming each field and problem (`rules.py`,
`visuals.py`).
What a visual still needs (a gauge's target, a pivot's Columns) may be missing while a report
is being built: `spec.missing()` says what, and `load_spec` (and so running and saving)
refuses a spec with anything missing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)

from pulsebi.errors import UsageError

SPEC_VERSION = 1
VISUALS = ("bar", "stacked_bar", "line", "area", "pie", "table", "pivot", "gauge", "kpi")
COMPARISONS = ("previous_period", "last_year")
Problem = tuple[str, str]  # (where in the spec, what is wrong and the fix)


class SpecError(UsageError):
    """A report spec that is malformed, names a field the catalog lacks, or puts a field where
    it cannot go. `problems` lists each (place in the spec, problem and fix)."""

    problems: tuple[Problem, ...] = ()

    @classmethod
    def of(cls, problems: list[Problem], heading: str = "report spec is invalid") -> SpecError:
        """One error for every problem found, each on a line of its own."""
        lines = "\n".join(
            f"  {where}: {what}" if where else f"  {what}" for where, what in problems
        )
        error = cls(f"{heading}:\n{lines}")
        error.problems = tuple(problems)
        return error


_FROZEN = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Filter(BaseModel):
    """Keep the rows whose dimension `field` is one of `values` (ids or text, as the metric
    layer keys them: branch codes, source ids...)."""

    model_config = _FROZEN
    field: str
    values: tuple[StrictInt | StrictStr, ...] = Field(min_length=1)


class DateRange(BaseModel):
    """A preset (`PRESETS`), or ``custom`` with `date_from` and `date_to` (JSON: from, to)."""

    model_config = _FROZEN
    preset: str = "last_12_months"
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")


class Options(BaseModel):
    """A gauge's target (in its measure's unit) and a KPI tile's comparison."""

    model_config = _FROZEN
    target: float | None = None
    comparison: Literal[COMPARISONS] | None = None


class ReportSpec(BaseModel):
    """One report: what to show (`visual`), which fields where, filters, dates, options."""

    model_config = _FROZEN
    version: Literal[1] = SPEC_VERSION
    title: str = Field("", max_length=200)
    visual: Literal[VISUALS]
    values: tuple[str, ...] = ()
    x: str | None = None
    series: str | None = None
    filters: tuple[Filter, ...] = ()
    dates: DateRange = DateRange()
    options: Options = Options()

    @field_validator("x", "series", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _fits_the_catalog(self) -> ReportSpec:
        from pulsebi.builder.rules import fit_problems

        problems = fit_problems(self)
        if problems:
            raise SpecError.of(problems, _heading(self))
        return self

    def missing(self) -> list[Problem]:
        """What the visual still needs before it can be shown (empty when nothing).

        Returns
        -------
        list of (str, str)
            (place in the spec, what it needs), e.g. ``("options.target", "a gauge needs a
            target: ...")``.
        """
        from pulsebi.builder.visuals import missing_problems

        return missing_problems(self)

    def to_json(self) -> dict[str, Any]:
        """The spec as a JSON document (dates as ISO strings, `from`/`to` keys)."""
        return self.model_dump(mode="json", by_alias=True)


def _heading(spec: ReportSpec | None) -> str:
    title = spec.title if spec is not None else ""
    return f"report spec {title!r} is invalid" if title else "report spec is invalid"


def load_spec(data: ReportSpec | Mapping[str, Any] | str, *, complete: bool = True) -> ReportSpec:
    """A report spec from a JSON document (text or parsed), checked.

    Parameters
    ----------
    data : ReportSpec, mapping or str
        The spec, its JSON text or the parsed document.
    complete : bool, default True
        Also refuse a spec that its visual cannot show yet (`ReportSpec.missing`).

    Returns
    -------
    ReportSpec
        The checked spec.

    Raises
    ------
    SpecError
        Naming every problem: the text is not JSON, a part is malformed or unknown, a field
        is not in the catalog or cannot go where it is, or (with `complete`) something the
        visual needs is missing.
    """
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as error:
            raise SpecError.of([("", f"not a JSON document ({error})")]) from None
    if isinstance(data, ReportSpec):
        spec = data
    else:
        if not isinstance(data, Mapping):
            raise SpecError.of([("", f"a report spec is a JSON object, not {type(data).__name__}")])
        try:
            spec = ReportSpec.model_validate(data)
        except ValidationError as error:
            raise SpecError.of(_plain_problems(error)) from None
    missing = spec.missing() if complete else []
    if missing:
        raise SpecError.of(missing, _heading(spec).replace("is invalid", "is incomplete"))
    return spec


_PARTS = ", ".join(f.alias or name for name, f in ReportSpec.model_fields.items())


def _plain_problems(error: ValidationError) -> list[Problem]:
    """pydantic's errors as (place, problem and fix), one per place."""
    problems: dict[str, str] = {}
    items = error.errors()
    for item in items:
        if item["type"] == "too_short" and any(
            len(other["loc"]) > len(item["loc"]) and other["loc"][: len(item["loc"])] == item["loc"]
            for other in items
        ):
            continue  # pydantic also calls a list short when its only items are refused
        loc = [p for p in item["loc"] if not (isinstance(p, str) and p in ("int", "str"))]
        if loc and loc[-1] in ("function-after[_fits_the_catalog()]",):
            loc = loc[:-1]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        kind, value = item["type"], item.get("input")
        if kind == "extra_forbidden":
            what = f"{loc[-1]!r} is no part of a report spec here; its parts: {_PARTS}"
            if len(loc) > 1:
                what = f"{loc[-1]!r} is not a part of {loc[0]}"
        elif kind == "missing":
            what = f"{loc[-1]} is missing"
        elif where == "version":
            what = f"version {value!r} is not known: report specs are version {SPEC_VERSION}"
        elif where == "visual":
            what = f"{value!r} is not a visual; use one of {', '.join(VISUALS)}"
        elif where.startswith("filters") and where.endswith("]") and ".values[" in where:
            what = f"{value!r} is neither an id (integer) nor text"
        elif kind == "too_short" and where.endswith("values"):
            what = "a filter needs at least one value (or remove the filter)"
        else:
            what = f"{item['msg']} (got {value!r})"
        problems.setdefault(where, what)
    return list(problems.items())
