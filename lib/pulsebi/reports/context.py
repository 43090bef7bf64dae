"""What a report run is about: its title, period, branch and "data as of", for the workbook's
Summary sheet, the email subject and the output files' names
(`branch-scorecard_DAL_2026-11-01_2026-11-30.pdf`)."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from typing import Any

_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_UNSAFE = re.compile(r"[^A-Za-z0-9.]+")
MAX_STEM = 120


@dataclass(frozen=True)
class ReportContext:
    """A run's context. `date_to` is exclusive, as the pages' parameters; `branch` None: all."""

    title: str
    parameters: dict[str, Any] = field(default_factory=dict)
    branch: str | None = None
    branch_name: str = "All branches"
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    preset: str | None = None
    grain: str | None = None
    data_as_of: dt.datetime | None = None

    @property
    def is_page(self) -> bool:
        """A dashboard page's run (its period and branch are known)."""
        return self.date_from is not None and self.date_to is not None

    @property
    def through(self) -> dt.date | None:
        """The period's last day (inclusive)."""
        return self.date_to - dt.timedelta(days=1) if self.date_to else None

    def period_text(self) -> str:
        """'Nov 01, 2026 – Nov 30, 2026' (the page's words), '' when not a page."""
        if not self.is_page:
            return ""
        return f"{self.date_from:%b %d, %Y} – {self.through:%b %d, %Y}"

    def subject(self) -> str:
        """'Branch scorecard · Dallas · Nov 01, 2026 – Nov 30, 2026'."""
        if not self.is_page:
            shown = {k: v for k, v in self.parameters.items() if k != "static"}
            extra = ", ".join(f"{k}={v}" for k, v in shown.items())
            return f"{self.title} ({extra})" if extra else self.title
        return f"{self.title} · {self.branch_name} · {self.period_text()}"

    def file_stem(self) -> str:
        """The outputs' file name without extension: the report, then its parameters, in safe
        characters only (letters, digits, '.', '-', '_'). A page's dates are its first and last
        day, as its heading says them (`date_to` is exclusive)."""
        if self.is_page:
            parts = [self.branch or "all", self.date_from.isoformat(), self.through.isoformat()]
        else:
            parts = [str(v) for k, v in self.parameters.items() if k != "static"]
        words = [_safe(self.title), *(_safe(p) for p in parts)]
        return "_".join(w for w in words if w)[:MAX_STEM].strip("-_.") or "report"


def _safe(text: str) -> str:
    return _UNSAFE.sub("-", text.lower() if " " in text else text).strip("-.")


def page_title(notebook: Any, default: str) -> str:
    """The first <h1> an executed notebook shows (a page's title), else `default`."""
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/html", "")
            match = _H1.search("".join(text) if isinstance(text, list) else str(text))
            if match:
                title = html.unescape(_TAG.sub("", match.group(1))).strip()
                if title:
                    return title
    return default
