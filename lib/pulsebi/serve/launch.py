"""Start a deployment in the background (for `pulsebi up`) and wait until it answers."""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from pulsebi import processes
from pulsebi.serve.deployment import (
    Deployment,
    get_deployment,
    resolve_token,
    url_of,
)
from pulsebi.settings import Settings


def describe_access(
    deployment: Deployment, settings: Settings, *, reveal: bool = True
) -> list[tuple[str, str]]:
    """("open", URL) and ("log in", how) for a deployment; the token only when `reveal` (a
    terminal: logs never hold it, the file does, readable by its owner only)."""
    url = url_of(deployment, settings)
    token = resolve_token(settings)
    if not token:
        how = "with the password whose hash is PULSEBI_SERVE_PASSWORD_HASH"
        return [("open", url), ("log in", how)]
    if not reveal:
        kept = "PULSEBI_SERVE_TOKEN" if settings.serve_token else settings.data_dir / "serve/token"
        return [("open", url), ("log in", f"with the token in {kept} (`pulsebi status` shows it)")]
    how = f"that link logs you in (a cookie keeps it); or type the token {token}"
    if settings.serve_password_hash:
        how += " or your password"
    return [("open", f"{url}?token={token}"), ("log in", how)]


def start_detached(settings: Settings, name: str = "main") -> int:
    """`pulsebi serve --deployment name` in its own session (once); returns its pid."""
    redact_log(processes.log_path(settings, f"serve-{name}"), resolve_token(settings))
    argv = [sys.executable, "-c", "from pulsebi.cli import main; main()", "serve"]
    argv += ["--deployment", name]
    return processes.start_detached(settings, f"serve-{name}", argv)


def redact_log(path: Path, token: str) -> None:
    """Blank out `token` in a log an older version wrote it to (in full, world-readable)."""
    if not token or not path.is_file():
        return
    text = path.read_bytes()
    if token.encode() in text:
        path.write_bytes(text.replace(token.encode(), b"<token>"))


def answers(url: str, timeout: float = 5) -> bool:
    """True if `url`'s login page answers now."""
    try:
        with urllib.request.urlopen(url + "login", timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_until_serving(url: str, timeout: float = 60) -> bool:
    """True once `url`'s login page answers, False after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if answers(url):
            return True
        time.sleep(0.3)
    return False


def start_serving(settings: Settings, name: str = "main", timeout: float = 60) -> str | None:
    """Start the deployment unless it runs and wait until it answers; None once it does, else
    one line saying what went wrong and where its log is."""
    try:
        import voila  # noqa: F401
    except ImportError:
        return "dashboards not started: install pulsebi[dashboards]"
    deployment = get_deployment(name)
    start_detached(settings, name)
    url = url_of(deployment, settings)
    log = processes.log_path(settings, f"serve-{name}")
    answered = wait_until_serving(url, timeout)
    if f"serve-{name}" not in processes.running(settings):  # e.g. the port was taken
        return f"dashboards failed to start; see {log}"
    if not answered:
        return f"dashboards not answering at {url} yet; see {log}"
    return None
