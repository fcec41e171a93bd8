"""Rebuild beside, then swap (warehouse's reindex, for SQL tables).

1. Start, under the projection's lock: drop what an unfinished rebuild left, create the
   tables of generation N+1 (keys and unique indexes only), note N+1 as the one being built.
2. Fold the whole log into them in batches, one transaction each, without the projection's
   lock: the live generation keeps answering queries and keeps catching up meanwhile. Then
   make the other indexes, each in one pass over the rows (``_index``).
3. Swap, in one transaction under the lock: fold the tail that arrived during the rebuild,
   replace the live tables by the new ones, move the checkpoint to the head, forget any
   recorded failure. Readers see the old generation until that commit and the new one after.

A fold that raises abandons the build (its tables are dropped) and the live generation stays
as it was; a process killed mid-way leaves only unused ``__g<N>`` tables, dropped by the next
rebuild's start.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Index, Table, delete, insert, text, update
from sqlalchemy.exc import InterfaceError, OperationalError

from events.engine import write_connection
from events.sqlalchemy_store import SqlEventStore
from events.store import StoredEvent
from projections.base import Projection
from projections.buffered import BufferedConnection, TableMirror
from projections.failures import FoldFailed
from projections.generations import (
    build_tables,
    create_keyed,
    drop_table,
    generation_row,
    leftover_tables,
    redirected,
    swap_in,
)
from projections.long_lived import settled_between_batches
from projections.runner import Progress, _apply, _lock_all
from projections.schema import checkpoints, failures, generations

log = logging.getLogger(__name__)
# Fold rebuilds into in-memory copies flushed in bulk (projections/buffered.py); False folds
# row by row as before (the benchmark's "before" side, and a way out if ever needed).
BUFFERED = True
SWAP_LOCK_WAIT = "1s"  # the longest a query may queue behind the swap
SWAP_ATTEMPTS = 180  # about four minutes of readers holding the live tables
LOCK_NOT_AVAILABLE = "55P03"


class RebuildFailed(Exception):
    """A rebuild's fold raised on an event; the live generation is untouched."""

    def __init__(self, failed: FoldFailed) -> None:
        super().__init__(f"rebuild of {failed.name} failed at position {failed.position} "
                         f"({failed.event_type}): {failed.error}; its live tables still answer")
        self.failed = failed


class RebuildSuperseded(Exception):
    """Another rebuild of the same projection started after this one; it swaps, not us."""


@dataclass
class _Build:
    projection: Projection
    generation: int
    tables: tuple[Table, ...]
    position: int = 0
    names: dict[str, str] = field(default_factory=dict)
    # In-memory copies of the (new, empty) build tables: set-based writes (buffered.py)
    mirrors: list[TableMirror] = field(default_factory=list)
    last: StoredEvent | None = None  # the last event folded, to blame a failed flush on
    indexed: bool = False  # the secondary indexes left out at the start are made

    def __post_init__(self) -> None:
        if not self.mirrors:
            self.mirrors = [TableMirror(t, target=b.name)
                            for t, b in zip(self.projection.tables, self.tables, strict=True)]


# How the last rebuild in this process wrote each projection (diagnostics and tests only):
# name -> {"in_memory": statements done on the copies, "flushed": rows written in bulk,
# "direct": tables written directly after a statement the copies could not carry out}.
last_rebuild: dict[str, dict[str, Any]] = {}


def _note(build: _Build) -> None:
    last_rebuild[build.projection.name] = {
        "in_memory": sum(m.in_memory for m in build.mirrors),
        "flushed": sum(m.flushed for m in build.mirrors),
        "direct": sorted(m.table.name for m in build.mirrors if not m.enabled),
    }


def _flush(buffered: BufferedConnection, builds: list[_Build]) -> None:
    """Write what the batch changed, build by build; a write the database refuses is that
    build's fold failing (its last event is blamed)."""
    for build in builds:
        try:
            buffered.flush(build.mirrors)
        except (OperationalError, InterfaceError):
            raise
        except Exception as exc:
            if build.last is None:
                raise
            raise FoldFailed(build.projection.name, build.last, exc) from exc


def rebuild_beside(
    engine: Engine, store: SqlEventStore, projection: Projection, batch: int = 2000,
    progress: Progress | None = None,
) -> int:
    """Fold the whole log into a new generation of the projection, then swap it in; return
    the checkpoint it went live at."""
    build = _start(engine, projection)
    try:
        with settled_between_batches() as settle:
            while not _fold(engine, store, build, batch):
                settle()
                if progress is not None:
                    progress(build.position, store.safe_position())
        _index(engine, build)
        reached = _swap_when_free(engine, store, build, batch)
    except Exception as exc:
        _abandon(engine, build)
        if isinstance(exc, FoldFailed):
            raise RebuildFailed(exc) from exc
        raise
    if progress is not None:
        progress(reached, reached)
    return reached


def _start(engine: Engine, projection: Projection) -> _Build:
    with write_connection(engine) as conn, conn.begin():
        _lock_all(conn, [projection.name])
        row = generation_row(conn, projection.name)
        live, building = row or (0, None)
        for name in leftover_tables(conn, projection):
            drop_table(conn, name)
        generation = max(live, building or 0) + 1
        tables = build_tables(projection, generation)
        built = {t.name: b.name for t, b in zip(projection.tables, tables, strict=True)}
        # Set-based folds write the rows first and index them once at the end (_index); the
        # row-by-row fold reads its tables on the database all along, so it needs them now.
        later = [_create(conn, table) for table in tables]
        projection.after_create(conn, built)
        if not BUFFERED:
            projection.after_fold(conn, built)
        values = {"generation": live, "building": generation}
        if row is None:
            conn.execute(insert(generations).values(name=projection.name, **values))
        else:
            conn.execute(update(generations).where(generations.c.name == projection.name)
                         .values(**values))
    build = _Build(projection, generation, tables, names=built, indexed=not BUFFERED)
    for mirror, indexes in zip(build.mirrors, later, strict=True):
        mirror.deferred, mirror.indexed = indexes, not indexes
    return build


def _create(conn: Connection, table: Table) -> list[Index]:
    """Create a build table; return the indexes left for later (none folding row by row)."""
    if BUFFERED:
        return create_keyed(conn, table)
    table.create(conn)
    return []


def _index(engine: Engine, build: _Build) -> None:
    """Make the secondary indexes left out at the start, in one transaction once the bulk
    fold is done and before the swap: each is built from the rows in one sorted pass, where
    keeping it up during the fold cost an index update per row written."""
    if build.indexed:
        return
    with write_connection(engine) as conn, conn.begin():
        _still_ours(conn, build)
        for mirror in build.mirrors:
            mirror.make_indexes(conn)
        build.projection.after_fold(conn, build.names)
        if conn.dialect.name == "postgresql":
            # The tables were just filled in bulk, before autovacuum has sampled them: without
            # statistics the first reports after the swap were planned for empty tables.
            quote = conn.dialect.identifier_preparer.quote
            for table in build.tables:
                conn.execute(text(f"ANALYZE {quote(table.name)}"))
    build.indexed = True


def _fold(engine: Engine, store: SqlEventStore, build: _Build, batch: int) -> bool:
    """One batch into the build tables, in its own transaction; True once at the head."""
    with write_connection(engine) as conn, conn.begin():
        _still_ours(conn, build)
        return _fold_in(conn, store, build, batch)


def _still_ours(conn: Connection, build: _Build) -> None:
    """A later rebuild of the same projection dropped our tables at its start: stop."""
    if (generation_row(conn, build.projection.name) or (0, None))[1] != build.generation:
        raise RebuildSuperseded(f"a later rebuild of {build.projection.name} took over")


def _fold_in(conn: Connection, store: SqlEventStore, build: _Build, batch: int) -> bool:
    head = store.safe_position(conn)  # the read bound (events/pg_log.py)
    if build.position >= head:
        return True
    types = sorted(build.projection.handled_types)
    buffered = BufferedConnection(conn, build.mirrors)
    target: Any = buffered if BUFFERED else conn
    try:
        with redirected(conn, build.names):
            events = store.read_all(build.position, batch, types=types, until=head, conn=conn,
                                    decrypt=_personal_types([build]))
            for stored in events:
                _apply(target, build.projection, stored)
                build.last = stored
            _flush(buffered, [build])
    except BaseException:
        buffered.give_up()  # the transaction rolls back: the copies no longer match
        raise
    # A short batch means nothing else up to ``head`` concerns this projection (positions
    # are given out in commit order, see the store).
    build.position = events[-1].position if len(events) == batch else head
    return build.position >= head


def _swap_when_free(engine: Engine, store: SqlEventStore, build: _Build, batch: int) -> int:
    """Swap, waiting out readers that hold the live tables for long (PostgreSQL only)."""
    for attempt in range(SWAP_ATTEMPTS):
        folded = build.position
        try:
            return _swap(engine, store, build, batch)
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE \
                    or attempt == SWAP_ATTEMPTS - 1:
                raise
            build.position = folded  # the tail folded in that transaction was rolled back
            log.info("rebuild of %s: a long reader holds its tables; swap again in a moment",
                     build.projection.name)
            time.sleep(1)
    raise AssertionError("unreachable")


def _swap(engine: Engine, store: SqlEventStore, build: _Build, batch: int) -> int:
    try:
        reached = _swap_once(engine, store, build, batch)
        _note(build)
        return reached
    except BaseException:
        BufferedConnection(None, build.mirrors).give_up()  # type: ignore[arg-type]
        raise


def _swap_once(engine: Engine, store: SqlEventStore, build: _Build, batch: int) -> int:
    name = build.projection.name
    with write_connection(engine) as conn, conn.begin():
        _lock_all(conn, [name])  # no runner folds the live generation from here to commit
        _still_ours(conn, build)
        while not _fold_in(conn, store, build, batch):
            pass  # the tail that arrived while we were folding
        if conn.dialect.name == "postgresql":
            # DROP waits for every reader of the live table, and every query that arrives
            # meanwhile queues behind the DROP: give up quickly and try again instead of
            # stalling the API behind one long export. (SQLite readers never block it.)
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{SWAP_LOCK_WAIT}'")
        swap_in(conn, build.projection, build.tables)
        build.projection.after_swap(conn)
        now = datetime.now(UTC)
        conn.execute(update(checkpoints).where(checkpoints.c.name == name)
                     .values(position=build.position, updated_at=now))
        conn.execute(delete(failures).where(failures.c.name == name))
        conn.execute(update(generations).where(generations.c.name == name)
                     .values(generation=build.generation, building=None, swapped_at=now))
    return build.position


def _abandon(engine: Engine, build: _Build) -> None:
    """Drop a failed build's tables (best effort: the next rebuild drops them otherwise)."""
    try:
        with write_connection(engine) as conn, conn.begin():
            for table in build.tables:
                drop_table(conn, table.name)
            conn.execute(update(generations)
                         .where(generations.c.name == build.projection.name,
                                generations.c.building == build.generation)
                         .values(building=None))
    except Exception:  # the original error is the one to report
        log.warning("could not drop the abandoned build of %s; the next rebuild will",
                    build.projection.name, exc_info=True)


def rebuild_all_beside(
    engine: Engine, store: SqlEventStore, projections: list[Projection], batch: int = 2000,
    progress: Progress | None = None,
) -> tuple[dict[str, int], list[RebuildFailed]]:
    """Rebuild several projections beside their live tables in one pass over the log: each
    batch of events is read and decoded once and folded into every build, then each build
    swaps in on its own (folding the short tail that arrived meanwhile). Returns the
    checkpoints they went live at and the rebuilds that failed (their live tables stay)."""
    builds = [_start(engine, p) for p in sorted(projections, key=lambda p: p.name)]
    failed: list[RebuildFailed] = []
    reached: dict[str, int] = {}
    try:
        with settled_between_batches() as settle:
            while builds:
                try:
                    done = _fold_together(engine, store, builds, batch)
                except FoldFailed as exc:  # set that one aside; the batch is folded again
                    culprit = next(b for b in builds if b.projection.name == exc.name)
                    builds.remove(culprit)
                    _abandon(engine, culprit)
                    failed.append(RebuildFailed(exc))
                    continue
                settle()
                if progress is not None:
                    progress(min(b.position for b in builds), store.safe_position())
                if done:
                    break
        for build in builds:
            _index(engine, build)
        while builds:
            build = builds[0]
            try:
                reached[build.projection.name] = _swap_when_free(engine, store, build, batch)
            except FoldFailed as exc:
                _abandon(engine, build)
                failed.append(RebuildFailed(exc))
            builds.pop(0)
    except BaseException:
        for build in builds:
            _abandon(engine, build)
        raise
    return reached, failed


def _fold_together(engine: Engine, store: SqlEventStore, builds: list[_Build],
                   batch: int) -> bool:
    """One batch into every build's tables, in one transaction; True once all are at the
    head. The builds' table names are all distinct, so one redirection serves them all."""
    with write_connection(engine) as conn, conn.begin():
        for build in builds:
            _still_ours(conn, build)
        head = store.safe_position(conn)
        low = min(b.position for b in builds)
        if low >= head:
            return True
        types = sorted(set().union(*(b.projection.handled_types for b in builds)))
        names = {live: new for b in builds for live, new in b.names.items()}
        buffered = BufferedConnection(conn, [m for b in builds for m in b.mirrors])
        target: Any = buffered if BUFFERED else conn
        try:
            with redirected(conn, names):
                events = store.read_all(low, batch, types=types, until=head, conn=conn,
                                        decrypt=_personal_types(builds))
                folding = _by_type(builds)
                for stored in events:
                    for build in folding.get(stored.event.type_name, ()):
                        if stored.position > build.position:
                            _apply(target, build.projection, stored)
                            build.last = stored
                _flush(buffered, builds)
        except BaseException:
            buffered.give_up()  # the transaction rolls back: the copies no longer match
            raise
        # A short batch means nothing else up to ``head`` concerns these projections.
        reached = events[-1].position if len(events) == batch else head
        for build in builds:
            build.position = max(build.position, reached)
        return reached >= head


def _personal_types(builds: list[_Build]) -> frozenset[str]:
    """The event types whose personal fields some build reads: only those are decrypted
    (the AES-GCM work and the key lookup are skipped for the rest)."""
    return frozenset(t for b in builds if b.projection.personal
                     for t in b.projection.handled_types)


def _by_type(builds: list[_Build]) -> dict[str, list[_Build]]:
    """The builds that handle each event type, in the builds' order (name order), so an
    event is offered only to the projections that fold it."""
    out: dict[str, list[_Build]] = {}
    for build in builds:
        for type_name in build.projection.handled_types:
            out.setdefault(type_name, []).append(build)
    return out
