"""What every store shares: check expectations and text, number the new entries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from events.store import ANY, ConcurrencyError, PendingEvent, UnstorableEvent
from events.text_safety import describe, has_unstorable, unstorable_paths


def streams_touched(events: Sequence[PendingEvent], expected: Mapping[str, int]) -> list[str]:
    """Every stream whose version matters to this append, in a stable order."""
    names = dict.fromkeys(expected)
    for pending in events:
        names.update(dict.fromkeys(pending.streams))
    return list(names)


def check_expected(expected: Mapping[str, int], current: Mapping[str, int]) -> None:
    """Raise ConcurrencyError if any stream moved since the caller read it."""
    for stream_id, version in expected.items():
        actual = current.get(stream_id, 0)
        if version != ANY and version != actual:
            raise ConcurrencyError(stream_id, version, actual)


def number_entries(
    events: Sequence[PendingEvent], current: Mapping[str, int]
) -> tuple[list[list[tuple[str, int]]], dict[str, int]]:
    """Give each event its (stream, version) entries; return them and the new versions."""
    versions = dict(current)
    entries: list[list[tuple[str, int]]] = []
    for pending in events:
        mine = []
        for stream_id in dict.fromkeys(pending.streams):
            versions[stream_id] = versions.get(stream_id, 0) + 1
            mine.append((stream_id, versions[stream_id]))
        entries.append(mine)
    return entries, versions


def refuse_unstorable(event_type: str, part: str, value: Any) -> None:
    """Raise UnstorableEvent if ``value`` holds text the log could not hand back intact."""
    if not has_unstorable(value):
        return
    for path, char in unstorable_paths(value, part):
        raise UnstorableEvent(event_type, path, describe(char))


def refuse_unstorable_append(
    events: Sequence[PendingEvent], expected: Mapping[str, int], meta: Mapping[str, Any],
    key: str | None, result: Mapping[str, Any] | None,
) -> None:
    """Check everything of an append except the event data (which the store checks while it
    encodes each event, before anything is written)."""
    kind = events[0].event.type_name if events else "append"
    refuse_unstorable(kind, "meta", dict(meta))
    refuse_unstorable(kind, "streams", [*expected, *(s for p in events for s in p.streams)])
    refuse_unstorable(kind, "idempotency_key", key)
    refuse_unstorable(kind, "result", dict(result) if result is not None else None)
