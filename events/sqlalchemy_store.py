"""Event store on SQLAlchemy 2 (SQLite embedded, PostgreSQL in production)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select

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
from events.schema import event_streams, events, idempotency_keys, pii_keys
from events.store import AppendResult, LoadedStreams, PendingEvent, StoredEvent

# Every append takes this transaction-scoped lock before it draws positions, so positions
# are handed out in commit order: a reader that has seen position N has seen all below N.
APPEND_LOCK_ID = 0x4C4543544F52  # "LECTOR"


class SqlEventStore:
    """The production store. Appends are atomic across streams and serialised at commit."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Decisions reload the same streams over and over; decoding dominated their cost.
        self._decoded = DecodedEvents()

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
        with write_connection(self.engine) as c, c.begin():
            return self._append(c, events_, expected, meta, idempotency_key, result,
                                fingerprint)

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
        self.lock_for_append(conn)
        if key is not None:
            replay = _replay(conn, key)
            if replay is not None:
                return replay
        names = streams_touched(events_, expected)
        current = _versions(conn, names)
        check_expected(expected, current)
        entries, versions = number_entries(events_, current)
        now = datetime.now(UTC)
        rows = [self._row(conn, p, e[0], meta, now) for p, e in zip(events_, entries, strict=True)]
        positions: list[int] = []
        if rows:
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
        touched = {s: versions[s] for s in names}
        if key is not None:
            conn.execute(
                insert(idempotency_keys).values(
                    key=key, positions=positions, stream_versions=touched,
                    result=dict(result) if result is not None else None, recorded_at=now,
                    fingerprint=fingerprint,
                )
            )
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
        """Take the append lock for the caller's transaction (re-entrant; a no-op on SQLite,
        whose write transaction already excludes other writers)."""
        if is_postgres(self.engine):
            conn.execute(select(func.pg_advisory_xact_lock(APPEND_LOCK_ID)))

    def load(self, stream_ids: Sequence[str], conn: Connection | None = None) -> LoadedStreams:
        """Read several streams' events, merged in position order, with their versions."""
        if conn is None:
            with self.engine.connect() as c, c.begin():
                return self.load(stream_ids, c)
        entries = conn.execute(
            select(event_streams.c.stream_id, event_streams.c.version, event_streams.c.position)
            .where(event_streams.c.stream_id.in_(list(stream_ids)))
        ).all()
        versions: dict[str, int] = {}
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

        return LoadedStreams(versions, self._decoded.lookup(positions, decode))

    def read_all(
        self, after: int = 0, limit: int = 1000, *, types: Sequence[str] | None = None,
        until: int | None = None, conn: Connection | None = None,
    ) -> list[StoredEvent]:
        """Events after a position, in position order (optionally only some types)."""
        if conn is None:
            with self.engine.connect() as c, c.begin():
                return self.read_all(after, limit, types=types, until=until, conn=c)
        query = select(events).where(events.c.position > after)
        if until is not None:
            query = query.where(events.c.position <= until)
        if types is not None:
            query = query.where(events.c.type.in_(list(types)))
        rows = conn.execute(query.order_by(events.c.position).limit(limit)).all()
        return _decode_rows(conn, rows)

    def iter_all(self, after: int = 0, chunk: int = 1000) -> Iterator[StoredEvent]:
        """Stream the whole log in chunks; memory stays flat in the number of events."""
        while True:
            batch = self.read_all(after, chunk)
            yield from batch
            if len(batch) < chunk:
                return
            after = batch[-1].position

    def last_position(self, conn: Connection | None = None) -> int:
        if conn is None:
            with self.engine.connect() as c:
                return self.last_position(c)
        return int(conn.scalar(select(func.coalesce(func.max(events.c.position), 0))) or 0)

    def idempotent_result(self, key: str, conn: Connection | None = None) -> AppendResult | None:
        if conn is not None:
            return _replay(conn, key)
        with self.engine.connect() as c:
            return _replay(c, key)

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


def _decode_rows(conn: Connection, rows: Sequence[Any]) -> list[StoredEvent]:
    subjects: set[str] = set()
    for row in rows:
        subjects |= pii.encrypted_subjects(row.data)
    keys: dict[str, bytes] = {}
    if subjects:
        found = conn.execute(
            select(pii_keys.c.subject, pii_keys.c.key).where(pii_keys.c.subject.in_(subjects))
        ).all()
        keys = {s: bytes(k) for s, k in found if k != pii.TOMBSTONE}
    return [_decode(row, keys) for row in rows]


def _decode(row: Any, keys: Mapping[str, bytes]) -> StoredEvent:
    data = dict(row.data)
    erased = pii.decrypt_fields(data, keys)
    recorded = row.recorded_at
    if recorded.tzinfo is None:  # SQLite drops the zone; we only ever store UTC
        recorded = recorded.replace(tzinfo=UTC)
    return StoredEvent(
        position=row.position, event_id=row.event_id, stream_id=row.stream_id,
        version=row.version, type=row.type, schema_version=row.schema_version,
        event=decode(row.type, row.schema_version, data), meta=row.meta, recorded_at=recorded,
        erased_fields=erased,
    )
