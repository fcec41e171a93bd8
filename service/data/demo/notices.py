"""The demo's notices: its simulated past is delivered to the local mailbox, never queued.

The year is written to the log at once, so every trigger of the year (a trapped hold, a fine)
would look like a fresh pending notice. After the projections are folded, the demo runs the
scan for its last day and then records every pending notice as delivered to the mailbox at
its own simulated moment (NoticeSent, channel "mailbox", in the demo's log) or, for readers
who chose no channel, as cancelled. Nothing is left pending for a real relay, so configuring
SMTP on a demo instance later sends nothing from the past.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from events.notices import NoticeCancelled, NoticeSent
from events.store import PendingEvent
from events.streams import notice_stream, reader_stream
from events.vocabulary import NoticeStatus
from projections.notice_mailbox import mailbox_row
from projections.notice_outbox import notice_id, notices
from projections.reader_profiles import get_reader
from projections.registry import by_name
from projections.runner import catch_up, catch_up_together
from service.bootstrap import Lector
from service.domain.notices.kinds import MARKETING_KINDS
from service.domain.notices.render import notice_lang
from service.domain.readers.reader_state import fold_reader
from workers.notices.mailbox import CHANNEL, mailbox_message_id, store_in_mailbox
from workers.notices.scanning import scan_notices
from workers.notices.sending import WORKER, render_row

CHUNK = 500


def deliver_past_to_mailbox(lector: Lector, end: datetime) -> int:
    """Scan at ``end``, then deliver every pending notice to the mailbox; return how many."""
    scan_notices(lector, end)
    outbox = by_name("notice_outbox", lector.config.timezone)
    catch_up(lector.engine, lector.store, outbox)
    with lector.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(
            select(notices).where(notices.c.status == NoticeStatus.PENDING, notices.c.digest_key.is_(None))
            .order_by(notices.c.trigger_position)).mappings()]
    readers: dict[str, tuple[Any, Any]] = {}
    events: list[PendingEvent] = []
    letters: list[dict[str, Any]] = []
    for row in rows:
        reader_id = row["reader_id"]
        if reader_id not in readers:
            with lector.engine.connect() as conn:
                profile = get_reader(conn, reader_id)
            loaded = lector.store.load([reader_stream(reader_id)])
            readers[reader_id] = (profile, fold_reader(loaded.events, reader_id))
        profile, reader = readers[reader_id]
        at = _moment(row, end)
        key, kind = row["notice_key"], row["kind"]
        if profile is None or not [c for c in profile["notice_channels"] or [] if c != "none"]:
            events.append(PendingEvent(NoticeCancelled(key, reader_id, kind, "reader_opted_out",
                                                       at), (notice_stream(key),)))
            continue
        if kind in MARKETING_KINDS and not profile["marketing"]:  # as the sender: consent first
            events.append(PendingEvent(NoticeCancelled(
                key, reader_id, kind, "reader_no_marketing_consent", at), (notice_stream(key),)))
            continue
        lang = notice_lang(profile["language"])
        rendered = render_row(lector, row, profile, reader, lang, at)
        letters.append(mailbox_row(notice_id(key), key, reader_id, kind, lang, rendered.subject,
                                   rendered.text, rendered.html, at))
        events.append(PendingEvent(NoticeSent(key, reader_id, kind, CHANNEL,
                                              mailbox_message_id(key), at, rendered.subject),
                                   (notice_stream(key),)))
    store_in_mailbox(lector.engine, letters)
    for start in range(0, len(events), CHUNK):
        lector.store.append(events[start:start + CHUNK], expected={},
                            meta=WORKER.meta("demo_deliver_to_mailbox"))
    # Every projection sees the new notice events (checkpoints at the head, as after a build).
    catch_up_together(lector.engine, lector.store, lector.projections)
    return len(letters)


def _moment(row: dict[str, Any], end: datetime) -> datetime:
    moment = row.get("due_at") or row["created_at"]
    if moment.tzinfo is None:  # SQLite drops the zone; we only ever store UTC
        moment = moment.replace(tzinfo=UTC)
    return min(moment, end)
