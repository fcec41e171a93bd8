"""Stuck projections: which fold failed on which event, why, and since when."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from events.store import StoredEvent
from events.text_safety import UNSTORABLE
from projections.schema import failures

log = logging.getLogger(__name__)
MAX_ERROR = 500


class FoldFailed(Exception):
    """A projection's handler raised on one event (the batch's transaction is rolled back)."""

    def __init__(self, name: str, stored: StoredEvent, error: BaseException) -> None:
        super().__init__(f"{name} failed at position {stored.position}: {error!r}")
        self.name, self.position, self.event_type = name, stored.position, stored.type
        text = f"{type(error).__name__}: {error}"
        # The message may quote the very text that broke the fold: keep it storable and short.
        self.error = UNSTORABLE.sub("?", text.splitlines()[0] if text else "")[:MAX_ERROR]


@dataclass(frozen=True)
class Failure:
    """A stuck projection: it has applied everything before ``position`` and nothing after."""

    name: str
    position: int
    event_type: str
    error: str
    since: datetime
    last_attempt_at: datetime
    attempts: int

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "event_type": self.event_type, "error": self.error,
                "since": self.since.isoformat(), "last_attempt_at": self.last_attempt_at.isoformat(),
                "attempts": self.attempts}


def stuck(conn: Connection) -> dict[str, Failure]:
    """Every projection currently stuck, by name."""
    return {row.name: Failure(row.name, int(row.position), row.event_type, row.error,
                              _utc(row.since), _utc(row.last_attempt_at), int(row.attempts))
            for row in conn.execute(select(failures).order_by(failures.c.name))}


def stuck_in(engine: Engine) -> dict[str, Failure]:
    with engine.connect() as conn:
        return stuck(conn)


def record(conn: Connection, failed: FoldFailed) -> None:
    """Note (or update) a projection's failure; the caller holds the projection's lock."""
    now = datetime.now(UTC)
    row = conn.execute(select(failures.c.position, failures.c.error)
                       .where(failures.c.name == failed.name)).first()
    if row is not None and int(row.position) == failed.position:
        conn.execute(update(failures).where(failures.c.name == failed.name).values(
            error=failed.error, last_attempt_at=now, attempts=failures.c.attempts + 1))
        if row.error != failed.error:
            log.error("projection %s still stuck at position %s (%s): %s", failed.name,
                      failed.position, failed.event_type, failed.error)
        return
    if row is not None:
        conn.execute(delete(failures).where(failures.c.name == failed.name))
    conn.execute(insert(failures).values(
        name=failed.name, position=failed.position, event_type=failed.event_type,
        error=failed.error, since=now, last_attempt_at=now, attempts=1))
    log.error("projection %s stuck at position %s (%s): %s; the other projections go on",
              failed.name, failed.position, failed.event_type, failed.error)


def clear(conn: Connection, names: list[str], reached: int) -> None:
    """Forget the failures these projections have now folded past."""
    done = conn.execute(delete(failures).where(failures.c.name.in_(names),
                                               failures.c.position <= reached))
    if done.rowcount:
        log.warning("projection(s) %s healed: folded past their failed event", ", ".join(names))


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value  # SQLite drops the zone
