"""Projections in shards: groups folded in one pass each, so several workers fold at once.

A shard is only a unit of scheduling. What keeps two runners off the same projection is
still each projection's own lock (projections/runner.py), taken per batch whatever the
grouping; the shard claim below only spares a second worker from queueing behind it.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from projections.base import Projection

REST = "*"  # in a shard's list of names: every projection no other shard names
OTHER = "other"  # the shard of the projections no shard names, when none lists REST
# The class half of the two-key advisory locks that claim shards. PostgreSQL keeps two-key
# locks apart from the one-key locks of projections, so a claim never collides with them.
SHARD_LOCK_CLASS = 0x4C53  # "LS"

ShardSpec = Sequence[tuple[str, Sequence[str]]]  # (shard name, projection names)


@dataclass(frozen=True)
class Shard:
    """A named group of projections that one runner folds together."""

    name: str
    projections: tuple[Projection, ...]

    @property
    def projection_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.projections)


def group_into_shards(projections: Sequence[Projection], spec: ShardSpec) -> list[Shard]:
    """Every projection in exactly one shard, in the order of ``spec``; projections that
    ``spec`` does not name join the shard that lists REST, else a last shard, OTHER.
    Raises ValueError for an unknown or repeated name, so a wrong setting fails at start."""
    known = {p.name: p for p in projections}
    seen_shards: set[str] = set()
    named: set[str] = set()
    for shard, names in spec:
        if shard in seen_shards or not shard:
            raise ValueError(f"projection shard name {shard!r} is empty or repeated")
        seen_shards.add(shard)
        for name in names:
            if name == REST:
                continue
            if name not in known:
                raise ValueError(f"shard {shard!r} names an unknown projection {name!r}")
            if name in named:
                raise ValueError(f"projection {name!r} is in more than one shard")
            named.add(name)
    if sum(REST in names for _shard, names in spec) > 1:
        raise ValueError(f"only one projection shard may list {REST!r}")
    rest = tuple(p for p in projections if p.name not in named)
    shards: list[Shard] = []
    for shard, names in spec:
        chosen = tuple(known[n] for n in names if n != REST) + (rest if REST in names else ())
        shards.append(Shard(shard, chosen))
    if rest and not any(REST in names for _shard, names in spec):
        if OTHER in seen_shards:
            raise ValueError(f"shard name {OTHER!r} is kept for unnamed projections")
        shards.append(Shard(OTHER, rest))
    return [s for s in shards if s.projections]


def shard_named(shards: Sequence[Shard], name: str) -> Shard:
    for shard in shards:
        if shard.name == name:
            return shard
    raise KeyError(name)


@contextmanager
def claim(engine: Engine, shard: str) -> Iterator[bool]:
    """Try to become the one runner of a shard: yields True while it is ours, or False at
    once if another runner has it.

    On PostgreSQL, a transaction-level advisory lock on a connection of its own, held while
    the caller folds: the rollback at the end releases it, and so does the server when the
    process holding it dies, so a worker killed with -9 never leaves a shard claimed. The
    transaction writes nothing and holds no snapshot between statements. On SQLite every
    fold already waits for the one write lock, so there is nothing to claim."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = zlib.crc32(shard.encode()) - (1 << 31)  # into the signed 32-bit range
    with engine.connect() as conn:  # closing it rolls the claim's transaction back
        yield bool(conn.scalar(select(func.pg_try_advisory_xact_lock(SHARD_LOCK_CLASS, key))))
