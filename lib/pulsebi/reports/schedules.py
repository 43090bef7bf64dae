"""`schedules/*.yaml`: what to run when, for whom.

```yaml
name: weekly-branch                 # unique
cron: "0 7 * * 1"                   # standard 5-field cron (weekday 0 or 7 = Sunday)
timezone: America/Chicago           # the cron is read in this zone
notebook: scorecards/branch.ipynb   # relative to the folder holding schedules/
parameters: {preset: last_7_days}  # scalars, names of the notebook's parameters cell
for_each:                           # optional: one delivery per member
  parameter: branch                 #   the notebook parameter that receives the member
  members:                          #   member -> its own recipients
    DAL: [dal.manager@example.com]
recipients: [ops@example.com]       # every delivery (with for_each: in addition)
formats: [html, pdf, xlsx]
subject: "Weekly scorecard: {branch}"  # optional; {parameter} is replaced by its value
owner: analyst@example.com          # told once when a delivery finally fails
retry: {attempts: 6, backoff: 60}   # optional: transient failures, backoff in seconds, doubled
timeout: 1800                       # optional: seconds a run may take before another worker may
                                    #   take it over (its worker is presumed dead)
```

A file with an error is reported (file, field, reason) and skipped; the others load.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulsebi.errors import UsageError
from pulsebi.reports.deliver import Delivery, delivery_key
from pulsebi.reports.schedule_fields import (
    FIELDS,
    NAME,
    ScheduleError,
    check_addresses,
    check_cron,
    check_for_each,
    check_formats,
    check_parameters,
    check_retry,
    check_text,
)

__all__ = [
    "Loaded",
    "Schedule",
    "ScheduleError",
    "check_schedule_values",
    "load_schedules",
    "parse_schedule",
]


@dataclass(frozen=True)
class Schedule:
    name: str
    cron: str
    timezone: str
    notebook: str
    root: Path
    source: Path
    owner: str
    parameters: dict[str, Any] = field(default_factory=dict)
    for_each: str | None = None
    members: dict[str, list[str]] = field(default_factory=dict)
    recipients: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=lambda: ["html", "pdf", "xlsx"])
    retry_attempts: int = 6
    retry_backoff: float = 60.0
    subject: str | None = None
    timeout: float = 1800.0

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def notebook_path(self) -> Path:
        return self.root / self.notebook

    @property
    def origin(self) -> str:
        """Where it is defined: its file (a builder's delivery: its saved report)."""
        return str(self.source)

    def due_times(self, since: dt.datetime, until: dt.datetime) -> list[dt.datetime]:
        """Fire times in (since, until], in the schedule's time zone."""
        from croniter import croniter

        times = []
        it = croniter(self.cron, since.astimezone(self.zone))
        while (when := it.get_next(dt.datetime)) <= until:
            times.append(when)
        return times

    def next_time(self, after: dt.datetime) -> dt.datetime:
        from croniter import croniter

        return croniter(self.cron, after.astimezone(self.zone)).get_next(dt.datetime)

    def deliveries(self, scheduled_for: dt.datetime) -> list[Delivery]:
        """The deliveries of one fire time: one per member (or one), each with its key."""
        groups: list[tuple[dict[str, Any], list[str], str | None]] = []
        if self.for_each:
            for member, extra in self.members.items():
                to = list(dict.fromkeys([*extra, *self.recipients]))
                params = {**self.parameters, self.for_each: member}
                groups.append((params, to, f"{self.for_each}={member}"))
        else:
            groups.append((dict(self.parameters), list(self.recipients), None))
        when = scheduled_for.isoformat()
        return [
            Delivery(
                key=delivery_key(self.name, scheduled_for, to, member),
                notebook=self.notebook,
                root=str(self.root),
                parameters=params,
                formats=list(self.formats),
                recipients=to,
                kind="scheduled",
                schedule=self.name,
                scheduled_for=when,
                owner=self.owner,
                subject=self.subject,
                retry_attempts=self.retry_attempts,
                retry_backoff=self.retry_backoff,
                timeout=self.timeout,
            )
            for params, to, member in groups
        ]


@dataclass
class Loaded:
    schedules: list[Schedule]
    errors: list[ScheduleError]
    warnings: list[str]

    def get(self, name: str) -> Schedule:
        for schedule in self.schedules:
            if schedule.name == name:
                return schedule
        bad = [e for e in self.errors if Path(e.file).stem == name]
        if bad:
            raise bad[0]
        known = ", ".join(s.name for s in self.schedules) or "none"
        raise UsageError(f"no schedule named {name!r}; known: {known}")


def load_schedules(directory: Path | str) -> Loaded:
    """Every `*.yaml` / `*.yml` in `directory`: the valid schedules, the errors, the warnings.

    A file with an error is skipped and the others load (files in name order; a name
    already used by an earlier file is an error of the later one).

    Parameters
    ----------
    directory : path-like or str
        The schedules folder (``schedules/``); notebooks are relative to its parent.

    Returns
    -------
    Loaded
        ``schedules`` (the valid ones), ``errors`` (a `ScheduleError` per bad file, or one for
        a missing folder) and ``warnings`` (text: a notebook that does not exist yet or whose
        parameters cannot be read, a parameter it does not define).

    Raises
    ------
    ScheduleError
        Never out of this function: each file's `ScheduleError` is collected in
        ``Loaded.errors``.
    """
    directory = Path(directory)
    loaded = Loaded([], [], [])
    if not directory.is_dir():
        loaded.errors.append(ScheduleError(directory, None, "schedules folder not found"))
        return loaded
    seen: dict[str, Path] = {}
    for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
        try:
            schedule, warnings = parse_schedule(path)
            if schedule.name in seen:
                raise ScheduleError(
                    path, "name", f"{schedule.name!r} is also used by {seen[schedule.name]}"
                )
        except ScheduleError as exc:
            loaded.errors.append(exc)
            continue
        seen[schedule.name] = path
        loaded.schedules.append(schedule)
        loaded.warnings += warnings
    return loaded


def parse_schedule(path: Path) -> tuple[Schedule, list[str]]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ScheduleError(path, None, f"not readable YAML ({exc})") from None
    except ValueError as exc:  # YAML reads 2026-13-01 as a date and fails
        raise ScheduleError(path, None, f"a date in it is not a real date ({exc})") from None
    if not isinstance(data, dict):
        raise ScheduleError(path, None, "expected a mapping of fields (name, cron, notebook...)")
    unknown = sorted(set(map(str, data)) - FIELDS)
    if unknown:
        raise ScheduleError(path, unknown[0], f"unknown field; known: {', '.join(sorted(FIELDS))}")
    for required in ("name", "cron", "notebook", "owner"):
        if data.get(required) in (None, ""):
            raise ScheduleError(path, required, "missing")
    name = check_text(path, data, "name")
    if not NAME.match(name):
        raise ScheduleError(path, "name", f"{name!r}: use lowercase letters, digits, - and _")
    cron = check_cron(path, check_text(path, data, "cron"))
    tz = check_text(path, data, "timezone", "America/Chicago")
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(path, "timezone", f"{tz!r} is not an IANA time zone") from None
    notebook = check_text(path, data, "notebook")
    if (
        not notebook.endswith(".ipynb")
        or Path(notebook).is_absolute()
        or ".." in Path(notebook).parts
    ):
        raise ScheduleError(path, "notebook", f"{notebook!r}: a relative path to an .ipynb file")
    parameters = check_parameters(path, data.get("parameters") or {})
    for_each, members = check_for_each(path, data.get("for_each"))
    recipients = check_addresses(path, "recipients", data.get("recipients") or [])
    owner = check_addresses(path, "owner", [data["owner"]])[0]
    if not recipients and not members:
        raise ScheduleError(
            path, "recipients", "nobody to send to (recipients or for_each members)"
        )
    formats = check_formats(path, data.get("formats", ["html", "pdf", "xlsx"]))
    attempts, backoff = check_retry(path, data.get("retry") or {})
    timeout = data.get("timeout", 1800)
    if (
        not isinstance(timeout, int | float)
        or isinstance(timeout, bool)
        or not 10 <= timeout <= 86400
    ):
        raise ScheduleError(path, "timeout", f"{timeout!r}: seconds, 10..86400")
    subject = data.get("subject")
    if subject is not None:
        from pulsebi.reports.email import check_header

        try:
            check_header("subject", str(subject))
        except UsageError as exc:
            raise ScheduleError(path, "subject", str(exc)) from None
    schedule = Schedule(
        name=name,
        cron=cron,
        timezone=tz,
        notebook=notebook,
        root=path.parent.parent.absolute(),
        source=path,
        owner=owner,
        parameters=parameters,
        for_each=for_each,
        members=members,
        recipients=recipients,
        formats=formats,
        retry_attempts=attempts,
        retry_backoff=backoff,
        subject=str(subject) if subject is not None else None,
        timeout=float(timeout),
    )
    return schedule, _check_notebook(schedule)


def _check_notebook(schedule: Schedule) -> list[str]:
    """Warnings only: the notebook may be written after its schedule."""
    path = schedule.notebook_path
    if not path.is_file():
        return [f"{schedule.source}: field 'notebook': {schedule.notebook} does not exist yet"]
    from pulsebi.reports.execute import read_notebook_parameters

    try:
        known = read_notebook_parameters(path)
    except Exception as exc:  # a notebook being written may not parse yet
        return [f"{schedule.source}: field 'notebook': cannot read its parameters ({exc})"]
    wanted = [*schedule.parameters, *([schedule.for_each] if schedule.for_each else [])]
    return [
        f"{schedule.source}: field 'parameters': {name!r} is not a parameter of "
        f"{schedule.notebook} (known: {', '.join(sorted(known)) or 'none'})"
        for name in wanted
        if name not in known
    ]


def check_schedule_values(schedule: Schedule, settings: Any = None) -> list[ScheduleError]:
    """Each delivery's parameter values checked as `pulsebi report run` checks them (a branch
    the page does not know, a date that is none...): one error per bad delivery.

    Parameters
    ----------
    schedule : Schedule
        A loaded schedule.
    settings : Settings, optional
        Where the database is (the branches are looked up there); default: `get_settings()`.

    Returns
    -------
    list of ScheduleError
        One per delivery whose values the notebook's page refuses (field ``parameters``, or
        ``for_each.members.<member>``), with the page's message; empty when all pass or the
        notebook does not exist (a warning of `load_schedules`).
    """
    from pulsebi.reports.execute import check_parameter_values

    if not schedule.notebook_path.is_file():
        return []  # said as a warning when loading
    where = {None: "parameters"}
    if schedule.for_each:
        where = {m: f"for_each.members.{m}" for m in schedule.members}
    found = []
    for member, field_name in where.items():
        values = dict(schedule.parameters)
        if member is not None:
            values[schedule.for_each] = member
        try:
            check_parameter_values(schedule.notebook_path, values, settings)
        except UsageError as exc:
            found.append(ScheduleError(schedule.source, field_name, str(exc)))
    return found
