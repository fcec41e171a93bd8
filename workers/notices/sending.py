"""Deliver one notice key exactly once as far as the channels allow (no Celery here).

Order of work: claim the key (database lease) -> read the key's own stream: sent already?
-> re-check the notice against the reader's stream -> render in the reader's language ->
send on each chosen channel not yet recorded -> append NoticeSent with the stream's expected
version. The only duplicate left is a crash between the server's 250 and the append; the
resend then carries the same Message-ID (docs/notices.md).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from events.feedback import SuggestionSubmitted
from events.streams import reader_stream, suggestion_stream
from projections.notice_outbox import get_notice, is_stale
from projections.reader_profiles import get_reader
from service.application import notices as core
from service.application.commands import RecordNoticeCancelled, RecordNoticeFailed, RecordNoticeSent
from service.application.context import SYSTEM, Actor
from service.application.handlers import handle
from service.application.settings import current_rules
from service.bootstrap import Lector
from service.domain.library.rules import current_blocks
from service.domain.notices.kinds import MARKETING_KINDS
from service.domain.notices.preferences import fold_notice_settings, split_channels
from service.domain.notices.render import NoticeTemplateError, notice_lang, render_notice
from service.domain.readers.reader_state import fold_reader
from workers.notices.assemble import build_context, stale_reason
from workers.notices.channels import send_on
from workers.notices.delivery import FailureReason, PermanentDeliveryError, TransientDeliveryError
from workers.notices.guardian_copies import pending_copies, send_copies
from workers.notices.leases import claim, extend_queued, forget, release
from workers.notices.mailbox import CHANNEL as MAILBOX
from workers.notices.mailbox import IN_APP, deliver_to_mailbox, uses_mailbox
from workers.notices.retrying import RetryLater, after_transient

log = logging.getLogger(__name__)
WORKER = Actor(SYSTEM, "worker")
CHANNELS = ("email", "webhook", IN_APP)


@dataclass(frozen=True)
class SendResult:
    """What happened to one key: sent, already_sent, cancelled, failed, waiting, gave_up,
    busy or unknown; ``retry_in`` is the back-off (seconds) of a waiting one."""

    status: str
    detail: str = ""
    retry_in: float = 0.0


def deliver_notice(lector: Lector, key: str, now: datetime) -> SendResult:
    """Send ``key`` if it is still due and unsent; a transient failure answers "waiting"."""
    with lector.engine.connect() as conn:
        row = get_notice(conn, key=key)
    if row is None:
        return SendResult("unknown", "no outbox row (projection behind?)")
    token = uuid.uuid4().hex
    wall = datetime.now(UTC)  # a lease is about real time, whatever the business clock says
    if not claim(lector.engine, key, token, wall, lector.config.notice_claim_ttl_s):
        return SendResult("busy", "another sender holds the claim")
    try:
        result = _deliver_claimed(lector, row, now)
    except RetryLater as failure:
        status, delay = after_transient(lector, row, failure, now, wall)
        result = SendResult(status, str(failure.error), delay)
    finally:
        release(lector.engine, key, token)
    if result.status != "waiting":  # finished one way or another: the leases did their job
        forget(lector.engine, [key])
    return result


def _deliver_claimed(lector: Lector, row: dict[str, Any], now: datetime) -> SendResult:
    ports, key, kind = lector.ports, row["notice_key"], row["kind"]
    reader_id = row["reader_id"]
    done = core.notice_log(ports, key)
    if done.cancelled:
        return SendResult("cancelled", done.cancelled)
    if done.gave_up:
        return SendResult("gave_up", done.gave_up)
    if MAILBOX in done.sent:  # delivered locally before SMTP was set up: never again by mail
        return SendResult("already_sent")
    oldest = now - timedelta(hours=lector.config.notice_max_age_h)
    if not done.sent and is_stale(row, oldest):
        # Its moment passed long ago (a backlog, a log written at once): never send it late.
        handle(ports, WORKER, RecordNoticeCancelled(key, reader_id, kind, "too_old", now))
        return SendResult("cancelled", "too_old")
    with lector.engine.connect() as conn:
        profile = get_reader(conn, reader_id)
    wanted = [c for c in (profile or {}).get("notice_channels") or [] if c in CHANNELS]
    if wanted and uses_mailbox(lector.config):
        wanted = [MAILBOX]  # no relay, no gateway: the local mailbox shows it to staff
    todo = [c for c in wanted if c not in done.sent and c not in done.failed]
    # A linked child's notices also go to each guardian's channels (guardian_copies.py).
    copies = pending_copies(lector, row, done) if profile and not profile["erased"] else []
    if done.sent and not todo and not copies:
        return SendResult("already_sent")
    if profile is not None and kind in MARKETING_KINDS and not profile.get("marketing"):
        # Outreach needs the reader's consent (PIPL); checked at send time, so consent
        # withdrawn after the launch still stops it.
        handle(ports, WORKER, RecordNoticeCancelled(key, reader_id, kind,
                                                    "reader_no_marketing_consent", now))
        return SendResult("cancelled", "reader_no_marketing_consent")
    if profile is None or profile["erased"] or (not wanted and not copies):
        reason = "reader_erased" if profile and profile["erased"] else "reader_opted_out"
        handle(ports, WORKER, RecordNoticeCancelled(key, reader_id, kind, reason, now))
        return SendResult("cancelled", reason)
    if not todo and not copies:
        return SendResult("failed", "every chosen channel failed for good")
    loaded = ports.store.load([reader_stream(reader_id)])
    reader = fold_reader(loaded.events, reader_id)
    stale = None if done.sent else stale_reason(kind, row["data"], reader)
    if stale is not None:
        handle(ports, WORKER, RecordNoticeCancelled(key, reader_id, kind, stale, now))
        return SendResult("cancelled", stale)
    local_now = now.astimezone(ZoneInfo(lector.config.timezone))
    todo, later, quiet_end = split_channels(fold_notice_settings(loaded.events), kind, todo,
                                            local_now)
    if not todo and not later and not copies:  # a kind kept to the portal, no portal channel
        if done.sent:
            return SendResult("already_sent")
        core.record_cancelled(ports, WORKER, key, reader_id, kind, "reader_muted_kind", now)
        return SendResult("cancelled", "reader_muted_kind")
    lang = notice_lang(profile["language"])
    try:
        rendered = render_row(lector, row, profile, reader, lang, now)
    except NoticeTemplateError as exc:
        for channel in todo:
            handle(ports, WORKER, RecordNoticeFailed(key, reader_id, kind, channel,
                                                     FailureReason.template_error, now, True))
        return SendResult("failed", str(exc))
    result = (_send_all(lector, row, profile, lang, rendered, todo, now) if todo
              else SendResult("sent", ""))
    if copies:
        copied = send_copies(lector, row, copies,
                             lambda lg: render_row(lector, row, profile, reader, lg, now), now)
        detail = ",".join(filter(None, [result.detail if result.status == "sent" else "",
                                        *copied]))
        if copied or result.status == "sent":
            result = SendResult("sent", detail)
    if later and quiet_end is not None:
        return _after_quiet_hours(lector, key, result, (quiet_end - local_now).total_seconds())
    return result


def _after_quiet_hours(lector: Lector, key: str, result: SendResult,
                       seconds_left: float) -> SendResult:
    """E-mail and messages wait for the end of the reader's quiet hours (not a failed try)."""
    delay = max(1.0, seconds_left)
    extend_queued(lector.engine, key, datetime.now(UTC) + timedelta(seconds=delay))
    return SendResult("waiting", f"quiet hours; {result.status} {result.detail}".strip(), delay)


def _send_all(lector: Lector, row: dict[str, Any], profile: dict[str, Any], lang: str,
              rendered: Any, todo: list[str], now: datetime) -> SendResult:
    ports, key, kind, reader_id = lector.ports, row["notice_key"], row["kind"], row["reader_id"]
    sent: list[str] = []
    for channel in todo:
        try:
            if channel in (MAILBOX, IN_APP):  # in_app: kept for the portal's notices centre
                message_id = deliver_to_mailbox(lector.engine, row, lang, rendered, now)
            else:
                message_id = send_on(channel, lector.config, key, kind, lang, profile,
                                     rendered, now)
        except PermanentDeliveryError as exc:
            handle(ports, WORKER, RecordNoticeFailed(key, reader_id, kind, channel, exc.reason,
                                                     now, True))
            continue
        except TransientDeliveryError as exc:
            raise RetryLater(channel, exc) from exc  # counted and backed off by the caller
        # From here on the message is out: record it, and never turn this into a failure.
        handle(ports, WORKER, RecordNoticeSent(key, reader_id, kind, channel, message_id,
                                               rendered.subject, now))
        sent.append(channel)
    return SendResult("sent", ",".join(sent)) if sent else SendResult("failed", "no channel")


def render_row(lector: Lector, row: dict[str, Any], profile: dict[str, Any], reader: Any,
               lang: str, now: datetime) -> Any:
    """Render one outbox row in ``lang`` with the staff templates in force."""
    from service.application.settings import library_today

    kind, data = row["kind"], row["data"]
    today = library_today(now, lector.config.timezone)
    blocked = False
    if kind in ("overdue", "digest", "fine_assessed"):
        blocked = bool(current_blocks(current_rules(lector.ports), reader))
    extra: dict[str, Any] = {}
    if kind == "suggestion_decided":
        extra["suggestion_title"] = _suggestion_title(lector, data["suggestion_id"])
    with lector.engine.connect() as conn:
        ctx = build_context(conn, lector.config, kind, data, profile, reader, lang, today,
                            blocked, extra)
    try:
        return render_notice(kind, lang, ctx, core.template_overrides(lector.ports))
    except NoticeTemplateError:
        # A broken staff edit must not silence notices: fall back to the shipped template.
        log.exception("staff template for %s/%s failed; using the shipped one", kind, lang)
        return render_notice(kind, lang, ctx)


def _suggestion_title(lector: Lector, suggestion_id: str) -> str:
    for stored in lector.store.load([suggestion_stream(suggestion_id)]).events:
        if isinstance(stored.event, SuggestionSubmitted):
            return stored.event.title
    return suggestion_id
