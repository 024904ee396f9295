"""Indicator rows read from the warehouse, kept until the warehouse's data changes.

What is kept is a warehouse answer, not a screen: the ``INDICATOR_SCHEMA`` row (or "no row") of one indicator
at one org unit for one period, under the warehouse's ``data_version()`` asked *before* the read. Such an
answer is the same for every reader who may see that org unit for that indicator's department (the
warehouse's scope only leaves out rows of org units outside the reader's subtrees), so a Collector's
overview reuses what the CMO's read, and scope is applied again on every look-up (``evaluate.read_values``).
Targets, thresholds, weights and flags are not kept here: they come from the catalogue on every request, so
an edited target shows at once.

Why keeping answers is safe: an answer is only used under the version it was stored with, and any write,
rollup or sync changes the version (the contract of ``Warehouse.data_version``). Because the version is asked
before reading, what is kept is never older than its version, and the first look-up with a newer version
drops everything older; a reader still holding a replaced version reads the warehouse and keeps nothing. Staleness is judged from these rows for the reader's ``today`` at every request.

One cache per warehouse object, for the life of that object; it holds at most ``MAX_ENTRIES`` answers (past
that, the indicators kept longest ago go first, down to half: the state's and every district's overviews fit
five times over on the Gujarat demo).
"""

from __future__ import annotations

import threading
import weakref
from collections import deque
from collections.abc import Iterable, Mapping

from govpulse.analytics.indicator_catalogue import EvalIndicator
from govpulse.warehouse import Warehouse

__all__ = ["MAX_ENTRIES", "ReadCache", "SpecKey", "cache_for", "spec_key"]

MAX_ENTRIES = 400_000
"""Answers kept per warehouse, about 0.55 KB each (so ~220 MB at most): warming the state and its 33 districts
keeps 76,648 on the Gujarat demo (42 MB)."""

RETIRED = 64
"""Versions remembered as replaced (``Warehouse.data_version`` never gives a replaced token again), so that a
reader still holding one cannot make the cache drop the newer answers."""

SpecKey = tuple
"""What the warehouse computes an indicator from: code, expressions, factor, decimals, constants used."""


def spec_key(indicator: EvalIndicator) -> SpecKey:
    """The warehouse-side identity of an indicator: an edited expression, factor, decimals or constant is a
    different key, so nothing read for the old definition is used for the new one."""
    spec = indicator.spec
    used = sorted(spec.numerator.constants() | spec.denominator.constants())
    return (spec.code, spec.numerator.to_text(), spec.denominator.to_text(), spec.factor, spec.decimals,
            tuple((code, spec.constants.get(code)) for code in used))


class ReadCache:
    """Warehouse answers by (indicator spec, org unit, period id), for one data version at a time."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._lock = threading.Lock()
        self._version: str | None = None
        self._retired: deque[str] = deque(maxlen=RETIRED)
        self._answers: dict[SpecKey, dict[tuple[str, str], dict | None]] = {}
        self._size = 0
        self.max_entries = max_entries

    def _current(self, version: str) -> bool:
        """Whether ``version`` is the one held, after moving to it if it is new: everything kept under the
        one before is dropped. A retired version never comes back (a reader that asked before a write is
        still reading): it gets nothing kept and keeps nothing. Called with the lock held."""
        if version == self._version:
            return True
        if version in self._retired:
            return False
        if self._version is not None:
            self._retired.append(self._version)
        self._version, self._answers, self._size = version, {}, 0
        return True

    def answers(self, version: str, key: SpecKey,
                wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict | None]:
        """The answers kept for one indicator under ``version`` among ``wanted`` (org unit, period id) pairs;
        a pair with nothing kept is left out (a kept None means the warehouse had no row). Rows are shared:
        read them, never change them."""
        with self._lock:
            held = self._answers.get(key) if self._current(version) else None
            if not held:
                return {}
            return {pair: held[pair] for pair in wanted if pair in held}

    def put(self, version: str, key: SpecKey, found: Mapping[tuple[str, str], dict | None]) -> None:
        """Keep answers read after ``version`` was asked for; dropped when a newer version came in between."""
        with self._lock:
            if not self._current(version):
                return
            if self._size + len(found) > self.max_entries:
                self._evict(self.max_entries // 2)
            held = self._answers.setdefault(key, {})
            before = len(held)
            held.update(found)
            self._size += len(held) - before

    def _evict(self, keep: int) -> None:
        """Drop the indicators kept longest ago until at most ``keep`` answers are left (lock held)."""
        while self._answers and self._size > keep:
            oldest = next(iter(self._answers))
            self._size -= len(self._answers.pop(oldest))

    def clear(self) -> None:
        """Drop every answer kept (benchmarks measure the first reader after a write this way); the version
        held stays current."""
        with self._lock:
            self._answers, self._size = {}, 0

    def __len__(self) -> int:
        return self._size


_CACHES: weakref.WeakKeyDictionary[Warehouse, ReadCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def cache_for(warehouse: Warehouse) -> ReadCache:
    """The cache of ``warehouse`` (made on first use; it goes when the warehouse object does)."""
    with _CACHES_LOCK:
        cache = _CACHES.get(warehouse)
        if cache is None:
            cache = _CACHES[warehouse] = ReadCache()
        return cache
