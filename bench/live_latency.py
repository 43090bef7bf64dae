"""Live KPIs end to end: INSERT commit → tile text change in Chromium, and the trigger's cost.

    python bench/live_latency.py [--database-url postgresql://postgres@127.0.0.1/pulsebi_bench_live]
        [--redis-url redis://127.0.0.1:6379/0] [--events 250] [--rate 50] [--pages 1,20]

Builds its own small database (branches, no other rows), starts the live worker
(`python -m pulsebi.live`) and `pulsebi serve` on tests/notebooks/live/ (live_tile.ipynb: one
tile, net revenue today; every page is a kernel of its own), opens the pages in Chromium with a
MutationObserver on the tile's value, and inserts sales of $1.00 at `--rate` per second. Event i
is on a page when the tile first shows a total >= base + i; latency = that DOM time - the
INSERT's commit time (same clock). Also reported: commit -> subscriber callback in this process
(no browser), and the trigger's added cost per INSERT (single-row autocommit INSERTs, triggers
on vs off, interleaved blocks, a LISTENer draining).

`--tabs N` puts only N of the open dashboards in Chromium on this machine; the others are
viewers whose browsers run elsewhere, as real viewers' do: each requests the page (its own
kernel runs the notebook) and holds the kernel's WebSocket like Voilà's page, recording when
each tile update arrives (`--tabs` unset: every dashboard is a Chromium tab here, so the 2 cores
also run 20 browser renderers).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg2
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pulsebi.db import get_engine
from pulsebi.db.migrate import upgrade_database
from pulsebi.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "tests" / "notebooks" / "live" / "live_tile.ipynb"
CHROMIUM = "/usr/bin/chromium"
# 20 pages in one headless Chromium stand for 20 viewers, each with a foreground tab: no
# backgrounding of the other 19 (lower priority, throttled timers) that real viewers would not get
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
]
TILE_VALUE = '.pbi-tile[data-tile="live-revenue"] .pbi-tile-value'
OBSERVER = """
() => {
  window.__changes = [];
  let last = null;
  const look = () => {
    const el = document.querySelector('SELECTOR');
    // the exact figure: the text is compact ($73.6M) and would not move by a $1.00 sale
    const text = el ? el.getAttribute('data-value') : null;
    if (text !== null && text !== last) {
      last = text;
      window.__changes.push([performance.timeOrigin + performance.now(), text]);
    }
  };
  new MutationObserver(look).observe(document.body,
    {subtree: true, childList: true, characterData: true});
  look();
}
""".replace("SELECTOR", TILE_VALUE)
SALE = (
    "insert into crm.sales (id, lead_id, branch_id, sold_at, amount, commission_rate, product, "
    "status) values (%s, 1, %s, now(), %s, 0.1, 'roof', 'active')"
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def money(text_: str) -> float:
    return float(re.sub(r"[^0-9.\-]", "", text_) or "nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- set-up ------------------------------------------------------------------------------------


def make_database(url: str) -> None:
    u = make_url(url).set(drivername="postgresql+psycopg2")
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'drop database if exists "{u.database}" with (force)'))
        conn.execute(text(f'create database "{u.database}"'))
    admin.dispose()


def prepare(settings) -> None:
    engine = get_engine(settings)
    upgrade_database(engine)
    with engine.begin() as conn:
        for i, code in enumerate(("DAL", "HOU", "AUS", "SAT"), start=1):
            conn.execute(
                text(
                    "insert into crm.branches values (:i, :c, :c, 'America/Chicago', '2020-01-01')"
                ),
                {"i": i, "c": code},
            )


def start(argv: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        argv,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=log.parent,
        start_new_session=True,
    )


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read(100)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


# --- the measurement ----------------------------------------------------------------------------


def open_pages(browser, url: str, count: int, pages: list) -> None:
    while len(pages) < count:
        page = browser.new_context().new_page()
        page.goto(url)
        page.wait_for_selector(
            '.pbi-tile[data-tile="live-revenue"][data-state="live"]', timeout=120_000
        )
        page.evaluate(OBSERVER)
        pages.append(page)


V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"


def v1_parts(message: bytes, index: int) -> bytes:
    """Part `index` of a v1 kernel WebSocket message (0 channel, 1 header, 2 parent header,
    3 metadata, 4 content): a count of uint64 offsets, the offsets, then the parts."""
    count = int.from_bytes(message[:8], "little")
    offsets = [int.from_bytes(message[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(count)]
    end = offsets[index + 1] if index + 1 < count else len(message)
    return message[offsets[index] : end]


class RemoteViewers:
    """Dashboards whose browsers run elsewhere: the page is requested (a kernel of its own runs
    the notebook) and its kernel WebSocket held open like Voilà's page holds it; each tile
    update's arrival is recorded as (epoch s, the tile's exact value, data-value)."""

    VALUE = re.compile(r'class="pbi-tile-value"[^>]*? data-value="([^"]*)"')

    def __init__(self, url: str, port: int, token: str):
        import asyncio
        import threading

        self.url, self.port, self.token = url, port, token
        self.viewers: list[list[tuple[float, str]]] = []
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def open(self, count: int) -> None:
        import asyncio

        for _ in range(count):
            page = urllib.request.urlopen(self.url, timeout=120).read().decode()
            config = re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S)
            kernel = json.loads(config.group(1))["kernelId"]
            changes: list[tuple[float, str]] = []
            # follows the kernel until the loop stops
            asyncio.run_coroutine_threadsafe(self._follow(kernel, changes), self.loop)
            self.viewers.append(changes)

    async def _follow(self, kernel: str, changes: list) -> None:
        from tornado.websocket import websocket_connect

        # the binary protocol Voilà's page negotiates: the server forwards kernel messages as
        # they are instead of parsing and re-encoding each as JSON
        ws = await websocket_connect(
            f"ws://127.0.0.1:{self.port}/api/kernels/{kernel}/channels"
            f"?session_id=bench-{kernel}&token={self.token}",
            subprotocols=[V1_PROTOCOL],
        )
        while (message := await ws.read_message()) is not None:
            if isinstance(message, str) or b"pbi-tile-value" not in message:
                continue
            header, content = v1_parts(message, 1), v1_parts(message, 4)
            if json.loads(header)["msg_type"] != "comm_msg":
                continue
            value = json.loads(content)["data"].get("state", {}).get("value", "")
            if match := self.VALUE.search(value):
                changes.append((time.time(), html.unescape(match.group(1))))

    def last(self, i: int) -> str | None:
        return self.viewers[i][-1][1] if self.viewers[i] else None

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)


def run_events(conn, first_id: int, events: int, rate: float) -> list[float]:
    """Insert `events` sales of $1.00 at `rate` per second; their commit times (epoch s)."""
    commits = []
    t0 = time.perf_counter() + 0.2
    with conn.cursor() as cur:
        for i in range(events):
            target = t0 + i / rate
            while (left := target - time.perf_counter()) > 0:
                time.sleep(left)
            cur.execute(SALE, (first_id + i, 1 + i % 4, "1.00"))  # autocommit: returns after commit
            commits.append(time.time())
    return commits


def measure(pages, remote, conn, sub, sub_times, first_id, events, rate) -> dict:
    """Latency per event and viewer: Chromium tabs (DOM change) and remote viewers (arrival)."""
    sub_base = float(sub.values["net_revenue.today"]["v"])
    base = [money(p.evaluate("() => window.__changes.at(-1)[1]")) for p in pages]
    sub_times.clear()
    commits = run_events(conn, first_id, events, rate)
    deadline = time.monotonic() + 30
    for page, b in zip(pages, base, strict=True):
        while money(page.evaluate("() => window.__changes.at(-1)[1]")) < b + events:
            if time.monotonic() > deadline:
                raise RuntimeError("the tiles did not reach the final total in 30 s")
            time.sleep(0.05)
    for i in range(len(remote.viewers) if remote else 0):
        while money(remote.last(i) or "0") < sub_base + events:
            if time.monotonic() > deadline:
                raise RuntimeError("the remote viewers did not reach the final total in 30 s")
            time.sleep(0.05)

    def latencies(changes: list[tuple[float, float]], b: float) -> tuple[list[float], int]:
        out, missed = [], 0
        for i, committed in enumerate(commits, start=1):
            seen = next((t for t, v in changes if v >= b + i - 0.001 and t >= committed), None)
            if seen is None:
                missed += 1
            else:
                out.append((seen - committed) * 1000)
        return out, missed

    dom, missed = [], 0
    for page, b in zip(pages, base, strict=True):
        changes = [(t / 1000, money(s)) for t, s in page.evaluate("() => window.__changes")]
        got, lost = latencies(changes, b)
        dom += got
        missed += lost
    arrived = []
    for changes in remote.viewers if remote else []:
        got, lost = latencies([(t, money(s)) for t, s in changes], sub_base)
        arrived += got
        missed += lost
    sub_ms, _ = latencies(list(sub_times), sub_base)
    return {
        "pages": len(pages) + (len(remote.viewers) if remote else 0),
        "tabs": len(pages),
        "events": events,
        "rate": rate,
        "samples": len(dom) + len(arrived),
        "missed": missed,
        "dom_p50_ms": percentile(dom, 0.5) if dom else None,
        "dom_p95_ms": percentile(dom, 0.95) if dom else None,
        "dom_max_ms": max(dom) if dom else None,
        "remote_p50_ms": percentile(arrived, 0.5) if arrived else None,
        "remote_p95_ms": percentile(arrived, 0.95) if arrived else None,
        "subscriber_p50_ms": percentile(sub_ms, 0.5) if sub_ms else None,
        "subscriber_p95_ms": percentile(sub_ms, 0.95) if sub_ms else None,
    }


# a LISTENer in a process of its own (in this one it would compete for the GIL)
DRAIN = """
import json, select, sys, psycopg2
conn = psycopg2.connect(**json.loads(sys.argv[1])); conn.autocommit = True
conn.cursor().execute("listen pulsebi_crm")
while True:
    if select.select([conn], [], [], 1)[0]:
        conn.poll(); conn.notifies.clear()
"""

# --- the trigger's cost -------------------------------------------------------------------------


# How a CRM writes: its own transaction per INSERT (commit waits for the WAL flush), the same
# without waiting for the disk (the trigger's share is largest there), and statements inside
# one open transaction (CPU only: the NOTIFY goes at commit).
TRIGGER_CASES = {
    "autocommit": (True, "on"),
    "autocommit_no_flush": (True, "off"),
    "in_transaction": (False, "on"),
}


def trigger_cost(dsn: dict, rounds: int, block: int) -> dict:
    """Median per-INSERT time, triggers on vs off, in interleaved blocks, a LISTENer draining."""
    conn = psycopg2.connect(**dsn)
    conn.autocommit = True
    listener = subprocess.Popen([sys.executable, "-c", DRAIN, json.dumps(dsn)])
    cur = conn.cursor()
    next_id = [50_000_000]
    samples: dict[tuple[str, str], list[float]] = {}

    def block_of(autocommit: bool) -> float:
        times = []
        conn.autocommit = autocommit
        for _ in range(block):
            next_id[0] += 1
            t = time.perf_counter()
            cur.execute(SALE, (next_id[0], 1 + next_id[0] % 4, "10.00"))
            times.append(time.perf_counter() - t)
        if not autocommit:
            conn.commit()
        conn.autocommit = True
        return statistics.median(times) * 1e6

    def triggers(mode: str) -> None:
        action = "disable" if mode == "off" else "enable"
        cur.execute(f"alter table crm.sales {action} trigger pulsebi_notify_ins")

    for _ in range(rounds):
        for case, (autocommit, flush) in TRIGGER_CASES.items():
            cur.execute("select set_config('synchronous_commit', %s, false)", (flush,))
            for mode in ("off", "on"):
                triggers(mode)
                block_of(autocommit)  # warm-up
                samples.setdefault((case, mode), []).append(block_of(autocommit))
    cur.execute("select set_config('synchronous_commit', 'on', false)")
    # a bulk load: one INSERT ... SELECT of 100k rows over 4 branches
    bulk = {}
    for mode in ("off", "on", "off", "on"):
        triggers(mode)
        start_id = next_id[0] + 1
        next_id[0] += 100_000
        t = time.perf_counter()
        cur.execute(
            "insert into crm.sales select g, 1, null, 1 + g %% 4, now(), 10, 0.1, 'roof', "
            "'active', null, null from generate_series(%s, %s) g",
            (start_id, next_id[0]),
        )
        bulk[mode] = (time.perf_counter() - t) * 1000
    triggers("on")
    listener.terminate()
    listener.wait(10)
    conn.close()
    out: dict = {"rounds": rounds, "block": block}
    for case in TRIGGER_CASES:
        off = statistics.median(samples[(case, "off")])
        on = statistics.median(samples[(case, "on")])
        out[case] = {
            "off_us": off,
            "on_us": on,
            "added_us": on - off,
            "added_pct": (on / off - 1) * 100,
        }
    out["bulk_100k_ms"] = bulk
    return out


# --- main ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/pulsebi_bench_live"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--events", type=int, default=250)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--pages", default="1,20", help="comma-separated page counts")
    parser.add_argument(
        "--tabs", type=int, help="dashboards in Chromium here (the rest: viewers elsewhere)"
    )
    parser.add_argument("--trigger-rounds", type=int, default=15)
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--skip-trigger", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="pulsebi-bench-live-"))
    namespace = f"bench-live-{os.getpid()}"
    env = dict(
        os.environ,
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        PULSEBI_NAMESPACE=namespace,
        PULSEBI_DATA_DIR=str(work / "data"),
    )
    settings = load_settings(env)
    make_database(args.database_url)
    prepare(settings)
    engine = get_engine(settings)
    _, dsn = engine.dialect.create_connect_args(engine.url)
    results: dict = {"runs": []}
    try:
        if not args.skip_browser:
            results["runs"] = browser_runs(args, env, settings, work, dsn)
        # the worker is stopped by now: a LISTENer that only drains stands for it
        if not args.skip_trigger:
            results["trigger"] = trigger_cost(dsn, args.trigger_rounds, 200)
    finally:
        engine.dispose()
        shutil.rmtree(work, ignore_errors=True)
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def browser_runs(args, env, settings, work: Path, dsn: dict) -> list[dict]:
    from playwright.sync_api import sync_playwright

    from pulsebi.live.subscriber import LiveSubscriber

    procs: list[subprocess.Popen] = []
    procs.append(start([sys.executable, "-m", "pulsebi.live"], env, work / "worker.log"))
    port = free_port()
    token = "bench-live-token"
    pulsebi = str(Path(sys.executable).with_name("pulsebi"))
    serve_env = dict(env, PULSEBI_SERVE_TOKEN=token, PULSEBI_SERVE_POOL="0")
    procs.append(
        start(
            [pulsebi, "serve", "--port", str(port), "--dir", str(NOTEBOOK.parent)],
            serve_env,
            work / "serve.log",
        )
    )
    wait_http(f"http://127.0.0.1:{port}/login")
    url = (
        f"http://127.0.0.1:{port}/voila/render/{NOTEBOOK.parent.name}/{NOTEBOOK.name}?token={token}"
    )
    sub_times: list[tuple[float, float]] = []
    sub = LiveSubscriber(settings, frame=0.0).start()  # the pipeline alone, no frame pacing

    def record(update) -> None:
        if update.value is not None:
            sub_times.append((time.time(), update.value))

    sub.subscribe("net_revenue.today", record)
    remote = RemoteViewers(url, port, token)
    conn = psycopg2.connect(**dsn)
    conn.autocommit = True
    runs = []
    first_id = 1
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pages: list = []
            for count in [int(n) for n in args.pages.split(",")]:
                tabs = count if args.tabs is None else min(args.tabs, count)
                open_pages(browser, url, tabs, pages)
                remote.open(count - tabs - len(remote.viewers))
                time.sleep(2)  # let the kernels settle
                print(f"measuring with {count} page(s), {tabs} in Chromium...", flush=True)
                runs.append(
                    measure(pages, remote, conn, sub, sub_times, first_id, args.events, args.rate)
                )
                first_id += args.events
            browser.close()
    finally:
        remote.stop()
        sub.stop()
        conn.close()
        stop(procs)
    return runs


def report(results: dict) -> None:
    for run in results["runs"]:
        where = f"{run['pages']:>3} page(s), {run['tabs']} in Chromium"
        parts = []
        if run["dom_p50_ms"] is not None:
            parts.append(
                f"commit→DOM p50 {run['dom_p50_ms']:.1f} ms, p95 {run['dom_p95_ms']:.1f} "
                f"ms, max {run['dom_max_ms']:.1f} ms"
            )
        if run["remote_p50_ms"] is not None:
            parts.append(
                f"commit→remote viewer p50 {run['remote_p50_ms']:.1f} ms, "
                f"p95 {run['remote_p95_ms']:.1f} ms"
            )
        parts.append(
            f"commit→subscriber p50 {run['subscriber_p50_ms']:.1f} ms, "
            f"p95 {run['subscriber_p95_ms']:.1f} ms"
        )
        print(
            f"{where}, {run['events']} events at {run['rate']:.0f}/s ({run['samples']} "
            f"samples, {run['missed']} missed): " + "; ".join(parts)
        )
    t = results.get("trigger")
    if t:
        for case in TRIGGER_CASES:
            c = t[case]
            print(
                f"trigger, {case}: INSERT {c['off_us']:.0f} µs → {c['on_us']:.0f} µs "
                f"(+{c['added_us']:.0f} µs, {c['added_pct']:+.1f}%)"
            )
        bulk = t["bulk_100k_ms"]
        print(
            f"trigger, bulk INSERT ... SELECT of 100k rows: {bulk['off']:.0f} ms → "
            f"{bulk['on']:.0f} ms (4 notifications)"
        )


if __name__ == "__main__":
    main()
