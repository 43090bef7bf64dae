"""Progress bars (rich) for seeding: generation steps, then rows loaded per table."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

GENERATION_STEPS = 7


class _Quiet:
    def step(self, name: str) -> None:
        pass

    def start_loading(self, rows: dict[str, int]) -> None:
        pass

    def loaded(self, table: str, rows: int) -> None:
        pass


class _Bars(_Quiet):
    def __init__(self, progress) -> None:
        self.progress = progress
        self.generating = progress.add_task("generating", total=GENERATION_STEPS)
        self.loading = None

    def step(self, name: str) -> None:
        self.progress.update(self.generating, advance=1, description=f"generating {name}")

    def start_loading(self, rows: dict[str, int]) -> None:
        self.progress.update(self.generating, completed=GENERATION_STEPS, description="generated")
        self.loading = self.progress.add_task("loading", total=sum(rows.values()))

    def loaded(self, table: str, rows: int) -> None:
        self.progress.update(self.loading, advance=rows, description=f"loaded {table}")


@contextmanager
def progress_reporter(show: bool) -> Iterator[_Quiet]:
    if not show:
        yield _Quiet()
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=False) as progress:
        yield _Bars(progress)
