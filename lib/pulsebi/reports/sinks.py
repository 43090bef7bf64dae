"""Output formats: a registry of format name -> writer (Papermill's iorw style).

A writer takes an ExecutedRun and returns the path it wrote inside the run directory.
`register_sink` adds one (e.g. a docx writer) without touching the callers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pulsebi.errors import UsageError

Writer = Callable[[Any], Path]
DEFAULT_FORMATS = ("html", "pdf", "xlsx")

_sinks: dict[str, Writer] = {}
_builtins_loaded = False


def register_sink(name: str, writer: Writer) -> None:
    _sinks[name.lower()] = writer


def known_sinks() -> list[str]:
    _register_builtins()
    return list(_sinks)


def get_sink(name: str) -> Writer:
    """The writer for format `name`, or UsageError listing the known ones."""
    _register_builtins()
    writer = _sinks.get(name.strip().lower())
    if writer is None:
        raise UsageError(f"no handler for {name}; known: {', '.join(_sinks)}")
    return writer


def parse_formats(value: str | Iterable[str]) -> list[str]:
    """`html,pdf` or ["html", "pdf"] -> validated, de-duplicated names in the given order.

    Parameters
    ----------
    value : str or iterable of str
        Format names, comma-separated or as items (case and blanks ignored; empty items
        skipped).

    Returns
    -------
    list of str
        The lowercase names, each once, in the given order.

    Raises
    ------
    UsageError
        If a name has no registered writer (the message lists the known ones: html, pdf,
        xlsx and any `register_sink` added), or no name is given.
    """
    items = value.split(",") if isinstance(value, str) else list(value)
    names: list[str] = []
    for item in items:
        name = item.strip().lower()
        if name and name not in names:
            get_sink(name)
            names.append(name)
    if not names:
        raise UsageError(f"no output format given; known: {', '.join(known_sinks())}")
    return names


def write_outputs(run: Any, formats: Iterable[str]) -> dict[str, Path]:
    """Write every format for `run`; returns format -> path (also kept on run.outputs)."""
    for name in formats:
        run.outputs[name] = get_sink(name)(run)
    return dict(run.outputs)


def _register_builtins() -> None:
    global _builtins_loaded
    if _builtins_loaded:
        return
    _builtins_loaded = True
    from pulsebi.reports.excel import write_xlsx
    from pulsebi.reports.html import write_html
    from pulsebi.reports.pdf import write_pdf

    for name, writer in (("html", write_html), ("pdf", write_pdf), ("xlsx", write_xlsx)):
        _sinks.setdefault(name, writer)
