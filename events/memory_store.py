"""In-memory twin of the SQL store, for unit tests of handlers; same contract, same codec."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

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
from events.store import AppendResult, LoadedStreams, PendingEvent, StoredEvent


class MemoryEventStore:
    """Keeps encoded rows exactly as the SQL store would, so codec and PII paths are shared."""

    def __init__(self) -> None:
        self._rows: list[dict[str, Any]] = []
        self._streams: dict[str, list[int]] = {}
        self._keys: dict[str, bytes] = {}
        self._idempotency: dict[str, AppendResult] = {}
        self._lock = threading.Lock()
        self._decoded = DecodedEvents()

    def append(
        self,
        events: Sequence[PendingEvent],
        *,
        expected: Mapping[str, int],
        meta: Mapping[str, Any],
        idempotency_key: str | None = None,
        result: Mapping[str, Any] | None = None,
        conn: Any = None,  # accepted for signature parity with the SQL store; unused
        fingerprint: str | None = None,
    ) -> AppendResult:
        refuse_unstorable_append(events, expected, meta, idempotency_key, result)
        with self._lock:
            if idempotency_key is not None and idempotency_key in self._idempotency:
                first = self._idempotency[idempotency_key]
                return AppendResult(first.positions, first.stream_versions, first.result, True,
                                    first.fingerprint)
            names = streams_touched(events, expected)
            current = {s: len(self._streams[s]) for s in names if s in self._streams}
            check_expected(expected, current)
            entries, versions = number_entries(events, current)
            now = datetime.now(UTC)
            # Encode (and so check) every event before keeping any: an append is all or nothing.
            start = len(self._rows) + 1
            rows = [self._row(pending, mine[0], meta, now, start + i)
                    for i, (pending, mine) in enumerate(zip(events, entries, strict=True))]
            positions = []
            for row, mine in zip(rows, entries, strict=True):
                position = row["position"]
                self._rows.append(row)
                for stream_id, _version in mine:
                    self._streams.setdefault(stream_id, []).append(position)
                positions.append(position)
            done = AppendResult(tuple(positions), {s: versions.get(s, 0) for s in names}, result,
                                fingerprint=fingerprint)
            if idempotency_key is not None:
                self._idempotency[idempotency_key] = done
            return done

    def _row(
        self, pending: PendingEvent, home: tuple[str, int], meta: Mapping[str, Any],
        now: datetime, position: int,
    ) -> dict[str, Any]:
        event = pending.event
        data = to_data(event)
        refuse_unstorable(event.type_name, "data", data)
        subject = pii.subject_of(event)
        if subject is not None:
            key = self._keys.setdefault(subject, pii.new_key())
            if key == pii.TOMBSTONE:
                pii.drop_fields(data, event.pii_fields)
            else:
                pii.encrypt_fields(data, event.pii_fields, subject, key)
        return {
            "position": position, "event_id": str(uuid.uuid4()), "stream_id": home[0],
            "version": home[1], "type": event.type_name,
            "schema_version": event.schema_version, "data": data, "meta": dict(meta),
            "recorded_at": now,
        }

    def lock_for_append(self, conn: Any) -> None:
        """Nothing to take: appends are serialised by this store's own lock."""

    def load(self, stream_ids: Sequence[str], conn: Any = None) -> LoadedStreams:
        with self._lock:
            versions = {s: len(self._streams[s]) for s in stream_ids if s in self._streams}
            positions = sorted({p for s in stream_ids for p in self._streams.get(s, [])})
            decoded = self._decoded.lookup(
                positions, lambda missing: [self._decode(self._rows[p - 1]) for p in missing])
            return LoadedStreams(versions, decoded)

    def read_all(
        self, after: int = 0, limit: int = 1000, *, types: Sequence[str] | None = None,
        until: int | None = None,
    ) -> list[StoredEvent]:
        with self._lock:
            rows = [
                r for r in self._rows[after:]
                if (types is None or r["type"] in types)
                and (until is None or r["position"] <= until)
            ]
            return [self._decode(r) for r in rows[:limit]]

    def iter_all(self, after: int = 0, chunk: int = 1000) -> Iterator[StoredEvent]:
        while batch := self.read_all(after, chunk):
            yield from batch
            after = batch[-1].position

    def last_position(self) -> int:
        return len(self._rows)

    def safe_position(self, conn: Any = None) -> int:
        """Every appended event is visible at once here: the read bound is the last one."""
        return len(self._rows)

    def idempotent_result(self, key: str) -> AppendResult | None:
        with self._lock:
            first = self._idempotency.get(key)
            if first is None:
                return None
            return AppendResult(first.positions, first.stream_versions, first.result, True,
                                first.fingerprint)

    def erase_subject(self, subject: str) -> bool:
        with self._lock:
            had = bool(self._keys.get(subject))
            self._keys[subject] = pii.TOMBSTONE  # as the SQL store: erased for good
            return had

    def stream_entries(self) -> list[tuple[str, int, int]]:
        """Every (stream, version, position) membership, for copying the log elsewhere."""
        with self._lock:
            return [(s, v, p) for s, ps in self._streams.items() for v, p in enumerate(ps, 1)]

    def subject_keys(self) -> dict[str, bytes]:
        with self._lock:
            return dict(self._keys)

    def raw_rows(self) -> list[dict[str, Any]]:
        """The encoded rows, as a database would hold them (for tests about what is stored)."""
        return list(self._rows)

    def _decode(self, row: dict[str, Any]) -> StoredEvent:
        data = dict(row["data"])
        erased = pii.decrypt_fields(data, {s: k for s, k in self._keys.items() if k})
        return StoredEvent(
            position=row["position"], event_id=row["event_id"], stream_id=row["stream_id"],
            version=row["version"], type=row["type"], schema_version=row["schema_version"],
            event=decode(row["type"], row["schema_version"], data), meta=row["meta"],
            recorded_at=row["recorded_at"], erased_fields=erased,
        )
