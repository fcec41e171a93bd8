"""The unit-of-work port: one attempt at a command, all or nothing.

A unit of work is entered once per attempt. Inside it a handler checks the idempotency key,
loads streams, decides, appends with the versions it loaded (plus the idempotency record and
any writes that must commit with the events); leaving it commits, an exception rolls back.
``SqlUnitOfWork`` does all of that on one connection in one transaction; the in-memory twin
does the same over ``MemoryEventStore`` for handler unit tests and the demo.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Protocol

from sqlalchemy import Connection, Engine

from events.engine import write_connection
from events.memory_store import MemoryEventStore
from events.sqlalchemy_store import SqlEventStore
from events.store import AppendResult, LoadedStreams, PendingEvent
from service.domain.decision import AlsoWrite


class UnitOfWork(Protocol):
    """One attempt: reads and writes commit together on ``commit()`` or on a clean exit."""

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None: ...

    def first_result(self, key: str) -> AppendResult | None:
        """What the command with this scoped idempotency key answered, if it already ran."""
        ...

    def load(self, stream_ids: Sequence[str], snapshots: bool = False) -> LoadedStreams:
        """The streams' events; with ``snapshots``, a covered stream may come as snapshot +
        tail (events/snapshots.py), for decisions that fold it with reader_from."""
        ...

    def append(self, events: Sequence[PendingEvent], *, expected: Mapping[str, int],
               meta: Mapping[str, Any], idempotency_key: str | None,
               result: Mapping[str, Any] | None, fingerprint: str | None) -> AppendResult:
        """Append checking each stream's expected version (ConcurrencyError if one moved),
        recording the key's answer; a key already recorded replays the first answer."""
        ...

    def also(self, write: AlsoWrite) -> None:
        """Run a write outside the log that must commit (or roll back) with the events."""
        ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    """Opens a unit of work; ``locked`` takes the append lock before anything is read, so
    nobody can move the streams between the read and the write (used after a lost race)."""

    def __call__(self, *, locked: bool = False) -> UnitOfWork: ...


class SqlUnitOfWork:
    """One connection, one transaction per attempt (SQLite: BEGIN IMMEDIATE)."""

    def __init__(self, engine: Engine, store: SqlEventStore, *, locked: bool = False) -> None:
        self.engine, self.store, self.locked = engine, store, locked
        self.conn: Connection | None = None
        self._done = False

    def __enter__(self) -> SqlUnitOfWork:
        self.conn = write_connection(self.engine)
        self.conn.begin()
        if self.locked:
            try:
                self.store.lock_for_append(self.conn)
            except BaseException:  # a deadlock lost while waiting: no __exit__ will run
                self.conn.rollback()
                self.conn.close()
                raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        assert self.conn is not None
        try:
            if kind is None and not self._done:
                self.commit()
            elif not self._done:
                self.rollback()
        finally:
            self.conn.close()

    def _connection(self) -> Connection:
        if self.conn is None:
            raise RuntimeError("use the unit of work as a context manager")
        return self.conn

    def first_result(self, key: str) -> AppendResult | None:
        return self.store.idempotent_result(key, conn=self._connection())

    def load(self, stream_ids: Sequence[str], snapshots: bool = False) -> LoadedStreams:
        return self.store.load(list(stream_ids), self._connection(), snapshots=snapshots)

    def append(self, events: Sequence[PendingEvent], *, expected: Mapping[str, int],
               meta: Mapping[str, Any], idempotency_key: str | None,
               result: Mapping[str, Any] | None, fingerprint: str | None) -> AppendResult:
        return self.store.append(events, expected=expected, meta=meta,
                                 idempotency_key=idempotency_key, result=result,
                                 conn=self._connection(), fingerprint=fingerprint)

    def also(self, write: AlsoWrite) -> None:
        write(self._connection())

    def commit(self) -> None:
        self._connection().commit()
        self._done = True

    def rollback(self) -> None:
        self._connection().rollback()
        self._done = True


def sql_units(engine: Engine, store: SqlEventStore) -> UnitOfWorkFactory:
    """The production factory: a ``SqlUnitOfWork`` on this engine and store."""

    def open_unit(*, locked: bool = False) -> UnitOfWork:
        return SqlUnitOfWork(engine, store, locked=locked)

    return open_unit


class InMemoryUnitOfWork:
    """The same port over ``MemoryEventStore`` (no database).

    The memory store's append is atomic and checks expected versions itself, so races and
    retries behave as on SQL. Writes outside the log are kept until commit and then run on
    a connection of ``engine`` when one is given (the demo's PINs), else only recorded in
    ``writes`` (unit tests). The twin cannot undo an append, and nothing after the append
    can fail in it: extra writes run at commit.
    """

    def __init__(self, store: MemoryEventStore, engine: Engine | None = None) -> None:
        self.store, self.engine = store, engine
        self.pending: list[AlsoWrite] = []
        self.writes: list[AlsoWrite] = []

    def __enter__(self) -> InMemoryUnitOfWork:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is None:
            self.commit()
        else:
            self.rollback()

    def first_result(self, key: str) -> AppendResult | None:
        return self.store.idempotent_result(key)

    def load(self, stream_ids: Sequence[str], snapshots: bool = False) -> LoadedStreams:
        return self.store.load(list(stream_ids))  # the in-memory twin keeps no snapshots

    def append(self, events: Sequence[PendingEvent], *, expected: Mapping[str, int],
               meta: Mapping[str, Any], idempotency_key: str | None,
               result: Mapping[str, Any] | None, fingerprint: str | None) -> AppendResult:
        return self.store.append(events, expected=expected, meta=meta,
                                 idempotency_key=idempotency_key, result=result,
                                 fingerprint=fingerprint)

    def also(self, write: AlsoWrite) -> None:
        self.pending.append(write)

    def commit(self) -> None:
        pending, self.pending = self.pending, []
        if pending and self.engine is not None:
            with write_connection(self.engine) as conn, conn.begin():
                for write in pending:
                    write(conn)
        self.writes.extend(pending)

    def rollback(self) -> None:
        self.pending = []


def memory_units(store: MemoryEventStore, engine: Engine | None = None,
                 opened: Callable[[InMemoryUnitOfWork], None] | None = None,
                 ) -> UnitOfWorkFactory:
    """A factory of in-memory units of work over one store (``opened`` sees each one)."""

    def open_unit(*, locked: bool = False) -> UnitOfWork:
        unit = InMemoryUnitOfWork(store, engine)
        if opened is not None:
            opened(unit)
        return unit

    return open_unit
