"""Copies of a child's notices to the child's guardians, each guardian's channels once.

A linked child's due-soon, overdue, digest and reservation-ready notices also go to every
guardian (read from the child's guardianship stream, consistent), on the guardian's own
channels, rendered in the guardian's language. Each copy is recorded on the child's notice
key as a channel of its own (``g-<guardian>-<channel>``), so the same exactly-once record
that guards the child's channels guards every copy: a retry never sends a copy twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from projections.reader_profiles import get_reader
from service.application import notices as core
from service.application.commands import RecordNoticeFailed, RecordNoticeSent
from service.application.context import SYSTEM, Actor
from service.application.guardians import guardians_of
from service.application.handlers import handle
from service.bootstrap import Lector
from service.domain.notices.render import notice_lang
from workers.notices.channels import send_on
from workers.notices.delivery import PermanentDeliveryError, TransientDeliveryError
from workers.notices.mailbox import CHANNEL as MAILBOX
from workers.notices.mailbox import IN_APP, deliver_to_mailbox, uses_mailbox
from workers.notices.retrying import RetryLater

WORKER = Actor(SYSTEM, "worker")
COPIED_KINDS = frozenset({"due_soon", "overdue", "digest", "reservation_ready"})
CHANNELS = ("email", "webhook", IN_APP)


@dataclass(frozen=True)
class Copy:
    guardian_id: str
    profile: dict[str, Any]
    channel: str  # the guardian's channel: email, webhook, in_app or mailbox

    @property
    def recorded_as(self) -> str:
        return copy_channel(self.guardian_id, self.channel)


def copy_channel(guardian_id: str, channel: str) -> str:
    return f"g-{guardian_id}-{channel}"


def pending_copies(lector: Lector, row: dict[str, Any], log: core.NoticeLog) -> list[Copy]:
    """The guardian copies of this notice not yet sent (nor failed for good)."""
    if row["kind"] not in COPIED_KINDS:
        return []
    out = []
    for guardian_id in sorted(guardians_of(lector.ports, row["reader_id"])):
        with lector.engine.connect() as conn:
            profile = get_reader(conn, guardian_id)
        if profile is None or profile["erased"]:
            continue
        wanted = [c for c in profile.get("notice_channels") or [] if c in CHANNELS]
        if wanted and uses_mailbox(lector.config):
            wanted = [MAILBOX]
        for channel in wanted:
            copy = Copy(guardian_id, profile, channel)
            if copy.recorded_as not in log.sent and copy.recorded_as not in log.failed:
                out.append(copy)
    return out


def send_copies(lector: Lector, row: dict[str, Any], copies: list[Copy], render: Any,
                now: datetime) -> list[str]:
    """Send each copy and record it; ``render(lang)`` renders the notice in a language."""
    ports, key, kind, child = lector.ports, row["notice_key"], row["kind"], row["reader_id"]
    sent = []
    for copy in copies:
        lang = notice_lang(copy.profile["language"])
        rendered = render(lang)
        try:
            if copy.channel in (MAILBOX, IN_APP):
                copy_row = {**row, "notice_key": f"{key}~{copy.guardian_id}",
                            "reader_id": copy.guardian_id}
                message_id = deliver_to_mailbox(lector.engine, copy_row, lang, rendered, now)
            else:
                message_id = send_on(copy.channel, lector.config, f"{key}~{copy.guardian_id}",
                                     kind, lang, copy.profile, rendered, now)
        except PermanentDeliveryError as exc:
            handle(ports, WORKER, RecordNoticeFailed(key, child, kind, copy.recorded_as,
                                                     exc.reason, now, True))
            continue
        except TransientDeliveryError as exc:
            raise RetryLater(copy.recorded_as, exc) from exc
        handle(ports, WORKER, RecordNoticeSent(key, child, kind, copy.recorded_as, message_id,
                                               rendered.subject, now))
        sent.append(copy.recorded_as)
    return sent
