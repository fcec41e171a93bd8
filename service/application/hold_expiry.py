"""The hourly job: expire uncollected holds and pass their copies on."""

from __future__ import annotations

from typing import Any

from projections.hold_queue import expired_trapped
from service.application.circulation import expire_hold
from service.application.context import Actor, Ports
from service.application.settings import library_today


def expire_due_holds(ports: Ports, actor: Actor) -> dict[str, Any]:
    """Expire trapped holds past their pickup date; safe to run twice or concurrently."""
    today = library_today(ports.clock(), ports.timezone)
    with ports.engine.connect() as conn:
        candidates = expired_trapped(conn, today)
    expired, position = [], 0
    for hold_id in candidates:
        outcome = expire_hold(ports, actor, hold_id)
        if outcome.result.get("expired"):
            expired.append({"hold_id": hold_id, "passed_to": outcome.result.get("passed_to")})
            position = max(position, outcome.position)
    return {"expired": expired, "position": position, "replayed": False}
