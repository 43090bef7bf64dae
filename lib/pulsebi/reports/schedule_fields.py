"""Field checks of a schedule file: each names the file, the field and the reason."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pulsebi.errors import UsageError

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
PARAM = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
FIELDS = {
    "name",
    "cron",
    "timezone",
    "notebook",
    "parameters",
    "for_each",
    "recipients",
    "formats",
    "owner",
    "retry",
    "subject",
    "timeout",
}


class ScheduleError(UsageError):
    """A schedule file is wrong: `file`, `field` and `reason` say where and how."""

    def __init__(self, file: Path | str, field: str | None, reason: str):
        self.file, self.field, self.reason = str(file), field, reason
        where = f"{file}: field '{field}'" if field else str(file)
        super().__init__(f"{where}: {reason}")


def check_text(path: Path, data: dict, key: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise ScheduleError(path, key, f"{value!r} is not text")
    return value.strip()


def check_cron(path: Path, cron: str) -> str:
    from croniter import croniter

    if len(cron.split()) != 5 or not croniter.is_valid(cron):
        raise ScheduleError(
            path,
            "cron",
            f"{cron!r} is not a cron expression (5 fields: minute hour day month "
            "weekday, weekday 0 = Sunday)",
        )
    return cron


def check_parameters(path: Path, raw: Any, field_name: str = "parameters") -> dict[str, Any]:
    from pulsebi.reports.execute import normalize_value

    if not isinstance(raw, dict):
        raise ScheduleError(path, field_name, "expected a mapping name: value")
    values = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not PARAM.match(key):
            raise ScheduleError(path, f"{field_name}.{key}", "not a Python name")
        try:
            values[key] = normalize_value(key, value)
        except UsageError as exc:
            raise ScheduleError(path, f"{field_name}.{key}", str(exc)) from None
    return values


def check_for_each(path: Path, raw: Any) -> tuple[str | None, dict[str, list[str]]]:
    if raw is None:
        return None, {}
    if not isinstance(raw, dict) or set(raw) - {"parameter", "members"}:
        raise ScheduleError(
            path, "for_each", "expected {parameter: NAME, members: {VALUE: [ADDR]}}"
        )
    parameter = raw.get("parameter")
    if not isinstance(parameter, str) or not PARAM.match(parameter):
        raise ScheduleError(path, "for_each.parameter", f"{parameter!r} is not a parameter name")
    members_raw = raw.get("members")
    if not isinstance(members_raw, dict) or not members_raw:
        raise ScheduleError(path, "for_each.members", "expected a mapping member: [addresses]")
    members = {}
    for member, addresses in members_raw.items():
        where = f"for_each.members.{member}"
        if isinstance(addresses, str):
            addresses = [addresses]
        members[str(member)] = check_addresses(path, where, addresses or [], allow_empty=True)
    return parameter, members


def check_addresses(path: Path, where: str, raw: Any, *, allow_empty: bool = True) -> list[str]:
    from pulsebi.reports.email import validate_address

    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        raise ScheduleError(path, where, "expected a list of email addresses")
    try:
        return list(dict.fromkeys(validate_address(str(a)) for a in raw))
    except UsageError as exc:
        raise ScheduleError(path, where, str(exc)) from None


def check_formats(path: Path, raw: Any) -> list[str]:
    from pulsebi.reports.sinks import parse_formats

    if not isinstance(raw, list | str):
        raise ScheduleError(path, "formats", "expected a list such as [html, pdf, xlsx]")
    try:
        return parse_formats(raw)
    except UsageError as exc:
        raise ScheduleError(path, "formats", str(exc)) from None


def check_retry(path: Path, raw: Any) -> tuple[int, float]:
    if not isinstance(raw, dict) or set(raw) - {"attempts", "backoff"}:
        raise ScheduleError(path, "retry", "expected {attempts: N, backoff: SECONDS}")
    attempts, backoff = raw.get("attempts", 6), raw.get("backoff", 60)
    if not isinstance(attempts, int) or not 1 <= attempts <= 50:
        raise ScheduleError(path, "retry.attempts", f"{attempts!r}: a whole number 1..50")
    if not isinstance(backoff, int | float) or not 0 < backoff <= 3600:
        raise ScheduleError(path, "retry.backoff", f"{backoff!r}: seconds, 0 < backoff <= 3600")
    return attempts, float(backoff)
