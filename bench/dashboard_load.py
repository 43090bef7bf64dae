"""Dashboard load time in Chromium, with and without preheated kernels, and a kernel's memory.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/pulsebi_bench \\
    REDIS_URL=redis://127.0.0.1:6379/0 python bench/dashboard_load.py

For each mode it starts its own `pulsebi serve` (main deployment; `--dir` to serve another
directory) on a free port, logs in once, then loads the page `--loads` times in Debian's Chromium:
time from the request to the first `--selector` element visible (default: a ready KPI tile's
value, not a loading placeholder) — shown first by the page's first paint (server-rendered HTML,
`pulsebi.dashboards.first_paint`), then by the live widgets, which are timed too — and when
Chromium painted it (Element Timing).
Each page is closed like a tab (its kernel is shut down). Before the next load the server and
its kernels must be idle: in the preheated mode the pool then holds a kernel that has run
everything above `request_params()`, so each load sees a warm pool (executives arrive one by one,
not twenty in the same second). While a page is open, the resident memory of its
kernel process is read. Prints a Markdown report (copied into bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
TOKEN = "bench-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, args: argparse.Namespace, pool: int, data_dir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {
            **os.environ,
            "PULSEBI_SERVE_TOKEN": TOKEN,
            "PULSEBI_SERVE_POOL": str(pool),
            "PULSEBI_SERVE_CULL": "0",
            "PULSEBI_DATA_DIR": str(data_dir),
        }
        argv = ["pulsebi", "serve", "--port", str(self.port)]
        for directory in args.dir:
            argv += ["--dir", directory]
        if args.dir:
            argv += ["--preheat", args.page]
        self.log = open(data_dir / f"serve-{pool}.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            argv, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 120
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"pulsebi serve did not start; see {self.log.name}")
            time.sleep(0.3)

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "login", timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    def kernels(self) -> list[dict]:
        request = urllib.request.Request(self.url + "api/kernels")
        request.add_header("Authorization", f"token {TOKEN}")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def wait_for_kernels(self, count: int, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while len(self.kernels()) != count:
            if time.monotonic() > deadline:
                sys.exit(f"the server never settled at {count} kernels")
            time.sleep(0.25)

    def kernel_rss(self, kernel_id: str) -> int | None:
        for child in psutil.Process(self.process.pid).children(recursive=True):
            try:
                if any(kernel_id in part for part in child.cmdline()):
                    return child.memory_info().rss
            except psutil.Error:
                continue
        return None

    def wait_until_quiet(self, timeout: float = 180) -> None:
        """Until the server and its kernels use (almost) no CPU for a second: a preheated
        kernel has then run the cells above request_params() and waits for a visitor."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            before = self.cpu_seconds()
            time.sleep(1)
            if self.cpu_seconds() - before < 0.05:
                return
        sys.exit("the server never became idle")

    def cpu_seconds(self) -> float:
        total = 0.0
        server = psutil.Process(self.process.pid)
        for process in (server, *server.children(recursive=True)):
            try:
                times = process.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                continue
        return total

    def rss(self) -> int:
        return psutil.Process(self.process.pid).memory_info().rss

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


# When Chromium first painted a tile's value (Element Timing: tiles mark their value with
# `elementtiming`), in ms since the navigation started; the page buffers the entries itself.
RECORD_TILE_PAINTS = """
window.__tilePaints = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__tilePaints.push(entry.renderTime);
}).observe({type: "element", buffered: true});
"""
FIRST_TILE_PAINT = "Math.min(...window.__tilePaints)"


def measure(browser, server: Server, args: argparse.Namespace, pool: int) -> dict:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_init_script(RECORD_TILE_PAINTS)
    login = context.new_page()
    login.goto(f"{server.url}api/kernels?token={TOKEN}")  # sets the login cookie
    login.close()
    url = f"{server.url}voila/render/{args.page}"
    times, live, painted, kernel_rss = [], [], [], []
    for _ in range(args.loads):
        server.wait_for_kernels(pool)
        server.wait_until_quiet()
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=180_000)
        page.wait_for_selector(args.selector, state="visible", timeout=180_000)
        times.append(time.perf_counter() - start)
        page.wait_for_selector(f".pbi-page {args.selector}", state="visible", timeout=180_000)
        live.append(time.perf_counter() - start)
        painted.append(page.evaluate(FIRST_TILE_PAINT) / 1000)
        config = json.loads(page.inner_text("#jupyter-config-data"))
        time.sleep(1)
        rss = server.kernel_rss(config["kernelId"])
        if rss:
            kernel_rss.append(rss)
        page.close(run_before_unload=True)
    context.close()
    server.wait_for_kernels(pool)
    return {
        "times": times,
        "live": live,
        "painted": painted,
        "kernel_rss": kernel_rss,
        "server_rss": server.rss(),
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(results: dict[str, dict], args: argparse.Namespace) -> str:
    lines = [
        f"Page `{args.page}`, {args.loads} loads per mode. *Visible*: request → first "
        f"`{args.selector}` visible to Playwright (its first paint or the live widget); "
        "*painted*: when Chromium painted the first tile value (Element Timing, ms since the "
        "navigation started); *live*: the same tile drawn by the live widget.",
        "",
        "| mode | visible p50 / p95 | min / max | painted p50 / p95 | live p50 / p95 "
        "| kernel RSS (median) | server RSS |",
        "|---|---|---|---|---|---|---|",
    ]
    for mode, result in results.items():
        t, painted, live = result["times"], result["painted"], result["live"]
        rss = result["kernel_rss"]
        rss_text = f"{statistics.median(rss) / 2**20:.0f} MiB" if rss else "n/a"
        lines.append(
            f"| {mode} | {statistics.median(t):.2f} / {percentile(t, 0.95):.2f} s "
            f"| {min(t):.2f} / {max(t):.2f} s "
            f"| {statistics.median(painted):.2f} / {percentile(painted, 0.95):.2f} s "
            f"| {statistics.median(live):.2f} / {percentile(live, 0.95):.2f} s | {rss_text} | "
            f"{result['server_rss'] / 2**20:.0f} MiB |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--page", default="notebooks/executive.ipynb")
    parser.add_argument("--selector", default='.pbi-tile[data-state="ready"] .pbi-tile-value')
    parser.add_argument("--dir", action="append", default=[], help="serve this directory instead")
    parser.add_argument("--loads", type=int, default=20)
    parser.add_argument("--pool", type=int, default=2)
    parser.add_argument("--modes", default="preheated,cold")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        for mode in args.modes.split(","):
            pool = args.pool if mode == "preheated" else 0
            server = Server(args, pool, Path(tmp))
            try:
                results[mode] = measure(browser, server, args, pool)
            finally:
                server.stop()
            print(f"{mode}: {[round(t, 2) for t in results[mode]['times']]}", file=sys.stderr)
        browser.close()
    print(report(results, args))


if __name__ == "__main__":
    main()
