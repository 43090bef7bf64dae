"""Speed of `pulsebi import` on generated files: `python bench/import_speed.py [ROWS] [--bad]`.

Writes ROWS sales and ROWS sale_splits (default 1,000,000 each) to a temporary directory and
imports them into the configured database (DATABASE_URL: use a scratch database, the crm.sales
and crm.sale_splits rows there are replaced). Prints the time of each phase per table. With
--bad, the last sales row has an amount of 10.005, so the import is rejected after all checks.
"""

from __future__ import annotations

import itertools
import random
import sys
import tempfile
import time
from pathlib import Path

from pulsebi.errors import ImportRejected
from pulsebi.importer import import_directory


def write_files(directory: Path, rows: int, bad: bool) -> None:
    rnd = random.Random(7)
    statuses = ["active"] * 9 + ["canceled"]
    with (directory / "sales.csv").open("w", newline="") as f:
        f.write("id,lead_id,appointment_id,branch_id,sold_at,amount,commission_rate,product,")
        f.write("status,canceled_at,external_ref\n")
        for i in range(1, rows + 1):
            amount = "10.005" if bad and i == rows else f"{rnd.randint(500, 5_000_000) / 100:.2f}"
            day = 1 + i % 28
            f.write(
                f"{i},{i * 3},{i if i % 4 else ''},{1 + i % 5},"
                f"2024-{1 + i % 12:02d}-{day:02d}T{i % 24:02d}:{i % 60:02d}:00-06:00,"
                f'{amount},0.0725,"Roof, asphalt",{statuses[i % 10]},,INV-{i:08d}\n'
            )
    with (directory / "sale_splits.csv").open("w", newline="") as f:
        f.write("id,sale_id,employee_id,share,commission\n")
        for i in range(1, rows + 1):
            f.write(f"{i},{i},{1 + i % 150},1.0000,{rnd.randint(0, 99999) / 100:.2f}\n")


def main() -> None:
    rows = int(next((a for a in sys.argv[1:] if a.isdigit()), 1_000_000))
    bad = "--bad" in sys.argv
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        started = time.monotonic()
        write_files(directory, rows, bad)
        size = sum(p.stat().st_size for p in directory.iterdir())
        took = time.monotonic() - started
        print(f"generated 2 x {rows:,} rows ({size / 1e6:.0f} MB) in {took:.1f} s")
        marks: list[tuple[str, str, float]] = []

        def on_progress(table: str, phase: str, done: int, total: int) -> None:
            if phase != "copy" or not marks or marks[-1][:2] != (table, "copy"):
                marks.append((table, phase, time.monotonic()))

        started = time.monotonic()
        try:
            result = import_directory(directory, on_progress=on_progress)
            outcome = f"loaded {result.rows:,} rows"
        except ImportRejected as exc:
            outcome = f"rejected ({len(exc.problems)} problem(s): {exc.problems[0]})"
        total = time.monotonic() - started
        marks.append(("", "end", time.monotonic()))
        for (table, phase, at), (_, _, until) in itertools.pairwise(marks):
            if phase != "done":
                print(f"  {table:<12} {phase:<6} {until - at:6.1f} s")
        print(f"{outcome} in {total:.1f} s = {2 * rows / total:,.0f} rows/s")


if __name__ == "__main__":
    main()
