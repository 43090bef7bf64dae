"""The report builder inside a notebook (JupyterLab): the dashboards' builder page, shown in the
cell's output, on the same database and saved reports.

    from pulsebi import builder
    page = builder.open()               # an empty builder
    page = builder.open(report_id=7)    # saved report 7, its saves new versions of it
    page.spec()                         # what the controls make, as a ReportSpec
"""

from __future__ import annotations

import getpass
from typing import Any

from pulsebi.settings import Settings


def open_builder(
    report_id: int | None = None,
    *,
    owner: str | None = None,
    settings: Settings | None = None,
) -> Any:
    """Show the report builder in the current notebook and return it.

    Parameters
    ----------
    report_id : int, optional
        A saved report to open in it.
    owner : str, optional
        Who saves (a new report's owner, each version's ``saved_by``); default the login of the
        user running the kernel.
    settings : Settings, optional
        Database and Redis; default `get_settings()` (``pulsebi lab`` sets them).

    Returns
    -------
    pulsebi.dashboards.builder_page.BuilderPage
        The page: its widgets (``page.zones``, ``page.visual``, ...), ``page.spec()``,
        ``page.save()``.
    """
    from IPython.display import display

    from pulsebi.dashboards import builder_page

    page = builder_page.prepare(owner=owner or _login(), settings=settings)
    if report_id is not None:
        page.open_report(int(report_id))  # a report it cannot open is said in the page
    display(page.prepare())
    return page


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (a container)
        return "analyst"
