"""The "Report builder" page (issue 16): build, preview and save a report without code. Live only.

On the left the field-zones widget (`pulsebi.widgets.field_zones`); on the right the visual,
the dates, a value picker for each field in Filters, a title and Save, the saved reports (open,
duplicate, rename, delete) and the preview: the spec run (`builder.run_spec`) and drawn
(`builder.report_blocks`) on every change. A spec not complete yet says what is missing in the
preview's place; switching visual keeps the fields the new one can use and says which it
cannot (`builder.fields_kept`). After a save the report's own page is linked
(notebooks/custom_report.ipynb?report_id=N); ``?report_id=N`` on the builder's own URL opens
that report in it. Under Papermill the page says to use notebooks/custom_report.ipynb.

    page = prepare()                 # the widgets, built (no kernel needed)
    page.zones.zones = {"values": ["net_revenue"], "x": ["month"], "series": ["branch"]}
    page.visual.value = "line"       # the preview follows
    page.save()                      # a new report, or a new version of the one opened
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from pulsebi.dashboards.builder_controls import (
    DateControls,
    FilterPickers,
    SavedList,
    build_visual_picker,
)
from pulsebi.dashboards.builder_delivery import DeliveryPanel
from pulsebi.dashboards.builder_preview import PreviewBlocks
from pulsebi.dashboards.builder_saved import SavedReportActions, note_html
from pulsebi.dashboards.request import request_params
from pulsebi.errors import UsageError
from pulsebi.settings import Settings

TITLE = "Report builder"
SHARE_HEADING = "<h2 class='pbi-builder-share' style='margin:18px 0 4px'>Save and share</h2>"
STATIC_NOTE = (
    "The report builder is live only (open it in the dashboards). To render a saved report "
    "here, run notebooks/custom_report.ipynb with its report_id."
)


def _number(text: str) -> Any:
    """A target typed in the box: a number, or the text (the spec then says it is none)."""
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return text.strip()


class BuilderPage(SavedReportActions, PreviewBlocks):
    """The builder's widgets and the spec they make; `prepare()` builds them."""

    def __init__(
        self,
        *,
        owner: str = "analyst",
        today: Callable[[], dt.date] | None = None,
        settings: Settings | None = None,
    ):
        self.owner = owner
        self._today = today
        self.settings = settings
        self.report_id: int | None = None
        self.blocks: list[Any] = []  # the preview's page blocks (Chart, Table, ...)
        self._live: list[Any] = []
        self._root: Any = None
        self._quiet = False  # while a report is being opened: one redraw at the end

    def prepare(self) -> Any:
        """The page widget (built once)."""
        if self._root is None:
            self._root = self._build()
        return self._root

    def _build(self) -> Any:
        import ipywidgets as w

        from pulsebi.builder.zone_options import widget_options
        from pulsebi.widgets.field_zones import FieldZones

        self.zones = FieldZones(**widget_options())
        self.visual = build_visual_picker("line")
        self.dates = DateControls()
        self.filters = FilterPickers(self.settings, self.redraw)
        self.target = w.Text(placeholder="a gauge's target", description="Target")
        self.comparison = w.Dropdown(
            options=[
                ("No comparison", ""),  # not None: ipywidgets reads None as no choice
                ("Previous period", "previous_period"),
                ("Same period last year", "last_year"),
            ],
            description="Compare",
        )
        self.title = w.Text(
            placeholder="Report title", description="Title", continuous_update=False
        )
        self.title.add_class("pbi-builder-title")
        self.save_button = w.Button(description="Save", button_style="primary")
        self.save_button.add_class("pbi-builder-save")
        self.message = w.HTML()
        self.message.add_class("pbi-builder-message")
        self.saved = SavedList()
        self.preview = w.VBox(layout=w.Layout(width="100%"))
        self.preview.add_class("pbi-builder-preview")
        self.status = w.HTML()
        self.status.add_class("pbi-builder-status")
        self.delivery = DeliveryPanel(self)  # Export and Schedule, of the saved report open
        self._wire()
        self.refresh_list()
        self.redraw()
        # What shapes the figures first, the preview right under it; saving and sharing below.
        share = w.HTML(SHARE_HEADING)
        right = w.VBox(
            [
                self.visual,
                w.HBox(
                    [self.dates.widget, self.target, self.comparison],
                    layout=w.Layout(flex_flow="row wrap", align_items="flex-start"),
                ),
                self.filters.widget,
                self.message,
                self.preview,
                share,
                w.HBox([self.title, self.save_button]),
                self.status,
                self.saved.widget,
                self.delivery.widget,
            ],
            layout=w.Layout(flex="1 1 auto", min_width="0"),
        )
        left = w.Box(
            [self.zones], layout=w.Layout(flex="0 0 300px", width="300px", margin="0 20px 0 0")
        )
        heading = w.HTML(f"<h1 style='margin:0 0 4px'>{TITLE}</h1>")
        page = w.VBox([heading, w.HBox([left, right], layout=w.Layout(width="100%"))])
        page.add_class("pbi-page")
        page.add_class("pbi-builder")
        return page

    def _wire(self) -> None:
        self.zones.on_change(self._zones_changed)
        self.visual.observe(self._switch_visual, names="value")
        for control in [*self.dates.controls(), self.target, self.comparison, self.title]:
            control.observe(lambda _c: self.redraw(), names="value")
        self.save_button.on_click(lambda _b: self.save_soon())
        self.saved.on("Open", self.open_report)
        self.saved.on("Duplicate", self.duplicate)
        self.saved.on("Rename", self.rename)
        self.saved.on("Delete", self.ask_delete)
        self.saved.select.observe(lambda _c: self.disarm_delete(), names="value")

    # the spec --------------------------------------------------------------------------------
    def document(self, visual: str | None = None) -> dict[str, Any]:
        """The spec the controls make, as a JSON document (maybe incomplete)."""
        from pulsebi.builder.zones import Zones

        fields = Zones.from_dict(self.zones.zones).spec_fields(self.filters.picked())
        options: dict[str, Any] = {}
        if self.target.value.strip():
            options["target"] = _number(self.target.value)
        if self.comparison.value:
            options["comparison"] = self.comparison.value
        return {
            "title": self.title.value.strip(),
            "visual": visual or self.visual.value,
            **fields,
            "dates": self.dates.document(),
            "options": options,
        }

    def spec(self) -> Any:
        """The controls' spec (`ReportSpec`), checked but maybe incomplete (`SpecError`)."""
        from pulsebi.builder import load_spec

        return load_spec(self.document(), complete=False)

    # reacting --------------------------------------------------------------------------------
    def _zones_changed(self, zones: dict[str, list[str]]) -> None:
        self.filters.show(zones.get("filters", []))
        self.redraw()

    def _switch_visual(self, change: Any) -> None:
        """Keep the fields the new visual can use (moved between X and Series if need be) and
        say which it cannot."""
        from pulsebi.builder import SpecError, fields_kept
        from pulsebi.builder.zones import Zones

        try:
            old = self._spec_for(change["old"])
        except SpecError:
            self.redraw()
            return
        kept, dropped = fields_kept(old, change["new"])
        zones = Zones.from_spec(kept).to_dict()
        zones["filters"] = list(self.zones.zones.get("filters", []))
        quiet, self._quiet = self._quiet, True
        try:
            self.zones.zones = zones
        finally:
            self._quiet = quiet
        said = "; ".join(f"{d.field} left out: {d.why}" for d in dropped)
        self.message.value = note_html(said, "dropped") if said else ""
        self.redraw()

    def _spec_for(self, visual: str) -> Any:
        from pulsebi.builder import load_spec

        return load_spec(self.document(visual), complete=False)

    def redraw(self) -> None:
        """Run the spec and show it, or say in the preview's place what it still needs."""
        if self._quiet:
            return
        from pulsebi.builder import SpecError, report_blocks, run_spec

        try:
            spec = self.spec()
            missing = spec.missing()
            if missing:
                self._shownote_html("Not shown yet: " + "; ".join(what for _, what in missing))
                return
            today = self._today() if self._today else None
            result = run_spec(spec, today=today, settings=self.settings)
            self._show_blocks(report_blocks(result))
        except SpecError as error:
            self._shownote_html(
                "; ".join(what for _, what in error.problems) or str(error), "error"
            )
        except UsageError as error:
            self._shownote_html(str(error), "error")
        except Exception as error:  # kept in the preview's place, the traceback logged
            from pulsebi.dashboards.notices import crash_html, log_crash
            from pulsebi.dashboards.page import Html

            error_id = log_crash(f"the preview of {TITLE!r}", error)
            self._show_blocks([Html(crash_html(error_id))])

    # showing ---------------------------------------------------------------------------------
    def present(self) -> None:
        """Display the page (live), or the note that it is live only (static)."""
        from IPython.display import HTML, display

        from pulsebi.charts import current_mode

        if current_mode().static:
            display(HTML(f"<h1>{TITLE}</h1>" + note_html(STATIC_NOTE)))
            return
        self.prepare()
        query = request_params()  # in a preheated kernel: waits for the visit
        # A preheated kernel built the page before anyone asked for it: list the saved
        # reports as they are at the visit, not as they were then.
        self.refresh_list()
        self.follow_request(query)
        display(self._root)


def prepare(*, static: bool = False, owner: str = "analyst", **kwargs: Any) -> BuilderPage:
    """The builder page for the notebook's parameters, built (live) but not shown.

    Parameters
    ----------
    static : bool, default False
        True under Papermill: the page only says it is live only.
    owner : str, default "analyst"
        Who saves (a new report's owner, each version's `saved_by`).
    **kwargs
        `BuilderPage`'s: today (a callable giving the local date), settings.

    Returns
    -------
    BuilderPage
        Ready for `present`.
    """
    from pulsebi.charts import use_mode

    use_mode(static)
    page = BuilderPage(owner=owner, **kwargs)
    if not static:
        page.prepare()
    return page


def present(page: BuilderPage) -> None:
    """Show a prepared page.

    Parameters
    ----------
    page : BuilderPage
        From `prepare`.
    """
    page.present()
