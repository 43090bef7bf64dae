"""A `pulsebi serve` subprocess for tests (browser and faces): start, wait, ask, stop."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

NOTEBOOKS = Path(__file__).parent / "notebooks" / "serve"
TOKEN = "test-token-4b1d"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    token: str
    log: Path
    env: dict[str, str] = field(repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def page_url(self, page: str, query: str = "") -> str:
        return f"{self.url}voila/render/{page}" + (f"?{query}" if query else "")

    def get(self, path: str, *, token: bool = True) -> tuple[int, str]:
        """GET `path` without following redirects; (status, body or Location)."""
        url = self.url + path.lstrip("/")
        request = urllib.request.Request(url)
        if token and self.token:
            request.add_header("Authorization", f"token {self.token}")
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location") or error.read().decode()

    def kernels(self) -> list[dict]:
        status, body = self.get("api/kernels")
        assert status == 200, body
        return json.loads(body)

    def wait_for_kernels(self, predicate, timeout: float = 60) -> list[dict]:
        deadline = time.monotonic() + timeout
        while True:
            kernels = self.kernels()
            if predicate(kernels) or time.monotonic() > deadline:
                return kernels
            time.sleep(0.25)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def start_server(
    env: dict[str, str],
    log: Path,
    *,
    dirs: tuple[Path, ...] = (NOTEBOOKS,),
    preheat: tuple[str, ...] = (),
    token: str = TOKEN,
    extra_env: dict[str, str] | None = None,
    port: int | None = None,
    timeout: float = 60,
    args: tuple[str, ...] = (),
) -> Server:
    """Start `pulsebi serve` (on a free port unless given, with more `args`) and wait until it
    answers."""
    port = port or free_port()
    env = {**env, "PULSEBI_SERVE_TOKEN": token, **(extra_env or {})}
    argv = ["pulsebi", "serve", "--port", str(port), *args]
    for directory in dirs:
        argv += ["--dir", str(directory)]
    for page in preheat:
        argv += ["--preheat", page]
    with open(log, "ab") as out:
        process = subprocess.Popen(
            argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(process=process, port=port, token=token, log=log, env=env)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"pulsebi serve exited:\n{server.output()}")
        try:
            status, _ = server.get("login", token=False)
            if status == 200:
                return server
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"pulsebi serve did not answer:\n{server.output()}")
        time.sleep(0.2)
