"""What the page of a saved report shows besides the report: which report (its id, parsed from
a parameter or the URL; the saved report or why it cannot be shown), its period as the page's
`Filters`, its filters in words, the list of saved reports (`pulsebi.dashboards.custom_report`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from typing import Any

from pulsebi import metrics
from pulsebi.errors import UsageError
from pulsebi.settings import Settings
from pulsebi.widgets.dates import Filters

TITLE = "Saved reports"  # the page without a report: the list of saved reports
PARAMETER = "report_id"
_VALUE_NAMES = frozenset({"branch", "rep", "source", "telemarketer", "canvasser"})


def parse_report_id(value: object, name: str = PARAMETER) -> int | None:
    """A report id from a parameter or the query string: a whole number 1 or more.

    Parameters
    ----------
    value
        The value given (an int, or text from the URL); None, "" or 0 for none.
    name
        Where it came from, for the message.

    Returns
    -------
    int or None
        None when no report is named.

    Raises
    ------
    UsageError
        `value` is not a whole number 1 or more.
    """
    if value in (None, "", 0, "0"):
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit():
        raise UsageError(
            f"{name}={value!r} is not a saved report's id: give a whole number, e.g. "
            f"{name}=7 (the Saved reports page lists them)"
        )
    return int(text)


def value_labels(dim: str, values: tuple[Any, ...], settings: Settings | None) -> list[str]:
    """Filter values as people read them: branch and people's names, channels capitalised."""
    if dim in _VALUE_NAMES:
        names = {m["key"]: m["label"] for m in metrics.dimension_values(dim, settings, limit=None)}
        return [str(names.get(v, f"#{v}" if isinstance(v, int) else v)) for v in values]
    if dim == "channel":  # as the executive dashboard's legend says them
        return [_channel(str(v)) for v in values]
    return [str(v) for v in values]


def _channel(channel: str) -> str:
    text = channel.replace("_", " ")
    return text.upper() if text == "tv" else text.capitalize()


def describe_filters(spec: Any, settings: Settings | None = None) -> str:
    """A spec's filters in words: 'Lead channel: TV, Digital; Branch: Dallas' ('' for none).

    Parameters
    ----------
    spec
        A `pulsebi.builder.ReportSpec`.
    settings
        Where the names of branches and people are read (default: the process's).

    Returns
    -------
    str
    """
    from pulsebi.builder import find_field

    return "; ".join(
        f"{_label(find_field(f.field), f.field)}: "
        f"{', '.join(value_labels(f.field, f.values, settings))}"
        for f in spec.filters
    )


@dataclasses.dataclass
class ReportView:
    """The report a page shows: its id, the saved report, or why it cannot be shown."""

    report_id: int | None = None
    saved: Any = None  # pulsebi.builder.SavedReport
    problem: str = ""
    words: str | None = None  # its filters in words, once read

    def filters_text(self) -> str:
        """The report's filters in words ("No filters" for none), read once."""
        if self.words is None:
            self.words = describe_filters(self.saved.spec) if self.saved is not None else ""
        return self.words or "No filters"

    @property
    def title(self) -> str:
        return self.saved.name if self.saved is not None else TITLE


def open_view(report_id: int | None, settings: Settings | None = None) -> ReportView:
    """The saved report `report_id` (None: none), or the problem that keeps it from the page."""
    from pulsebi.builder import ReportNotFound, SpecError, get_report

    if report_id is None:
        return ReportView()
    try:
        return ReportView(report_id, get_report(report_id, settings=settings))
    except ReportNotFound:
        problem = f"no saved report has id {report_id} (or it was deleted): open one below"
        return ReportView(report_id, problem=problem)
    except SpecError as error:
        return ReportView(report_id, problem=str(error))


def report_filters(view: ReportView, today: dt.date) -> Filters:
    """The page's `Filters`: the report's period on `today` (its own filters are in its spec).

    Parameters
    ----------
    view
        The report shown (none: today alone).
    today
        The local date relative presets are resolved on.

    Returns
    -------
    Filters
        The period [from, to), the branch when the report keeps one branch, the grain on its
        X or Series (month when none), the preset.
    """
    from pulsebi.builder import find_field
    from pulsebi.builder.dates import resolve_range

    if view.saved is None:
        return Filters(today, today + dt.timedelta(days=1))
    spec = view.saved.spec
    start, end = resolve_range(spec.dates.preset, today, spec.dates.date_from, spec.dates.date_to)
    codes = next((f.values for f in spec.filters if f.field == "branch"), ())
    branch = str(codes[0]) if len(codes) == 1 else None
    axes = [find_field(f) for f in (spec.x, spec.series) if f]
    grain = next((f.id for f in axes if f is not None and f.kind == "time"), "month")
    return Filters(start, end, branch, grain, spec.dates.preset)


def _label(field: Any, field_id: str) -> str:
    return field.label if field is not None else field_id


def list_html(settings: Settings | None = None) -> str:
    """The saved reports as links to their pages (`?report_id=N`), the newest saved first."""
    from pulsebi.builder import list_reports

    reports = list_reports(settings=settings)
    if not reports:
        return "<p>No report has been saved yet: build one in the report builder.</p>"
    items = "".join(
        f'<li><a href="?{PARAMETER}={r.id}">{html.escape(r.name)}</a>'
        f' <span style="color:#5b6473">· {html.escape(r.owner)} · saved '
        f"{r.updated_at:%Y-%m-%d}</span></li>"
        for r in reports
    )
    return f'<ul class="pbi-saved-reports">{items}</ul>'


def problem_html(message: str) -> str:
    """A report that cannot be shown, said in place (every line of the message kept)."""
    lines = "<br>".join(html.escape(line) for line in message.splitlines())
    return f'<div class="pbi-notice" role="alert">{lines}</div>'
