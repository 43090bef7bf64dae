"""Public functions document their contract (issue 18 item 5), in the numpydoc style statsmodels
uses: the functions that notebooks and other packages call in metrics, dashboards, reports,
reconcile and trends have Parameters / Returns / Raises sections.

"Public" is read from the callers, not guessed: a function of one of those packages counts when
it is in the package's `__all__`, imported by name from outside the package (lib/ or a
notebook), or called on the package's module by such a caller (``page_module.prepare(...)``).
For each, the check wants
- a ``Parameters`` section naming every parameter (self and cls aside), when there is one;
- a ``Returns`` (or ``Yields``) section unless the function is annotated ``-> None``;
- a ``Raises`` section when its own body raises an exception by name.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import re
import textwrap
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import pulsebi

LIB = Path(pulsebi.__file__).parent
REPO = LIB.parents[1]
PACKAGES = ("metrics", "dashboards", "reports", "reconcile", "trends", "builder")
NOTEBOOK_DIRS = ("notebooks", "scorecards", "cmo")


def _sources() -> Iterator[tuple[str, str, str]]:
    """(where, its package under pulsebi or "", Python source) of every caller: lib modules and
    the code cells of the notebooks (cells that are not Python, e.g. magics, are left out)."""
    for path in sorted(LIB.rglob("*.py")):
        rel = path.relative_to(LIB)
        package = rel.parts[0].removesuffix(".py")
        yield str(path.relative_to(REPO)), package, path.read_text(encoding="utf-8")
    for folder in NOTEBOOK_DIRS:
        for path in sorted((REPO / folder).rglob("*.ipynb")):
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
            yield str(path.relative_to(REPO)), "", "\n".join(code)


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


def _target_package(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "pulsebi" and parts[1] in PACKAGES:
        return parts[1]
    return None


def public_functions() -> dict[str, Callable]:
    """Qualified name -> function, for every public function of PACKAGES (see the docstring)."""
    found: dict[str, Callable] = {}

    def add(obj: object) -> None:
        obj = inspect.unwrap(obj) if callable(obj) else obj
        if inspect.isfunction(obj) and _target_package(obj.__module__):
            found[f"{obj.__module__}.{obj.__qualname__}"] = obj

    for name in PACKAGES:
        if (LIB / name).is_dir() or (LIB / f"{name}.py").is_file():
            package = importlib.import_module(f"pulsebi.{name}")
            for export in getattr(package, "__all__", ()):
                add(getattr(package, export))
    for _, own, source in _sources():
        tree = _parse(source)
        if tree is None:
            continue
        modules: dict[str, types.ModuleType] = {}  # local name -> a module of PACKAGES
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                target = _target_package(node.module)
                if target is None or target == own:
                    continue
                base = importlib.import_module(node.module)
                for alias in node.names:
                    obj = getattr(base, alias.name, None)
                    if obj is None:  # a submodule not imported by its package
                        obj = importlib.import_module(f"{node.module}.{alias.name}")
                    if isinstance(obj, types.ModuleType):
                        modules[alias.asname or alias.name] = obj
                    else:
                        add(obj)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    target = _target_package(alias.name)
                    if target is not None and target != own and alias.asname:
                        modules[alias.asname] = importlib.import_module(alias.name)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in modules
                and not node.func.attr.startswith("_")
            ):
                add(getattr(modules[node.func.value.id], node.func.attr, None))
    return dict(sorted(found.items()))


SECTION = re.compile(r"^(?P<name>[A-Z][a-z]+)\n-{3,}$", re.M)


def _sections(doc: str) -> dict[str, str]:
    doc = inspect.cleandoc(doc)
    marks = list(SECTION.finditer(doc))
    return {
        m["name"]: doc[m.end() : marks[i + 1].start() if i + 1 < len(marks) else len(doc)]
        for i, m in enumerate(marks)
    }


def _raises_by_name(func: Callable) -> bool:
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        return False
    own = tree.body[0]
    nested = {
        id(n)
        for d in ast.walk(own)
        if d is not own and isinstance(d, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for n in ast.walk(d)
    }
    return any(
        isinstance(n, ast.Raise) and n.exc is not None and id(n) not in nested
        for n in ast.walk(own)
    )


def missing_sections(func: Callable) -> list[str]:
    """What `func`'s docstring lacks of its contract, [] when nothing."""
    sections = _sections(func.__doc__ or "")
    signature = inspect.signature(func)
    params = [p for p in signature.parameters if p not in ("self", "cls")]
    missing = []
    if params:
        listed = sections.get("Parameters", "")
        absent = [p for p in params if not re.search(rf"^\*{{0,2}}{p}\b", listed, re.M)]
        if "Parameters" not in sections:
            missing.append("Parameters")
        elif absent:
            missing.append(f"Parameters: {', '.join(absent)}")
    returns_none = signature.return_annotation in (None, "None")
    if not returns_none and not {"Returns", "Yields"} & sections.keys():
        missing.append("Returns")
    if _raises_by_name(func) and "Raises" not in sections:
        missing.append("Raises")
    return missing


def test_the_public_functions_are_found_from_their_callers() -> None:
    found = public_functions()
    assert "pulsebi.metrics.compute.compute" in found
    assert any(name.startswith("pulsebi.reconcile.") for name in found)
    assert any(name.startswith("pulsebi.dashboards.") for name in found)
    assert any(name.startswith("pulsebi.reports.") for name in found)


def test_the_section_check_reads_numpydoc() -> None:
    def good(metric: str, *, by: list[str] | None = None) -> int:
        """One line.

        Parameters
        ----------
        metric : str
            A name.
        by : list of str, optional
            Dimensions.

        Returns
        -------
        int

        Raises
        ------
        ValueError
            When the name is unknown.
        """
        raise ValueError(metric)

    def bad(metric: str, by: str) -> int:
        """Parameters
        ----------
        metric
            A name.
        """
        raise ValueError(metric)

    assert missing_sections(good) == []
    assert missing_sections(bad) == ["Parameters: by", "Returns", "Raises"]


def test_every_public_function_documents_its_contract() -> None:
    lacking = {name: m for name, f in public_functions().items() if (m := missing_sections(f))}
    assert lacking == {}, "\n".join(f"{name}: {', '.join(m)}" for name, m in lacking.items())
