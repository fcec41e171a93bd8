"""The event store and the domain's events. Depends on nothing of ours."""

from events.base import Event, event_class, registered_types
from events.store import (
    ANY,
    NO_STREAM,
    AppendResult,
    ConcurrencyError,
    EventStore,
    LoadedStreams,
    PendingEvent,
    StoredEvent,
    UnstorableEvent,
)

__all__ = [
    "ANY",
    "NO_STREAM",
    "AppendResult",
    "ConcurrencyError",
    "Event",
    "EventStore",
    "LoadedStreams",
    "PendingEvent",
    "StoredEvent",
    "UnstorableEvent",
    "event_class",
    "registered_types",
]
