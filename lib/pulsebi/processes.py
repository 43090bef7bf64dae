"""Long-running processes that `pulsebi up` starts (server, workers), tracked by pid files in
the data directory so that `pulsebi down` can stop them."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from pulsebi.settings import Settings

# Children started by this process: kept so they are reaped when they end (no zombies in a
# long-lived parent) and not reported as "still running" when a Popen object is collected.
_children: list[subprocess.Popen] = []


def _run_dir(settings: Settings) -> Path:
    path = settings.data_dir / "run"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_pid(pidfile: Path) -> int | None:
    try:
        pid = int(pidfile.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if _alive(pid) else None


def start_detached(settings: Settings, name: str, argv: Sequence[str]) -> int:
    """Start `argv` in its own session unless `name` already runs; returns its pid."""
    run_dir = _run_dir(settings)
    pidfile = run_dir / f"{name}.pid"
    pid = _read_pid(pidfile)
    if pid is not None:
        return pid
    with open(run_dir / f"{name}.log", "ab") as logfile:
        proc = subprocess.Popen(
            list(argv),
            stdout=logfile,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            # The child reads the same settings, whatever its working directory.
            env={**os.environ, **settings.to_environ()},
        )
    _children[:] = [child for child in _children if child.poll() is None]
    _children.append(proc)
    pidfile.write_text(str(proc.pid))
    return proc.pid


def running(settings: Settings) -> list[str]:
    return sorted(p.stem for p in _run_dir(settings).glob("*.pid") if _read_pid(p) is not None)


def stop_all(settings: Settings, timeout: float = 15) -> list[str]:
    stopped = []
    for pidfile in sorted(_run_dir(settings).glob("*.pid")):
        pid = _read_pid(pidfile)
        if pid is not None:
            os.killpg(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            if _alive(pid):
                os.killpg(pid, signal.SIGKILL)
            stopped.append(pidfile.stem)
        pidfile.unlink(missing_ok=True)
    return stopped
