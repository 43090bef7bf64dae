"""Build a page's snapshot outside a kernel: the live page's first paint, or a check's static page.

A dashboard is built as a preheated kernel builds it (its widgets constructed, every section
computed), then its first paint is taken (charts drawn as SVG) and the page is taken apart: its
live tiles' bindings cancelled, its widgets closed, so a worker building sixty pages every few
minutes keeps nothing. It does not follow the CRM (`pulsebi.dashboards.follow`): a snapshot
shows the figures of its data version; its live tiles are kept current by the page that serves
it.
"""

from __future__ import annotations

import contextlib
import importlib
import time
from collections.abc import Iterator, Mapping
from typing import Any

from pulsebi.errors import UsageError
from pulsebi.settings import Settings, get_settings, use_settings
from pulsebi.snapshots.model import Snapshot
from pulsebi.snapshots.pages import PageKind, normalize_params, page_kind
from pulsebi.snapshots.store import database_version


def build_snapshot(settings: Settings, page: str, params: Mapping[str, str]) -> Snapshot:
    """Compute a page for `params` and take its complete rendering.

    Parameters
    ----------
    settings
        Whose data (the page computes with them as the process's settings meanwhile).
    page
        A served path (`snapshot_pages`).
    params
        Request parameters (`normalize_params` reads them: ``{}``, ``{"branch": "DAL"}``).

    Returns
    -------
    Snapshot
        Its version is the data version read before the page was computed: its figures are
        that version's or newer.

    Raises
    ------
    UsageError
        When the page has no snapshots, `params` are not snapshot-able, or name a branch that
        does not exist.
    RuntimeError
        When a section of the page crashed (its error box is not kept for a day).
    """
    kind = page_kind(page)
    normalized = normalize_params(page, params)
    if normalized is None:
        raise UsageError(f"no snapshot of {page} for {dict(params)}: a kernel serves it")
    with _settings_in_use(settings):
        version = database_version(settings)
        if kind.module is not None:
            title, body = _dashboard_html(kind, normalized)
        else:
            title, body = _check_html(kind, normalized)
        if version is None:  # the page's first metric built the views
            version = database_version(settings) or 0
    if 'class="pbi-crash' in body:
        raise RuntimeError(f"{page} {normalized}: a section crashed (see the log); not kept")
    return Snapshot(page, normalized, version, title, body, time.time())


@contextlib.contextmanager
def _settings_in_use(settings: Settings) -> Iterator[None]:
    previous = get_settings()
    use_settings(settings)
    try:
        yield
    finally:
        use_settings(previous)


def _dashboard_html(kind: PageKind, params: dict[str, str]) -> tuple[str, str]:
    from pulsebi.charts import use_mode

    module = importlib.import_module(kind.module or "")
    with use_mode(False):
        # static: `prepare` returns the page computed lazily and not built, so that it can be
        # built here without following the CRM, live as a kernel builds it
        page = module.prepare(static=True, **{**kind.base, **params})
        use_mode(False)
        page.follow_live = lambda: None
        view = getattr(page, "view", None)  # a saved report's page
        if view is not None and (view.saved is None or view.problem):
            raise UsageError(f"{kind.path} {params}: {view.problem or 'no such report'}")
        root = page.prepare()
        try:
            return page.title, page.first_paint_html(svg_charts=True)
        finally:
            page.close()
            close_widgets(root)


def _check_html(kind: PageKind, params: dict[str, str]) -> tuple[str, str]:
    import html

    from pulsebi.reconcile.page import TITLES, static_page_html

    check = kind.check or ""
    body = static_page_html(check, branch=params.get("branch", "all"))
    title = TITLES[check]
    heading = f"<h1 style='margin:0 0 4px'>{html.escape(title)}</h1>"
    return title, f'<div class="pbi-first-paint pbi-check-page">{heading}{body}</div>'


def close_widgets(root: Any) -> int:
    """Close a widget and every widget it holds (children, a chart's marks, axes, scales...).

    Outside a kernel ipywidgets keeps every widget made until it is closed.

    Parameters
    ----------
    root
        An ipywidgets widget.

    Returns
    -------
    int
        How many widgets were closed.
    """
    import ipywidgets

    seen: set[int] = set()
    todo = [root]
    while todo:
        widget = todo.pop()
        if id(widget) in seen:
            continue
        seen.add(id(widget))
        for name in widget.keys:
            value = getattr(widget, name, None)
            if isinstance(value, dict):
                value = list(value.values())
            items = value if isinstance(value, list | tuple) else [value]
            todo += [item for item in items if isinstance(item, ipywidgets.Widget)]
        widget.close()
    return len(seen)
