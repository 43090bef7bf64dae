"""The filter bar: date range (presets or custom), branch, grain → one debounced `on_change`.

    bar = FilterBar(branches={"DAL": "Dallas", "HOU": "Houston"}, preset="month_to_date")
    bar.on_change(refresh, loading=[tiles, chart])   # refresh(filters: Filters)

Every change puts the `loading` items in their loading state at once; after `debounce` seconds
of quiet the callbacks run once with the latest filters, then the items get their state back.
Callbacks run on a timer thread (the kernel stays free to show the next change at once), one at
a time, in the context of the change that scheduled them.
The "through" date shown is inclusive; `Filters.date_to` is exclusive ([from, to)).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as w

from pulsebi.errors import UsageError
from pulsebi.widgets.dates import GRAINS, PRESETS, Filters, local_today, preset_range
from pulsebi.widgets.loadstate import finish_loading, start_loading

log = logging.getLogger(__name__)
ALL = ""  # the branch dropdown's value for "all branches"


class FilterBar(w.HBox):
    def __init__(
        self,
        branches: Mapping[str, str] | Sequence[str] = (),
        *,
        preset: str = "month_to_date",
        branch: str | None = None,
        grain: str = "day",
        grains: Sequence[str] = ("day", "week", "month"),
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        debounce: float = 0.3,
        today: Callable[[], dt.date] = local_today,
    ):
        names = dict(branches) if isinstance(branches, Mapping) else {b: b for b in branches}
        bad = [g for g in grains if g not in GRAINS]
        if bad or grain not in grains:
            raise UsageError(f"grain {grain!r} / {bad} not among {', '.join(grains)}")
        self.debounce = debounce
        self._today = today
        self._callbacks: list[Callable[[Filters], Any]] = []
        self._loading_items: list[Any] = []
        self._undo: list[tuple[Any, Any]] = []
        self._timer: threading.Timer | None = None
        self._lock = threading.RLock()
        self._running = threading.Lock()
        self._quiet = 0
        self.preset = w.Dropdown(options=[(v, k) for k, v in PRESETS.items()], description="Period")
        self.date_from = w.DatePicker(description="From")
        self.date_through = w.DatePicker(description="Through")
        self.branch = w.Dropdown(
            options=[("All branches", ALL), *[(n, c) for c, n in names.items()]],
            description="Branch",
        )
        self.grain = w.Dropdown(options=[(g.title(), g) for g in grains], description="By")
        for control in (self.preset, self.date_from, self.date_through, self.branch, self.grain):
            control.style.description_width = "initial"
            control.layout.width = "auto"
            control.layout.margin = "2px 8px 2px 0"
        super().__init__(
            children=[self.preset, self.date_from, self.date_through, self.branch, self.grain],
            layout=w.Layout(flex_flow="row wrap", align_items="center"),
        )
        self.add_class("pbi-filter-bar")
        self.set(
            preset=preset,
            branch=branch,
            grain=grain,
            date_from=date_from,
            date_to=date_to,
            notify=False,
        )
        self.preset.observe(self._preset_changed, names="value")
        for control in (self.date_from, self.date_through):
            control.observe(self._dates_changed, names="value")
        for control in (self.branch, self.grain):
            control.observe(self._changed, names="value")

    # -- reading and setting ------------------------------------------------------------------
    @property
    def filters(self) -> Filters:
        preset = self.preset.value
        if preset == "custom":
            start, through = self.date_from.value, self.date_through.value
            if start is None or through is None:
                raise UsageError("pick both a from and a through date")
            date_from, date_to = preset_range(
                "custom", self._today(), start, through + dt.timedelta(days=1)
            )
        else:
            date_from, date_to = preset_range(preset, self._today())
        return Filters(date_from, date_to, self.branch.value or None, self.grain.value, preset)

    def set(self, *, notify: bool = True, **values: Any) -> None:
        """Set preset, branch, grain or a custom date_from/date_to (exclusive) from code,
        e.g. from the page's query string; `notify=False` changes them without a callback."""
        unknown = set(values) - {"preset", "branch", "grain", "date_from", "date_to"}
        if unknown:
            raise UsageError(f"filter(s) {', '.join(sorted(unknown))} unknown")
        with self._lock:
            self._quiet += 1
            try:
                self._apply(values)
            finally:
                self._quiet -= 1
        if notify:
            self._changed()

    def _apply(self, values: dict[str, Any]) -> None:
        if "branch" in values:
            branch = values.get("branch") or ALL
            if branch not in [v for _, v in self.branch.options]:
                raise UsageError(f"branch {branch!r} is unknown; use one of the listed branches")
            self.branch.value = branch
        if values.get("grain"):
            if values["grain"] not in [v for _, v in self.grain.options]:
                raise UsageError(f"grain {values['grain']!r} is not offered here")
            self.grain.value = values["grain"]
        date_from, date_to = values.get("date_from"), values.get("date_to")
        preset = values.get("preset") or ("custom" if date_from or date_to else None)
        if preset is not None:
            if preset not in PRESETS:
                raise UsageError(
                    f"date preset {preset!r} is unknown; use one of {', '.join(PRESETS)}"
                )
            if preset == "custom":
                date_from, date_to = preset_range("custom", self._today(), date_from, date_to)
            else:
                date_from, date_to = preset_range(preset, self._today())
            self.preset.value = preset
            self.date_from.value = date_from
            self.date_through.value = date_to - dt.timedelta(days=1)

    # -- callbacks ----------------------------------------------------------------------------
    def on_change(self, callback: Callable[[Filters], Any], loading: Sequence[Any] = ()) -> None:
        """Call `callback(filters)` once after each burst of changes; show `loading` meanwhile."""
        self._callbacks.append(callback)
        self._loading_items.extend(loading)

    def flush(self) -> None:
        """Run a pending change now (instead of waiting for the debounce)."""
        with self._lock:
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
            self._fire()

    @property
    def pending(self) -> bool:
        return self._timer is not None

    def _preset_changed(self, _change: Any) -> None:
        if self._quiet:
            return
        if self.preset.value != "custom":
            with self._lock:
                self._quiet += 1
                try:
                    date_from, date_to = preset_range(self.preset.value, self._today())
                    self.date_from.value = date_from
                    self.date_through.value = date_to - dt.timedelta(days=1)
                finally:
                    self._quiet -= 1
        self._changed()

    def _dates_changed(self, _change: Any) -> None:
        if self._quiet:
            return
        with self._lock:
            self._quiet += 1
            try:
                self.preset.value = "custom"
            finally:
                self._quiet -= 1
        self._changed()

    def _changed(self, _change: Any = None) -> None:
        if self._quiet or not self._callbacks:
            return
        with self._lock:
            if not self._undo:
                self._undo = start_loading(self._loading_items)
            if self._timer is not None:
                self._timer.cancel()
            if self.debounce <= 0:
                self._timer = None
            else:
                # the kernel keeps a request's parent header in context variables: run the
                # callback in the changing request's context so its outputs land in this page
                context = contextvars.copy_context()
                self._timer = threading.Timer(self.debounce, context.run, args=(self._fire,))
                self._timer.daemon = True
                self._timer.start()
                return
        self._fire()

    def _fire(self) -> None:
        with self._lock:
            self._timer = None
            undo, self._undo = self._undo, []
        with self._running:  # one refresh at a time; the kernel stays free to take changes
            failed = False
            try:
                filters = self.filters
                for callback in list(self._callbacks):
                    callback(filters)
            except Exception:
                failed = True
                log.exception("filter change callback failed")
            finally:
                finish_loading(undo, failed=failed)

    def close(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        super().close()
