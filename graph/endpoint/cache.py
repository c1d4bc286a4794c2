"""Answers kept by the endpoint: the same query on the same embedded graph, answered once.

The embedded graph does not change while ``airisk serve`` runs, so an answer the workers gave
(status ``ok``, marked cacheable by the worker: its own copy of the graph, and a query with
nothing that varies from one evaluation to the next, such as ``NOW()`` or ``RAND()``) is the answer
to every later request for the same query text, media type, row cap and ``Accept``. The cache
holds up to a budget of bytes, least recently used first out; a remote store's answers are never
kept (its graph may change under the endpoint).
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Hashable

from graph.sandbox.worker import Outcome

#: What an entry costs beyond its body (the key, the outcome object), in bytes.
ENTRY_OVERHEAD = 512


class AnswerCache:
    """Least-recently-used answers, up to ``max_bytes`` (0: keep nothing)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max(0, max_bytes)
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, tuple[Outcome, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> Outcome | None:
        """A copy of the kept answer for ``key``, or None."""
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return dataclasses.replace(entry[0], cached=True)

    def put(self, key: Hashable, outcome: Outcome) -> None:
        """Keep ``outcome`` for ``key`` if it may be kept and fits the budget."""
        if outcome.status != "ok" or not outcome.cacheable or outcome.answer is not None:
            return
        cost = len(outcome.body) + len(str(key)) + ENTRY_OVERHEAD
        if cost > self.max_bytes // 4:  # one answer never takes more than a quarter of the budget
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self.size -= old[1]
        self._entries[key] = (dataclasses.replace(outcome), cost)
        self.size += cost
        while self.size > self.max_bytes:
            _, (_, freed) = self._entries.popitem(last=False)
            self.size -= freed
