"""Start a deployment in the background (for `pulsebi up`) and wait until it answers."""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request

from pulsebi import processes
from pulsebi.serve.deployment import describe_login, get_deployment, url_of
from pulsebi.settings import Settings


def start_detached(settings: Settings, name: str = "main") -> int:
    """`pulsebi serve --deployment name` in its own session (once); returns its pid."""
    argv = [sys.executable, "-c", "from pulsebi.cli import main; main()", "serve"]
    argv += ["--deployment", name]
    return processes.start_detached(settings, f"serve-{name}", argv)


def wait_until_serving(url: str, timeout: float = 60) -> bool:
    """True once `url`'s login page answers, False after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "login", timeout=5) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    return False


def start_serving(settings: Settings, name: str = "main", timeout: float = 60) -> str:
    """Start the deployment unless it runs; one line saying where it is and how to log in."""
    try:
        import voila  # noqa: F401
    except ImportError:
        return "dashboards not started: install pulsebi[dashboards]"
    deployment = get_deployment(name)
    start_detached(settings, name)
    url = url_of(deployment, settings)
    log = settings.data_dir / "run" / f"serve-{name}.log"
    answered = wait_until_serving(url, timeout)
    if f"serve-{name}" not in processes.running(settings):  # e.g. the port was taken
        return f"dashboards failed to start; see {log}"
    if not answered:
        return f"dashboards not answering at {url} yet; see {log}"
    return describe_login(deployment, settings)
