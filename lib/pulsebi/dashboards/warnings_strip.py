"""The early-warning strip as a page block: the flagged branch × metric pairs, worst first, each a
link to its trends page; one quiet line when nothing is flagged.

The strip is read, never computed here when it can be helped: `pulsebi.trends.strip.read_strip`
finds it in Redis (computed after the refresh, or by the first page built since), so the
section costs the first paint a Redis read. It is an `Html` block: static HTML under Papermill,
an HTML widget live, and the same markup in the first paint.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
from collections.abc import Callable, Sequence
from typing import Any

from pulsebi.dashboards.page import Html, Section
from pulsebi.widgets.filters import Filters

TITLE = "Early warnings"
SHOWN = 5  # warnings on the strip itself; the rest behind "n more"
# Where `pulsebi serve` serves its pages (its base URL is "/"); a record's URL is relative to it,
# so the link reaches the trends page from any page, whatever folder it is in.
SERVED_ROOT = "/voila/render/"
_ARROW = {"high": "▲", "low": "▼"}
# Every box and line of the strip is set here, none inherited: the same markup is a static block,
# an HTML widget (whose content has 28px lines and does not collapse margins), the kernel's first
# paint and a snapshot's body, and must be as high in each, or the page moves when its widgets
# take over. One 20px line per warning, the quiet line as high as one warning.
_LINE = "margin:0;padding:0;line-height:20px"
# contain: the strip's lines do not widen it (an HTML widget's flex box would grow to a long
# line, and the page would be cut at the right instead of the line ending in "…")
_BOX = "margin:0;padding:6px 12px;box-sizing:border-box;line-height:20px;contain:inline-size"
_STRIP_STYLE = f"{_BOX};border-left:4px solid #d97706;background:#fffbeb;font-size:14px"
_QUIET_STYLE = (
    f"{_BOX};border-left:4px solid #9ca3af;background:#f9fafb;font-size:13px;color:#5b6473"
)
_LIST_STYLE = f"{_LINE};list-style:none"
_ITEM_STYLE = f"{_LINE};white-space:nowrap;overflow:hidden;text-overflow:ellipsis"
# no disclosure triangle: it would read as one more "low" arrow
_SUMMARY_STYLE = (
    f"{_LINE};list-style:none;cursor:pointer;color:#5b6473;text-decoration:underline dotted"
)
_LINK_STYLE = "color:#1d4ed8;text-decoration:underline"  # widgets' CSS hides a plain link


def warnings_for(records: Sequence[dict[str, Any]], branch: str | None) -> list[dict[str, Any]]:
    """The records of one branch, in the strip's order.

    Parameters
    ----------
    records
        The strip (`read_strip`).
    branch
        A branch code; None for every branch.

    Returns
    -------
    list of dict
    """
    return [r for r in records if branch is None or r["branch"] == branch]


def quiet_line(branch_name: str | None = None) -> str:
    """What the strip says when nothing is flagged.

    Parameters
    ----------
    branch_name
        The branch a page shows; None for every branch.

    Returns
    -------
    str
        "No early warnings: every headline metric of every branch is within its expected
        range yesterday and last week" (or "of Houston").
    """
    who = f"of {branch_name}" if branch_name else "of every branch"
    return (
        f"No early warnings: every headline metric {who} is within its expected range "
        "yesterday and last week"
    )


def warning_html(record: dict[str, Any], root: str = SERVED_ROOT) -> str:
    """One warning: its sentence on one line, linked to the pair's trends page.

    Parameters
    ----------
    record
        A strip record (`pulsebi.trends.strip`).
    root
        What goes before the record's URL (relative to the served root) to reach it from any
        page: the served root's path.

    Returns
    -------
    str
        ``li.pbi-warning`` with data-branch, data-metric, data-grain and data-direction; the
        whole sentence also in its title (a narrow screen cuts the line short).
    """
    direction = record.get("direction") or ""
    arrow = _ARROW.get(direction, "•")
    attrs = " ".join(
        f'data-{name}="{html.escape(str(record.get(name) or ""))}"'
        for name in ("branch", "metric", "grain", "direction")
    )
    href = html.escape(root + record["url"])
    text = html.escape(record["text"])
    return (
        f'<li class="pbi-warning" {attrs} title="{text}" style="{_ITEM_STYLE}">'
        f'<span aria-hidden="true">{arrow}</span> '
        f'<a href="{href}" style="{_LINK_STYLE}">{text}</a></li>'
    )


def strip_html(
    records: Sequence[dict[str, Any]], quiet: str, *, root: str = SERVED_ROOT, shown: int = SHOWN
) -> str:
    """The strip: the first `shown` warnings, the others in a "n more" disclosure.

    Parameters
    ----------
    records
        The warnings to show, worst first.
    quiet
        The line said when there are none (`quiet_line`).
    root
        The prefix of each trends page URL (`warning_html`).
    shown
        How many are listed before the rest is folded away.

    Returns
    -------
    str
        ``div.pbi-warning-strip`` (``data-warnings``: how many); with none, the quiet line in
        ``div.pbi-warning-strip.pbi-warning-strip-quiet``. Each line is 20px high wherever the
        markup is put (static, widget, first paint, snapshot).
    """
    if not records:
        return (
            f'<div class="pbi-warning-strip pbi-warning-strip-quiet" data-warnings="0" '
            f'role="status" style="{_QUIET_STYLE}">{html.escape(quiet)}</div>'
        )
    items = [warning_html(r, root) for r in records]
    listed = "".join(items[:shown])
    rest = ""
    if len(items) > shown:
        more = len(items) - shown
        rest = (
            f'<details style="{_LINE}"><summary style="{_SUMMARY_STYLE}">{more} more'
            f'</summary><ul style="{_LIST_STYLE}">{"".join(items[shown:])}</ul></details>'
        )
    return (
        f'<div class="pbi-warning-strip" data-warnings="{len(items)}" role="region" '
        f'aria-label="{TITLE}" style="{_STRIP_STYLE}">'
        f'<ul style="{_LIST_STYLE}">{listed}</ul>{rest}</div>'
    )


def strip_blocks(filters: Filters, today: Callable[[], dt.date] | dt.date | None = None) -> list:
    """The strip for the page's branch (every branch when it shows all).

    Parameters
    ----------
    filters
        The page's filters (only its branch matters: the strip is of yesterday and last week).
    today
        The local date whose yesterday and last week are judged, or a function giving it
        (default: today in the reporting time zone, read at each build).

    Returns
    -------
    list
        One `Html` block.
    """
    from pulsebi.trends.strip import read_strip

    day = today() if callable(today) else today
    shown = warnings_for(read_strip(today=day), filters.branch)
    name = None
    if filters.branch is not None and not shown:
        from pulsebi.dashboards.filters import list_branches

        name = list_branches().get(filters.branch, filters.branch)
    return [Html(strip_html(shown, quiet_line(name)))]


def strip_section(today: Callable[[], dt.date] | dt.date | str | None = None) -> Section:
    """The "Early warnings" section (`strip_blocks`), to put first on a page.

    Parameters
    ----------
    today
        A date, YYYY-MM-DD, a function giving it, or None for the local today at each build
        (`pulsebi.dashboards.filters.today_source`).

    Returns
    -------
    Section
    """
    from pulsebi.dashboards.filters import today_source

    return Section(TITLE, functools.partial(strip_blocks, today=today_source(today)))
