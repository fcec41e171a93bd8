"""Hold queue lengths per title, for availability answers (reads the hold-queue model)."""

from __future__ import annotations

from sqlalchemy import Connection


def holds_waiting(conn: Connection, title_ids: list[str]) -> dict[str, int]:
    """Waiting holds per title; the hold-queue projection arrives with circulation."""
    try:
        from projections.hold_queue import waiting_counts
    except ImportError:
        return {}
    return waiting_counts(conn, title_ids)
