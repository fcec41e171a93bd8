"""Event store on SQLAlchemy 2 (SQLite embedded, PostgreSQL in production)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, Engine, and_, func, insert, or_, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from events import pii
from events.appending import (
    check_expected,
    number_entries,
    refuse_unstorable,
    refuse_unstorable_append,
    streams_touched,
)
from events.codec import decode, to_data
from events.decode_cache import DecodedEvents
from events.engine import is_postgres, write_connection
from events.pg_append import APPEND_LOCK_ID, insert_all
from events.pg_log import mark_in_flight, read_bound
from events.schema import event_streams, events, idempotency_keys, pii_keys
from events.snapshots import SnapshotPolicy, read_snapshots, take_snapshots
from events.store import (
    ANY,
    AppendResult,
    ConcurrencyError,
    LoadedStreams,
    PendingEvent,
    StoredEvent,
)

T = TypeVar("T")

__all__ = ["APPEND_LOCK_ID", "SqlEventStore"]


class SqlEventStore:
    """The production store. Appends are atomic across streams; on PostgreSQL they commit
    concurrently and readers stop below the oldest append still in flight (events/pg_log.py);
    on SQLite the write transaction admits one writer at a time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pg = is_postgres(engine)
        # Decisions reload the same streams over and over; decoding dominated their cost.
        self._decoded = DecodedEvents()
        # Streams whose decision state is snapshotted (events/snapshots.py); set at bootstrap.
        self.snapshot_policies: list[SnapshotPolicy] = []
        # The recording time of appends (and so, on PostgreSQL, their monthly partition);
        # tests pin it to append on either side of a month boundary.
        self.clock: Callable[[], datetime] = _utc_now

    def append(
        self,
        events_: Sequence[PendingEvent],
        *,
        expected: Mapping[str, int],
        meta: Mapping[str, Any],
        idempotency_key: str | None = None,
        result: Mapping[str, Any] | None = None,
        conn: Connection | None = None,
        fingerprint: str | None = None,
    ) -> AppendResult:
        """Append events (or replay an idempotent result) in one transaction.

        Raises UnstorableEvent, writing nothing, if any text could not be handed back."""
        refuse_unstorable_append(events_, expected, meta, idempotency_key, result)
        if conn is not None:
            return self._append(conn, events_, expected, meta, idempotency_key, result,
                                fingerprint)
        try:
            return self._in_own_transaction(
                lambda c: self._append(c, events_, expected, meta, idempotency_key, result,
                                       fingerprint))
        except ConcurrencyError:
            # A twin with the same key may have committed first: answer as it did.
            replay = self.idempotent_result(idempotency_key) if idempotency_key else None
            if replay is None:
                raise
            return replay

    def _in_own_transaction(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in a write transaction of its own. A pooled connection found broken
        before COMMIT was sent (the server restarted) is replaced once: no pre-ping on the
        hot path, and nothing can have been written on the broken one."""
        for attempt in (0, 1):
            committing = False
            try:
                with write_connection(self.engine) as conn:
                    with conn.begin() as trans:
                        done = work(conn)
                        committing = True
                        trans.commit()
                    return done
            except DBAPIError as exc:
                if attempt or committing or not exc.connection_invalidated:
                    raise
        raise AssertionError("unreachable")

    def _read(self, work: Callable[[Connection], T]) -> T:
        """Run a read in a connection of its own, replacing a broken pooled one once."""
        for attempt in (0, 1):
            try:
                with self.engine.connect() as conn, conn.begin():
                    return work(conn)
            except DBAPIError as exc:
                if attempt or not exc.connection_invalidated:
                    raise
        raise AssertionError("unreachable")

    def _append(
        self,
        conn: Connection,
        events_: Sequence[PendingEvent],
        expected: Mapping[str, int],
        meta: Mapping[str, Any],
        key: str | None,
        result: Mapping[str, Any] | None,
        fingerprint: str | None = None,
    ) -> AppendResult:
        if self._pg and _pinned(events_, expected):
            return self._append_pinned(conn, events_, expected, meta, key, result, fingerprint)
        # Unpinned streams (ANY, or a stream only read), personal data and SQLite: decide
        # the versions under the exclusive append lock, as every append once did.
        self.lock_for_append(conn)
        if key is not None:
            replay = _replay(conn, key)
            if replay is not None:
                return replay
        names = streams_touched(events_, expected)
        current = _versions(conn, names)
        check_expected(expected, current)
        entries, versions = number_entries(events_, current)
        now = self.clock()
        rows = [self._row(conn, p, e[0], meta, now) for p, e in zip(events_, entries, strict=True)]
        positions: list[int] = []
        if rows:
            if self._pg:
                mark_in_flight(conn)  # before the insert draws positions (events/pg_log.py)
            positions = list(
                conn.scalars(
                    insert(events).returning(events.c.position, sort_by_parameter_order=True),
                    rows,
                )
            )
            links = [
                {"stream_id": s, "version": v, "position": pos}
                for pos, mine in zip(positions, entries, strict=True)
                for s, v in mine
            ]
            conn.execute(insert(event_streams), links)
        touched = {s: versions.get(s, 0) for s in names}  # a stream only read may be empty
        if key is not None:
            conn.execute(
                insert(idempotency_keys).values(
                    key=key, positions=positions, stream_versions=touched,
                    result=dict(result) if result is not None else None, recorded_at=now,
                    fingerprint=fingerprint,
                )
            )
        return AppendResult(tuple(positions), touched, result, fingerprint=fingerprint)

    def _append_pinned(
        self, conn: Connection, events_: Sequence[PendingEvent], expected: Mapping[str, int],
        meta: Mapping[str, Any], key: str | None, result: Mapping[str, Any] | None,
        fingerprint: str | None,
    ) -> AppendResult:
        """Every stream pinned to a version: one statement, no version read (pg_append)."""
        entries, versions = number_entries(events_, expected)
        now = self.clock()
        rows: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        for pending, mine in zip(events_, entries, strict=True):
            event, event_id = pending.event, str(uuid.uuid4())
            data = to_data(event)
            refuse_unstorable(event.type_name, "data", data)
            rows.append({"event_id": event_id, "stream_id": mine[0][0], "version": mine[0][1],
                         "type": event.type_name, "schema_version": event.schema_version,
                         "data": data, "meta": dict(meta)})
            links.extend({"event_id": event_id, "stream_id": s, "version": v} for s, v in mine)
        touched = {s: versions[s] for s in expected}
        try:
            positions = insert_all(conn, rows, links, expected, touched, key, result,
                                   fingerprint, now)
        except IntegrityError as exc:
            # The primary key refused a version another writer took first; this transaction
            # is aborted, so the winner is named from the refusal itself.
            raise _refused(exc, expected) from exc
        except DBAPIError as exc:
            if not _deadlocked(exc):
                raise
            first = next(iter(expected))
            raise ConcurrencyError(first, expected[first], expected[first]) from exc
        if positions is None:  # the key was used already, or a stream is not where expected
            replay = _replay(conn, key) if key is not None else None
            if replay is not None:
                return replay
            current = _versions(conn, list(expected))
            check_expected(expected, current)
            first = next(iter(expected))
            raise ConcurrencyError(first, expected[first], current.get(first, 0))
        return AppendResult(tuple(positions), touched, result, fingerprint=fingerprint)

    def _row(
        self, conn: Connection, pending: PendingEvent, home: tuple[str, int],
        meta: Mapping[str, Any], now: datetime,
    ) -> dict[str, Any]:
        event = pending.event
        data = to_data(event)
        # Checked before encryption: ciphertext would hide a NUL until a projection decrypts it.
        refuse_unstorable(event.type_name, "data", data)
        subject = pii.subject_of(event)
        if subject is not None:
            key = _key_for(conn, subject, now)
            if key == pii.TOMBSTONE:
                pii.drop_fields(data, event.pii_fields)
            else:
                pii.encrypt_fields(data, event.pii_fields, subject, key)
        return {
            "event_id": str(uuid.uuid4()), "stream_id": home[0], "version": home[1],
            "type": event.type_name, "schema_version": event.schema_version,
            "data": data, "meta": dict(meta), "recorded_at": now,
        }

    def lock_for_append(self, conn: Connection) -> None:
        """Exclude every other append until the caller's transaction ends (re-entrant; a
        no-op on SQLite, whose write transaction already excludes other writers).

        Appends take the same lock in shared mode, so they never wait for each other; it no
        longer orders commits (the in-flight markers of events/pg_log.py do)."""
        if self._pg:
            try:
                conn.execute(select(func.pg_advisory_xact_lock(APPEND_LOCK_ID)))
            except DBAPIError as exc:
                if not _deadlocked(exc):
                    raise
                raise ConcurrencyError("(append lock)", 0, 0) from exc

    def load(self, stream_ids: Sequence[str], conn: Connection | None = None,
             snapshots: bool = False) -> LoadedStreams:
        """Read several streams' events, merged in position order, with their versions.

        With ``snapshots`` (a decision that folds snapshot + tail), a stream a snapshot
        policy covers comes as its snapshot and its later events only; inside the caller's
        transaction a long enough tail is folded into a new snapshot (events/snapshots.py).
        """
        if conn is None:  # a read on its own: use snapshots, but take none
            return self._read(lambda c: self._load(stream_ids, c, snapshots, take=False))
        return self._load(stream_ids, conn, snapshots, take=True)

    def _load(self, stream_ids: Sequence[str], conn: Connection, snapshots: bool,
              take: bool) -> LoadedStreams:
        covered = {s: p for s in stream_ids for p in self.snapshot_policies
                   if snapshots and p.covers(s)}
        found = read_snapshots(conn, covered) if covered else {}
        wanted: ColumnElement[bool] = event_streams.c.stream_id.in_(list(stream_ids))
        if found:  # only the tail of a snapshotted stream
            wanted = or_(event_streams.c.stream_id.in_([s for s in stream_ids if s not in found]),
                         *(and_(event_streams.c.stream_id == s, event_streams.c.version > n.version)
                           for s, n in found.items()))
        entries = conn.execute(
            select(event_streams.c.stream_id, event_streams.c.version, event_streams.c.position)
            .where(wanted)
        ).all()
        versions: dict[str, int] = {s: n.version for s, n in found.items()}
        for stream_id, version, _position in entries:
            versions[stream_id] = max(version, versions.get(stream_id, 0))
        positions = sorted({position for _s, _v, position in entries})

        def decode(missing: list[int]) -> list[StoredEvent]:
            fresh: list[StoredEvent] = []
            for start in range(0, len(missing), 500):  # stay under SQLite's variable limit
                rows = conn.execute(
                    select(events).where(events.c.position.in_(missing[start:start + 500]))
                ).all()
                fresh.extend(_decode_rows(conn, rows))
            return fresh

        loaded = self._decoded.lookup(positions, decode)
        if covered and take:
            try:
                found = take_snapshots(conn, covered, found, entries, loaded)
            except DBAPIError as exc:
                if not _deadlocked(exc):
                    raise
                raise ConcurrencyError("(snapshot)", 0, 0) from exc
        return LoadedStreams(versions, loaded, found)

    def read_all(
        self, after: int = 0, limit: int = 1000, *, types: Sequence[str] | None = None,
        until: int | None = None, conn: Connection | None = None,
        decrypt: Collection[str] | None = None,
    ) -> list[StoredEvent]:
        """Events after a position, in position order (optionally only some types), never
        past the read bound: a reader that got position N has every event below N. A caller
        giving ``until`` takes it from safe_position(). ``decrypt``: the types whose personal
        fields the caller reads (default all); the others come with those fields None,
        unread and undecrypted (see pii.blank_encrypted)."""
        if conn is None:
            return self._read(lambda c: self.read_all(after, limit, types=types, until=until,
                                                      conn=c, decrypt=decrypt))
        if until is None and self._pg:
            until = read_bound(conn)
        if until is not None and until <= after:
            return []
        if types is None:
            query = select(events).where(events.c.position > after)
            if until is not None:
                query = query.where(events.c.position <= until)
            rows = conn.execute(query.order_by(events.c.position).limit(limit)).all()
            return _decode_rows(conn, rows, decrypt)
        return _decode_rows(conn, _typed_rows(conn, after, limit, list(types),
                                              self.last_position(conn) if until is None else until),
                            decrypt)

    def iter_all(self, after: int = 0, chunk: int = 1000) -> Iterator[StoredEvent]:
        """Stream the log up to today's read bound in chunks; memory stays flat."""
        until = self.safe_position()
        while True:
            batch = self.read_all(after, chunk, until=until)
            yield from batch
            if len(batch) < chunk:
                return
            after = batch[-1].position

    def last_position(self, conn: Connection | None = None) -> int:
        """The highest committed position (readers tailing the log use safe_position)."""
        if conn is None:
            return self._read(self.last_position)
        return int(conn.scalar(select(func.coalesce(func.max(events.c.position), 0))) or 0)

    def safe_position(self, conn: Connection | None = None) -> int:
        """The read bound: every event at or below it is visible to the caller's next
        statement or will never exist. On SQLite (one writer, which commits before the next
        draws) that is the last position."""
        if conn is None:
            return self._read(self.safe_position)
        return read_bound(conn) if self._pg else self.last_position(conn)

    def idempotent_result(self, key: str, conn: Connection | None = None) -> AppendResult | None:
        if conn is not None:
            return _replay(conn, key)
        return self._read(lambda c: _replay(c, key))

    def erase_subject(self, subject: str, conn: Connection | None = None) -> bool:
        """Delete a subject's key: their personal fields become unreadable everywhere.

        The row stays as a tombstone (an empty key), so nothing about them is encrypted under
        a fresh key later. Returns whether there was a key to delete.
        """
        if conn is None:
            with write_connection(self.engine) as c, c.begin():
                return self.erase_subject(subject, c)
        had = conn.scalar(select(pii_keys.c.key).where(pii_keys.c.subject == subject))
        conn.execute(pii_keys.delete().where(pii_keys.c.subject == subject))
        conn.execute(insert(pii_keys).values(subject=subject, key=pii.TOMBSTONE,
                                             created_at=datetime.now(UTC)))
        return bool(had)


def _utc_now() -> datetime:
    return datetime.now(UTC)


_TAKEN = re.compile(r"^Key \(stream_id, version\)=\((?P<stream>.+), (?P<version>\d+)\) ")


def _deadlocked(exc: DBAPIError) -> bool:
    """PostgreSQL broke a deadlock by aborting this transaction (SQLSTATE 40P01): a lost race
    like any other, so the command is tried again rather than failed. Seen with kiosks on
    several processes: a locked retry waiting for the append lock, an append waiting for the
    shared lock queued behind it, and a third transaction between them."""
    return getattr(exc.orig, "sqlstate", None) == "40P01"


def _refused(exc: IntegrityError, expected: Mapping[str, int]) -> ConcurrencyError:
    """The ConcurrencyError for a unique violation: the stream whose next version was taken
    (found at least at that version), else (a twin with the same idempotency key) the
    first stream, which the caller's retry will see moved or the key answered."""
    diag = getattr(exc.orig, "diag", None)
    taken = _TAKEN.match(getattr(diag, "message_detail", None) or "")
    if taken is not None and taken["stream"] in expected:
        stream = taken["stream"]
        return ConcurrencyError(stream, expected[stream], int(taken["version"]))
    first = next(iter(expected))
    return ConcurrencyError(first, expected[first], expected[first] + 1)


def _typed_rows(conn: Connection, after: int, limit: int, types: list[str], until: int
                ) -> list[Any]:
    """Rows of some types after ``after`` up to ``until``, read in bounded windows of
    positions (growing while they come back sparse).

    One query over the whole rest of the log lets the planner pick a bitmap scan of the
    (type, position) index that collects every matching row to ``until`` before sorting off
    the first ``limit``: a rebuild right after a bulk import, before the statistics know the
    new rows, then read 1.8 M rows to return 5 000, for every batch (quadratic in the log).
    A window bounds that cost whatever plan is chosen."""
    rows: list[Any] = []
    low, window = after, max(limit * 4, 4096)
    while len(rows) < limit and low < until:
        high = min(until, low + window)
        rows.extend(conn.execute(
            select(events).where(events.c.position > low, events.c.position <= high,
                                 events.c.type.in_(types))
            .order_by(events.c.position).limit(limit - len(rows))).all())
        low, window = high, window * 2
    return rows


def _pinned(events_: Sequence[PendingEvent], expected: Mapping[str, int]) -> bool:
    """Whether every stream the append touches is written and pinned to a version, and no
    event carries personal data (whose key the store may have to create first)."""
    if not events_ or any(v == ANY for v in expected.values()):
        return False
    written = {s for p in events_ for s in p.streams}
    if written != set(expected):
        return False
    return all(pii.subject_of(p.event) is None for p in events_)


def _versions(conn: Connection, names: list[str]) -> dict[str, int]:
    if not names:
        return {}
    rows = conn.execute(
        select(event_streams.c.stream_id, func.max(event_streams.c.version))
        .where(event_streams.c.stream_id.in_(names))
        .group_by(event_streams.c.stream_id)
    ).all()
    return {stream: int(version) for stream, version in rows}


def _replay(conn: Connection, key: str) -> AppendResult | None:
    row = conn.execute(select(idempotency_keys).where(idempotency_keys.c.key == key)).first()
    if row is None:
        return None
    return AppendResult(tuple(row.positions), dict(row.stream_versions), row.result, True,
                        row.fingerprint)


def _key_for(conn: Connection, subject: str, now: datetime) -> bytes:
    key = conn.scalar(select(pii_keys.c.key).where(pii_keys.c.subject == subject))
    if key is not None:
        return bytes(key)
    fresh = pii.new_key()
    conn.execute(insert(pii_keys).values(subject=subject, key=fresh, created_at=now))
    return fresh


def _decode_rows(conn: Connection, rows: Sequence[Any],
                 decrypt: Collection[str] | None = None) -> list[StoredEvent]:
    subjects: set[str] = set()
    for row in rows:
        if decrypt is None or row.type in decrypt:
            subjects |= pii.encrypted_subjects(row.data)
    keys: dict[str, bytes] = {}
    if subjects:
        found = conn.execute(
            select(pii_keys.c.subject, pii_keys.c.key).where(pii_keys.c.subject.in_(subjects))
        ).all()
        keys = {s: bytes(k) for s, k in found if k != pii.TOMBSTONE}
    return [_decode(row, keys, decrypt is None or row.type in decrypt) for row in rows]


def _decode(row: Any, keys: Mapping[str, bytes], decrypt: bool = True) -> StoredEvent:
    data = dict(row.data)
    erased = pii.decrypt_fields(data, keys) if decrypt else pii.blank_encrypted(data)
    recorded = row.recorded_at
    if recorded.tzinfo is None:  # SQLite drops the zone; we only ever store UTC
        recorded = recorded.replace(tzinfo=UTC)
    return StoredEvent(
        position=row.position, event_id=row.event_id, stream_id=row.stream_id,
        version=row.version, type=row.type, schema_version=row.schema_version,
        event=decode(row.type, row.schema_version, data), meta=row.meta, recorded_at=recorded,
        erased_fields=erased,
    )
