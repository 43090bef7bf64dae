"""Fixtures for the live path: a worker thread, subscribers, a Redis server of our own."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis as redis_lib
from live_helpers import wait_until
from sqlalchemy import Engine, text

from pulsebi.live.subscriber import LiveSubscriber
from pulsebi.live.worker import run_worker
from pulsebi.settings import Settings

BRANCHES = [(1, "DAL", "Dallas"), (2, "HOU", "Houston")]


@pytest.fixture
def branches(db: Engine) -> Engine:
    with db.begin() as conn:
        for id_, code, name in BRANCHES:
            conn.execute(
                text(
                    "insert into crm.branches values (:id, :code, :name, 'America/Chicago', "
                    "'2020-01-01')"
                ),
                {"id": id_, "code": code, "name": name},
            )
    return db


@pytest.fixture
def live_settings(settings: Settings) -> Settings:
    """The test settings with a namespace of this test's own (no snapshot leaks between tests)."""
    return settings.replace(namespace=f"{settings.namespace}-{uuid.uuid4().hex[:6]}")


class WorkerThread:
    def __init__(self, settings: Settings, **options):
        self.stop_event = threading.Event()
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, args=(settings,), kwargs=options)
        self.thread.start()

    def _run(self, settings: Settings, **options) -> None:
        try:
            run_worker(settings, self.stop_event, **options)
        except BaseException as exc:  # surfaced by stop()
            self.errors.append(exc)

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(15)
        assert not self.thread.is_alive(), "the live worker did not stop"
        assert not self.errors, f"the live worker crashed: {self.errors!r}"


@pytest.fixture
def start_worker() -> Iterator[Callable[..., WorkerThread]]:
    workers: list[WorkerThread] = []

    def start(settings: Settings, **options) -> WorkerThread:
        worker = WorkerThread(settings, **options)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def start_subscriber() -> Iterator[Callable[..., LiveSubscriber]]:
    subscribers: list[LiveSubscriber] = []

    def start(settings: Settings, redis_url: str | None = None) -> LiveSubscriber:
        sub = LiveSubscriber(settings, redis_url=redis_url).start()
        subscribers.append(sub)
        return sub

    yield start
    for sub in subscribers:
        sub.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    """A redis-server of this test's own, on a free port, that the test may stop and restart."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server") or shutil.which("valkey-server")
        if binary is None:
            pytest.skip("no redis-server binary to start a Redis of the test's own")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis_lib.Redis.from_url(self.url)
        wait_until(lambda: _pings(client), 10, "the test's Redis to answer")
        client.close()

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


def _pings(client: redis_lib.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis_lib.RedisError:
        return False


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()
