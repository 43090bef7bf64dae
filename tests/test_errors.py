"""Every Pulse BI error survives pickle and copy: Celery and multiprocessing hand errors across
processes, and a rebuilt error must say the same thing and keep its details."""

from __future__ import annotations

import ast
import copy
import importlib
import inspect
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest

import pulsebi
from pulsebi import errors
from pulsebi.errors import PulseBIError

LIB = Path(pulsebi.__file__).parent

# Arguments for the errors whose __init__ takes more than a message. An error with a custom
# __init__ that is missing here fails test_every_error_can_be_made_here: add it.
EXAMPLES: dict[str, tuple[object, ...]] = {
    "pulsebi.errors.ImportRejected": (
        [("sales.csv", 3, "amount", "'x' is not a number"), ("leads.csv", None, None, "empty")],
    ),
    "pulsebi.errors.NotebookFailed": (
        "report.ipynb",
        3,
        "1 / 0",
        "ZeroDivisionError",
        "Traceback (most recent call last): ...",
    ),
    "pulsebi.reports.execute.NotebookRefused": (
        "scorecards/branch.ipynb",
        2,
        "page = prepare()",
        "UsageError: branch 'XXX' is unknown; use all or one of AUS, DAL",
        "Traceback (most recent call last): ...",
    ),
    "pulsebi.reports.schedule_fields.ScheduleError": ("weekly.yaml", "cron", "'x' is not a cron"),
    "pulsebi.builder.schedule.ScheduleInputError": ("cron", "'x' is not a cron expression"),
    "pulsebi.reconcile.accounting.AccountingFileError": ("acct.csv", [(2, "bad amount")]),
}


def _modules_defining_errors() -> list[str]:
    """Modules of lib/pulsebi that define a subclass of an error class, read from the source
    (class names are followed from pulsebi.errors outwards until no new one turns up), so that
    only they are imported, and no module with work to do (a __main__, the migrations' env)."""
    trees = {}
    for path in sorted(LIB.rglob("*.py")):
        parts = list(path.relative_to(LIB.parent).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        body = ast.parse(path.read_text(encoding="utf-8")).body
        trees[name] = [n for n in body if isinstance(n, ast.ClassDef)]
    known = {c.name for c in trees["pulsebi.errors"]}
    found: set[str] = set()
    grew = True
    while grew:
        grew = False
        for name, classes in trees.items():
            for c in classes:
                bases = {getattr(b, "id", None) or getattr(b, "attr", None) for b in c.bases}
                if c.name not in known and bases & known:
                    known.add(c.name)
                    found.add(name)
                    grew = True
    return sorted(found)


def _error_classes() -> list[type[PulseBIError]]:
    for name in _modules_defining_errors():
        importlib.import_module(name)
    seen: list[type[PulseBIError]] = []
    todo: list[type[PulseBIError]] = [PulseBIError]
    while todo:
        cls = todo.pop()
        if cls not in seen:
            seen.append(cls)
            todo.extend(cls.__subclasses__())
    return sorted(seen, key=_qualified)


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _make(cls: type[PulseBIError]) -> PulseBIError:
    if _qualified(cls) in EXAMPLES:
        return cls(*EXAMPLES[_qualified(cls)])
    own_init = [c for c in cls.__mro__ if issubclass(c, PulseBIError) and "__init__" in vars(c)]
    assert not own_init, f"{_qualified(cls)} takes {inspect.signature(cls)}: add it to EXAMPLES"
    return cls(f"{cls.__name__} for the test; use the fix")


ERRORS = _error_classes()
COPIES: dict[str, Callable[[PulseBIError], PulseBIError]] = {
    "pickle": lambda e: pickle.loads(pickle.dumps(e)),
    "copy": copy.copy,
    "deepcopy": copy.deepcopy,
}


def test_the_errors_of_every_module_are_found() -> None:
    names = {_qualified(cls) for cls in ERRORS}
    assert set(EXAMPLES) <= names
    assert {_qualified(c) for c in vars(errors).values() if isinstance(c, type)} - names <= {
        "builtins.Exception"
    }


@pytest.mark.parametrize("cls", ERRORS, ids=_qualified)
def test_every_error_can_be_made_here(cls: type[PulseBIError]) -> None:
    assert isinstance(_make(cls), cls)


@pytest.mark.parametrize("how", COPIES)
@pytest.mark.parametrize("cls", ERRORS, ids=_qualified)
def test_an_error_comes_back_the_same(cls: type[PulseBIError], how: str) -> None:
    error = _make(cls)
    error.add_note("raised while testing")
    again = COPIES[how](error)
    assert type(again) is cls and again is not error
    assert str(again) == str(error) and again.args == error.args
    assert vars(again) == vars(error)  # the details (problems, cell_index, ...) and notes
    assert again.exit_code == error.exit_code


def test_a_rebuilt_error_still_raises_and_catches_as_its_class() -> None:
    error = pickle.loads(pickle.dumps(_make(errors.NotebookFailed)))
    with pytest.raises(errors.NotebookFailed, match="failed in cell 3") as caught:
        raise error
    assert caught.value.cell_index == 3 and caught.value.error == "ZeroDivisionError"
