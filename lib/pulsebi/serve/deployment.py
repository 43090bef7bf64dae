"""What a Voilà deployment serves: a small config object, and the files it needs on disk.

Voilà serves one root directory and finds templates only on the Jupyter data path, so each
deployment gets, under ``<data dir>/serve/``, a root holding links to the directories it serves
and a Jupyter data directory holding a link to its template in the checkout (edits show at once).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from pulsebi.errors import ConfigError
from pulsebi.settings import Settings


@dataclass(frozen=True)
class Deployment:
    """One Voilà server: what it serves, how it looks, where it listens."""

    name: str
    title: str = "Pulse BI"
    dirs: tuple[str, ...] = ("notebooks", "scorecards")
    template: str = "pulsebi"
    home: str | None = None  # the page "/" opens; None: the first page
    preheat: tuple[str, ...] = ()  # pages (or glob patterns) with kernels ready before a visit
    port_offset: int = 0  # added to PULSEBI_SERVE_PORT
    project_dir: Path | None = None  # where `dirs` and voila_templates/ are; None: the checkout
    extra: dict = field(default_factory=dict)  # more Voilà/Jupyter traitlets config
    pending: str = ""  # why its pages are not there yet, said when they are missing
    snapshots: bool = False  # answer page requests from their snapshots (pulsebi.serve.snapshot)

    def replace(self, **changes: object) -> Deployment:
        from dataclasses import replace

        return replace(self, **changes)


DEPLOYMENTS = {
    "main": Deployment(
        name="main",
        dirs=("notebooks", "scorecards"),
        home="notebooks/executive.ipynb",
        preheat=("notebooks/*.ipynb", "notebooks/reconciliation/*.ipynb", "scorecards/*.ipynb"),
    ),
    "cmo": Deployment(
        name="cmo",
        title="Pulse BI · Marketing",
        dirs=("cmo",),
        home="cmo/overview.ipynb",
        preheat=("cmo/*.ipynb",),
        port_offset=1,
        pending="the CMO service has no pages yet (its cmo/ folder is still being built); "
        "serve the main dashboards with `pulsebi serve`, or point it at pages with --dir",
    ),
}


def get_deployment(name: str) -> Deployment:
    try:
        return DEPLOYMENTS[name]
    except KeyError:
        raise ConfigError(
            f"no deployment named {name!r}; use one of {', '.join(DEPLOYMENTS)}"
        ) from None


def find_project_dir() -> Path:
    """The checkout holding notebooks/ and voila_templates/: this package's, else the cwd."""
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "voila_templates").is_dir():
        return checkout
    return Path.cwd()


def project_dir(deployment: Deployment) -> Path:
    return Path(deployment.project_dir or find_project_dir()).absolute()


def port_of(deployment: Deployment, settings: Settings) -> int:
    return settings.serve_port + deployment.port_offset


def url_of(deployment: Deployment, settings: Settings) -> str:
    host = settings.serve_host
    if host in ("0.0.0.0", "", "::"):
        host = "127.0.0.1"
    return f"http://{host}:{port_of(deployment, settings)}/"


def resolve_token(settings: Settings) -> str:
    """The login token: PULSEBI_SERVE_TOKEN, else one generated once and kept in the data dir.

    With only a password hash configured there is no token (password login only).
    """
    if settings.serve_token:
        return settings.serve_token
    if settings.serve_password_hash:
        return ""
    path = settings.data_dir / "serve" / "token"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(token)
    return token


def link(target: Path, link_path: Path) -> None:
    """Make `link_path` a symlink to `target`, replacing a stale one."""
    link_path.parent.mkdir(parents=True, exist_ok=True)
    if link_path.is_symlink() or link_path.exists():
        if link_path.is_symlink() and Path(os.readlink(link_path)) == target:
            return
        link_path.unlink()
    link_path.symlink_to(target, target_is_directory=True)


def served_dirs(deployment: Deployment) -> dict[str, Path]:
    """The directories `deployment` serves, by the name they get in its root.

    Raises
    ------
    ConfigError
        When one is missing: the deployment's `pending` note if it has one, else which.
    """
    project = project_dir(deployment)
    wanted = {}
    for entry in deployment.dirs:
        source = (project / entry).absolute()
        if not source.is_dir():
            if deployment.pending:
                raise ConfigError(f"deployment {deployment.name!r}: {deployment.pending}")
            raise ConfigError(
                f"deployment {deployment.name!r} serves {source}, which is no directory"
            )
        wanted[Path(entry).name] = source
    return wanted


def prepare_dirs(deployment: Deployment, settings: Settings) -> tuple[Path, Path]:
    """Create the served root and the Jupyter data dir with the template; return both.

    Each server (deployment and port) has its own: two servers of one data directory serving
    other folders would otherwise take each other's pages away (each prunes the root's links)."""
    project = project_dir(deployment)
    wanted = served_dirs(deployment)
    base = settings.data_dir / "serve" / f"{deployment.name}-{port_of(deployment, settings)}"
    root = base / "root"
    root.mkdir(parents=True, exist_ok=True)
    for child in root.iterdir():
        if child.name not in wanted and child.is_symlink():
            child.unlink()
    for name, source in wanted.items():
        link(source, root / name)
    jupyter_dir = base / "jupyter"
    templates = project / "voila_templates"
    if (templates / deployment.template).is_dir():
        link(
            templates / deployment.template,
            jupyter_dir / "voila" / "templates" / deployment.template,
        )
    return root, jupyter_dir


def list_pages(root: Path) -> list[dict[str, str]]:
    """Every notebook served now, as {path, title, section}, in a stable order (the navigation).

    Cheap enough for each page request (the titles are read again only when a file changed), so
    a notebook saved into a served folder is listed from the next page load, and a deleted one is
    gone. Hidden files and folders (``.ipynb_checkpoints``, Jupyter's ``.~name.ipynb`` while it
    saves) are skipped: Jupyter does not serve them.
    """
    pages = []
    for top in sorted(p for p in root.iterdir() if p.is_dir()):
        found = sorted(p for p in top.rglob("*.ipynb") if not _hidden(p.relative_to(top)))
        # rglob does not descend into the top link itself on every Python: walk it explicitly.
        if not found:
            found = sorted(p for p in top.glob("*.ipynb") if not _hidden(p.relative_to(top)))
        for nb in found:
            if not in_navigation(nb):
                continue
            rel = f"{top.name}/{nb.relative_to(top).as_posix()}"
            pages.append({"path": rel, "title": page_title(nb), "section": top.name.title()})
    return pages


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


# path -> ((mtime_ns, size), title, listed in the navigation)
_titles: dict[Path, tuple[tuple[int, int], str, bool]] = {}


def page_title(path: Path) -> str:
    """A notebook's title in the navigation: its metadata's, else made from the file name."""
    return _page_meta(path)[0]


def in_navigation(path: Path) -> bool:
    """False for a page reached only by a link that says what to show (metadata
    ``"pulsebi": {"nav": false}``, e.g. one saved report: ``custom_report.ipynb?report_id=N``);
    such a page is still served."""
    return _page_meta(path)[1]


def _page_meta(path: Path) -> tuple[str, bool]:
    try:
        stat = path.stat()
    except OSError:
        stat = None
    stamp = (stat.st_mtime_ns, stat.st_size) if stat else (0, 0)
    cached = _titles.get(path)
    if cached and cached[0] == stamp:
        return cached[1], cached[2]
    try:
        meta = json.loads(path.read_text()).get("metadata", {})
    except (OSError, ValueError):
        meta = {}
    ours = meta.get("pulsebi", {}) if isinstance(meta.get("pulsebi"), dict) else {}
    title = ours.get("title") or meta.get("title")
    title = title or path.stem.replace("_", " ").replace("-", " ").capitalize()
    listed = ours.get("nav", True) is not False
    _titles[path] = (stamp, title, listed)
    return title, listed
