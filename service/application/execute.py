"""Run a command: load streams, decide, append with expected versions, retry on conflict."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from events.engine import is_postgres, write_connection
from events.store import AppendResult, ConcurrencyError, LoadedStreams, PendingEvent
from service.application.context import Actor, Ports
from service.domain.errors import Conflict, DomainError

MAX_ATTEMPTS = 8


class ClientKey(str):
    """A client's idempotency key plus the fingerprint of the request that carried it.

    A ``str`` so every handler keeps passing ``key: str | None`` along unchanged; only
    ``execute`` looks at the fingerprint.
    """

    fingerprint: str | None

    def __new__(cls, key: str, fingerprint: str | None = None) -> ClientKey:
        made = super().__new__(cls, key)
        made.fingerprint = fingerprint
        return made


def derived_key(key: str | None, suffix: str) -> str | None:
    """A sub-command's key (``renew_all`` renews each loan under its own), same fingerprint."""
    if key is None:
        return None
    return ClientKey(f"{key}:{suffix}", getattr(key, "fingerprint", None))


def key_reused() -> DomainError:
    return DomainError(
        "idempotency_key_reused",
        "This Idempotency-Key was already used for a different request; use a new key.",
        "该 Idempotency-Key 已用于另一个不同的请求，请使用新的键。",
        status=422,
    )


@dataclass(frozen=True)
class Decision:
    """What a command decided: events to append and the answer to give the caller."""

    events: Sequence[PendingEvent]
    result: Mapping[str, Any] = field(default_factory=dict)
    expected: Mapping[str, int] | None = None  # defaults to every loaded stream's version
    # Writes outside the log that must commit with the events (e.g. a hashed PIN).
    also: Callable[[Connection], None] | None = None


@dataclass(frozen=True)
class Outcome:
    """The command's answer, the log position it reached, and whether it was a replay."""

    result: Mapping[str, Any]
    position: int
    replayed: bool = False


def execute(
    ports: Ports, actor: Actor, command: str, streams: Sequence[str],
    decide: Callable[[LoadedStreams], Decision], idempotency_key: str | None = None,
) -> Outcome:
    """Decide against the current streams and append atomically; replay repeated keys."""
    key = scoped_key(command, actor, idempotency_key)
    fingerprint = getattr(idempotency_key, "fingerprint", None)
    first = first_outcome(ports, key, fingerprint)
    if first is not None:
        return first
    for attempt in range(MAX_ATTEMPTS):
        try:
            # After losing a race, decide again while holding the append lock: nobody can move
            # the streams between our read and our write, so callers on one hot stream (a title
            # thirty readers reserve at once) cannot keep losing until they run out of attempts.
            # On SQLite there is one writer at a time anyway: reading inside the write
            # transaction costs nothing extra and saves a connection round trip per command.
            locked = attempt > 0 or not is_postgres(ports.engine)
            return _attempt(ports, actor, command, streams, decide, key, locked=locked,
                            fingerprint=fingerprint)
        except ConcurrencyError:
            continue  # someone else changed what we decided on: look again
    raise Conflict(
        "concurrency_conflict",
        "The record kept changing while we tried to update it; please try again.",
        "记录在更新过程中不断变化，请重试。",
    )


def scoped_key(command: str, actor: Actor, idempotency_key: str | None) -> str | None:
    """The stored form of a client's key: the same key from another actor or for another
    command is a different request."""
    return f"{command}:{actor.principal.actor}:{idempotency_key}" if idempotency_key else None


def first_outcome(ports: Ports, key: str | None, fingerprint: str | None = None
                  ) -> Outcome | None:
    """The answer already given for a scoped key, if any; refused if the key came with
    another request (another fingerprint) the first time."""
    first = ports.store.idempotent_result(key) if key is not None else None
    if first is None:
        return None
    return _replayed(first, fingerprint)


def _replayed(first: AppendResult, fingerprint: str | None) -> Outcome:
    if fingerprint is not None and first.fingerprint is not None \
            and first.fingerprint != fingerprint:
        raise key_reused()
    return Outcome(first.result or {}, first.last_position, replayed=True)


def _attempt(
    ports: Ports, actor: Actor, command: str, streams: Sequence[str],
    decide: Callable[[LoadedStreams], Decision], key: str | None, locked: bool,
    fingerprint: str | None = None,
) -> Outcome:
    """One load-decide-append; ``locked`` reads and decides inside the append's lock."""
    if not locked:
        loaded = ports.store.load(list(streams))
        decision = _decide(ports, decide, loaded, key, fingerprint)
        if isinstance(decision, Outcome):
            return decision
        with write_connection(ports.engine) as conn, conn.begin():
            appended = _append(ports, actor, command, streams, loaded, decision, key, conn,
                               fingerprint)
    else:
        # SQLite's write transaction (BEGIN IMMEDIATE) already excludes other writers.
        with write_connection(ports.engine) as conn, conn.begin():
            ports.store.lock_for_append(conn)
            loaded = ports.store.load(list(streams), conn)
            decision = _decide(ports, decide, loaded, key, fingerprint)
            if isinstance(decision, Outcome):
                return decision
            appended = _append(ports, actor, command, streams, loaded, decision, key, conn,
                               fingerprint)
    if appended.replayed:  # a twin with the same key committed first
        return _replayed(appended, fingerprint)
    position = appended.last_position
    if appended.positions:
        ports.after_commit(position)
    return Outcome(appended.result or {}, position, appended.replayed)


def _decide(
    ports: Ports, decide: Callable[[LoadedStreams], Decision], loaded: LoadedStreams,
    key: str | None, fingerprint: str | None = None,
) -> Decision | Outcome:
    try:
        return decide(loaded)
    except DomainError:
        # A concurrent twin with the same key may have just won: answer as it did.
        first = first_outcome(ports, key, fingerprint)
        if first is None:
            raise
        return first


def _append(
    ports: Ports, actor: Actor, command: str, streams: Sequence[str], loaded: LoadedStreams,
    decision: Decision, key: str | None, conn: Connection, fingerprint: str | None = None,
) -> AppendResult:
    expected = decision.expected
    if expected is None:
        expected = {s: loaded.version(s) for s in streams}
    appended = ports.store.append(
        decision.events, expected=expected, meta=actor.meta(command),
        idempotency_key=key, result=decision.result, conn=conn, fingerprint=fingerprint,
    )
    if decision.also is not None and not appended.replayed:
        decision.also(conn)
    return appended
