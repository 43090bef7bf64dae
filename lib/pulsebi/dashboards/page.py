"""A dashboard page: sections of declarative blocks, rendered live (Voilà) or static (Papermill).

A section is a title and a function `build(filters) -> list of blocks`. Blocks say what to show,
not how: `Tiles`, `Chart`, `Table`, `Scorecard`, `Html`. Static, each block becomes HTML/SVG
once. Live, each becomes a widget; when the filters change the page rebuilds the sections and
updates the widgets in place (tiles get new figures, charts are redrawn, tables get new rows), so
the page keeps its layout and the filter bar answers at once while the data follows.

When something goes wrong (`pulsebi.dashboards.notices`):
- a viewer's mistake in the URL (`?branch=XXX`) or the filter bar (a range that ends before it
  starts) is said in a notice above the page, which keeps working on the filters it shows;
- live, a section whose build raises shows, in its place only, a box with an error id; the
  traceback is logged with that id (the server's log under `pulsebi serve`);
- static (Papermill), any error fails the run: a report missing a section is never sent.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulsebi.charts import ChartSpec, current_mode, render, update_chart, use_mode
from pulsebi.charts.table import table_bundle, table_html, table_view
from pulsebi.dashboards.notices import crash_html, log_crash, notice_html
from pulsebi.errors import UsageError
from pulsebi.widgets.filters import Filters
from pulsebi.widgets.loadstate import finish_loading, start_loading

log = logging.getLogger(__name__)


@dataclass
class Tile:
    """One KPI tile; `live` names a live KPI (pulsebi.live.kpis) that keeps its value current."""

    label: str
    value: Any
    unit: str
    metric: str | None = None
    previous: Any = None
    comparison: str = ""
    note: str = ""
    key: str = ""
    live: str | None = None
    also: list[tuple[str, Any]] = field(default_factory=list)  # more comparisons

    def widget_kwargs(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "value": self.value,
            "unit": self.unit,
            "metric": self.metric,
            "previous": self.previous,
            "comparison": self.comparison,
            "note": self.note,
            "key": self.key,
            "also": list(self.also),
        }


@dataclass
class Tiles:
    tiles: list[Tile]
    columns: int | None = None


@dataclass
class Chart:
    spec: ChartSpec


@dataclass
class Table:
    df: Any
    name: str
    formats: Mapping[str, str] = field(default_factory=dict)
    export: bool = True
    chart: ChartSpec | None = None
    labels: Mapping[str, str] | None = None
    max_rows: int | None = 200
    caption: str | None = None  # the title above it; default `name` (a sheet's: ≤ 31 characters)


@dataclass
class Scorecard:
    """Metrics × comparisons (pulsebi.widgets.scorecard): `rows` has label, metric, unit, value
    and the comparison columns; `comparisons` maps a header to its column."""

    rows: Any
    name: str
    comparisons: Mapping[str, str]

    def widget_kwargs(self) -> dict[str, Any]:
        return {"rows": self.rows, "name": self.name, "comparisons": dict(self.comparisons)}


@dataclass
class Html:
    html: str


Block = Tiles | Chart | Table | Scorecard | Html


@dataclass
class Section:
    title: str
    build: Callable[[Filters], Sequence[Block]]


# --- static -----------------------------------------------------------------------------------


def _static_bundle(block: Block) -> dict[str, Any]:
    from pulsebi.widgets.grid import tiles_bundle

    if isinstance(block, Tiles):  # the HTML, and the exact figures for the workbook's summary
        return tiles_bundle([t.widget_kwargs() for t in block.tiles], block.columns)
    if isinstance(block, Chart):
        chart = render(block.spec, static=True)
        return {"image/svg+xml": chart.svg, "text/plain": f"<chart: {block.spec.title}>"}
    if isinstance(block, Scorecard):
        from pulsebi.widgets.scorecard import StaticScorecardTable

        return StaticScorecardTable(**block.widget_kwargs())._repr_mimebundle_()
    if isinstance(block, Table):
        return table_bundle(
            block.df,
            block.name,
            block.formats,
            block.export,
            block.chart,
            labels=block.labels,
            max_rows=block.max_rows,
            static=True,
            caption=block.caption,
        )
    return {"text/html": block.html}


# --- live -------------------------------------------------------------------------------------


class _LiveBlock:
    """A block's widget and how to put a newer block of the same shape into it."""

    def __init__(self, block: Block, branch: str | None):
        import ipywidgets as w

        self.block = block
        self.bindings: list[Any] = []
        if isinstance(block, Tiles):
            from pulsebi.widgets.grid import TileGrid
            from pulsebi.widgets.tile import KpiTile

            self.widget = TileGrid(
                [KpiTile(**t.widget_kwargs()) for t in block.tiles], block.columns
            )
            self._bind(branch)
        elif isinstance(block, Chart):
            self.widget = render(block.spec, static=False)
        elif isinstance(block, Scorecard):
            from pulsebi.widgets.scorecard import ScorecardTable

            self.widget = ScorecardTable(**block.widget_kwargs())
        elif isinstance(block, Table):
            self.widget = table_view(
                block.df,
                block.formats,
                labels=block.labels,
                caption=block.name if block.caption is None else block.caption,
                max_rows=block.max_rows,
            )
        else:
            self.widget = w.HTML(block.html)

    def fits(self, block: Block) -> bool:
        if type(block) is not type(self.block):
            return False
        if isinstance(block, Tiles):
            return len(block.tiles) == len(self.block.tiles)  # type: ignore[union-attr]
        if isinstance(block, Chart):
            return block.spec.kind == self.block.spec.kind  # type: ignore[union-attr]
        return True

    def put(self, block: Block, branch: str | None) -> None:
        if isinstance(block, Tiles):
            for tile, spec in zip(self.widget.children, block.tiles, strict=True):
                tile.update(**spec.widget_kwargs())
            self._bind(branch)
        elif isinstance(block, Chart):
            self.widget = update_chart(self.widget, block.spec)
        elif isinstance(block, Scorecard):
            self.widget.update(**block.widget_kwargs())
        elif isinstance(block, Table):
            self.widget.html = table_html(
                block.df,
                block.formats,
                labels=block.labels,
                caption=block.name if block.caption is None else block.caption,
                max_rows=block.max_rows,
            )
        else:
            self.widget.value = block.html
        self.block = block

    def close(self) -> None:
        """Stop the block's live updates (it leaves the page)."""
        for binding in self.bindings:
            binding.cancel()
        self.bindings = []

    def _bind(self, branch: str | None) -> None:
        self.close()
        tiles = self.block.tiles  # type: ignore[union-attr]
        if not any(t.live for t in tiles):
            return
        from pulsebi.live.tiles import bind_tile

        for widget, spec in zip(self.widget.children, tiles, strict=True):
            if spec.live:
                try:
                    self.bindings.append(bind_tile(widget, spec.live, branch=branch))
                except Exception:  # live updates are a bonus: the page works without them
                    log.warning("live updates unavailable for %s", spec.live, exc_info=True)


class Page:
    """Title, sections and the filters they share; `show()` displays it in the current mode."""

    def __init__(
        self,
        title: str,
        sections: Sequence[Section],
        filters: Filters,
        branches: Mapping[str, str],
        *,
        grains: Sequence[str] = ("day", "week", "month"),
        data_as_of: Callable[[], dt.datetime | None] | None = None,
        today: Callable[[], dt.date] | None = None,
    ):
        self.title = title
        self.sections = list(sections)
        self.filters = filters
        self.branches = dict(branches)
        self.grains = tuple(grains)
        self._data_as_of = data_as_of
        self._today = today
        self._live: list[list[_LiveBlock]] = []
        self._root: Any = None
        self._notice_text: str | None = None
        self._undo: list[tuple[Any, Any]] = []
        self._undo_lock = threading.Lock()
        self.parameters: dict[str, Any] = {}  # the notebook's, to re-read filters with a query

    # shared -----------------------------------------------------------------------------------
    def describe(self, filters: Filters) -> str:
        branch = self.branches.get(filters.branch or "", "All branches")
        through = filters.date_to - dt.timedelta(days=1)
        text = f"{branch} · {filters.date_from:%b %d, %Y} – {through:%b %d, %Y}"
        as_of = self._data_as_of() if self._data_as_of else None
        if as_of is not None:
            text += f" · data as of {as_of:%Y-%m-%d %H:%M %Z}"
        return text

    def header_html(self, filters: Filters) -> str:
        return (
            f'<div class="pbi-page-header"><h1 style="margin:0 0 4px">{html.escape(self.title)}'
            f'</h1><div class="pbi-page-context" style="color:#5b6473">'
            f"{html.escape(self.describe(filters))}</div></div>"
        )

    def show(self, static: bool | None = None) -> None:
        if static is not None:
            use_mode(static)
        if current_mode().static:
            self._show_static()
        else:
            from IPython.display import display

            from pulsebi.dashboards.first_paint import with_first_paint

            page = self.prepare()
            display(with_first_paint(page, self.first_paint_html(), self.title), raw=True)

    def present(self) -> None:
        """Show the page; live, first follow the serving request's query string (`?branch=DAL`).

        With a preheated kernel this waits for a viewer to ask for the page
        (`pulsebi.dashboards.request`); a mistake in the query string is said in a notice above
        the page, which shows the notebook's filters.
        """
        if not current_mode().static:
            from pulsebi.dashboards.request import request_params

            self.follow_request(request_params())
        self.show()

    def follow_request(self, query: Mapping[str, str]) -> None:
        """Show the filters the notebook's parameters and `query` ask for (also a new day's
        range in a page prepared yesterday); a viewer's mistake becomes the page's notice."""
        if not self.parameters:
            return
        from pulsebi.dashboards.filters import resolve_filters

        try:
            filters = resolve_filters(
                **self.parameters,
                known_branches=self.branches,
                grains=self.grains,
                query=query,
                today=self._today() if self._today else None,
            )
        except UsageError as error:
            self.notify(f"{error}. The page shows its default filters instead.")
            return
        self.apply(filters)

    def notify(self, message: str | None) -> None:
        """Say `message` above the page (None: nothing)."""
        self._notice_text = message
        notice = getattr(self, "_notice", None)  # the live page's, once built
        if notice is not None:
            notice.value = notice_html(message) if message else ""
            notice.layout.display = None if message else "none"

    def prepare(self) -> Any:
        """Compute every section and build the live page without showing it (a preheated
        kernel does this before anyone asks for the page); returns the page widget."""
        if self._root is None:
            self._root = self._build_live()
        return self._root

    def first_paint_html(self, svg_charts: bool = False) -> str:
        """The prepared live page as static HTML (see `pulsebi.dashboards.first_paint`); charts
        drawn as SVG only if `svg_charts` (a snapshot), else boxes the live charts fill."""
        from pulsebi.dashboards.first_paint import block_html, page_html

        branch = self.filters.branch
        sections = [
            (
                section.title,
                [block_html(b.block, b.widget, branch, svg_charts=svg_charts) for b in blocks],
            )
            for section, blocks in zip(self.sections, self._live, strict=True)
        ]
        return page_html(self.title, self._context.value, sections, self._notice.value)

    def close(self) -> None:
        """Stop the live tiles' updates (a page built only for its first paint: a snapshot)."""
        for blocks in self._live:
            for block in blocks:
                block.close()

    def apply(self, filters: Filters) -> None:
        """Show other filters (e.g. from the URL) in a prepared page: the bar shows them, the
        sections follow; nothing is recomputed when they are the ones already shown."""
        if filters == self.filters:
            return
        if self._root is not None:
            values = {"preset": filters.preset, "branch": filters.branch, "grain": filters.grain}
            if filters.preset == "custom":
                values.update(date_from=filters.date_from, date_to=filters.date_to)
            self.bar.set(notify=False, **values)
            self.refresh(filters)
        self.filters = filters

    # static -----------------------------------------------------------------------------------
    def _show_static(self) -> None:
        from IPython.display import HTML, display

        display(HTML(self.header_html(self.filters)))
        for section in self.sections:
            display(HTML(f"<h2>{html.escape(section.title)}</h2>"))
            for block in section.build(self.filters):  # raising fails the run: never half a report
                display(_static_bundle(block), raw=True)

    # live -------------------------------------------------------------------------------------
    def _build_live(self) -> Any:
        import ipywidgets as w

        from pulsebi.widgets.filters import FilterBar

        f = self.filters
        bar = FilterBar(
            self.branches,
            preset=f.preset,
            branch=f.branch,
            grain=f.grain,
            grains=self.grains,
            **({"date_from": f.date_from, "date_to": f.date_to} if f.preset == "custom" else {}),
        )
        self._context = w.HTML(self._context_html(f))
        self._notice = w.HTML()
        self._notice.add_class("pbi-page-notice")
        self.notify(self._notice_text)
        boxes = []
        for section in self.sections:
            blocks: list[_LiveBlock] = []
            self._build_section(section, f, blocks)
            self._live.append(blocks)
            boxes.append(w.VBox([b.widget for b in blocks], layout=w.Layout(width="100%")))
        self._boxes = boxes
        title = w.HTML(f"<h1 style='margin:0 0 4px'>{html.escape(self.title)}</h1>")
        parts = [title, self._notice, bar, self._context]
        for section, box in zip(self.sections, boxes, strict=True):
            parts += [w.HTML(f"<h2>{html.escape(section.title)}</h2>"), box]
        page = w.VBox(parts, layout=w.Layout(width="100%"))
        page.add_class("pbi-page")
        self.bar = bar
        for control in bar.children:
            control.observe(self._mark_loading, names="value")
        bar.on_change(self.refresh)
        self.follow_live()
        return page

    def follow_live(self) -> None:
        """Recompute the figures after each live CRM change, off the kernel's thread, so those
        that cover today agree with the live tiles (`pulsebi.dashboards.follow`)."""
        from pulsebi.dashboards.follow import follow_page

        try:
            follow_page(self)
        except Exception:  # like the live tiles, a bonus: the page works without it
            log.warning("the page will not follow live CRM changes", exc_info=True)

    def _build_section(self, section: Section, filters: Filters, blocks: list[_LiveBlock]) -> None:
        """Put `section`'s blocks for `filters` into `blocks`, reusing the widgets that fit.

        What goes wrong stays in the section: a UsageError's message, or a crash box whose
        error id is logged with the traceback."""
        try:
            new = list(section.build(filters))
            for i, block in enumerate(new):
                if i < len(blocks) and blocks[i].fits(block):
                    blocks[i].put(block, filters.branch)
                elif i < len(blocks):
                    blocks[i].close()
                    blocks[i] = _LiveBlock(block, filters.branch)
                else:
                    blocks.append(_LiveBlock(block, filters.branch))
            for dropped in blocks[len(new) :]:
                dropped.close()
            del blocks[len(new) :]
        except UsageError as error:
            self._replace(blocks, Html(notice_html(str(error))))
        except Exception as error:
            error_id = log_crash(f"section {section.title!r} of {self.title!r}", error)
            self._replace(blocks, Html(crash_html(error_id)))

    @staticmethod
    def _replace(blocks: list[_LiveBlock], block: Html) -> None:
        for old in blocks:
            old.close()
        blocks[:] = [_LiveBlock(block, None)]

    def _context_html(self, filters: Filters, loading: bool = False) -> str:
        state = ' <span class="pbi-loading-note">· loading…</span>' if loading else ""
        return (
            f'<div class="pbi-page-context" style="color:#5b6473">'
            f"{html.escape(self.describe(filters))}{state}</div>"
        )

    def _mark_loading(self, _change: Any) -> None:
        """A control changed: say a mistake at once, or show the figures loading."""
        try:
            _ = self.bar.filters  # raises on a mistake (e.g. through before from)
        except UsageError as error:
            self.notify(str(error))
            return
        self.notify(None)
        self._context.value = self._context_html(self.filters, loading=True)
        items = [b.widget for row in self._live for b in row]
        with self._undo_lock:
            self._undo += start_loading(items)

    def refresh(self, filters: Filters) -> None:
        """Rebuild every section for `filters` and update the widgets in place."""
        self.filters = filters
        for section, blocks, box in zip(self.sections, self._live, self._boxes, strict=True):
            self._build_section(section, filters, blocks)
            box.children = [b.widget for b in blocks]
        self._context.value = self._context_html(filters)
        with self._undo_lock:
            undo, self._undo = self._undo, []
        finish_loading(undo)
