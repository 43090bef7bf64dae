"""Rebuild ahead the snapshots of every page's default parameters (after each views refresh)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from pulsebi.errors import UsageError
from pulsebi.settings import Settings
from pulsebi.snapshots.build import build_snapshot
from pulsebi.snapshots.pages import default_params, page_kind, snapshot_pages
from pulsebi.snapshots.store import store_snapshot

log = logging.getLogger(__name__)


def rebuild_snapshots(settings: Settings, pages: Iterable[str] | None = None) -> int:
    """Build and store the snapshots of `pages` for their default parameters.

    A snapshot that fails to build is logged and skipped (a kernel serves that page); the
    others are still built.

    Parameters
    ----------
    settings
        Whose data, which Redis.
    pages
        Served paths (default: `snapshot_pages()`).

    Returns
    -------
    int
        How many snapshots were stored.

    Raises
    ------
    UsageError
        When one of `pages` has no snapshots (nothing is built then).
    """
    chosen = list(pages) if pages is not None else snapshot_pages()
    for page in chosen:
        page_kind(page)
    started = time.perf_counter()
    stored = 0
    for page in chosen:
        for params in default_params(page, settings):
            try:
                store_snapshot(settings, build_snapshot(settings, page, params))
            except UsageError as exc:  # e.g. no accounting file: the kernel's page says so
                log.warning("no snapshot of %s %s: %s", page, params, exc)
                if not params:  # the page cannot be built at all: not for one branch either
                    break
                continue
            except Exception:
                log.exception("snapshot of %s %s failed; a kernel serves it", page, params)
                continue
            stored += 1
    log.info(
        "rebuilt %d page snapshots of %d pages in %.1f s",
        stored,
        len(chosen),
        time.perf_counter() - started,
    )
    return stored
