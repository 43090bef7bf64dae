"""Live or static: the one place that decides how every chart, table and tile renders.

A notebook passes its `static` parameter once::

    from pulsebi.charts import use_mode
    use_mode(static)          # True under Papermill, False under Voilà

Every renderer then asks `current_mode()`. `use_mode` also works as a context manager that
restores the previous mode on exit (tests, a static export from a live kernel).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from pulsebi.errors import UsageError

_TRUE = {"true", "1", "yes", "static"}
_FALSE = {"false", "0", "no", "live", ""}


@dataclass(frozen=True)
class Mode:
    """How output renders: `static` means plain HTML/SVG (Papermill, email, PDF), no widgets."""

    static: bool = False

    @property
    def live(self) -> bool:
        return not self.static

    @property
    def name(self) -> str:
        return "static" if self.static else "live"


_lock = threading.Lock()
_current = Mode(static=False)


class _ModeToken:
    """Returned by `use_mode`; usable as a context manager restoring the previous mode."""

    def __init__(self, mode: Mode, previous: Mode):
        self.mode = mode
        self._previous = previous

    def __enter__(self) -> Mode:
        return self.mode

    def __exit__(self, *exc: object) -> None:
        _set(self._previous)

    def __repr__(self) -> str:
        return f"<pulsebi mode: {self.mode.name}>"

    def _ipython_display_(self) -> None:
        """`use_mode(static)` as a cell's last line shows nothing on the page."""


def parse_static(static: object) -> bool:
    """The `static` notebook parameter as a bool (accepts bools and 'true'/'false' strings)."""
    if isinstance(static, bool):
        return static
    if isinstance(static, int) and static in (0, 1):
        return bool(static)
    if isinstance(static, str) and static.strip().lower() in _TRUE | _FALSE:
        return static.strip().lower() in _TRUE
    raise UsageError(f"static={static!r} is not a yes/no value; pass True (Papermill) or False")


def use_mode(static: object) -> _ModeToken:
    """Set the process's rendering mode from the notebook's `static` parameter."""
    mode = Mode(static=parse_static(static))
    return _ModeToken(mode, _set(mode))


def current_mode() -> Mode:
    """The mode every renderer uses (live until `use_mode` says otherwise)."""
    return _current


def resolve_static(static: object | None) -> bool:
    """An explicit `static` argument if given, else the current mode's."""
    return current_mode().static if static is None else parse_static(static)


def _set(mode: Mode) -> Mode:
    global _current
    with _lock:
        previous, _current = _current, mode
    return previous
