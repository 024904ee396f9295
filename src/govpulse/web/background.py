"""Periodic jobs of a serving process (escalations, reminders, digests), each on a daemon thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class PeriodicJob:
    """Calls ``job()`` every ``interval`` seconds until ``stop()``; a failure is logged and retried next time."""

    def __init__(self, name: str, job: Callable[[], object], *, interval: float, first_after: float | None = None
                 ) -> None:
        """``first_after``: seconds before the first run (default: one ``interval``)."""
        self.name, self.job, self.interval = name, job, interval
        self.first_after = interval if first_after is None else first_after
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> PeriodicJob:
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        wait = self.first_after
        while not self._stop.wait(wait):
            try:
                self.job()
            except Exception:  # keep serving; the next run tries again, and the failure is in the log
                log.exception("background job %s failed", self.name)
            wait = self.interval
