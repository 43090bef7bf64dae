"""Long-running processes that `pulsebi up` starts (server, workers), tracked by pid files in
the data directory so that `pulsebi down` can stop them.

Every child's pid file is written before anything else can happen (SIGINT/SIGTERM are held
while it starts), and `pulsebi up` itself leaves `run/up.pid` while it works: `pulsebi down`
stops a still-running `up` first, so it cannot start anything after `down` has looked. The run
directory is 0700 and its logs 0600 (they may name local paths and sockets).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from pulsebi.errors import ServiceError
from pulsebi.settings import Settings

UP = "up"  # the pid file of a `pulsebi up` at work

# Children started by this process: kept so they are reaped when they end (no zombies in a
# long-lived parent) and not reported as "still running" when a Popen object is collected.
_children: list[subprocess.Popen] = []


def run_dir(settings: Settings) -> Path:
    path = settings.data_dir / "run"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def log_path(settings: Settings, name: str) -> Path:
    return settings.data_dir / "run" / f"{name}.log"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped) is not running
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def _read_pid(pidfile: Path) -> int | None:
    try:
        pid = int(pidfile.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if _alive(pid) else None


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Defer SIGINT/SIGTERM to the end of the block, so a start is never half-recorded.

    (Blocking them with a signal mask would not do: children inherit the mask, and a child
    deaf to SIGTERM cannot be stopped cleanly.)"""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread receives signals in Python
        return
    caught: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, lambda sig, _: caught.append(sig)) for sig in held}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
        for sig in caught[:1]:
            os.kill(os.getpid(), sig)  # now handled as it would have been


def _open_log(path: Path) -> int:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)  # an older log may have been made world-readable
    return fd


def start_detached(settings: Settings, name: str, argv: Sequence[str]) -> int:
    """Start `argv` in its own session unless `name` already runs; returns its pid."""
    directory = run_dir(settings)
    pidfile = directory / f"{name}.pid"
    pid = _read_pid(pidfile)
    if pid is not None:
        return pid
    with _signals_held():
        fd = _open_log(directory / f"{name}.log")
        try:
            proc = subprocess.Popen(
                list(argv),
                stdout=fd,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                # The child reads the same settings, whatever its working directory.
                env={**os.environ, **settings.to_environ()},
            )
        finally:
            os.close(fd)
        pidfile.write_text(str(proc.pid))
    _children[:] = [child for child in _children if child.poll() is None]
    _children.append(proc)
    return proc.pid


@contextlib.contextmanager
def mark_up(settings: Settings) -> Iterator[None]:
    """Record this process as a `pulsebi up` at work (for `pulsebi down` and `status`)."""
    pidfile = run_dir(settings) / f"{UP}.pid"
    other = _read_pid(pidfile)
    if other is not None and other != os.getpid():
        raise ServiceError(
            f"`pulsebi up` is already at work here (pid {other}): let it finish, "
            "or stop it with `pulsebi down`"
        )
    pidfile.write_text(str(os.getpid()))
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError, ValueError):
            if int(pidfile.read_text()) == os.getpid():
                pidfile.unlink()


def up_pid(settings: Settings) -> int | None:
    """The pid of a `pulsebi up` still at work in this data directory, if any."""
    return _read_pid(settings.data_dir / "run" / f"{UP}.pid")


def running(settings: Settings) -> list[str]:
    """The names of the started processes still running (not `up` itself)."""
    directory = settings.data_dir / "run"
    return sorted(
        p.stem for p in directory.glob("*.pid") if p.stem != UP and _read_pid(p) is not None
    )


def pid_of(settings: Settings, name: str) -> int | None:
    return _read_pid(settings.data_dir / "run" / f"{name}.pid")


def _stop(pid: int, timeout: float, *, group: bool) -> None:
    # A started child leads its own session: stop its whole group. `pulsebi up` runs in its
    # shell's group: only itself, never the shell's other processes.
    send = os.killpg if group else os.kill
    with contextlib.suppress(ProcessLookupError):
        send(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(pid):
            send(pid, signal.SIGKILL)
            while _alive(pid):
                time.sleep(0.05)


def _stop_up(pid: int, timeout: float) -> None:
    """Stop a `pulsebi up` at work, then what it was running that outlived it (an initdb, a
    pg_ctl starting the server, a child not yet recorded): nothing it began carries on."""
    import psutil

    try:
        descendants = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        descendants = []
    _stop(pid, timeout, group=False)
    alive = [child for child in descendants if child.is_running()]
    for child in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.terminate()
    _, left = psutil.wait_procs(alive, timeout=timeout)
    for child in left:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()


def stop_all(settings: Settings, timeout: float = 15) -> list[str]:
    """Stop a `pulsebi up` still at work, then every started process; returns their names."""
    directory = settings.data_dir / "run"
    if not directory.is_dir():
        return []
    stopped = []
    pidfiles = sorted(directory.glob("*.pid"), key=lambda p: (p.stem != UP, p.stem))
    for pidfile in pidfiles:
        pid = _read_pid(pidfile)
        if pid is not None and pid != os.getpid():
            if pidfile.stem == UP:
                _stop_up(pid, timeout)
            else:
                _stop(pid, timeout, group=True)
            stopped.append(pidfile.stem)
        pidfile.unlink(missing_ok=True)
    return stopped
