"""A live page follows the CRM: after each change its figures are recomputed, so one screen never
shows two values for one quantity (a live "Month to date" tile beside a period tile of the same
month that waits for the next view refresh).

The live worker says "the CRM changed" on its channel as soon as it hears of committed writes
(`pulsebi.live.subscriber.LiveSubscriber.watch`). One follower thread per kernel process then
recomputes every followed page, at most once per `FOLLOW_EVERY` seconds (a burst of sales costs
one recompute, and the last change is always followed by one), off the kernel's thread, so the
page keeps answering its viewer meanwhile. The sections are rebuilt inside
`metrics.compute.current_rows()`: every figure whose period reaches today (and every snapshot)
counts the crm rows as they are now, uncached, as the live KPIs do (revenue to date: the days
before the views' last refresh from the views while the worker says no change since touched
them, today from the crm tables; anything else from the crm tables), so the page agrees with
its live tiles to the cent; figures of past periods come from the views and the cache as before.
"Data as of" then says when the figures were recomputed.

A filter change while a recompute runs wins: the recompute's figures are dropped (the viewer's
own refresh shows the new filters). A section whose rebuild fails keeps what it shows (its
error is the page's own refresh's to say).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
import weakref
from typing import Any

log = logging.getLogger(__name__)

FOLLOW_EVERY = 1.0  # seconds: at most one recompute of the followed pages this often


class _Follower:
    """The process's follower thread: the pages it keeps current, woken by CRM changes."""

    def __init__(self, subscriber: Any, every: float):
        self.subscriber = subscriber
        self.every = every
        self.pages: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.pid = os.getpid()
        self.last = float("-inf")  # monotonic time the last recompute started
        self.recomputes = 0
        self.stopped = False
        self.views_before: dt.date | None = dt.date.max  # over the changes not yet followed
        self.cancel_watch = subscriber.watch(self._changed)
        self.thread = threading.Thread(target=self._run, name="pulsebi-follow", daemon=True)
        self.thread.start()

    def add(self, page: Any) -> None:
        with self.lock:
            self.pages.setdefault(page, {"as_of": None})

    def live_as_of(self, page: Any) -> dt.datetime | None:
        with self.lock:
            return self.pages.get(page, {}).get("as_of")

    def _changed(self, change: Any) -> None:
        with self.lock:
            before = change.views_before or dt.date.min
            self.views_before = min(self.views_before or dt.date.max, before)
        self.wake.set()

    def stop(self) -> None:
        self.cancel_watch()
        self.stopped = True
        self.wake.set()

    def _run(self) -> None:
        while True:
            self.wake.wait()
            if self.stopped:
                return
            time.sleep(max(0.0, self.last + self.every - time.monotonic()))
            self.wake.clear()  # a change from now on brings another recompute
            self.last = time.monotonic()
            with self.lock:
                pages = list(self.pages.keys())
                before, self.views_before = self.views_before, dt.date.max
            before = None if before in (dt.date.min, dt.date.max) else before
            for page in pages:
                try:
                    self._recompute(page, before)
                except Exception:
                    log.exception("recomputing %r after a CRM change failed", page.title)
            self.recomputes += 1

    def _recompute(self, page: Any, views_before: dt.date | None) -> None:
        from pulsebi.live.kpis import DAILY_SUMS
        from pulsebi.metrics.compute import current_rows
        from pulsebi.settings import get_settings

        filters = page.filters
        if not getattr(page, "_live", None):  # not built live (yet)
            return
        as_of = dt.datetime.now(get_settings().zone)
        built: list[list[Any] | None] = []
        with current_rows(views_before, split=DAILY_SUMS):
            for section in page.sections:
                try:
                    built.append(list(section.build(filters)))
                except Exception:
                    built.append(None)
        if page.filters != filters:  # the viewer chose other filters meanwhile: theirs win
            return
        show_recomputed(page, filters, built)
        with self.lock:
            if page in self.pages:
                self.pages[page]["as_of"] = as_of
        page._context.value = page._context_html(filters)


def show_recomputed(page: Any, filters: Any, built: list[list[Any] | None]) -> None:
    """Put sections' freshly built blocks into the live page (None: leave that section be)."""
    from pulsebi.dashboards.page import Section

    for section, blocks, box, new in zip(page.sections, page._live, page._boxes, built,
                                         strict=True):  # fmt: skip
        if new is None:
            continue
        page._build_section(Section(section.title, lambda _f, new=new: new), filters, blocks)
        box.children = [b.widget for b in blocks]


_follower: _Follower | None = None
_follower_lock = threading.Lock()


def get_follower(subscriber: Any = None, every: float = FOLLOW_EVERY) -> _Follower:
    """This process's follower, on `subscriber` (default: the process's live subscriber)."""
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
    """Keep the live `page`'s figures current after each CRM change; its "data as of" says
    when they were last recomputed (the views' refresh until then)."""
    follower = get_follower(subscriber)
    follower.add(page)
    views_as_of = page._data_as_of

    def as_of() -> dt.datetime | None:
        live = follower.live_as_of(page)
        views = views_as_of() if views_as_of else None
        return live if live is not None and (views is None or live > views) else views

    page._data_as_of = as_of
    return follower
