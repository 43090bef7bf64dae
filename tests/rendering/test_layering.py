"""The rendering layer imports only the ground floor (settings, errors) and itself: it takes
DataFrames in and never reaches into data access or features."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pulsebi

LIB = Path(pulsebi.__file__).parent
ALLOWED = ("pulsebi.settings", "pulsebi.errors", "pulsebi.charts", "pulsebi.widgets")


def pulsebi_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {n for n in names if n == "pulsebi" or n.startswith("pulsebi.")}


def test_charts_and_widgets_import_only_settings_errors_and_themselves() -> None:
    found = {
        (str(path.relative_to(LIB)), name)
        for package in ("charts", "widgets")
        for path in (LIB / package).rglob("*.py")
        for name in pulsebi_imports(path)
        if not name.startswith(ALLOWED)
    }
    assert found == set()


def test_importing_the_toolkit_loads_no_plotting_library() -> None:
    code = (
        "import sys, pulsebi.charts, pulsebi.widgets, pulsebi.widgets.dates;"
        "print(sorted(m for m in ('matplotlib', 'bqplot', 'ipywidgets', 'anywidget')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_widgets_export_is_the_object_not_a_same_named_module() -> None:
    import importlib
    import types

    import pulsebi.widgets as widgets

    for module in {m for m in widgets._EXPORTS.values()}:
        importlib.import_module(f"pulsebi.widgets.{module}")
    clashes = [n for n in widgets.__all__ if isinstance(getattr(widgets, n), types.ModuleType)]
    assert clashes == []
