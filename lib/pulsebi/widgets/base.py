"""The base of tiles and gauges: a CSS-only ipywidgets box that is re-drawn as one HTML string.

A widget keeps its figures in Python traits and shows them through one `HTML` child, so each
change reaches the browser as a single message (an update is atomic: never a new value with an
old arrow). In static mode the same HTML is what the notebook output holds (no JS); the
factories (`kpi_tile`, `gauge`, ...) then build a `StaticView` twin that is no widget at all.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import ipywidgets as w
import traitlets as t

from pulsebi.charts.mode import resolve_static
from pulsebi.errors import UsageError

STATES = ("ready", "live", "reconnecting", "stale", "loading", "error")


class Figures(t.HasTraits):
    """What tiles, gauges and their static twins share: the state traits and `update`.

    Subclasses list their figure traits in `_drawn` and implement `to_html()`.
    """

    state = t.Enum(STATES, default_value="ready")
    stale_since = t.Instance(dt.datetime, allow_none=True)
    # seconds between browser updates: 0 shows every change at once, N at most one per N
    # seconds (the latest); state changes always show at once
    every = t.Float(0.0, min=0.0)
    _drawn: tuple[str, ...] = ()

    def to_html(self) -> str:
        raise NotImplementedError

    def update(self, **changes: Any) -> None:
        """Change several figures at once; the browser gets them in one message.

        Safe to call from a thread (the live subscriber's) while callbacks run.
        """
        unknown = set(changes) - {*self._drawn, "state", "stale_since"}
        if unknown:
            raise UsageError(f"{type(self).__name__} has no {', '.join(sorted(unknown))} to update")
        with self._lock:
            self._batch += 1
            try:
                for name, value in changes.items():
                    setattr(self, name, value)
            finally:
                self._batch -= 1
            self._request_draw(urgent="state" in changes or "stale_since" in changes)

    def set_state(self, state: str, since: dt.datetime | None = None) -> None:
        """live / reconnecting / stale (since `since`, default now) / loading / ready / error."""
        if state == "stale":
            self.update(state=state, stale_since=since or self.stale_since or _now())
        else:
            self.update(state=state, stale_since=None)

    def _request_draw(self, urgent: bool) -> None:
        raise NotImplementedError


class HtmlWidget(Figures, w.Box):
    """The live form: an ipywidgets Box showing `to_html()` in one HTML child."""

    def __init__(self, **kwargs: Any):
        self._lock = threading.RLock()
        self._batch = 0
        self._timer: threading.Timer | None = None
        self._drawn_at = float("-inf")
        self._html = w.HTML(layout=w.Layout(width="100%"))
        kwargs.setdefault("layout", w.Layout(width="100%"))
        super().__init__(children=[self._html], **kwargs)
        self.observe(self._changed, names=[*self._drawn, "state", "stale_since"])
        self._html.value = self.to_html()

    def redraw(self) -> None:
        """Send the current figures to the browser now."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._html.value = self.to_html()
            self._drawn_at = time.monotonic()

    @property
    def pending(self) -> bool:
        """A change waits for the `every` interval to pass."""
        return self._timer is not None

    def flush(self) -> None:
        """Show a waiting change now."""
        if self.pending:
            self.redraw()

    def _request_draw(self, urgent: bool) -> None:
        with self._lock:
            wait = 0.0 if urgent else self._drawn_at + self.every - time.monotonic()
            if self.every <= 0 or wait <= 0:
                self.redraw()
            elif self._timer is None:
                self._timer = threading.Timer(wait, self.flush)
                self._timer.daemon = True
                self._timer.start()

    def _changed(self, change: Any) -> None:
        if not self._batch:
            self._request_draw(urgent=change["name"] in ("state", "stale_since"))

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        if resolve_static(None):
            return {"text/html": self.to_html(), "text/plain": f"<{type(self).__name__}>"}
        return super()._repr_mimebundle_(**kwargs)


class StaticView(Figures):
    """The static form: the same figures and HTML, but no widget (no comm, no widget state in
    the executed notebook). The `kpi_tile`, `gauge`, ... factories pick it in static mode."""

    pending = False

    def __init__(self, **kwargs: Any):
        self._lock = threading.RLock()
        self._batch = 0
        super().__init__(**kwargs)

    def redraw(self) -> None:
        """Nothing to send: the HTML is made when the notebook displays the view."""

    def flush(self) -> None:
        """Nothing waits in static mode."""

    def _request_draw(self, urgent: bool) -> None:
        del urgent

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return {"text/html": self.to_html(), "text/plain": f"<{type(self).__name__}>"}

    def _repr_html_(self) -> str:
        return self.to_html()


def pick(live: type, static: type, kwargs: dict[str, Any]) -> Any:
    """`static(**kwargs)` in static mode, else `live(**kwargs)`: the factories' one switch."""
    return (static if resolve_static(None) else live)(**kwargs)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
