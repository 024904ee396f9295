"""A tiny progress interface: long jobs report steps, the CLI draws them as Rich progress bars."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Protocol


class Step(Protocol):
    def advance(self, amount: float = 1) -> None: ...


class Progress(Protocol):
    def step(self, description: str, total: float | None = None) -> "contextmanager[Step]": ...


class _NullStep:
    def advance(self, amount: float = 1) -> None:
        pass


class NullProgress:
    """Reports nothing (tests, library use)."""

    @contextmanager
    def step(self, description: str, total: float | None = None) -> Iterator[Step]:
        yield _NullStep()
