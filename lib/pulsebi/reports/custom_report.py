"""A saved report's notebook (`notebooks/custom_report.ipynb`, parameter ``report_id``) as a
report: its id checked before anything runs, and the run's context (title, period, filters,
data as of) with its files named after the report (``Revenue_by_branch.pdf``).

`pulsebi.reports.execute` asks here for any notebook whose ``parameters`` cell declares
``report_id``: an id that is no saved report's (or a deleted one's, or whose spec no longer fits
the catalog) is refused as a bad branch is, one line and exit 2, nothing run or written.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from pulsebi.reports.context import MAX_STEM, ReportContext
from pulsebi.settings import Settings, get_settings

PARAMETER = "report_id"
_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


@dataclasses.dataclass(frozen=True)
class SavedReportContext(ReportContext):
    """A saved report's run: the page's period, its filters in words (`filters_text`), files
    named after the report."""

    report_id: int = 0
    filters_text: str = ""

    def subject(self) -> str:
        """'Revenue by branch · Dec 01, 2025 – Nov 20, 2026 · Lead channel: TV'."""
        parts = [self.title, self.period_text(), self.filters_text]
        return " · ".join(p for p in parts if p)

    def file_stem(self) -> str:
        """The report's name in safe characters, words joined by '_' (``Revenue_by_branch``)."""
        stem = _UNSAFE.sub("_", self.title).strip("_.-")[:MAX_STEM].strip("_.-")
        return stem or f"saved-report-{self.report_id}"


def check_report_id(value: Any, settings: Settings | None = None) -> Any:
    """The saved report a run's ``report_id`` names, or the error that refuses the run.

    Parameters
    ----------
    value
        The ``report_id`` parameter's value (the notebook's default when not given).
    settings : Settings, optional
        Where the database is; default `get_settings()`.

    Returns
    -------
    pulsebi.builder.SavedReport
        The report with its current spec (checked against the catalog).

    Raises
    ------
    UsageError
        `value` is missing or not a whole number 1 or more.
    ReportNotFound
        No saved report has this id, or it was deleted.
    SpecError
        Its spec no longer fits the catalog (the message names report, version and fields).
    """
    from pulsebi.builder import get_report
    from pulsebi.dashboards.custom_report_view import parse_report_id
    from pulsebi.errors import UsageError

    report_id = parse_report_id(value)
    if report_id is None:
        raise UsageError(
            f"{PARAMETER} is missing: give -p {PARAMETER}=N, the id of a saved report "
            "(the Saved reports page lists them)"
        )
    return get_report(report_id, settings=settings)


def saved_report_context(parameters: dict[str, Any], settings: Settings) -> ReportContext:
    """The context of a saved report's run, taken as it starts.

    Parameters
    ----------
    parameters : dict
        The run's parameters (``report_id``).
    settings : Settings
        The database and the reporting time zone.

    Returns
    -------
    SavedReportContext
        Title (the report's name), period on today's date, branch filter, filters in words,
        data as of.

    Raises
    ------
    UsageError
        From `check_report_id`.
    """
    from pulsebi.dashboards.custom_report_view import ReportView, describe_filters
    from pulsebi.dashboards.custom_report_view import report_filters as page_filters
    from pulsebi.dashboards.filters import list_branches
    from pulsebi.metrics import data_as_of
    from pulsebi.widgets.dates import local_today

    settings = settings or get_settings()
    saved = check_report_id(parameters.get(PARAMETER), settings)
    filters = page_filters(ReportView(saved.id, saved), local_today(tz=settings.tz))
    codes = next((f.values for f in saved.spec.filters if f.field == "branch"), ())
    names = list_branches(settings)
    shown = {k: v for k, v in parameters.items() if k != "static"}
    return SavedReportContext(
        title=saved.name,
        parameters=shown,
        branch=",".join(map(str, codes)) or None,
        branch_name=", ".join(names.get(str(c), str(c)) for c in codes) or "All branches",
        date_from=filters.date_from,
        date_to=filters.date_to,
        preset=saved.spec.dates.preset,
        grain=filters.grain,
        data_as_of=data_as_of(settings),
        report_id=saved.id,
        filters_text=describe_filters(saved.spec, settings),
    )
