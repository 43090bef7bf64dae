"""Run one Voilà deployment in this process (the foreground of `pulsebi serve`)."""

from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path

from traitlets.config import Config
from voila.app import Voila
from voila.request_info_handler import RequestInfoSocketHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.treehandler import TornadoVoilaTreeHandler

from pulsebi.errors import ConfigError, ServiceError
from pulsebi.serve.deployment import (
    Deployment,
    list_pages,
    port_of,
    prepare_dirs,
    resolve_token,
)
from pulsebi.serve.handlers import (
    HomeHandler,
    KernelListHandler,
    LocalRequestInfoHandler,
    PageHandler,
    cached,
)
from pulsebi.serve.kernel import write_kernel_profile
from pulsebi.serve.login import use_pulse_login
from pulsebi.serve.snapshot import (
    SETTINGS_KEY,
    SnapshotHomeHandler,
    SnapshotPageHandler,
    snapshot_settings,
)
from pulsebi.settings import Settings

# Kernel messages that do not count as activity for culling. Jupyter's defaults, plus the comm
# messages live tiles send from a thread: otherwise a kernel whose page is gone is never idle.
UNTRACKED_MESSAGE_TYPES = [
    "comm_info_request",
    "comm_info_reply",
    "comm_open",
    "comm_msg",
    "comm_close",
    "kernel_info_request",
    "kernel_info_reply",
    "shutdown_request",
    "shutdown_reply",
    "interrupt_request",
    "interrupt_reply",
    "debug_request",
    "debug_reply",
    "stream",
    "display_data",
    "update_display_data",
    "execute_input",
    "execute_result",
    "error",
    "status",
    "clear_output",
    "debug_event",
    "input_request",
    "input_reply",
]

FRIENDLY_ERROR = "This part of the dashboard could not be shown; the details are in the server log."
# Seconds between starting the pools of two preheated pages: a kernel's start (imports, the page's
# metrics, its widgets) takes a few CPU seconds, and all pages at once would starve the server.
FILL_STAGGER = 3.0


class PulseVoila(Voila):
    """Voilà with Pulse BI's handlers swapped in (see pulsebi.serve.handlers)."""

    home: str | None = None
    preheat: tuple[str, ...] = ()
    snapshots: Settings | None = None  # whose Redis the page snapshots are in; None: none served

    def init_settings(self):
        settings = super().init_settings()
        use_pulse_login(self)  # Pulse BI's login page instead of Jupyter's
        if self.snapshots is not None:
            resources = (self.voila_configuration.resources or {}).get("pulsebi", {})
            self.tornado_settings[SETTINGS_KEY] = snapshot_settings(
                self.snapshots,
                title=resources.get("title") or "Pulse BI",
                template=self.voila_configuration.template,
                root=Path(self.root_dir),
                base_url=self.base_url,
            )
        # Voilà fills pools for the notebooks it finds itself, but does not look inside the
        # linked directories: start the pools of the preheated pages here.
        if self.voila_configuration.preheat_kernel:
            for i, page in enumerate(self.preheat):
                self.kernel_manager.fill_if_needed(delay=i * FILL_STAGGER, notebook_name=page)
        return settings

    def init_handlers(self):
        # With snapshots on, a page (and the home page) is tried from its snapshot first.
        swaps = {
            TornadoVoilaHandler: SnapshotPageHandler if self.snapshots else PageHandler,
            RequestInfoSocketHandler: LocalRequestInfoHandler,
        }
        home_handler = SnapshotHomeHandler if self.snapshots else HomeHandler
        handlers = []
        for spec in super().init_handlers():
            pattern, handler, *rest = spec
            if handler is TornadoVoilaTreeHandler and pattern == self.server_url and self.home:
                handlers.append((pattern, home_handler, {"home": self.home}))
                continue
            if pattern.endswith(("/voila/labextensions/(.*)", "/voila/static/(.*)")) and rest:
                # Voilà marks widget JS "no-cache": every page load revalidates ~100 files.
                rest = [{**rest[0], "no_cache_paths": []}] if "no_cache_paths" in rest[0] else rest
                handler = cached(handler)
            handlers.append((pattern, swaps.get(handler, handler), *rest))
        kernels = self.server_url.rstrip("/") + "/api/kernels"
        handlers.insert(0, (kernels, KernelListHandler))
        from pulsebi.serve.live_socket import live_handler  # live tiles: /pulsebi/live

        handlers.insert(0, live_handler(self.server_url))
        return handlers


def build_config(deployment: Deployment, settings: Settings, root: Path) -> Config:
    """The traitlets config of one deployment (what a voila.py would say)."""
    token = resolve_token(settings)
    if not token and not settings.serve_password_hash:
        raise ConfigError("the dashboards need a login: set PULSEBI_SERVE_TOKEN or a password hash")
    pages = list_pages(root)
    preheat = preheat_pages(deployment, root)
    served_home = deployment.home and (root / deployment.home).is_file()
    home = deployment.home if served_home else (pages[0]["path"] if pages else None)
    c = Config()
    c.Voila.root_dir = str(root)
    c.Voila.ip = settings.serve_host
    c.Voila.port = port_of(deployment, settings)
    c.Voila.port_retries = 0
    c.Voila.open_browser = False
    c.Voila.config_file_paths = []  # the deployment is this config, not a stray voila.json
    c.Voila.token = token
    c.Voila.cookie_secret = cookie_secret(settings)
    if settings.serve_password_hash:
        c.PasswordIdentityProvider.hashed_password = settings.serve_password_hash
    vc = c.VoilaConfiguration
    vc.template = deployment.template
    vc.theme = "light"
    vc.allow_template_override = "NO"
    vc.allow_theme_override = "NO"
    vc.show_tracebacks = False
    vc.strip_sources = True
    vc.preheat_kernel = bool(preheat) and settings.serve_pool > 0
    vc.default_pool_size = 0
    vc.resources = {"pulsebi": {"title": deployment.title, "nav": pages}}
    c.VoilaKernelManager.kernel_pools_config = {
        "default": {"pool_size": 0},
        **{page: {"pool_size": pool_size(page, home, settings)} for page in preheat},
    }
    c.VoilaExecutor.cell_error_instruction = FRIENDLY_ERROR
    km = c.MappingKernelManager
    km.untracked_message_types = UNTRACKED_MESSAGE_TYPES
    km.cull_idle_timeout = max(settings.serve_cull, 0)
    km.cull_interval = max(settings.serve_cull_every, 1)
    km.cull_connected = False
    for section, values in deployment.extra.items():
        c[section].update(values)
    return c


def preheat_pages(deployment: Deployment, root: Path) -> tuple[str, ...]:
    """The served pages matching the deployment's `preheat` paths or patterns, home first."""
    found: list[str] = []
    for pattern in deployment.preheat:
        for path in sorted(root.glob(pattern)):
            page = path.relative_to(root).as_posix()
            if path.is_file() and page not in found:
                found.append(page)
    if deployment.home in found:
        found.insert(0, found.pop(found.index(deployment.home)))
    return tuple(found)


def pool_size(page: str, home: str | None, settings: Settings) -> int:
    """Preheated kernels kept for `page`: PULSEBI_SERVE_POOL for the home page, at most one for
    the others (each idle kernel holds ~140 MiB; most visits start at the home page)."""
    return settings.serve_pool if page == home else min(settings.serve_pool, 1)


def cookie_secret(settings: Settings) -> bytes:
    """A secret kept in the data dir, so logins survive a server restart."""
    path = settings.data_dir / "serve" / "cookie_secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(secrets.token_bytes(32))
    return path.read_bytes()


def check_port(host: str, port: int) -> None:
    """Fail early and clearly if the port is taken (Voilà would only log it)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host or "0.0.0.0", port))
        except OSError:
            raise ServiceError(
                f"port {port} is in use: stop what listens there, or set PULSEBI_SERVE_PORT"
            ) from None


def run_server(deployment: Deployment, settings: Settings) -> None:
    """Serve `deployment` until interrupted (SIGINT/SIGTERM shut its kernels down)."""
    check_port(settings.serve_host, port_of(deployment, settings))
    root, jupyter_dir = prepare_dirs(deployment, settings)
    # Kernels run in the notebook's folder and read their settings from the environment: hand
    # them this server's (a relative data directory would otherwise resolve elsewhere).
    os.environ.update(settings.to_environ())
    # Voilà finds templates on the Jupyter data path; the linked checkout copy comes first.
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(jupyter_dir), os.environ.get("JUPYTER_PATH", "")) if p
    )
    # Kernels load pulsebi.serve.kernel (the page's URL parameters, logs and error ids).
    os.environ["IPYTHONDIR"] = str(write_kernel_profile(jupyter_dir.parent / "ipython"))
    config = build_config(deployment, settings, root)
    app = PulseVoila(config=config)
    app.home = deployment.home if deployment.home and (root / deployment.home).is_file() else None
    if app.home is None and (pages := list_pages(root)):
        app.home = pages[0]["path"]
    app.preheat = preheat_pages(deployment, root)
    app.snapshots = settings if deployment.snapshots else None
    app.initialize(argv=[])
    app.start()
