"""The house rules of ../shared/docs/architecture.md, checked over every module of lib/pulsebi.

The import graph is read from the source (every `import` and `from ... import`, at any depth,
including function-level and TYPE_CHECKING imports, relative ones resolved, and
`importlib.import_module` calls with a literal name), never by importing the code.

Rules: each layer imports only itself and the layers below it (so data never imports rendering
or features, rendering never imports features, features never import faces); rendering, which
takes DataFrames in, imports nothing from data either; nothing in lib/ imports a notebook; and
every module belongs to a layer, so a new package has to be placed here before it can land.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import pulsebi

LIB = Path(pulsebi.__file__).parent
REPO = LIB.parents[1]

# Lowest first. A module's layer is that of its top-level name under `pulsebi`.
LAYERS: dict[str, tuple[str, ...]] = {
    # `pulsebi` itself (the package's __init__: a docstring and the version) imports nothing.
    # processes.py is ground: it starts and stops detached commands by pid file and needs only
    # the settings; `stack` and the CLI call it, and it knows nothing of what it starts.
    "ground": ("pulsebi", "settings", "services", "errors", "processes"),
    "data": ("db", "importer", "seed", "views", "metrics", "cache"),
    "rendering": ("charts", "widgets"),
    "features": (
        "dashboards",
        "reports",
        "reconcile",
        "live",
        "snapshots",
        "trends",
        "builder",
        "attribution",
    ),
    # stack.py is a face: `pulsebi up` in library form, it starts the whole platform, the
    # dashboards (serve) and the report worker and beat (tasks) included.
    "faces": ("cli", "serve", "tasks", "stack"),
}
RANK = {layer: rank for rank, layer in enumerate(LAYERS)}
LAYER_OF = {name: layer for layer, names in LAYERS.items() for name in names}

# Layers held to fewer than "everything below": rendering takes DataFrames in and never reaches
# into data access (the caller queries, the chart or widget draws).
NARROWER: dict[str, tuple[str, ...]] = {"rendering": ("ground", "rendering")}

# Top-level names a lib module would import a notebook by: the surface folders and the
# libraries that turn .ipynb files into modules.
NOTEBOOK_IMPORTERS = ("import_ipynb", "nbimporter", "importnb", "ipynb", "nbformat_importer")


def surface_packages(repo: Path) -> set[str]:
    """Top-level folders of the repository that hold notebooks (notebooks/, scorecards/, ...),
    plus cmo/ which will."""
    folders = {
        d.name
        for d in repo.iterdir()
        if d.is_dir()
        and not d.name.startswith(".")
        and d.name not in ("lib", "tests")
        and next(d.rglob("*.ipynb"), None) is not None
    }
    return folders | {"cmo", "notebooks", "scorecards"}


def module_name(path: Path, lib: Path) -> str:
    parts = list(path.relative_to(lib.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _package_of(path: Path, name: str) -> str:
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _literal_module(call: ast.Call) -> str | None:
    """The module an `import_module("...")` / `import_module(f"pkg.{x}")` call names."""
    func = call.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if called != "import_module" or not call.args:
        return None
    arg = call.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
        return str(arg.values[0].value).rstrip(".") or None
    return None


def imports_of(path: Path, lib: Path) -> Iterator[tuple[str, int]]:
    """Every module `path` imports, as an absolute dotted name, with the line it is named on.

    `from pkg import name` yields `pkg.name` when that is a module of lib, else `pkg`.
    """
    name = module_name(path, lib)
    package = _package_of(path, name)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                if node.level - 1 >= len(parts):
                    raise AssertionError(f"{path}:{node.lineno}: relative import beyond lib")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield (sub if _is_module(sub, lib) else base), node.lineno
        elif isinstance(node, ast.Call):
            target = _literal_module(node)
            if target is not None:
                yield target, node.lineno


def _is_module(dotted: str, lib: Path) -> bool:
    relative = Path(*dotted.split("."))
    root = lib.parent
    return (root / relative).with_suffix(".py").is_file() or (root / relative).is_dir()


def layer_of(module: str, top: str) -> str | None:
    """The layer of a module named `top.x...`, None when it is in none."""
    parts = module.split(".")
    key = parts[1] if len(parts) > 1 else top
    return LAYER_OF.get(key)


def allowed_layers(layer: str) -> tuple[str, ...]:
    below = tuple(other for other in LAYERS if RANK[other] <= RANK[layer])
    return NARROWER.get(layer, below)


def violations(lib: Path, repo: Path) -> list[tuple[str, str, str]]:
    """(importing module, imported module, why) for every broken rule under `lib`."""
    top = lib.name
    surfaces = surface_packages(repo)
    found: list[tuple[str, str, str]] = []
    for path in sorted(lib.rglob("*.py")):
        importer = module_name(path, lib)
        own = layer_of(importer, top)
        where = f"{path.relative_to(repo)}"
        if own is None:
            found.append((importer, "", f"{where}: in no layer; place it in LAYERS"))
            continue
        for target, line in imports_of(path, lib):
            head = target.split(".")[0]
            if head in surfaces or head in NOTEBOOK_IMPORTERS:
                found.append((importer, target, f"{where}:{line}: imports a notebook ({target})"))
            if head != top:
                continue
            theirs = layer_of(target, top)
            if theirs is None:
                found.append((importer, target, f"{where}:{line}: {target} is in no layer"))
            elif theirs not in allowed_layers(own):
                found.append(
                    (importer, target, f"{where}:{line}: {own} imports {theirs} ({target})")
                )
    return found


def test_every_module_keeps_the_layer_rules() -> None:
    broken = violations(LIB, REPO)
    assert broken == [], "\n".join(why for *_, why in broken)


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        target = tmp_path / "lib" / "pulsebi" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(source), encoding="utf-8")
    return tmp_path / "lib" / "pulsebi"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # a relative import from a function body, in a package's module
        (
            {"metrics/__init__.py": "", "metrics/q.py": "def f():\n    from ..charts import x\n"},
            [("pulsebi.metrics.q", "pulsebi.charts", "data imports rendering")],
        ),
        # `from pulsebi import <module>` names the module, not the package
        (
            {
                "dashboards/__init__.py": "",
                "dashboards/p.py": "from pulsebi import tasks\n",
                "tasks.py": "",
            },
            [("pulsebi.dashboards.p", "pulsebi.tasks", "features imports faces")],
        ),
        # a relative import in a package's __init__, and import_module with an f-string
        (
            {
                "widgets/__init__.py": "from . import m\nimport_module(f'pulsebi.metrics.{x}')\n",
                "widgets/m.py": "",
            },
            [("pulsebi.widgets", "pulsebi.metrics", "rendering imports data")],
        ),
        # rendering may import ground and itself
        ({"charts/__init__.py": "from pulsebi.errors import E\nfrom .s import S\n"}, []),
        # a package nobody placed
        ({"gadgets/__init__.py": ""}, [("pulsebi.gadgets", "", "in no layer")]),
        # a notebook imported from lib
        ({"seed/__init__.py": "import import_ipynb\n"}, [("pulsebi.seed", "", "notebook")]),
    ],
)
def test_the_checker_finds_each_kind_of_violation(
    tmp_path: Path, files: dict[str, str], expected: list[tuple[str, str, str]]
) -> None:
    found = violations(_tree(tmp_path, files), tmp_path)
    assert len(found) == len(expected), found
    for (importer, target, why), (want_importer, want_target, want_why) in zip(
        found, expected, strict=True
    ):
        assert importer == want_importer
        assert target == want_target or not want_target
        assert want_why in why
