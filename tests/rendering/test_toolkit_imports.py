"""The rendering toolkit stays light: importing it loads no plotting library, and its lazy
exports are the objects themselves. (Who may import whom: tests/test_layering.py.)"""

from __future__ import annotations

import subprocess
import sys


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
