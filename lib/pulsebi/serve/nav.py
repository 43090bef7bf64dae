"""The dashboards' navigation as it is at each page load, not as it was when the server started.

A notebook an analyst saves under a served folder (``notebooks/``, ``scorecards/``; e.g. from
``pulsebi lab``) is served at once, since the served root links the folders themselves. Its link
must appear too. Voilà renders a preheated page when it fills the kernel pool, long before the
visit, so that page's header holds the navigation of that moment: `NavRefresher` replaces the
links inside ``<nav class="pulsebi-nav">`` as the page streams out, with those of
`pulsebi.serve.deployment.list_pages` now. Deleting a notebook removes its link the same way.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

NAV_OPEN = '<nav class="pulsebi-nav"'
NAV_CLOSE = "</nav>"
PAST_HEADER = 'id="rendered_cells"'  # the template's cells begin: a page with no navigation
MAX_NAV = 256 * 1024  # characters held looking for the navigation's end before giving up


def nav_links(pages: list[dict[str, str]], base_url: str) -> str:
    """The navigation's links, as the template writes them.

    Parameters
    ----------
    pages
        The served pages (`pulsebi.serve.deployment.list_pages`).
    base_url
        The server's base URL, ending in ``/``.

    Returns
    -------
    str
        One ``<a>`` per page, the inside of the ``<nav>`` element.
    """
    links = []
    for page in pages:
        href = f"{base_url}voila/render/{quote(page['path'])}"
        links.append(
            f'\n    <a href="{escape(href)}" data-path="{escape(page["path"])}"'
            f' title="{escape(page["section"])}">{escape(page["title"])}</a>'
        )
    return "".join(links) + "\n  "


def _partial_suffix(text: str, marker: str) -> int:
    """How many characters at the end of `text` begin `marker` (a marker split across pieces)."""
    for size in range(min(len(marker) - 1, len(text)), 0, -1):
        if text.endswith(marker[:size]):
            return size
    return 0


class NavRefresher:
    """Put `links` inside the navigation of a page streamed in pieces.

    Pieces pass through at once, but for the navigation itself (held until its end arrives) and
    a few characters at a piece's end that may begin it. Once the navigation is replaced, or the
    page's cells begin without one, everything passes unchanged.

    Parameters
    ----------
    links
        The new inside of the ``<nav>`` element (`nav_links`).
    """

    def __init__(self, links: str) -> None:
        self.links = links
        self.held = ""
        self.done = False

    def feed(self, piece: str) -> str:
        """Take the next piece of the page; return what can be sent now (maybe "")."""
        if self.done:
            return piece
        text, self.held = self.held + piece, ""
        start = text.find(NAV_OPEN)
        if start < 0:
            if PAST_HEADER in text:
                self.done = True
                return text
            cut = len(text) - _partial_suffix(text, NAV_OPEN)
            self.held = text[cut:]
            return text[:cut]
        end = text.find(NAV_CLOSE, start)
        if end < 0:
            if len(text) - start > MAX_NAV:  # no navigation after all: send the page as it is
                self.done = True
                return text
            self.held = text[start:]
            return text[:start]
        self.done = True
        opened = text.index(">", start) + 1
        return text[:opened] + self.links + text[end:]

    def close(self) -> str:
        """The page ended: what is still held."""
        held, self.held, self.done = self.held, "", True
        return held
