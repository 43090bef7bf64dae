"""A live page follows the CRM: after each change its figures are recomputed, so one screen never
shows two values for one quantity (a live "Month to date" tile beside a period tile of the same
month that waits for the next view refresh).

The live worker says "the CRM changed" on its channel as soon as it hears of committed writes
(`pulsebi.live.subscriber.LiveSubscriber.watch`). One follower thread per kernel process then
recomputes every followed page, at most once per `FOLLOW_EVERY` seconds (a burst of sales costs
one recompute, and the last change is always followed by one). While the worker is live, a page
shown with filters it has not followed yet (a page just built, or a viewer's new filters) is
recomputed too, so it never opens on figures older than its live tiles.

The sections are rebuilt in the follower's thread, off the kernel's, inside
`metrics.compute.current_rows()`: every figure whose period reaches today (and every snapshot)
counts the crm rows as they are now, uncached, as the live KPIs do (revenue to date: the days
before the views' last refresh from the views while the worker says no change since touched
them, today from the crm tables; anything else from the crm tables), so the page agrees with
its live tiles to the cent; figures of past periods come from the views and the cache as before.
The new figures are put into the widgets on the kernel's event loop (in a kernel; directly
elsewhere), so they never interleave with the page's own refresh; figures computed for filters
the viewer has left meanwhile are dropped. "Data as of" then says when they were computed. A
section whose rebuild fails keeps what it shows (its error is the page's own refresh's to say).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import sys
import threading
import time
import weakref
from typing import Any

log = logging.getLogger(__name__)

FOLLOW_EVERY = 1.0  # seconds: at most one recompute after CRM changes this often
LOOK_EVERY = 0.5  # seconds: how often the follower looks for pages showing new filters


class _Follower:
    """The process's follower thread: the pages it keeps current, woken by CRM changes."""

    def __init__(self, subscriber: Any, every: float):
        self.subscriber = subscriber
        self.every = every
        # page -> {"as_of": live time of its figures, "filters": followed, "loop": the kernel's}
        self.pages: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.pid = os.getpid()
        self.last = float("-inf")  # monotonic time the last recompute after a change started
        self.recomputes = 0  # after CRM changes
        self.stopped = False
        self.views_before = dt.date.max  # over the changes not followed yet (min: unknown)
        self.cancel_watch = subscriber.watch(self._changed)
        self.thread = threading.Thread(target=self._run, name="pulsebi-follow", daemon=True)
        self.thread.start()

    def add(self, page: Any) -> None:
        with self.lock:
            self.pages.setdefault(page, {"as_of": None, "filters": None, "loop": _kernel_loop()})

    def live_as_of(self, page: Any) -> dt.datetime | None:
        with self.lock:
            return self.pages.get(page, {}).get("as_of")

    def stop(self) -> None:
        self.cancel_watch()
        self.stopped = True
        self.wake.set()

    def _changed(self, change: Any) -> None:
        with self.lock:
            self.views_before = min(self.views_before, change.views_before or dt.date.min)
        self.wake.set()

    def _run(self) -> None:
        while not self.stopped:
            try:
                self._follow_once()
            except Exception:  # keep following: one bad pass must not end live updates
                log.exception("following the CRM failed; going on")
                time.sleep(self.every)

    def _follow_once(self) -> None:
        """Wait for a CRM change (or LOOK_EVERY), then recompute the pages that need it."""
        changed = self.wake.wait(LOOK_EVERY)
        if self.stopped:
            return
        before = None
        if changed:
            time.sleep(max(0.0, self.last + self.every - time.monotonic()))
            self.wake.clear()  # a change from now on brings another recompute
            self.last = time.monotonic()
            with self.lock:
                before, self.views_before = self.views_before, dt.date.max
            before = None if before == dt.date.min else before
        with self.lock:
            pages = [
                page
                for page, entry in self.pages.items()
                if getattr(page, "_live", None)  # built live
                and (changed or (entry["filters"] != page.filters and self._worker_live()))
            ]
        for page in pages:
            try:
                self._recompute(page, before)
            except Exception:
                log.exception("recomputing %r after a CRM change failed", page.title)
        self.recomputes += changed

    def _worker_live(self) -> bool:
        return self.subscriber.state()[0] == "live"

    def _recompute(self, page: Any, views_before: dt.date | None) -> None:
        from pulsebi.live.kpis import DAILY_SUMS
        from pulsebi.metrics.compute import current_rows
        from pulsebi.settings import get_settings

        filters = page.filters
        with self.lock:
            entry = self.pages[page]
            entry["filters"] = filters
        as_of = dt.datetime.now(get_settings().zone)
        built: list[list[Any] | None] = []
        with current_rows(views_before, split=DAILY_SUMS):
            for section in page.sections:
                try:
                    built.append(list(section.build(filters)))
                except Exception:
                    built.append(None)

        def put() -> None:
            if page.filters != filters:  # the viewer chose other filters meanwhile: theirs win
                return
            try:
                show_recomputed(page, filters, built)
                with self.lock:
                    entry["as_of"] = as_of
                page._context.value = page._context_html(filters)
            except Exception:
                log.exception("showing %r's recomputed figures failed", page.title)

        loop = entry["loop"]
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(put)
        else:
            put()


def _kernel_loop() -> asyncio.AbstractEventLoop | None:
    """The kernel's event loop when the caller runs a kernel's cell, else None.

    Only a kernel's: another loop running in the caller's thread (Playwright's sync API keeps
    one there in a test process, a script may run its own) never runs a callback unless its
    owner awaits something, so figures put there would not be shown.
    """
    kernelapp = sys.modules.get("ipykernel.kernelapp")
    if kernelapp is None or not kernelapp.IPKernelApp.initialized():
        return None
    if getattr(kernelapp.IPKernelApp.instance(), "kernel", None) is None:
        return None  # an application object, but no kernel started in this process
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def show_recomputed(page: Any, filters: Any, built: list[list[Any] | None]) -> None:
    """Put sections' freshly built blocks into the live page.

    Parameters
    ----------
    page
        A built live `Page`.
    filters
        The filters the blocks were built for.
    built
        Per section, its new blocks; None leaves that section be.
    """
    from pulsebi.dashboards.page import Section

    for section, blocks, box, new in zip(
        page.sections, page._live, page._boxes, built, strict=True
    ):
        if new is None:
            continue
        page._build_section(Section(section.title, lambda _f, new=new: new), filters, blocks)
        box.children = [b.widget for b in blocks]


_follower: _Follower | None = None
_follower_lock = threading.Lock()


def get_follower(subscriber: Any = None, every: float = FOLLOW_EVERY) -> _Follower:
    """This process's follower (one per process; a new one after a fork or another subscriber).

    Parameters
    ----------
    subscriber
        The live subscriber it listens to (default: the process's).
    every
        Seconds between two recomputes at most (changes in between are coalesced).

    Returns
    -------
    _Follower
    """
    global _follower
    from pulsebi.live.subscriber import get_subscriber

    subscriber = subscriber or get_subscriber()
    with _follower_lock:
        current = _follower
        if current is None or current.pid != os.getpid() or current.subscriber is not subscriber:
            if current is not None:
                current.stop()
            _follower = _Follower(subscriber, every)
        return _follower


def follow_page(page: Any, subscriber: Any = None) -> _Follower:
    """Keep a live page's figures current after each CRM change.

    Its "data as of" then says when they were last recomputed (the views' refresh until then).

    Parameters
    ----------
    page
        A built live `Page`.
    subscriber
        The live subscriber (default: the process's).

    Returns
    -------
    _Follower
        The process's follower, now following `page`.
    """
    follower = get_follower(subscriber)
    follower.add(page)
    views_as_of = page._data_as_of

    def as_of() -> dt.datetime | None:
        live = follower.live_as_of(page)
        views = views_as_of() if views_as_of else None
        return live if live is not None and (views is None or live > views) else views

    page._data_as_of = as_of
    return follower
