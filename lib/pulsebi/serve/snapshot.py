"""A page served from its snapshot (`pulsebi.snapshots`): the complete page at once, no kernel.

With a deployment's ``snapshots`` on, a GET of a page's usual URL (``/voila/render/<page>``, and
``/`` for the home page) is answered from the page's current snapshot for the request's
parameters, when there is one: the product's header and navigation, the page's filters as plain
HTML controls, the snapshot's body (tiles, tables, charts as SVG). Nothing else runs: no kernel
is claimed or started. Changing a filter navigates to the interactive page for the new
parameters with ``live=1`` (:data:`LIVE_MARKER`), which skips the snapshot, so Voilà serves it
with a preheated kernel. Without a snapshot (none built yet, parameters no snapshot is made for,
Redis unreachable) the request goes to Voilà as it would without snapshots.

Login is the page's: the handlers are Voilà's page handler and Pulse BI's home handler with the
snapshot tried first, behind the same ``@authenticated``.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import json
import logging
import time
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tornado.web
from jupyter_server.utils import url_path_join
from tornado.ioloop import IOLoop

from pulsebi.serve.deployment import list_pages
from pulsebi.serve.handlers import HomeHandler, PageHandler
from pulsebi.serve.login import login_environment

log = logging.getLogger(__name__)

TEMPLATE = "snapshot.html"
SETTINGS_KEY = "pulsebi_snapshots"
LIVE_MARKER = "live"  # ?live=1: the interactive page, never its snapshot
HIDDEN_QUERY = ("token", LIVE_MARKER)  # the server's business, not the page's parameters
BAR_PLACEHOLDER = '<div class="pbi-first-paint-bar"></div>'
BRANCHES_TTL = 300.0  # seconds the branch names are kept (they change with an import, rarely)
GRAINS = ("day", "week", "month")  # what the pages' filter bars offer (dashboards.page)


@dataclass(frozen=True)
class Control:
    """One filter of the snapshot page: a ``<select>`` named as the query parameter."""

    name: str  # "" for the period's dates: they are sent as from/to by the page's script
    label: str
    options: tuple[tuple[str, str], ...]  # (value, label); () for a date
    value: str
    kind: str = "select"  # or "from", "through": a date input


def request_query(arguments: Mapping[str, list[bytes]]) -> dict[str, str]:
    """A request's query parameters, first value of each, without the token and the live marker.

    Parameters
    ----------
    arguments
        Tornado's ``request.query_arguments``.

    Returns
    -------
    dict
        Parameter name → value (untrusted: `pulsebi.snapshots.normalize_params` checks them).
    """
    return {
        key: values[0].decode("utf-8", "replace")
        for key, values in arguments.items()
        if values and key not in HIDDEN_QUERY
    }


_parameters: dict[Path, tuple[float, dict[str, Any]]] = {}


def notebook_parameters(path: Path) -> dict[str, Any]:
    """The literals of a notebook's ``parameters`` cell (its defaults), read once per change.

    Parameters
    ----------
    path
        The notebook file.

    Returns
    -------
    dict
        Name → value of each ``name = <literal>`` line; empty when unreadable.
    """
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return {}
    cached = _parameters.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    try:
        cells = json.loads(path.read_text()).get("cells", [])
        tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        found = parameter_literals(tagged[0]["source"]) if tagged else {}
    except (OSError, ValueError, SyntaxError, KeyError, TypeError):
        found = {}
    _parameters[path] = (mtime, found)
    return found


def parameter_literals(source: str | list[str]) -> dict[str, Any]:
    """Name → value of each ``name = <literal>`` statement of a cell's source (others skipped).

    Raises
    ------
    SyntaxError
        The source is no Python.
    """
    found: dict[str, Any] = {}
    for node in ast.parse(source if isinstance(source, str) else "".join(source)).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        target = node.targets[0]
        if isinstance(target, ast.Name):
            with contextlib.suppress(ValueError):
                found[target.id] = ast.literal_eval(node.value)
    return found


def filter_controls(
    defaults: Mapping[str, Any],
    params: Mapping[str, str],
    branches: Mapping[str, str],
    today: dt.date,
) -> list[Control]:
    """The page's filters as the interactive page's bar has them, set to the snapshot's values.

    Parameters
    ----------
    defaults
        The notebook's parameters (`notebook_parameters`): a page has the period, branch and
        grain filters it has parameters for.
    params
        The snapshot's normalized parameters ({} for the page's defaults).
    branches
        Branch code → name.
    today
        The local date the period counts from (the snapshot's day).

    Returns
    -------
    list of Control
        Period (presets but custom) and its from and through dates (or only the dates, for a
        page without presets), branch, grain, in the bar's order.
    """
    from pulsebi.widgets.dates import PRESETS, preset_range

    controls = []
    if "preset" in defaults:
        presets = tuple((key, label) for key, label in PRESETS.items() if key != "custom")
        value = params.get("preset") or str(defaults["preset"])
        controls.append(Control("preset", "Period", presets, value))
        if value in PRESETS and value != "custom":
            start, end = preset_range(value, today)
            through = end - dt.timedelta(days=1)
            controls.append(Control("", "From", (), start.isoformat(), "from"))
            controls.append(Control("", "Through", (), through.isoformat(), "through"))
    elif "date_from" in defaults:  # a range without presets (the checks): all dates until set
        controls.append(Control("", "From", (), params.get("from", ""), "from"))
        controls.append(Control("", "Through", (), "", "through"))
    if "branch" in defaults:
        options = (("all", "All branches"), *branches.items())
        value = params.get("branch") or str(defaults["branch"] or "all")
        if value not in dict(options):
            value = "all"
        controls.append(Control("branch", "Branch", options, value))
    if "grain" in defaults:
        grains = tuple((grain, grain.title()) for grain in GRAINS)
        value = params.get("grain") or str(defaults["grain"])
        controls.append(Control("grain", "By", grains, value))
    return controls


_branches: tuple[float, dict[str, str]] | None = None


def branch_names(settings: Any) -> dict[str, str]:
    """The company's branches (code → name), kept `BRANCHES_TTL` seconds.

    Parameters
    ----------
    settings
        The server's settings (its database).

    Returns
    -------
    dict
        Branch code → name, in code order.
    """
    global _branches
    if _branches is None or time.monotonic() - _branches[0] > BRANCHES_TTL:
        from pulsebi.dashboards.filters import list_branches

        _branches = (time.monotonic(), list_branches(settings))
    return _branches[1]


def as_of_text(built_at: float, tz: str) -> str:
    """When a snapshot's figures were read, in the company's zone.

    Parameters
    ----------
    built_at
        Epoch seconds (`Snapshot.built_at`).
    tz
        The reporting time zone (IANA name).

    Returns
    -------
    str
        E.g. "Dec 3, 08:05".
    """
    moment = dt.datetime.fromtimestamp(built_at, zoneinfo.ZoneInfo(tz))
    return f"{moment:%b} {moment.day}, {moment:%H:%M}"


def render_snapshot(config: Mapping[str, Any], snapshot: Any, controls: list[Control]) -> str:
    """The whole snapshot page.

    Parameters
    ----------
    config
        The deployment's snapshot settings (`snapshot_settings`).
    snapshot
        A `pulsebi.snapshots.Snapshot`.
    controls
        Its filters (`filter_controls`).

    Returns
    -------
    str
        The HTML document: header and navigation as the Voilà template's, the filters in place
        of the first paint's filter-bar box (else below its title), the body, when the
        snapshot was taken.
    """
    base_url = config["base_url"]
    before, placeholder, after = snapshot.html.partition(BAR_PLACEHOLDER)
    if not placeholder:  # no box for the filter bar: below the title, else above the page
        title_end = snapshot.html.find("</h1>")
        cut = title_end + len("</h1>") if title_end >= 0 else 0
        before, after = snapshot.html[:cut], snapshot.html[cut:]
    template = config["env"].get_template(TEMPLATE)
    return template.render(
        title=config["title"],
        nav=list_pages(config["root"]),  # the pages served now, as on the Voilà pages
        base_url=base_url,
        static=url_path_join(base_url, "voila/templates", config["template"], "static"),
        snapshot=snapshot,
        before=before,
        after=after,
        controls=controls,
        action=url_path_join(base_url, "voila/render", snapshot.page),
        live=LIVE_MARKER,
        as_of=as_of_text(snapshot.built_at, config["settings"].tz),
        says_as_of="data as of" in snapshot.html.lower(),  # the page's context line has it
    )


def snapshot_settings(
    settings: Any,
    *,
    title: str,
    template: str,
    root: Path,
    base_url: str,
) -> dict[str, Any]:
    """What the snapshot handlers need, kept in the Tornado settings under `SETTINGS_KEY`.

    Parameters
    ----------
    settings
        The server's `pulsebi.settings.Settings` (Redis, database, time zone).
    title
        The deployment's title (the header's brand).
    template
        The deployment's Voilà template (where snapshot.html and the static files are).
    root
        The served root (the notebooks: their default parameters, the navigation).
    base_url
        The server's base URL.

    Returns
    -------
    dict
    """
    return {
        "settings": settings,
        "title": title,
        "template": template,
        "root": Path(root),
        "base_url": base_url,
        "env": login_environment(template),
    }


class SnapshotMixin:
    """Answer a page request from its snapshot when there is one (see the module's docstring)."""

    async def serve_snapshot(self, page: str) -> bool:
        """Answer this request with `page`'s snapshot, if it can be.

        Parameters
        ----------
        page
            The served path asked for.

        Returns
        -------
        bool
            True: the snapshot page was written and the request finished. False, nothing
            written: snapshots are off, the request asks for the live page (``live=1``), there
            is no current snapshot for its parameters, or looking failed (logged).
        """
        request = self.request  # type: ignore[attr-defined]
        config = self.settings.get(SETTINGS_KEY)  # type: ignore[attr-defined]
        if config is None or LIVE_MARKER in request.query_arguments or not page:
            return False
        query = request_query(request.query_arguments)
        try:
            found = await IOLoop.current().run_in_executor(None, find_snapshot, config, page, query)
        except Exception:  # a viewer still gets the page from Voilà: say why in the log
            log.exception("snapshot of %s not served", page)
            return False
        if found is None:
            return False
        snapshot, controls = found
        self.set_header("Content-Type", "text/html; charset=UTF-8")  # type: ignore[attr-defined]
        self.set_header("Cache-Control", "no-cache, private")  # type: ignore[attr-defined]
        self.set_header("X-Pulsebi-Snapshot", str(snapshot.version))  # type: ignore[attr-defined]
        self.finish(render_snapshot(config, snapshot, controls))  # type: ignore[attr-defined]
        return True


def find_snapshot(
    config: Mapping[str, Any], page: str, query: Mapping[str, str]
) -> tuple[Any, list[Control]] | None:
    """`page`'s current snapshot for `query` and its filters, or None (blocking: Redis, and the
    database for the branch names once in a while).

    Parameters
    ----------
    config
        The deployment's snapshot settings (`snapshot_settings`).
    page
        The served path, e.g. ``notebooks/executive.ipynb``.
    query
        The request's parameters (`request_query`).

    Returns
    -------
    tuple or None
        The snapshot and its controls; None when there is no current snapshot for them.
    """
    from pulsebi.snapshots import load_snapshot

    settings = config["settings"]
    snapshot = load_snapshot(settings, page, query)
    if snapshot is None:
        return None
    from pulsebi.widgets.dates import local_today

    defaults = notebook_parameters(config["root"] / page)
    today = local_today(tz=settings.tz)
    controls = filter_controls(defaults, snapshot.params, branch_names(settings), today)
    return snapshot, controls


class SnapshotPageHandler(SnapshotMixin, PageHandler):
    """``/voila/render/<page>``: the page's snapshot, else Voilà's page as without snapshots."""

    @tornado.web.authenticated
    async def get(self, path=None):
        if await self.serve_snapshot(path or ""):
            return None
        return await super().get(path=path)


class SnapshotHomeHandler(SnapshotMixin, HomeHandler):
    """``/``: the home page's snapshot in place, else the redirect to the home page."""

    @tornado.web.authenticated
    async def get(self) -> None:
        if not await self.serve_snapshot(self.home):
            super().get()
