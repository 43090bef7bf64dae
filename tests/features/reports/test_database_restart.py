"""A database restart is a transient failure: the worker retries with backoff and, once the
database is back, sends the report exactly once. Runs its own PostgreSQL on another port."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulsebi.db import get_engine
from pulsebi.db.migrate import upgrade_database
from pulsebi.reports import history
from pulsebi.reports.deliver import Delivery

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnPostgres:
    def __init__(self) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        # runuser lives in sbin, which a non-login PATH may lack
        self.runuser = shutil.which("runuser", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin")
        if not bins or self.runuser is None:
            message = "needs Debian's PostgreSQL binaries and runuser (apt-get install postgresql)"
            if os.environ.get("CI") == "true":
                pytest.fail(message)
            pytest.skip(message)
        self.bin = Path(bins[-1])
        self.dir = Path(tempfile.mkdtemp(prefix="pulsebi-pg-"))
        self.dir.chmod(0o755)
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        self.port = free_port()
        self._pg("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def _pg(self, tool: str, *args: str) -> None:
        subprocess.run(
            [self.runuser, "-u", "postgres", "--", str(self.bin / tool), *args],
            check=True,
            capture_output=True,
            cwd=self.dir,
        )

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self._pg(
            "pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.dir / "log"), "-w", "start"
        )

    def stop(self) -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    pg = OwnPostgres()
    pg.start()
    yield pg
    with contextlib.suppress(subprocess.CalledProcessError):
        pg.stop()
    shutil.rmtree(pg.dir, ignore_errors=True)


def wait_until(predicate, timeout: float = 120, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def test_database_restart_is_retried_and_the_report_sent_once(
    own_postgres, settings, module_mailbox, tmp_path
):
    from celery import Celery

    box = module_mailbox
    own = settings.replace(database_url=own_postgres.url, namespace=f"{settings.namespace}-pg")
    engine = get_engine(own)
    upgrade_database(engine)
    env = dict(
        os.environ,
        DATABASE_URL=own_postgres.url,
        REDIS_URL=settings.redis_url,
        PULSEBI_NAMESPACE=own.namespace,
        PULSEBI_DATA_DIR=str(tmp_path),
        PULSEBI_SMTP_HOST="127.0.0.1",
        PULSEBI_SMTP_PORT=str(box.port),
        PULSEBI_SMTP_SENDER="reports@pulse.example",
    )
    log = tmp_path / "worker.log"
    with open(log, "wb") as out:
        worker = subprocess.Popen(
            ["pulsebi", "worker", "--concurrency", "1"],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    sender = Celery("sender", broker=settings.redis_url, set_as_current=False)
    sender.conf.broker_transport_options = {"global_keyprefix": f"{own.namespace}:celery:"}
    try:
        wait_until(lambda: "ready." in log.read_text(errors="replace"), 90, "the worker")
        to = f"{uuid.uuid4().hex[:8]}@pulse.example"
        d = Delivery(
            key=f"pg-restart|{uuid.uuid4().hex}|{to}",
            notebook=str(NOTEBOOKS / "table_and_chart.ipynb"),
            parameters={"branch": "DAL"},
            formats=["pdf"],
            recipients=[to],
            kind="scheduled",
            schedule="pg-restart",
            owner="owner@pulse.example",
            retry_backoff=1,
            retry_attempts=12,
        )
        own_postgres.stop()
        sender.send_task("pulsebi.deliver_report", args=(d.to_dict(),), queue="reports")
        wait_until(
            lambda: "database unreachable" in log.read_text(errors="replace"),
            60,
            "a failed attempt",
        )
        own_postgres.start()
        wait_until(lambda: [m for m in box.messages if m["To"] == to], 120, "the email")
        time.sleep(5)
        assert len([m for m in box.messages if m["To"] == to]) == 1
        run = history.read_run(engine, d.key)
        assert run["status"] == "sent"
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        sender.close()
        engine.dispose()
