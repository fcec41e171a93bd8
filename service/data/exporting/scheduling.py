"""Scheduled exports as commands: create, change, remove, and record one period's delivery.

Every change is an event in the schedule's stream ``export-schedule-<id>``; a delivery is the
only event of the stream ``export-delivery-<id>-<period>``, appended with "no stream yet" as
the expected version, so the store itself refuses a second delivery of a period.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, DateTime, String, Table, insert, update
from sqlalchemy.exc import IntegrityError

from events import streams
from events.engine import write_connection
from events.exports import (
    ScheduledExportChanged,
    ScheduledExportCreated,
    ScheduledExportDelivered,
    ScheduledExportRemoved,
)
from events.store import LoadedStreams, PendingEvent
from service.application.accounts import metadata
from service.application.context import Actor, Ports
from service.application.execute import Decision, Outcome, execute
from service.data.exporting.schedule_rules import ScheduleSettings, parse_settings
from service.domain.errors import Conflict, Invalid, NotFound
from service.domain.i18n import FieldProblems

# An operational lease (not a fold, like notice_leases): the scheduler that inserted the row
# for a period builds and sends that period's file; another waits until the lease lapses.
claims = Table(
    "export_delivery_claims",
    metadata,
    Column("schedule_id", String(64), primary_key=True),
    Column("period_key", String(16), primary_key=True),
    Column("token", String(64), nullable=False),
    Column("claimed_until", DateTime(timezone=True), nullable=False),
)


schedule_stream = streams.export_schedule_stream
delivery_stream = streams.export_delivery_stream


def invalid_schedule(exc: FieldProblems, lang: str) -> Invalid:
    """Per-field messages in the caller's language, with both languages alongside."""
    return Invalid("invalid_export_schedule", "The export schedule is not valid.",
                   "导出计划无效。", fields={k: [m.in_lang(lang)] for k, m in exc.problems.items()},
                   errors_i18n={k: m.to_dict() for k, m in exc.problems.items()})


def _settings(data: Mapping[str, Any], kinds: Collection[str], lang: str) -> ScheduleSettings:
    try:
        return parse_settings(data, kinds)
    except FieldProblems as exc:
        raise invalid_schedule(exc, lang) from None


def _not_found(schedule_id: str) -> NotFound:
    return NotFound("export_schedule_not_found", f"No export schedule '{schedule_id}'.",
                    f"没有导出计划“{schedule_id}”。")


def _live(loaded: LoadedStreams, schedule_id: str) -> bool:
    events = [s.event for s in loaded.events]
    return bool(events) and not isinstance(events[-1], ScheduledExportRemoved)


def create_schedule(ports: Ports, actor: Actor, data: Mapping[str, Any], kinds: Collection[str],
                    lang: str = "en", key: str | None = None) -> Outcome:
    """Record a new schedule (validated field by field)."""
    s = _settings(data, kinds, lang)
    schedule_id = uuid.uuid4().hex[:16]
    now = ports.clock()

    def decide(loaded: LoadedStreams) -> Decision:
        event = ScheduledExportCreated(schedule_id=schedule_id, **s.to_dict(), created_at=now)
        return Decision([PendingEvent(event, (schedule_stream(schedule_id),))],
                        {"schedule_id": schedule_id})

    return execute(ports, actor, "create_export_schedule", [schedule_stream(schedule_id)],
                   decide, key)


def change_schedule(ports: Ports, actor: Actor, schedule_id: str, data: Mapping[str, Any],
                    kinds: Collection[str], lang: str = "en", key: str | None = None) -> Outcome:
    """Replace a schedule's settings as a whole."""
    s = _settings(data, kinds, lang)
    now = ports.clock()

    def decide(loaded: LoadedStreams) -> Decision:
        if not _live(loaded, schedule_id):
            raise _not_found(schedule_id)
        event = ScheduledExportChanged(schedule_id=schedule_id, **s.to_dict(), changed_at=now)
        return Decision([PendingEvent(event, (schedule_stream(schedule_id),))],
                        {"schedule_id": schedule_id})

    return execute(ports, actor, "change_export_schedule", [schedule_stream(schedule_id)],
                   decide, key)


def remove_schedule(ports: Ports, actor: Actor, schedule_id: str,
                    key: str | None = None) -> Outcome:
    """Stop a schedule; its deliveries stay in the log and in the list."""
    now = ports.clock()

    def decide(loaded: LoadedStreams) -> Decision:
        if not _live(loaded, schedule_id):
            raise _not_found(schedule_id)
        event = ScheduledExportRemoved(schedule_id=schedule_id, removed_at=now)
        return Decision([PendingEvent(event, (schedule_stream(schedule_id),))],
                        {"schedule_id": schedule_id})

    return execute(ports, actor, "remove_export_schedule", [schedule_stream(schedule_id)],
                   decide, key)


def already_delivered(ports: Ports, schedule_id: str, period: str) -> bool:
    """The log's word (not the projection's, which may lag) on a period's delivery."""
    return ports.store.load([delivery_stream(schedule_id, period)]).version(
        delivery_stream(schedule_id, period)) > 0


def record_delivery(ports: Ports, actor: Actor, delivered: ScheduledExportDelivered) -> Outcome:
    """Append the period's one delivery event; a second one is refused (Conflict)."""
    stream = delivery_stream(delivered.schedule_id, delivered.period_key)

    def decide(loaded: LoadedStreams) -> Decision:
        if loaded.version(stream) > 0:
            raise Conflict("export_already_delivered",
                           f"Period {delivered.period_key} was already delivered.",
                           f"{delivered.period_key} 期已经送达。")
        return Decision([PendingEvent(delivered, (stream,))], {"period": delivered.period_key},
                        expected={stream: 0})

    return execute(ports, actor, "deliver_scheduled_export", [stream], decide)


def claim_period(ports: Ports, schedule_id: str, period: str, now: datetime,
                 lease_s: float = 900.0) -> str | None:
    """Take the lease on a period (a token), or None while another scheduler holds it."""
    token, until = uuid.uuid4().hex, now + timedelta(seconds=lease_s)
    try:
        with write_connection(ports.engine) as conn, conn.begin():
            conn.execute(insert(claims).values(schedule_id=schedule_id, period_key=period,
                                               token=token, claimed_until=until))
        return token
    except IntegrityError:
        pass
    # Someone claimed it first: take it over only if their lease has lapsed (they died).
    with write_connection(ports.engine) as conn, conn.begin():
        taken = conn.execute(update(claims).where(
            claims.c.schedule_id == schedule_id, claims.c.period_key == period,
            claims.c.claimed_until < now).values(token=token, claimed_until=until))
        return token if taken.rowcount == 1 else None


def release_period(ports: Ports, schedule_id: str, period: str, token: str) -> None:
    """Give a lease back after a failed delivery, so the next tick may try again."""
    with write_connection(ports.engine) as conn, conn.begin():
        conn.execute(claims.delete().where(claims.c.schedule_id == schedule_id,
                                           claims.c.period_key == period,
                                           claims.c.token == token))
