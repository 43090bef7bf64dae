"""The report builder page's Export row and Schedule form (issue 16, items 6 and 7).

Both act on the saved report that is open, and only when the controls show it as saved: the
files and the emails are the saved report's (`builder.export.export_report`,
`builder.schedule.schedule_report`), so a spec not saved yet, or changed since, is said in
place ("Save the report first") rather than exported or scheduled as something else than the
screen. Export puts download links on the page (``data:`` URLs: no server route, nothing from
elsewhere) with a short status; the Schedule form is `builder_schedule.ScheduleForm`.

    panel = DeliveryPanel(page)      # page: a BuilderPage (report_id, document(), status)
    panel.export("pdf")              # "PDF ready: Revenue_by_branch.pdf, 41 KB (version 1)."
    panel.form.recipients.value = "ana@pulse.example"
    panel.form.schedule()            # stored; the report's deliveries listed
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

from pulsebi.dashboards.builder_saved import note_html
from pulsebi.dashboards.builder_schedule import ScheduleForm
from pulsebi.errors import DeliveryDeferred, PulseBIError

EXPORTS = {"pdf": "PDF", "xlsx": "Excel", "csv": "CSV"}
MIME = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv;charset=utf-8",
}
SAVE_FIRST = "Save the report first: the {what} are the saved report's"
LINK_STYLE = "color:#1d4ed8;text-decoration:underline"
UNREACHABLE = "the database cannot be reached just now: try again in a moment"


def size_text(size: int) -> str:
    """A file's size for people: ``812 B``, ``41 KB``, ``1.2 MB``."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def download_link(path: Path, fmt: str) -> str:
    """An ``<a download>`` holding the file itself (a ``data:`` URL), and its size."""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    name = html.escape(path.name)
    return (
        f'<div><a class="pbi-builder-download pbi-builder-download-{fmt}" download="{name}" '
        f'href="data:{MIME[fmt]};base64,{data}" style="{LINK_STYLE}">{name}</a> '
        f"({size_text(path.stat().st_size)})</div>"
    )


def canonical(document: dict[str, Any], name: str = "") -> dict[str, Any]:
    """A spec document as compared for "is the screen the saved report": its title (else the
    report's name, as opening a report fills the title box) and each filter's values as a set."""
    doc = dict(document)
    doc["title"] = (doc.get("title") or "").strip() or name
    doc["filters"] = [
        {"field": f["field"], "values": sorted(f["values"], key=str)} for f in doc["filters"]
    ]
    return doc


def crash_in(place: Any, what: str, error: Exception) -> None:
    """A crash box in `place` (an HTML widget), its traceback logged under its error id."""
    from pulsebi.dashboards.notices import crash_html, log_crash

    place.value = crash_html(log_crash(f"{what} of the report builder", error))


class DeliveryPanel:
    """Export buttons and the Schedule form of a builder page (`widget`, placed by the page).

    Parameters
    ----------
    page : BuilderPage
        Its `report_id`, `document()`, `owner`, `settings`, and its `status` line (each
        thing it says, a save or an open, brings the panel up to date).
    """

    def __init__(self, page: Any):
        import ipywidgets as w

        self.page = page
        self.links: dict[str, str] = {}  # format -> its download link
        self._shown: int | None = None  # the report the links and deliveries are of
        self.buttons = {}
        for fmt, label in EXPORTS.items():
            tip = f"Download the saved report as {label}"
            button = w.Button(description=label, tooltip=tip, layout=w.Layout(width="auto"))
            button.add_class(f"pbi-builder-export-{fmt}")
            button.on_click(lambda _b, fmt=fmt: self.export(fmt))
            self.buttons[fmt] = button
        self.export_status = w.HTML()
        self.export_status.add_class("pbi-builder-export-status")
        self.downloads = w.HTML()
        self.downloads.add_class("pbi-builder-downloads")
        label = w.HTML("<b>Export</b>")
        row = w.HBox([label, *self.buttons.values(), self.export_status])
        row.add_class("pbi-builder-export")
        self.form = ScheduleForm(page, self.saved_report, crash_in)
        self.widget = w.VBox([row, self.downloads, self.form.widget])
        self.widget.add_class("pbi-builder-delivery-panel")
        page.status.observe(lambda _c: self.follow_page(), names="value")

    def follow_page(self) -> None:
        """After the page said something (saved, opened, deleted...): another report open drops
        the previous one's links, and the open report's deliveries are listed."""
        report_id = self.page.report_id
        if report_id != self._shown:
            self._shown = report_id
            self.links = {}
            self.downloads.value = self.export_status.value = self.form.status.value = ""
        self.form.list_deliveries()

    def saved_report(self, what: str) -> tuple[Any, str]:
        """(the open saved report, "") when the controls show it as saved, else (None, what to
        say: nothing saved yet, or the controls differ from its current version).

        Parameters
        ----------
        what : str
            What the saved report makes ("files", "emails"), for the message.
        """
        from pulsebi.builder import SpecError, get_report, load_spec

        if self.page.report_id is None:
            return None, SAVE_FIRST.format(what=what) + " (nothing is saved yet)."
        from sqlalchemy.exc import InterfaceError, OperationalError

        try:
            saved = get_report(self.page.report_id, settings=self.page.settings)
        except (OperationalError, InterfaceError):
            raise DeliveryDeferred(UNREACHABLE) from None
        try:
            shown = load_spec(self.page.document(), complete=False).to_json()
            shown = canonical(shown, saved.name)
        except SpecError:
            shown = None
        if shown != canonical(saved.spec.to_json(), saved.name):
            message = SAVE_FIRST.format(what=what)
            return None, f"{message}, and the controls differ from version {saved.version}."
        return saved, ""

    def export(self, fmt: str) -> Path | None:
        """Export the open saved report as `fmt` and link the file; the buttons are disabled
        and the status says "Exporting PDF…" meanwhile.

        Parameters
        ----------
        fmt : str
            One of pdf, xlsx, csv.

        Returns
        -------
        pathlib.Path or None
            The file written; None when nothing was exported (the reason is said in place).
        """
        from pulsebi.builder.export import export_report

        label = EXPORTS[fmt]
        for button in self.buttons.values():
            button.disabled = True
        self.export_status.value = note_html(f"Exporting {label}…")
        try:
            saved, why = self.saved_report("files")
            if saved is None:
                self.export_status.value = note_html(why, "missing")
                return None
            path = export_report(saved.id, (fmt,), settings=self.page.settings)[fmt]
            self.links[fmt] = download_link(path, fmt)
            size = size_text(path.stat().st_size)
            text = f"{label} ready: {path.name}, {size} (version {saved.version})."
            self.export_status.value = note_html(text)
            links = "".join(self.links[f] for f in EXPORTS if f in self.links)
            self.downloads.value = f"<div>Download:</div>{links}"
            return path
        except PulseBIError as error:  # UsageError, NotebookFailed, DeliveryDeferred...
            first = (str(error).strip() or type(error).__name__).splitlines()[0]
            self.export_status.value = note_html(f"{label} not exported: {first}", "error")
        except Exception as error:  # a crash: in place, its traceback logged
            crash_in(self.export_status, f"the {label} export", error)
        finally:
            for button in self.buttons.values():
                button.disabled = False
        return None
