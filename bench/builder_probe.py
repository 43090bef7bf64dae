"""Helpers of builder_latency.py: the in-page probes, a real pointer drag, the metric cache
flushed, and the builder's redraw profiled in this process (no browser, no kernel)."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

# Armed before each drop, in the builder page: `expected` is how many drawn lines (`path.line`:
# a solid line per series, and a dashed one for a partial month) the preview shows once it
# holds the new figures; -1: any other count than before the drop. Times are performance.now()
# (ms, the page's clock).
DROP_ARM = """(expected) => {
  const root = document.querySelector('.pbi-builder-preview');
  const lines = () => [...root.querySelectorAll('path.line')];
  const signature = () => lines().map((p) => p.getAttribute('d') || '').join('|');
  const before = signature();
  const count = lines().length;
  const s = {up: null, seen: null, painted: null, last: null, mutations: 0};
  const ready = () => {
    const drawn = lines();
    return (expected < 0 ? drawn.length !== count : drawn.length === expected)
      && drawn.every((p) => (p.getAttribute('d') || '').length > 1)
      && signature() !== before;
  };
  window.addEventListener('pointerup', (e) => { s.up = e.timeStamp; },
                          {capture: true, once: true});
  const observer = new MutationObserver(() => {
    if (s.up === null) return;
    const now = performance.now();
    s.last = now;
    s.mutations += 1;
    if (s.seen === null && ready()) {
      s.seen = now;
      requestAnimationFrame(() => setTimeout(() => { s.painted = performance.now(); }, 0));
    }
  });
  observer.observe(root, {subtree: true, childList: true, attributes: true,
                          characterData: true});
  s.stop = () => observer.disconnect();
  window.__pbiDrop = s;
}"""

# An init script: the first animation frame (ms since the navigation started) in which an
# element matching __SELECTOR__ is visible, checked on every frame from the document's start.
PAINT_WATCH = """
window.__pbiPainted = null;
(function watch() {
  const selector = '__SELECTOR__';
  const frame = (t) => {
    for (const el of document.querySelectorAll(selector)) {
      if (el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})
          && el.getClientRects().length) {
        window.__pbiPainted = t;
        return;
      }
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();
"""


def drag(page, source, target) -> None:
    """A real pointer drag from `source` to the middle of `target` (as the browser tests)."""
    source.scroll_into_view_if_needed()
    box = source.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 8, y + 6, steps=2)
    target.scroll_into_view_if_needed()
    end = target.bounding_box()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=8)
    page.mouse.up()


def flush_metrics(namespace: str) -> int:
    """Delete every cached metric result of `namespace` (the data version stays)."""
    import redis

    from pulsebi.settings import get_settings

    client = redis.Redis.from_url(get_settings().redis_url)
    keys = list(client.scan_iter(f"{namespace}:metric:*", count=1000))
    if keys:
        client.delete(*keys)
    return len(keys)


def _encoded_bytes(widgets: list) -> int:
    """JSON of the widgets' states as the comm open messages carry them (buffers apart)."""
    from ipywidgets.widgets.widget import _remove_buffers

    size = 0
    for widget in widgets:
        state, _, buffers = _remove_buffers(widget.get_state())
        size += len(json.dumps(state)) + sum(len(memoryview(b).cast("B")) for b in buffers)
    return size


def profile_redraw(line_spec: dict, namespace: str, runs: int, stamp: Callable) -> list[str]:
    """The builder page's redraw, step by step, with and without branch in Series."""
    from ipywidgets.widgets.widget import _instances

    from pulsebi.builder import load_spec, report_blocks, run_spec
    from pulsebi.dashboards.builder_page import prepare

    page = prepare()
    zones = {
        "with branch": {"values": ["net_revenue"], "x": ["month"], "series": ["branch"]},
        "without": {"values": ["net_revenue"], "x": ["month"], "series": []},
    }
    steps = ["spec checked", "run_spec", "report_blocks", "_show_blocks (widgets)", "redraw()"]
    times = {(m, s): [] for m in ("uncached", "cached") for s in steps}
    sizes: list[int] = []
    when = stamp()
    for mode in ("uncached", "cached"):
        for i in range(runs + 1):
            for name in zones:
                page._quiet = True
                page.zones.zones = zones[name]
                page._quiet = False
                if mode == "uncached":
                    flush_metrics(namespace)
                t0 = time.perf_counter()
                spec = load_spec(page.document(), complete=False)
                t1 = time.perf_counter()
                result = run_spec(spec, settings=page.settings)
                t2 = time.perf_counter()
                blocks = report_blocks(result)
                t3 = time.perf_counter()
                before = set(_instances)
                page._show_blocks(blocks)
                t4 = time.perf_counter()
                if mode == "uncached":
                    flush_metrics(namespace)
                page.redraw()
                t5 = time.perf_counter()
                sizes.append(_encoded_bytes([_instances[k] for k in set(_instances) - before]))
                if i:  # the first round warms imports and statements up
                    for step, a, b in zip(
                        steps, (t0, t1, t2, t3, t0), (t1, t2, t3, t4, t4), strict=True
                    ):
                        times[mode, step].append((b - a) * 1000)
                    times[mode, "redraw()"][-1] = (t5 - t4) * 1000
    lines = [
        f"Redraw in one process ({when}; {runs} × 2 specs per mode; `redraw()` is the page's "
        "own, timed apart):",
        "",
        "| step | uncached p50 / p95 | cached p50 / p95 |",
        "|---|---|---|",
    ]
    for step in steps:
        cells = []
        for mode in ("uncached", "cached"):
            values = sorted(times[mode, step])
            p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
            cells.append(f"{statistics.median(values):.1f} / {p95:.1f} ms")
        lines.append(f"| {step} | {' | '.join(cells)} |")
    lines += ["", f"New widgets' state per redraw: {statistics.median(sizes) / 1024:.0f} KiB.", ""]
    return lines
