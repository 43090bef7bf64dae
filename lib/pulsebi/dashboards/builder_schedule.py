"""The report builder page's Schedule form: when (a named choice or a typed cron), time zone,
recipients and formats; Schedule stores a delivery of the open saved report
(`builder.schedule.schedule_report`, picked up by beat without a restart), says when it runs
next (as beat computes it) and lists the report's deliveries, each with Unschedule. Part of
`builder_delivery.DeliveryPanel`, which checks that the screen is the saved report.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

from pulsebi.dashboards.builder_saved import note_html
from pulsebi.errors import PulseBIError, UsageError

TYPED = "typed"  # the cron picker's "type your own" choice
CRONS = [
    ("Mondays 07:00", "0 7 * * 1"),
    ("Every day 07:00", "0 7 * * *"),
    ("1st of the month 07:00", "0 7 1 * *"),
    ("Typed cron", TYPED),
]
FORMATS = {"pdf": "PDF", "xlsx": "Excel"}


def parse_recipients(text: str) -> list[str]:
    """The addresses of a comma (or semicolon) separated list, blanks left out."""
    return [a.strip() for a in text.replace(";", ",").split(",") if a.strip()]


class ScheduleForm:
    """The form and the open report's deliveries.

    Parameters
    ----------
    page : BuilderPage
        Its `report_id`, `owner` and `settings` are used.
    saved_report : callable
        ``saved_report("emails")`` -> (the open saved report, "") or (None, what to say).
    crash : callable
        ``crash(place, what, error)``: a crash box in `place`, the traceback logged.
    """

    def __init__(self, page: Any, saved_report: Callable[[str], Any], crash: Callable) -> None:
        import ipywidgets as w

        from pulsebi.settings import get_settings

        self.page, self._saved_report, self._crash = page, saved_report, crash
        self.when = w.Dropdown(options=CRONS, value=CRONS[0][1], description="When")
        self.when.add_class("pbi-builder-when")
        self.cron = w.Text(value=CRONS[0][1], description="Cron", placeholder="0 7 * * 1")
        self.cron.add_class("pbi-builder-cron")
        self.cron.layout.display = "none"
        self.when.observe(self._pick_when, names="value")
        zone = (page.settings or get_settings()).tz
        self.timezone = w.Text(value=zone, description="Time zone")
        self.timezone.add_class("pbi-builder-timezone")
        self.recipients = w.Text(
            description="To",
            placeholder="ana@pulse.example, ops@pulse.example",
            layout=w.Layout(width="520px"),
        )
        self.recipients.add_class("pbi-builder-recipients")
        self.formats = {
            fmt: w.Checkbox(
                value=True, description=label, indent=False, layout=w.Layout(width="90px")
            )
            for fmt, label in FORMATS.items()
        }
        for fmt, box in self.formats.items():
            box.add_class(f"pbi-builder-format-{fmt}")
        self.button = w.Button(description="Schedule", layout=w.Layout(width="auto"))
        self.button.add_class("pbi-builder-schedule")
        self.button.on_click(lambda _b: self.schedule())
        self.status = w.HTML()
        self.status.add_class("pbi-builder-schedule-status")
        self.deliveries = w.VBox()
        self.deliveries.add_class("pbi-builder-deliveries")
        self.fields = {
            "cron": self.cron,
            "timezone": self.timezone,
            "recipients": self.recipients,
            "formats": self.formats["pdf"],
        }
        heading = w.HTML("<b>Schedule</b>")
        self.widget = w.VBox(
            [
                heading,
                w.HBox([self.when, self.cron]),
                self.timezone,
                self.recipients,
                w.HBox(
                    [
                        w.HTML("Formats", layout=w.Layout(width="90px")),
                        *self.formats.values(),
                        self.button,
                    ]
                ),
                self.status,
                self.deliveries,
            ]
        )
        self.widget.add_class("pbi-builder-schedule-form")

    def _pick_when(self, change: Any) -> None:
        typed = change["new"] == TYPED
        self.cron.layout.display = None if typed else "none"
        if not typed:
            self.cron.value = change["new"]

    def schedule(self) -> Any:
        """Store a delivery of the open saved report from the form; say when it runs next.

        Returns
        -------
        StoredDelivery or None
            None when nothing was stored (the field that is wrong is named in place).
        """
        from pulsebi.builder.schedule import ScheduleInputError, schedule_report

        for box in self.fields.values():
            box.remove_class("pbi-builder-invalid")
        try:
            saved, why = self._saved_report("emails")
            if saved is None:
                self.status.value = note_html(why, "missing")
                return None
            formats = [fmt for fmt, box in self.formats.items() if box.value]
            if not formats:
                raise ScheduleInputError("formats", "tick PDF, Excel or both")
            stored = schedule_report(
                saved.id,
                cron=self.cron.value,
                timezone=self.timezone.value,
                recipients=parse_recipients(self.recipients.value),
                by=self.page.owner,
                formats=formats,
                settings=self.page.settings,
            )
        except ScheduleInputError as error:
            box = self.fields.get(error.field.split("[")[0])
            if box is not None:
                box.add_class("pbi-builder-invalid")
            self.status.value = note_html(f"Not scheduled: {error}", "error")
            return None
        except PulseBIError as error:  # no such report any more, the database unreachable...
            self.status.value = note_html(f"Not scheduled: {error}", "error")
            return None
        except Exception as error:  # a crash: in place, its traceback logged
            self._crash(self.status, "scheduling", error)
            return None
        self.list_deliveries()
        nxt = self.next_runs().get(stored.id)
        when = f" Next run: {nxt:%a %b %d, %Y %H:%M %Z}." if nxt else ""
        to = ", ".join(stored.recipients)
        text = f"Scheduled {stored.report_name!r} ({stored.cron}, {stored.timezone}) to {to}."
        self.status.value = note_html(text + when)
        return stored

    def next_runs(self) -> dict[int, dt.datetime]:
        """Each stored delivery's next run, as beat computes it (delivery id -> local time)."""
        from pulsebi.reports.stored_schedules import stored_schedules
        from pulsebi.settings import get_settings

        now = dt.datetime.now(dt.UTC)
        settings = self.page.settings or get_settings()
        return {s.delivery_id: s.next_time(now) for s in stored_schedules(settings)}

    def list_deliveries(self) -> None:
        """Show the open report's deliveries, each with Unschedule."""
        import ipywidgets as w

        from pulsebi.builder.schedule import list_deliveries

        report_id = self.page.report_id
        if report_id is None:
            self.deliveries.children = []
            return
        try:
            stored = list_deliveries(report_id, settings=self.page.settings)
            nexts = self.next_runs() if stored else {}
        except UsageError as error:
            self.status.value = note_html(str(error), "error")
            return
        except Exception as error:  # called as the page says something: never raise there
            self._crash(self.status, "listing the deliveries", error)
            return
        rows = []
        for d in stored:
            nxt = nexts.get(d.id)
            when = f", next {nxt:%a %b %d %H:%M %Z}" if nxt else ""
            text = (
                f"#{d.id}: {d.cron} ({d.timezone}) to {', '.join(d.recipients)}; "
                f"{', '.join(FORMATS.get(f, f) for f in d.formats)}{when}"
            )
            label = w.HTML(html.escape(text), layout=w.Layout(flex="1 1 auto"))
            label.add_class("pbi-builder-delivery-text")
            button = w.Button(
                description="Unschedule",
                tooltip=f"Unschedule delivery #{d.id}",
                layout=w.Layout(flex="0 0 auto"),
            )
            button.add_class("pbi-builder-unschedule")
            button.on_click(lambda _b, delivery_id=d.id: self.unschedule(delivery_id))
            row = w.HBox([label, button])
            row.add_class("pbi-builder-delivery")
            rows.append(row)
        self.deliveries.children = rows

    def unschedule(self, delivery_id: int) -> None:
        """Remove delivery `delivery_id` and list the deliveries again.

        Parameters
        ----------
        delivery_id : int
            The stored delivery's id.
        """
        from pulsebi.builder.schedule import unschedule

        try:
            unschedule(delivery_id, settings=self.page.settings)
        except UsageError as error:
            self.status.value = note_html(f"Not unscheduled: {error}", "error")
        else:
            self.status.value = note_html(f"Delivery #{delivery_id} unscheduled.")
        self.list_deliveries()
