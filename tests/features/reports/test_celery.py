"""Report delivery on real Celery workers and beats (subprocesses) over the real Redis, with a
real SMTP server: one email per delivery whatever is duplicated, retried or down."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from pulsebi.reports import history
from pulsebi.reports.deliver import Delivery

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def box(module_mailbox):
    return module_mailbox


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(NOTEBOOKS, root / "notebooks")
    (root / "schedules").mkdir()
    return root


@pytest.fixture(scope="module")
def env(settings, box) -> dict[str, str]:
    return dict(
        os.environ,
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url,
        PULSEBI_NAMESPACE=settings.namespace,
        PULSEBI_DATA_DIR=str(settings.data_dir),
        PULSEBI_TZ=settings.tz,
        PULSEBI_SMTP_HOST="127.0.0.1",
        PULSEBI_SMTP_PORT=str(box.port),
        PULSEBI_SMTP_SENDER="reports@pulse.example",
    )


def start(args: list[str], env: dict, cwd: Path, log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(
            ["pulsebi", *args],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def wait_until(predicate, timeout: float = 120, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def worker(engine, env, project, tmp_path_factory) -> Iterator[Path]:
    log = tmp_path_factory.mktemp("logs") / "worker.log"
    proc = start(["worker", "--concurrency", "2"], env, project, log)
    wait_until(lambda: "ready." in log.read_text(errors="replace"), 90, "the worker")
    yield log
    stop(proc)


def enqueue(d: Delivery) -> None:
    from pulsebi.tasks import enqueue_delivery

    enqueue_delivery(d)


def delivery(notebook="table_and_chart.ipynb", to="dal@pulse.example", **changes) -> Delivery:
    values = dict(
        key=f"celery|{uuid.uuid4().hex}|{to}",
        notebook=f"notebooks/{notebook}",
        parameters={"branch": "DAL"} if notebook == "table_and_chart.ipynb" else {},
        formats=["html", "pdf", "xlsx"],
        recipients=[to],
        kind="scheduled",
        schedule="celery-test",
        scheduled_for="2026-11-23T07:00:00-06:00",
        owner="owner@pulse.example",
        retry_backoff=1,
    )
    values.update(changes)
    return Delivery(**values)


def mails_to(box, address: str) -> list:
    return [m for m in box.messages if m["To"] == address]


def settle(seconds: float = 6) -> None:
    """Give a wrongly duplicated task the time to send its copy."""
    time.sleep(seconds)


def test_worker_sends_the_report_with_its_parts(worker, engine, box):
    to = f"{uuid.uuid4().hex[:8]}@pulse.example"
    d = delivery(to=to)
    enqueue(d)
    (msg,) = wait_until(lambda: mails_to(box, to), what="the email")
    names = sorted(a.get_filename().rsplit(".", 1)[1] for a in msg.iter_attachments())
    assert names == ["pdf", "xlsx"]
    assert 'src="cid:' in msg.get_body(("html",)).get_content()
    run = wait_until(lambda: (r := history.read_run(engine, d.key)) and r["status"] == "sent" and r)
    assert set(run["outputs"]) == {"html", "pdf", "xlsx"}
    assert all(Path(p).is_file() for p in run["outputs"].values())


def test_the_same_delivery_queued_twice_sends_one_email(worker, engine, box):
    to = f"{uuid.uuid4().hex[:8]}@pulse.example"
    d = delivery(to=to)
    enqueue(d)
    enqueue(d)
    wait_until(lambda: mails_to(box, to), what="the email")
    settle()
    assert len(mails_to(box, to)) == 1
    assert history.read_run(engine, d.key)["attempts"] == 1


def test_smtp_down_then_up_sends_exactly_one_email(worker, engine, box):
    to = f"{uuid.uuid4().hex[:8]}@pulse.example"
    d = delivery(to=to, formats=["pdf"])
    box.stop()
    try:
        enqueue(d)
        wait_until(
            lambda: (r := history.read_run(engine, d.key)) and r["status"] == "retrying",
            what="a failed attempt",
        )
    finally:
        box.start()
    wait_until(lambda: mails_to(box, to), what="the email after SMTP came back")
    settle()
    assert len(mails_to(box, to)) == 1
    run = history.read_run(engine, d.key)
    assert run["status"] == "sent" and run["attempts"] >= 2


def test_failing_notebook_fails_its_run_and_mails_the_owner_once(worker, engine, box):
    owner = f"owner-{uuid.uuid4().hex[:8]}@pulse.example"
    d = delivery("fails_in_cell_3.ipynb", owner=owner)
    enqueue(d)
    wait_until(lambda: mails_to(box, owner), what="the failure email")
    enqueue(d)  # a duplicate after the failure
    settle()
    (notice,) = mails_to(box, owner)
    assert "cell 3" in notice.get_content()
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "select status, failed_cell, attempts from bi.report_runs"
                " where idempotency_key = :k"
            ),
            {"k": d.key},
        ).all()
    assert [tuple(r) for r in rows] == [("failed", 3, 1)]
    assert mails_to(box, "dal@pulse.example") == []


def test_a_worker_killed_mid_run_is_taken_over_and_sends_once(worker, engine, box):
    to = f"{uuid.uuid4().hex[:8]}@pulse.example"
    d = delivery(
        "sleeps_then_reports.ipynb", to=to, parameters={"seconds": 8}, timeout=20, formats=["pdf"]
    )
    enqueue(d)
    running = wait_until(
        lambda: (r := history.read_run(engine, d.key)) and r["status"] == "running" and r,
        what="the run",
    )
    os.kill(int(running["worker"].split(":")[1]), signal.SIGKILL)  # the pool process running it
    wait_until(lambda: mails_to(box, to), 180, "the email from the second worker")
    settle()
    assert len(mails_to(box, to)) == 1
    run = history.read_run(engine, d.key)
    assert run["status"] == "sent" and run["attempts"] == 2


def test_two_beats_queue_a_newly_added_schedule_once(worker, engine, env, project, box, tmp_path):
    beats = [
        start(["beat", "--scan-every", "1"], env, project, tmp_path / f"beat{i}.log")
        for i in (1, 2)
    ]
    try:
        wait_until(
            lambda: all(
                "beat: Starting" in (tmp_path / f"beat{i}.log").read_text() for i in (1, 2)
            ),
            60,
            "the beats",
        )
        (project / "schedules" / "broken.yaml").write_text("name: broken\ncron: every day\n")
        fire = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        to = f"{uuid.uuid4().hex[:8]}@pulse.example"
        (project / "schedules" / "added.yaml").write_text(
            f'name: added\ncron: "{fire.minute} {fire.hour} * * *"\ntimezone: UTC\n'
            f"notebook: notebooks/table_and_chart.ipynb\nparameters: {{branch: HOU}}\n"
            f"recipients: [{to}]\nformats: [pdf]\nowner: bi@pulse.example\n"
        )
        (msg,) = wait_until(lambda: mails_to(box, to), 150, "the scheduled email")
        settle(8)
        assert len(mails_to(box, to)) == 1
        assert "HOU" in msg["Subject"]
        runs = history.list_runs(engine, schedule="added")
        assert [(r["status"], r["scheduled_for"]) for r in runs] == [("sent", fire)]
        assert "broken.yaml" in (tmp_path / "beat1.log").read_text()
    finally:
        for beat in beats:
            stop(beat)
