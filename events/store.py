"""The event store port: what every back end (memory, SQLite, PostgreSQL) promises."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from events.base import Event

ANY = -1  # expected version meaning "do not check"
NO_STREAM = 0  # expected version meaning "the stream must not exist yet"


@dataclass(frozen=True)
class PendingEvent:
    """An event to append, with the streams it belongs to (the first is its home stream)."""

    event: Event
    streams: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.streams:
            raise ValueError("an event belongs to at least one stream")


@dataclass(frozen=True)
class StoredEvent:
    """An event as read back: the decoded event plus its place in the log."""

    position: int
    event_id: str
    stream_id: str
    version: int
    type: str
    schema_version: int
    event: Event
    meta: Mapping[str, Any]
    recorded_at: datetime
    erased_fields: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AppendResult:
    """What an append did (or, for a repeated idempotency key, what the first one did)."""

    positions: tuple[int, ...]
    stream_versions: Mapping[str, int]
    result: Mapping[str, Any] | None = None
    replayed: bool = False
    # Digest of the request that first used the key (None for keys stored before it existed
    # and for callers that give none, such as SIP2, whose key already names the request).
    fingerprint: str | None = None

    @property
    def last_position(self) -> int:
        return self.positions[-1] if self.positions else 0


@dataclass(frozen=True)
class LoadedStreams:
    """Events of several streams, merged in position order, and each stream's version."""

    versions: Mapping[str, int]
    events: Sequence[StoredEvent] = field(default_factory=tuple)
    # stream id -> events.snapshots.Snapshot, for streams a snapshot policy covers: their
    # events up to the snapshot's position may be missing from ``events`` (fold the tail).
    snapshots: Mapping[str, Any] = field(default_factory=dict)

    def version(self, stream_id: str) -> int:
        return self.versions.get(stream_id, 0)


class ConcurrencyError(Exception):
    """A stream changed between reading it and appending to it."""

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(f"stream {stream_id}: expected version {expected}, found {actual}")
        self.stream_id, self.expected, self.actual = stream_id, expected, actual


class UnstorableEvent(ValueError):
    """An event (or its metadata) holds text no back end can store or hand back (NUL, a lone
    surrogate, ...). Nothing of the append was written."""

    def __init__(self, event_type: str, field: str, char: str) -> None:
        super().__init__(f"{event_type}: {field} holds {char}, which cannot be stored")
        self.event_type, self.field, self.char = event_type, field, char


class EventStore(Protocol):
    def append(
        self,
        events: Sequence[PendingEvent],
        *,
        expected: Mapping[str, int],
        meta: Mapping[str, Any],
        idempotency_key: str | None = None,
        result: Mapping[str, Any] | None = None,
        fingerprint: str | None = None,
    ) -> AppendResult: ...

    def load(self, stream_ids: Sequence[str]) -> LoadedStreams: ...

    def read_all(self, after: int = 0, limit: int = 1000) -> list[StoredEvent]: ...

    def iter_all(self, after: int = 0, chunk: int = 1000) -> Iterator[StoredEvent]: ...

    def last_position(self) -> int: ...

    def safe_position(self) -> int: ...

    def idempotent_result(self, key: str) -> AppendResult | None: ...

    def erase_subject(self, subject: str) -> bool: ...
