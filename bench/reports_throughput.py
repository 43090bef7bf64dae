"""Scheduled-report throughput: 30 reports (6 scorecards x 5 branches) to HTML + PDF + XLSX on
two Celery worker processes, against a plain loop of the `papermill` CLI + `jupyter nbconvert`.

    python bench/reports_throughput.py [--database-url postgresql://postgres@127.0.0.1/postgres]
        [--redis-url redis://127.0.0.1:6379/0] [--concurrency 2] [--skip-baseline]
        [--notebooks scorecards|representative]

`scorecards` (default): the six notebooks of scorecards/ for each branch, over a demo database
(1 year, scale 0.05) the script seeds. `representative`: one notebook of our own,
bench/notebooks/representative_scorecard.ipynb (pandas, two tables marked for export, two
matplotlib SVG charts, no database queries), with six `scorecard` values.
Pulse BI: one `pulsebi worker --concurrency 2`, timed from queueing the 30 deliveries to the
30th `done` in bi.report_runs (worker start-up reported apart).
Baseline: per report `papermill` (CLI) then `jupyter nbconvert --to html --no-input`; it writes
no PDF or workbook (nbconvert's PDF needs LaTeX or a browser download), so it does less work.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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


def children_cpu() -> float:
    """CPU seconds of every finished (waited-for) descendant: load-independent work done."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reports(kind: str = "scorecards") -> list[tuple[Path, dict[str, str]]]:
    """(notebook, parameters) of the 30 reports."""
    if kind == "representative":
        return [(NOTEBOOK, {"scorecard": s, "branch": b}) for s in SCORECARDS for b in BRANCHES]
    notebooks = sorted((ROOT / "scorecards").glob("*.ipynb"))
    return [(nb, {"branch": b}) for nb in notebooks for b in BRANCHES]


def run_pulsebi(args, env: dict[str, str], data_dir: Path) -> dict[str, float]:
    from pulsebi.db import get_engine
    from pulsebi.db.migrate import upgrade_database
    from pulsebi.reports.deliver import Delivery
    from pulsebi.settings import load_settings, use_settings

    settings = load_settings(env)
    use_settings(settings)
    engine = get_engine(settings)
    upgrade_database(engine)
    if args.notebooks == "scorecards":
        from pulsebi.seed import seed_database
        from pulsebi.views import refresh_views

        seed_database(engine, settings=settings, years=1, scale=0.05, seed=7)
        refresh_views(engine, settings)
    started, cpu = time.perf_counter(), children_cpu()
    log = open(data_dir / "worker.log", "wb")  # noqa: SIM115
    worker = subprocess.Popen(
        ["pulsebi", "worker", "--concurrency", str(args.concurrency)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        while b"ready." not in (data_dir / "worker.log").read_bytes():
            if worker.poll() is not None:
                sys.exit(f"the worker stopped: see {data_dir / 'worker.log'}")
            time.sleep(0.1)
        ready = time.perf_counter()
        from pulsebi.tasks import enqueue_delivery

        batch = uuid.uuid4().hex[:8]
        todo = reports(args.notebooks)
        for i, (notebook, params) in enumerate(todo):
            enqueue_delivery(
                Delivery(
                    key=f"bench|{batch}|{i}",
                    notebook=str(notebook),
                    parameters=params,
                    formats=["html", "pdf", "xlsx"],
                )
            )
        total = len(todo)
        while True:
            with engine.connect() as conn:
                done = conn.execute(
                    text(
                        "select count(*) filter (where status = 'done'),"
                        " count(*) filter (where status = 'failed')"
                        " from bi.report_runs where idempotency_key like :k"
                    ),
                    {"k": f"bench|{batch}|%"},
                ).one()
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
    return {
        "startup_s": ready - started,
        "reports_s": finished - ready,
        "cpu_s": children_cpu() - cpu,
    }


def run_baseline(kind: str, out_dir: Path, env: dict[str, str]) -> tuple[float, float]:
    started, cpu = time.perf_counter(), children_cpu()
    for i, (notebook, params) in enumerate(reports(kind)):
        out = out_dir / f"{i:02d}-{notebook.stem}-{params['branch']}.ipynb"
        values = [a for k, v in params.items() for a in ("-p", k, v)]
        subprocess.run(
            [
                "papermill",
                str(notebook),
                str(out),
                "-k",
                "python3",
                "--no-progress-bar",
                *values,
                "-p",
                "static",
                "True",
            ],
            check=True,
            env=env,
            capture_output=True,
        )
        subprocess.run(
            ["jupyter", "nbconvert", "--to", "html", "--no-input", str(out)],
            check=True,
            env=env,
            capture_output=True,
        )
    return time.perf_counter() - started, children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument(
        "--notebooks", choices=["scorecards", "representative"], default="scorecards"
    )
    args = parser.parse_args()

    name = f"pulsebi_bench_reports_{uuid.uuid4().hex[:8]}"
    server = args.database_url.replace("postgresql://", "postgresql+psycopg2://", 1)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'create database "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    data_dir = Path(tempfile.mkdtemp(prefix="pulsebi-bench-reports-"))
    env = dict(
        os.environ,
        DATABASE_URL=url,
        REDIS_URL=args.redis_url,
        PULSEBI_NAMESPACE=name,
        PULSEBI_DATA_DIR=str(data_dir),
    )
    try:
        ours = run_pulsebi(args, env, data_dir)
        result = {
            "notebooks": args.notebooks,
            "reports": len(reports(args.notebooks)),
            "workers": args.concurrency,
            **ours,
        }
        print(
            f"pulsebi: {result['reports']} {args.notebooks} reports (html+pdf+xlsx) in "
            f"{ours['reports_s']:.1f} s on "
            f"{args.concurrency} worker processes (+{ours['startup_s']:.1f} s worker start; "
            f"{ours['cpu_s']:.0f} CPU-s in all)"
        )
        if not args.skip_baseline:
            base, base_cpu = run_baseline(args.notebooks, data_dir, env)
            result["baseline_s"], result["baseline_cpu_s"] = base, base_cpu
            result["speedup"] = base / ours["reports_s"]
            print(
                f"baseline: papermill CLI + jupyter nbconvert (html only) loop: {base:.1f} s "
                f"({base_cpu:.0f} CPU-s) -> {base / ours['reports_s']:.1f}x faster"
            )
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
