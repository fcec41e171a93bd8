"""Per-stream snapshots: a decision folds snapshot + tail, not the stream's whole history.

A ``SnapshotPolicy`` (given to the store at bootstrap by the application, which knows the
domain's fold) names the streams it covers by prefix, the state's schema number, how often
to take one, and how to fold, dump and load the state. ``SqlEventStore.load`` then reads the
snapshot row of each such stream, reads only the stream's events after the snapshot's
version, and, when that tail has grown to ``every`` events, folds it into a new snapshot
written beside the log in the same transaction (so it is only kept if the command commits,
and it only ever contains committed events). A row whose schema is not the policy's is
ignored (and replaced), a missing one means a fold from the log: the table is a cache,
never a source of truth. Concurrency is untouched: the stream's version still comes from the
log, and the append still refuses a stale one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from events.schema import stream_snapshots
from events.store import StoredEvent


@dataclass(frozen=True)
class Snapshot:
    """A stream's folded state as of ``version`` (at log position ``position``)."""

    stream_id: str
    version: int
    position: int
    state: Any


@dataclass(frozen=True)
class SnapshotPolicy:
    prefix: str
    schema: int
    every: int
    # (state so far or None, stream id, the stream's next events in order) -> new state
    fold: Callable[[Any, str, Sequence[StoredEvent]], Any]
    dump: Callable[[Any], Mapping[str, Any]]
    load: Callable[[Mapping[str, Any]], Any]

    def covers(self, stream_id: str) -> bool:
        return stream_id.startswith(self.prefix)


def read_snapshots(conn: Connection, covered: Mapping[str, SnapshotPolicy]
                   ) -> dict[str, Snapshot]:
    """The usable snapshots of these streams (a row of another schema is left out)."""
    rows = conn.execute(select(stream_snapshots).where(
        stream_snapshots.c.stream_id.in_(list(covered)))).mappings().all()
    return {r["stream_id"]: Snapshot(r["stream_id"], r["version"], r["position"],
                                     covered[r["stream_id"]].load(r["state"]))
            for r in rows if r["schema"] == covered[r["stream_id"]].schema}


def take_snapshots(
    conn: Connection, covered: Mapping[str, SnapshotPolicy], found: dict[str, Snapshot],
    entries: Sequence[Any], loaded: Sequence[StoredEvent],
) -> dict[str, Snapshot]:
    """Fold a stream's tail into a new snapshot once it has ``every`` events; write it."""
    out = dict(found)
    by_position = {e.position: e for e in loaded}
    for stream_id, policy in covered.items():
        tail = sorted((v, p) for s, v, p in entries if s == stream_id)
        if len(tail) < policy.every:
            continue
        before = found.get(stream_id)
        events_ = [by_position[p] for _v, p in tail]
        state = policy.fold(None if before is None else before.state, stream_id, events_)
        version, position = tail[-1]
        row = {"stream_id": stream_id, "version": version, "position": position,
               "schema": policy.schema, "state": dict(policy.dump(state)),
               "taken_at": datetime.now(UTC)}
        # Two commands may take the same snapshot at once: the later version wins.
        upsert = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(
            stream_snapshots).values(**row)
        conn.execute(upsert.on_conflict_do_update(
            index_elements=["stream_id"],
            set_={c: upsert.excluded[c] for c in row if c != "stream_id"},
            where=or_(stream_snapshots.c.version < upsert.excluded.version,
                      stream_snapshots.c.schema != upsert.excluded.schema)))
        # A fresh copy of the state for the caller: the fold above may share objects.
        out[stream_id] = Snapshot(stream_id, version, position,
                                  policy.load(policy.dump(state)))
    return out
