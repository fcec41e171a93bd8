"""A bounded in-process cache of decoded events by position.

Safe because stored events never change (append-only; upcasting is deterministic). Events
with personal fields are never cached, so deleting a subject's key (crypto-shredding) takes
effect at once in every process.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence

from events.store import StoredEvent


class DecodedEvents:
    """Least-recently-used map from log position to decoded event."""

    def __init__(self, max_size: int = 50_000) -> None:
        self.max_size = max_size
        self._items: OrderedDict[int, StoredEvent] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, positions: Iterable[int]) -> dict[int, StoredEvent]:
        found = {}
        with self._lock:
            for position in positions:
                stored = self._items.get(position)
                if stored is not None:
                    self._items.move_to_end(position)
                    found[position] = stored
        return found

    def put_many(self, events: Iterable[StoredEvent]) -> None:
        with self._lock:
            for stored in events:
                if stored.event.pii_fields:
                    continue
                self._items[stored.position] = stored
                self._items.move_to_end(stored.position)
            while len(self._items) > self.max_size:
                self._items.popitem(last=False)

    def lookup(
        self, positions: Sequence[int], decode: Callable[[list[int]], Iterable[StoredEvent]]
    ) -> list[StoredEvent]:
        """The events at ``positions``, decoding (and remembering) only the ones not cached."""
        known = self.get_many(positions)
        fresh = list(decode([p for p in positions if p not in known]))
        self.put_many(fresh)
        known.update((e.position, e) for e in fresh)
        return [known[p] for p in positions]
