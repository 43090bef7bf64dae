"""Deterministic, realistic demo data for the crm schema, with known problems injected.

`seed_database` replaces the crm tables' rows and `bi.seed_truth` in one transaction and writes
the accounting export to `settings.data_dir / "accounting.csv"`. Same arguments (including
`today`), same bytes. Nothing heavy is imported until it is called.

How far history runs (`today`): by default up to the moment of the call, so today's sales,
leads and appointments so far are there (a demo opens on plausible figures for today); a
`date` ends history at that day's start (whole days, what the tests use); a `datetime` ends it
at that instant (naive: a local time in the reporting zone). Nothing is dated after the end,
but appointments may be scheduled after it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import TYPE_CHECKING

from pulsebi.errors import UsageError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from pulsebi.settings import Settings

MAX_YEARS = 10
MAX_SCALE = 200.0
ACCOUNTING_FILE = "accounting.csv"


@dataclass(frozen=True)
class SeedSummary:
    rows: dict[str, int]  # crm table -> rows loaded
    accounting_csv: Path
    invoices: int
    problems: dict[str, int] = field(default_factory=dict)  # "kind/reason" -> ground-truth rows
    seconds: float = 0.0
    years: int = 3
    scale: float = 1.0
    seed: int = 42
    today: date | None = None
    until: clock_time | None = None  # history stops at this local time of `today` (None: its start)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def describe(self) -> str:
        main = ", ".join(
            f"{self.rows.get(t, 0):,} {t}" for t in ("leads", "appointments", "sales", "jobs")
        )
        return (
            f"{self.total_rows:,} rows in {len(self.rows)} crm tables ({main}), "
            f"{self.invoices:,} invoices, {sum(self.problems.values())} injected problems; "
            f"{self.years}y to {self.end}, scale {self.scale:g}, seed {self.seed}, "
            f"{self.seconds:.1f} s"
        )

    @property
    def end(self) -> str:
        """Where history ends: "2026-03-01 09:45" (local), or "2026-03-01" (its start)."""
        if self.until is None:
            return str(self.today)
        return f"{self.today} {self.until:%H:%M:%S}".removesuffix(":00")


def history_end(today: date | datetime | None, zone) -> tuple[date, clock_time | None]:
    """`seed_database`'s `today` as (local day, clock time or None for the day's start)."""
    if today is None:
        today = datetime.now(zone)
    if not isinstance(today, datetime):
        return today, None
    local = today.astimezone(zone) if today.tzinfo else today
    clock = local.time().replace(microsecond=0)
    return local.date(), (None if clock == clock_time(0) else clock)


def check_arguments(years: int, scale: float, seed: int) -> None:
    if not isinstance(years, int) or not 1 <= years <= MAX_YEARS:
        raise UsageError(f"years={years!r} is out of range: give a whole number 1..{MAX_YEARS}")
    if not isinstance(scale, int | float) or not 0 < scale <= MAX_SCALE:
        raise UsageError(f"scale={scale!r} is out of range: give a number > 0 and <= {MAX_SCALE:g}")
    if not isinstance(seed, int) or seed < 0:
        raise UsageError(f"seed={seed!r} is not a whole number >= 0")


def seed_database(
    engine: Engine,
    *,
    settings: Settings,
    years: int = 3,
    scale: float = 1.0,
    seed: int = 42,
    today: date | datetime | None = None,
    show_progress: bool = False,
) -> SeedSummary:
    """Generate the demo data and load it (replacing the crm rows and the ground truth).

    `today`: None (default) runs history up to now; a date, up to that day's start; a
    datetime, up to that instant (naive: local time in the reporting zone)."""
    from pulsebi.seed.accounting import publish, write_invoices
    from pulsebi.seed.copy import check_schema, load_dataset
    from pulsebi.seed.generate import build_dataset
    from pulsebi.seed.progress import progress_reporter

    check_arguments(years, scale, seed)
    check_schema(engine)
    # "today" is the reporting zone's: history must not run past the company's clock
    today, until = history_end(today, settings.zone)
    started = time.perf_counter()
    target = Path(settings.data_dir) / ACCOUNTING_FILE
    with progress_reporter(show_progress) as report:
        data = build_dataset(
            tz=settings.tz,
            years=years,
            scale=float(scale),
            seed=seed,
            today=today,
            until=until,
            step=report.step,
        )
        report.start_loading(data.row_counts())
        tmp = write_invoices(data.invoices, target)
        try:
            load_dataset(engine, data, advance=report.loaded)
            publish(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
    problems = data.truth.groupby(["kind", "reason"]).size()
    return SeedSummary(
        rows=data.row_counts(),
        accounting_csv=target,
        invoices=len(data.invoices),
        problems={f"{k}/{r}": int(n) for (k, r), n in problems.items()},
        seconds=time.perf_counter() - started,
        years=years,
        scale=float(scale),
        seed=seed,
        today=today,
        until=until,
    )


__all__ = ["SeedSummary", "seed_database"]
