"""Run a report notebook with Papermill, in-process, into the run store.

`static=True` is always injected (the rendering layer then draws matplotlib, not bqplot), next to
the caller's parameters, which must be names of the notebook's `parameters` cell.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pulsebi import errors
from pulsebi.errors import NotebookFailed, UsageError
from pulsebi.reports.context import ReportContext, page_title
from pulsebi.reports.store import create_run_dir
from pulsebi.settings import Settings

KERNEL = "python3"
CELL_TIMEOUT = 600  # seconds one cell may run
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# the filters of a dashboard page (pulsebi.dashboards.filters.resolve_filters)
PAGE_PARAMETERS = frozenset({"branch", "preset", "date_from", "date_to", "grain"})
# the filters of a reconciliation page (pulsebi.reconcile.filters.parse_filters)
CHECK_PARAMETERS = frozenset({"branch", "date_from", "date_to"})
# a saved report's page (notebooks/custom_report.ipynb: pulsebi.reports.custom_report)
SAVED_REPORT_PARAMETER = "report_id"
# the Trends page (notebooks/trends.ipynb: pulsebi.dashboards.trends_page)
TREND_PARAMETERS = frozenset({"metric", "branch", "grain", "date_from", "date_to"})


class NotebookRefused(NotebookFailed):
    """A cell raised a Pulse BI error (say a parameter value the page refuses): its message is
    what the user needs, not the notebook's traceback (kept in `traceback` for the history)."""

    @property
    def exit_code(self) -> int:  # the cell's error's (a UsageError: 2)
        return getattr(errors, self.error.partition(": ")[0], NotebookFailed).exit_code

    def __str__(self) -> str:
        return self.error.partition(": ")[2] or self.error


def _is_pulsebi_error(name: str) -> bool:
    cls = getattr(errors, name, None)
    return isinstance(cls, type) and issubclass(cls, errors.PulseBIError)


@dataclass
class ExecutedRun:
    """An executed notebook in the run store, and what the writers derive from it."""

    run_id: str
    directory: Path
    source: Path
    notebook_path: Path
    parameters: dict[str, Any]
    outputs: dict[str, Path] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.source.stem

    started: ReportContext | None = None  # the context taken as the run started

    @property
    def context(self) -> ReportContext:
        """Title (the page's), period, branch, data as of; the parameters for other notebooks."""
        import dataclasses

        shown = {k: v for k, v in self.parameters.items() if k != "static"}
        base = self.started or ReportContext(title=self.name)
        title = page_title(self.raw_notebook, self.name)
        return dataclasses.replace(base, title=title, parameters=shown)

    @property
    def title(self) -> str:
        return self.context.subject()

    @property
    def file_stem(self) -> str:
        """The outputs' name: `branch-scorecard_DAL_2026-11-01_2026-11-30` (+ .pdf...)."""
        return self.context.file_stem()

    @cached_property
    def tiles(self) -> list[dict[str, Any]]:
        """The headline tiles the notebook showed, exact figures (pulsebi.charts.export)."""
        from pulsebi.charts.export import read_export_tiles

        return read_export_tiles(self.raw_notebook)

    @cached_property
    def notebook(self) -> Any:
        import nbformat

        return nbformat.read(self.notebook_path, as_version=4)

    @cached_property
    def raw_notebook(self) -> dict[str, Any]:
        """The executed notebook as JSON (what the export readers take)."""
        return json.loads(self.notebook_path.read_text())

    @cached_property
    def tables(self) -> list:
        from pulsebi.charts.export import read_export_tables

        return read_export_tables(self.raw_notebook)

    @cached_property
    def html(self) -> str:
        """The report HTML (lab look, no code, no scripts), shared by the html and pdf writers."""
        from pulsebi.reports.html import render_report_html

        return render_report_html(self.notebook, self.title)

    @cached_property
    def print_html(self) -> str:
        """The PDF's source (small print stylesheet)."""
        from pulsebi.reports.html import render_print_html

        return render_print_html(self.notebook, self.title)


def parse_parameter(text: str) -> tuple[str, Any]:
    """`key=value` from the command line; the value is read as a YAML scalar.

    Parameters
    ----------
    text : str
        ``key=value`` (``pulsebi report run -p``): the key a Python name, the value YAML
        (``3``, ``true``, ``DAL``, ``2026-11-01``...).

    Returns
    -------
    tuple of (str, object)
        The key and its value: a number, bool, None or text; a date as its ISO string; text
        when the value is empty (``""``) or looks like a date but is none (``2026-13-01``,
        which the page then refuses with its own message).

    Raises
    ------
    UsageError
        If `text` is not ``key=value`` with a Python name as key, the value is not valid
        YAML, or it is not a scalar (a list, a mapping).
    """
    import yaml

    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not _NAME.match(key):
        raise UsageError(f"parameter {text!r} is not key=value with a Python name as key")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as exc:
        raise UsageError(f"parameter {key}: {raw!r} is not a YAML scalar ({exc})") from None
    except ValueError:  # looks like a date but is none (2026-13-01): text, which the page refuses
        value = raw.strip()
    return key, normalize_value(key, value)


def normalize_value(key: str, value: Any) -> Any:
    """Keep values Papermill can write into a notebook: scalars; dates become ISO strings."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise UsageError(f"parameter {key}: {value!r} is not a scalar (text, number, true/false)")


def read_notebook_parameters(notebook: Path) -> dict[str, dict[str, Any]]:
    """The notebook's `parameters` cell, as Papermill infers it: name -> {default, type...}."""
    import papermill

    try:
        return papermill.inspect_notebook(str(notebook))
    except (ValueError, OSError) as exc:  # no kernel named, not a notebook...
        raise UsageError(f"notebook {notebook} cannot be read as a notebook: {exc}") from None


def check_parameters(notebook: Path, parameters: dict[str, Any]) -> None:
    """Raise UsageError naming any parameter the notebook's `parameters` cell does not define.

    Parameters
    ----------
    notebook : pathlib.Path
        The report notebook.
    parameters : dict of str to object
        The values asked for, by name; ``static`` is always allowed (it is injected).

    Raises
    ------
    UsageError
        If a name is not in the notebook's ``parameters`` cell (the message lists the ones it
        has), or the notebook cannot be read as a notebook.
    """
    known = read_notebook_parameters(notebook)
    unknown = [name for name in parameters if name not in known and name != "static"]
    if unknown:
        names = ", ".join(sorted(known)) or "none (the notebook has no `parameters` cell)"
        raise UsageError(
            f"unknown parameter {', '.join(repr(n) for n in unknown)} for {notebook}; "
            f"known: {names}"
        )


def check_parameter_values(
    notebook: Path, parameters: dict[str, Any], settings: Settings | None = None
) -> tuple[Any, dict[str, str]] | None:
    """Raise UsageError for a value the notebook's page would refuse, before anything runs.

    `static` must be true or false. A page notebook (its `parameters` cell declares the page's
    filters: branch, preset, date_from, date_to, grain) gets its values checked as the page
    checks them (`pulsebi.dashboards.filters.resolve_filters`, the same messages): dates that
    parse, date_to after date_from, a known branch (or all), a preset, a grain.

    A reconciliation notebook (branch, date_from, date_to) gets its branch and dates checked
    as the reconciliation page checks them (`pulsebi.reconcile.filters`).

    A saved report's notebook (a ``report_id`` parameter) gets its id checked: a saved
    report that exists, not deleted, whose spec still fits the catalog.

    The Trends page (metric, branch, grain, date_from, date_to) gets them checked as it takes
    them (`pulsebi.dashboards.trends_page.check_report_parameters`): a metric it can show at
    that grain, a known branch, dates; its period is its own default range.

    Parameters
    ----------
    notebook : pathlib.Path
        The report notebook.
    parameters : dict of str to object
        The values asked for, by name (the notebook's defaults fill in the others).
    settings : Settings, optional
        Where the database is (the branches are looked up there); default: `get_settings()`.

    Returns
    -------
    tuple of (Filters, dict of str to str) or None
        A page's resolved filters (`pulsebi.widgets.filters.Filters`: period, branch, grain,
        preset) and its branches (code -> name); None for a notebook that is no page.

    Raises
    ------
    UsageError
        If a ``static`` value is not true or false, the notebook cannot be read as a
        notebook, or a value is one the page refuses: the page's own message, naming the
        value and what to use.
    """
    if "static" in parameters and not isinstance(parameters["static"], bool):
        raise UsageError(f"parameter static: {parameters['static']!r} is not true or false")
    known = read_notebook_parameters(notebook)
    if SAVED_REPORT_PARAMETER in known:  # a saved report's page: the report must exist and fit
        from pulsebi.reports.custom_report import check_report_id

        value = parameters.get(SAVED_REPORT_PARAMETER, _default(known[SAVED_REPORT_PARAMETER]))
        check_report_id(value, settings)
        return None
    if set(known) >= TREND_PARAMETERS:  # the Trends page: its metric, its own default range
        from pulsebi.dashboards.trends_page import check_report_parameters

        values = {name: _default(known[name]) for name in TREND_PARAMETERS}
        values.update({k: v for k, v in parameters.items() if k in TREND_PARAMETERS})
        return check_report_parameters(**values, settings=settings)
    if not set(known) >= PAGE_PARAMETERS:
        if set(known) >= CHECK_PARAMETERS:
            _check_reconciliation_values(parameters, settings)
        return None
    from pulsebi.dashboards.filters import list_branches, resolve_filters

    values = {name: _default(known[name]) for name in PAGE_PARAMETERS}
    values.update({k: v for k, v in parameters.items() if k in PAGE_PARAMETERS})
    branches = list_branches(settings)
    return resolve_filters(**values, known_branches=branches), branches


def report_context(notebook: Path, parameters: dict[str, Any], settings: Settings) -> ReportContext:
    """The run's context, taken as it starts (the page's title is read from its outputs)."""
    page = check_parameter_values(notebook, parameters, settings)
    shown = {k: v for k, v in parameters.items() if k != "static"}
    if page is None and SAVED_REPORT_PARAMETER in parameters:  # checked: a saved report's page
        from pulsebi.reports.custom_report import saved_report_context

        return saved_report_context(parameters, settings)
    if page is None:
        return ReportContext(title=notebook.stem, parameters=shown)
    from pulsebi.metrics import data_as_of

    filters, branches = page
    return ReportContext(
        title=notebook.stem,
        parameters=shown,
        branch=filters.branch,
        branch_name=branches.get(filters.branch or "", "All branches"),
        date_from=filters.date_from,
        date_to=filters.date_to,
        preset=filters.preset,
        grain=filters.grain,
        data_as_of=data_as_of(settings),
    )


def _check_reconciliation_values(parameters: dict[str, Any], settings: Settings | None) -> None:
    """A reconciliation page's branch and dates, checked as it checks them."""
    from pulsebi.db import get_engine
    from pulsebi.reconcile.filters import check_branch, parse_filters

    given = {k: parameters.get(k) for k in CHECK_PARAMETERS}
    filters = parse_filters(given["branch"], given["date_from"], given["date_to"])
    with get_engine(settings).connect() as conn:
        check_branch(conn, filters.branch)


def _default(parameter: dict[str, Any]) -> Any:
    """A `parameters` cell default as Papermill reports it (source text) -> its value."""
    import ast

    try:
        return ast.literal_eval(parameter.get("default") or "None")
    except (ValueError, SyntaxError):
        return None


def find_notebook(notebook: str | Path) -> Path:
    """The report notebook's absolute path, once it is known to exist.

    Parameters
    ----------
    notebook : path-like or str
        A path to an ``.ipynb`` file, relative to the working directory or absolute.

    Returns
    -------
    pathlib.Path
        The same path made absolute (symbolic links kept).

    Raises
    ------
    UsageError
        If the name does not end in ``.ipynb`` or no such file exists.
    """
    path = Path(notebook)
    if path.suffix != ".ipynb" or not path.is_file():
        raise UsageError(f"notebook {notebook} not found (expected an existing .ipynb file)")
    return path.absolute()


def execute_report(
    settings: Settings,
    notebook: str | Path,
    parameters: dict[str, Any] | None = None,
    *,
    run_id: str | None = None,
) -> ExecutedRun:
    """Run `notebook` with `parameters` (+ static=True) into a new run directory.

    Raises NotebookFailed (cell, source, traceback) when a cell raises; the executed notebook
    stays in the run directory either way.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    source = find_notebook(notebook)
    parameters = {k: normalize_value(k, v) for k, v in (parameters or {}).items()}
    check_parameters(source, parameters)
    context = report_context(source, parameters, settings)
    run_id, directory = create_run_dir(settings, run_id)
    output = directory / source.name
    run = ExecutedRun(run_id, directory, source, output, {**parameters, "static": True})
    run.started = context
    try:
        with kernel_environment(settings):
            papermill.execute_notebook(
                str(source),
                str(output),
                parameters=run.parameters,
                kernel_name=KERNEL,
                progress_bar=False,
                request_save_on_cell_execute=False,
                cwd=str(source.parent),
                execution_timeout=CELL_TIMEOUT,
                # ipykernel's notice that its local TCP is unencrypted is noise in a report's run
                extra_arguments=["--IPKernelApp.log_level=ERROR"],
            )
    except PapermillExecutionError as exc:
        failed = NotebookRefused if _is_pulsebi_error(exc.ename) else NotebookFailed
        raise failed(
            str(source),
            _source_cell_index(output, exc.cell_index),
            exc.source,
            f"{exc.ename}: {exc.evalue}",
            _ANSI.sub("", "\n".join(exc.traceback)),
        ) from None
    return run


@contextlib.contextmanager
def kernel_environment(settings: Settings) -> Iterator[None]:
    """The process environment, for the kernel Papermill starts, set from `settings` (which may
    differ from the environment: tests, embedded servers). One run at a time per process."""
    wanted = settings.to_environ()
    saved = {var: os.environ.get(var) for var in wanted}
    try:
        os.environ.update(wanted)
        yield
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value


def _source_cell_index(executed: Path, index: int) -> int:
    """Papermill's index counts its injected-parameters cell; give the notebook's own index."""
    try:
        cells = json.loads(executed.read_text())["cells"]
    except (OSError, ValueError, KeyError):
        return index
    cells = [c for c in cells if "papermill-error-cell-tag" not in c["metadata"].get("tags", [])]
    injected = sum(
        1 for c in cells[:index] if "injected-parameters" in c["metadata"].get("tags", [])
    )
    return index - injected
