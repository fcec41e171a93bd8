"""Who is acting, through which channel, and the ports a command handler may use."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Engine

from events.store import EventStore
from service.application.unit_of_work import UnitOfWorkFactory
from service.config import DEFAULT_TIMEZONE

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a staff member (with a role), a reader, or the system."""

    kind: str  # staff | reader | system
    id: str
    role: str  # admin | librarian | desk | reader | system
    reader_id: str | None = None

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.id}"


SYSTEM = Principal("system", "lector", "system")
ROLE_RANK = {"teacher": 0, "desk": 1, "librarian": 2, "admin": 3, "system": 4}
# A teacher is staff outside the ladder: class routes only (which librarians and admins also
# reach), nothing of the desk, reports or administration.
TEACHER = "teacher"
SIGNED_IN = "signed_in"  # routes about the caller's own account (who am I, sign out)


def has_role(principal: Principal, role: str) -> bool:
    """Staff roles nest: admin may do what a librarian may, a librarian what the desk may;
    class routes (``teacher``) admit teachers, librarians and admins; teachers nothing else."""
    if role == "reader":
        return principal.kind == "reader"
    if role == TEACHER:
        return principal.role == TEACHER or ROLE_RANK.get(principal.role, 0) >= ROLE_RANK[
            "librarian"]
    if principal.role == TEACHER:
        return False
    return ROLE_RANK.get(principal.role, 0) >= ROLE_RANK[role]


class AfterCommit(Protocol):
    def __call__(self, position: int) -> None: ...


@dataclass
class Ports:
    """The dependencies command handlers use (built once by bootstrap).

    Commands write only through ``uow`` (one unit of work per attempt); ``store`` serves
    reads outside a command (lookups, queries of the log). ``engine`` is the database that
    holds what is not in the log (accounts, projections); it may be None for handler unit
    tests that run on the in-memory twin alone.
    """

    engine: Engine
    store: EventStore
    after_commit: AfterCommit
    uow: UnitOfWorkFactory
    clock: Clock = utc_now
    timezone: str = DEFAULT_TIMEZONE
    settings: dict[str, Any] = field(default_factory=dict)
    # Facts that never change once recorded (card -> reader, barcode -> title), remembered
    # per store so the desk's hot path skips two stream reads. Only hits are remembered.
    immutable: dict[str, str] = field(default_factory=dict)

    def remembered(self, key: str, find: Callable[[], str | None]) -> str | None:
        known = self.immutable.get(key)
        if known is not None:
            return known
        found = find()
        if found is not None:
            if len(self.immutable) > 200_000:
                self.immutable.clear()
            self.immutable[key] = found
        return found


@dataclass(frozen=True)
class Actor:
    """The principal plus the channel the command arrived through."""

    principal: Principal
    channel: str = "api"
    correlation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    on_behalf_of: str | None = None  # a guardian acting for a linked child: the child's id

    def meta(self, command: str) -> dict[str, Any]:
        meta = {
            "actor": self.principal.actor, "role": self.principal.role,
            "channel": self.channel, "command": command,
            "correlation_id": self.correlation_id,
        }
        if self.on_behalf_of is not None:
            meta["on_behalf_of"] = self.on_behalf_of
        return meta
