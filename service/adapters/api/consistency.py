"""Read-your-writes: a query may ask to reflect at least a given log position."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from flask import current_app, request
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import DBAPIError

from events.schema import events
from projections.schema import checkpoints
from service.adapters.replica import lowest_checkpoint
from service.domain.errors import DomainError

logger = logging.getLogger(__name__)


class ProjectionBehind(DomainError):
    status = 503


# Waiting requests hold a server thread (a whole sync gunicorn worker): only a few may wait at
# once in each process; the rest are told at once to come back (503 with Retry-After).
_waiters: dict[int, threading.BoundedSemaphore] = {}
_waiters_lock = threading.Lock()


def _slots(limit: int) -> threading.BoundedSemaphore:
    with _waiters_lock:
        return _waiters.setdefault(limit, threading.BoundedSemaphore(limit))


def requested_position() -> int | None:
    raw = request.args.get("min_position") or request.headers.get("Lector-Min-Position")
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise DomainError("invalid_request", "min_position must be an integer.",
                          "min_position 必须是整数。", status=422,
                          fields={"min_position": ["Not a valid integer."]}) from None
    if not 0 <= value <= 2**62:
        raise DomainError("invalid_request", "min_position is out of range.",
                          "min_position 超出范围。", status=422,
                          fields={"min_position": ["Must be between 0 and 2^62."]})
    return value


@contextmanager
def read_model(*projection_names: str) -> Iterator[Connection]:
    """A connection to read the named projections once they reflect ``min_position``.

    Every query view reads through this: the wait (and its 503 / 422 answers) and the
    connection come together, so no view can read before it waited. A view using it takes
    ``min_position`` in its query schema, which makes the OpenAPI document show the 503.
    """
    lector = current_app.extensions["lector"]
    replica = replica_for(lector, projection_names)
    if replica is not None:
        try:
            yield replica
        finally:
            replica.close()
        return
    wait_for(projection_names)
    with lector.engine.connect() as conn:
        yield conn


def query_engine(*projection_names: str) -> Engine:
    """The engine for a streamed read (exports) that opens its own connections: the replica
    exactly when ``read_model`` would read there, else the primary after its usual wait."""
    lector = current_app.extensions["lector"]
    replica = replica_for(lector, projection_names)
    if replica is not None:
        replica.close()
        return lector.replica  # type: ignore[no-any-return]
    wait_for(projection_names)
    return lector.engine  # type: ignore[no-any-return]


def replica_for(lector: Any, names: Sequence[str]) -> Connection | None:
    """The one decision point for reading from the replica; None means read the primary.

    Only query (GET/HEAD) requests go there. With ``min_position`` the replica must have
    applied it within ``min_position_wait_s``, else the primary answers (after its own usual
    check): a client that saw its write never gets an answer from before it.
    """
    route = lector.replica_route
    if lector.replica is None or request.method not in ("GET", "HEAD") or not route.usable():
        return None
    position = requested_position()
    try:
        if position is not None and not _replica_reached(lector, names, position):
            route.count("behind")
            return None
        return lector.replica.connect()  # type: ignore[no-any-return]
    except DBAPIError:
        logger.warning("read replica unreachable; reading from the primary", exc_info=True)
        route.failed()
        return None


def _replica_reached(lector: Any, names: Sequence[str], position: int) -> bool:
    deadline = time.monotonic() + lector.config.min_position_wait_s
    delay = 0.005
    if lowest_checkpoint(lector.replica, names) >= position:
        return True
    slots = _slots(lector.config.min_position_waiters)
    if not slots.acquire(blocking=False):
        return False  # no slot to wait in: the primary's check answers at once
    try:
        while time.monotonic() < deadline:
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
            if lowest_checkpoint(lector.replica, names) >= position:
                return True
        return False
    finally:
        slots.release()


def wait_for(projection_names: Sequence[str]) -> None:
    """Block briefly until the named projections reach the requested position, else 503.

    A position the log has not reached is answered at once (422 ``position_not_reached``):
    every position a command returned already exists, so waiting for a later one could only
    tie up a server thread. Waits are bounded per process (``min_position_waiters``).
    """
    position = requested_position()
    if position is None:
        return
    lector = current_app.extensions["lector"]
    behind, head = _reached(lector.engine, projection_names, position, with_head=True)
    if behind >= position:
        return
    if head is not None and position > head:
        raise DomainError(
            "position_not_reached",
            f"The log has not reached position {position}; its last position is {head}.",
            f"事件日志尚未到达位置 {position}，当前最后位置为 {head}。",
            status=422, fields={"min_position": [f"Must be at most {head}."]},
            head=head, requested=position)
    slots = _slots(lector.config.min_position_waiters)
    if not slots.acquire(blocking=False):
        raise _behind(behind, position)
    try:
        _wait(lector, projection_names, position)
    finally:
        slots.release()


def _reached(engine: Any, names: Sequence[str], position: int,
             with_head: bool = False) -> tuple[int, int | None]:
    """(lowest checkpoint among ``names``, head of the log if asked) in one round trip."""
    with engine.connect() as conn:
        reached = dict(conn.execute(
            select(checkpoints.c.name, checkpoints.c.position)
            .where(checkpoints.c.name.in_(list(names)))
        ).all())
        behind = min((reached.get(n, 0) for n in names), default=position)
        head = None
        if with_head and behind < position:
            head = int(conn.scalar(select(func.coalesce(func.max(events.c.position), 0))) or 0)
    return behind, head


def _wait(lector: Any, names: Sequence[str], position: int) -> None:
    deadline = time.monotonic() + lector.config.min_position_wait_s
    delay = 0.005
    while True:
        behind, _ = _reached(lector.engine, names, position)
        if behind >= position:
            return
        if time.monotonic() >= deadline:
            raise _behind(behind, position)
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def _behind(behind: int, position: int) -> ProjectionBehind:
    return ProjectionBehind(
        "projection_behind",
        f"The read model has reached position {behind}, not yet {position}.",
        f"读取模型目前处于位置 {behind}，尚未到达 {position}。",
        reached=behind, requested=position,
    )
