"""What a command decided: the events to append and the answer to give (no I/O here)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from events.store import PendingEvent

# A write outside the log that must commit with the events (a hashed PIN, a staff row): it
# gets the unit of work's connection.
AlsoWrite = Callable[[Any], None]


@dataclass(frozen=True)
class Decision:
    """Events to append, the caller's answer, the versions decided on, and extra writes."""

    events: Sequence[PendingEvent]
    result: Mapping[str, Any] = field(default_factory=dict)
    expected: Mapping[str, int] | None = None  # defaults to every loaded stream's version
    also: AlsoWrite | None = None


class Relocate(Exception):
    """What a command located before deciding (the loan's reader, the trapped copy) moved:
    the retry loop locates again, under the same attempt budget as a lost append race."""
