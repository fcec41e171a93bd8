"""Facts read from a stream's first event of a kind, remembered because they never change."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from events.store import LoadedStreams
from service.application.context import Ports

Load = Callable[[Sequence[str]], LoadedStreams]


def fact_from_stream(ports: Ports, stream: str, event_type: type, attribute: str,
                     load: Load | None = None) -> str | None:
    """``attribute`` of the first ``event_type`` event in ``stream`` (None if there is none);
    ``load`` reads inside a command's unit of work (default: the store, outside any)."""
    read = load or ports.store.load

    def find() -> str | None:
        for stored in read([stream]).events:
            if isinstance(stored.event, event_type):
                return str(getattr(stored.event, attribute))
        return None

    return ports.remembered(f"{stream}#{attribute}", find)
