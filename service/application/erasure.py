"""Erasing a reader (PIPL Art. 47): the ReaderErased event and the key's deletion commit together.

Once the event is in the log the reader's key is gone from ``pii_keys`` (same transaction), so
every personal field in every event of theirs decodes to None from then on, in every process
and in every rebuild. The projections blank what they had copied when they fold the event.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Text, cast, select, update

from events.readers import PERSONAL, ReaderErased, ReaderRegistered, ReaderUpdated
from events.schema import idempotency_keys
from events.store import LoadedStreams, PendingEvent
from events.streams import reader_stream
from projections.schema import checkpoints
from service.application.accounts import reader_credentials
from service.application.circulation import cancel_hold
from service.application.context import Actor, Ports
from service.application.execute import Decision, Outcome, execute, first_outcome, scoped_key
from service.application.token_versions import bump_version
from service.domain.errors import Conflict, DomainError, Invalid, NotFound
from service.domain.readers.reader_state import ReaderState, fold_reader

ERASED_HOLD_REASON = "reader_erased"


def check_erasable(state: ReaderState, reason: str, force: bool) -> None:
    """The pure rule: may this reader be erased now? Raises a refusal with a stable code."""
    if not reason.strip():
        raise Invalid("reason_required", "Say why the reader is erased.", "请填写删除原因。",
                      fields={"reason": ["Required."]})
    if not state.exists:
        raise NotFound("reader_not_found", "Reader not found.", "未找到该读者。")
    if state.erased:
        raise Conflict("reader_already_erased", "This reader has already been erased.",
                       "该读者已被删除。")
    if force:
        return
    if state.loans:
        raise Conflict("reader_has_open_loans",
                       f"The reader still has {len(state.loans)} loan(s) open; return them "
                       "first or erase with force.",
                       f"该读者仍有 {len(state.loans)} 册未还；请先归还，或强制删除。",
                       open_loans=len(state.loans))
    if state.fines_owed_fen > 0:
        raise Conflict("reader_has_unpaid_fines",
                       "The reader still owes fines; settle them first or erase with force.",
                       "该读者仍有未缴罚款；请先结清，或强制删除。",
                       owed_fen=state.fines_owed_fen)


def decide_erase(state: ReaderState, reason: str, force: bool, now: datetime) -> ReaderErased:
    """The erase event for a reader the rule lets go (holds must already be cancelled)."""
    check_erasable(state, reason, force)
    assert state.reader_id is not None
    if state.holds:  # placed between our cancelling and this decision: go round again
        raise Conflict("reader_has_open_holds", "A hold was placed meanwhile; try again.",
                       "期间有新的预约；请重试。")
    return ReaderErased(reader_id=state.reader_id, reason=reason.strip(), erased_at=now,
                        forced=force and bool(state.loans or state.fines_owed_fen),
                        open_loans=len(state.loans), owed_fen=state.fines_owed_fen)


def erase_reader(ports: Ports, actor: Actor, reader_id: str, reason: str, force: bool,
                 key: str | None) -> Outcome:
    """Erase a reader: cancel their holds, append ReaderErased and delete their key and PIN."""
    replay = first_outcome(ports, scoped_key("erase_reader", actor, key))
    if replay is not None:  # the same request again: the first answer, not a refusal
        return replay
    stream = reader_stream(reader_id)
    state = fold_reader(ports.store.load([stream]).events, reader_id)
    check_erasable(state, reason, force)  # refuse before changing anything
    cancelled = []
    for hold_id in sorted(state.holds):
        try:
            out = cancel_hold(ports, actor, hold_id, ERASED_HOLD_REASON, None)
            cancelled.append({"hold_id": hold_id, "passed_to": out.result.get("passed_to")})
        except DomainError as error:
            if error.code != "hold_not_found":  # gone meanwhile: that is what we wanted
                raise

    def decide(loaded: LoadedStreams) -> Decision:
        now_state = fold_reader(loaded.events, reader_id)
        event = decide_erase(now_state, reason, force, ports.clock())
        personal = personal_values(loaded.events)
        return Decision(
            [PendingEvent(event, (stream,))],
            {"reader_id": reader_id, "erased": True, "forced": event.forced,
             "open_loans": event.open_loans, "owed_fen": event.owed_fen,
             "cancelled_holds": cancelled},
            also=lambda conn: _forget(ports, conn, reader_id, personal),
        )

    return execute(ports, actor, "erase_reader", [stream], decide, key)


def personal_values(events: Iterable[Any]) -> set[str]:
    """Every personal value the reader's stream still decodes to (before the key goes)."""
    found: set[str] = set()
    for stored in events:
        e = stored.event
        if isinstance(e, ReaderRegistered | ReaderUpdated):
            found |= {str(v) for v in (getattr(e, f) for f in PERSONAL) if v}
        elif e.pii_fields and getattr(e, "reader_id", None) is not None:
            found |= {str(v) for v in (getattr(e, f) for f in e.pii_fields) if v}
    return found


def _forget(ports: Ports, conn: Connection, reader_id: str, personal: set[str]) -> None:
    """Inside the erase's transaction: the key, the PIN, and stored answers naming them."""
    ports.store.erase_subject(reader_id, conn)
    conn.execute(reader_credentials.delete().where(reader_credentials.c.reader_id == reader_id))
    # Tokens issued before the erase stop working on every process within the version cache.
    bump_version(conn, f"reader:{reader_id}")
    scrub_stored_answers(conn, reader_stream(reader_id), personal)


def scrub_stored_answers(conn: Connection, stream: str, personal: set[str]) -> int:
    """Blank values naming the person in remembered command answers (idempotency replays).

    Only answers of commands that touched the reader's stream are looked at: the stream id is
    plain ASCII inside the stored JSON, so a LIKE finds them on both back ends.
    """
    if not personal:
        return 0
    pattern = f'%"{stream}"%'
    rows = conn.execute(select(idempotency_keys.c.key, idempotency_keys.c.result).where(
        cast(idempotency_keys.c.stream_versions, Text).like(pattern),
        idempotency_keys.c.result.is_not(None))).all()
    changed = 0
    for key, result in rows:
        cleaned = _without(result, personal)
        if cleaned != result:
            conn.execute(update(idempotency_keys).where(idempotency_keys.c.key == key)
                         .values(result=cleaned))
            changed += 1
    return changed


def _without(value: Any, personal: set[str]) -> Any:
    if isinstance(value, str):
        return None if any(p in value for p in personal) else value
    if isinstance(value, dict):
        return {k: _without(v, personal) for k, v in value.items()}
    if isinstance(value, list):
        return [_without(v, personal) for v in value]
    return value


HOLDERS = ("reader_profiles", "feedback_inbox", "notice_outbox", "reading_history", "activities",
           "surveys")


def settle(engine: Any, position: int, timeout_s: float = 5.0) -> bool:
    """Wait (briefly) until the projections holding personal data have folded the erase,
    then flush SQLite's WAL. False if they were still behind or the flush was blocked; the
    data goes all the same when they catch up, only the WAL file keeps old pages longer."""
    deadline = time.monotonic() + timeout_s
    while True:
        with engine.connect() as conn:
            reached = dict(conn.execute(select(checkpoints.c.name, checkpoints.c.position)
                                        .where(checkpoints.c.name.in_(HOLDERS))).all())
        if min(reached.get(n, 0) for n in HOLDERS) >= position:
            return flush_storage(engine)
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def flush_storage(engine: Any) -> bool:
    """After an erase has been folded: leave no old page images in SQLite's WAL file.

    ``secure_delete`` zeroes what is deleted in the database file, but the WAL still holds
    the pages as they were before; a TRUNCATE checkpoint copies them back and empties it.
    Returns False when readers kept the checkpoint from finishing (try again later).
    PostgreSQL keeps dead row versions until VACUUM; see docs/operations.md.
    """
    if engine.dialect.name != "sqlite":
        return True
    raw = engine.raw_connection()  # outside any transaction: a checkpoint cannot run in one
    try:
        busy = raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        raw.close()
    return not (busy and busy[0])
