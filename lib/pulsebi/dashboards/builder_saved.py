"""The report builder page's saved reports: save (a new report or a new version of the one
opened, its own page linked), list, open, duplicate, rename, delete, and opening the report
the builder's URL names (``?report_id=N``). Mixed into `builder_page.BuilderPage`, whose
widgets (`zones`, `visual`, `dates`, `filters`, `target`, `comparison`, `title`, `message`,
`status`, `saved`) and `document()` / `redraw()` these use."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from pulsebi.errors import UsageError

SAVE_SETTLE = 0.3  # seconds a click on Save waits for the controls' held-back values


def report_url(report_id: int) -> str:
    """A saved report's own page, relative to the builder's (both are in notebooks/)."""
    return f"custom_report.ipynb?report_id={int(report_id)}"


def note_html(text: str, kind: str = "info") -> str:
    """`text` as a note of the builder page (kind: info, error, missing, dropped)."""
    return f'<div class="pbi-builder-note pbi-builder-{kind}">{html.escape(text)}</div>'


class SavedReportActions:
    """What the builder page does with saved reports."""

    owner: str
    settings: Any
    report_id: int | None
    _quiet: bool

    def _say(self, text: str, kind: str = "info", raw: str = "") -> None:
        self.status.value = note_html(text, kind) + raw

    def save_soon(self) -> None:
        """The Save button: save once the controls' last changes have arrived.

        The browser holds a control's newest value back while the kernel is still busy with
        its previous one, but sends a click at once: a quick Save would otherwise reach the
        kernel before the title typed or the filter value picked just before it. In a kernel
        the save waits `SAVE_SETTLE` seconds on its event loop (the held-back values come
        meanwhile and are handled first); elsewhere it saves at once.
        """
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.save()
            return
        self._say("Saving…")
        loop.call_later(SAVE_SETTLE, self.save)

    def save(self) -> Any:
        """Save the spec: a new report, or a new version of the one opened; says where it is.

        Returns
        -------
        SavedReport or None
            None when the spec cannot be saved (the reason is said on the page).
        """
        from pulsebi.builder import save_report

        try:
            saved = save_report(
                self.document(),
                by=self.owner,
                report_id=self.report_id,
                name=self.title.value.strip() or None,
                settings=self.settings,
            )
        except UsageError as error:
            self._say(f"Not saved: {error}", "error")
            return None
        self.report_id = saved.id
        url = report_url(saved.id)
        link = (
            f' <a class="pbi-builder-url" href="{html.escape(url)}" target="_blank">'
            f"notebooks/{html.escape(url)}</a>"
        )
        self._say(f"Saved {saved.name!r}, version {saved.version}. Its page:", raw=link)
        self.refresh_list()
        self.saved.select.value = saved.id
        return saved

    def refresh_list(self) -> None:
        """List the saved reports again."""
        from pulsebi.builder import list_reports

        try:
            self.saved.show(list_reports(settings=self.settings))
        except UsageError as error:
            self._say(str(error), "error")

    def open_report(self, report_id: int) -> None:
        """Show saved report `report_id` in the builder (saves become its new versions)."""
        from pulsebi.builder import get_report
        from pulsebi.builder.zones import Zones

        try:
            saved = get_report(report_id, settings=self.settings)
        except UsageError as error:
            self._say(str(error), "error")
            return
        doc = saved.spec.to_json()
        zones = Zones.from_spec(doc).to_dict()
        self._quiet = True
        try:
            self.visual.value = doc["visual"]
            self.zones.zones = zones
            self.filters.show(zones["filters"], {f["field"]: f["values"] for f in doc["filters"]})
            self.dates.set(doc["dates"])
            target = doc["options"].get("target")
            self.target.value = "" if target is None else f"{target:,.15g}"
            self.comparison.value = doc["options"].get("comparison") or ""
            self.title.value = doc["title"] or saved.name
        finally:
            self._quiet = False
        self.report_id = saved.id
        self.message.value = ""
        self._say(f"Opened {saved.name!r}, version {saved.version}.")
        self.redraw()

    def duplicate(self, report_id: int) -> None:
        """Copy saved report `report_id` as a new report and open the copy."""
        from pulsebi.builder import duplicate_report

        try:
            copy = duplicate_report(report_id, by=self.owner, settings=self.settings)
        except UsageError as error:
            self._say(str(error), "error")
            return
        self.refresh_list()
        self.open_report(copy.id)

    def rename(self, report_id: int) -> None:
        """Give saved report `report_id` the title box's text as its name."""
        from pulsebi.builder import rename_report

        try:
            info = rename_report(report_id, self.title.value.strip(), settings=self.settings)
        except UsageError as error:
            self._say(f"Not renamed: {error}", "error")
            return
        self._say(f"Renamed to {info.name!r}.")
        self.refresh_list()

    def ask_delete(self, report_id: int) -> None:
        """The Delete button: the first click asks (the button becomes "Confirm delete"), a
        second one on the same report deletes it; choosing another report takes it back."""
        if getattr(self, "_armed", None) != report_id:
            name = dict((v, k) for k, v in self.saved.select.options).get(report_id, "")
            self.disarm_delete()
            self._armed = report_id
            button = self.saved.buttons["Delete"]
            button.description, button.button_style = "Confirm delete", "danger"
            self._say(
                f"Delete {name or f'report #{report_id}'}? Its page stops opening and its "
                "scheduled emails stop. Click Confirm delete to go on, or choose another report.",
                "error",
            )
            return
        self.disarm_delete()
        self.delete(report_id)

    def disarm_delete(self) -> None:
        """Take back a Delete asked for and not confirmed."""
        self._armed = None
        button = self.saved.buttons["Delete"]
        button.description, button.button_style = "Delete", ""

    def delete(self, report_id: int) -> None:
        """Delete saved report `report_id` (the one opened is then saved as a new report)."""
        from pulsebi.builder import delete_report

        try:
            delete_report(report_id, settings=self.settings)
        except UsageError as error:
            self._say(str(error), "error")
            return
        if self.report_id == report_id:
            self.report_id = None
        self._say(f"Deleted report #{report_id}.")
        self.refresh_list()

    def follow_request(self, query: Mapping[str, str]) -> None:
        """Open the saved report the query string names (``?report_id=7``), if any."""
        raw = (query.get("report_id") or "").strip()
        if not raw:
            return
        if not raw.isdigit():
            self._say(f"report_id={raw!r} is not a report's id: use a whole number", "error")
            return
        self.open_report(int(raw))
