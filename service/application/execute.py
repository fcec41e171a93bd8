"""Run a command: one retry loop around one unit of work per attempt.

Each attempt opens a unit of work (one transaction): answer a repeated idempotency key from
its record; locate and load the streams; decide with pure rules; append with the versions
loaded (plus the key's record and any writes that must commit with the events); commit. A
lost race (``ConcurrencyError``) or a located fact that moved (``Relocate``) tries again,
at most ``MAX_ATTEMPTS`` times in all, then the caller gets a conflict, never a silent loss.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from events.store import AppendResult, ConcurrencyError, LoadedStreams
from service.application.context import Actor, Ports
from service.application.unit_of_work import UnitOfWork
from service.domain.decision import Decision, Relocate
from service.domain.errors import Conflict, DomainError

__all__ = ["MAX_ATTEMPTS", "ClientKey", "Decision", "Outcome", "Relocate", "derived_key",
           "execute", "first_outcome", "run", "scoped_key"]

MAX_ATTEMPTS = 8

Decide = Callable[[LoadedStreams], Decision]


def uses_snapshots(decide: Decide) -> Decide:
    """Mark a decision that folds its reader with readers.reader_from: its streams may then
    be loaded as snapshot + tail (events/snapshots.py), so its cost does not grow with the
    reader's history. A decision that scans a reader stream's events itself must not be."""
    decide.uses_snapshots = True  # type: ignore[attr-defined]
    return decide
Load = Callable[[Sequence[str]], LoadedStreams]
# Finds the streams a command needs (reading through the unit of work when it must look
# first, e.g. which reader has this copy) and the decision to take on them.
Locate = Callable[[Load], tuple[Sequence[str], Decide]]


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
class Outcome:
    """The one answer every caller sees: the result, the log position it reached, and
    whether it was a replay of a repeated idempotency key."""

    result: Mapping[str, Any]
    position: int
    replayed: bool = False
    # The streams the decision was taken on (None for a replay): an adapter may build its
    # reply from them instead of reading the same streams again after the command.
    loaded: LoadedStreams | None = field(default=None, compare=False, repr=False)


def execute(
    ports: Ports, actor: Actor, command: str, streams: Sequence[str], decide: Decide,
    idempotency_key: str | None = None,
) -> Outcome:
    """Decide against these streams and append atomically; replay repeated keys."""
    return run(ports, actor, command, lambda load: (streams, decide), idempotency_key)


def run(ports: Ports, actor: Actor, command: str, locate: Locate,
        idempotency_key: str | None = None) -> Outcome:
    """The retry loop: locate, decide and append in one unit of work per attempt."""
    key = scoped_key(command, actor, idempotency_key)
    fingerprint = getattr(idempotency_key, "fingerprint", None)
    for attempt in range(MAX_ATTEMPTS):
        try:
            # After losing a race, read and decide while holding the append lock: nobody can
            # move the streams between our read and our write, so callers on one hot stream
            # (a title thirty readers reserve at once) cannot keep losing until they run out.
            with ports.uow(locked=attempt > 0) as uow:
                outcome, appended = _attempt(uow, actor, command, locate, key, fingerprint)
        except (ConcurrencyError, Relocate):
            continue  # someone else changed what we decided on: look again
        if appended:
            ports.after_commit(outcome.position)
        return outcome
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
    """The answer already given for a scoped key, if any (read outside any command)."""
    first = ports.store.idempotent_result(key) if key is not None else None
    return None if first is None else _replayed(first, fingerprint)


def _replayed(first: AppendResult, fingerprint: str | None) -> Outcome:
    """A repeated key's first answer; refused if the key first came with another request."""
    if fingerprint is not None and first.fingerprint is not None \
            and first.fingerprint != fingerprint:
        raise key_reused()
    return Outcome(first.result or {}, first.last_position, replayed=True)


def _first(uow: UnitOfWork, key: str | None, fingerprint: str | None) -> Outcome | None:
    first = uow.first_result(key) if key is not None else None
    return None if first is None else _replayed(first, fingerprint)


def _attempt(uow: UnitOfWork, actor: Actor, command: str, locate: Locate, key: str | None,
             fingerprint: str | None) -> tuple[Outcome, bool]:
    """One attempt; returns the outcome and whether it appended events."""
    first = _first(uow, key, fingerprint)
    if first is not None:
        return first, False
    try:
        streams, decide = locate(uow.load)
        loaded = uow.load(streams, snapshots=getattr(decide, "uses_snapshots", False))
        decision = decide(loaded)
    except DomainError:
        # A concurrent twin with the same key may have just won: answer as it did.
        first = _first(uow, key, fingerprint)
        if first is None:
            raise
        return first, False
    expected = decision.expected
    if expected is None:
        expected = {s: loaded.version(s) for s in streams}
    appended = uow.append(decision.events, expected=expected, meta=actor.meta(command),
                          idempotency_key=key, result=decision.result, fingerprint=fingerprint)
    if appended.replayed:  # a twin with the same key committed first
        return _replayed(appended, fingerprint), False
    if decision.also is not None:
        uow.also(decision.also)
    return (Outcome(appended.result or {}, appended.last_position, loaded=loaded),
            bool(appended.positions))
