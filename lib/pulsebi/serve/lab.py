"""`pulsebi lab`: JupyterLab for analysts, with the platform's settings, in the project's folder.

A notebook there works on what the dashboards show. The lab's kernels get the settings as
environment variables (`Settings.to_environ`, as `pulsebi serve` hands them to Voilà's kernels),
so ``from pulsebi import metrics`` reads the same database, Redis cache and time zone. Unset
``DATABASE_URL`` / ``REDIS_URL`` mean the embedded servers of the data directory, started on
first use and shared with every other pulsebi process (`pulsebi.services`).

The lab opens at the project's folder (the one holding ``notebooks/`` and ``scorecards/``). A
notebook saved there is a dashboard page from the next page load (`pulsebi.serve.nav`) and a
report (`pulsebi report run`). Login: a token made for each start, in the printed URL. The lab
listens on 127.0.0.1 only: whoever reaches it runs code as its user.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pulsebi.errors import ConfigError, ServiceError
from pulsebi.serve.deployment import get_deployment, project_dir, served_dirs
from pulsebi.settings import Settings

HOST = "127.0.0.1"
DEFAULT_PORT = 8888  # Jupyter's; taken, the next free one (Jupyter's port retries)
OPENS_AT = "notebooks"  # the folder the file browser shows first


@dataclass
class Lab:
    """A JupyterLab server made ready by `prepare_lab`: its port is bound, nothing runs yet."""

    root: Path
    port: int
    token: str
    server: Any = field(repr=False)  # jupyter_server's ServerApp

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/lab/tree/{OPENS_AT}?token={self.token}"

    def run(self) -> None:
        """Serve until stopped (Ctrl-C, SIGTERM); its kernels are shut down with it."""
        self.server.start()


def prepare_lab(settings: Settings, port: int | None = None, open_browser: bool = True) -> Lab:
    """Set up JupyterLab with `settings` for its kernels, rooted at the project's folder.

    Parameters
    ----------
    settings
        The platform's settings, handed to every kernel the lab starts.
    port
        Listen on this port (it must be free); None: 8888, else the next free one.
    open_browser
        Open the lab in a browser once it runs.

    Returns
    -------
    Lab
        The server, its port bound; `Lab.run` serves.

    Raises
    ------
    ConfigError
        JupyterLab is not installed, or the project's folder lacks notebooks/ or scorecards/.
    ServiceError
        `port` is in use.
    """
    try:
        from jupyterlab.labapp import LabApp
    except ImportError:
        raise ConfigError("JupyterLab is missing: pip install 'pulsebi[dashboards]'") from None
    main = get_deployment("main")
    served_dirs(main)  # no notebooks/ or scorecards/: said before anything starts
    root = project_dir(main)
    if port is not None:
        check_free(port)
    token = secrets.token_urlsafe(24)
    # Kernels inherit the server's environment: these settings, the data directory absolute
    # (a kernel runs in its notebook's folder).
    os.environ.update(settings.to_environ())
    argv = [
        f"--ServerApp.ip={HOST}",
        f"--ServerApp.port={port or DEFAULT_PORT}",
        f"--ServerApp.port_retries={0 if port else 50}",
        f"--ServerApp.root_dir={root}",
        f"--ServerApp.open_browser={open_browser}",
        f"--IdentityProvider.token={token}",
        # Containers run as root; the lab listens on loopback behind its token either way.
        "--ServerApp.allow_root=True",
        f"--LabApp.default_url=/lab/tree/{OPENS_AT}",
    ]
    server = LabApp.initialize_server(argv=argv)
    # Without a terminal, Jupyter leaves Ctrl-C (SIGINT) to Python, which ends the loop without
    # shutting the kernels down: stop as on SIGTERM instead.
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, lambda signum, frame: server.stop(from_signal=True))
    return Lab(root=root, port=server.port, token=token, server=server)


def describe_lab(lab: Lab, settings: Settings) -> list[tuple[str, str]]:
    """What `pulsebi lab` prints before it serves: (label, text) lines.

    Parameters
    ----------
    lab
        The prepared server (`prepare_lab`).
    settings
        The settings its kernels get.

    Returns
    -------
    list of (str, str)
        Where to open it (the URL logs in), its folder, the data its notebooks read, how to stop.
    """
    if settings.database_url:
        database = _without_password(settings.database_url)
    else:
        database = f"embedded, in {settings.data_dir / 'postgres'} (started on first use)"
    if settings.redis_url:
        redis = _without_password(settings.redis_url)
    else:
        redis = f"embedded Valkey, in {settings.data_dir / 'valkey'}"
    folders = ", ".join(f"{name}/" for name in get_deployment("main").dirs)
    return [
        ("open", lab.url),
        ("log in", "that link logs you in (a new token each start)"),
        ("folder", f"{lab.root}; notebooks saved under {folders} show in the dashboards"),
        ("data", f"database {database}; redis {redis}; time zone {settings.tz}"),
        ("stop", "Ctrl-C twice (its kernels stop with it)"),
    ]


def check_free(port: int) -> None:
    """Fail early and clearly if `port` is taken (Jupyter would only log it and exit).

    Parameters
    ----------
    port
        The port asked for.

    Raises
    ------
    ServiceError
        Something listens there.
    """
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            raise ServiceError(
                f"port {port} is in use: stop what listens there, or choose another with --port"
            ) from None


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))
