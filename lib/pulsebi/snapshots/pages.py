"""Which pages have snapshots, for which request parameters.

A request is snapshot-able when the figures it asks for are a page's defaults or one branch of
them: ``?branch=DAL``, ``?branch=all``, a ``preset`` or ``grain`` equal to the notebook's.
Another preset, grain or a custom range (``from``/``to``) is left to a kernel; keys the page
does not read (the login token, Voilà's own) are ignored, as the page ignores them. A saved
report's page (``notebooks/custom_report.ipynb?report_id=7``) has one snapshot per saved report
(its own filters and period are in its spec); the list of reports (no id) is left to a kernel.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from pulsebi.errors import UsageError
from pulsebi.settings import Settings

# The notebooks' parameters cells (a test keeps them equal): the figures a snapshot shows.
DASHBOARD_DEFAULTS = {
    "branch": "all",
    "preset": "month_to_date",
    "date_from": "",
    "date_to": "",
    "grain": "week",
}
SCORECARDS = ("branch", "production", "service", "telemarketing", "canvass", "technology")
CHECKS = {  # reconciliation page -> its check's CLI name
    "ghost_appointments": "ghost-appointments",
    "split_integrity": "splits",
    "external": "external",
}
SAVED_REPORT = "notebooks/custom_report.ipynb"
# A branch code as a URL may carry it; whether the branch exists is the build's to say.
BRANCH_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")


@dataclass(frozen=True)
class PageKind:
    """How a page is built: a dashboard module (`build`/`prepare`), or a reconciliation check."""

    path: str
    module: str | None = None
    check: str | None = None
    # query key -> the value meaning "the page's default" (dropped when normalized)
    defaults: Mapping[str, str] = field(default_factory=dict)
    all_branches: tuple[str, ...] = ("", "all")
    # what `prepare` is given besides the request's parameters (a dashboard's notebook defaults)
    base: Mapping[str, str] = field(default_factory=dict)
    reads_branch: bool = True
    ident: str | None = None  # the query key naming what the page shows (a saved report's id)


def _registry() -> dict[str, PageKind]:
    dash = {"preset": DASHBOARD_DEFAULTS["preset"], "grain": DASHBOARD_DEFAULTS["grain"]}
    dash |= {"from": "", "to": ""}
    every = ("", "all", "ALL")  # dashboards read "ALL" as all branches too (dashboards.filters)
    modules = {"notebooks/executive.ipynb": "pulsebi.dashboards.executive"}
    modules |= {f"scorecards/{n}.ipynb": f"pulsebi.dashboards.scorecards.{n}" for n in SCORECARDS}
    pages = [
        PageKind(path, module, None, dash, every, DASHBOARD_DEFAULTS)
        for path, module in modules.items()
    ]
    pages.append(
        PageKind(
            SAVED_REPORT,
            "pulsebi.dashboards.custom_report",
            reads_branch=False,
            ident="report_id",
        )
    )
    pages += [
        PageKind(f"notebooks/reconciliation/{name}.ipynb", None, check, {"from": "", "to": ""})
        for name, check in CHECKS.items()
    ]
    return {kind.path: kind for kind in pages}


PAGES = _registry()


def page_kind(page: str) -> PageKind:
    """How `page` is built.

    Parameters
    ----------
    page
        A served path (`snapshot_pages`).

    Returns
    -------
    PageKind

    Raises
    ------
    UsageError
        When the page has no snapshots.
    """
    try:
        return PAGES[page]
    except KeyError:
        raise UsageError(f"page {page!r} has no snapshots; use one of {', '.join(PAGES)}") from None


def snapshot_pages() -> list[str]:
    """Every page that has snapshots.

    Returns
    -------
    list of str
        Served paths: the executive dashboard, the six scorecards, the three reconciliation
        pages.
    """
    return list(PAGES)


def default_params(page: str, settings: Settings | None = None) -> list[dict[str, str]]:
    """The parameters whose snapshots are rebuilt ahead: all branches, then each branch.

    Parameters
    ----------
    page
        A served path (`snapshot_pages`).
    settings
        Whose database lists the branches (default: the process's settings).

    Returns
    -------
    list of dict
        ``{}``, then ``{"branch": code}`` per branch in code order; for a saved report's page
        ``{"report_id": id}`` per saved report.
    """
    from pulsebi.dashboards.filters import list_branches

    kind = page_kind(page)
    if kind.ident is not None:
        from pulsebi.builder import list_reports

        return [{kind.ident: str(report.id)} for report in list_reports(settings=settings)]
    return [{}] + [{"branch": code} for code in list_branches(settings)]


def normalize_params(page: str, query: Mapping[str, str]) -> dict[str, str] | None:
    """The parameters a request's snapshot is kept under, if it can be served from one.

    Parameters
    ----------
    page
        A served path.
    query
        The request's query parameters (first value of each).

    Returns
    -------
    dict or None
        ``{}`` (the page's defaults), ``{"branch": code}`` or ``{"report_id": id}``; None when
        the page has no snapshots or the request asks for figures other than those (another
        preset, grain or date range, a malformed branch, no report id): a kernel serves it.
    """
    kind = PAGES.get(page)
    if kind is None:
        return None
    params: dict[str, str] = {}
    if kind.ident is not None:
        value = query.get(kind.ident, "").strip()
        if not (value.isascii() and value.isdigit()) or len(value) > 18:
            return None  # no id (the list), or one the page will say is wrong
        params[kind.ident] = str(int(value))
    for key, value in query.items():
        if key == kind.ident:
            continue
        if key == "branch" and kind.reads_branch:
            if value in kind.all_branches:
                continue
            if not BRANCH_CODE.fullmatch(value):
                return None
            params["branch"] = value
        elif key in kind.defaults and value != kind.defaults[key]:
            return None
        # any other key (the login token...) does not change what the page shows
    return params
