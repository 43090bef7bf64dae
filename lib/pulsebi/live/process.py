"""The live worker as a long-running process: foreground (`pulsebi worker live`) or detached
(`pulsebi up`), stopped cleanly by SIGTERM / SIGINT."""

from __future__ import annotations

import logging
import signal
import sys
import threading

from pulsebi.settings import Settings

PROCESS_NAME = "live-worker"


def serve_worker(settings: Settings, **options) -> None:
    """Run the worker in this process until SIGTERM or SIGINT."""
    from pulsebi.live.worker import run_worker

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    run_worker(settings, stop, **options)


def start_live_worker(settings: Settings) -> int:
    """Start the worker detached (once per data directory); returns its pid.

    Its log is `<data dir>/run/live-worker.log`; `pulsebi down` stops it."""
    from pulsebi.processes import start_detached

    return start_detached(settings, PROCESS_NAME, [sys.executable, "-m", "pulsebi.live"])


def start_live(settings: Settings) -> str:
    """`pulsebi up`'s step: start the worker unless it runs; one line saying so."""
    pid = start_live_worker(settings)
    log = settings.data_dir / "run" / f"{PROCESS_NAME}.log"
    return f"live KPIs: worker running (pid {pid}), log {log}"
