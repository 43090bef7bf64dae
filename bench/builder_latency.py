"""Report builder latency in Chromium: a drop to the preview redrawn; a saved report's first paint.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/pulsebi_bench \\
    REDIS_URL=redis://127.0.0.1:6379/0 python bench/builder_latency.py [--drops 20] [--opens 10]
        [--parts drops,opens,profile] [--pool 1] [--snapshots]

Starts its own `pulsebi serve --dir notebooks` with kernels preheated for the three pages it
opens (`--pool` for the executive dashboard, one for the others; a Redis namespace of its own
so flushing its metric cache touches nobody else's keys), logs in, then:

- *drops*: opens notebooks/report_builder.ipynb, builds net revenue × month, Line, last 12
  months with real pointer drags, then toggles branch in and out of Series by dragging (in: a
  line per branch; out: one line), `--drops` times per mode. In the page, a capture listener
  takes the pointerup's `event.timeStamp` and a MutationObserver on `.pbi-builder-preview`
  notes the first mutation after which the preview holds the new lines (the expected count of
  `path.line`, each drawn, different from before the drop); the *painted* time is taken in a
  `setTimeout(0)` queued from the next `requestAnimationFrame` (the frame that paints it).
  *Settled* is the last mutation before 0.8 s of quiet (bqplot's 300 ms transitions included).
  *Uncached*: every `<namespace>:metric:*` key deleted before each drop (the views answer);
  *cached*: the same drops again (the spec of each direction computed before).
- *opens*: a saved line report (net revenue × month × branch), a saved table report (net
  revenue and leads by branch) and notebooks/executive.ipynb, opened in turn `--opens` times
  each, each load waiting for an idle server with its pools full (as `dashboard_load.py`):
  *visible* = request → first figure visible to Playwright; *painted* = ms since the navigation
  started of the first animation frame in which the figure is visible (a rAF loop in the page);
  *live* = the same figure drawn by the live widgets. First figure: executive, a ready tile's
  value; table report, its table; line report, the first paint's chart box (its figures come
  with the live chart, `path.line`).
- *profile*: the builder's redraw in this process (no browser) on the same specs: spec checked,
  `run_spec` (cached / uncached), `report_blocks`, `_show_blocks` (the bqplot widgets built or
  updated) and the widgets' state serialized as the kernel sends it.

Prints Markdown (copied into bench/README.md); each run gives its time and load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from builder_probe import DROP_ARM, PAINT_WATCH, drag, flush_metrics, profile_redraw
from dashboard_load import CHROMIUM_ARGS, TOKEN, Server, keep_accounting_export

NAMESPACE = "pulsebi_bench_builder"
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
BUILDER = "notebooks/report_builder.ipynb"
EXECUTIVE = "notebooks/executive.ipynb"
SAVED = "notebooks/custom_report.ipynb"
LINE_SPEC = {
    "title": "Bench: revenue by branch",
    "visual": "line",
    "values": ["net_revenue"],
    "x": "month",
    "series": "branch",
    "dates": {"preset": "last_12_months"},
}
TABLE_SPEC = {
    "title": "Bench: revenue and leads by branch",
    "visual": "table",
    "values": ["net_revenue", "leads"],
    "x": "branch",
    "dates": {"preset": "last_12_months"},
}
TILE = '.pbi-tile[data-state="ready"] .pbi-tile-value'


class PagesServer(Server):
    """`dashboard_load.Server` over notebooks/ with kernels preheated for `pages` only: the
    main deployment's reconciliation kernels each hold 5-7 GB on the 5M-row set and keep the
    machine busy for minutes (the pages measured here do not need them)."""

    def __init__(self, args: argparse.Namespace, pool: int, data_dir: Path, pages: list[str]):
        import subprocess

        from dashboard_load import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {
            **os.environ,
            "PULSEBI_SERVE_TOKEN": TOKEN,
            "PULSEBI_SERVE_POOL": str(pool),
            "PULSEBI_SERVE_CULL": "0",
            "PULSEBI_DATA_DIR": str(data_dir),
        }
        argv = ["pulsebi", "serve", "--port", str(self.port), "--dir", str(NOTEBOOKS)]
        if args.snapshots:
            argv.append("--snapshots")
        for page in pages:
            argv += ["--preheat", page]
        self.log = open(data_dir / "serve.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            argv, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 120
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"pulsebi serve did not start; see {self.log.name}")
            time.sleep(0.3)


def load() -> str:
    return "/".join(f"{v:.1f}" for v in os.getloadavg())


def stamp() -> str:
    return f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load {load()}"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ms(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} / {pct(values, 0.95):.0f} ms" if values else "n/a"


def login(browser, server: Server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{server.url}api/kernels?token={TOKEN}")  # sets the login cookie
    page.close()
    return context


def field(page, field_id: str):
    return page.locator(f'.pbi-fz-field[data-field="{field_id}"]')


def zone(page, zone_id: str):
    return page.locator(f'.pbi-fz-zone[data-zone="{zone_id}"]')


def one_drop(page, source, target, expected: int) -> dict[str, float]:
    """Drag `source` onto `target`; the page's timestamps (ms after the pointerup) and how
    many lines the preview drew."""
    page.evaluate(DROP_ARM, expected)
    drag(page, source, target)
    page.wait_for_function("() => window.__pbiDrop.painted !== null", timeout=120_000)
    page.wait_for_function("() => performance.now() - window.__pbiDrop.last > 800")
    s = page.evaluate("() => { const s = window.__pbiDrop; s.stop(); return s; }")
    lines = page.locator(".pbi-builder-preview path.line").count()
    return {**{k: s[k] - s["up"] for k in ("seen", "painted", "last")}, "lines": lines}


def measure_drops(browser, server: Server, args) -> dict[str, dict]:
    from playwright.sync_api import expect

    context = login(browser, server)
    page = context.new_page()
    page.goto(f"{server.url}voila/render/{BUILDER}", timeout=180_000)
    field(page, "net_revenue").wait_for(timeout=180_000)
    preview = page.locator(".pbi-builder-preview")
    drag(page, field(page, "net_revenue"), zone(page, "values"))
    drag(page, field(page, "month"), zone(page, "x"))
    page.locator(".pbi-builder-visual").get_by_role("button", name="Line", exact=True).click()
    page.locator(".pbi-builder-preset select").select_option(label="Last 12 months")
    expect(preview.locator("path.line").first).to_be_visible(timeout=120_000)
    time.sleep(1)
    heading = page.locator(".pbi-builder h1")
    chip = page.locator('.pbi-fz-chip[data-field="branch"]')

    counts = {False: preview.locator("path.line").count(), True: -1}  # with branch: learnt

    def toggle() -> dict[str, float]:
        if chip.count():  # branch out of Series: one series
            return one_drop(page, chip, heading, counts[False])
        drop = one_drop(page, field(page, "branch"), zone(page, "series"), counts[True])
        counts[True] = drop["lines"]  # a line per branch (and their partial months)
        return drop

    toggle(), toggle()  # in and out once: the line count with branch in Series
    results = {}
    for mode in args.modes.split(","):
        if mode == "cached":
            toggle(), toggle()  # both directions computed once
        when, rows = stamp(), []
        for _ in range(args.drops):
            if mode == "uncached":
                flush_metrics(NAMESPACE)
            rows.append(toggle())
            time.sleep(0.3)
        results[mode] = {"when": when, "after": load(), "rows": rows}
        print(f"{mode}: {[round(r['painted']) for r in rows]}", file=sys.stderr)
    page.close(run_before_unload=True)
    context.close()
    return results


def open_page(context, server: Server, path: str, first: str, live: str, kernels: int):
    server.wait_for_kernels(kernels)
    server.wait_until_quiet()
    page = context.new_page()
    page.add_init_script(PAINT_WATCH.replace("__SELECTOR__", first))
    start = time.perf_counter()
    page.goto(f"{server.url}voila/render/{path}", wait_until="commit", timeout=180_000)
    page.locator(f"{first} >> visible=true").first.wait_for(timeout=180_000)
    visible = time.perf_counter() - start
    page.locator(f"{live} >> visible=true").first.wait_for(timeout=180_000)
    shown_live = time.perf_counter() - start
    page.wait_for_function("() => window.__pbiPainted !== null", timeout=60_000)
    painted = page.evaluate("() => window.__pbiPainted") / 1000
    page.close(run_before_unload=True)
    return visible, painted, shown_live


def measure_opens(browser, server: Server, args, kernels: int, reports: dict[str, int]):
    pages = {
        "executive dashboard": (EXECUTIVE, TILE, f".pbi-page {TILE}"),
        "saved table report": (
            f"{SAVED}?report_id={reports['table']}",
            ".pbi-table",
            ".pbi-page .pbi-table",
        ),
        "saved line report": (
            f"{SAVED}?report_id={reports['line']}",
            ".pbi-first-paint-chart",
            ".pbi-page path.line",
        ),
    }
    context = login(browser, server)
    out = {name: {"visible": [], "painted": [], "live": []} for name in pages}
    when = stamp()
    for round_ in range(args.opens + 1):  # the first round warms the server up, not counted
        for name, (path, first, live) in pages.items():
            visible, painted, shown_live = open_page(context, server, path, first, live, kernels)
            if round_:
                out[name]["visible"].append(visible * 1000)
                out[name]["painted"].append(painted * 1000)
                out[name]["live"].append(shown_live * 1000)
            print(f"{name}: {visible:.2f} / {painted:.2f} / {shown_live:.2f} s", file=sys.stderr)
    context.close()
    return {"when": when, "after": load(), "pages": out}


def save_reports(settings) -> dict[str, int]:
    from pulsebi.builder import save_report

    return {
        "line": save_report(LINE_SPEC, by="bench", settings=settings).id,
        "table": save_report(TABLE_SPEC, by="bench", settings=settings).id,
    }


def drop_reports(settings, reports: dict[str, int]) -> None:
    from sqlalchemy import text

    from pulsebi.db import get_engine

    with get_engine(settings).begin() as conn:
        ids = list(reports.values())
        conn.execute(text("delete from bi.saved_reports where id = any(:ids)"), {"ids": ids})


def report(results: dict, args) -> str:
    lines = []
    if "drops" in results:
        lines += [
            "| when (start → end) | measure | p50 / p95 | min / max | settled p50 | n |",
            "|---|---|---|---|---|---|",
        ]
        for mode, run in results["drops"].items():
            painted = [r["painted"] for r in run["rows"]]
            seen = [r["seen"] for r in run["rows"]]
            settled = [r["last"] for r in run["rows"]]
            lines.append(
                f"| {run['when']} → load {run['after']} | drop → preview painted, {mode} "
                f"| {ms(painted)} | {min(painted):.0f} / {max(painted):.0f} ms "
                f"| {statistics.median(settled):.0f} ms | {len(painted)} |"
            )
            lines.append(f"| | (new lines in the DOM, {mode}) | {ms(seen)} | | | {len(seen)} |")
        lines.append("")
    if "opens" in results:
        run = results["opens"]
        lines += [
            f"Opens {run['when']} → load {run['after']}:",
            "",
            "| page | visible p50 / p95 | painted p50 / p95 | live p50 / p95 | n |",
            "|---|---|---|---|---|",
        ]
        for name, t in run["pages"].items():
            lines.append(
                f"| {name} | {ms(t['visible'])} | {ms(t['painted'])} | {ms(t['live'])} "
                f"| {len(t['visible'])} |"
            )
        lines.append("")
    if "profile" in results:
        lines += results["profile"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--drops", type=int, default=20)
    parser.add_argument("--opens", type=int, default=10)
    parser.add_argument("--parts", default="drops,opens,profile")
    parser.add_argument("--modes", default="uncached,cached")
    parser.add_argument("--pool", type=int, default=1)
    parser.add_argument("--snapshots", action="store_true", help="serve with --snapshots")
    parser.add_argument("--profile-runs", type=int, default=20)
    args = parser.parse_args()
    os.environ["PULSEBI_NAMESPACE"] = NAMESPACE
    if args.snapshots:
        os.environ["PULSEBI_SERVE_SNAPSHOTS"] = "on"
    from playwright.sync_api import sync_playwright

    from pulsebi.settings import get_settings

    settings = get_settings()
    parts = args.parts.split(",")
    results: dict = {}
    if "profile" in parts:
        results["profile"] = profile_redraw(LINE_SPEC, NAMESPACE, args.profile_runs, stamp)
    if "drops" in parts or "opens" in parts:
        pages = [EXECUTIVE, SAVED, BUILDER]
        kernels = args.pool + 2  # the pool for the home page (executive), one for the others
        reports = save_reports(settings) if "opens" in parts else {}
        try:
            with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
                keep_accounting_export(Path(tmp))
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
                )
                server = PagesServer(args, args.pool, Path(tmp), pages)
                try:
                    server.wait_for_kernels(kernels)
                    server.wait_until_quiet()
                    if "drops" in parts:
                        results["drops"] = measure_drops(browser, server, args)
                    if "opens" in parts:
                        results["opens"] = measure_opens(browser, server, args, kernels, reports)
                finally:
                    server.stop()
                    browser.close()
        finally:
            if reports:
                drop_reports(settings, reports)
    print(report(results, args))


if __name__ == "__main__":
    main()
