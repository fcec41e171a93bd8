"""A reader's notice settings: kinds kept to the portal only, and quiet hours.

A muted kind is still stored for the portal's notices centre (channel in_app) but is not sent
by e-mail or message. During quiet hours (library time; a span may cross midnight) only the
portal channel is used; e-mail and messages wait until the quiet hours end.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from events.readers import ReaderNoticeSettingsChanged
from events.store import StoredEvent

SILENT_CHANNELS = ("in_app", "mailbox")  # shown in the app, never a ring or a buzz


@dataclass(frozen=True)
class NoticeSettings:
    muted_kinds: frozenset[str] = frozenset()
    quiet_start: time | None = None
    quiet_end: time | None = None


def parse_hhmm(value: str) -> time:
    """'22:00' -> time(22, 0); ValueError for anything else."""
    hours, _, minutes = value.partition(":")
    if len(hours) != 2 or len(minutes) != 2 or not (hours + minutes).isdigit():
        raise ValueError(value)
    return time(int(hours), int(minutes))


def fold_notice_settings(events: Iterable[StoredEvent]) -> NoticeSettings:
    settings = NoticeSettings()
    for stored in events:
        e = stored.event
        if isinstance(e, ReaderNoticeSettingsChanged):
            settings = NoticeSettings(
                frozenset(e.muted_kinds),
                parse_hhmm(e.quiet_start) if e.quiet_start else None,
                parse_hhmm(e.quiet_end) if e.quiet_end else None)
    return settings


def quiet_until(settings: NoticeSettings, local_now: datetime) -> datetime | None:
    """When the quiet hours running at ``local_now`` end, or None if it is not quiet now."""
    start, end = settings.quiet_start, settings.quiet_end
    if start is None or end is None or start == end:
        return None
    now = local_now.time()
    quiet = start <= now < end if start < end else (now >= start or now < end)
    if not quiet:
        return None
    ends = local_now.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    return ends if ends > local_now else ends + timedelta(days=1)


def split_channels(settings: NoticeSettings, kind: str, channels: Sequence[str],
                   local_now: datetime) -> tuple[list[str], list[str], datetime | None]:
    """(send now, send after the quiet hours, when they end) for a notice of ``kind``.

    A muted kind goes to the silent channels only, now; nothing of it waits.
    """
    silent = [c for c in channels if c in SILENT_CHANNELS]
    loud = [c for c in channels if c not in SILENT_CHANNELS]
    if kind in settings.muted_kinds:
        return silent, [], None
    until = quiet_until(settings, local_now)
    if until is None or not loud:
        return list(channels), [], None
    return silent, loud, until
