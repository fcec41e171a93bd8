"""Read-your-writes: a query may ask to reflect at least a given log position."""

from __future__ import annotations

import time
from collections.abc import Sequence

from flask import current_app, request
from sqlalchemy import select

from projections.schema import checkpoints
from service.core.errors import DomainError


class ProjectionBehind(DomainError):
    status = 503


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


def wait_for(projection_names: Sequence[str]) -> None:
    """Block briefly until the named projections reach the requested position, else 503."""
    position = requested_position()
    if position is None:
        return
    lector = current_app.extensions["lector"]
    deadline = time.monotonic() + lector.config.min_position_wait_s
    delay = 0.005
    while True:
        with lector.engine.connect() as conn:
            reached = dict(conn.execute(
                select(checkpoints.c.name, checkpoints.c.position)
                .where(checkpoints.c.name.in_(list(projection_names)))
            ).all())
        behind = min((reached.get(n, 0) for n in projection_names), default=position)
        if behind >= position:
            return
        if time.monotonic() >= deadline:
            raise ProjectionBehind(
                "projection_behind",
                f"The read model has reached position {behind}, not yet {position}.",
                f"读取模型目前处于位置 {behind}，尚未到达 {position}。",
                reached=behind, requested=position,
            )
        time.sleep(delay)
        delay = min(delay * 2, 0.1)
