"""Rich progress bars for the ``Progress`` interface of long jobs."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


class _RichStep:
    def __init__(self, progress: Progress, task_id) -> None:
        self._progress, self._task_id = progress, task_id

    def advance(self, amount: float = 1) -> None:
        self._progress.advance(self._task_id, amount)


class RichProgress:
    def __init__(self, console: Console) -> None:
        self.console = console

    @contextmanager
    def step(self, description: str, total: float | None = None) -> Iterator[_RichStep]:
        columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn()]
        with Progress(*columns, console=self.console, transient=False) as progress:
            task_id = progress.add_task(description, total=total)
            yield _RichStep(progress, task_id)
            progress.update(task_id, completed=total if total is not None else 1, total=total or 1)
