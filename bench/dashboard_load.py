"""Dashboard load time in Chromium, preheated and cold, for every page; kernels' memory.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<database> \\
    REDIS_URL=redis://127.0.0.1:6379/0 python bench/dashboard_load.py [--pages a.ipynb,b.ipynb]

For each mode it starts its own `pulsebi serve` (main deployment, which preheats every page:
`--pool` kernels for the home page, one for each other page; cold: none) on a free port, logs in
once, then opens each page (default: every page of the deployment) `--loads` times in Debian's
Chromium: time from the request to the page's first figure visible — a ready KPI tile's value
(not a loading placeholder) on dashboards and scorecards, the first table on reconciliation pages
— shown first by the page's first paint (server-rendered HTML, `pulsebi.dashboards.first_paint`)
where the page has one, then by the live widgets, which are timed too; and when Chromium painted
the first tile value (Element Timing). Each page is closed like a tab (its kernel is shut down).
Before the next load the server and its kernels must be idle: in the preheated mode the pools
then hold kernels that have prepared their page, so each load sees a warm pool (viewers arrive
one by one, not twenty in the same second). While a page is open, the resident memory of its
kernel process is read; with the server idle, the memory of all its kernels (the pools' cost).
Prints a Markdown report (copied into bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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
FIRST_TILE_PAINT = "window.__tilePaints.length ? Math.min(...window.__tilePaints) : null"


TILE = '.pbi-tile[data-state="ready"] .pbi-tile-value'
TABLE = ".pbi-table"  # reconciliation pages: the summary table


def selectors(page: str, selector: str | None) -> tuple[str, str]:
    """(first figure, the same drawn by the live widgets) for `page`."""
    if selector:
        return selector, f".pbi-page {selector}"
    if "reconciliation/" in page:
        return TABLE, f".pbi-reconcile {TABLE}"
    return TILE, f".pbi-page {TILE}"


def measure(browser, server: Server, args: argparse.Namespace, page_path: str, kernels: int):
    first, live_selector = selectors(page_path, args.selector)
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_init_script(RECORD_TILE_PAINTS)
    login = context.new_page()
    login.goto(f"{server.url}api/kernels?token={TOKEN}")  # sets the login cookie
    login.close()
    url = f"{server.url}voila/render/{page_path}"
    times, live, painted, kernel_rss = [], [], [], []
    for _ in range(args.loads):
        server.wait_for_kernels(kernels)
        server.wait_until_quiet()
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=180_000)
        page.locator(f"{first} >> visible=true").first.wait_for(timeout=180_000)
        times.append(time.perf_counter() - start)
        page.locator(f"{live_selector} >> visible=true").first.wait_for(timeout=180_000)
        live.append(time.perf_counter() - start)
        first_tile = page.evaluate(FIRST_TILE_PAINT)
        if first_tile is not None:
            painted.append(first_tile / 1000)
        config = json.loads(page.inner_text("#jupyter-config-data"))
        time.sleep(1)
        rss = server.kernel_rss(config["kernelId"])
        if rss:
            kernel_rss.append(rss)
        page.close(run_before_unload=True)
    context.close()
    server.wait_for_kernels(kernels)
    return {"times": times, "live": live, "painted": painted, "kernel_rss": kernel_rss}


def idle_memory(server: Server) -> tuple[int, int]:
    """(the server's RSS, the sum of its kernels' RSS) while nobody visits."""
    kernels = 0
    for child in psutil.Process(server.process.pid).children(recursive=True):
        try:
            if "ipykernel" in " ".join(child.cmdline()):
                kernels += child.memory_info().rss
        except psutil.Error:
            continue
    return server.rss(), kernels


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def seconds(values: list[float]) -> str:
    if not values:
        return "n/a"
    return f"{statistics.median(values):.2f} / {percentile(values, 0.95):.2f} s"


def report(results: dict[str, dict], memory: dict[str, tuple], args: argparse.Namespace) -> str:
    lines = [
        f"{args.loads} loads per page and mode. *Visible*: request → first figure visible to "
        "Playwright (a ready tile's value; on reconciliation pages the first table), from the "
        "first paint or the live widget; *painted*: when Chromium painted the first tile value "
        "(Element Timing, since the navigation started); *live*: the same figure drawn by the "
        "live widgets.",
        "",
        "| mode | page | visible p50 / p95 | min / max | painted p50 / p95 | live p50 / p95 "
        "| kernel RSS (median) |",
        "|---|---|---|---|---|---|---|",
    ]
    for (mode, page), result in results.items():
        t, rss = result["times"], result["kernel_rss"]
        rss_text = f"{statistics.median(rss) / 2**20:.0f} MiB" if rss else "n/a"
        lines.append(
            f"| {mode} | `{page}` | {seconds(t)} | {min(t):.2f} / {max(t):.2f} s "
            f"| {seconds(result['painted'])} | {seconds(result['live'])} | {rss_text} |"
        )
    lines.append("")
    for mode, (server_rss, kernels_rss, count) in memory.items():
        lines.append(
            f"- {mode}, idle: server {server_rss / 2**20:.0f} MiB, {count} kernel(s) waiting "
            f"holding {kernels_rss / 2**20:.0f} MiB"
        )
    return "\n".join(lines)


def served_pages(pool: int) -> tuple[list[str], int]:
    """The main deployment's pages (home first) and how many kernels its pools hold."""
    from pulsebi.serve.app import pool_size, preheat_pages
    from pulsebi.serve.deployment import get_deployment, prepare_dirs
    from pulsebi.settings import get_settings

    settings = get_settings()
    deployment = get_deployment("main")
    with tempfile.TemporaryDirectory() as tmp:
        root, _ = prepare_dirs(deployment, settings.replace(data_dir=Path(tmp)))
        pages = list(preheat_pages(deployment, root))
    settings = settings.replace(serve_pool=pool)
    return pages, sum(pool_size(p, deployment.home, settings) for p in pages)


def keep_accounting_export(data_dir: Path) -> None:
    """The CRM vs accounting page reads the data dir's accounting.csv (`pulsebi seed` writes it):
    the servers' own data dir gets a copy."""
    from pulsebi.settings import get_settings

    export = get_settings().data_dir / "accounting.csv"
    if export.is_file():
        shutil.copy(export, data_dir / "accounting.csv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", default="", help="comma-separated; default: every page")
    parser.add_argument("--selector", default=None, help="the first figure's CSS selector")
    parser.add_argument("--dir", action="append", default=[], help="serve this directory instead")
    parser.add_argument("--loads", type=int, default=10)
    parser.add_argument("--pool", type=int, default=2)
    parser.add_argument("--modes", default="preheated,cold")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    every, pooled = served_pages(args.pool)
    pages = [p for p in args.pages.split(",") if p] or every
    args.page = pages[0]  # the page --dir preheats
    results, memory = {}, {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        keep_accounting_export(Path(tmp))
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        for mode in args.modes.split(","):
            pool = args.pool if mode == "preheated" else 0
            kernels = (pooled if not args.dir else pool) if pool else 0
            server = Server(args, pool, Path(tmp))
            try:
                server.wait_for_kernels(kernels)
                server.wait_until_quiet()
                memory[mode] = (*idle_memory(server), kernels)
                for page in pages:
                    results[mode, page] = measure(browser, server, args, page, kernels)
                    times = [round(t, 2) for t in results[mode, page]["times"]]
                    print(f"{mode} {page}: {times}", file=sys.stderr)
            finally:
                server.stop()
        browser.close()
    print(report(results, memory, args))


if __name__ == "__main__":
    main()
