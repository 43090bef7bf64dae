"""Scheduled-report throughput: 30 reports (6 scorecards x 5 branches) to HTML + PDF + XLSX on
two Celery worker processes, against a plain loop of the `papermill` CLI + `jupyter nbconvert`.

    python bench/reports_throughput.py [--database-url postgresql://postgres@127.0.0.1/postgres]
        [--redis-url redis://127.0.0.1:6379/0] [--concurrency 2] [--skip-baseline]

Until the real scorecards exist, every report runs bench/notebooks/representative_scorecard.ipynb
(pandas, two tables marked for export, two matplotlib SVG charts; no database queries) with
`scorecard` and `branch` parameters. Pulse BI: one `pulsebi worker --concurrency 2`, timed from
queueing the 30 deliveries to the 30th `done` in bi.report_runs (worker start-up reported apart).
Baseline: per report `papermill` (CLI) then `jupyter nbconvert --to html --no-input`; it writes
no PDF or workbook (nbconvert's PDF needs LaTeX or a browser download), so it does less work.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "bench" / "notebooks" / "representative_scorecard.ipynb"
SCORECARDS = ["sales", "marketing", "canvassing", "telemarketing", "operations", "service"]
BRANCHES = ["DAL", "HOU", "AUS", "SAT", "OKC"]


def reports() -> list[dict[str, str]]:
    return [{"scorecard": s, "branch": b} for s in SCORECARDS for b in BRANCHES]


def run_pulsebi(args, env: dict[str, str], data_dir: Path) -> dict[str, float]:
    from pulsebi.db import get_engine
    from pulsebi.db.migrate import upgrade_database
    from pulsebi.reports.deliver import Delivery
    from pulsebi.settings import load_settings, use_settings

    settings = load_settings(env)
    use_settings(settings)
    engine = get_engine(settings)
    upgrade_database(engine)
    started = time.perf_counter()
    log = open(data_dir / "worker.log", "wb")  # noqa: SIM115
    worker = subprocess.Popen(
        ["pulsebi", "worker", "--concurrency", str(args.concurrency)], env=env, cwd=ROOT,
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        while b"ready." not in (data_dir / "worker.log").read_bytes():
            if worker.poll() is not None:
                sys.exit(f"the worker stopped: see {data_dir / 'worker.log'}")
            time.sleep(0.1)
        ready = time.perf_counter()
        from pulsebi.tasks import enqueue_delivery

        batch = uuid.uuid4().hex[:8]
        for params in reports():
            enqueue_delivery(Delivery(
                key=f"bench|{batch}|{params['scorecard']}|{params['branch']}",
                notebook=str(NOTEBOOK), parameters=params, formats=["html", "pdf", "xlsx"],
            ))  # fmt: skip
        total = len(reports())
        while True:
            with engine.connect() as conn:
                done = conn.execute(
                    text("select count(*) filter (where status = 'done'),"
                         " count(*) filter (where status = 'failed')"
                         " from bi.report_runs where idempotency_key like :k"),
                    {"k": f"bench|{batch}|%"},
                ).one()  # fmt: skip
            if done[1]:
                sys.exit(f"{done[1]} reports failed: see `pulsebi report history`")
            if done[0] == total:
                break
            time.sleep(0.2)
        finished = time.perf_counter()
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
        log.close()
    return {"startup_s": ready - started, "reports_s": finished - ready}


def run_baseline(out_dir: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    for params in reports():
        out = out_dir / f"{params['scorecard']}-{params['branch']}.ipynb"
        subprocess.run(
            ["papermill", str(NOTEBOOK), str(out), "-k", "python3", "--no-progress-bar",
             "-p", "scorecard", params["scorecard"], "-p", "branch", params["branch"],
             "-p", "static", "True"],
            check=True, env=env, capture_output=True,
        )  # fmt: skip
        subprocess.run(
            ["jupyter", "nbconvert", "--to", "html", "--no-input", str(out)],
            check=True, env=env, capture_output=True,
        )  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get(
        "DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))  # fmt: skip
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()

    name = f"pulsebi_bench_reports_{uuid.uuid4().hex[:8]}"
    server = args.database_url.replace("postgresql://", "postgresql+psycopg2://", 1)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'create database "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    data_dir = Path(tempfile.mkdtemp(prefix="pulsebi-bench-reports-"))
    env = dict(os.environ, DATABASE_URL=url, REDIS_URL=args.redis_url,
               PULSEBI_NAMESPACE=name, PULSEBI_DATA_DIR=str(data_dir))  # fmt: skip
    try:
        ours = run_pulsebi(args, env, data_dir)
        result = {"reports": len(reports()), "workers": args.concurrency, **ours}
        print(
            f"pulsebi: {len(reports())} reports (html+pdf+xlsx) in {ours['reports_s']:.1f} s on "
            f"{args.concurrency} worker processes (+{ours['startup_s']:.1f} s worker start)"
        )
        if not args.skip_baseline:
            base = run_baseline(data_dir, env)
            result["baseline_s"] = base
            result["speedup"] = base / ours["reports_s"]
            print(f"baseline: papermill CLI + jupyter nbconvert (html only) loop: {base:.1f} s "
                  f"-> {base / ours['reports_s']:.1f}x faster")  # fmt: skip
        print(
            json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()})
        )
    finally:
        from pulsebi.db import reset_engines

        reset_engines()
        with admin.connect() as conn:
            conn.execute(text(f'drop database if exists "{name}" with (force)'))
        admin.dispose()
        import redis

        client = redis.Redis.from_url(args.redis_url)
        for key in client.scan_iter(f"{name}:*"):
            client.delete(key)


if __name__ == "__main__":
    main()
