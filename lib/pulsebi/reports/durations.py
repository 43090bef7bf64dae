"""`30d`, `12h`, `90m` -> timedelta (prune ages, lease lengths)."""

from __future__ import annotations

import datetime as dt
import re

from pulsebi.errors import UsageError

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> dt.timedelta:
    match = _DURATION.match(text or "")
    if not match:
        raise UsageError(
            f"duration {text!r} is not a number with a unit s, m, h, d or w (e.g. 30d)"
        )
    return dt.timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
