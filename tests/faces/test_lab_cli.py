"""`pulsebi lab`: JupyterLab rooted at the project's folder, behind a token, whose kernels read
the platform's settings (database, Redis, time zone) and so the dashboards' figures; it stops
with its kernels, on SIGTERM and on Ctrl-C without a terminal."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from pulsebi import metrics
from serving import free_port

ROOT = Path(__file__).parents[2]
MONTH = ("2026-10-01", "2026-11-01")  # a whole month of the `seeded` data
KERNEL_REPORT = (
    f"MONTH = {MONTH!r}"
    + """
import json, os
from pulsebi import metrics
from pulsebi.settings import get_settings
s = get_settings()
print(s.database_url)
frame = metrics.compute("net_revenue", start=MONTH[0], end=MONTH[1], by=["branch"])
print(json.dumps({"redis": s.redis_url, "tz": s.tz, "namespace": s.namespace,
    "data_dir": str(s.data_dir), "cwd": os.getcwd(), "pid": os.getpid(),
    "figures": json.loads(frame.to_json(orient="records"))}))
"""
)


@dataclass
class Lab:
    process: subprocess.Popen
    port: int
    lines: list[str]
    err: Path

    @property
    def token(self) -> str:
        return self.url.split("token=", 1)[1]

    @property
    def url(self) -> str:
        return next(line.split()[1] for line in self.lines if line.startswith("open "))

    def call(self, method: str, path: str, body: dict | None = None, *, token: bool = True):
        """(status, JSON body) of a REST call."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/{path}", data=data, method=method
        )
        if token:
            request.add_header("Authorization", f"token {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            error.close()  # it holds the response open
            return error.code, None

    def start_kernel(self, folder: str) -> str:
        status, kernel = self.call("POST", "api/kernels", {"name": "python3", "path": folder})
        assert status == 201, status
        return kernel["id"]

    def execute(self, kernel_id: str, code: str) -> str:
        """Run `code` in the kernel over the Jupyter websocket; its standard output."""
        # on a thread of its own: an earlier test may leave a loop running in this one
        # (Playwright's sync API does), where asyncio.run refuses to start
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, execute_over_websocket(self, kernel_id, code)).result()

    def stop(self, signum: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            os.kill(self.process.pid, signum)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            raise


async def execute_over_websocket(lab: Lab, kernel_id: str, code: str) -> str:
    from tornado.websocket import websocket_connect

    url = f"ws://127.0.0.1:{lab.port}/api/kernels/{kernel_id}/channels?token={lab.token}"
    socket_ = await websocket_connect(url)
    msg_id, out = uuid.uuid4().hex, []
    header = {"msg_id": msg_id, "session": uuid.uuid4().hex, "username": "test"}
    header |= {"msg_type": "execute_request", "version": "5.3"}
    content = {"code": code, "silent": False, "store_history": False, "allow_stdin": False}
    message = {"header": header, "parent_header": {}, "metadata": {}, "channel": "shell"}
    await socket_.write_message(json.dumps(message | {"content": content}))
    try:
        while True:
            raw = await asyncio.wait_for(socket_.read_message(), timeout=120)
            assert raw is not None, "the kernel's websocket closed"
            reply = json.loads(raw)
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, body = reply["msg_type"], reply["content"]
            if kind == "stream":
                out.append(body["text"])
            elif kind == "error":
                pytest.fail("\n".join(body["traceback"]))
            elif kind == "status" and body["execution_state"] == "idle":
                return "".join(out)
    finally:
        socket_.close()
        # until the server has closed its end too: the socket is then closed, not left to GC
        while await asyncio.wait_for(socket_.read_message(), timeout=30) is not None:
            pass


def start_lab(env: dict[str, str], tmp_path: Path, port: int, timeout: float = 120) -> Lab:
    """`pulsebi lab` from elsewhere than the project (it finds the project's folder itself),
    Jupyter's own files in tmp_path; once its /api/status answers."""
    jupyter = {
        "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "jupyter-runtime"),
        "IPYTHONDIR": str(tmp_path / "ipython"),
        "PYTHONUNBUFFERED": "1",
    }
    out, err = tmp_path / "lab.out", tmp_path / "lab.err"
    argv = ["pulsebi", "lab", "--port", str(port), "--no-browser"]
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        process = subprocess.Popen(
            argv,
            env={**env, **jupyter},
            cwd=tmp_path,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,  # its own group: a SIGKILL of last resort reaches it all
        )
    lab = Lab(process, port, [], err)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            pytest.fail(f"pulsebi lab exited {process.returncode}:\n{err.read_text()}")
        lab.lines = out.read_text().splitlines()
        if any(line.startswith("open ") for line in lab.lines):
            try:
                if lab.call("GET", "api/status")[0] == 200:
                    return lab
            except OSError:
                pass  # not listening yet
        if time.monotonic() > deadline:
            lab.stop()
            pytest.fail(f"pulsebi lab did not answer:\n{err.read_text()}")
        time.sleep(0.3)


def gone(pid: int, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.2)
    return False


def test_a_notebook_in_the_lab_reads_the_dashboards_data_and_the_lab_stops_with_it(
    seeded, tmp_path
) -> None:
    # A data directory relative to where `pulsebi lab` starts: a kernel, which runs in its
    # notebook's folder, reads it as the lab's settings have it, absolute.
    env = {**os.environ, **seeded.to_environ(), "PULSEBI_DATA_DIR": "lab-data"}
    lab = start_lab(env, tmp_path, free_port())
    try:
        assert lab.url.startswith(f"http://127.0.0.1:{lab.port}/lab/tree/notebooks?token=")
        said = {line.split()[0]: line for line in lab.lines}
        assert str(ROOT) in said["folder"]
        assert seeded.tz in said["data"] and "Ctrl-C" in said["stop"]

        assert lab.call("GET", "api/status", token=False)[0] == 403  # the token is the login
        status, served = lab.call("GET", "api/contents/notebooks")
        assert status == 200
        assert "executive.ipynb" in {item["name"] for item in served["content"]}

        kernel_id = lab.start_kernel("notebooks")
        first, report = lab.execute(kernel_id, KERNEL_REPORT).strip().splitlines()
        assert first == seeded.database_url  # the test database, not a default one
        seen = json.loads(report)
        assert seen["redis"] == seeded.redis_url and seen["tz"] == seeded.tz
        assert seen["namespace"] == seeded.namespace  # the same metric cache
        assert seen["data_dir"] == str(tmp_path / "lab-data")
        assert seen["cwd"] == str(ROOT / "notebooks")
        here = metrics.compute(
            "net_revenue",
            start=MONTH[0],
            end=MONTH[1],
            by=["branch"],
            settings=seeded,
            use_cache=False,  # from the database: not the kernel's result in the cache
        )
        assert seen["figures"] == json.loads(here.to_json(orient="records"))
        assert len(seen["figures"]) > 1
    finally:
        code = lab.stop(signal.SIGTERM)  # the kernel still runs: the lab shuts it down
    assert code == 0, lab.err.read_text()
    assert "Shutting down 1 kernel" in lab.err.read_text()
    assert gone(seen["pid"]), "the kernel outlived the lab"


def test_ctrl_c_without_a_terminal_stops_the_lab_and_its_kernels(cli_env, tmp_path) -> None:
    lab = start_lab(cli_env, tmp_path, free_port())
    try:
        kernel_id = lab.start_kernel("scorecards")
        pid = int(lab.execute(kernel_id, "import os; print(os.getpid())"))
    finally:
        code = lab.stop(signal.SIGINT)
    assert code == 0, lab.err.read_text()
    assert "Shutting down 1 kernel" in lab.err.read_text()  # shut down, not left to die
    assert gone(pid), "the kernel outlived the lab"
    assert "Traceback" not in lab.err.read_text()


def test_a_port_in_use_is_one_line_and_nothing_starts(cli_env, tmp_path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            ["pulsebi", "lab", "--port", str(port), "--no-browser"],
            env=cli_env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 3, done.stderr
    assert done.stderr.strip() == (
        f"Error: port {port} is in use: stop what listens there, or choose another with --port"
    )
    assert done.stdout == ""
