"""Notice commands: schedule, record sent / failed / cancelled, resend, and staff templates.

Each notice has its own stream ``notice-<key>``. Recording appends with the stream's expected
version, so a channel recorded as sent for a key can never be recorded (or sent) twice by
anyone who checks the stream first.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from events.notices import (
    NoticeCancelled,
    NoticeFailed,
    NoticeGaveUp,
    NoticeResendRequested,
    NoticeScheduled,
    NoticeSent,
    NoticeTemplateChanged,
)
from events.store import LoadedStreams, PendingEvent, StoredEvent
from service.application.context import Actor, Ports
from service.application.execute import Decision, Outcome, execute
from service.domain.errors import Invalid, NotFound
from service.domain.notices.keys import resend_key
from service.domain.notices.kinds import NoticeKind
from service.domain.notices.render import PARTS, SUPPORTED_LANGS, Overrides, shipped_source

TEMPLATE_STREAM = "notice-templates"


def notice_stream(key: str) -> str:
    return f"notice-{key}"


@dataclass(frozen=True)
class NoticeLog:
    """What the log says about one notice key."""

    version: int = 0
    sent: Mapping[str, str] = field(default_factory=dict)  # channel -> message id
    failed: frozenset[str] = frozenset()  # channels that failed for good
    cancelled: str | None = None
    # channel -> reason of the transient failure last recorded (cleared by a send), so a
    # retry that fails the same way records nothing new: one event per state change.
    waiting: Mapping[str, str] = field(default_factory=dict)
    gave_up: str | None = None  # reason retrying stopped (final)


def fold_notice(events: Iterable[StoredEvent], key: str, version: int) -> NoticeLog:
    """Fold the events of ``notice-<key>``."""
    sent: dict[str, str] = {}
    failed: set[str] = set()
    waiting: dict[str, str] = {}
    cancelled = gave_up = None
    for stored in events:
        e = stored.event
        if getattr(e, "notice_key", None) != key:
            continue
        if isinstance(e, NoticeSent):
            sent.setdefault(e.channel, e.message_id)
            waiting.pop(e.channel, None)
        elif isinstance(e, NoticeFailed) and e.permanent:
            failed.add(e.channel)
            waiting.pop(e.channel, None)
        elif isinstance(e, NoticeFailed):
            waiting[e.channel] = e.reason
        elif isinstance(e, NoticeCancelled):
            cancelled = e.reason
        elif isinstance(e, NoticeGaveUp):
            gave_up = e.reason
    return NoticeLog(version, sent, frozenset(failed), cancelled, waiting, gave_up)


def notice_log(ports: Ports, key: str) -> NoticeLog:
    loaded = ports.store.load([notice_stream(key)])
    return fold_notice(loaded.events, key, loaded.version(notice_stream(key)))


def schedule_notice(ports: Ports, actor: Actor, key: str, reader_id: str, kind: str,
                    data: dict[str, Any], day: date, item_keys: Sequence[str] = ()) -> bool:
    """Start the stream of a time-triggered notice; False if it (or every item) already exists."""

    def decide(loaded: LoadedStreams) -> Decision:
        if loaded.version(notice_stream(key)):
            return Decision([], {"scheduled": False})
        fresh = [k for k in item_keys if not loaded.version(notice_stream(k))]
        if item_keys and not fresh:
            return Decision([], {"scheduled": False})
        body = dict(data)
        if item_keys:  # a digest: only items nobody has told the reader about yet
            body["items"] = [i for i in data["items"] if i["key"] in fresh]
            body["item_keys"] = fresh
        streams = (notice_stream(key), *(notice_stream(k) for k in fresh))
        event = NoticeScheduled(key, reader_id, kind, body, day)
        return Decision([PendingEvent(event, streams)], {"scheduled": True},
                        expected={s: 0 for s in streams})

    streams = [notice_stream(key), *(notice_stream(k) for k in item_keys)]
    return bool(execute(ports, actor, "schedule_notice", streams, decide).result["scheduled"])


def _record(ports: Ports, actor: Actor, command: str, key: str,
            build: Any) -> Outcome:
    stream = notice_stream(key)

    def decide(loaded: LoadedStreams) -> Decision:
        log = fold_notice(loaded.events, key, loaded.version(stream))
        event = build(log)
        events = [PendingEvent(event, (stream,))] if event is not None else []
        return Decision(events, {"recorded": bool(events)}, expected={stream: log.version})

    return execute(ports, actor, command, [stream], decide)


def record_sent(ports: Ports, actor: Actor, key: str, reader_id: str, kind: str, channel: str,
                message_id: str, subject: str, sent_at: datetime) -> bool:
    """Record a delivery; False if this channel of the key was already recorded as sent."""
    outcome = _record(ports, actor, "record_notice_sent", key, lambda log: None
                      if channel in log.sent else
                      NoticeSent(key, reader_id, kind, channel, message_id, sent_at, subject))
    return bool(outcome.result["recorded"])


def record_failed(ports: Ports, actor: Actor, key: str, reader_id: str, kind: str, channel: str,
                  reason: str, failed_at: datetime, permanent: bool) -> bool:
    """Record a failure when it changes the state (permanent: the channel is given up).

    A transient failure with the same reason as the one already recorded for the channel is
    not recorded again: retries are counted in ``notice_leases``, not in the log.
    """

    def build(log: NoticeLog) -> NoticeFailed | None:
        if channel in log.sent or channel in log.failed or log.gave_up or log.cancelled:
            return None
        if not permanent and log.waiting.get(channel) == str(reason):
            return None
        return NoticeFailed(key, reader_id, kind, channel, reason, failed_at, permanent)

    outcome = _record(ports, actor, "record_notice_failed", key, build)
    return bool(outcome.result["recorded"])


def record_gave_up(ports: Ports, actor: Actor, key: str, reader_id: str, kind: str,
                   channel: str, reason: str, attempts: int, at: datetime) -> bool:
    """Record that retrying stopped for good (once; never after a send or a cancel)."""
    outcome = _record(ports, actor, "record_notice_gave_up", key, lambda log: None
                      if log.sent or log.cancelled or log.gave_up else
                      NoticeGaveUp(key, reader_id, kind, channel, reason, attempts, at))
    return bool(outcome.result["recorded"])


def record_cancelled(ports: Ports, actor: Actor, key: str, reader_id: str, kind: str,
                     reason: str, at: datetime) -> bool:
    """Record that a notice will not be sent (stale, opted out); never after a send."""
    outcome = _record(ports, actor, "record_notice_cancelled", key, lambda log: None
                      if log.sent or log.cancelled or log.gave_up else
                      NoticeCancelled(key, reader_id, kind, reason, at))
    return bool(outcome.result["recorded"])


def resend_notice(ports: Ports, actor: Actor, notice: Mapping[str, Any],
                  key: str | None) -> Outcome:
    """Ask for an explicit new send of a notice (a new key, so the original stays as it was)."""
    new_key = resend_key(notice["notice_key"], uuid.uuid4().hex[:12])
    stream = notice_stream(new_key)
    data = {k: v for k, v in notice["data"].items() if k != "resend_of"}

    def decide(loaded: LoadedStreams) -> Decision:
        event = NoticeResendRequested(new_key, notice["notice_key"], notice["reader_id"],
                                      notice["kind"], data, ports.clock())
        return Decision([PendingEvent(event, (stream,))], {"notice_key": new_key},
                        expected={stream: 0})

    return execute(ports, actor, "resend_notice", [stream], decide, key)


# --- templates edited by staff -------------------------------------------------------------


def _check_name(kind: str, lang: str, part: str | None = None) -> None:
    problems: dict[str, list[str]] = {}
    if kind not in {k.value for k in NoticeKind}:
        problems["kind"] = [f"Unknown notice kind {kind!r}."]
    if lang not in SUPPORTED_LANGS:
        problems["lang"] = [f"Must be one of {', '.join(SUPPORTED_LANGS)}."]
    if part is not None and part not in PARTS:
        problems["part"] = [f"Must be one of {', '.join(PARTS)}."]
    if problems:
        raise NotFound("notice_template_not_found", "No such notice template.",
                       "没有该通知模板。", fields=problems)


def template_overrides(ports: Ports) -> dict[tuple[str, str, str], str]:
    """Staff edits in force, as render_notice overrides."""
    out: dict[tuple[str, str, str], str] = {}
    for stored in ports.store.load([TEMPLATE_STREAM]).events:
        e = stored.event
        if isinstance(e, NoticeTemplateChanged):
            if e.source is None:
                out.pop((e.kind, e.lang, e.part), None)
            else:
                out[(e.kind, e.lang, e.part)] = e.source
    return out


def template_source(ports: Ports, kind: str, lang: str, part: str) -> dict[str, Any]:
    """The source in force for one template part, and whether staff changed it."""
    _check_name(kind, lang, part)
    edited = template_overrides(ports).get((kind, lang, part))
    source = edited if edited is not None else shipped_source(kind, lang, part)
    return {"kind": kind, "lang": lang, "part": part, "source": source,
            "customised": edited is not None}


def change_template(ports: Ports, actor: Actor, kind: str, lang: str, part: str,
                    source: str | None, key: str | None) -> Outcome:
    """Store a staff edit (None restores the shipped file) after validating it."""
    from service.domain.notices.render import validate_template

    _check_name(kind, lang, part)
    if source is not None:
        problems = validate_template(source, kind, part)
        if problems:
            raise Invalid("invalid_template", "The template is not valid.", "模板无效。",
                          fields={"source": problems})

    def decide(loaded: LoadedStreams) -> Decision:
        event = NoticeTemplateChanged(kind, lang, part, source)
        return Decision([PendingEvent(event, (TEMPLATE_STREAM,))],
                        {"kind": kind, "lang": lang, "part": part})

    return execute(ports, actor, "change_notice_template", [TEMPLATE_STREAM], decide, key)


def preview_template(ports: Ports, kind: str, lang: str,
                     drafts: Mapping[str, str]) -> dict[str, str]:
    """Render a kind with the sample reader, using stored edits plus unsaved drafts."""
    from service.domain.notices.render import NoticeTemplateError, render_notice
    from service.domain.notices.samples import sample_context

    _check_name(kind, lang)
    overrides: Overrides = {**template_overrides(ports),
                            **{(kind, lang, part): src for part, src in drafts.items()}}
    try:
        rendered = render_notice(kind, lang, sample_context(kind, lang), overrides)
    except NoticeTemplateError as exc:
        raise Invalid("invalid_template", "The template does not render.", "模板无法渲染。",
                      fields={exc.part: [str(exc)]}) from None
    return {"subject": rendered.subject, "text": rendered.text, "html": rendered.html}
