"""The segment refresh: one ``segments.refreshed`` event per library date, whoever runs it."""

from __future__ import annotations

from datetime import date, timedelta

from events import streams
from events.insights import SegmentsRefreshed
from events.store import LoadedStreams, PendingEvent
from service.application.context import Actor, Ports
from service.application.execute import Decision, Outcome, execute
from service.application.settings import library_today

WINDOW_DAYS = 365  # a full year, so seasons (exams, holidays) do not move readers around


def segments_stream(as_of: date) -> str:
    return streams.segments_stream(as_of.isoformat())


def refresh_segments(ports: Ports, actor: Actor, as_of: date | None = None,
                     window_days: int = WINDOW_DAYS) -> Outcome:
    """Score and segment every reader as of ``as_of`` (default: yesterday, the last whole
    library day). A second run for the same date, even racing the first, appends nothing:
    the date's stream may hold one event only (``refreshed`` in the answer says which)."""
    now = ports.clock()
    day = as_of or library_today(now, ports.timezone) - timedelta(days=1)
    stream = segments_stream(day)

    def decide(loaded: LoadedStreams) -> Decision:
        if loaded.version(stream):
            return Decision([], {"as_of": day.isoformat(), "refreshed": False})
        event = SegmentsRefreshed(as_of=day, window_days=window_days, refreshed_at=now)
        return Decision([PendingEvent(event, (stream,))],
                        {"as_of": day.isoformat(), "refreshed": True})

    return execute(ports, actor, "refresh_segments", [stream], decide)


def month_ends_between(first: date, last: date) -> list[date]:
    """The last day of every month from ``first``'s to ``last``'s, ending at ``last``."""
    out, month = [], date(first.year, first.month, 1)
    while month <= last:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        out.append(min(following - timedelta(days=1), last))
        month = following
    return out
