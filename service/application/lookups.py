"""Facts read from a stream's first event of a kind, remembered because they never change."""

from __future__ import annotations

from service.application.context import Ports


def fact_from_stream(ports: Ports, stream: str, event_type: type, attribute: str) -> str | None:
    """``attribute`` of the first ``event_type`` event in ``stream`` (None if there is none)."""

    def find() -> str | None:
        for stored in ports.store.load([stream]).events:
            if isinstance(stored.event, event_type):
                return str(getattr(stored.event, attribute))
        return None

    return ports.remembered(f"{stream}#{attribute}", find)
