"""The report builder page's right-hand controls (ipywidgets): visual, dates, filter values,
and the saved reports' list. `pulsebi.dashboards.builder_page` wires them to the spec.

Filter values come from the data (`metrics.dimension_values`), each dimension read once per
page; a picker shows labels and keeps the keys the metric layer takes (branch codes, ids).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pulsebi.builder.dates import PRESETS
from pulsebi.builder.fields import find_field
from pulsebi.builder.spec import VISUALS
from pulsebi.settings import Settings

ONE_DAY = dt.timedelta(days=1)
VISUAL_LABELS = {
    "bar": "Bar",
    "stacked_bar": "Stacked bar",
    "line": "Line",
    "area": "Area",
    "pie": "Pie",
    "table": "Table",
    "pivot": "Pivot",
    "gauge": "Gauge",
    "kpi": "KPI",
}


def build_visual_picker(visual: str) -> Any:
    """The visual's toggle buttons (bar, stacked bar, ... kpi), `visual` chosen."""
    import ipywidgets as w

    picker = w.ToggleButtons(
        options=[(VISUAL_LABELS[v], v) for v in VISUALS],
        value=visual,
        description="Visual",
        style={"button_width": "auto"},
    )
    picker.add_class("pbi-builder-visual")
    return picker


class DateControls:
    """A preset picker and, for ``custom``, from / through pickers (the spec's `to` is the day
    after through)."""

    def __init__(self, preset: str = "last_12_months"):
        import ipywidgets as w

        self.preset = w.Dropdown(
            options=[(label, key) for key, label in PRESETS.items()],
            value=preset,
            description="Dates",
        )
        self.preset.add_class("pbi-builder-preset")
        self.date_from = w.DatePicker(description="From")
        self.through = w.DatePicker(description="Through")
        self.custom = w.HBox([self.date_from, self.through])
        self.custom.layout.display = None if preset == "custom" else "none"
        self.preset.observe(self._show_custom, names="value")
        self.widget = w.VBox([self.preset, self.custom])

    def _show_custom(self, change: Any) -> None:
        self.custom.layout.display = None if change["new"] == "custom" else "none"

    def controls(self) -> list[Any]:
        """The widgets whose value changes the dates."""
        return [self.preset, self.date_from, self.through]

    def document(self) -> dict[str, Any]:
        """The spec's ``dates``."""
        if self.preset.value != "custom":
            return {"preset": self.preset.value}
        through = self.through.value
        return {
            "preset": "custom",
            "from": self.date_from.value.isoformat() if self.date_from.value else None,
            "to": (through + ONE_DAY).isoformat() if through else None,
        }

    def set(self, dates: Mapping[str, Any]) -> None:
        """Show a spec's ``dates`` (JSON form)."""
        self.preset.value = dates.get("preset") or "last_12_months"
        start, end = dates.get("from"), dates.get("to")
        self.date_from.value = dt.date.fromisoformat(start) if start else None
        self.through.value = dt.date.fromisoformat(end) - ONE_DAY if end else None


class FilterPickers:
    """One multiple-choice picker per field in Filters, its choices read from the data."""

    def __init__(self, settings: Settings | None, on_change: Callable[[], Any]):
        import ipywidgets as w

        self.settings = settings
        self.on_change = on_change
        self.pickers: dict[str, Any] = {}
        self._choices: dict[str, list[tuple[str, Any]]] = {}
        self.widget = w.VBox()
        self.widget.add_class("pbi-builder-filters")

    def choices(self, dim: str) -> list[tuple[str, Any]]:
        """(label, key) of every member of `dim` in the data (read once)."""
        if dim not in self._choices:
            from pulsebi import metrics

            members = metrics.dimension_values(dim, settings=self.settings, limit=None)
            self._choices[dim] = [(str(m["label"]), m["key"]) for m in members]
        return self._choices[dim]

    def show(self, fields: Sequence[str], picked: Mapping[str, Sequence[Any]] = ()) -> None:
        """A picker for each of `fields` (in order), keeping what was picked in those kept."""
        import ipywidgets as w

        picked = dict(picked or {})
        kept = {f: p for f, p in self.pickers.items() if f in fields}
        for field in fields:
            if field not in kept:
                field_info = find_field(field)
                label = field_info.label if field_info else field
                picker = w.SelectMultiple(options=self.choices(field), description=label, rows=5)
                picker.add_class("pbi-builder-filter")
                picker.add_class(f"pbi-builder-filter-{field}")
                picker.observe(lambda _c: self.on_change(), names="value")
                kept[field] = picker
            if field in picked:
                keys = {key for _, key in kept[field].options}
                kept[field].value = tuple(v for v in picked[field] if v in keys)
        self.pickers = {f: kept[f] for f in fields}
        self.widget.children = list(self.pickers.values())

    def picked(self) -> dict[str, list[Any]]:
        """Each filter's picked keys."""
        return {field: list(picker.value) for field, picker in self.pickers.items()}


class SavedList:
    """The saved reports: a list, and Open / Duplicate / Rename / Delete for the chosen one."""

    def __init__(self) -> None:
        import ipywidgets as w

        self.select = w.Select(options=[], rows=6, description="Saved")
        self.select.add_class("pbi-builder-saved")
        self.buttons = {
            name: w.Button(description=name, layout=w.Layout(width="auto"))
            for name in ("Open", "Duplicate", "Rename", "Delete")
        }
        for name, button in self.buttons.items():
            button.add_class(f"pbi-builder-{name.lower()}")
        self.widget = w.VBox([self.select, w.HBox(list(self.buttons.values()))])

    def show(self, reports: Sequence[Any]) -> None:
        """List `reports` (ReportInfo), newest change first, keeping the choice if listed."""
        chosen = self.select.value
        options = [(f"{r.name} (#{r.id}, v{r.current_version})", r.id) for r in reports]
        self.select.options = options
        if chosen in [key for _, key in options]:
            self.select.value = chosen

    def on(self, name: str, action: Callable[[int], Any]) -> None:
        """Call `action(report_id)` when button `name` is clicked with a report chosen."""
        self.buttons[name].on_click(
            lambda _b: action(self.select.value) if self.select.value is not None else None
        )
