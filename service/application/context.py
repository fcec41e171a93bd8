"""Who is acting, through which channel, and the ports a command handler may use."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Engine

from events.sqlalchemy_store import SqlEventStore
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
ROLE_RANK = {"desk": 1, "librarian": 2, "admin": 3, "system": 4}


def has_role(principal: Principal, role: str) -> bool:
    """Staff roles nest: admin may do what a librarian may, a librarian what the desk may."""
    if role == "reader":
        return principal.kind == "reader"
    return ROLE_RANK.get(principal.role, 0) >= ROLE_RANK[role]


class AfterCommit(Protocol):
    def __call__(self, position: int) -> None: ...


@dataclass
class Ports:
    """The dependencies command handlers use (built once by bootstrap)."""

    engine: Engine
    store: SqlEventStore
    after_commit: AfterCommit
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

    def meta(self, command: str) -> dict[str, Any]:
        return {
            "actor": self.principal.actor, "role": self.principal.role,
            "channel": self.channel, "command": command,
            "correlation_id": self.correlation_id,
        }
