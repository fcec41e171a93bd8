"""Coalesce after-commit projection work during a bulk import."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from service.application.context import AfterCommit, Ports


class DeferredCatchUp:
    """Pass on every ``every``-th commit (and the last one at flush), not each one.

    In embedded mode each command otherwise folds every projection before the next record
    (about ten transactions per record). The importers keep their own in-run map and read
    streams for consistency, so they do not need the projections caught up record by record.
    """

    def __init__(self, inner: AfterCommit, every: int = 200) -> None:
        self.inner, self.every = inner, every
        self.pending = 0
        self.count = 0

    def __call__(self, position: int) -> None:
        self.pending = max(self.pending, position)
        self.count += 1
        if self.count >= self.every:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            position, self.pending, self.count = self.pending, 0, 0
            self.inner(position)


@contextmanager
def bulk_ports(ports: Ports, every: int = 200) -> Iterator[Ports]:
    """Ports whose after-commit work is batched; flushed when the block ends (even on error)."""
    deferred = DeferredCatchUp(ports.after_commit, every)
    try:
        yield replace(ports, after_commit=deferred)
    finally:
        deferred.flush()
