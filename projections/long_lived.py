"""Keep the cyclic garbage collector off the rows a rebuild holds in memory.

A rebuild keeps every row of its build tables in memory (projections/buffered.py), hundreds
of thousands of dicts that live until the rebuild ends. CPython's collector walks every
tracked object of the oldest generation on each full collection, and full collections come
more often as the heap grows, so the fold of a large log spent about a sixth of its CPU time
in the collector looking at rows that could never be garbage (freezing halved that).
Freezing the heap after each batch (``gc.freeze``: move what exists now out of the
collector's sight) leaves the young generations collected as before, for the cycles a batch
makes; unreferenced frozen objects are still freed by reference counting, and the rows are,
when the rebuild drops them.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def settled_between_batches() -> Iterator[Callable[[], None]]:
    """Yield ``settle``, to call after each batch: what the batches made so far is frozen.
    At the end the frozen objects go back to the collector (unless someone froze objects
    before us, e.g. a pre-forking server: then they stay frozen, as that caller wanted)."""
    ours = gc.get_freeze_count() == 0
    try:
        yield gc.freeze
    finally:
        if ours:
            gc.unfreeze()
